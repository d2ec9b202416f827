import type { Collector, Walk } from '../walk.js';
import type { TS } from '../typescript.js';
import { lineage, ownerKey } from './names.js';

const HTTP_MODULE = /^(?:node:)?(?:http|https|http2)$/;
/** A handler that only says "not found" serves nothing. */
const NOT_FOUND = /\b404\b|not\s*found|notfound/i;

/**
 * Handlers that answer every request whatever its path: middleware mounted without a path that
 * never hands on to `next` (`app.use((req, res) => res.sendFile(index))`, Koa `app.use(async (ctx) => ...)`),
 * and request listeners written inline (`http.createServer((req, res) => ...)`, `server.on('request', fn)`).
 * A not-found handler (one that mentions 404) is not one.
 */
export const catchAlls: Collector = {
  kinds: ['CallExpression'],
  visit(node, w) {
    const ts = w.ts;
    const call = node as TS.CallExpression;
    const callee = w.unwrap(call.expression);
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
    if (name !== 'use' && name !== 'createServer' && name !== 'on') return;
    const args = call.arguments;
    const fn = args.length ? w.unwrap(args[args.length - 1]!) : undefined;
    if (!fn || (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn))) return;
    if (name === 'use' && args.length === 1 && ts.isPropertyAccessExpression(callee)) {
      const origin = w.originOf(callee.expression);
      if (!terminal(w, fn, origin?.module === 'koa') || NOT_FOUND.test(w.text(fn, 100_000))) return;
      w.facts.catchAlls.push({ owner: ownerKey(w, callee.expression, lineage(w, call)), kind: 'use', span: w.span(call) });
    } else if (name === 'createServer' || (name === 'on' && ts.isStringLiteralLike(args[0]!) && args[0].text === 'request')) {
      const origin = name === 'createServer' ? w.resolve(callee) : undefined;
      if (name === 'createServer' && !HTTP_MODULE.test(origin?.module ?? '')) return;
      w.facts.catchAlls.push({ owner: 'http', kind: 'listener', span: w.span(call) });
    }
  },
};

/**
 * Does a middleware end every request itself? It takes no `next` (`(req, res)`, Koa's `(ctx)`), or
 * never mentions it. Four parameters make an Express error handler, which runs only on errors.
 */
function terminal(w: Walk, fn: TS.ArrowFunction | TS.FunctionExpression, koa: boolean): boolean {
  const ts = w.ts;
  const params = fn.parameters;
  if (params.length >= 4) return false;
  const first = params[0] && ts.isIdentifier(params[0].name) ? params[0].name.text : '';
  const nextAt = koa || /^(?:ctx|context)$/.test(first) ? 1 : 2;
  const next = params[nextAt];
  if (!next) return true;
  if (!ts.isIdentifier(next.name)) return false;
  return !new RegExp(`\\b${next.name.text.replace(/\$/g, '\\$')}\\b`).test(w.sf.text.slice(fn.body.getStart(w.sf), fn.body.getEnd()));
}
