import type { App, Service } from '../model.js';
import type { Arg, CodeFacts } from './facts.js';
import { buildsImage, insidePackage, isStaticAsset, isTestOrTooling, isTestPath, isTestSuite } from './paths.js';

/** Imports that make a file browser code. */
const UI_MODULE = /^(?:react|react-dom|react-native|preact|vue|svelte|solid-js|lit|mobx-react|mobx-react-lite|react-router|react-router-dom|@remix-run\/react|@angular\/(?:core|common|forms|router|material|cdk|platform-browser)|@vue\/[\w-]+|@sveltejs\/[\w-]+|next\/(?:router|navigation|link|image|head|dynamic))(?:\/.*)?$/;
const UI_FILE = /\.(?:tsx|jsx)$/;
/** Libraries that only draw in a browser: a file that uses them is front-end code even when the server imports it (for an editor schema, constants). */
const DOM_MODULE = /^(?:prosemirror-view|@tiptap\/pm\/view|@codemirror\/view|monaco-editor|leaflet|mapbox-gl|maplibre-gl)(?:\/.*)?$/;

/** A service's code: what runs in its replicas, and the rest of its package (tests, scripts, browser code). */
export interface ServiceCode {
  runtime: CodeFacts[];
  other: CodeFacts[];
  /**
   * Runtime files the server loads but whose functions run in a browser: UI files (`.tsx`, a React
   * import), files it reaches only through them, and files that use the DOM without checking
   * `typeof window`. A shared editor package the server imports for its document schema is one.
   */
  browser: Set<CodeFacts>;
  /** The files the server's entries reach through imports (the rest of `runtime` is loaded some other way, or by another process). */
  reached: Set<CodeFacts>;
}

const cache = new WeakMap<Service, ServiceCode>();

/** The files that run in a service's replicas (see {@link serviceCode}). */
export function runtimeFiles(app: App, service: Service): CodeFacts[] {
  return serviceCode(app, service).runtime;
}

/**
 * A service's code split in two. Runtime: every file its server files reach through
 * imports (relative, tsconfig `paths`/`baseUrl`, workspace packages; `import type` loads nothing;
 * not through a file that draws in a browser, like a ProseMirror view plugin of a shared editor),
 * plus the other files of the server's source tree unless they are browser code (a UI framework import, `.tsx`/`.jsx`,
 * reached only from such files, or static files under `public/` or `static/`), tests (a `test.js`
 * that imports a test library too), mocks, scripts, migrations, stories, tool configs, or
 * the other commands of a CLI whose `start` command is the server, which are the other part.
 * A counter in a React hook or a migration script never lives in a replica.
 */
export function serviceCode(app: App, service: Service): ServiceCode {
  const known = cache.get(service);
  if (known) return known;
  const m = app.modules;
  const closure = (roots: CodeFacts[], stop: (f: CodeFacts) => boolean, expand: (f: CodeFacts) => boolean = () => true): Set<CodeFacts> => {
    const seen = new Set<CodeFacts>(roots);
    const queue = [...roots];
    while (queue.length) {
      const f = queue.pop()!;
      if (!expand(f)) continue;
      for (const imp of f.imports) {
        if (imp.typeOnly) continue;
        const t = m.resolveImport(f.file, imp.module);
        if (t && !seen.has(t) && !stop(t)) {
          seen.add(t);
          queue.push(t);
        }
      }
    }
    return seen;
  };
  const isDom = (f: CodeFacts) => f.imports.some((i) => !i.typeOnly && DOM_MODULE.test(i.module));
  const isUi = (f: CodeFacts) => UI_FILE.test(f.file) || isDom(f) || f.imports.some((i) => !i.typeOnly && UI_MODULE.test(i.module));
  const rel = (f: CodeFacts) => insidePackage(f.file, service.folder) ?? f.file;
  const isTooling = (f: CodeFacts) => isTestOrTooling(rel(f)) || isTestSuite(rel(f), f.imports);
  // `history.listen()` in a React file or a test server is no entry point of the replica.
  let entries = service.files.filter((f) => service.servers.some((s) => s.file === f.file) && !isUi(f) && !isTooling(f));
  // When the start script runs one of the servers (`node server/server.js`), a server only another
  // script runs (`node extra/dev-dns-server.js`, a helper for development) is no replica's entry.
  const scripts = service.scriptFiles;
  if (scripts && entries.some((f) => scripts.start.some((s) => sameModule(s, rel(f))))) {
    entries = entries.filter((f) => !scripts.other.some((s) => sameModule(s, rel(f))) || scripts.start.some((s) => sameModule(s, rel(f))));
  }
  const server = closure(entries, isDom);
  const ui = closure(service.files.filter((f) => !server.has(f) && isUi(f)), (f) => server.has(f));
  // Files no import reaches may still be loaded at run time (plugins, `requireDirectory`), but only
  // from the server's own source tree: `src/` when the entry is `src/main.ts`, not `resources/`.
  const top = (f: CodeFacts) => {
    const r = rel(f);
    return r.includes('/') ? r.slice(0, r.indexOf('/')) : '';
  };
  const trees = new Set(entries.map(top));
  const inTree = (f: CodeFacts) => trees.has('') || trees.has(top(f));
  // An entry whose default export is the function that starts the server is one command of a CLI
  // (`commands/start.ts`); the modules next to it that also export a default and that the server
  // does not import are its other commands (`commands/exec.ts`), each run as its own process.
  const dir = (f: CodeFacts) => f.file.slice(0, Math.max(0, f.file.lastIndexOf('/')));
  const isDefault = (f: CodeFacts, local: string) => f.moduleExports.some((e) => e.name === 'default' && e.local === local);
  const commandDirs = new Set(entries.filter((f) => f.serverFns.some((fn) => isDefault(f, fn))).map(dir));
  const isCommand = (f: CodeFacts) => commandDirs.has(dir(f)) && f.moduleExports.some((e) => e.name === 'default');
  // Files under `public/` or `static/` are what the server hands to browsers, unless the server itself lives there.
  const isStatic = (f: CodeFacts) => isStaticAsset(rel(f));
  const staticServer = entries.some(isStatic);
  const out: ServiceCode = { runtime: [], other: [], browser: new Set(), reached: server };
  for (const f of server) (isTestPath(rel(f)) ? out.other : out.runtime).push(f);
  for (const f of service.files) {
    if (server.has(f)) continue;
    if (ui.has(f) || isTooling(f) || (isStatic(f) && !staticServer) || !inTree(f) || isCommand(f)) out.other.push(f);
    else out.runtime.push(f);
  }
  const serverSide = closure(entries, isDom, (f) => !isUi(f));
  for (const f of out.runtime) {
    if (isUi(f) || (server.has(f) && !serverSide.has(f)) || usesBrowserOnly(f)) out.browser.add(f);
  }
  cache.set(service, out);
  return out;
}

