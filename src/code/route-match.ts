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
  const kept = routesFor(app, service, only);
  const { routes, visible, get } = kept;
  const target = normalisePath(path);
  const matching = (kept.index ??= new RouteIndex(routes)).matching(target);
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
  /** The routes indexed for matching, made on the first path asked. */
  index?: RouteIndex;
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

/** A route's pattern, and the literal segments every path it answers holds (see {@link toRegex}). */
interface Compiled {
  re: RegExp;
  anchors: string[];
}

/** Each route's pattern: rules match every probe of a service against its routes. */
const routePatterns = new WeakMap<Route, Compiled>();

function compiled(r: Route & { path: string }): Compiled {
  let c = routePatterns.get(r);
  if (!c) {
    c = pattern(r.path, r.method === 'ALL', !r.exact);
    routePatterns.set(r, c);
  }
  return c;
}

/** Does the route answer this (normalised) path, whatever its method? */
export function matches(r: Route, target: string): boolean {
  return r.path !== undefined && compiled(r as Route & { path: string }).re.test(target);
}

/**
 * The routes of a list that answer a path, whatever their method, in the list's order: the same
 * as `routes.filter((r) => matches(r, target))`, without trying every route. Each route is filed
 * under one literal segment that every path it answers holds (the rarest of its segments, so that
 * `/api/v1/orders/:id` sits under `orders`); a path is tried only against the routes filed under
 * one of its own segments, and against those with no literal segment (`/:id`, `*`, `/`). A service
 * with thousands of routes and thousands of probes would otherwise cost their product.
 */
export class RouteIndex {
  private readonly bySegment = new Map<string, number[]>();
  /** Routes with a path and no literal segment: tried against every path. */
  private readonly rest: number[] = [];

  constructor(private readonly routes: Route[]) {
    // Every route's pattern is made here, as trying every route made them: a path that makes none fails as it did.
    const anchors = routes.map((r) => (r.path === undefined ? undefined : compiled(r as Route & { path: string }).anchors));
    const count = new Map<string, number>();
    for (const list of anchors) for (const a of new Set(list)) count.set(a, (count.get(a) ?? 0) + 1);
    anchors.forEach((list, i) => {
      if (!list) return; // a route without a literal path answers nothing
      if (!list.length) return void this.rest.push(i);
      const rarest = list.reduce((a, b) => (count.get(b)! < count.get(a)! ? b : a));
      const filed = this.bySegment.get(rarest);
      if (filed) filed.push(i);
      else this.bySegment.set(rarest, [i]);
    });
  }

  /** The routes that could answer a normalised path (those filed under its segments, and the rest), in the list's order. */
  candidates(target: string): Route[] {
    let found = this.rest;
    let merged = false;
    for (const s of new Set(target.toLowerCase().split('/'))) {
      const filed = s ? this.bySegment.get(s) : undefined;
      if (!filed) continue;
      found = merged ? found.concat(filed) : this.rest.concat(filed);
      merged = true;
    }
    // Each route is filed once: no duplicates to drop, only the order to restore.
    if (merged) found.sort((a, b) => a - b);
    return found.map((i) => this.routes[i]!);
  }

  /** The routes that answer a normalised path, whatever their method, in the list's order. */
  matching(target: string): Route[] {
    return this.candidates(target).filter((r) => matches(r, target));
  }
}

const patterns = new Map<string, Compiled>();

/** A route path as a regular expression: parameters match one segment, wildcards and `{…}` anything. */
function pattern(path: string, below: boolean, anyPrefix: boolean): Compiled {
  const key = `${below ? 1 : 0}${anyPrefix ? 1 : 0}${path}`;
  let c = patterns.get(key);
  if (!c) {
    const anchors: string[] = [];
    const body = path === '*' ? '.*' : toRegex(trimSlashes(path), anchors);
    const core = body === '/' ? (below ? '(?:/.*)?' : '/?') : `${body}${below ? '(?:/.*)?' : ''}/?`;
    c = { re: new RegExp(`^${anyPrefix ? '(?:/.*)?' : ''}${core}$`, 'i'), anchors };
    patterns.set(key, c);
  }
  return c;
}

/**
 * The pattern of a path (with a leading slash and no empty segment). `anchors` receives, in lower
 * case, each segment of plain ASCII characters that every matching path holds as a whole segment:
 * one between a literal slash before it and a literal slash (or the end) after it. A segment with
 * a parameter, wildcard or group is none, nor is one whose closing slash a following optional
 * parameter takes away (`/a/:id?x` matches `/ax`). With the `i` flag and no `u`, an ASCII
 * character matches only ASCII characters, so lower-casing both sides finds every match.
 */
function toRegex(path: string, anchors?: string[]): string {
  let out = '';
  /** Where the current segment starts in `path`, whether it is plain so far, and the end of `out` after the slash that closed the last anchor. */
  let from = 0;
  let plain = true;
  let closed = -1;
  const end = (i: number) => {
    if (anchors && plain && i > from && PLAIN_ASCII.test(path.slice(from, i))) {
      anchors.push(path.slice(from, i).toLowerCase());
      return true;
    }
    return false;
  };
  // An optional parameter takes the slash before it: the segment that slash closed is no anchor.
  const optionalHere = (param: string) => {
    if (anchors && closed === out.length && out.endsWith('/')) anchors.pop();
    out = optional(out, param);
  };
  for (let i = 0; i < path.length; ) {
    const c = path[i]!;
    if (path.startsWith('{…}/', i) && (i === 0 || path[i - 1] === '/')) {
      // A whole segment that is not literal may be empty: `/{…}/health` answers `/health` too.
      out += '(?:.*/)?';
      i += 4;
      from = i;
      plain = true;
    } else if (path.startsWith('{…}', i)) {
      out += '.*';
      i += 3;
      plain = false;
    } else if (c === '{') {
      plain = false;
      const close = path.indexOf('}', i);
      if (close < 0) {
        out += '\\{';
        i++;
        continue;
      }
      const inner = path.slice(i + 1, close);
      if (/^[\w$]+\*\d*$/.test(inner)) out += '.*';
      else if (/^[\w$]+\?$/.test(inner)) optionalHere('[^/]*');
      else if (/^[\w$]+$/.test(inner)) out += '[^/]+';
      else out += `(?:${toRegex(inner)})?`;
      i = close + 1;
    } else if (c === ':' && /[\w$]/.test(path[i + 1] ?? '')) {
      plain = false;
      let j = i + 1;
      while (j < path.length && /[\w$]/.test(path[j]!)) j++;
      if (path[j] === '(') j = groupEnd(path, j);
      const mod = path[j];
      if (mod === '?' || mod === '*') {
        optionalHere(mod === '*' ? '.*' : '[^/]+');
        j++;
      } else {
        out += '[^/]+';
        if (mod === '+') j++;
      }
      i = j;
    } else if (c === '(') {
      plain = false;
      const j = groupEnd(path, i);
      out += '.*';
      i = j;
    } else if (c === '*') {
      plain = false;
      out += '.*';
      i++;
      while (i < path.length && /[\w$]/.test(path[i]!)) i++;
    } else {
      out += c.replace(/[.+?^$|[\]\\]/g, '\\$&');
      i++;
      if (c === '/') {
        if (end(i - 1)) closed = out.length;
        from = i;
        plain = true;
      }
    }
  }
  end(path.length);
  return out;
}

/** Plain printable ASCII: what an anchor is made of. */
const PLAIN_ASCII = /^[\x20-\x7e]+$/;

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
