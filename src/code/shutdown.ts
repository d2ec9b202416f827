import type { Arg, CodeFacts } from './facts.js';

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
    for (const i of f.imports) {
      if (SHUTDOWN_PLUGINS.has(i.module)) return { how: i.module, file: f.file, line: i.span.line };
    }
  }
  return undefined;
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
