import { defineRule } from '../src/rule.js';
import { containerLoc, describeContainer, templateSuffix } from '../src/k8s/describe.js';
import { probeTarget, regularContainers } from '../src/k8s/containers.js';
import { probeState } from '../src/k8s/probes.js';

export default defineRule({
  id: 'missing-liveness-probe',
  scope: ['manifest'],
  severity: 'warning',
  summary: 'Container of a long-running workload without a livenessProbe',
  why: 'A wedged process (a deadlocked event loop, a leaked connection pool) is never restarted: the replica stays up, holds its share of traffic or work, and serves nothing.',
  fix: 'Add a livenessProbe on a cheap endpoint that only says the process can answer, with a failureThreshold higher than the readinessProbe.',
  check({ app, report }) {
    for (const c of regularContainers(app.manifests.workloads, { longRunning: true })) {
      const probe = probeState(c, 'livenessProbe');
      if (probe.state === 'ok') continue;
      const what = probe.state === 'empty' ? 'a livenessProbe with no httpGet, tcpSocket, grpc or exec' : 'no livenessProbe';
      const readiness = probeTarget(c.node.get('readinessProbe'));
      const port = c.node.at('ports', 0, 'containerPort')?.str() ?? '<containerPort>';
      const hint = readiness
        ? `add a livenessProbe on an endpoint that does not check dependencies (e.g. httpGet /livez), not the readiness check (${readiness}), with a higher failureThreshold`
        : `add livenessProbe: { httpGet: { path: /livez, port: ${port} }, periodSeconds: 10, failureThreshold: 6 } on an endpoint that does not check dependencies`;
      report({
        at: probe.state === 'empty' ? probe.node.loc() : containerLoc(c),
        message: `${describeContainer(c)} has ${what}: a wedged process is never restarted${templateSuffix(c.workload)}`,
        hint,
      });
    }
  },
});
