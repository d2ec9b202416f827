import type { App, Service } from '../model.js';
import type { Location, Span } from '../types.js';
import { exportedLocal, resolveMember } from './bindings.js';
import type { Arg, CodeFacts, MountFact, MountTarget, RouteFact } from './facts.js';
import type { ModuleIndex } from './modules.js';
import { runtimeFiles } from './scope.js';

/** One route a service serves, with its full path. */
export interface Route {
  /** Upper-case method; `ALL` for any. */
  method: string;
  /**
   * The full path, prefixes applied; `{…}` marks a part that is not literal (a prefix that is not
   * literal is one `{…}` segment, which may also be empty). Undefined when the route's own path is not literal.
   */
  path?: string;
  /** The path expression's text when it is not literal. */
  pathText?: string;
  /** Every prefix on the way is known: each router was found mounted (or is the app itself) under literal prefixes. */
  exact: boolean;
  framework: string;
  /** The library serving it (`@godaddy/terminus`, `lightship`, `@nestjs/terminus`, `@fastify/under-pressure`). */
  library?: string;
  /** A port of the library's own (lightship). */
  port?: Arg;
  /** Something this run cannot see is mounted here (`app.use('/health', healthcheck())`): it serves the prefix. */
  mounted?: boolean;
  /** Where the route is declared. */
  at: Location;
  handler?: Location & { name?: string };
}

interface Node {
  file: CodeFacts;
  owner: string;
}

interface Edge {
  parent: string;
  prefix?: string;
}

interface Chain {
  prefix?: string;
  exact: boolean;
}

const cache = new WeakMap<Service, Route[]>();

/** A part of a path that is not literal. */
const UNKNOWN = '{…}';

/** The routes of a service: its own files and every file they import, test code aside. Computed once per service. */
export function serviceRoutes(app: App, service: Service): Route[] {
  let routes = cache.get(service);
  if (!routes) {
    // In declaration order (file, then line), whatever order the files came in.
    routes = routeTable(runtimeFiles(app, service), app.modules).sort(
      (a, b) => (a.at.file < b.at.file ? -1 : a.at.file > b.at.file ? 1 : a.at.line - b.at.line || a.at.column - b.at.column),
    );
    cache.set(service, routes);
  }
  return routes;
}

/**
 * Join the per-file route facts of some files into full routes: routers mounted with a prefix
 * (`app.use('/api', router)`, also across files), Fastify plugins registered with `{ prefix }`,
 * Koa router prefixes, Nest controller paths under `setGlobalPrefix` and URI versioning. A router that is never found
 * mounted keeps its own paths, marked not exact.
 */
export function routeTable(files: CodeFacts[], modules: ModuleIndex): Route[] {
  const key = (file: CodeFacts, owner: string) => `${file.file}\u0000${owner}`;
  const nodes = new Map<string, Node>();
  const routesAt = new Map<string, RouteFact[]>();
  const parents = new Map<string, Edge[]>();
  const own = new Map<string, string | undefined>();
  const unseen: { file: CodeFacts; mount: MountFact }[] = [];
  let global: MountFact | undefined;
  let versioned = false;
  const inRun = new Set(files);

  const node = (file: CodeFacts, owner: string) => {
    const k = key(file, owner);
    if (!nodes.has(k)) nodes.set(k, { file, owner });
    return k;
  };
  for (const f of files) {
    for (const r of f.routes) {
      const k = node(f, r.owner);
      const list = routesAt.get(k);
      if (list) list.push(r);
      else routesAt.set(k, [r]);
    }
  }
  const mounts: { file: CodeFacts; mount: MountFact; parent: string; targets: string[] }[] = [];
  for (const f of files) {
    for (const m of f.mounts) {
      if (m.kind === 'global') global ??= m;
      else if (m.kind === 'version') versioned = true;
      else if (m.kind === 'prefix') own.set(node(f, m.owner), m.prefix);
      else {
        const targets = m.target ? resolveTarget(f, m.target, modules).filter((t) => inRun.has(t.file)) : [];
        mounts.push({ file: f, mount: m, parent: node(f, m.owner), targets: targets.map((t) => node(t.file, t.owner)) });
      }
    }
  }
  const mounting = new Set(mounts.map((m) => m.parent));
  for (const { file, mount, parent, targets } of mounts) {
    const found = targets.filter((k) => k !== parent && (routesAt.has(k) || mounting.has(k)));
    for (const child of found) {
      const list = parents.get(child);
      const edge = { parent, prefix: mount.prefix };
      if (list) list.push(edge);
      else parents.set(child, [edge]);
    }
    if (!found.length && mount.prefix) unseen.push({ file, mount });
  }

  const chainsOf = (k: string, seen: Set<string>): Chain[] => {
    const n = nodes.get(k)!;
    const ownPrefix = own.has(k) ? own.get(k) : '';
    const edges = parents.get(k);
    if (!edges?.length || seen.size > 8) return [{ prefix: ownPrefix, exact: ownPrefix !== undefined && !mustBeMounted(n) }];
    const out: Chain[] = [];
    for (const e of edges) {
      if (seen.has(e.parent)) continue;
      for (const c of chainsOf(e.parent, new Set([...seen, e.parent]))) {
        out.push({ prefix: join(c.prefix, e.prefix, ownPrefix), exact: c.exact && e.prefix !== undefined && ownPrefix !== undefined });
      }
    }
    return out.length ? out : [{ prefix: ownPrefix, exact: false }];
  };

  const out: Route[] = [];
  for (const [k, list] of routesAt) {
    const n = nodes.get(k)!;
    const chains = chainsOf(k, new Set([k]));
    for (const r of list) {
      for (const c of chains) {
        let prefix = c.prefix;
        // URI versioning puts the version after the global prefix: one segment this table does not know (`v1`, or none for VERSION_NEUTRAL).
        if (r.framework === 'nest' && versioned) prefix = join(UNKNOWN, prefix);
        if (r.framework === 'nest' && global && !excluded(global, r.path)) prefix = join(global.prefix, prefix);
        out.push(toRoute(n.file, r, prefix, c.exact && r.path !== undefined));
      }
    }
  }
  if (files.some((f) => f.imports.some((i) => i.module === 'next'))) out.push(...nextFileRoutes(files));
  for (const { file, mount } of unseen) {
    for (const c of chainsOf(key(file, mount.owner), new Set())) {
      const path = join(c.prefix, mount.prefix);
      out.push({ method: 'ALL', ...(path !== undefined ? { path } : {}), exact: false, framework: mount.framework, mounted: true, at: { file: file.file, ...mount.span } });
    }
  }
  return out;
}

