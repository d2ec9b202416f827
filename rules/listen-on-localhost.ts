import { defineRule } from '../src/rule.js';
import { isLoopback, listenAddresses, type ListenAddress } from '../src/code/servers.js';

/** Why this server is reachable only from inside the pod, or undefined when it is not. */
function loopback(a: ListenAddress): { why: string; host: string } | undefined {
  const h = a.host;
  if (h?.kind === 'literal' && isLoopback(h.value)) return { why: `binds to "${h.value}"`, host: String(h.value) };
  if (h?.kind === 'env' && isLoopback(h.fallback)) return { why: `binds to ${h.name}, which falls back to "${h.fallback}" when it is unset`, host: String(h.fallback) };
  if (!h && !a.socket && a.defaultHost === 'localhost') {
    const nest = a.framework === '@nestjs/core' ? ' (NestJS on the Fastify adapter)' : '';
    return { why: `has no host, and Fastify${nest} then listens on localhost only`, host: 'localhost' };
  }
  return undefined;
}

function hintFor(a: ListenAddress, host: string): string {
  if (a.host?.kind === 'env') return `default to every interface: process.env.${a.host.name} ?? '0.0.0.0'`;
  if (a.framework === '@hapi/hapi' || a.framework === 'hapi') return "Hapi.server({ port, host: '0.0.0.0' })";
  const recv = a.start.receiver || 'app';
  if (a.framework === 'fastify') return `${recv}.listen({ port, host: '0.0.0.0' })`;
  if (a.framework === '@nestjs/core') return `await ${recv}.listen(port, '0.0.0.0')`;
  return `listen on every interface: drop the "${host}" argument, or pass '0.0.0.0'`;
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
        const found = loopback(a);
        if (!found) continue;
        const call = a.start.receiver ? `${a.start.receiver}.${a.start.method}()` : `${a.start.method}()`;
        report({
          at: { file: a.file, ...a.start.span },
          message: `${call} ${found.why}: kubelet probes and the Service cannot reach it, so the pod never becomes ready`,
          hint: hintFor(a, found.host),
          related: a.optionsAt ? [{ file: a.optionsAt.file, line: a.optionsAt.line, column: a.optionsAt.column, message: 'host set here' }] : undefined,
        });
      }
    }
  },
});
