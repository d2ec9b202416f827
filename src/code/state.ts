import type { App, Service } from '../model.js';
import type { CodeFacts, ImportFact, RunContext, StateBinding, StateWrite, ValueKind } from './facts.js';
import type { ModuleIndex } from './modules.js';
import { isTestPackage, serviceCode } from './scope.js';
import { exportIndex, StarExports } from './star-exports.js';

/** Where an imported name lands: a local name of another file, and the member path below it. */
export interface Target {
  file: CodeFacts;
  local: string;
  rest: string[];
}

/** An export of a name its module imports: the import to follow, and the answer when it leads nowhere (the module that re-exports the name). */
interface Reexport {
  follow: { file: CodeFacts; local: string; path: string[] };
  otherwise: Target;
}

/** A {@link Reexport} being answered, and where its answer is remembered once the import is followed. */
interface PendingExport extends Reexport {
  memo: Map<string, Target | null>;
  key: string;
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
  decorator?: boolean;
  once?: boolean;
  /** The name the call waits to be unset (see `FnCall`). */
  guard?: string;
}

/** A function {@link StateIndex.isStartupFunction} is asking about: its callers in the replicas, up to the next to ask. */
interface StartupCall {
  memo: Map<string, boolean>;
  fn: string;
  sites: readonly Site[];
  at: number;
}

/** A function {@link StateIndex.reachedAtRunTime} is asking about: its call sites, up to the next to ask. */
interface ReachCall {
  key: string;
  self: (s: Site) => boolean;
  sites: readonly Site[];
  at: number;
}

/**
 * Names of functions that initialise: `init`, `setupRoutes`, `configure`, `registerFlag`,
 * `loadPlugins`, `setLogger`, `main`, and those that create or restart the server (`createServer`,
 * `restartServer`, `expressCreateServer`: server hooks a plugin system calls by name).
 */
/** Methods a framework calls by their name on the objects it is given: gateways, guards, interceptors, pipes, filters, middleware. */
const FRAMEWORK_HOOK = /^(?:handleConnection|handleDisconnect|afterInit|canActivate|intercept|transform|catch|use|resolve|validate|handle|execute|process)$/;
/** Names of methods that set an object up once: `init`, `initialize`, `setup`, `bootstrap`, `initDatabase`. */
const SETUP_NAME = /^(?:init|initiali[sz]e|setup|setUp|bootstrap)(?:[A-Z_]\w*)?$/;
const INIT_NAME = /^(?:init|initiali[sz]e|setup|configure|bootstrap|install|register|mount|boot|start|load)(?:[A-Z_]\w*)?$|^set[A-Z]\w*$|^main$|^(?:[a-z]\w*)?(?:[Cc]reate|[Rr]estart)(?:[A-Z]\w*)?Server$/;

/**
 * Method names whose calls the facts keep by name (see `FnCall`): every name {@link INIT_NAME}
 * matches, and compound or private ones (`loadDefinitions`, `#flush`). Calls of short common names
 * (`get`, `put`, `run`) are too many to keep; methods with such names stay run-time code.
 */
