import { localKey, type Collector, type Walk } from '../walk.js';
import type { TS } from '../typescript.js';
import type { ClientFact } from '../facts.js';
import { fromImport, literalText, property } from './names.js';
import { boundNames, shadowed } from '../guards.js';

const OWN_FETCH = localKey();

/**
 * Is `fetch` here the file's own, not the global: a parameter or local in scope, or a function,
 * class or variable of that name at the top of the file (`function fetch(url) { return got(url) }`)?
 */
function ownFetch(w: Walk): boolean {
  const ts = w.ts;
  const topLevel = w.local(OWN_FETCH, () =>
    w.sf.statements.some(
      (s) =>
        ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name?.text === 'fetch') ||
        (ts.isVariableStatement(s) && s.declarationList.declarations.some((d) => boundNames(ts, d.name).includes('fetch'))),
    ),
  );
  return topLevel || shadowed(w, 'fetch');
}

/** axios methods and where their config argument is: `get(url, config)`, `post(url, data, config)`. */
const AXIOS_CONFIG_AT: Record<string, number> = { get: 1, delete: 1, head: 1, options: 1, post: 2, put: 2, patch: 2, postForm: 2, putForm: 2, patchForm: 2, request: 0 };
const GOT_METHODS = /^(?:get|post|put|patch|delete|head|stream)$/;

/**
 * Outbound HTTP calls and client instances: axios (calls and `axios.create()`), got (calls and
 * `got.extend()`), global `fetch` and node-fetch/undici `fetch`, each with its options argument; and
 * `<x>.defaults.timeout = ...` assignments. Calls through an instance are not recorded: the
 * instance carries the options.
 */
export const clients: Collector = {
  kinds: ['CallExpression', 'BinaryExpression'],
  visit(node, w) {
    const ts = w.ts;
    if (ts.isBinaryExpression(node)) return defaultsTimeout(node, w);
    const call = node as TS.CallExpression;
    const callee = w.unwrap(call.expression);
    if (ts.isIdentifier(callee) && callee.text === 'fetch' && !w.imports.has('fetch') && !ownFetch(w)) return push(w, call, 'fetch', 'call', '', call.arguments[1]);
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'fetch' && ts.isIdentifier(callee.expression) && callee.expression.text === 'globalThis') {
      return push(w, call, 'fetch', 'call', '', call.arguments[1]);
    }
    if (!fromImport(w, callee)) return;
    const origin = w.resolve(callee);
    if (!origin) return;
    const path = origin.path[0] === 'default' ? origin.path.slice(1) : origin.path;
    const member = path.join('.');
    const args = call.arguments;
    if (origin.module === 'axios') {
      if (member === 'create') return push(w, call, 'axios', 'instance', member, args[0]);
      if (member === '') {
        const first = args[0] && w.unwrap(args[0]);
        return push(w, call, 'axios', 'call', member, first && ts.isObjectLiteralExpression(first) ? first : args[1]);
      }
      const at = AXIOS_CONFIG_AT[member];
      if (at !== undefined) push(w, call, 'axios', 'call', member, args[at]);
    } else if (origin.module === 'got') {
      if (member === 'extend') return push(w, call, 'got', 'instance', member, args[0]);
      if (member !== '' && !GOT_METHODS.test(member)) return;
      const first = args[0] && w.unwrap(args[0]);
      push(w, call, 'got', 'call', member, first && ts.isObjectLiteralExpression(first) ? first : args[1]);
    } else if ((origin.module === 'node-fetch' && member === '') || (origin.module === 'undici' && member === 'fetch')) {
      push(w, call, origin.module, 'call', member, args[1]);
    }
  },
};

/** `axios.defaults.timeout = 5000`, `api.defaults.timeout = 5000`. */
function defaultsTimeout(b: TS.BinaryExpression, w: Walk): void {
  const l = b.left;
  if (b.operatorToken.kind !== w.ts.SyntaxKind.EqualsToken || !w.ts.isPropertyAccessExpression(l) || l.name.text !== 'timeout') return;
  const c = w.chain(b.left);
  if (!c || c.length < 3 || c[c.length - 1] !== 'timeout' || c[c.length - 2] !== 'defaults') return;
  const local = c.slice(0, -2).join('.');
  const origin = c.length === 3 ? w.imports.get(c[0]!) : undefined;
  const f: ClientFact = { library: origin?.module ?? '', kind: 'defaults', member: 'defaults.timeout', local, span: w.span(b) };
  w.facts.clients.push(f);
}

function push(w: Walk, call: TS.CallExpression, library: string, kind: ClientFact['kind'], member: string, options: TS.Expression | undefined): void {
  const f: ClientFact = { library, kind, member, span: w.span(call) };
  if (options) f.options = w.arg(options);
  const first = call.arguments[0];
  const url =
    kind === 'instance'
      ? (literalText(w, property(w, options, 'baseURL')) ?? literalText(w, property(w, options, 'prefixUrl')))
      : (literalText(w, first) ?? literalText(w, property(w, first, 'url')));
  if (url) f.url = url;
  if (kind === 'instance') {
    const p = w.parent();
    const ts = w.ts;
    if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) f.local = p.name.text;
    else if (p && ts.isBinaryExpression(p)) f.local = w.chain(p.left)?.join('.');
    else if (p && (ts.isPropertyDeclaration(p) || ts.isPropertyAssignment(p)) && ts.isIdentifier(p.name)) f.local = p.name.text;
  }
  w.facts.clients.push(f);
}
