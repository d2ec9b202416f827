import type { Collector } from '../walk.js';
import { exportedName } from './names.js';

/**
 * Which local each exported name refers to, when they differ: `export default router`,
 * `export { router as users }`, `module.exports = routes`, `exports.plugin = plugin`,
 * `export default function routes() {}`. `export const x` needs no fact: the name is the local.
 */
export const exportNames: Collector = {
  kinds: ['ExportAssignment', 'ExportDeclaration', 'FunctionDeclaration', 'ClassDeclaration', 'BinaryExpression'],
  visit(node, w) {
    const ts = w.ts;
    const out = w.facts.exportNames;
    if (ts.isExportAssignment(node)) {
      const e = w.unwrap(node.expression);
      if (ts.isIdentifier(e)) out.push({ name: 'default', local: e.text });
    } else if (ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier || !node.exportClause || !ts.isNamedExports(node.exportClause)) return;
      for (const el of node.exportClause.elements) out.push({ name: el.name.text, local: (el.propertyName ?? el.name).text });
    } else if (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) {
      const mods = ts.getModifiers(node) ?? [];
      if (node.name && mods.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) out.push({ name: 'default', local: node.name.text });
    } else if (ts.isBinaryExpression(node)) {
      if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isPropertyAccessExpression(node.left)) return;
      const c = w.chain(node.left);
      if (!c || (c[0] !== 'module' && c[0] !== 'exports')) return;
      const name = exportedName(w, node.left);
      const right = w.unwrap(node.right);
      if (!name) return;
      if (ts.isIdentifier(right)) out.push({ name, local: right.text });
      else if (name === 'default' && ts.isObjectLiteralExpression(right)) {
        for (const p of right.properties) {
          if (ts.isShorthandPropertyAssignment(p)) out.push({ name: p.name.text, local: p.name.text });
          else if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && ts.isIdentifier(p.initializer)) out.push({ name: p.name.text, local: p.initializer.text });
        }
      }
    }
  },
};
