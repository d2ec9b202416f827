import type { Directive } from '../suppress.js';
import type { Span } from '../types.js';

/**
 * Everything the rules need to know about one code file, as plain JSON-serialisable data.
 * Facts are extracted in one walk over the compiler's syntax tree, after which the tree is
 * dropped; rules and the cache only ever see facts.
 */
export interface CodeFacts {
  /** The file's printed name (relative to the working directory). */
  file: string;
  /** Set when the file does not parse; the other lists are then empty. */
  /** The first syntax error; `tooDeep` when the file is nested deeper than the parser can go. */
  parseError?: Span & { message: string; tooDeep?: boolean };
  /**
   * The first error that only strict code has (a legacy octal `0755`) in a file read as a CommonJS
   * script: a syntax error after all when its package makes `.js` files ES modules (`"type": "module"`).
   */
  strictOnlyError?: Span & { message: string };
  imports: ImportFact[];
  /** Calls and `new` expressions on imported bindings: `session({...})`, `new CronJob(...)`, `axios.get(...)`. */
  libCalls: LibCall[];
  /** Calls that start accepting connections: `.listen(...)`, Hapi `server.start()`, hono `serve()`. */
  servers: ServerStart[];
  /** `process.on('SIGTERM', ...)` and friends. */
  signals: SignalHandler[];
  /** Method calls that matter whatever the receiver: `app.enableShutdownHooks()`. */
  methodCalls: MethodCall[];
  /** `// replicalint-disable-next-line ...` comments. */
  directives: Directive[];

  // Routes, servers and shutdown: what the service serves, where it listens, how it stops, what it calls out to.
  /** HTTP routes declared here: `app.get('/x')`, `route({ url })`, Nest `@Get()`, `req.url === '/x'`, library-served ones. */
  routes: RouteFact[];
  /** What puts a prefix before routes: `app.use('/api', router)`, `register(plugin, { prefix })`, `new Router({ prefix })`, `setGlobalPrefix('api')`. */
  mounts: MountFact[];
  /** Locals created by a server framework, router or adapter, with the creation's arguments (`const server = Hapi.server({ port })`). */
  instances: InstanceFact[];
  /** `const PORT = process.env.PORT ?? 3000`: constants with a literal or environment value, to read `listen(PORT, HOST)`. */
  constants: ConstantFact[];
  /** Calls and assignments that matter when the process stops: closes, cleanups, exits, forced-exit timers, readiness flips. */
  lifecycle: LifecycleStep[];
  /** Outbound HTTP calls and client instances (`axios.get`, `axios.create`, `got`, `fetch`), and `*.defaults.timeout` assignments. */
  clients: ClientFact[];

  // State and timers (module-state, in-memory-store, unbounded-timer, in-process-scheduler).
  /** Module-level bindings that can hold mutable data: `let`/`var`, `const` containers, class statics, `exports.x`. */
  bindings: StateBinding[];
  /** Writes and mutating calls on this file's module-level bindings and on imported names. */
  writes: StateWrite[];
  /** What the module exports (ESM and CommonJS), and what it re-exports from elsewhere. */
  moduleExports: ExportFact[];
  /** Calls of this file's top-level functions and of functions imported from relative modules. */
  fnCalls: FnCall[];
  /** NestJS providers (controllers, gateways, resolvers) of the file: their scope, and the providers of other modules they inject. */
  providers: ProviderFact[];
  /**
   * Functions (named as in `RunContext.fn`) that start accepting connections (`.listen()`), and the
   * constructor (`Server.constructor`) of a class whose method does: a process runs them once, at start-up.
   */
  serverFns: string[];
  /** `setInterval` / `setTimeout` calls and where their handles go. */
  timers: TimerFact[];
  /** Handles passed to `clearInterval`/`clearTimeout` (`t`, `this.timer`), `.unref()`ed, or returned. */
  timerHandles: { cleared: string[]; unrefed: string[]; returned: string[] };
  /** Periodic jobs of scheduler libraries: node-cron, cron, node-schedule, @nestjs/schedule, toad-scheduler. */
  schedulers: ScheduledJob[];
  /** Libraries that keep shared data in process memory or on the pod's disk, with what their options say. */
  stores: StoreUse[];

