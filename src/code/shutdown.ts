import type { Span } from '../types.js';
import { importedBinding } from './bindings.js';
import type { Arg, CodeFacts, LifecycleStep } from './facts.js';
import type { ModuleIndex } from './modules.js';

/** How a service catches SIGTERM, and where. */
export interface SigtermHandling {
  how: string;
  file: string;
  line: number;
}

/** Libraries that install a SIGTERM handler themselves, by module and called member. */
const SHUTDOWN_LIBRARIES: { module: string; path: string; how: string; signalOption?: boolean }[] = [
  { module: '@godaddy/terminus', path: 'createTerminus', how: 'terminus createTerminus()', signalOption: true },
  { module: 'lightship', path: 'createLightship', how: 'lightship createLightship()', signalOption: true },
  { module: 'close-with-grace', path: '', how: 'close-with-grace' },
  { module: '@fastify/close-with-grace', path: '', how: 'close-with-grace' },
  { module: 'http-graceful-shutdown', path: '', how: 'http-graceful-shutdown' },
  { module: 'node-graceful-shutdown', path: 'onShutdown', how: 'node-graceful-shutdown onShutdown()' },
  { module: 'exit-hook', path: '', how: 'exit-hook' },
  { module: 'exit-hook', path: 'asyncExitHook', how: 'exit-hook asyncExitHook()' },
  { module: 'async-exit-hook', path: '', how: 'async-exit-hook' },
];

/** Plugins that install a handler when imported and registered. */
const SHUTDOWN_PLUGINS = new Set(['fastify-graceful-shutdown']);

/**
 * The first way these files catch SIGTERM: `process.on('SIGTERM')` (or a signal name that cannot
 * be read, which counts), a library that installs a handler, or NestJS `enableShutdownHooks()`.
 */
export function findSigtermHandling(files: CodeFacts[]): SigtermHandling | undefined {
  for (const f of files) {
    for (const s of f.signals) {
      if (s.signals.includes('SIGTERM') || s.signals.includes('*')) return { how: `process.${s.method}('SIGTERM')`, file: f.file, line: s.span.line };
    }
    for (const c of f.libCalls) {
      const lib = SHUTDOWN_LIBRARIES.find((l) => l.module === c.module && c.path.join('.') === l.path);
      if (lib && (!lib.signalOption || coversSigterm(c.module, c.args[c.module === 'lightship' ? 0 : 1]))) return { how: lib.how, file: f.file, line: c.span.line };
    }
    for (const m of f.methodCalls) {
      if (m.method === 'enableShutdownHooks' && listsSigterm(m.args[0])) return { how: 'enableShutdownHooks()', file: f.file, line: m.span.line };
    }
    const apollo = apolloStandalone(f, files);
    if (apollo) return { how: apollo.how, file: f.file, line: apollo.line };
    for (const i of f.imports) {
      if (SHUTDOWN_PLUGINS.has(i.module)) return { how: i.module, file: f.file, line: i.line };
    }
  }
  return undefined;
}

/**
 * Apollo Server's standalone servers stop and drain themselves on SIGTERM (`stopOnTerminationSignals`,
 * on unless `NODE_ENV` is `test`): `new ApolloServer()` of `apollo-server` (version 3, which
 * listens itself) and `startStandaloneServer()` of `@apollo/server` (version 4). Only when every
 * `ApolloServer` of the files is made with literal options that leave it on: options in a variable
 * or spread in may turn it off. An `ApolloServer` of another integration (`apollo-server-express`)
 * only stops itself, not the app's server, and does not count.
 */
function apolloStandalone(f: CodeFacts, files: CodeFacts[]): { how: string; line: number } | undefined {
  const start = f.libCalls.find((c) => (c.module === 'apollo-server' && c.path[0] === 'ApolloServer' && c.isNew) || (c.module === '@apollo/server/standalone' && c.path[0] === 'startStandaloneServer'));
  if (!start) return undefined;
  const on = (a: Arg | undefined) => a?.t === 'obj' && !a.spread && !(a.props.stopOnTerminationSignals && !(a.props.stopOnTerminationSignals.t === 'bool' && a.props.stopOnTerminationSignals.v));
  const made = files.flatMap((g) => g.libCalls.filter((c) => (c.module === 'apollo-server' || c.module === '@apollo/server') && c.path[0] === 'ApolloServer' && c.isNew));
  if (!made.every((c) => on(c.args[0]))) return undefined;
  return { how: `${start.module === 'apollo-server' ? 'apollo-server' : 'startStandaloneServer()'} (stopOnTerminationSignals)`, line: start.span.line };
}

