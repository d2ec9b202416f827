import { defineRule } from '../src/rule.js';
import { describeService } from '../src/cross/link.js';
import { findSigtermHandling } from '../src/code/shutdown.js';
import { separateProcesses, runtimeFiles } from '../src/code/scope.js';
import { serverStarts } from '../src/code/servers.js';
import type { ServerStart } from '../src/code/facts.js';

/** The shutdown each framework needs, as a one-line hint. */
function hintFor(start: ServerStart): string {
  const fw = start.framework ?? '';
  if (fw === '@nestjs/core') return 'call app.enableShutdownHooks() before app.listen(), and close pools in onApplicationShutdown()';
  if (fw === '@hapi/hapi' || fw === 'hapi') return "process.on('SIGTERM', async () => { await server.stop({ timeout: 10_000 }); process.exit(0); })";
  if (fw === 'fastify') return "process.on('SIGTERM', async () => { await app.close(); process.exit(0); }) — or use close-with-grace";
  return "const server = app.listen(...); process.on('SIGTERM', () => server.close(() => process.exit(0))) — or use @godaddy/terminus / http-terminator";
}

export default defineRule({
  id: 'missing-sigterm-handler',
  scope: ['code'],
  severity: 'error',
  summary: 'Service that starts a server but installs no SIGTERM handling',
  why: 'On scale-in Kubernetes sends SIGTERM; without a handler Node dies at once and drops in-flight requests, and as PID 1 it ignores the signal and is SIGKILLed after the grace period.',
  fix: 'Catch SIGTERM: stop accepting connections, let in-flight requests finish, close pools, then exit.',
  check({ app, report }) {
    for (const service of app.services) {
      // A handler in a process of its own (a queue worker beside the API, a spawned script) is not the server's.
      const elsewhere = separateProcesses(app, service);
      if (findSigtermHandling(runtimeFiles(app, service).filter((f) => !elsewhere.has(f)))) continue;
      const [first, ...others] = serverStarts(service);
      if (!first) continue;
      const { start } = first;
      const call = start.receiver ? `${start.receiver}.${start.method}()` : `${start.method}()`;
      report({
        at: { file: first.file, ...start.span },
        message: `${describeService(service)} starts a server (${call}) but installs no SIGTERM handler: on scale-in Node exits at once and drops in-flight requests`,
        hint: hintFor(start),
        related: others.slice(0, 3).map((o) => ({ file: o.file, line: o.start.span.line, column: o.start.span.column, message: 'also starts a server' })),
      });
    }
  },
});