  // Cross rules: what request handlers call out to, and servers that answer every path.
  /** Awaited calls to a database, cache, broker or HTTP service, with the functions around them. */
  dependencyCalls: DependencyCall[];
  /** Awaited calls of plain functions (`checkDb()`, `this.ping()`) from handlers and health-like functions, to follow one level. */
  localCalls: LocalCall[];
  /** Request handlers that answer every path: `app.use((req, res) => res.send(...))`, `http.createServer((req, res) => ...)`. */
  catchAlls: CatchAll[];

  // Clients and health: globals a file declares itself, and browser code the server loads.
  /** Browser globals the file declares itself (`const document = ...`, a parameter `document`): its uses of them are its own. */
  ownGlobals: string[];
  /** Browser-only globals the file uses: `window.x`, `document.x`, `navigator.x`, `localStorage.x`, `new FileReader()`. */
  browserGlobals: string[];
  /** The file checks where it runs (`typeof window`): code for the browser and the server alike. */
  checksRuntime: boolean;
}

/** One binding brought in from another module. `path` is the member path inside the module: `[]` for a default or namespace import or a whole `require`. */
export interface ImportFact {
  local: string;
  module: string;
  path: string[];
  kind: 'esm' | 'cjs';
  /** The line of the import (a file has many imports; only their line is ever shown). */
  line: number;
  /** `import type` / `export type ... from`: erased at compile time, so it loads nothing. */
  typeOnly?: boolean;
}

/**
 * A literal summary of an expression, enough to read option objects without executing anything.
 * Anything that is not a literal is `other` (or `id` for a plain identifier); a spread marks an
 * object as open (`spread: true`), and rules treat unknown values as "set" to stay silent.
 */
export type Arg =
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'obj'; props: Record<string, Arg>; spread: boolean }
  | { t: 'arr'; items: Arg[] }
  | { t: 'fn'; span: Span }
  | { t: 'id'; name: string }
  | { t: 'env'; name: string; fallback?: Arg }
  | { t: 'other'; text: string };

export interface LibCall {
  module: string;
  /** Member path inside the module: `['default']` is never used; `session(...)` on a default import has `[]`. */
  path: string[];
  isNew: boolean;
  args: Arg[];
  span: Span;
}

export interface ServerStart {
  /** What created the receiver, when this file shows it: `express`, `fastify`, `koa`, `@hapi/hapi`, `@nestjs/core`, `http`. */
  framework?: string;
  /** The receiver as written (`app`, `server`, `http.createServer(app)`). */
  receiver: string;
  method: string;
  args: Arg[];
  span: Span;
  /** The named functions around the call, innermost first (`['start', 'bootstrap']`), to read their constants (see {@link ConstantFact.fn}). */
  fns?: string[];
}

export interface SignalHandler {
  /** Signals or events handled; `['*']` when the name is not a literal. */
  signals: string[];
  method: string;
  span: Span;
  /** The handler function's span, or the name it refers to. */
  handler?: { span?: Span; name?: string };
}

export interface MethodCall {
  receiver: string;
  method: string;
  args: Arg[];
  span: Span;
}

/**
 * An HTTP route as declared in one file. `owner` names the app or router it is declared on, as a key
 * local to the file: a binding (`app`, `router`, `this.router`), `fn:<name>` for the first parameter
 * of a function (a Fastify plugin, `module.exports = (app) => ...`), or `class:<Name>` for a Nest
 * controller. The route table (`src/code/routes.ts`) joins owners to mounts to get full paths.
 */
export interface RouteFact {
  /** `express`, `fastify`, `koa`, `hapi`, `nest`, `http`, or the library that serves it. */
  framework: string;
  owner: string;
  /** Upper-case method; `ALL` for any method (`app.all`, `app.use`, `'*'`). */
  method: string;
  /** The path as written; non-literal parts are `{…}`. Undefined when nothing of it is literal. */
  path?: string;
  /** The path expression's text when it is not literal (`config.healthPath`). */
  pathText?: string;
  span: Span;
  /** The handler: a function's span, or the expression naming it. */
  handler?: { span: Span; name?: string };
  /** Set for a route a library serves: `@godaddy/terminus`, `lightship`, `@nestjs/terminus`, `@fastify/under-pressure`. */
  library?: string;
  /** A port of the library's own (lightship serves on 9000 by default). */
  port?: Arg;
  /** The innermost named function around the declaration (`createRouter`), to follow `app.use(createRouter())`. */
  fn?: string;
}

