import type { RunContext } from './facts.js';
import { HANDLER_MODULES } from './frameworks.js';
import type { TS } from './typescript.js';
import { chainBottom, isFunctionLike, localKey, type Walk } from './walk.js';

/*
 * Where code runs, judged from its enclosing functions: the one classifier of functions (request
 * handler, signal handler, start-up callback, ...) that every collector asks, lazily and once per
 * function, for the nodes it keeps.
 */

/** Methods that add a listener to an emitter (`process.on`, `once`, `addListener`, `prependListener`, `prependOnceListener`). */
export const LISTEN_METHOD = /^(?:on|once|addListener|prependListener|prependOnceListener)$/;
/** Events of `process` that mean it is stopping: signals, `exit`, `beforeExit`. */
export const SIGNAL_EVENT = /^(?:SIG[A-Z0-9]+|exit|beforeExit)$/;
/** Events of `process` whose listeners run when it crashes: like a signal handler, they run once, on the way out. */
const CRASH_EVENTS = new Set(['uncaughtException', 'unhandledRejection']);

/** Callbacks that run synchronously or once where they stand: they take the context around them. */
/** File system functions that call their callback once (not `watch`, `watchFile` or streams). */
const ONE_SHOT_FS = new Set([
  'readdir', 'readFile', 'writeFile', 'appendFile', 'stat', 'lstat', 'fstat', 'access', 'exists', 'mkdir', 'mkdtemp',
  'rm', 'rmdir', 'unlink', 'rename', 'copyFile', 'realpath', 'readlink', 'open', 'close', 'chmod', 'chown', 'utimes',
]);
const FS_MODULES = new Set(['fs', 'node:fs', 'graceful-fs', 'fs-extra']);
const INLINE_CALLS = new Set([
  'forEach', 'map', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex',
  'flatMap', 'sort', 'from', 'replace', 'replaceAll', 'then', 'catch', 'finally', 'once',
  'setImmediate', 'queueMicrotask', 'nextTick', 'all', 'allSettled', 'race', 'any',
]);
/** Methods that take request handlers on an app or router. */
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'head', 'options', 'use', 'route', 'any']);
/** Those that chain on to the same route: all but `route`, which starts one. */
const CHAINED_ROUTE_METHODS = new Set([...ROUTE_METHODS].filter((m) => m !== 'route'));
/** Key of the per-file bottoms of route chains (see {@link chainBottom}). */
const ROUTE_CHAINS = localKey();
const ROUTE_DECORATORS = new Set([
  'Get', 'Post', 'Put', 'Patch', 'Delete', 'All', 'Head', 'Options', 'Sse', 'MessagePattern', 'EventPattern',
  'SubscribeMessage', 'Query', 'Mutation', 'ResolveField', 'Subscription', 'GrpcMethod',
]);
const JOB_DECORATORS = new Set(['Cron', 'Interval', 'Timeout', 'OnEvent', 'Process', 'OnQueueEvent', 'OnWorkerEvent']);
const STARTUP_METHODS = new Set(['onModuleInit', 'onApplicationBootstrap']);
const SHUTDOWN_METHODS = new Set(['onModuleDestroy', 'beforeApplicationShutdown', 'onApplicationShutdown']);
const STARTUP_EVENTS = new Set(['listening', 'ready']);
const STARTUP_HOOKS = new Set(['onReady', 'onListen', 'onRegister', 'onRoute']);
const SHUTDOWN_HOOKS = new Set(['onClose', 'preClose']);
const PLUGIN_WRAPPERS = new Set(['fp', 'fastifyPlugin']);
/** Calls that wrap a function and hand it on: the wrapped function runs where the wrapper goes. */
const WRAPPERS = new Set(['debounce', 'throttle']);

type Kind = RunContext['run'] | 'inline' | 'named';

interface Frame {
  kind: Kind;
  /** A function a top-level function returns: that function's name. */
  returnedBy?: string;
  /** Built only for the frame a fact names: most frames are classified and never shown. */
  via?: () => string;
  name?: string;
  node: TS.Node;
}

/**
 * Per-file caches, keyed by function node: a node's frame and context never change within its file.
 */
interface Caches {
  frames: Map<TS.Node, Frame>;
  labelled: Map<TS.Node, RunContext>;
  bare: Map<TS.Node, RunContext>;
  /** The kinds of all frames around a function, as bits of {@link KIND_BIT}. */
  kinds: Map<TS.Node, number>;
}
const CACHES = localKey();

