import type { CodeFacts, RunContext, StateBinding, StateWrite, ValueKind } from './facts.js';
import type { ModuleIndex } from './modules.js';

/** Where an imported name lands: a local name of another file, and the member path below it. */
export interface Target {
  file: CodeFacts;
  local: string;
  rest: string[];
}

/** A write traced to the module-level binding it changes, which may live in another file. */
export interface BindingWrite {
  owner: CodeFacts;
  binding: StateBinding;
  /** The member path below the binding (`[]` when the binding itself is written). */
  rest: string[];
  /** The write goes through an ESM import, whose bindings are read-only. */
  esm: boolean;
}

interface Site {
  file: CodeFacts;
  run: RunContext['run'];
  fn?: string;
  /** In a test, a script or browser code: not a call that happens in a replica. */
  outside: boolean;
}

/** Names of functions that initialise: `init`, `setupRoutes`, `configure`, `registerFlag`, `loadPlugins`, `setLogger`. */
const INIT_NAME = /^(?:init|initiali[sz]e|setup|configure|bootstrap|install|register|mount|boot|start|load)(?:[A-Z_]\w*)?$|^set[A-Z]\w*$/;

/** Methods that change each kind of container. */
const MUTATING: Record<ValueKind, Set<string>> = {
  Map: new Set(['set', 'delete', 'clear']),
  Set: new Set(['add', 'delete', 'clear']),
  array: new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin']),
  cache: new Set(['set', 'delete', 'del', 'clear', 'reset', 'mset', 'take', 'flushAll', 'put']),
  object: new Set(),
  value: new Set(),
};

const resolved = new WeakMap<ModuleIndex, Map<string, (Target & { esm: boolean }) | null>>();

/**
 * Queries over the code facts of one service: which binding an imported name refers to (through
 * re-exports, ESM and CommonJS), whether a function only runs at start-up, and which timer
 * handles some file clears. Everything is computed from facts; nothing here sees a syntax tree.
 */
export class StateIndex {
  private readonly startup = new Map<string, boolean>();
  private callSites?: Map<string, Site[]>;

  /** `files` run in the replicas; `others` (tests, scripts, browser code) only tell where functions are called from. */
  constructor(
    private readonly modules: ModuleIndex,
    readonly files: CodeFacts[],
    private readonly others: CodeFacts[] = [],
  ) {}

  /** The local name and file an imported name refers to, following re-exports. */
  importTarget(file: CodeFacts, local: string, path: string[]): (Target & { esm: boolean }) | undefined {
    // Resolution depends only on the run's files, so services of one run share the answers.
    let memo = resolved.get(this.modules);
    if (!memo) resolved.set(this.modules, (memo = new Map()));
    const key = `${file.file}\0${local}\0${path.join('.')}`;
    if (memo.has(key)) return memo.get(key) ?? undefined;
    const t = this.resolveTarget(file, local, path);
    memo.set(key, t ?? null);
    return t;
  }

  private resolveTarget(file: CodeFacts, local: string, path: string[]): (Target & { esm: boolean }) | undefined {
    const imp = file.imports.find((i) => i.local === local);
    const target = imp && this.modules.resolveImport(file.file, imp.module);
    if (!imp || !target) return undefined;
    const t = this.exportTarget(target, [...imp.path, ...path], 0);
    return t && { ...t, esm: imp.kind === 'esm' };
  }

  private exportTarget(file: CodeFacts, chain: string[], depth: number): Target | undefined {
    if (depth > 8) return undefined;
    const [head, ...rest] = chain;
    for (const e of file.moduleExports) {
      if (e.name !== (head ?? 'default')) continue;
      if (e.local) {
        const own = file.bindings.some((b) => b.name === e.local || b.name.startsWith(`${e.local}.`));
        if (!own && file.imports.some((i) => i.local === e.local)) {
          const t = this.importTarget(file, e.local, head === undefined ? chain : rest);
          if (t) return t;
        }
        return { file, local: e.local, rest: head === undefined ? chain : rest };
      }
      const next = e.from ? this.modules.resolveImport(file.file, e.from) : undefined;
      if (next) return this.exportTarget(next, e.imported === '*' ? rest : [e.imported ?? head!, ...rest], depth + 1);
    }
    for (const e of file.moduleExports) {
      if (e.name !== '*' || !e.from) continue;
      const next = this.modules.resolveImport(file.file, e.from);
      const t = next && this.exportTarget(next, chain, depth + 1);
      if (t) return t;
    }
    // CommonJS `module.exports = x`: a whole-module require then walks into x.
    const whole = head !== undefined && file.moduleExports.find((e) => e.name === 'default' && e.local);
    return whole ? { file, local: whole.local!, rest: chain } : undefined;
  }

  /** The binding a write changes, in its own file or through an import. */
  bindingOf(file: CodeFacts, w: StateWrite): BindingWrite | undefined {
    if (w.binding) {
      const binding = file.bindings.find((b) => b.name === w.binding);
      return binding && { owner: file, binding, rest: w.path, esm: false };
    }
    const t = w.import !== undefined ? this.importTarget(file, w.import, w.path) : undefined;
    if (!t) return undefined;
    const two = t.rest.length ? t.file.bindings.find((b) => b.name === `${t.local}.${t.rest[0]}`) : undefined;
    if (two) return { owner: t.file, binding: two, rest: t.rest.slice(1), esm: t.esm };
    const binding = t.file.bindings.find((b) => b.name === t.local);
    return binding && { owner: t.file, binding, rest: t.rest, esm: t.esm };
  }