/** Where a mounted router comes from: an owner of this file, an import, or what a function returns. */
export interface MountTarget {
  /** An owner key of this file (see {@link RouteFact.owner}). */
  owner?: string;
  /** An import: the module specifier and the member (`default` for a default import or whole `require`). */
  module?: string;
  member?: string;
  /** The target is a call of this function (`app.use('/api', createRouter())`): its routes are the function's. */
  call?: boolean;
}

export interface MountFact {
  /**
   * `mount`: `owner` serves `target` under `prefix`; `prefix`: `owner`'s own routes get `prefix`;
   * `global`: Nest's global prefix; `version`: Nest URI versioning, a `v1` segment after it.
   */
  kind: 'mount' | 'prefix' | 'global' | 'version';
  framework: string;
  owner: string;
  /** The literal prefix (`''` for none); undefined when it is not literal. */
  prefix?: string;
  target?: MountTarget;
  /** Paths a Nest global prefix does not apply to. */
  exclude?: string[];
  span: Span;
}

/** A local created by a framework, router or adapter: `const app = Fastify()`, `const server = Hapi.server({ ... })`. */
export interface InstanceFact {
  /** The binding (`app`, `this.server`). */
  local: string;
  module: string;
  path: string[];
  args: Arg[];
  span: Span;
}

export interface ConstantFact {
  name: string;
  value: Arg;
  /** Where it is declared: the start offset of the enclosing function, or -1 at module top level. */
  in: number;
  /** The innermost named function it is declared in (`bootstrap`), if any. */
  fn?: string;
}

/**
 * One step of a shutdown path. Steps are recorded wherever they occur; `src/code/shutdown.ts` keeps
 * those reached from a signal handler, in order.
 */
export interface LifecycleStep {
  /**
   * `close`: a server, app or terminator stops (`server.close()`, `app.close()`, `terminator.terminate()`);
   * `cleanup`: a pool or client closes (`pool.end()`, `redis.quit()`); `clear-timer`: `clearInterval(t)`;
   * `readiness`: a not-ready flip (`ready = false`, `lightship.signalNotReady()`); `exit`: `process.exit()`;
   * `force-exit`: a timer whose callback exits; `call`: a call of a named function that may do any of these.
   */
  kind: 'close' | 'cleanup' | 'clear-timer' | 'readiness' | 'exit' | 'force-exit' | 'call';
  /** The call or assignment, shortened: `server.close(…)`, `ready = false`. */
  text: string;
  span: Span;
  /** The innermost named function the step sits in (see `functionKey`). */
  fn?: string;
  /** `call`: the function called (`shutdown`, or `this.stop` as `stop`). */
  callee?: string;
  /** `exit` and `call`: placed after the server closed (in a close callback, its `.then`, or after its `await`), or after an awaited call this file cannot see into. */
  after?: 'close' | 'await';
  /** `exit` and `call`: inside a timer callback (a forced-exit fallback); in a shutdown plan, also any step reached through such a call. */
  inTimer?: boolean;
  /** `force-exit`: the delay in milliseconds when literal, and whether the timer is `unref()`ed. */
  delayMs?: number;
  unref?: boolean;
  /** `close`: a literal `timeout` option in milliseconds (Hapi `server.stop({ timeout })`). */
  timeoutMs?: number;
}