function cachesOf(w: Walk): Caches {
  return w.local<Caches>(CACHES, () => ({ frames: new Map(), labelled: new Map(), bare: new Map(), kinds: new Map() }));
}

const KIND_BIT: Record<Kind, number> = { top: 0, startup: 1, signal: 2, request: 4, callback: 8, deferred: 16, method: 32, function: 64, inline: 128, named: 256 };

/** Is any function around the node being visited of this kind (a request handler, however deep inside one)? */
function within(w: Walk, kind: Kind): boolean {
  const fn = w.enclosingFunction();
  if (fn === w.sf) return false;
  const c = cachesOf(w);
  let bits = c.kinds.get(fn);
  if (bits === undefined) {
    bits = 0;
    for (const f of framesAround(w)) bits |= KIND_BIT[f.kind];
    c.kinds.set(fn, bits);
  }
  return (bits & KIND_BIT[kind]) !== 0;
}

/** Does the node being visited run in a request handler, directly or in a function inside one? */
export function inRequestHandler(w: Walk): boolean {
  return within(w, 'request');
}

/** Does the node being visited run in a signal, exit or shutdown handler, directly or in a function inside one? */
export function inShutdownHandler(w: Walk): boolean {
  return within(w, 'signal');
}

/**
 * Where the node being visited runs (see {@link RunContext}), from its enclosing functions; with
 * `labelled` false, without the `via` label and line. Only called for the nodes a collector
 * keeps, so it may walk the ancestors.
 */
export function runContext(w: Walk, labelled = true): RunContext {
  // Everything directly inside one function runs in the same context: compute it once per function.
  const fn = w.enclosingFunction();
  const c = cachesOf(w);
  const cache = labelled ? c.labelled : c.bare;
  let ctx = cache.get(fn);
  if (!ctx) cache.set(fn, (ctx = computeContext(w, labelled)));
  return ctx;
}

/** The frames of the functions around the node being visited, innermost first. */
function framesAround(w: Walk): Frame[] {
  const frames: Frame[] = [];
  const known = cachesOf(w).frames;
  for (let i = 0; i < w.functionCount; i++) {
    const d = w.functionDepth(i);
    const a = w.parent(d) as TS.FunctionLikeDeclaration;
    let f = known.get(a);
    if (!f) known.set(a, (f = classify(w, a, d)));
    frames.push(f);
  }
  return frames;
}

/**
 * Where a function passed as an argument of `call` runs, without labels: where the call is for
 * callbacks run on the spot (`items.forEach(load)`, `.finally(cleanup)`), else where the callee
 * runs it (`emitter.on('x', load)` in a callback, `process.on('SIGTERM', stop)` in a signal handler).
 */
export function argumentContext(w: Walk, call: TS.CallExpression, arg: TS.Node): RunContext {
  const here = runContext(w, false);
  const kind = callbackFrame(w, call, arg, 0).kind;
  if (kind === 'inline' || here.run === 'request') return here;
  return { run: kind as RunContext['run'] };
}

function computeContext(w: Walk, labelled: boolean): RunContext {
  const frames = framesAround(w);
  // Named functions count only as the outermost frame: an inner helper runs where its caller does.
  const outer = frames[frames.length - 1];
  const pick = (k: Kind) => frames.find((f) => f.kind === k);
  // A fresh object each time, so the fields below are added to it rather than spread into a copy.
  const at = (run: RunContext['run'], f: Frame): RunContext => (labelled ? label(w, run, f) : { run });
  const request = pick('request');
  if (request) return at('request', request);
  const busy = frames.find((f) => f.kind === 'callback' || f.kind === 'deferred' || f.kind === 'method');
  if (busy?.kind === 'method' && busy.name) {
    const ctx = at('method', busy);
    ctx.fn = busy.name;
    return ctx;
  }
  if (busy) {
    const ctx = at(busy.kind as RunContext['run'], busy);
    // Only code the returned function runs itself: one it makes (`descriptor.value = function () {...}`) runs when that is called.
    if (busy.returnedBy && frames.slice(0, frames.indexOf(busy)).every((f) => f.kind === 'inline')) ctx.returnedBy = busy.returnedBy;
    return ctx;
  }
  const signal = pick('signal');
  if (signal) return at('signal', signal);
  if (outer?.kind === 'named') {
    const ctx = at('function', outer);
    ctx.fn = outer.name;
    return ctx;
  }
  const startup = pick('startup');
  if (startup) return at('startup', startup);
  return { run: 'top' };
}

