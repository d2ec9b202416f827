import type { Collector } from '../walk.js';
import type { TS } from '../typescript.js';

/** Calls and `new` on imported bindings, with their arguments summarised: the raw material of library rules. */
export const libCalls: Collector = {
  kinds: ['CallExpression', 'NewExpression'],
  visit(node, w) {
    const ts = w.ts;
    const call = node as TS.CallExpression | TS.NewExpression;
    const origin = w.resolve(call.expression);
    if (!origin) return;
    w.facts.libCalls.push({
      module: origin.module,
      path: origin.path,
      isNew: ts.isNewExpression(call),
      args: (call.arguments ?? []).map((a) => w.arg(a)),
      span: w.span(call),
      ...w.scope(),
    });
  },
};