const NEXT_PAGES_API = /(?:^|\/)pages\/(api(?:\/.*)?)\.[cm]?[jt]sx?$/;
const NEXT_APP_ROUTE = /(?:^|\/)app\/((?:.*\/)?)route\.[cm]?[jt]s$/;

/** A Next.js custom server serves its file routes: `pages/api/health.ts` is `/api/health`, `app/healthz/route.ts` is `/healthz`. */
function nextFileRoutes(files: CodeFacts[]): Route[] {
  const out: Route[] = [];
  for (const f of files) {
    const page = NEXT_PAGES_API.exec(f.file);
    const route = page ? '/' + page[1]!.replace(/\/index$/, '') : NEXT_APP_ROUTE.exec(f.file)?.[1]?.replace(/\([^/]*\)\//g, '');
    if (route === undefined) continue;
    const path = join(route.replace(/\[\[?\.{3}(\w+)\]?\]/g, '*').replace(/\[(\w+)\]/g, ':$1'));
    out.push({ method: 'ALL', ...(path !== undefined ? { path } : {}), exact: true, framework: 'next', at: { file: f.file, line: 1, column: 1, endLine: 1, endColumn: 1 } });
  }
  return out;
}

/** The owners a mount target names, in this file or in the file it imports. */
function resolveTarget(f: CodeFacts, t: MountTarget, modules: ModuleIndex): { file: CodeFacts; owner: string }[] {
  if (t.owner) return [{ file: f, owner: t.owner }];
  let file: CodeFacts = f;
  let local = t.member;
  if (t.module) {
    const b = resolveMember(modules, f, t.module, t.member ?? 'default');
    if (!b) return [];
    file = b.file;
    local = b.local;
  }
  const candidates = local ? [local, `fn:${local}`] : ['default', 'fn:default'];
  if (t.call && local) {
    // What a function returns: the routers its body declares routes on.
    for (const r of file.routes) if (r.fn === local) candidates.push(r.owner);
  }
  if (!local && t.member === 'default') {
    const named = exportedLocal(file, 'default');
    if (named) candidates.push(named, `fn:${named}`);
  }
  return [...new Set(candidates)].map((owner) => ({ file, owner }));
}

/**
 * Routers and plugins are mounted by someone; an app (or an owner this run cannot tell) is a root.
 * Routes a class declares on itself (`this.get('/', ...)` in a controller class) belong to a router
 * that someone mounts, usually as `new HealthController().router`.
 */
function mustBeMounted(n: Node): boolean {
  if (n.owner.startsWith('fn:') || n.owner === 'this') return true;
  const inst = n.file.instances.find((i) => i.local === n.owner);
  return !!inst && (inst.path.includes('Router') || /router/.test(inst.module));
}

function excluded(global: MountFact, path: string | undefined): boolean {
  if (path === undefined) return false;
  const p = trim(path);
  return (global.exclude ?? []).some((e) => {
    const x = trim(e);
    return x === p || (/\(\.\*\)$|\*$/.test(x) && p.startsWith(x.replace(/\/?(?:\(\.\*\)|\*)$/, '')));
  });
}

function toRoute(file: CodeFacts, r: RouteFact, prefix: string | undefined, exact: boolean): Route {
  // Under a prefix that is not literal (`app.use(config.prefix, router)`), the route keeps its own path: `/{…}/health`.
  const path = r.path !== undefined ? join(prefix ?? UNKNOWN, r.path) : undefined;
  const route: Route = { method: r.method, exact: exact && path !== undefined && !path.includes('{…}'), framework: r.framework, at: { file: file.file, ...r.span } };
  if (path !== undefined) route.path = path;
  if (r.pathText !== undefined) route.pathText = r.pathText;
  if (r.library) route.library = r.library;
  if (r.port) route.port = r.port;
  if (r.handler) route.handler = { file: file.file, ...(r.handler.span as Span), ...(r.handler.name ? { name: r.handler.name } : {}) };
  return route;
}

function trim(s: string): string {
  return s.replace(/^\/+|\/+$/g, '');
}

/** Join path parts with single slashes and a leading one; undefined when any part is not known. */
export function join(...parts: (string | undefined)[]): string | undefined {
  if (parts.some((p) => p === undefined)) return undefined;
  const segs = (parts as string[]).map(trim).filter(Boolean);
  return '/' + segs.join('/');
}

/** The segments of a path: `/api/health/live` → `['api', 'health', 'live']`. */
export function segments(path: string): string[] {
  return path.split('/').filter(Boolean);
}
