import { defineRule } from '../src/rule.js';
import { unboundedClients } from '../src/code/clients.js';
import { serviceCode } from '../src/code/scope.js';
import type { ClientFact } from '../src/code/facts.js';

/** A URL short enough for a message. */
function short(url: string): string {
  return url.length > 60 ? `${url.slice(0, 59)}…` : url;
}

function describe(c: ClientFact): string {
  // `${base}${path}` says nothing: leave a URL out when no part of it is literal.
  const url = c.url?.replace(/\{…\}/g, '') ? c.url : undefined;
  const name = c.library === 'fetch' ? 'fetch()' : c.library === 'node-fetch' ? 'fetch() (node-fetch)' : c.member ? `${c.library}.${c.member}()` : `${c.library}()`;
  if (c.kind === 'instance') return `${name}${c.local ? ` for ${c.local}` : ''}${url ? ` (${short(url)})` : ''}`;
  return url ? `${name} to ${short(url)}` : name;
}

function messageFor(c: ClientFact): string {
  if (c.kind === 'instance') return `${describe(c)} creates a client without a timeout: every request through it can wait forever on a slow dependency`;
  if (c.library === 'fetch' || c.library === 'node-fetch' || c.library === 'undici') return `${describe(c)} has no signal: the request can wait forever on a slow dependency`;
  return `${describe(c)} has no timeout: the request can wait forever on a slow dependency (${c.library} has no default timeout)`;
}

function hintFor(c: ClientFact): string {
  if (c.library === 'axios') return c.kind === 'instance' ? 'axios.create({ timeout: 5000, ... })' : "pass { timeout: 5000 } in the request config, or set axios.defaults.timeout = 5000 once at start-up";
  if (c.library === 'got') return c.kind === 'instance' ? 'got.extend({ timeout: { request: 5000 }, ... })' : 'pass { timeout: { request: 5000 } } in the options';
  return 'pass a deadline: fetch(url, { signal: AbortSignal.timeout(5000) })';
}

export default defineRule({
  id: 'client-without-timeout',
  scope: ['code'],
  severity: 'warning',
  summary: 'Outbound HTTP client or call without a timeout',
  why: 'Slow dependencies pile up waiting requests until the replica falls over, and the HPA scales out into the same wall.',
  fix: 'Give every outbound call a deadline: a client-wide timeout (axios.create({ timeout }), got.extend({ timeout })), or AbortSignal.timeout() for fetch.',
  check({ app, report }) {
    const seen = new Set<string>();
    for (const service of app.services) {
      const code = serviceCode(app, service);
      // The browser's fetch calls are not the replica's: a shared editor module the server loads for its schema.
      for (const { file, fact } of unboundedClients(code.runtime.filter((f) => !code.browser.has(f)))) {
        const key = `${file}:${fact.span.line}:${fact.span.column}`;
        if (seen.has(key)) continue;
        seen.add(key);
        report({ at: { file, ...fact.span }, message: messageFor(fact), hint: hintFor(fact) });
      }
    }
  },
});
