import type { Collector } from '../walk.js';
import { enclosingNames } from './names.js';
import type { TS } from '../typescript.js';

/** Library functions that start a server themselves: `serve({ fetch, port })`. */
const SERVING_FUNCTIONS: Record<string, string> = {
  '@hono/node-server': 'serve',
  '@apollo/server/standalone': 'startStandaloneServer',
};

/**
 * Calls that start accepting connections: any `.listen(...)`, Hapi's `server.start()`, and
 * library `serve()` functions. Whether the file belongs to an HTTP service is the model's call.
 */
export const servers: Collector = {
  kinds: ['CallExpression'],
  visit(node, w) {
    const ts = w.ts;
    const call = node as TS.CallExpression;
    const callee = w.unwrap(call.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      const origin = w.originOf(callee.expression);
      const hapi = origin?.module === '@hapi/hapi' || origin?.module === 'hapi';
      if (method !== 'listen' && !(method === 'start' && hapi)) return;
      w.facts.servers.push({
        framework: origin?.module,
        receiver: w.text(callee.expression, 60),
        method,
        args: call.arguments.map((a) => w.arg(a)),
        span: w.span(call),
        ...named(enclosingNames(w)),
      });
      return;
    }
    const origin = w.resolve(callee);
    if (origin && SERVING_FUNCTIONS[origin.module] === (origin.path[0] ?? '')) {
      w.facts.servers.push({
        framework: origin.module,
        receiver: '',
        method: origin.path[0]!,
        args: call.arguments.map((a) => w.arg(a)),
        span: w.span(call),
        ...named(enclosingNames(w)),
      });
    }
  },
};

function named(fns: readonly string[]): { fns?: string[] } {
  return fns.length ? { fns: [...fns] } : {};
}