/** An outbound HTTP call or client instance, or a `defaults.timeout` assignment. */
export interface ClientFact {
  /** `axios`, `got`, `fetch` (global), `node-fetch`, `undici`. */
  library: string;
  /** `call`: a request; `instance`: `axios.create()`/`got.extend()`; `defaults`: `<x>.defaults.timeout = …`. */
  kind: 'call' | 'instance' | 'defaults';
  /** The member called (`get`, `create`, `''` for the library itself). */
  member: string;
  /** The options argument: the request config, or the instance options. Undefined when none is passed. */
  options?: Arg;
  /** For `instance` and `defaults`: the binding (`api` in `const api = axios.create()`), `axios` for the library's own defaults. */
  local?: string;
  /** The URL called, or the instance's base URL, when it is written literally (`{…}` for interpolations). */
  url?: string;
  span: Span;
}

/**
 * Where a piece of code runs, judged from its enclosing functions (innermost decides):
 * `top` module initialisation; `startup` a one-shot start-up callback (listen callback,
 * `once('ready')`, a start-up promise's `.then`, NestJS `onModuleInit`); `signal` a signal, exit or
 * shutdown handler; `request` a request handler; `callback` a callback that runs many times (an
 * interval, an emitter listener); `deferred` a `setTimeout` callback; `method` a class or object
 * method; `function` the top-level function `fn`, which is start-up code when it is only called at
 * start-up. Synchronous callbacks (`forEach`, `map`, IIFEs, `new Promise`) and `.then` are
 * transparent: they run where they stand.
 */
export interface RunContext {
  run: 'top' | 'startup' | 'signal' | 'request' | 'callback' | 'deferred' | 'method' | 'function';
  /**
   * For `run: 'function'`, the top-level function (`main`, `Registry.add`, `toExport.initialize`
   * for a method of a module-level object literal); for `run: 'method'`, the method of a top-level
   * class (`Loader#load`) or, for any other method, its name after a dot (`.loadDefinitions`):
   * instances hide which class a call reaches, so methods are mostly known by name.
   */
  fn?: string;
  /** The function that runs the code, as the user wrote it: `the cartsRouter.post('/') handler`, `startPolling()`. */
  via?: string;
  viaLine?: number;
  /** For a callback a top-level function returns (a decorator factory's decorator): that function. */
  returnedBy?: string;
}

/** What a module-level binding holds, as far as its initialiser tells. */
export type ValueKind = 'Map' | 'Set' | 'array' | 'object' | 'cache' | 'value';

export interface StateBinding {
  /**
   * `carts`; `Registry.items` for a class static; `exports.hits` for a CommonJS export property;
   * `NotesStore#notes` for a container field of a class with one instance per process.
   */
  name: string;
  decl: 'let' | 'var' | 'const' | 'static' | 'exports' | 'instance';
  value: ValueKind;
  /** The cache library, for `value: 'cache'` (`lru-cache`, `node-cache`). */
  lib?: string;
  /** Initialised with `true` or `false`: a flag. */
  bool?: boolean;
  /** For a singleton's field: the module-level names that hold the instance (`registry` for `const registry = new Registry()`). */
  vars?: string[];
  /** Declared to hold promises (`Map<string, Promise<Doc>>`): work in progress, not data. */
  promises?: boolean;
  /** The declarator name. */
  span: Span;
}

/** A NestJS provider class. A provider that injects a request-scoped one is request-scoped too (Nest's scope bubbling). */
export interface ProviderFact {
  cls: string;
  /** Not a singleton: request-scoped (by its decorator, or by injecting the request or a request-scoped provider of this file), or transient. */
  scope?: 'request' | 'transient';
  /** Providers of other modules its constructor injects by type: the module specifier and the imported name. */
  injects?: { module: string; name: string }[];
}