function label(w: Walk, run: RunContext['run'], f: Frame): RunContext {
  const via = f.via?.() ?? 'callback';
  return { run, via: f.kind === 'named' ? via : `the ${via}`, viaLine: w.lineAt(f.node.getStart(w.sf)) };
}

/** The class a method or class-field function belongs to, when it is named. */
export function classNameOf(w: Walk, depth: number): string | undefined {
  const ts = w.ts;
  for (let d = depth; ; d++) {
    const a = w.parent(d);
    if (!a) return undefined;
    if (ts.isClassDeclaration(a) || ts.isClassExpression(a)) return a.name?.text;
    if (isFunctionLike(ts, a)) return undefined;
  }
}

function classify(w: Walk, fn: TS.FunctionLikeDeclaration, depth: number): Frame {
  const f = frameOf(w, fn, depth);
  // A function with `(req, res)` parameters is a request handler wherever it is declared.
  if ((f.kind === 'named' || f.kind === 'callback' || f.kind === 'method') && looksLikeHandler(w, fn)) {
    return { kind: 'request', via: () => (f.kind === 'callback' ? 'request handler' : `request handler ${f.via?.().replace(/ method$/, '')}`), node: fn };
  }
  return f;
}

function frameOf(w: Walk, fn: TS.FunctionLikeDeclaration, depth: number): Frame {
  const ts = w.ts;
  const node = fn;
  if (ts.isFunctionDeclaration(fn)) {
    const name = fn.name?.text ?? 'default';
    return { kind: 'named', name, via: () => `${name}()`, node };
  }
  if (ts.isMethodDeclaration(fn) || ts.isConstructorDeclaration(fn) || ts.isGetAccessor(fn) || ts.isSetAccessor(fn)) {
    const cls = classNameOf(w, depth + 1);
    const mname = ts.isConstructorDeclaration(fn) ? 'constructor' : ts.isIdentifier(fn.name) || ts.isStringLiteral(fn.name) ? fn.name.text : '[computed]';
    const label = cls ? `${cls}.${mname}()` : `${mname}()`;
    const deco = decoratorOf(w, fn);
    if (deco && ROUTE_DECORATORS.has(deco.name)) return { kind: 'request', via: () => `${deco.text} handler ${label}`, node };
    if (deco && JOB_DECORATORS.has(deco.name)) return { kind: 'callback', via: () => `${deco.text} job ${label}`, node };
    if (STARTUP_METHODS.has(mname)) return { kind: 'startup', via: () => `${label} hook`, node };
    if (SHUTDOWN_METHODS.has(mname)) return { kind: 'signal', via: () => `${label} hook`, node };
    // A static method or the constructor of a top-level class is a function like any other:
    // start-up code when only called (or `new`ed) at start-up.
    const cls2 = w.parent(depth + 1);
    const topClass = cls && cls2 && ts.isClassDeclaration(cls2) && w.parent(depth + 2) === w.sf;
    if (topClass && ((ts.isMethodDeclaration(fn) && isStatic(ts, fn)) || ts.isConstructorDeclaration(fn))) {
      return { kind: 'named', name: `${cls}.${mname}`, via: () => (ts.isConstructorDeclaration(fn) ? `the ${cls} constructor` : label), node };
    }
    const owner = cls2 && ts.isObjectLiteralExpression(cls2) && mname !== '[computed]' ? moduleObject(w, depth + 1) : undefined;
    if (owner) return { kind: 'named', name: `${owner}.${mname}`, via: () => `${owner === 'default' ? '' : owner + '.'}${mname}()`, node };
    const key = memberName(ts, fn.name);
    return { kind: 'method', name: key && (topClass ? `${cls}#${key}` : `.${key}`), via: () => `${label} method`, node };
  }
  // Arrow functions and function expressions: judged from where they stand.
  let d = depth + 1;
  let parent = w.parent(d);
  let child: TS.Node = fn;
  while (parent && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent))) {
    child = parent;
    parent = w.parent(++d);
  }
  if (!parent) return { kind: 'callback', via: () => 'callback', node };
  if (ts.isCallExpression(parent) && parent.expression === child) return { kind: 'inline', node };
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) {
    const name = parent.name.text;
    return { kind: 'named', name, via: () => `${name}()`, node };
  }
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const c = w.chain(parent.left);
    if (c && (c[0] === 'exports' || (c[0] === 'module' && c[1] === 'exports')) && c.length >= 2) {
      const name = c[c.length - 1]!;
      return name === 'exports' ? { kind: 'named', name: 'default', via: () => 'module.exports()', node } : { kind: 'named', name, via: () => `${name}()`, node };
    }
    if (c?.[0] === 'this' || c?.includes('prototype')) return { kind: 'method', name: `.${c[c.length - 1]}`, via: () => `${c.filter((x) => x !== 'prototype').join('.')}() method`, node };
    // `obj.method = () => {...}` names the function after where it is kept.
    if (c && c.length > 1) return { kind: 'named', name: c.join('.'), via: () => `${c.join('.')}()`, node };
    return { kind: 'callback', via: () => 'callback', node };
  }
  if (ts.isExportAssignment(parent)) return { kind: 'named', name: 'default', via: () => 'default export', node };
  if (ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
    const pname = ts.isIdentifier(parent.name) || ts.isStringLiteral(parent.name) ? parent.name.text : '';
    if (pname === 'handler') {
      // The object is taken now: frames are kept per function and labelled later, from other nodes.
      const obj = w.parent(d + 1);
      return { kind: 'request', via: () => routeObjectLabel(w, obj), node };
    }
    const name = pname ? `.${pname}` : undefined;
    if (ts.isPropertyDeclaration(parent)) {
      const cls = classNameOf(w, d + 1);
      const top = cls && pname && ts.isClassDeclaration(w.parent(d + 1)!) && w.parent(d + 2) === w.sf;
      return { kind: 'method', name: top ? `${cls}#${pname}` : name, via: () => `${cls ? cls + '.' : ''}${pname}() method`, node };
    }
    const owner = pname ? moduleObject(w, d + 1) : undefined;
    if (owner) return { kind: 'named', name: `${owner}.${pname}`, via: () => `${owner === 'default' ? '' : owner + '.'}${pname}()`, node };
    return { kind: 'method', name, via: () => `${pname}() method`, node };
  }
  // `function Money() { return (target, key) => {...} }`, `const Money = () => (target, key) => {...}`:
  // returned by a top-level function, it runs wherever its result is called (a decorator: when the class is defined).
  const maker = ts.isReturnStatement(parent) ? functionAbove(w, d + 1) : ts.isArrowFunction(parent) && parent.body === child ? { node: parent, depth: d } : undefined;
  const by = maker && topLevelName(w, maker.node, maker.depth);
  if (by) return { kind: 'callback', via: () => `function that ${by}() returns`, node, returnedBy: by };
  if (ts.isNewExpression(parent)) {
    const callee = w.text(parent.expression, 40);
    return callee === 'Promise' ? { kind: 'inline', node } : { kind: 'callback', via: () => `callback of new ${callee}()`, node };
  }
  if (ts.isCallExpression(parent) && parent.arguments.includes(child as TS.Expression)) return callbackFrame(w, parent, node, d);
  return { kind: 'callback', via: () => 'callback', node };
}

