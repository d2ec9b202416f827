import { runContext } from '../context.js';
import type { Arg, StoreUse } from '../facts.js';
import type { TS } from '../typescript.js';
import type { Collector, Walk } from '../walk.js';
import { importsAnyOf } from './names.js';
import { constantValue } from '../guards.js';

/** Option keys that give each library a store outside the process. */
const SESSION_LIBS = new Set(['express-session', '@fastify/session', 'fastify-session']);
const RATE_LIMIT_LIBS: Record<string, string[]> = {
  'express-rate-limit': ['store'],
  '@fastify/rate-limit': ['store', 'redis'],
  'fastify-rate-limit': ['store', 'redis'],
};
const FASTIFY_PLUGINS = new Set(['@fastify/session', 'fastify-session', '@fastify/rate-limit', 'fastify-rate-limit']);
const FS_MODULES = new Set(['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'fs-extra', 'graceful-fs', 'fs-promise', 'mz/fs']);
const FS_WRITES = new Set([
  'writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'createWriteStream',
  'outputFile', 'outputFileSync', 'writeJson', 'writeJSON', 'writeJsonSync', 'outputJson', 'outputJSON',
]);
const NEST_UPLOAD = new Set(['FileInterceptor', 'FilesInterceptor', 'FileFieldsInterceptor', 'AnyFilesInterceptor', 'MulterModule.register']);

/** Modules whose calls this collector reads: a file that imports none of them is skipped. */
const MODULES = new Set([
  ...SESSION_LIBS, ...Object.keys(RATE_LIMIT_LIBS), ...FS_MODULES,
  'rate-limiter-flexible', 'koa-session', 'socket.io', 'multer', '@nestjs/platform-express',
]);

/**
 * Libraries whose default store is the process or the pod's disk: sessions, rate limiters,
 * socket.io servers (and the adapters that fix them), multer uploads, and `fs` writes into
 * `/tmp` or a relative path from a request handler.
 */
export const stores: Collector = {
  kinds: ['CallExpression', 'NewExpression'],
  visit(node, w) {
    const ts = w.ts;
    const call = node as TS.CallExpression | TS.NewExpression;
    const args = call.arguments ?? [];
    const callee = w.unwrap(call.expression);
    if (ts.isCallExpression(call) && ts.isPropertyAccessExpression(callee)) {
      const m = callee.name.text;
      if (m === 'register' && args[0]) return plugin(w, call, args);
      if (m === 'adapter' && args.length === 1) return add(w, call, { kind: 'socket.io-adapter', lib: 'socket.io', call: `${w.text(callee, 40)}(…)`, inProcess: false });
    }
    if (!importsAnyOf(w, MODULES, call.expression)) return;
    const origin = w.resolve(call.expression);
    if (!origin) return;
    const { module } = origin;
    const member = origin.path.join('.');
    const isNew = ts.isNewExpression(call);
    const text = `${isNew ? 'new ' : ''}${w.text(call.expression, 40)}(${args.length ? '…' : ''})`;
    if (SESSION_LIBS.has(module) && member === '') {
      return add(w, call, { kind: 'session', lib: module, call: text, inProcess: inProcess(w, args[0], ['store']) });
    }
    if (RATE_LIMIT_LIBS[module] && (member === '' || member === 'rateLimit' || member === 'default')) {
      return add(w, call, { kind: 'rate-limit', lib: module, call: text, inProcess: inProcess(w, args[0], RATE_LIMIT_LIBS[module]!) });
    }
    if (module === 'rate-limiter-flexible' && member === 'RateLimiterMemory') {
      return add(w, call, { kind: 'rate-limit', lib: module, call: text, inProcess: !isInsurance(w) });
    }
    if (module === 'koa-session' && member === '') {
      const opts = args.find((a) => ts.isObjectLiteralExpression(w.unwrap(a)));
      return add(w, call, { kind: 'session', lib: module, call: text, inProcess: !!opts && inProcessContextStore(w, w.arg(opts)) });
    }
    if (module === 'socket.io' && (member === '' || member === 'Server')) {
      // new Server(httpServer, opts), new Server(opts), new Server(port, opts), require('socket.io')(server, opts)
      const opts = args.length > 1 ? args[1] : args[0] && ts.isObjectLiteralExpression(w.unwrap(args[0])) ? args[0] : undefined;
      return add(w, call, { kind: 'socket.io', lib: module, call: text, inProcess: inProcess(w, opts, ['adapter']) });
    }
    if (module === 'multer' && (member === '' || member === 'default')) {
      const dest = optionText(w, args[0], 'dest');
      if (dest) add(w, call, { kind: 'upload', lib: module, call: text, inProcess: true, dest });
      return;
    }
    if (module === 'multer' && member === 'diskStorage') {
      return add(w, call, { kind: 'upload', lib: module, call: text, inProcess: true, dest: optionText(w, args[0], 'destination') ?? 'the pod’s disk' });
    }
    if (module === '@nestjs/platform-express' && NEST_UPLOAD.has(member)) {
      const dest = optionText(w, args[args.length - 1], 'dest');
      if (dest) add(w, call, { kind: 'upload', lib: module, call: text, inProcess: true, dest });
      return;
    }
    const fn = origin.path[origin.path.length - 1];
    if (FS_MODULES.has(module) && fn && FS_WRITES.has(fn) && origin.path.length <= 2 && args[0]) {
      const dest = localPath(w, args[0]);
      if (!dest) return;
      const ctx = runContext(w);
      if (ctx.run === 'request') w.facts.stores.push({ kind: 'disk-write', lib: module, call: `${w.text(call.expression, 40)}(…)`, inProcess: true, dest, ...ctx, span: w.span(call) });
    }
  },
};

function add(w: Walk, call: TS.Node, use: Omit<StoreUse, 'span' | 'run'>): void {
  w.facts.stores.push({ ...use, ...runContext(w), span: w.span(call) });
}

/** `fastify.register(fastifySession, {...})`, with the plugin imported, required or `import()`ed inline. */
function plugin(w: Walk, call: TS.CallExpression, args: readonly TS.Expression[]): void {
  const ts = w.ts;
  const p = w.unwrap(args[0]!);
  let module: string | undefined;
  if (ts.isIdentifier(p)) module = w.imports.get(p.text)?.module;
  else if (ts.isCallExpression(p)) {
    const a = p.arguments[0];
    module = w.requireOf(p) ?? (p.expression.kind === ts.SyntaxKind.ImportKeyword && a && ts.isStringLiteralLike(a) ? a.text : undefined);
  }
  if (!module || !FASTIFY_PLUGINS.has(module)) return;
  const keys = RATE_LIMIT_LIBS[module] ?? ['store'];
  const kind = RATE_LIMIT_LIBS[module] ? 'rate-limit' : 'session';
  add(w, call, { kind, lib: module, call: `${w.text(call.expression, 40)}(${w.text(args[0]!, 30)}, …)`, inProcess: inProcess(w, args[1], keys) });
}

/**
 * Do these options leave the library on its in-process default? No options, or an object literal
 * without any of `keys` (or with an explicit `MemoryStore`). A variable, a call or a spread counts
 * as set: prefer silence over a guess.
 */
function inProcess(w: Walk, options: TS.Expression | undefined, keys: string[]): boolean {
  if (!options) return true;
  const a = w.arg(options);
  if (a.t !== 'obj') return false;
  const given = keys.map((k) => a.props[k]).filter((v): v is Arg => v !== undefined);
  if (given.length) return given.every((v) => v.t === 'other' && /^new\s+(?:[\w$]+\.)*MemoryStore\b/.test(v.text));
  return !a.spread;
}

/** koa-session keeps data in a signed cookie unless given a `ContextStore`; an in-process one is a class in this file that holds a Map/Set. */
function inProcessContextStore(w: Walk, opts: Arg): boolean {
  const ts = w.ts;
  if (opts.t !== 'obj') return false;
  const cs = opts.props.ContextStore;
  if (cs?.t !== 'id') return false;
  const cls = w.sf.statements.find((s): s is TS.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === cs.name);
  if (!cls) return false;
  const containers = new Set<string>();
  for (const s of w.sf.statements) {
    if (!ts.isVariableStatement(s)) continue;
    for (const d of s.declarationList.declarations) {
      const i = d.initializer && w.unwrap(d.initializer);
      if (ts.isIdentifier(d.name) && i && (ts.isObjectLiteralExpression(i) || (ts.isNewExpression(i) && /^(?:Map|Set)$/.test(w.text(i.expression))))) containers.add(d.name.text);
    }
  }
  let found = false;
  const look = (n: TS.Node): void => {
    if (found) return;
    if ((ts.isIdentifier(n) && containers.has(n.text)) || (ts.isNewExpression(n) && /^(?:Map|Set)$/.test(w.text(n.expression)))) found = true;
    else ts.forEachChild(n, look);
  };
  cls.members.forEach(look);
  return found;
}

/** The literal text of an option, when the options object sets it. */
function optionText(w: Walk, options: TS.Expression | undefined, key: string): string | undefined {
  const ts = w.ts;
  const o = options && w.unwrap(options);
  if (!o || !ts.isObjectLiteralExpression(o)) return undefined;
  for (const p of o.properties) {
    if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === key) {
      return ts.isStringLiteralLike(p.initializer) ? p.initializer.text : w.text(p.initializer, 50);
    }
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === key) return key;
  }
  return undefined;
}