/** One write or mutating call. `path` is the member chain below the binding (`state.items.push()` → `['items']`; `'[]'` for a computed key). */
export interface StateWrite extends RunContext {
  /** A module-level binding of this file... */
  binding?: string;
  /** ...or an imported local name (the path then starts below the import). */
  import?: string;
  path: string[];
  /**
   * `lazy` is a guarded one-time initialisation (`if (!x) x = ...`, `x ??= ...`, `if (x) return x;
   * x = ...`); `reset` assigns `null` or `undefined` to the binding itself.
   */
  op: 'assign' | 'update' | 'call' | 'delete' | 'lazy' | 'reset';
  /** The method called (`set`, `push`, `Object.assign`), or the operator of an update (`++`, `+=`). */
  method?: string;
  /** The class whose method writes, when the write is in a class. */
  cls?: string;
  /** Assigns `true` or `false`. */
  bool?: boolean;
  /** A delete in a `finally`: the entry lives only while the operation that added it runs. */
  transient?: boolean;
  /** A delete in a `.catch()` callback: only failed work is dropped. */
  onFailure?: boolean;
  /** In a function that runs once: `if (loaded) return; ...; loaded = true`. */
  once?: boolean;
  /** Stores a function (a callback, a handler, a promise's resolve) or a timer handle: wiring, not data. */
  fnValue?: boolean;
  /** Stores a promise (`inflight.set(key, promise)`). */
  promise?: boolean;
  /** Assigns a connection or process handle a library opens (`browser = await chromium.connect(url)`). */
  handle?: boolean;
  /** Stores a count (`counts.set(k, n + 1)`) or a record that starts counts (`{ hits: 0 }`). */
  counts?: boolean;
  span: Span;
}

/**
 * One exported name. `local` is the binding in this file (`exports.hits` for a CommonJS property);
 * a re-export has `from` and `imported` (`'*'` for `export * from`, whose `name` is `'*'`).
 */
export interface ExportFact {
  name: string;
  local?: string;
  from?: string;
  imported?: string;
}

/**
 * A call of a top-level function of this file (`main()`), of a top-level class's static method
 * (`Registry.add()`) or constructor (`new Env()` → path `['constructor']`), of a method of a
 * module-level object literal (`toExport.initialize()`), or of an imported one (`db.connect()` →
 * name `db`, path `['connect']`); a method of a known class (`this.load()` in a class that has
 * `load`: name `Loader#load`; `new Loader().load()` with `Loader` imported: name `Loader`, path
 * `['#load']`); or a method call on any other receiver by name (`.loadDefinitions`, path `[]`). A function passed as an argument counts as called where the callee runs it
 * (`items.forEach(load)` where the `forEach` is; `emitter.on('x', load)` in a callback).
 */
export interface FnCall extends Pick<RunContext, 'run' | 'fn'> {
  name: string;
  path: string[];
  /** Called as a decorator (`@Money()`): what it returns runs when the class is defined. */
  decorator?: boolean;
  /** Made under a lazy one-time guard (`if (S.instance == null) S.instance = new S()`): once per process, whoever asks. */
  once?: boolean;
  /** Called only while this module-level binding or imported name is unset (`if (!client) await setup()`, `client ?? setup()`). */
  guard?: string;
}

export interface TimerFact extends RunContext {
  call: 'setInterval' | 'setTimeout';
  /** The name or property the handle is kept in (`t`, `this.timer`); absent when the handle is dropped. */
  handle?: string;
  /** The handle is passed on (returned, stored in a collection, given to a function): its fate is unknown. */
  passed?: boolean;
  /** `.unref()` called on the timer. */
  unref?: boolean;
  /** For `setTimeout`: the enclosing function it re-schedules (`setTimeout(poll, 1000)` inside `poll`). */
  rearms?: string;
  /** The re-arming call is conditional, or the function returns early: the loop can stop. */
  stopPath?: boolean;
  span: Span;
}

export interface ScheduledJob {
  lib: string;
  /** The call as written, shortened: `cron.schedule('0 * * * *', …)`, `@Cron('0 3 * * *')`. */
  call: string;
  /** What runs: a decorated method `Class.method()` or a named function. */
  job?: string;
  /** The options object, for node-cron (`{ distributed: true }` keeps it silent). */
  options?: Arg;
  span: Span;
}

/**
 * A library that keeps shared state in process memory or on the pod's disk unless told otherwise.
 * `inProcess` is what the literal options say: true when no store/adapter is given (or an in-memory
 * one is), false when one is given or the options cannot be read.
 */
export interface StoreUse extends RunContext {
  kind: 'session' | 'rate-limit' | 'socket.io' | 'socket.io-adapter' | 'upload' | 'disk-write';
  lib: string;
  /** The call as written, shortened (`session({…})`, `new RateLimiterMemory(…)`, `multer.diskStorage(…)`). */
  call: string;
  inProcess: boolean;
  /** For uploads and disk writes: where files go (`uploads/`, `/tmp/…`). */
  dest?: string;
  span: Span;
}

