import type { Collector, Origin, Walk } from '../walk.js';
import type { TS } from '../typescript.js';
import { INSTANCE_MODULES } from '../frameworks.js';
import { fromImport } from './names.js';

/**
 * Locals created by a framework, router or adapter (`const app = Fastify()`, `this.server = Hapi.server({ port })`),
 * and server handles (`const server = app.listen(3000)`), with the creation's arguments.
 */
export const instances: Collector = {
  kinds: ['VariableDeclaration', 'BinaryExpression'],
  visit(node, w) {
    const ts = w.ts;
    if (ts.isVariableDeclaration(node)) {
      if (ts.isIdentifier(node.name) && node.initializer) record(w, node.name.text, node.initializer);
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && (ts.isCallExpression(node.right) || ts.isNewExpression(node.right) || ts.isAwaitExpression(node.right))) {
      const left = w.chain(node.left);
      if (left && (left.length === 1 || (left.length === 2 && left[0] === 'this'))) record(w, left.join('.'), node.right);
    }
  },
};

function record(w: Walk, local: string, init: TS.Expression): void {
  const ts = w.ts;
  const u = w.unwrap(init);
  if (!ts.isCallExpression(u) && !ts.isNewExpression(u)) return;
  const callee = w.unwrap(u.expression);
  let origin: Origin | undefined;
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'listen') {
    origin = { module: w.originOf(callee.expression)?.module ?? '', path: ['listen'] };
  } else {
    if (!fromImport(w, callee)) return;
    origin = w.resolve(callee);
    if (!origin || !INSTANCE_MODULES.has(origin.module)) return;
  }
  w.facts.instances.push({ local, module: origin.module, path: origin.path, args: (u.arguments ?? []).map((a) => w.arg(a)), span: w.span(u) });
}
