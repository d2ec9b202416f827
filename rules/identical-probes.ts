import { defineRule } from '../src/rule.js';
import { describeContainer, relatedAt, templateSuffix } from '../src/k8s/describe.js';
import { probeTarget, regularContainers } from '../src/k8s/containers.js';
import { probeSignature } from '../src/k8s/probes.js';

export default defineRule({
  id: 'identical-probes',
  scope: ['manifest'],
  severity: 'warning',
  summary: 'Liveness and readiness probes that are identical in action and timing',
  why: 'When a dependency slows down, the check fails readiness and liveness together: instead of taking replicas out of the Service for a while, Kubernetes restarts every replica at once.',
  fix: 'Point the livenessProbe at an endpoint that only says the process can answer, or give it a higher failureThreshold than the readinessProbe.',
  check({ app, report }) {
    for (const c of regularContainers(app.manifests.workloads, { longRunning: true })) {
      const liveness = c.node.get('livenessProbe');
      const readiness = c.node.get('readinessProbe');
      if (!liveness || !readiness) continue;
      const signature = probeSignature(c, liveness);
      if (!signature || signature !== probeSignature(c, readiness)) continue;
      const failures = readiness.get('failureThreshold')?.num() ?? 3;
      report({
        at: liveness.loc(),
        message: `${describeContainer(c)} has identical livenessProbe and readinessProbe (${probeTarget(liveness)}, same timing): when a dependency slows down, Kubernetes restarts every replica at once${templateSuffix(c.workload)}`,
        hint: `point the livenessProbe at an endpoint that does not check dependencies (e.g. /livez), or set its failureThreshold above the readinessProbe's ${failures} (e.g. ${failures * 2})`,
        related: [relatedAt(readiness, 'the readinessProbe it duplicates')],
      });
    }
  },
});

