import type { Arg, ClientFact, CodeFacts } from './facts.js';

/** An outbound call or client instance that can wait forever. */
export interface UnboundedClient {
  file: string;
  fact: ClientFact;
}

/** Options that bound a request, per library: a timeout, or an abort signal (`AbortSignal.timeout(5000)`). */
const BOUNDING: Record<string, string[]> = {
  axios: ['timeout', 'signal'],
  got: ['timeout', 'signal'],
  fetch: ['signal'],
  'node-fetch': ['signal', 'timeout'],
  undici: ['signal', 'dispatcher'],
};

/**
 * The client instances and direct calls of `files` (a service's runtime code) that set no timeout. An `axios.create()` or
 * `got.extend()` is judged once, not per call through it; `axios.defaults.timeout = ...` anywhere
 * bounds every axios call and instance; `<instance>.defaults.timeout = ...` bounds that instance.
 * Options that are not a literal object (a variable, a spread) count as bounded.
 */
export function unboundedClients(files: CodeFacts[]): UnboundedClient[] {
  const defaults = files.flatMap((f) => f.clients.filter((c) => c.kind === 'defaults').map((c) => ({ file: f.file, local: c.local, library: c.library })));
  const axiosDefault = defaults.some((d) => d.library === 'axios');
  const out: UnboundedClient[] = [];
  for (const f of files) {
    for (const c of f.clients) {
      if (c.kind === 'defaults' || (c.library === 'axios' && axiosDefault)) continue;
      if (c.kind === 'instance' && defaults.some((d) => d.file === f.file && d.local === c.local)) continue;
      if (!bounded(c.options, BOUNDING[c.library] ?? ['timeout'])) out.push({ file: f.file, fact: c });
    }
  }
  return out;
}

function bounded(options: Arg | undefined, keys: string[]): boolean {
  if (!options) return false;
  if (options.t !== 'obj') return options.t !== 'str';
  return options.spread || keys.some((k) => k in options.props);
}
