import type { Arg } from '../code/facts.js';
import { isDevDockerfile } from '../code/paths.js';
import { serviceRoutes, type Route } from '../code/routes.js';
import { listenAddresses, type Setting } from '../code/servers.js';
import { finalStage, stageEnv, type Dockerfile } from '../docker/dockerfile.js';
import { containerEnv } from '../k8s/env.js';
import type { Container } from '../k8s/objects.js';
import { containerPorts } from '../k8s/probes.js';
import { describeContainer } from '../k8s/describe.js';
import type { App, Link, Service } from '../model.js';
import type { Location } from '../types.js';

/** `service "checkout"` (its package name, else its folder). */
export function describeService(s: Service): string {
  return `service "${s.label ?? s.name ?? s.folder}"`;
}

/** Why a service and a container are linked, for a message: `linked because image "shop/api:1" matches package "api"`. */
export function linkReason(l: Link): string {
  if (l.reason.startsWith('config:')) return 'linked by the links of the config file';
  if (l.reason.startsWith('the only service')) return `linked because it is ${l.reason}`;
  return `linked because ${l.reason}`;
}

/**
 * The Dockerfile that builds a service's image: the package's only Dockerfile once development and
 * test ones are set aside, or the one named plain `Dockerfile` (or `dockerfile`); undefined when that cannot be told.
 */
export function serviceDockerfile(s: Service): Dockerfile | undefined {
  const prod = s.dockerfiles.filter((d) => !isDevDockerfile(d.file));
  return prod.length === 1 ? prod[0] : prod.find((d) => /(?:^|\/)[Dd]ockerfile$/.test(d.file));
}

/** How one place the service runs sees an environment variable. */
export type EnvSource =
  /** `source`: `env`, an `envFrom` source (`ConfigMap "name"`), or `dockerfile` for the image's ENV; `by` says who sets it, for messages. */
  | { kind: 'set'; value: string; source: string; by: string; at: Location }
  /** Set from somewhere this run cannot read: `valueFrom`, a Secret, an `envFrom` source not in the run. */
  | { kind: 'unknown' }
  | { kind: 'unset' };

/** A variable as a linked container sees it: its own `env`/`envFrom` win, else the ENV of the service's Dockerfile. */
export function envOf(app: App, l: Link, name: string): EnvSource {
  const env = containerEnv(l.container, app.manifests);
  const v = env.vars.get(name);
  if (v) return v.value === undefined ? { kind: 'unknown' } : { kind: 'set', value: v.value, source: v.source, by: `the env of ${describeContainer(l.container)}`, at: v.node.loc() };
  return env.opaque ? { kind: 'unknown' } : imageEnv(l.service, name);
}

/** A variable as the final stage of the service's Dockerfile sets it. */
function imageEnv(service: Service, name: string): EnvSource {
  const df = serviceDockerfile(service);
  const stage = df && finalStage(df);
  const d = stage && stageEnv(stage).get(name);
  return d ? { kind: 'set', value: d.value, source: 'dockerfile', by: 'the Dockerfile ENV', at: { file: df!.file, line: d.at.line, column: d.at.column, endLine: d.at.endLine, endColumn: d.at.endColumn } } : { kind: 'unset' };
}

/**
 * How each container linked to the service sees an environment variable (see {@link envOf}).
 * Without a linked container, the Dockerfile alone (one entry, `unset` when it does not set the variable either).
 */
export function envSources(app: App, service: Service, name: string): EnvSource[] {
  const links = app.links.filter((l) => l.service === service);
  return links.length ? links.map((l) => envOf(app, l, name)) : [imageEnv(service, name)];
}

/** A port the linked code listens on, and where. */
export interface ServedPort {
  port: number;
  at: Location;
  /** A library's own port (lightship's 9000), not the application's. */
  library?: string;
}

/** The ports a linked service listens on; `unknown` when some server's port cannot be told. */
export interface ServedPorts {
  ports: ServedPort[];
  unknown: boolean;
}

const servedCache = new WeakMap<Link, ServedPorts>();

/**
 * Where the linked code listens, with `process.env.PORT` read as the container sets it: its `env`,
 * then the ENV of the service's Dockerfile, then the code's own fallback (`process.env.PORT ?? 3000`).
 */