/** The innermost function at or above `w.parent(depth)`. */
function functionAbove(w: Walk, depth: number): { node: TS.Node; depth: number } | undefined {
  for (let d = depth; ; d++) {
    const a = w.parent(d);
    if (!a || w.ts.isSourceFile(a)) return undefined;
    if (isFunctionLike(w.ts, a)) return { node: a, depth: d };
  }
}

/** The name of a top-level function (`function f`, `const f = () =>`), the function being at `w.parent(depth)`. */
function topLevelName(w: Walk, fn: TS.Node, depth: number): string | undefined {
  const ts = w.ts;
  if (ts.isFunctionDeclaration(fn)) return fn.name && w.parent(depth + 1) === w.sf ? fn.name.text : undefined;
  const decl = w.parent(depth + 1);
  if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || decl.initializer !== fn) return undefined;
  // declaration → declaration list → statement → file
  return w.parent(depth + 4) === w.sf ? decl.name.text : undefined;
}

/** A function passed to a call (at `w.parent(depth)`, when known): the call says when it runs. */
function callbackFrame(w: Walk, call: TS.CallExpression, node: TS.Node, depth?: number): Frame {
  const ts = w.ts;
  const callee = w.unwrap(call.expression);
  const chain = w.chain(callee);
  const last = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  const first = call.arguments[0];
  const event = first && ts.isStringLiteralLike(first) ? first.text : undefined;
  const text = () => w.text(callee, 40);
  if (!last) return { kind: 'callback', via: () => 'callback', node };
  // `fs.watch(file, debounce(reload, 500))`: the wrapped function runs where the wrapper is handed.
  const outer = depth !== undefined ? w.parent(depth + 1) : undefined;
  if (WRAPPERS.has(last) && outer && ts.isCallExpression(outer) && outer.arguments.includes(call)) return callbackFrame(w, outer, node, depth! + 1);
  if (last === 'setInterval') return { kind: 'callback', via: () => 'setInterval callback', node };
  if (last === 'setTimeout') return { kind: 'deferred', via: () => 'setTimeout callback', node };
  if (chain?.[0] === 'process' && chain.length === 2 && LISTEN_METHOD.test(last)) {
    if (event === undefined || SIGNAL_EVENT.test(event) || CRASH_EVENTS.has(event)) return { kind: 'signal', via: () => `process.${last}('${event ?? '…'}') handler`, node };
    return { kind: 'callback', via: () => `process.${last}('${event}') listener`, node };
  }
  if (last === 'listen') return { kind: 'startup', via: () => `${text()}() callback`, node };
  if (INLINE_CALLS.has(last)) return { kind: 'inline', node };
  // `fs.readdir(dir, (err, files) => ...)`: called back once per call, so it runs where the call does.
  if (ONE_SHOT_FS.has(last) && FS_MODULES.has(w.resolve(callee)?.module ?? '')) return { kind: 'inline', node };
  if ((last === 'on' || last === 'addListener') && event && STARTUP_EVENTS.has(event)) return { kind: 'startup', via: () => `'${event}' listener`, node };
  if (last === 'register' || (ts.isIdentifier(callee) && (PLUGIN_WRAPPERS.has(last) || w.imports.get(last)?.module === 'fastify-plugin'))) {
    return { kind: 'startup', via: () => `${text()}() plugin`, node };
  }
  if (last === 'addHook' && event) {
    if (STARTUP_HOOKS.has(event)) return { kind: 'startup', via: () => `'${event}' hook`, node };
    if (SHUTDOWN_HOOKS.has(event)) return { kind: 'signal', via: () => `'${event}' hook`, node };
    return { kind: 'request', via: () => `'${event}' hook`, node };
  }
  if (last === 'createServer') return { kind: 'request', via: () => `${text()}() handler`, node };
  const recv = ts.isPropertyAccessExpression(callee) ? w.unwrap(callee.expression) : undefined;
  if (recv && ROUTE_METHODS.has(last.toLowerCase()) && takesHandlers(w, recv, first)) return { kind: 'request', via: () => `${text()}(${first && ts.isStringLiteralLike(first) ? `'${first.text}'` : ''}) handler`, node };
  if ((last === 'on' || last === 'addListener' || last === 'subscribe') && event) return { kind: 'callback', via: () => `'${event}' listener`, node };
  return { kind: 'callback', via: () => `callback of ${text()}()`, node };
}

