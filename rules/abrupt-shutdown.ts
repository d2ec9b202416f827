import { defineRule } from '../src/rule.js';
import { runtimeFiles, separateProcesses } from '../src/code/scope.js';
import { serverStarts } from '../src/code/servers.js';
import { shutdownPlans, type ShutdownPlan } from '../src/code/shutdown.js';

const STOP_SIGNALS = new Set(['SIGTERM', 'SIGINT', '*']);
/** Frameworks whose close returns a promise. */
const PROMISE_CLOSE = new Set(['fastify', '@nestjs/core', '@hapi/hapi', 'hapi']);

/** How to close this framework's server before exiting. */
function closeFirst(framework: string | undefined): string {
  if (framework === 'fastify' || framework === '@nestjs/core') return 'close the server first: await app.close(), then process.exit()';
  if (framework === '@hapi/hapi' || framework === 'hapi') return 'close the server first: await server.stop({ timeout: 10_000 }), then process.exit()';
  return 'close the server first and exit in its callback: server.close(() => process.exit(0)) (app.listen() returns the server)';
}

/** How to wait for a close this handler already starts. */
function waitFor(close: string, framework: string | undefined): string {
  const promised = PROMISE_CLOSE.has(framework ?? '') || /\.(?:stop|terminate)\(\)$/.test(close);
  const fallback = 'keep setTimeout(() => process.exit(1), 10_000).unref() as the fallback';
  return promised ? `await ${close} before calling process.exit(); ${fallback}` : `exit only once the server has closed: ${close.replace(/\(\)$/, '(() => process.exit(0))')}; ${fallback}`;
}

function signalNames(plan: ShutdownPlan): string {
  const named = plan.signals.filter((s) => s !== '*');
  return named.length ? named.join('/') : 'signal';
}

export default defineRule({
  id: 'abrupt-shutdown',
  scope: ['code'],
  severity: 'warning',
  summary: 'SIGTERM/SIGINT handler that calls process.exit() before the server has closed',
  why: 'In-flight requests are cut off mid-response: scale-in and every rollout turn into errors for the clients of the replica going away.',
  fix: 'Close the server first (server.close(), app.close(), a terminator) and exit in its callback or after awaiting it; keep a forced-exit timer with .unref() as the fallback.',
  check({ app, report }) {
    const seen = new Set<string>();
    for (const service of app.services) {
      const framework = serverStarts(service)[0]?.start.framework;
      // A process of its own (a spawned worker) has no server to close: its exit is not this one's.
      const elsewhere = separateProcesses(app, service);
      for (const plan of shutdownPlans(runtimeFiles(app, service).filter((f) => !elsewhere.has(f)), app.modules)) {
        if (!plan.signals.some((s) => STOP_SIGNALS.has(s))) continue;
        const closing = plan.steps.find((s) => s.kind === 'close');
        const close = closing && closing.text.replace(/\(.*$/s, '()');
        for (const exit of plan.steps) {
          const key = `${exit.file}:${exit.span.line}:${exit.span.column}`;
          if (exit.kind !== 'exit' || exit.after || exit.inTimer || seen.has(key)) continue;
          seen.add(key);
          const where = exit.via.length ? ` (in ${exit.via.join(' → ')}())` : '';
          const message = close
            ? `the ${signalNames(plan)} handler calls ${exit.text.replace(/\s+/g, ' ')}${where} without waiting for ${close} to finish: in-flight requests are cut off mid-response`
            : `the ${signalNames(plan)} handler calls ${exit.text.replace(/\s+/g, ' ')}${where} without closing the server: in-flight requests are cut off mid-response`;
          report({
            at: { file: exit.file, ...exit.span },
            message,
            hint: close ? waitFor(close, framework) : closeFirst(framework),
            related: [{ file: plan.file, line: plan.span.line, column: plan.span.column, message: `${signalNames(plan)} handler registered here` }],
          });
        }
      }
    }
  },
});