export const CALLED_BY_NAME = /[A-Z_#]|^(?:init|initiali[sz]e|setup|configure|bootstrap|install|register|mount|boot|start|load|main)$/;

/** Methods that change each kind of container. */
const MUTATING: Record<ValueKind, Set<string>> = {
  Map: new Set(['set', 'delete', 'clear']),
  Set: new Set(['add', 'delete', 'clear']),
  array: new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin']),
  cache: new Set(['set', 'delete', 'del', 'clear', 'reset', 'mset', 'take', 'flushAll', 'put']),
  object: new Set(),
  value: new Set(),
};

const resolved = new WeakMap<ModuleIndex, WeakMap<CodeFacts, Map<string, (Target & { esm: boolean }) | null>>>();
const exports = new WeakMap<ModuleIndex, WeakMap<CodeFacts, Map<string, Target | null>>>();
const starExports = new WeakMap<ModuleIndex, StarExports>();
/** Call sites are read from every code file of the run, so the services of one run share them. */
const allSites = new WeakMap<readonly CodeFacts[], Map<string, Map<string, Site[]>>>();
const NONE: readonly Site[] = [];
const allFiles = new WeakMap<App, readonly CodeFacts[]>();

/** A file's bindings and imports by name, built once per file: every write and call site looks one up. */
interface Names {
  /** The first binding of each name (the one `bindings.find` by name would give). */
  bindings: Map<string, StateBinding>;
  /** Every name a binding's dotted name continues: `a` and `a.b` for `a.b.c`. */
  parents: Set<string>;
  /** Singletons' fields by the module-level names that hold the instance, in the order of the bindings. */
  instances: Map<string, StateBinding[]>;
  /** The first import of each local name. */
  imports: Map<string, ImportFact>;
}

const namesOf = new WeakMap<CodeFacts, Names>();

function names(file: CodeFacts): Names {
  let n = namesOf.get(file);
  if (n) return n;
  n = { bindings: new Map(), parents: new Set(), instances: new Map(), imports: new Map() };
  for (const b of file.bindings) {
    if (!n.bindings.has(b.name)) n.bindings.set(b.name, b);
    for (let dot = b.name.indexOf('.'); dot >= 0; dot = b.name.indexOf('.', dot + 1)) n.parents.add(b.name.slice(0, dot));
    if (b.decl !== 'instance') continue;
    for (const v of b.vars ?? []) {
      const list = n.instances.get(v);
      if (!list) n.instances.set(v, [b]);
      else if (list[list.length - 1] !== b) list.push(b);
    }
  }
  for (const i of file.imports) if (!n.imports.has(i.local)) n.imports.set(i.local, i);
  namesOf.set(file, n);
  return n;
}

/**
 * Queries over the code facts of one service: which binding an imported name refers to (through
 * re-exports, ESM and CommonJS), whether a function only runs at start-up, and which timer
 * handles some file clears. Everything is computed from facts; nothing here sees a syntax tree.
 */
export class StateIndex {
  private readonly startup = new Map<string, Map<string, boolean>>();
  private callSites?: Map<string, Map<string, Site[]>>;
  private readonly replica: Set<CodeFacts>;

  /** `files` run in the replicas; the rest of `all` (tests, scripts, browser code, other packages) only tells where functions are called from. */
  constructor(
    private readonly modules: ModuleIndex,
    readonly files: CodeFacts[],
    private readonly all: readonly CodeFacts[],
  ) {
    this.replica = new Set(files);
  }

  /**
   * The local name and file an imported name refers to, following re-exports. A chain of thousands
   * of modules, each importing the name and exporting it again, is followed with an explicit stack
   * rather than a recursion per module: a frame for each import whose module re-exports an import
   * in turn, answered and remembered in the order the recursion would, from the end of the chain.
   */
  importTarget(file: CodeFacts, local: string, path: string[]): (Target & { esm: boolean }) | undefined {
    const frames: { memo: Map<string, (Target & { esm: boolean }) | null>; key: string; esm: boolean; pending: PendingExport }[] = [];
    let t: (Target & { esm: boolean }) | undefined;
    for (;;) {
      // Resolution depends only on the run's files, so services of one run share the answers.
      // Keyed by the file's facts, then by the name (and member path): strings the facts already hold.
      let memo = resolved.get(this.modules);
      if (!memo) resolved.set(this.modules, (memo = new WeakMap()));
      let mine = memo.get(file);
      if (!mine) memo.set(file, (mine = new Map()));
      const key = path.length ? `${local}\0${path.join('.')}` : local;
      const known = mine.get(key);
      if (known !== undefined) {
        t = known ?? undefined;
        break;
      }
      const imp = names(file).imports.get(local);
      const target = imp && this.modules.resolveImport(file.file, imp.module);
      const found = imp && target ? this.startExport(target, [...imp.path, ...path]) : undefined;
      if (found && 'follow' in found) {
        frames.push({ memo: mine, key, esm: imp!.kind === 'esm', pending: found });
        ({ file, local, path } = found.follow);
        continue;
      }
      t = found && { ...found, esm: imp!.kind === 'esm' };
      mine.set(key, t ?? null);
      break;
    }
    for (let f = frames.pop(); f; f = frames.pop()) {
      t = { ...this.finishExport(f.pending, t), esm: f.esm };
      f.memo.set(f.key, t);
    }
    return t;
  }

  /** What `file` exports under `chain`; many importers ask the same barrel for the same names. */
  private exported(file: CodeFacts, chain: string[]): Target | undefined {
    const found = this.startExport(file, chain);
    if (!found || !('follow' in found)) return found;
    const { file: next, local, path } = found.follow;
    return this.finishExport(found, this.importTarget(next, local, path));
  }

  /**
   * {@link exported} up to the import its export may name: the answer (remembered, or found), or
   * the import to follow, with what {@link finishExport} does once it is followed.
   */
  private startExport(file: CodeFacts, chain: string[]): Target | PendingExport | undefined {
    let memo = exports.get(this.modules);
    if (!memo) exports.set(this.modules, (memo = new WeakMap()));
    let mine = memo.get(file);
    if (!mine) memo.set(file, (mine = new Map()));
    const key = chain.join('.');
    const known = mine.get(key);
    if (known !== undefined) return known ?? undefined;
    // Modules importing a name from each other and exporting it again ask for it again while it is
    // being answered (the lookup would never end): asked again, it is not found, so the module that
    // re-exports it is taken to hold it, and holds no binding (a star beside that module which does
    // reach the binding is not tried).
    mine.set(key, null);
    const t = this.exportTarget(file, chain, 0);
    if (t && 'follow' in t) return { ...t, memo: mine, key };
    mine.set(key, t ?? null);
    return t;
  }

  /** The end of {@link exported}: where the import its export names lands, else the module that re-exports it. */
  private finishExport(p: PendingExport, imported: Target | undefined): Target {
    const t = imported ?? p.otherwise;
    p.memo.set(p.key, t);
    return t;
  }

  /**
   * `star`: reached through `export * from`, which never re-exports a default. An export of a name
   * the module imports is not followed here: the import is handed back to follow (see {@link importTarget}).
   */
  private exportTarget(file: CodeFacts, chain: string[], depth: number, star = false): Target | Reexport | undefined {
    if (depth > 8) return undefined;
    const [head, ...rest] = chain;
    const ix = exportIndex(file);
    for (const e of ix.byName.get(head ?? 'default') ?? []) {
      if (e.local) {
        const n = names(file);
        const own = n.bindings.has(e.local) || n.parents.has(e.local);
        const here = { file, local: e.local, rest: head === undefined ? chain : rest };
        if (!own && n.imports.has(e.local)) return { follow: { file, local: e.local, path: here.rest }, otherwise: here };
        return here;
      }
      const next = e.from ? this.modules.resolveImport(file.file, e.from) : undefined;
      if (next) return this.exportTarget(next, e.imported === '*' ? rest : [e.imported ?? head!, ...rest], depth + 1);
    }
    // A barrel of barrels: only the branches that export the name at all are followed.
    for (const next of ix.stars.length ? this.stars().leadingTo(file, head ?? 'default') : []) {
      const t = this.exportTarget(next, chain, depth + 1, true);
      if (t) return t;
    }
    // CommonJS `module.exports = x`: a whole-module require then walks into x.
    const whole = head !== undefined && !star && ix.byName.get('default')?.find((e) => e.local);
    return whole ? { file, local: whole.local!, rest: chain } : undefined;
  }

  /** The run's `export * from` links, gathered the first time a barrel is asked for a name. */
  private stars(): StarExports {
    let stars = starExports.get(this.modules);
    if (!stars) starExports.set(this.modules, (stars = new StarExports(this.modules)));
    return stars;
  }

  /** The binding a write changes, in its own file or through an import. */
  bindingOf(file: CodeFacts, w: StateWrite): BindingWrite | undefined {
    if (w.binding) {
      const binding = names(file).bindings.get(w.binding);
      return binding && { owner: file, binding, rest: w.path, esm: false };
    }
    const t = w.import !== undefined ? this.importTarget(file, w.import, w.path) : undefined;
    if (!t) return undefined;
    const there = names(t.file);
    const two = t.rest.length ? there.bindings.get(`${t.local}.${t.rest[0]}`) : undefined;
    if (two) return { owner: t.file, binding: two, rest: t.rest.slice(1), esm: t.esm };
    // `registry.items.push(x)` on the one instance another module exports: that singleton's field.
    const field = t.rest.length ? there.instances.get(t.local)?.find((b) => b.name.endsWith(`#${t.rest[0]}`)) : undefined;
    if (field) return { owner: t.file, binding: field, rest: t.rest.slice(1), esm: false };
    const binding = there.bindings.get(t.local);
    return binding && { owner: t.file, binding, rest: t.rest, esm: t.esm };
  }

  /**
   * Is this NestJS provider no singleton: request- or transient-scoped by its own decorator, or
   * request-scoped because a provider it injects is, in its file or (followed here) in another
   * module? One instance per request is no replica state.
   */
  requestScoped(file: CodeFacts, cls: string): boolean {
    return this.scopeOf(file, cls, new Set()) !== undefined;
  }

  private scopeOf(file: CodeFacts, cls: string, seen: Set<string>): 'request' | 'transient' | undefined {
    const key = `${file.file}#${cls}`;
    if (this.scoped.has(key)) return this.scoped.get(key);
    if (seen.has(key)) return undefined;
    seen.add(key);
    const p = file.providers.find((x) => x.cls === cls);
    let out = p?.scope;
    for (const inj of p?.injects ?? []) {
      if (out) break;
      const target = this.modules.resolveImport(file.file, inj.module);
      const t = target && this.exported(target, inj.name === 'default' ? [] : [inj.name]);
      // Transient scope does not bubble up to whoever injects it; request scope does.
      if (t && this.scopeOf(t.file, t.local, seen) === 'request') out = 'request';
    }
    this.scoped.set(key, out);
    return out;
  }

  private readonly scoped = new Map<string, 'request' | 'transient' | undefined>();

  /** Code in this context may run more than once per process (a request, a callback, or a function or method not only called at start-up). */
  isRuntime(file: CodeFacts, ctx: RunContext): boolean {
    if (ctx.run === 'top' || ctx.run === 'startup' || ctx.run === 'signal') return false;
    // The decorator a decorator factory returns runs when the class it decorates is defined.
    if (ctx.returnedBy && this.onlyDecorates(file, ctx.returnedBy)) return false;
    if (ctx.run === 'function' || (ctx.run === 'method' && ctx.fn)) return !this.isStartupFunction(file, ctx.fn ?? '');
    return true;
  }

  /**
   * A top-level function (or static method, constructor, method of a module-level object, or any
   * method by its name) that never runs at run time in a replica: it starts the server, or it is
   * called only from start-up or shutdown code (module top level, start-up callbacks, signal
   * handlers, other such functions), or only from tests, scripts and browser code.
   */
  isStartupFunction(file: CodeFacts, fn: string): boolean {
    // A call chain of thousands of functions (or a ring of them) is walked with an explicit stack,
    // asking the callers of each in the order a recursive `every` would, so cycles get the same answers.
    const first = this.startupCall(file, fn);
    if (typeof first === 'boolean') return first;
    const stack = [first];
    // The answer of the function last decided; a `false` decides its caller too. A frame just pushed
    // has asked none of its callers yet, which `true` (the answer of an empty `every`) stands for.
    let answer = true;
    for (;;) {
      const call = stack[stack.length - 1]!;
      let next: StartupCall | boolean = answer;
      while (next === true && call.at < call.sites.length) {
        const s = call.sites[call.at++]!;
        // A call under a lazy one-time guard runs once, wherever the guard stands.
        if (s.run === 'top' || s.run === 'startup' || s.run === 'signal' || s.once) continue;
        next = s.run === 'function' || (s.run === 'method' && !!s.fn) ? this.startupCall(s.file, s.fn ?? '') : false;
      }
      if (typeof next !== 'boolean') {
        stack.push(next);
        continue;
      }
      answer = next;
      stack.pop();
      call.memo.set(call.fn, answer);
      if (!stack.length) return answer;
    }
  }

  /**
   * The start of {@link isStartupFunction}: the answer when it needs no callers (known, a server
   * function, a name that says so, nobody calling it), else the calls in the replicas still to ask.
   * Until they are asked the function counts as run-time code, which is what a cycle of calls sees.
   */
  private startupCall(file: CodeFacts, fn: string): StartupCall | boolean {
    const byName = fn.startsWith('.');
    const member = fn.indexOf('#');
    const method = byName || member > 0;
    // Answers by the declaring file (`.` for methods by name), then the function: no key joining the two is built per question.
    const owner = byName ? '.' : file.file;
    let memo = this.startup.get(owner);
    if (!memo) this.startup.set(owner, (memo = new Map()));
    const known = memo.get(fn);
    if (known !== undefined) return known;
    const remember = (startup: boolean) => {
      memo.set(fn, startup);
      return startup;
    };
    if (!byName && file.serverFns.includes(fn)) return remember(true);
    // A method known only by its name (`strategy.init(injector)` on any receiver) matches every
    // same-named call of the run: one that says it initialises is taken at its word.
    if (byName && SETUP_NAME.test(fn.slice(1))) return remember(true);
    memo.set(fn, false);
    const self = (s: Site) => s.fn === fn && (method ? s.run === 'method' : s.file === file && s.run === 'function');
    // A class's method (`Loader#load`): calls through `this` or `new Loader()`, and calls by name on other receivers.
    const own = this.sitesOf(byName ? '.' : file.file, fn);
    const all = member > 0 ? [...own, ...this.sitesOf('.', `.${fn.slice(member + 1)}`)] : own;
    const sites = all.filter((s) => !self(s));
    // Calls in tests, scripts, browser code and other packages never happen in this service's replicas.
    const inReplica = sites.filter((s) => this.replica.has(s.file));
    // Nobody in the service calls it (dependency injection, plugin loaders reached through instances
    // or a computed require): trust a name that says it initialises, else take it as run-time code.
    if (!sites.length) return remember(INIT_NAME.test(fn.split(/[.#]/).pop()!));
    // Start-up when every call in the replicas is: at the top level, in start-up code or a signal
    // handler, or in a function or method that is itself start-up code.
    return { memo, fn, sites: inReplica, at: 0 };
  }

  /**
   * Is a top-level function that assigns `binding` a lazy one-time initialisation of it: called in
   * the replicas only under a guard that it is still unset (`if (client) return client; return
   * setup();`, `client ?? (await setup())`), in this file or through an import of the binding, or
   * from start-up code? Then it assigns the binding once per process.
   */
  onlyInitialises(file: CodeFacts, fn: string, binding: string): boolean {
    let guarded = false;
    for (const s of this.sitesOf(file.file, fn)) {
      if (!this.replica.has(s.file) || (s.file === file && s.fn === fn && s.run === 'function')) continue;
      if (s.guard !== undefined && this.guardsBinding(s, file, binding)) guarded = true;
      else if (s.run === 'top' || s.run === 'startup' || s.run === 'signal' || s.once) continue;
      else if (!((s.run === 'function' || (s.run === 'method' && s.fn)) && this.isStartupFunction(s.file, s.fn ?? ''))) return false;
    }
    return guarded;
  }

  /** Does the call's guard name this binding of `file`: the binding itself, or an import of it? */
  private guardsBinding(s: Site, file: CodeFacts, binding: string): boolean {
    const guard = s.guard!;
    if (s.file === file && names(file).bindings.has(guard)) return guard === binding;
    const [root, ...rest] = guard.split('.');
    const t = names(s.file).imports.has(root!) ? this.importTarget(s.file, root!, rest) : undefined;
    return !!t && t.file === file && !t.rest.length && t.local === binding;
  }

  /**
   * Is this function or method reached at run time, as far as the calls of the run show? A call in a
   * request handler, a callback or a job is; a call from another function or method is when that
   * one is; a method nobody is seen calling is not, unless a framework calls it by its name
   * (`handleConnection`, `canActivate`, ...). Stricter than {@link isStartupFunction}, which takes
   * what nobody calls as run time: a singleton's fields are only reported on evidence.
   */
  reachedAtRunTime(file: CodeFacts, fn: string): boolean {
    // Walked with an explicit stack, asking the callers in the order a recursive `some` would: a
    // function met again while it is asked about counts as not reached, without being remembered.
    const seen = new Set<string>();
    const first = this.reachCall(file, fn, seen);
    if (typeof first === 'boolean') return first;
    const stack = [first];
    // The answer of the function last decided; a `true` decides its caller too. A frame just pushed
    // has asked none of its callers yet, which `false` (the answer of an empty `some`) stands for.
    let answer = false;
    for (;;) {
      const call = stack[stack.length - 1]!;
      let next: ReachCall | boolean = answer;
      while (next === false && call.at < call.sites.length) {
        const s = call.sites[call.at++]!;
        if (call.self(s) || !this.replica.has(s.file)) continue;
        if (s.run === 'request' || s.run === 'callback' || s.run === 'deferred') next = true;
        else if ((s.run === 'function' || s.run === 'method') && s.fn) next = this.reachCall(s.file, s.fn, seen);
      }
      if (typeof next !== 'boolean') {
        stack.push(next);
        continue;
      }
      answer = next;
      stack.pop();
      this.reached.set(call.key, answer);
      if (!stack.length) return answer;
    }
  }

  /** The start of {@link reachedAtRunTime}: the answer when it needs no callers, else the calls to ask. */
  private reachCall(file: CodeFacts, fn: string, seen: Set<string>): ReachCall | boolean {
    const member = fn.indexOf('#');
    const byName = fn.startsWith('.');
    const key = byName ? fn : `${file.file}#${fn}`;
    const known = this.reached.get(key);
    if (known !== undefined) return known;
    if (seen.has(key)) return false;
    seen.add(key);
    const name = fn.slice(Math.max(member, fn.lastIndexOf('.')) + 1);
    if (FRAMEWORK_HOOK.test(name)) {
      this.reached.set(key, true);
      return true;
    }
    const method = byName || member > 0;
    const self = (s: Site) => s.fn === fn && (method ? s.run === 'method' : s.file === file && s.run === 'function');
    const own = this.sitesOf(byName ? '.' : file.file, fn);
    const sites = member > 0 ? [...own, ...this.sitesOf('.', `.${name}`)] : own;
    return { key, self, sites, at: 0 };
  }

  private readonly reached = new Map<string, boolean>();

  /** Is every call of this top-level function a decorator (`@Money()`) of a class defined at start-up? */
  private onlyDecorates(file: CodeFacts, fn: string): boolean {
    const sites = this.sitesOf(file.file, fn);
    return sites.length > 0 && sites.every((s) => s.decorator && (s.run === 'top' || s.run === 'startup'));
  }

  /** The call sites of a function of a file (`name`, `Class#method`, `object.method`), or of a method by its name (file `.`, `.name`). */
  private sitesOf(file: string, fn: string): readonly Site[] {
    return this.sites().get(file)?.get(fn) ?? NONE;
  }

  /**
   * Call sites of every top-level function, by the file that declares it and its name (methods by
   * name under `.`: `.name`), resolved through imports once. By file first: the file's name is a
   * string the facts hold, hashed once, where a key joining it to the name would be hashed anew for
   * every call.
   */
  private sites(): Map<string, Map<string, Site[]>> {
    if (this.callSites) return this.callSites;
    const shared = allSites.get(this.all);
    if (shared) return (this.callSites = shared);
    const out = new Map<string, Map<string, Site[]>>();
    const push = (owner: string, fn: string, file: CodeFacts, c: { run: RunContext['run']; fn?: string; decorator?: boolean; once?: boolean; guard?: string }) => {
      let byFn = out.get(owner);
      if (!byFn) out.set(owner, (byFn = new Map()));
      const list = byFn.get(fn);
      const site: Site = { file, run: c.run, fn: c.fn };
      if (c.decorator) site.decorator = true;
      if (c.once) site.once = true;
      if (c.guard) site.guard = c.guard;
      if (list) list.push(site);
      else byFn.set(fn, [site]);
    };
    for (const f of this.all) {
      if (!f.fnCalls.length) continue;
      const imported = new Set(f.imports.map((i) => i.local));
      for (const c of f.fnCalls) {
        const last = c.path[c.path.length - 1];
        const member = last?.startsWith('#') ? last : '';
        if (c.name.startsWith('.')) push('.', c.name, f, c);
        else if (!imported.has(c.name)) push(f.file, c.path.length ? `${c.name}.${c.path.join('.')}` : c.name, f, c);
        else {
          const t = this.importTarget(f, c.name, member ? c.path.slice(0, -1) : c.path);
          if (t) {
            push(t.file.file, `${t.rest.length ? `${t.local}.${t.rest.join('.')}` : t.local}${member}`, f, c);
            // `registry.add()` on the one instance another module keeps in `registry`: that class's method.
            const cls = t.rest.length === 1 && !member ? names(t.file).instances.get(t.local)?.[0]?.name.split('#')[0] : undefined;
            if (cls) push(t.file.file, `${cls}#${t.rest[0]}`, f, c);
            // `registry.registerHandler()` on an instance another module exports (`export const registry = new Registry()`): also the method, by its name.
            if (t.rest.length && !member && CALLED_BY_NAME.test(last!)) push('.', `.${last}`, f, c);
          }
          // `program.loadDefinitions()` on an instance exported by one of the service's modules: a method, known by its name.
          else if (last && CALLED_BY_NAME.test(last) && this.modules.resolveImport(f.file, names(f).imports.get(c.name)!.module)) {
            push('.', `.${member ? member.slice(1) : last}`, f, c);
          }
        }
      }
    }
    allSites.set(this.all, out);
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

/**
 * The state queries of one service: the files that run in its replicas, with every other code file
 * of the run (its tests, scripts and browser code, other packages and their tests) telling only
 * where functions are called from: a call there never happens in this service's replicas.
 */
export function serviceState(app: App, service: Service): StateIndex {
  const code = serviceCode(app, service);
  // A package of test helpers starts servers for tests only.
  const runtime = isTestPackage(service) ? [] : code.runtime;
  let all = allFiles.get(app);
  if (!all) allFiles.set(app, (all = app.packages.flatMap((p) => p.files)));
  return new StateIndex(app.modules, runtime, all);
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
 * anyway), connections or browsers (re)opened at run time, a boolean flag flipped outside
 * request handlers (`redisReady = true` in a 'ready' listener, `loaded = true` after a one-time
 * setup), or Map/Set entries that only live while an operation runs: deleted again by the same
 * function in a `finally`, or promises of work in progress that are deleted when they settle.
 */
export function isBookkeeping(b: StateBinding, writes: { file: CodeFacts; write: StateWrite }[]): boolean {
  if (writes.some((x) => x.write.fnValue)) return true;
  // A browser or connection reopened at run time (a reconnect): each process holds its own.
  if (writes.every((x) => x.write.handle)) return true;
  if (b.bool && writes.every(({ write: w }) => w.op === 'assign' && w.bool && w.run !== 'request')) return true;
  if (b.value !== 'Map' && b.value !== 'Set') return false;
  // Promises of work in progress, dropped again when it settles: in-flight de-duplication.
  if (writes.some((x) => x.write.promise) && writes.every((x) => x.write.promise || x.write.method === 'delete')) return true;
  // A Map or Set declared to hold promises, only added to and deleted from: a queue of work per key.
  if (b.promises && writes.some((x) => x.write.method === 'delete' && !x.write.onFailure) && writes.every((x) => x.write.op === 'call' && /^(?:set|add|delete)$/.test(x.write.method ?? ''))) return true;
  const fn = (x: { file: CodeFacts; write: StateWrite }) => `${x.file.file}:${x.write.viaLine}`;
  const cleaned = new Set(writes.filter((x) => x.write.transient).map(fn));
  return cleaned.size > 0 && writes.every((x) => x.write.transient || cleaned.has(fn(x)));
}
