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
  /** `// replicalint-disable-next-line ...` comments. */
  directives: Directive[];
}

/** One binding brought in from another module. `path` is the member path inside the module: `[]` for a default or namespace import or a whole `require`. */
export interface ImportFact {
  local: string;
  module: string;
  path: string[];
  kind: 'esm' | 'cjs';
  span: Span;
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

/** Facts of a file that could not be parsed. */
export function emptyFacts(file: string): CodeFacts {
  return { file, imports: [], libCalls: [], servers: [], signals: [], methodCalls: [], startupCalls: [], directives: [] };
}