/**
 * Is `recv.get(first, fn)` (or `use`, `all`, ...) a route or middleware, so `fn` a request handler?
 * Yes on an app or router (by its origin, which also makes `app.use(fn)` middleware), or for a
 * literal path on a receiver of unknown origin. `redis.del(key, cb)`, `cache.get(key, cb)`,
 * `https.get(url, cb)` and `axios.get(...)` are calls of clients.
 */
function takesHandlers(w: Walk, recv: TS.Expression, first: TS.Expression | undefined): boolean {
  const ts = w.ts;
  const origin = w.originOf(recv);
  if (origin && HANDLER_MODULES.has(origin.module)) return true;
  if (origin && !origin.module.startsWith('.') && ts.isIdentifier(recv) && w.imports.has(recv.text)) return false;
  // `app.route('/book').get(list).post(create)`: the path is on the route.
  const r = chainBottom(w, recv, CHAINED_ROUTE_METHODS, ROUTE_CHAINS);
  if (ts.isCallExpression(r) && ts.isPropertyAccessExpression(r.expression) && r.expression.name.text === 'route') return true;
  return !!first && isRoutePath(w, first);
}

/** A literal route path: `'/users'`, `` `/users/${id}` ``, `'*'`, `/^\/api/`, or an array of them. */
function isRoutePath(w: Walk, e: TS.Expression): boolean {
  const ts = w.ts;
  const u = w.unwrap(e);
  if (ts.isStringLiteralLike(u)) return u.text.startsWith('/') || u.text === '*';
  if (ts.isTemplateExpression(u)) return u.head.text.startsWith('/');
  if (ts.isArrayLiteralExpression(u)) return u.elements.length > 0 && u.elements.every((x) => isRoutePath(w, x));
  return ts.isRegularExpressionLiteral(u);
}

