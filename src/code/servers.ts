import type { App, Service } from '../model.js';
import type { Location } from '../types.js';
import { importedBinding } from './bindings.js';
import type { Arg, CodeFacts, InstanceFact, ServerStart } from './facts.js';
import { APP_MODULES } from './frameworks.js';
import type { ModuleIndex } from './modules.js';

/** A port or host as the code sets it. */
export type Setting =
  | { kind: 'literal'; value: string | number }
  /** `fallback` is the literal default of `process.env.X ?? 'y'`; `fallbackUnknown` marks a default that is not literal. */
  | { kind: 'env'; name: string; fallback?: string | number; fallbackUnknown?: true }
  | { kind: 'unknown'; text: string };

/** Where one server listens. */
export interface ListenAddress {
  file: string;
  start: ServerStart;
  /** The framework, also when the app is created in another file: `express`, `fastify`, `@hapi/hapi`, `@nestjs/core`, `http`. */
  framework?: string;
  /** Undefined when the call does not set it (the framework's default applies). */
  port?: Setting;
  host?: Setting;
  /** Listens on a Unix socket path, not a port. */
  socket?: boolean;
  /** Where the framework binds when no host is given: every interface (Node's default), or localhost (Fastify). */
  defaultHost: 'all' | 'localhost';
  /**
   * Where it binds when the host is an environment variable that is unset and has no fallback.
   * Every interface, except Fastify's positional `listen(port, host)`, which turns an empty host
   * into localhost; `listen({ host: undefined })` hands `undefined` on to Node, which binds every
   * interface (and so does NestJS on the Fastify adapter, which always sets the `host` key).
   */
  unsetHost: 'all' | 'localhost';
  /** Where port and host are set when it is not the start call (Hapi's server options). */
  optionsAt?: Location;
}

const LOOPBACK = /^(?:localhost|ip6-localhost|127(?:\.\d{1,3}){3}|::1|\[::1\]|0:0:0:0:0:0:0:1)$/i;

/** Is this host a loopback address (`127.0.0.1`, `localhost`, `::1`)? */
export function isLoopback(host: string | number | undefined): boolean {
  return typeof host === 'string' && LOOPBACK.test(host.trim());
}

/**
 * The server starts of a service, known frameworks first (the app, not a wrapper of unknown kind),
 * then calls with arguments (a port) before bare `.listen()`s of unknown receivers (a message
 * queue's listener), then by file and line.
 */
export function serverStarts(service: Service): Service['servers'] {
  const rank = (s: Service['servers'][number]) => (s.start.framework && APP_MODULES.has(s.start.framework) ? 0 : s.start.args.length ? 1 : 2);
  return [...service.servers].sort((a, b) => rank(a) - rank(b) || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.start.span.line - b.start.span.line));
}


/** Where each server of a service listens. */
export function listenAddresses(app: App, service: Service): ListenAddress[] {
  const byName = new Map(service.files.map((f) => [f.file, f]));
  return serverStarts(service).map(({ file, start }) => listenAddress(byName.get(file)!, start, app.modules));
}

/** Read port and host of one server start, per framework. */
export function listenAddress(f: CodeFacts, start: ServerStart, modules: ModuleIndex): ListenAddress {
  const creation = creationOf(f, start, modules);
  const framework = normalise(APP_MODULES.has(start.framework ?? '') ? start.framework : creation?.inst.module);
  const out: ListenAddress = { file: f.file, start, defaultHost: 'all', unsetHost: 'all' };
  if (framework) out.framework = framework;
  const read = (a: Arg | undefined, file = f) => (a === undefined ? undefined : setting(a, file, file === f ? start.fns : undefined));
  if ((framework === '@hapi/hapi' || framework === 'hapi') && start.method === 'start') {
    const opts = creation?.inst.args[0];
    if (opts?.t === 'obj') {
      out.port = read(opts.props.port, creation!.file);
      out.host = read(opts.props.address ?? opts.props.host, creation!.file);
    }
    if (creation) out.optionsAt = { file: creation.file.file, ...creation.inst.span };
    return out;
  }
  const [a0, a1] = start.args;
  if (start.method === 'serve' || start.method === 'startStandaloneServer') {
    const opts = start.method === 'serve' ? a0 : a1?.t === 'obj' ? a1.props.listen : undefined;
    if (opts?.t === 'obj') {
      out.port = read(opts.props.port);
      out.host = read(opts.props.hostname ?? opts.props.host);
    }
    return out;
  }
  if (a0?.t === 'obj') {
    if (opts(a0, 'path')) out.socket = true;
    out.port = read(a0.props.port);
    out.host = read(a0.props.host);
    if (a0.spread && !out.host) out.host = { kind: 'unknown', text: '...' };
  } else if (a0 && a0.t !== 'fn') {
    const p = read(a0);
    if (p?.kind === 'literal' && typeof p.value === 'string' && !/^\d+$/.test(p.value)) out.socket = true;
    else out.port = p;
    if (a1 && a1.t !== 'fn') {
      out.host = read(a1);
      if (framework === 'fastify') out.unsetHost = 'localhost';
    }
    // `listen(options)` with options from elsewhere: the host may be in there.
    else if (p?.kind === 'unknown') out.host = p;
  }
  if (framework === 'fastify' || (framework === '@nestjs/core' && creation && usesFastifyAdapter(creation.file, creation.inst))) out.defaultHost = 'localhost';
  return out;
}

