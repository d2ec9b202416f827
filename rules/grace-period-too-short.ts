import { defineRule } from '../src/rule.js';
import { runtimeFiles } from '../src/code/scope.js';
import { shutdownTimeouts, type ShutdownTimeout } from '../src/code/shutdown.js';
import { describeService, linkReason } from '../src/cross/link.js';
import { preStopSleep } from '../src/k8s/containers.js';
import { containerLoc, describeObject, relatedAt } from '../src/k8s/describe.js';
import type { Related } from '../src/types.js';

/** Kubernetes' default when the pod spec does not set it. */
const DEFAULT_GRACE = 30;

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

function timeoutText(t: ShutdownTimeout): string {
  return `${t.source}${t.isDefault ? ' (its default)' : ''} of ${seconds(t.ms)} at ${t.file}:${t.span.line}`;
}

export default defineRule({
  id: 'grace-period-too-short',
  scope: ['cross'],
  severity: 'error',
  summary: 'terminationGracePeriodSeconds (default 30) not longer than the code shutdown timeout plus the preStop sleep',
  why: 'Kubernetes sends SIGKILL when the grace period ends: a replica still draining, after its preStop sleep and up to its own shutdown timeout, is killed mid-request on every scale-in and rollout.',
  fix: 'Set terminationGracePeriodSeconds above the preStop sleep plus the longest shutdown timeout of the code, with a few seconds to spare; or shorten the timeout.',
  check({ app, report }) {
    for (const l of app.links) {
      if (l.container.init || l.workload.runsToCompletion) continue;
      const timeouts = shutdownTimeouts(runtimeFiles(app, l.service), app.modules);
      if (!timeouts.length) continue;
      const longest = timeouts.reduce((a, b) => (b.ms > a.ms ? b : a));
      const sleep = preStopSleep(l.container);
      const needed = longest.ms / 1000 + (sleep?.seconds ?? 0);
      const field = l.workload.podSpec.get('terminationGracePeriodSeconds');
      const set = field?.num();
      if (field && !field.isNull && set === undefined) continue;
      const grace = set ?? DEFAULT_GRACE;
      if (grace > needed) continue;
      const pod = describeObject(l.workload);
      const pause = sleep?.seconds ?? 0;
      const graceText = set !== undefined ? `terminationGracePeriodSeconds: ${set}` : `no terminationGracePeriodSeconds (the default ${DEFAULT_GRACE} s applies; reported on the container, as the pod spec has no such field)`;
      const drain = `${sleep ? `a preStop sleep of ${pause} s plus ` : ''}${timeoutText(longest)}`;
      const related: Related[] = [{ file: longest.file, line: longest.span.line, column: longest.span.column, message: `${describeService(l.service)} sets its shutdown timeout here (${seconds(longest.ms)})` }];
      if (sleep) related.push(relatedAt(sleep.node, `the preStop hook sleeps ${pause} s before SIGTERM`));
      const shorten = grace - pause > 0 ? `, or shorten the ${longest.source} to under ${grace - pause} s` : '';
      report({
        at: set !== undefined ? field!.loc() : containerLoc(l.container),
        message: `${pod} has ${graceText}, but ${describeService(l.service)} in its container "${l.container.name}" may need ${Number(needed.toFixed(3))} s to stop (${drain}; ${linkReason(l)}): Kubernetes SIGKILLs it while it is still draining`,
        hint: `set terminationGracePeriodSeconds: ${Math.ceil(needed) + 5} on the pod spec of ${pod}${shorten}`,
        related,
      });
    }
  },
});