/**
 * A file path on the pod's own disk: under `/tmp` (or `os.tmpdir()`), relative (to the working
 * directory), or under the code's folder (`__dirname`, `process.cwd()`). Undefined for absolute
 * paths elsewhere (likely a mounted volume) and for anything not literal.
 */
function localPath(w: Walk, e: TS.Expression, depth = 0): string | undefined {
  const ts = w.ts;
  const u = w.unwrap(e);
  const text = () => w.text(u, 50);
  if (ts.isStringLiteralLike(u)) return isLocal(u.text) ? u.text : undefined;
  if (ts.isTemplateExpression(u)) {
    if (u.head.text) return isLocal(u.head.text) ? text() : undefined;
    const first = u.templateSpans[0];
    return first && localPath(w, first.expression, depth) ? text() : undefined;
  }
  if (ts.isIdentifier(u)) {
    if (u.text === '__dirname') return text();
    // `const dest = path.join(os.tmpdir(), name)`, then `createWriteStream(dest)`: the constant's value.
    const init = depth < 3 ? constantValue(w, u.text) : undefined;
    return init && localPath(w, init, depth + 1);
  }
  if (!ts.isCallExpression(u)) return undefined;
  const c = w.chain(u.expression)?.join('.');
  if (c === 'process.cwd' || c === 'os.tmpdir' || (c === 'tmpdir' && /^(?:node:)?os$/.test(w.imports.get('tmpdir')?.module ?? ''))) return text();
  const isPathCall = c && (/^path\.(?:join|resolve)$/.test(c) || (/^(?:join|resolve)$/.test(c) && /^(?:node:)?path$/.test(w.imports.get(c)?.module ?? '')));
  return isPathCall && u.arguments[0] && localPath(w, u.arguments[0], depth) ? text() : undefined;
}

function isLocal(p: string): boolean {
  if (/^(?:\/tmp|\/var\/tmp)(?:\/|$)/.test(p)) return true;
  return p !== '' && !p.startsWith('/') && !/^[a-z][\w+.-]*:/i.test(p) && !/^[A-Za-z]:\\/.test(p);
}

/**
 * A RateLimiterMemory used as the `insuranceLimiter` of a shared limiter (it only counts while
 * Redis is down): passed inline, or kept in a name that the file passes as `insuranceLimiter`.
 */
function isInsurance(w: Walk): boolean {
  const ts = w.ts;
  const p = w.parent(1);
  const holder = p && (ts.isPropertyAssignment(p) || ts.isVariableDeclaration(p) || ts.isPropertyDeclaration(p)) && ts.isIdentifier(p.name) ? p.name.text : undefined;
  if (holder === 'insuranceLimiter') return true;
  if (!holder) return false;
  return new RegExp(`insuranceLimiter\\s*:\\s*(?:[\\w$]+\\.)*${holder}\\b`).test(w.sf.text);
}