/** `fastify.route({ method: 'POST', url: '/x', handler })` → `POST /x handler`. */
function routeObjectLabel(w: Walk, obj: TS.Node | undefined): string {
  const ts = w.ts;
  const lit = obj && ts.isObjectLiteralExpression(obj) ? obj : undefined;
  if (!lit) return 'route handler';
  let method = '';
  let url = '';
  for (const p of lit.properties) {
    if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name) || !ts.isStringLiteralLike(p.initializer)) continue;
    if (p.name.text === 'method') method = p.initializer.text;
    if (p.name.text === 'url' || p.name.text === 'path') url = p.initializer.text;
  }
  return method || url ? `${[method, url].filter(Boolean).join(' ')} handler` : 'route handler';
}

/**
 * The module-level name of the object literal at `w.parent(depth)`: `toExport` for
 * `const toExport = { ... }`, `default` for `export default { ... }` and `module.exports = { ... }`.
 * Its methods are functions like top-level ones: calls through the name (or an import of it) reach them.
 */
function moduleObject(w: Walk, depth: number): string | undefined {
  const ts = w.ts;
  let d = depth + 1;
  let parent = w.parent(d);
  while (parent && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent))) parent = w.parent(++d);
  if (!parent) return undefined;
  if (ts.isExportAssignment(parent)) return w.parent(d + 1) === w.sf ? 'default' : undefined;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) {
    return w.parent(d + 2) && ts.isVariableStatement(w.parent(d + 2)!) && w.parent(d + 3) === w.sf ? parent.name.text : undefined;
  }
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isExpressionStatement(w.parent(d + 1) ?? parent)) {
    const c = w.chain(parent.left);
    return c?.length === 2 && c[0] === 'module' && c[1] === 'exports' && w.parent(d + 2) === w.sf ? 'default' : undefined;
  }
  return undefined;
}

/** `save` for a method `save()`, `#flush` for a private one; undefined for a computed name. */
export function memberName(ts: Walk['ts'], n: TS.PropertyName | undefined): string | undefined {
  return n && (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isPrivateIdentifier(n)) ? n.text : undefined;
}

function isStatic(ts: Walk['ts'], n: TS.Node): boolean {
  return !!(ts.canHaveModifiers(n) && ts.getModifiers(n)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword));
}

/** `(req, res)`, `(request, reply)`, `(ctx, next)`: the parameter names of an HTTP handler. */
function looksLikeHandler(w: Walk, fn: TS.FunctionLikeDeclaration): boolean {
  const ts = w.ts;
  const [a, b] = fn.parameters;
  if (!a || !b || !ts.isIdentifier(a.name) || !ts.isIdentifier(b.name)) return false;
  const x = a.name.text;
  const y = b.name.text;
  return (/^(?:req|request)$/.test(x) && /^(?:res|reply|response)$/.test(y)) || (x === 'ctx' && y === 'next');
}

function decoratorOf(w: Walk, node: TS.Node): { name: string; text: string } | undefined {
  const ts = w.ts;
  const decos = ts.canHaveDecorators(node) ? ts.getDecorators(node) : undefined;
  for (const d of decos ?? []) {
    const e = d.expression;
    const name = ts.isCallExpression(e) && ts.isIdentifier(e.expression) ? e.expression.text : ts.isIdentifier(e) ? e.text : undefined;
    if (name && (ROUTE_DECORATORS.has(name) || JOB_DECORATORS.has(name))) return { name, text: w.text(d, 50) };
  }
  return undefined;
}