/** A function around a call: its name when it has one (see `functionKey`), and its head (from its start, past decorators, up to its body). */
export interface EnclosingFn {
  name?: string;
  head: Span;
}

/** A call whose result a function waits for (awaited, returned, chained with `.then`, or given a callback) that reaches another service. */
export interface DependencyCall {
  kind: 'database' | 'cache' | 'broker' | 'http';
  /** The call as a user reads it: `pool.query`, `prisma.$queryRaw`, `fetch`, `this.db.pingCheck`. */
  text: string;
  /** The client library when this file shows it (`pg`, `ioredis`, `axios`); undefined when judged by the receiver's name. */
  module?: string;
  span: Span;
  /** The functions around the call, innermost first (at most four). */
  fns: EnclosingFn[];
}

/** An awaited call of a plain function: `checkDb()`, `this.pingDatabase()`, `import { ping } from './db'; ping()`. */
export interface LocalCall {
  /** The function called: an identifier, or the method name of `this.x()`. */
  callee: string;
  span: Span;
  fns: EnclosingFn[];
}

/** A handler that answers every request whatever its path; `owner` as in {@link RouteFact.owner} (`http` for a bare request listener). */
export interface CatchAll {
  owner: string;
  /** `use`: path-less middleware that never calls `next`; `listener`: a request listener passed to `createServer`. */
  kind: 'use' | 'listener';
  span: Span;
}

/** Facts of a file that could not be parsed. */
export function emptyFacts(file: string): CodeFacts {
  return {
    file,
    imports: [],
    libCalls: [],
    servers: [],
    signals: [],
    methodCalls: [],
    directives: [],
    // Routes, servers and shutdown.
    routes: [],
    mounts: [],
    instances: [],
    constants: [],
    lifecycle: [],
    clients: [],
    // State and timers.
    bindings: [],
    writes: [],
    moduleExports: [],
    fnCalls: [],
    providers: [],
    serverFns: [],
    timers: [],
    timerHandles: { cleared: [], unrefed: [], returned: [] },
    schedulers: [],
    stores: [],
    // Cross rules.
    dependencyCalls: [],
    localCalls: [],
    catchAlls: [],
    // Clients and health.
    ownGlobals: [],
    browserGlobals: [],
    checksRuntime: false,
  };
}

/**
 * Facts as they are kept to the end of the run, which holds them for thousands of files: long
 * strings copied out of the file's text, once per run. In V8 a substring of 13 characters or more
 * is a view of the whole string it was cut from, so a name or a module specifier would otherwise
 * keep the file's text alive; `strings` interns the copies across the files of the run. Own keys
 * only: an option object written `{ __proto__: ... }` gives its summary another prototype.
 */
export function compactFacts(facts: CodeFacts, strings: Map<string, string>): CodeFacts {
  const f = facts as unknown as Record<string, unknown>;
  for (const k of Object.keys(f)) {
    const v = f[k];
    if (v !== null && typeof v === 'object') compactValue(v as Record<string, unknown>, strings);
  }
  return facts;
}

function compactValue(o: Record<string, unknown> | unknown[], strings: Map<string, string>): void {
  if (Array.isArray(o)) {
    for (let i = 0; i < o.length; i++) {
      const v = o[i];
      if (typeof v === 'string') {
        if (v.length >= 13) o[i] = internCopy(v, strings);
      } else if (v !== null && typeof v === 'object') compactValue(v as Record<string, unknown>, strings);
    }
    return;
  }
  for (const k of Object.keys(o)) {
    const v = o[k];
    if (typeof v === 'string') {
      if (v.length >= 13) o[k] = internCopy(v, strings);
    } else if (v !== null && typeof v === 'object') compactValue(v as Record<string, unknown>, strings);
  }
}

function internCopy(s: string, strings: Map<string, string>): string {
  let copy = strings.get(s);
  if (copy === undefined) strings.set((copy = (' ' + s).slice(1)), copy);
  return copy;
}