/** Calls that start another process or thread on a file: `spawn('node', [__dirname + '/worker.js'])`, `fork('./jobs')`, `new Worker('./w.js')`. */
const PROCESS_MODULES = new Set(['child_process', 'node:child_process', 'worker_threads', 'node:worker_threads', 'cluster', 'node:cluster']);

/**
 * The runtime files of a service that run as a process (or thread) of their own, which the server
 * does not import: the entry another package.json script runs (`"worker": "node src/worker.js"`
 * beside a `start` script that runs the server), or a file the service spawns, forks or starts as a
 * worker thread by name. What such a file installs (a SIGTERM handler, an exit) is that process's,
 * not the server's.
 */
export function separateProcesses(app: App, service: Service): Set<CodeFacts> {
  const out = new Set<CodeFacts>();
  const code = serviceCode(app, service);
  const rel = (f: CodeFacts) => insidePackage(f.file, service.folder) ?? f.file;
  const scripts = service.scriptFiles;
  const servers = new Set(service.servers.map((s) => s.file));
  const startsServer = !!scripts && service.files.some((f) => servers.has(f.file) && scripts.start.some((s) => sameModule(s, rel(f))));
  // The arguments of every call that starts a process or thread that look like a path (`'./cli.js'`,
  // `path.join(__dirname, 'worker')`), not like its own arguments (`['start']`).
  const spawned: string[] = [];
  for (const f of service.files) {
    for (const c of f.libCalls) if (PROCESS_MODULES.has(c.module)) for (const a of c.args) collectText(a, spawned);
  }
  spawned.splice(0, spawned.length, ...spawned.filter((t) => /[/\\]|\.[cm]?[jt]sx?\b|__dirname|__filename|import\.meta/.test(t)));
  if (!startsServer && !spawned.length) return out;
  for (const f of code.runtime) {
    if (code.reached.has(f) || servers.has(f.file)) continue;
    const r = rel(f);
    const byScript = startsServer && scripts!.other.some((s) => sameModule(s, r)) && !scripts!.start.some((s) => sameModule(s, r));
    const stem = r.slice(r.lastIndexOf('/') + 1).replace(/\.[cm]?[jt]sx?$/, '');
    const named = new RegExp(`(?:^|[/'"\\s])${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\.[cm]?[jt]sx?)?(?:$|['"\\s])`);
    if (byScript || (stem !== 'index' && spawned.some((t) => named.test(t)))) out.add(f);
  }
  return out;
}

/** The strings and expression texts of an argument, nested ones too. */
function collectText(a: Arg, out: string[]): void {
  if (a.t === 'str') out.push(a.v);
  else if (a.t === 'other') out.push(a.text);
  else if (a.t === 'arr') for (const i of a.items) collectText(i, out);
  else if (a.t === 'obj') for (const v of Object.values(a.props)) collectText(v, out);
}

/** Do two package paths name the same module, the compiled output standing for its source (`dist/main.js`, `src/main.ts`)? */
function sameModule(a: string, b: string): boolean {
  const stem = (p: string) => p.replace(/^\.\//, '').replace(/\.[cm]?[jt]sx?$/, '');
  const source = (p: string) => stem(p).replace(/^(?:dist|build|lib|out)\//, 'src/');
  return stem(a) === stem(b) || source(a) === stem(b);
}

/** Does the file use a browser-only global (`document.createElement`, `new FileReader()`) it neither declares nor imports, without checking `typeof window`? */
export function usesBrowserOnly(f: CodeFacts): boolean {
  if (f.checksRuntime) return false;
  return f.browserGlobals.some((g) => !f.ownGlobals.includes(g) && !f.imports.some((i) => i.local === g));
}

/**
 * A package of tests or test helpers, by its name or folder (`test-utils`, `integration-tests`,
 * `@acme/testing`): it starts servers for tests, never in a replica. Not when it builds an image
 * for the cluster: `ab-testing` with a Dockerfile is a service.
 */
export function isTestPackage(service: Service): boolean {
  if (buildsImage(service)) return false;
  const words = (x: string | undefined) => (x ?? '').split(/[-_.@/]+/);
  const base = service.folder.slice(service.folder.lastIndexOf('/') + 1);
  return [...words(service.name?.slice(service.name.lastIndexOf('/') + 1)), ...words(base)].some((x) => /^(?:test|tests|testing|e2e)$/i.test(x));
}
