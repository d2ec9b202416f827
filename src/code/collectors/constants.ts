import type { Collector, Walk } from '../walk.js';
import type { TS } from '../typescript.js';
import { enclosingName } from './names.js';

/** `const PORT = process.env.PORT ?? 3000`, `const HOST = '0.0.0.0'`: constants whose value can be read without running anything. */
export const constants: Collector = {
  kinds: ['VariableDeclaration'],
  visit(node, w) {
    const ts = w.ts;
    const d = node as TS.VariableDeclaration;
    const list = w.parent();
    if (!d.initializer || !ts.isIdentifier(d.name) || !list || !ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return;
    if (!readable(w, d.initializer)) return;
    const value = w.arg(d.initializer);
    if (value.t !== 'str' && value.t !== 'num' && value.t !== 'bool' && value.t !== 'env') return;
    const fn = enclosingName(w);
    w.facts.constants.push({ name: d.name.text, value, in: w.atTopLevel ? -1 : w.enclosingFunction().pos, ...(fn ? { fn } : {}) });
  },
};

/** Only initializers that can summarise to a literal or an environment value: a cheap test before `w.arg()`. */
function readable(w: Walk, e: TS.Expression): boolean {
  const ts = w.ts;
  const u = w.unwrap(e);
  switch (u.kind) {
    case ts.SyntaxKind.StringLiteral:
    case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
    case ts.SyntaxKind.NumericLiteral:
    case ts.SyntaxKind.PrefixUnaryExpression:
    case ts.SyntaxKind.TrueKeyword:
    case ts.SyntaxKind.FalseKeyword:
      return true;
    case ts.SyntaxKind.PropertyAccessExpression:
    case ts.SyntaxKind.ElementAccessExpression:
      return w.envName(u) !== undefined;
    case ts.SyntaxKind.BinaryExpression: {
      // `process.env.PORT ?? 3000`, `process.env.HOST || 'localhost'`: nothing else summarises to a value.
      const op = (u as TS.BinaryExpression).operatorToken.kind;
      return (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) && readable(w, (u as TS.BinaryExpression).left);
    }
    case ts.SyntaxKind.CallExpression: {
      const c = u as TS.CallExpression;
      return ts.isIdentifier(c.expression) && /^(?:Number|parseInt|parseFloat|String)$/.test(c.expression.text) && !!c.arguments[0] && readable(w, c.arguments[0]);
    }
    default:
      return false;
  }
}