export function servedPorts(app: App, l: Link): ServedPorts {
  const cached = servedCache.get(l);
  if (cached) return cached;
  const lookup = (name: string) => envNumber(envOf(app, l, name));
  const out: ServedPorts = { ports: [], unknown: false };
  for (const a of listenAddresses(app, l.service)) {
    if (a.socket) continue;
    const port = a.port && settingNumber(a.port, lookup);
    if (port === undefined) out.unknown = true;
    else out.ports.push({ port, at: { file: a.file, ...a.start.span } });
  }
  for (const r of libraryPortRoutes(app, l.service)) {
    if (out.ports.some((p) => p.library === r.library && p.at.line === r.at.line && p.at.file === r.at.file)) continue;
    const port = argNumber(r.port!, lookup);
    if (port === undefined) out.unknown = true;
    else out.ports.push({ port, at: r.at, library: r.library });
  }
  servedCache.set(l, out);
  return out;
}

const libraryPortCache = new WeakMap<Service, Route[]>();

/** The routes a library serves on a port of its own (lightship's 9000): found once per service, as every link of it asks. */
function libraryPortRoutes(app: App, service: Service): Route[] {
  let routes = libraryPortCache.get(service);
  if (!routes) libraryPortCache.set(service, (routes = serviceRoutes(app, service).filter((r) => r.port && r.library)));
  return routes;
}

/**
 * A link made only because there is one service and one long-running workload goes to the
 * workload's first container. When exactly one of its containers declares a port the code listens
 * on as that container runs it (its env, the Dockerfile ENV, the code's fallback), that container
 * is the service: a proxy listed first (an Endpoints or Envoy sidecar) is not.
 */
export function linkByPort(app: App): void {
  const i = app.links.findIndex((l) => l.reason.startsWith('the only service') && l.workload.containers.length > 1);
  const l = app.links[i];
  if (!l) return;
  const matches: { container: Container; port: number }[] = [];
  for (const c of l.workload.containers) {
    if (c.init) continue;
    const declared = new Set(containerPorts(c).map((p) => p.port));
    const port = servedPorts(app, { ...l, container: c }).ports.find((p) => !p.library && declared.has(p.port))?.port;
    if (port !== undefined) matches.push({ container: c, port });
  }
  const m = matches.length === 1 ? matches[0]! : undefined;
  if (m) app.links[i] = { ...l, container: m.container, reason: `the only service and the only long-running workload (its container that declares port ${m.port}, where the code listens)` };
}

/** A variable's numeric value as the container sees it; `null` when it is set in a way this run cannot read, undefined when unset. */
function envNumber(v: EnvSource): number | null | undefined {
  if (v.kind === 'unset') return undefined;
  return v.kind === 'set' && /^\d+$/.test(v.value.trim()) ? Number(v.value) : null;
}

type Lookup = (name: string) => number | null | undefined;

function settingNumber(s: Setting, lookup: Lookup): number | undefined {
  if (s.kind === 'literal') return numeric(s.value);
  if (s.kind === 'env') {
    const v = lookup(s.name);
    if (v !== undefined) return v ?? undefined;
    return s.fallback === undefined ? undefined : numeric(s.fallback);
  }
  return undefined;
}

function argNumber(a: Arg, lookup: Lookup): number | undefined {
  if (a.t === 'num' || a.t === 'str') return numeric(a.v);
  if (a.t === 'env') {
    const v = lookup(a.name);
    if (v !== undefined) return v ?? undefined;
    return a.fallback && (a.fallback.t === 'num' || a.fallback.t === 'str') ? numeric(a.fallback.v) : undefined;
  }
  return undefined;
}

function numeric(v: string | number): number | undefined {
  const n = typeof v === 'number' ? v : /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/**
 * Which routes answer on a probe's port: on a library's own port (lightship's 9000) only that
 * library's routes; elsewhere every route but those. Undefined when every route may. The same
 * function for the same answer, so that answers can be kept per filter (see `answerFor`).
 */
export function routesOnPort(served: ServedPorts, port: number | undefined): ((r: Route) => boolean) | undefined {
  const library = served.ports.find((p) => p.library && p.port === port)?.library;
  if (library) {
    let only = libraryRoutes.get(library);
    if (!only) libraryRoutes.set(library, (only = (r) => r.library === library));
    return only;
  }
  if (port !== undefined && served.ports.some((p) => p.library)) return notOnLibraryPorts;
  return undefined;
}

const libraryRoutes = new Map<string, (r: Route) => boolean>();
const notOnLibraryPorts = (r: Route) => !r.port;