/**
 * Does a terminus or lightship options object leave SIGTERM caught? terminus listens on `signal`
 * (default SIGTERM) plus `signals`; lightship on `signals` (default SIGTERM, SIGHUP, SIGINT).
 * Anything not literal counts as caught.
 */
function coversSigterm(module: string, options: Arg | undefined): boolean {
  if (options?.t !== 'obj' || options.spread) return true;
  const { signal, signals } = options.props;
  if (signals?.t === 'arr' && listsSigterm(signals)) return true;
  if (module === 'lightship') return signals === undefined;
  return signal?.t !== 'str' || signal.v === 'SIGTERM';
}

/** An optional list of signal names: absent or not literal counts as including SIGTERM. */
function listsSigterm(list: Arg | undefined): boolean {
  if (list?.t !== 'arr') return true;
  return list.items.some((i) => i.t !== 'str' || i.v === 'SIGTERM');
}

/** A step of a shutdown plan, with the file it is in and the functions followed to reach it. */
export interface PlanStep extends LifecycleStep {
  file: string;
  /** Functions followed from the handler: `['shutdown', 'closeServer']`; empty for the handler's own steps. */
  via: string[];
}

/** One signal handler and what it does, in order. */
export interface ShutdownPlan {
  file: string;
  signals: string[];
  /** The `process.on(...)` call. */
  span: Span;
  steps: PlanStep[];
}

/**
 * The signal handlers of these files and the steps each one takes, in source order, following
 * calls of named functions into the same file or the file they are imported from: a handler
 * `() => shutdown()` gets the steps of `shutdown`. A step reached through a call placed after the
 * close (or after an awaited call) counts as after it too, and one reached through a call inside a
 * timer callback counts as inside the timer.
 */
export function shutdownPlans(files: CodeFacts[], modules: ModuleIndex): ShutdownPlan[] {
  const plans: ShutdownPlan[] = [];
  for (const f of files) {
    for (const s of f.signals) {
      if (s.signals.every((x) => x === 'exit' || x === 'beforeExit')) continue;
      let steps: PlanStep[] = [];
      const h = s.handler;
      if (h?.span) steps = expand(f, f.lifecycle.filter((x) => within(x.span, h.span!)), [], modules);
      // `process.on('SIGTERM', shutdown)`, `this.stop.bind(this)`: the steps of the named function.
      if (h?.name && !steps.length) steps = follow(f, h.name, [], {}, modules);
      plans.push({ file: f.file, signals: s.signals, span: s.span, steps });
    }
  }
  return plans;
}

/** Where a followed call stands: after the close (or an awaited call), inside a timer callback. */
type Placed = Pick<LifecycleStep, 'after' | 'inTimer'>;

function expand(f: CodeFacts, own: LifecycleStep[], via: string[], modules: ModuleIndex, placed: Placed = {}): PlanStep[] {
  const out: PlanStep[] = [];
  for (const s of own) {
    const step: PlanStep = { ...s, file: f.file, via };
    if (placed.after && !step.after) step.after = placed.after;
    if (placed.inTimer) step.inTimer = true;
    out.push(step);
    if (s.kind === 'call' && s.callee && via.length < 5 && !via.includes(s.callee)) for (const x of follow(f, s.callee, via, step, modules)) out.push(x);
  }
  return out;
}

/** The steps of the function `name` as seen from file `f`: declared there, or imported. */
function follow(f: CodeFacts, name: string, via: string[], placed: Placed, modules: ModuleIndex): PlanStep[] {
  const at: Placed = { after: placed.after, inTimer: placed.inTimer };
  const here = stepsOf(f, name);
  if (here.length) return expand(f, here, [...via, name], modules, at);
  const b = importedBinding(modules, f, name);
  if (!b?.local) return [];
  return expand(b.file, stepsOf(b.file, b.local), [...via, name], modules, at);
}

