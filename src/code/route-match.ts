import type { App, Service } from '../model.js';
import { serviceRoutes, segments, type Route } from './routes.js';
import { runtimeFiles } from './scope.js';

/** How a service answers a GET on one path (a kubelet `httpGet` probe). */
export type PathAnswer =
  | { kind: 'served'; route: Route }
  /** No route answers GET there; `routes` are the GET routes it has, `otherMethods` the routes on that path for other methods. */
  | { kind: 'not-served'; routes: Route[]; otherMethods: Route[] }
  /** This linter cannot tell: something it does not see may answer (`why` says what). */
  | { kind: 'unknown'; why: string };

/** Modules that may serve any path from middleware mounted without one (health and status middleware, proxies, Apollo Server 2/3), or mount apps under prefixes the route table does not see (koa-mount). */
const OPEN_MODULE = /health|probe|actuator|liveness|readiness|status-monitor|proxy|^apollo-server(?:-[\w-]+)?$|^@hmcts\/|^koa-mount$/i;
const STATIC_MODULE = /^(?:serve-static|koa-static|@fastify\/static|fastify-static|@nestjs\/serve-static|sirv|st)$/;
const METHODS_FOR_GET = new Set(['GET', 'HEAD', 'ALL']);

/** A probe path as the server sees it: no query string or fragment, one slash between segments, no trailing slash. */
export function normalisePath(path: string): string {
  const p = path.replace(/[?#].*$/, '').replace(/\/{2,}/g, '/');
  const withSlash = p.startsWith('/') ? p : `/${p}`;
  return withSlash.length > 1 ? withSlash.replace(/\/+$/, '') || '/' : withSlash;
}

/**
 * Which route answers a GET on `path`, if any. Path parameters (`/users/:id`, Hapi `{id}`),
 * wildcards, trailing slashes and letter case are matched leniently; a route whose prefix is not
 * known matches under any prefix; an `ALL` route (`app.use('/health', fn)`, `app.all`) also answers
 * below its path. HEAD routes count, as frameworks answer HEAD and GET alike. `only` narrows the
 * routes (those of a library's own port).
 */
export function answerFor(app: App, service: Service, path: string, only?: (r: Route) => boolean): PathAnswer {
  const { routes, visible, get } = routesFor(app, service, only);
  const target = normalisePath(path);
  const matching = routes.filter((r) => matches(r, target));
  const served = matching.filter((r) => METHODS_FOR_GET.has(r.method));
  if (served.length) return { kind: 'served', route: best(served) };
  if (!only) {
    const why = unknownWhy(app, service, target);
    if (why) return { kind: 'unknown', why };
  }
  if (!visible) return { kind: 'unknown', why: 'no route of the service is visible' };
  return { kind: 'not-served', routes: get, otherMethods: matching };
}

/** A service's routes that `only` keeps, whether any is visible, and the GET routes with a path among them (shared lists, not to be changed). */
interface Kept {
  routes: Route[];
  visible: boolean;
  get: Route[];
}

const keptCache = new WeakMap<Service, Map<((r: Route) => boolean) | undefined, Kept>>();

/** {@link Kept}, worked out once per service and filter: rules ask for every probe of every container linked to the service. */
function routesFor(app: App, service: Service, only: ((r: Route) => boolean) | undefined): Kept {
  let byFilter = keptCache.get(service);
  if (!byFilter) keptCache.set(service, (byFilter = new Map()));
  let kept = byFilter.get(only);
  if (!kept) {
    const routes = serviceRoutes(app, service).filter((r) => !only || only(r));
    kept = {
      routes,
      // Only library routes (terminus health checks) say nothing of what the application behind them serves.
      visible: routes.some((r) => r.path !== undefined && !r.mounted && (only || !r.library)),
      get: routes.filter((r) => METHODS_FOR_GET.has(r.method) && r.path !== undefined && !r.mounted),
    };
    byFilter.set(only, kept);
  }
  return kept;
}

/** What a service's route table cannot see, worked out once per service. */
interface Blind {
  /** Why any path may be answered by something unseen, if anything. */
  why?: string;
  /** Static files are served: `/` and paths with an extension may be files. */
  staticFiles: boolean;
}

const blindCache = new WeakMap<Service, Blind>();

/** Something the route table cannot see may answer the path: the reason, or undefined when the table is the whole story. */
function unknownWhy(app: App, service: Service, target: string): string | undefined {
  let blind = blindCache.get(service);
  if (!blind) blindCache.set(service, (blind = blindSpots(app, service)));
  if (blind.why) return blind.why;
  return blind.staticFiles && (target === '/' || /\.\w+$/.test(target)) ? 'static files are served' : undefined;
}

function blindSpots(app: App, service: Service): Blind {
  const files = runtimeFiles(app, service);
  const modules = new Set(files.flatMap((f) => f.imports.map((i) => i.module)));
  const staticFiles = [...modules].some((m) => STATIC_MODULE.test(m)) || files.some((f) => f.libCalls.some((c) => c.module === 'express' && c.path.join('.') === 'static'));
  const why = (w: string): Blind => ({ why: w, staticFiles });
  if (modules.has('next')) return why('a Next.js server answers its pages too');
  if (files.some((f) => f.catchAlls.length)) return why('a handler answers every path');
  if (serviceRoutes(app, service).some((r) => r.path === undefined)) return why('a route path is not literal');
  if (files.some((f) => f.routes.some((r) => r.owner === 'http'))) return why('a hand-written router may answer any path');
  const open = [...modules].map(packageName).find((m) => m && OPEN_MODULE.test(m));
  if (open) return why(`${open} may serve it`);
  // URI versioning is in the table (`/api/{…}/health`); RouterModule prefixes are not.
  if (files.some((f) => f.imports.some((i) => i.module === '@nestjs/core' && i.path[0] === 'RouterModule'))) return why('Nest module routes add prefixes');
  for (const f of files) {
    for (const m of f.mounts) {
      if (m.kind === 'mount' && m.target?.module?.startsWith('.') && !app.modules.resolve(f.file, m.target.module)) return why(`${m.target.module} is mounted but not linted`);
    }
  }
  return { staticFiles };
}

/** A route path with one slash between segments, a leading one, and no trailing one. */
function trimSlashes(path: string): string {
  const p = `/${path}`.replace(/\/{2,}/g, '/');
  return p.length > 1 ? p.replace(/\/+$/, '') || '/' : p;
}

/** The npm package a bare specifier names (`@hmcts/nodejs-healthcheck`, `express-healthcheck` of `express-healthcheck/x`); undefined for relative imports. */
function packageName(spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('/')) return undefined;
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Is the route surely the one that answers `path`: its full path is known, or (under a prefix this
 * linter cannot see) its last segment is the path's last segment? A route matched only through an
 * unknown prefix and a bare `/` or a parameter may be another route altogether.
 */
export function surelyAnswers(r: Route, path: string): boolean {
  if (r.exact) return true;
  const last = segments(r.path ?? '').pop();
  return !!last && !/[:*{(]/.test(last) && last.toLowerCase() === segments(normalisePath(path)).pop()?.toLowerCase();
}

/** Each route's pattern: rules match every probe of a service against all its routes. */
const routePatterns = new WeakMap<Route, RegExp>();

/** Does the route answer this (normalised) path, whatever its method? */
export function matches(r: Route, target: string): boolean {
  if (r.path === undefined) return false;
  let re = routePatterns.get(r);
  if (!re) {
    re = pattern(r.path, r.method === 'ALL', !r.exact);
    routePatterns.set(r, re);
  }
  return re.test(target);
}

const patterns = new Map<string, RegExp>();

/** A route path as a regular expression: parameters match one segment, wildcards and `{…}` anything. */
function pattern(path: string, below: boolean, anyPrefix: boolean): RegExp {
  const key = `${below ? 1 : 0}${anyPrefix ? 1 : 0}${path}`;
  let re = patterns.get(key);
  if (!re) {
    const body = path === '*' ? '.*' : toRegex(trimSlashes(path));
    const core = body === '/' ? (below ? '(?:/.*)?' : '/?') : `${body}${below ? '(?:/.*)?' : ''}/?`;
    re = new RegExp(`^${anyPrefix ? '(?:/.*)?' : ''}${core}$`, 'i');
    patterns.set(key, re);
  }
  return re;
}

function toRegex(path: string): string {
  let out = '';
  for (let i = 0; i < path.length; ) {
    const c = path[i]!;
    if (path.startsWith('{…}/', i) && (i === 0 || path[i - 1] === '/')) {
      // A whole segment that is not literal may be empty: `/{…}/health` answers `/health` too.
      out += '(?:.*/)?';
      i += 4;
    } else if (path.startsWith('{…}', i)) {
      out += '.*';
      i += 3;
    } else if (c === '{') {
      const close = path.indexOf('}', i);
      if (close < 0) {
        out += '\\{';
        i++;
        continue;
      }
      const inner = path.slice(i + 1, close);
      if (/^[\w$]+\*\d*$/.test(inner)) out += '.*';
      else if (/^[\w$]+\?$/.test(inner)) out = optional(out, '[^/]*');
      else if (/^[\w$]+$/.test(inner)) out += '[^/]+';
      else out += `(?:${toRegex(inner)})?`;
      i = close + 1;
    } else if (c === ':' && /[\w$]/.test(path[i + 1] ?? '')) {
      let j = i + 1;
      while (j < path.length && /[\w$]/.test(path[j]!)) j++;
      if (path[j] === '(') j = groupEnd(path, j);
      const mod = path[j];
      if (mod === '?' || mod === '*') {
        out = optional(out, mod === '*' ? '.*' : '[^/]+');
        j++;
      } else {
        out += '[^/]+';
        if (mod === '+') j++;
      }
      i = j;
    } else if (c === '(') {
      const j = groupEnd(path, i);
      out += '.*';
      i = j;
    } else if (c === '*') {
      out += '.*';
      i++;
      while (i < path.length && /[\w$]/.test(path[i]!)) i++;
    } else {
      out += c.replace(/[.+?^$|[\]\\]/g, '\\$&');
      i++;
    }
  }
  return out;
}

/** A parameter that may be absent takes its slash with it: `/users/:id?` matches `/users`. */
function optional(out: string, param: string): string {
  return out.endsWith('/') ? `${out.slice(0, -1)}(?:/${param})?` : `${out}(?:${param})?`;
}

function groupEnd(path: string, open: number): number {
  let depth = 0;
  for (let j = open; j < path.length; j++) {
    if (path[j] === '(') depth++;
    else if (path[j] === ')' && --depth === 0) return j + 1;
  }
  return path.length;
}

/** The most specific of several matching routes: exact before not, literal segments before parameters and wildcards. */
function best(routes: Route[]): Route {
  const score = (r: Route) => {
    const segs = segments(r.path ?? '');
    const literal = segs.filter((s) => !/[:*{(]/.test(s)).length;
    return (r.exact ? 1000 : 0) + literal * 10 - (r.method === 'ALL' ? 5 : 0) - (r.mounted ? 50 : 0);
  };
  return [...routes].sort((a, b) => score(b) - score(a))[0]!;
}
