import { defineRule } from '../src/rule.js';
import { isLoopback, listenAddresses, type ListenAddress } from '../src/code/servers.js';
import { envSources } from '../src/cross/link.js';
import type { App, Service } from '../src/model.js';
import type { Location, Related } from '../src/types.js';
import { placeFrom } from '../src/where.js';

interface Loopback {
  why: string;
  host: string;
  /** Where the deployment sets the variable to loopback, and what sets it. */
  setAt?: Location;
  by?: string;
}

/**
 * Why this server is reachable only from inside the pod, or undefined when it is not. A host from
 * an environment variable is judged as the container sees it: its env, the Dockerfile's ENV, then
 * the code's fallback, then what the framework does with an unset host.
 */
function loopback(app: App, service: Service, a: ListenAddress): Loopback | undefined {
  const h = a.host;
  if (h?.kind === 'literal') return isLoopback(h.value) ? { why: `binds to "${h.value}"`, host: String(h.value) } : undefined;
  if (h?.kind === 'env') {
    for (const s of envSources(app, service, h.name)) {
      if (s.kind === 'set' && isLoopback(s.value)) {
        return { why: `binds to ${h.name}, which ${s.by} sets to "${s.value}" (${placeFrom(a.file, s.at.file, s.at.line)})`, host: s.value, setAt: s.at, by: s.by };
      }
      if (s.kind !== 'unset' || h.fallbackUnknown) continue;
      if (isLoopback(h.fallback)) return { why: `binds to ${h.name}, which falls back to "${h.fallback}" when it is unset`, host: String(h.fallback) };
      if (h.fallback === undefined && a.unsetHost === 'localhost') return { why: `binds to ${h.name}, and Fastify listens on localhost only when it is unset`, host: 'localhost' };
    }
    return undefined;
  }
  if (!h && !a.socket && a.defaultHost === 'localhost') {
    const nest = a.framework === '@nestjs/core' ? ' (NestJS on the Fastify adapter)' : '';
    return { why: `has no host, and Fastify${nest} then listens on localhost only`, host: 'localhost' };
  }
  return undefined;
}

function hintFor(a: ListenAddress, found: Loopback): string {
  if (found.setAt && a.host?.kind === 'env') return `set ${a.host.name}=0.0.0.0 in ${found.by}`;
  if (a.host?.kind === 'env') return `default to every interface: process.env.${a.host.name} ?? '0.0.0.0'`;
  if (a.framework === '@hapi/hapi' || a.framework === 'hapi') return "Hapi.server({ port, host: '0.0.0.0' })";
  const recv = a.start.receiver || 'app';
  if (a.framework === 'fastify') return `${recv}.listen({ port, host: '0.0.0.0' })`;
  if (a.framework === '@nestjs/core') return `await ${recv}.listen(port, '0.0.0.0')`;
  return `listen on every interface: drop the "${found.host}" argument, or pass '0.0.0.0'`;
}

function related(a: ListenAddress, found: Loopback): Related[] | undefined {
  const out: Related[] = [];
  if (a.optionsAt) out.push({ file: a.optionsAt.file, line: a.optionsAt.line, column: a.optionsAt.column, message: 'host set here' });
  if (found.setAt && a.host?.kind === 'env') out.push({ file: found.setAt.file, line: found.setAt.line, column: found.setAt.column, message: `${a.host.name} set to "${found.host}" here` });
  return out.length ? out : undefined;
}

export default defineRule({
  id: 'listen-on-localhost',
  scope: ['code'],
  severity: 'error',
  summary: 'Server bound to 127.0.0.1, localhost or ::1',
  why: 'Kubelet probes and the Service reach the pod on its IP, not on loopback: the pod never becomes ready, or never gets traffic.',
  fix: "Listen on every interface ('0.0.0.0', or '::'); Fastify needs host: '0.0.0.0' in listen().",
  check({ app, report }) {
    for (const service of app.services) {
      for (const a of listenAddresses(app, service)) {
        const found = loopback(app, service, a);
        if (!found) continue;
        const call = a.start.receiver ? `${a.start.receiver}.${a.start.method}()` : `${a.start.method}()`;
        report({
          at: { file: a.file, ...a.start.span },
          message: `${call} ${found.why}: kubelet probes and the Service cannot reach it, so the pod never becomes ready`,
          hint: hintFor(a, found),
          related: related(a, found),
        });
      }
    }
  },
});
