import path from 'node:path';
import type { CodeFacts, ServerStart } from './code/facts.js';
import type { ModuleIndex } from './code/modules.js';
import { isServerPackage } from './code/frameworks.js';
import { buildsImage, insidePackage, isStaticAsset, isTestOrTooling, isTestOrToolingPackage, isTestSuite } from './code/paths.js';
import type { Dockerfile } from './docker/dockerfile.js';
import type { Container, Manifests, Workload } from './k8s/objects.js';
import type { Directive, ObjectIgnore } from './suppress.js';
import type { Span } from './types.js';

/** A package folder (one with package.json, or the lint root) and the code files under it. */
export interface Package {
  /** Absolute folder. */
  dir: string;
  /** The folder as printed: relative to the working directory (`.` for it), absolute when outside it, as its files are. */
  folder: string;
  /** `name` from package.json. */
  name?: string;
  /** `main` and `scripts.start` from package.json, when present. */
  main?: string;
  startScript?: string;
  /** Where the `start` script is in package.json. */
  startScriptAt?: Span;
  /**
   * Code files the package.json scripts name, inside the package (`server/server.js`): `start` are
   * those the `start` script runs (through `npm run` and its pre/post scripts), `other` those only
   * other scripts run (`node extra/dev-dns-server.js`). Undefined without a `start` script.
   */
  scriptFiles?: { start: string[]; other: string[] };
  files: CodeFacts[];
  dockerfiles: Dockerfile[];
}

/** A package whose code starts a server: what Kubernetes runs as replicas. */
export interface Service extends Package {
  /** Every call that starts accepting connections, with its file. */
  servers: { file: string; start: ServerStart }[];
  /** The name as printed when another service of the run has the same one: with the folder (`api (gateway)`). */
  label?: string;
}

/** A service linked to the container that runs it, and why replicalint thinks so. */
export interface Link {
  service: Service;
  workload: Workload;
  container: Container;
  reason: string;
}

/** A file that could not be read or parsed: one `parse-error` finding, and nothing else for that file. */
export interface Problem extends Span {
  file: string;
  message: string;
  /** The file could not be read at all (permissions, a folder, a broken link), rather than parsed. */
  unreadable?: boolean;
  /** The file is nested deeper than the parser can go (generated code), rather than wrong. */
  tooDeep?: boolean;
}

/** Everything one run knows: code packages and services, Kubernetes objects, Dockerfiles, and their links. */
export interface App {
  cwd: string;
  packages: Package[];
  services: Service[];
  manifests: Manifests;
  dockerfiles: Dockerfile[];
  links: Link[];
  problems: Problem[];
  /** Resolves imports between the run's code files. */
  modules: ModuleIndex;
  /** Suppression comments by file. */
  directives: Map<string, Directive[]>;
  /** Kubernetes objects annotated with `ignore.replicalint.io/<rule>`. */
  objectIgnores: ObjectIgnore[];
}

/** Does this package import a server framework anywhere? */
export function importsServerModule(files: CodeFacts[]): boolean {
  return files.some((f) => f.imports.some((i) => isServerPackage(i.module)));
}

/**
 * A package is a service when a file calls `.listen()` (or an equivalent) and the package uses a
 * server module. Not counted: calls in test code and tooling (`cypress/support/server.ts`,
 * `scripts/dev-server.js`, see `src/code/paths.ts`), packages of test code and tooling
 * (`integration-tests`, `@acme/test-utils`) unless they build an image, and a `listen(callback)` of no known server
 * (`history.listen(fn)` in browser code of the same package).
 */
export function toService(pkg: Package): Service | undefined {
  if (isTestOrToolingPackage(pkg.name, pkg.folder) && !buildsImage(pkg)) return undefined;
  const servers: Service['servers'] = [];
  const serverPackage = importsServerModule(pkg.files);
  for (const f of pkg.files) {
    const rel = insidePackage(f.file, pkg.folder) ?? f.file;
    if (isTestOrTooling(rel) || isTestSuite(rel, f.imports)) continue;
    for (const start of f.servers) {
      const known = !!start.framework && isServerPackage(start.framework);
      // A browser bundle the server hands out (`public/vendor.js`) calls a `listen()` of its own.
      if (!known && isStaticAsset(rel)) continue;
      if ((serverPackage || known) && (known || start.args[0]?.t !== 'fn')) servers.push({ file: f.file, start });
    }
  }
  return servers.length ? { ...pkg, servers } : undefined;
}

/** An explicit link from the config file: a service folder or package name, a workload, optionally a container. */
export interface LinkConfig {
  service: string;
  workload: string;
  container?: string;
}

/**
 * Link services to the containers that run them, in order of confidence: the config file's explicit
 * mapping; the container image named like the service folder or package; the workload named like
 * it; the container named like it; and the only service with the only long-running workload.
 */