/** Each file's shutdown steps by the function they are in, in order: a shutdown function of thousands of calls looks each one up. */
const stepsByFunction = new WeakMap<CodeFacts, Map<string, LifecycleStep[]>>();

function stepsOf(f: CodeFacts, fn: string): LifecycleStep[] {
  let byFn = stepsByFunction.get(f);
  if (!byFn) {
    byFn = new Map();
    for (const x of f.lifecycle) {
      if (x.fn === undefined) continue;
      const list = byFn.get(x.fn);
      if (list) list.push(x);
      else byFn.set(x.fn, [x]);
    }
    stepsByFunction.set(f, byFn);
  }
  return byFn.get(fn) ?? [];
}

function within(inner: Span, outer: Span): boolean {
  const starts = inner.line > outer.line || (inner.line === outer.line && inner.column >= outer.column);
  const ends = inner.endLine < outer.endLine || (inner.endLine === outer.endLine && inner.endColumn <= outer.endColumn);
  return starts && ends;
}

/** A drain timeout the code sets or inherits from a library default. */
export interface ShutdownTimeout {
  /** What sets it: `terminus timeout`, `forced-exit timer`, `Hapi server.stop()`. */
  source: string;
  ms: number;
  /** The library's default applies (the option is not set). */
  isDefault: boolean;
  file: string;
  span: Span;
}

/** Shutdown libraries, the option that bounds their drain, and its default in milliseconds. */
const LIBRARY_TIMEOUTS: { module: string; path: string; arg: number; option: string; ms: number }[] = [
  { module: '@godaddy/terminus', path: 'createTerminus', arg: 1, option: 'timeout', ms: 1000 },
  { module: 'http-terminator', path: 'createHttpTerminator', arg: 0, option: 'gracefulTerminationTimeout', ms: 1000 },
  { module: 'close-with-grace', path: '', arg: 0, option: 'delay', ms: 10_000 },
  { module: 'lightship', path: 'createLightship', arg: 0, option: 'gracefulShutdownTimeout', ms: 30_000 },
  { module: '@nestjs/terminus', path: 'TerminusModule.forRoot', arg: 0, option: 'gracefulShutdownTimeoutMs', ms: 0 },
  { module: 'http-graceful-shutdown', path: '', arg: 1, option: 'timeout', ms: 30_000 },
];

/**
 * Every drain timeout in these files: shutdown libraries with their option or default, Hapi's
 * `server.stop({ timeout })` (default 5 s) and forced-exit timers in signal handlers.
 */
export function shutdownTimeouts(files: CodeFacts[], modules: ModuleIndex): ShutdownTimeout[] {
  const out: ShutdownTimeout[] = [];
  for (const f of files) {
    for (const c of f.libCalls) {
      const path = (c.path[0] === 'default' ? c.path.slice(1) : c.path).join('.');
      const lib = LIBRARY_TIMEOUTS.find((l) => l.module === c.module && l.path === path);
      if (!lib) continue;
      const opts = c.args[lib.arg];
      const v = opts?.t === 'obj' ? opts.props[lib.option] : undefined;
      if (v?.t === 'num') out.push({ source: `${lib.module} ${lib.option}`, ms: v.v, isDefault: false, file: f.file, span: c.span });
      else if (!v && (opts === undefined || opts.t === 'fn' || (opts.t === 'obj' && !opts.spread))) out.push({ source: `${lib.module} ${lib.option}`, ms: lib.ms, isDefault: true, file: f.file, span: c.span });
    }
    const hapi = f.imports.some((i) => i.module === '@hapi/hapi' || i.module === 'hapi');
    for (const s of f.lifecycle) {
      if (hapi && s.kind === 'close' && /\.stop\(/.test(s.text)) out.push({ source: 'Hapi server.stop() timeout', ms: s.timeoutMs ?? 5000, isDefault: s.timeoutMs === undefined, file: f.file, span: s.span });
    }
  }
  const timers = new Set<string>();
  for (const p of shutdownPlans(files, modules)) {
    for (const s of p.steps) {
      const k = `${s.file}:${s.span.line}:${s.span.column}`;
      if (s.kind !== 'force-exit' || s.delayMs === undefined || timers.has(k)) continue;
      timers.add(k);
      out.push({ source: 'forced-exit timer', ms: s.delayMs, isDefault: false, file: s.file, span: s.span });
    }
  }
  return out;
}
