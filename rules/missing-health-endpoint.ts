import { defineRule } from '../src/rule.js';
import { describeService } from '../src/cross/link.js';
import { segments, serviceRoutes, type Route } from '../src/code/routes.js';
import { runtimeFiles } from '../src/code/scope.js';
import { hasWord } from '../src/code/words.js';
import { serverStarts } from '../src/code/servers.js';
import type { CodeFacts } from '../src/code/facts.js';

/** Path segments Kubernetes probes are usually pointed at. */
const HEALTH_SEGMENT = /^(?:health|healthz|healthcheck|livez|readyz|live|liveness|ready|readiness|ping)$/i;

function isHealthRoute(r: Route): boolean {
  if (r.library) return true;
  // `/_health`, `/health-check`: underscores and dashes are decoration around the same word.
  if (r.path !== undefined) return segments(r.path).some((s) => HEALTH_SEGMENT.test(s.replace(/[-_]/g, '')));
  // A path that is not literal counts by the words of its expression: `config.healthPath`, `HEALTH_CHECK_URL`; not `paths.shipping`.
  return hasWord(r.pathText, HEALTH_SEGMENT);
}

const FRAMEWORKS = new Set(['express', 'fastify', 'koa', 'hapi', 'nest']);

/** A health library the service already uses, whose health route is one option away. */
function library(files: CodeFacts[]): string | undefined {
  if (files.some((f) => f.libCalls.some((c) => c.module === '@godaddy/terminus'))) return 'terminus';
  if (files.some((f) => f.imports.some((i) => i.module === '@fastify/under-pressure' || i.module === 'under-pressure'))) return 'under-pressure';
  return undefined;
}

/** A health route in the style of the service's framework. */
function hintFor(framework: string | undefined): string {
  const ready = 'and a /ready route that answers 503 while the service starts or drains';
  if (framework === 'terminus') return "give createTerminus a health check: createTerminus(server, { healthChecks: { '/healthz': async () => 'ok' }, ... })";
  if (framework === 'under-pressure') return `register @fastify/under-pressure with exposeStatusRoute: true (GET /status), or app.get('/healthz', async () => ({ ok: true })) ${ready}`;
  if (framework === 'fastify') return `app.get('/healthz', async () => ({ ok: true })) ${ready}`;
  if (framework === '@nestjs/core' || framework === 'nest') return 'add a HealthController with @nestjs/terminus (@Controller(\'health\'), @Get() @HealthCheck()), or @Get(\'healthz\') on a controller';
  if (framework === '@hapi/hapi' || framework === 'hapi') return `server.route({ method: 'GET', path: '/healthz', handler: () => 'ok' }) ${ready}`;
  if (framework === 'koa') return `router.get('/healthz', (ctx) => { ctx.body = 'ok'; }) ${ready}`;
  if (framework === 'http') return `answer GET /healthz in the request handler: if (req.url === '/healthz') return res.end('ok'); ${ready}`;
  return `app.get('/healthz', (req, res) => res.send('ok')) ${ready}`;
}

export default defineRule({
  id: 'missing-health-endpoint',
  scope: ['code'],
  severity: 'warning',
  summary: 'HTTP service without a health or readiness route',
  why: 'Kubernetes probes have nothing to call, so the service cannot say "not ready yet" while it starts or "draining" while it shuts down, and a wedged replica is never restarted.',
  fix: 'Serve a liveness route (GET /healthz answering 200 while the process can answer) and a readiness route (GET /ready answering 503 while starting or draining).',
  check({ app, report }) {
    for (const service of app.services) {
      const starts = serverStarts(service).filter((s) => s.start.framework !== 'net' && s.start.framework !== 'node:net');
      const first = starts[0];
      if (!first) continue;
      const routes = serviceRoutes(app, service);
      if (routes.some(isHealthRoute)) continue;
      const { start } = first;
      const call = start.receiver ? `${start.receiver}.${start.method}()` : `${start.method}()`;
      const names = [...new Set(routes.filter((r) => !r.mounted).map((r) => `${r.method} ${r.path ?? r.pathText ?? '{…}'}`))];
      const listed = names.length ? `among its routes: ${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}` : 'among the routes this linter can see';
      report({
        at: { file: first.file, ...start.span },
        message: `${describeService(service)} (${call}) has no health or readiness route (no /health, /healthz, /ready, /live or /ping ${listed}): Kubernetes probes have nothing to call`,
        hint: hintFor(library(runtimeFiles(app, service)) ?? (routes.find((r) => FRAMEWORKS.has(r.framework))?.framework ?? start.framework?.replace(/^node:/, ''))),
      });
    }
  },
});