export function linkServices(services: Service[], workloads: Workload[], explicit: LinkConfig[] = [], notice: (msg: string) => void = () => {}): Link[] {
  const links: Link[] = [];
  const linked = new Set<Container>();
  const linkedServices = new Set<Service>();
  const add = (service: Service, container: Container, reason: string) => {
    if (linked.has(container)) return;
    linked.add(container);
    linkedServices.add(service);
    links.push({ service, workload: container.workload, container, reason });
  };
  for (const l of explicit) {
    const service = services.find((s) => s.folder === trimSlash(l.service) || s.name === l.service);
    const workload = workloads.find((w) => l.workload === w.name || l.workload === `${w.kind}/${w.name}`);
    const containers = !workload ? [] : l.container ? workload.containers.filter((c) => c.name === l.container) : workload.containers.slice(0, 1);
    if (!service || !workload || !containers.length) {
      const missing = !service ? `no service "${l.service}" (services: ${services.map((s) => s.folder).join(', ') || 'none'})` : !workload ? `no workload "${l.workload}"` : `no container "${l.container}" in ${workload.kind}/${workload.name}`;
      notice(`config links entry ${JSON.stringify(l)} matches nothing: ${missing}`);
      continue;
    }
    for (const c of containers) add(service, c, `config: ${l.service} → ${workload.kind}/${workload.name}`);
  }
  // Containers by image name and workloads by name, so that each service looks up its names
  // rather than scanning every container and workload.
  const byImage = indexBy(workloads.flatMap((w) => w.containers), (c) => imageName(c.node.get('image')?.str()));
  for (const s of services) {
    for (const c of claim(byImage, serviceNames(s))) add(s, c, `image "${c.node.get('image')?.str()}" matches ${describe(s)}`);
  }
  const byName = indexBy(workloads, (w) => w.name.toLowerCase());
  for (const s of services) {
    if (linkedServices.has(s)) continue;
    for (const w of claim(byName, serviceNames(s))) if (w.containers[0]) add(s, w.containers[0], `${w.kind} "${w.name}" matches ${describe(s)}`);
  }
  // `containers: [{ name: expiration, image: ticketing-expiration }]` in Deployment `expiration-depl`.
  // Only long-running workloads: a Job's container named `api` runs a migration of the api, not the api.
  const byContainer = indexBy(
    workloads.filter((w) => !w.runsToCompletion).flatMap((w) => w.containers).filter((c) => !linked.has(c)),
    (c) => c.name.toLowerCase(),
  );
  for (const s of services) {
    if (linkedServices.has(s)) continue;
    for (const c of claim(byContainer, serviceNames(s))) add(s, c, `container "${c.name}" of ${c.workload.kind} "${c.workload.name}" matches ${describe(s)}`);
  }
  const running = workloads.filter((w) => !w.runsToCompletion && w.containers.length);
  if (services.length === 1 && running.length === 1 && !links.length) {
    const w = running[0]!;
    const c = w.containers[0]!;
    const more = w.containers.length > 1 ? ` (its first of ${w.containers.length} containers)` : '';
    add(services[0]!, c, `the only service and the only long-running workload${more}`);
  }
  return links;
}

/** Items grouped by a key (none for an undefined key), each with its place in `items`. */
function indexBy<T>(items: T[], keyOf: (item: T) => string | undefined): Map<string, { i: number; item: T }[]> {
  const index = new Map<string, { i: number; item: T }[]>();
  items.forEach((item, i) => {
    const key = keyOf(item);
    if (key === undefined) return;
    const list = index.get(key);
    if (list) list.push({ i, item });
    else index.set(key, [{ i, item }]);
  });
  return index;
}

/**
 * The items under any of `names`, in their original order, taken out of the index: the first
 * service to look a name up links them all (or finds them linked already), so a later one would
 * link nothing.
 */
function claim<T>(index: Map<string, { i: number; item: T }[]>, names: Set<string>): T[] {
  const found: { i: number; item: T }[] = [];
  for (const n of names) {
    for (const e of index.get(n) ?? []) found.push(e);
    index.delete(n);
  }
  return found.sort((a, b) => a.i - b.i).map((e) => e.item);
}

function trimSlash(s: string): string {
  return s.replace(/^\.\//, '').replace(/\/+$/, '') || '.';
}

function describe(s: Service): string {
  return s.name ? `package "${s.name}"` : `folder "${s.folder}"`;
}

/** Names a service may be deployed under: its folder's base name and its package name without scope. */
function serviceNames(s: Service): Set<string> {
  const out = new Set<string>();
  const base = path.basename(s.dir).toLowerCase();
  if (base) out.add(base);
  if (s.name) out.add(s.name.replace(/^@[^/]+\//, '').toLowerCase());
  return out;
}

/** `ghcr.io/acme/checkout-api:1.2@sha256:…` → `checkout-api`. */
export function imageName(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const noDigest = image.split('@')[0]!;
  const last = noDigest.split('/').pop()!;
  const name = last.split(':')[0]!.toLowerCase();
  return name || undefined;
}