  /** Code in this context may run more than once per process (a request, a callback, a method, or a function not only called at start-up). */
  isRuntime(file: CodeFacts, ctx: RunContext): boolean {
    if (ctx.run === 'top' || ctx.run === 'startup' || ctx.run === 'signal') return false;
    if (ctx.run === 'function') return !this.isStartupFunction(file, ctx.fn ?? '');
    return true;
  }

  /**
   * A top-level function (or static method, or constructor) that never runs at run time in a
   * replica: it is called only from start-up or shutdown code (module top level, start-up
   * callbacks, signal handlers, other such functions), or only from tests, scripts and browser code.
   */
  isStartupFunction(file: CodeFacts, fn: string): boolean {
    const key = `${file.file}#${fn}`;
    const known = this.startup.get(key);
    if (known !== undefined) return known;
    this.startup.set(key, false);
    const sites = (this.sites().get(key) ?? []).filter((s) => !(s.file === file && s.run === 'function' && s.fn === fn));
    const inReplica = sites.filter((s) => !s.outside);
    // Nobody in the service calls it (dependency injection, plugin loaders reached through instances
    // or a computed require): trust a name that says it initialises, else take it as run-time code.
    if (!sites.length) return this.remember(key, INIT_NAME.test(fn.split('.').pop()!));
    const result =
      inReplica.every((s) => s.run === 'top' || s.run === 'startup' || s.run === 'signal' || (s.run === 'function' && this.isStartupFunction(s.file, s.fn ?? '')));
    return this.remember(key, result);
  }

  private remember(key: string, startup: boolean): boolean {
    this.startup.set(key, startup);
    return startup;
  }

  /** Call sites of every top-level function, keyed `file#name`, resolved through imports once. */
  private sites(): Map<string, Site[]> {
    if (this.callSites) return this.callSites;
    const out = new Map<string, Site[]>();
    const outside = new Set(this.others);
    const push = (key: string, file: CodeFacts, c: { run: RunContext['run']; fn?: string }) => {
      const list = out.get(key);
      const site: Site = { file, run: c.run, fn: c.fn, outside: outside.has(file) };
      if (list) list.push(site);
      else out.set(key, [site]);
    };
    for (const f of [...this.files, ...this.others]) {
      if (!f.fnCalls.length) continue;
      const imported = new Set(f.imports.map((i) => i.local));
      for (const c of f.fnCalls) {
        if (!imported.has(c.name)) push(`${f.file}#${[c.name, ...c.path].join('.')}`, f, c);
        else {
          const t = this.importTarget(f, c.name, c.path);
          if (t) push(`${t.file.file}#${[t.local, ...t.rest].join('.')}`, f, c);
        }
      }
    }
    this.callSites = out;
    return out;
  }

  /** `file#name` of every timer handle some file passes to `clearInterval`/`clearTimeout`, imports resolved. */
  clearedHandles(): Set<string> {
    const out = new Set<string>();
    for (const f of this.files) {
      for (const name of f.timerHandles.cleared) {
        out.add(`${f.file}#${name}`);
        const [root, ...rest] = name.split('.');
        const t = root !== 'this' ? this.importTarget(f, root!, rest) : undefined;
        if (t) out.add(`${t.file.file}#${[t.local, ...t.rest].join('.')}`);
      }
    }
    return out;
  }
}

/** Does this write change what the binding holds? Reassignments, container mutations, property writes; not lazy initialisation, not reads. */
export function isMutation(b: BindingWrite, w: StateWrite): boolean {
  if (w.op === 'lazy' || w.op === 'reset' || w.once) return false;
  if (!b.rest.length && (w.op === 'assign' || w.op === 'update')) return !b.esm && b.binding.decl !== 'const';
  if (b.binding.value === 'value') return false;
  if (w.op !== 'call') return true;
  if (w.method?.includes('.')) return true;
  return b.rest.length > 0 || MUTATING[b.binding.value].has(w.method ?? '');
}

/**
 * Writes that keep per-process bookkeeping rather than shared data: a collection of functions
 * (listeners, shutdown hooks, pending promises' resolvers: no other replica could call them
 * anyway), a boolean flag flipped outside
 * request handlers (`redisReady = true` in a 'ready' listener, `loaded = true` after a one-time
 * setup), or Map/Set entries that only live while an operation runs: deleted again by the same
 * function in a `finally`, or promises of work in progress that are deleted when they settle.
 */
export function isBookkeeping(b: StateBinding, writes: { file: CodeFacts; write: StateWrite }[]): boolean {
  if (writes.some((x) => x.write.fnValue)) return true;
  if (b.bool && writes.every(({ write: w }) => w.op === 'assign' && w.bool && w.run !== 'request')) return true;
  if (b.value !== 'Map' && b.value !== 'Set') return false;
  // Promises of work in progress, dropped again when it settles: in-flight de-duplication.
  if (writes.some((x) => x.write.promise) && writes.every((x) => x.write.promise || x.write.method === 'delete')) return true;
  const fn = (x: { file: CodeFacts; write: StateWrite }) => `${x.file.file}:${x.write.viaLine}`;
  const cleaned = new Set(writes.filter((x) => x.write.transient).map(fn));
  return cleaned.size > 0 && writes.every((x) => x.write.transient || cleaned.has(fn(x)));
}