function opts(a: Arg & { t: 'obj' }, key: string): boolean {
  return key in a.props;
}

/**
 * A literal, an environment variable (with its default), or unknown. Identifiers are read through
 * constants of the file declared in the functions the call is in (`within`, innermost first) or at
 * top level; the innermost declaration wins.
 */
export function setting(a: Arg, f: CodeFacts, within: readonly string[] = [], depth = 0): Setting {
  if (a.t === 'str' || a.t === 'num') return { kind: 'literal', value: a.v };
  if (a.t === 'env') {
    const fb = a.fallback && setting(a.fallback, f, within, depth + 1);
    if (fb?.kind === 'literal') return { kind: 'env', name: a.name, fallback: fb.value };
    return fb ? { kind: 'env', name: a.name, fallbackUnknown: true } : { kind: 'env', name: a.name };
  }
  if (a.t === 'id' && depth < 3) {
    const named = f.constants.filter((c) => c.name === a.name);
    for (const scope of [...within, undefined]) {
      const here = named.filter((c) => (scope === undefined ? c.in === -1 : c.fn === scope));
      if (here.length === 1) return setting(here[0]!.value, f, within, depth + 1);
      if (here.length) break;
    }
  }
  return { kind: 'unknown', text: a.t === 'id' ? a.name : a.t === 'other' ? a.text : a.t };
}

/** The creation of the receiver of a start call: `const app = Fastify()` here, or in the file it is imported from. */
function creationOf(f: CodeFacts, start: ServerStart, modules: ModuleIndex): { file: CodeFacts; inst: InstanceFact } | undefined {
  const recv = start.receiver;
  const apps = (file: CodeFacts) => file.instances.filter((i) => APP_MODULES.has(i.module) && !i.path.includes('Router') && i.path[0] !== 'listen');
  const local = apps(f).find((i) => i.local === recv);
  if (local) return { file: f, inst: local };
  const b = /^[\w$]+$/.test(recv) ? importedBinding(modules, f, recv) : undefined;
  if (b) {
    const there = apps(b.file);
    const named = b.local ? there.find((i) => i.local === b.local) : undefined;
    if (named) return { file: b.file, inst: named };
    if (new Set(there.map((i) => i.module)).size === 1) return { file: b.file, inst: there[0]! };
  }
  // `const app = await buildApp()`: one framework in the file (or in the module the factory comes from).
  if (start.framework?.startsWith('.')) {
    const g = modules.resolve(f.file, start.framework);
    const there = g ? apps(g) : [];
    if (g && new Set(there.map((i) => i.module)).size === 1) return { file: g, inst: there[0]! };
  }
  const mine = apps(f);
  if (new Set(mine.map((i) => i.module)).size === 1) return { file: f, inst: mine[0]! };
  return undefined;
}

/** `NestFactory.create(AppModule, new FastifyAdapter())`, also through a local adapter. */
function usesFastifyAdapter(f: CodeFacts, inst: InstanceFact): boolean {
  const a = inst.args[1];
  if (a?.t === 'other') return /^new\s+FastifyAdapter\b/.test(a.text);
  if (a?.t === 'id') return f.instances.some((i) => i.local === a.name && i.module === '@nestjs/platform-fastify');
  return false;
}

function normalise(module: string | undefined): string | undefined {
  return module?.replace(/^node:/, '');
}
