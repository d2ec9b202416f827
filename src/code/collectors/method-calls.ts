import type { Collector } from '../walk.js';
import type { TS } from '../typescript.js';

/** Method names whose calls matter whatever their receiver is. */
export const METHOD_NAMES = new Set(['enableShutdownHooks']);

/** `app.enableShutdownHooks()` and the like: methods of objects this file did not create. */
export const methodCalls: Collector = {
  kinds: ['CallExpression'],
  visit(node, w) {
    const ts = w.ts;
    const call = node as TS.CallExpression;
    const callee = w.unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || !METHOD_NAMES.has(callee.name.text)) return;
    w.facts.methodCalls.push({
      receiver: w.text(callee.expression, 60),
      method: callee.name.text,
      args: call.arguments.map((a) => w.arg(a)),
      span: w.span(call),
    });
  },
};
