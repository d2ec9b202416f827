import { defineRule } from '../src/rule.js';
import { isTestPackage, runtimeFiles } from '../src/code/scope.js';
import type { Arg } from '../src/code/facts.js';

/** node-cron's `{ distributed: true }`; an options object passed as a variable or spread counts as set. */
function distributed(options: Arg | undefined): boolean {
  if (!options) return false;
  if (options.t !== 'obj') return true;
  const d = options.props.distributed;
  if (!d) return options.spread;
  return !(d.t === 'bool' && !d.v);
}

export default defineRule({
  id: 'in-process-scheduler',
  scope: ['code'],
  severity: 'warning',
  summary: 'Periodic job of an in-process scheduler (node-cron, cron, node-schedule, croner, @nestjs/schedule, toad-scheduler) that every replica runs',
  why: 'With N replicas the job runs N times: duplicate e-mails, double billing, N-fold load on the database.',
  fix: 'Run the job as a Kubernetes CronJob, as a repeatable job in a shared queue (BullMQ), or take a leader lock before it does any work.',
  check({ app, report }) {
    const done = new Set<string>();
    for (const service of app.services) {
      if (isTestPackage(service)) continue;
      for (const file of runtimeFiles(app, service)) {
        for (const job of file.schedulers) {
          const key = `${file.file}:${job.span.line}:${job.span.column}`;
          if (done.has(key) || (job.lib === 'node-cron' && distributed(job.options))) continue;
          done.add(key);
          const what = job.job ? `${job.call} runs ${job.job}` : `${job.call} schedules a job`;
          report({
            at: { file: file.file, ...job.span },
            message: `${what} in every replica (${job.lib}): with N replicas it runs N times`,
            hint: `move ${job.job ?? 'the job'} to a Kubernetes CronJob (or a BullMQ repeatable job), or guard it with a leader lock (e.g. Redis SET NX with a TTL) so one replica runs it`,
          });
        }
      }
    }
  },
});
