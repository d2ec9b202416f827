import type { Collector, Walk } from '../walk.js';
import type { TS } from '../typescript.js';
import { LISTEN_METHOD, SIGNAL_EVENT } from '../context.js';

/** `process.on('SIGTERM', fn)`, including `['SIGINT', 'SIGTERM'].forEach((s) => process.on(s, fn))`. */
export const signals: Collector = {
  kinds: ['CallExpression'],
  visit(node, w) {
    const ts = w.ts;
    const call = node as TS.CallExpression;
    const chain = w.chain(call.expression);
    if (!chain || chain.length !== 2 || chain[0] !== 'process' || !LISTEN_METHOD.test(chain[1]!)) return;
    const [event, handler] = call.arguments;
    if (!event) return;
    const names = signalNames(event, w);
    if (names.length && !names.some((n) => n === '*' || SIGNAL_EVENT.test(n))) return;
    let h: { span?: ReturnType<Walk['span']>; name?: string } | undefined;
    if (handler) {
      const u = w.unwrap(handler);
      if (ts.isArrowFunction(u) || ts.isFunctionExpression(u)) h = { span: w.span(u) };
      else if (ts.isIdentifier(u)) h = { name: u.text };
      else {
        const bound = boundName(u, w);
        h = bound ? { span: w.span(u), name: bound } : { span: w.span(u) };
      }
    }
    w.facts.signals.push({ signals: names, method: chain[1]!, span: w.span(call), handler: h });
  },
};

/** The function a handler expression names: `this.shutdown`, `this.shutdown.bind(this)`, `stop.bind(null)`. */
function boundName(e: TS.Expression, w: Walk): string | undefined {
  const ts = w.ts;
  let u = e;
  if (ts.isCallExpression(u) && ts.isPropertyAccessExpression(u.expression) && u.expression.name.text === 'bind') u = w.unwrap(u.expression.expression);
  const c = w.chain(u);
  if (!c) return undefined;
  return c.length === 1 || (c.length === 2 && c[0] === 'this') ? c[c.length - 1] : undefined;
}

/** The literal event names an argument can hold; `['*']` when it cannot be told. */
function signalNames(e: TS.Expression, w: Walk): string[] {
  const ts = w.ts;
  const u = w.unwrap(e);
  if (ts.isStringLiteralLike(u)) return [u.text];
  if (!ts.isIdentifier(u)) return ['*'];
  // Walk outwards to the function or loop that binds the identifier.
  for (let depth = 1; ; depth++) {
    const a = w.parent(depth);
    if (!a) return ['*'];
    if ((ts.isArrowFunction(a) || ts.isFunctionExpression(a)) && a.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === u.text)) {
      const call = w.parent(depth + 1);
      if (call && ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'forEach') {
        return literalStrings(w.unwrap(call.expression.expression), w);
      }
      return ['*'];
    }
    if (ts.isForOfStatement(a) && ts.isVariableDeclarationList(a.initializer)) {
      const d = a.initializer.declarations[0];
      if (d && ts.isIdentifier(d.name) && d.name.text === u.text) return literalStrings(w.unwrap(a.expression), w);
    }
  }
}

function literalStrings(e: TS.Expression, w: Walk): string[] {
  const ts = w.ts;
  if (!ts.isArrayLiteralExpression(e)) return ['*'];
  const out = e.elements.map((x) => (ts.isStringLiteralLike(x) ? x.text : '*'));
  return out.length ? out : ['*'];
}
