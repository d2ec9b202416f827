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
  parseError?: Span & { message: string };
  imports: ImportFact[];
  /** Calls and `new` expressions on imported bindings: `session({...})`, `new CronJob(...)`, `axios.get(...)`. */
  libCalls: LibCall[];
  /** Calls that start accepting connections: `.listen(...)`, Hapi `server.start()`, hono `serve()`. */
  servers: ServerStart[];
  /** `process.on('SIGTERM', ...)` and friends. */
  signals: SignalHandler[];
  /** Method calls that matter whatever the receiver: `app.enableShutdownHooks()`. */
  methodCalls: MethodCall[];
  /** Names of functions called from module top level (`main()`, `bootstrap().catch(...)`). */
  startupCalls: string[];

  // State and timers (module-state, in-memory-store, unbounded-timer, in-process-scheduler).
  /** Module-level bindings that can hold mutable data: `let`/`var`, `const` containers, class statics, `exports.x`. */
  bindings: StateBinding[];
  /** Writes and mutating calls on this file's module-level bindings and on imported names. */
  writes: StateWrite[];
  /** What the module exports (ESM and CommonJS), and what it re-exports from elsewhere. */
  moduleExports: ExportFact[];
  /** Calls of this file's top-level functions and of functions imported from relative modules. */
  fnCalls: FnCall[];
  /** `setInterval` / `setTimeout` calls and where their handles go. */
  timers: TimerFact[];
  /** Handles passed to `clearInterval`/`clearTimeout` (`t`, `this.timer`), `.unref()`ed, or returned. */
  timerHandles: { cleared: string[]; unrefed: string[]; returned: string[] };
  /** Periodic jobs of scheduler libraries: node-cron, cron, node-schedule, @nestjs/schedule, toad-scheduler. */
  schedulers: ScheduledJob[];
  /** Libraries that keep shared data in process memory or on the pod's disk, with what their options say. */
  stores: StoreUse[];
}

/** One binding brought in from another module. `path` is the member path inside the module: `[]` for a default or namespace import or a whole `require`. */
export interface ImportFact {
  local: string;
  module: string;
  path: string[];
  kind: 'esm' | 'cjs';
  span: Span;
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

/** Where a call sits: the roles of the functions around it, outermost first. */
export type FnRole =
  | 'signal-handler'
  | 'request-handler'
  | 'startup-callback'
  | 'timer-callback'
  | 'callback'
  | 'method'
  | 'function';

export interface Scope {
  /** Roles of the enclosing functions, outermost first; empty at module top level. */
  roles: FnRole[];
  /** Name of the outermost enclosing named function, when there is one (`main`, `bootstrap`). */
  outerName?: string;
}

export interface LibCall extends Scope {
  module: string;
  /** Member path inside the module: `['default']` is never used; `session(...)` on a default import has `[]`. */
  path: string[];
  isNew: boolean;
  args: Arg[];
  span: Span;
}

export interface ServerStart extends Scope {
  /** What created the receiver, when this file shows it: `express`, `fastify`, `koa`, `@hapi/hapi`, `@nestjs/core`, `http`. */
  framework?: string;
  /** The receiver as written (`app`, `server`, `http.createServer(app)`). */
  receiver: string;
  method: string;
  args: Arg[];
  span: Span;
}

export interface SignalHandler extends Scope {
  /** Signals or events handled; `['*']` when the name is not a literal. */
  signals: string[];
  method: string;
  span: Span;
  /** The handler function's span, or the name it refers to. */
  handler?: { span?: Span; name?: string };
}

export interface MethodCall extends Scope {
  receiver: string;
  method: string;
  args: Arg[];
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
  /** The top-level function, for `run: 'function'`. */
  fn?: string;
  /** The function that runs the code, as the user wrote it: `the cartsRouter.post('/') handler`, `startPolling()`. */
  via?: string;
  viaLine?: number;
}

/** What a module-level binding holds, as far as its initialiser tells. */
export type ValueKind = 'Map' | 'Set' | 'array' | 'object' | 'cache' | 'value';

export interface StateBinding {
  /** `carts`; `Registry.items` for a class static; `exports.hits` for a CommonJS export property. */
  name: string;
  decl: 'let' | 'var' | 'const' | 'static' | 'exports';
  value: ValueKind;
  /** The cache library, for `value: 'cache'` (`lru-cache`, `node-cache`). */
  lib?: string;
  /** Initialised with `true` or `false`: a flag. */
  bool?: boolean;
  /** The declarator name. */
  span: Span;
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
  /** In a function that runs once: `if (loaded) return; ...; loaded = true`. */
  once?: boolean;
  /** Stores a function (a callback, a handler, a promise's resolve) or a timer handle: wiring, not data. */
  fnValue?: boolean;
  /** Stores a promise (`inflight.set(key, promise)`). */
  promise?: boolean;
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
 * (`Registry.add()`) or constructor (`new Env()` → path `['constructor']`), or of an imported one
 * (`db.connect()` → name `db`, path `['connect']`).
 */
export interface FnCall extends Pick<RunContext, 'run' | 'fn'> {
  name: string;
  path: string[];
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

/** Facts of a file that could not be parsed. */
export function emptyFacts(file: string): CodeFacts {
  return {
    file,
    imports: [],
    libCalls: [],
    servers: [],
    signals: [],
    methodCalls: [],
    startupCalls: [],
    bindings: [],
    writes: [],
    moduleExports: [],
    fnCalls: [],
    timers: [],
    timerHandles: { cleared: [], unrefed: [], returned: [] },
    schedulers: [],
    stores: [],
  };
}
