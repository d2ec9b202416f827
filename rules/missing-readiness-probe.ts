import { defineRule } from '../src/rule.js';
import { containerLoc, describeContainer, templateSuffix } from '../src/k8s/describe.js';
import { probeTarget, regularContainers } from '../src/k8s/containers.js';
import { platformProbesReadiness, probeState } from '../src/k8s/probes.js';

export default defineRule({
  id: 'missing-readiness-probe',
  scope: ['manifest'],
  severity: 'error',
  summary: 'Container of a long-running workload without a readinessProbe',
  why: 'New replicas receive traffic before they can serve, and terminating ones keep receiving it, so every scale-out and rollout drops requests.',
  fix: 'Add a readinessProbe (httpGet on the path your service answers when it is ready to serve).',
  check({ app, report }) {
    for (const c of regularContainers(app.manifests.workloads, { longRunning: true })) {
      if (platformProbesReadiness(c.workload)) continue;
      const probe = probeState(c, 'readinessProbe');
      if (probe.state === 'ok') continue;
      const what = probe.state === 'empty' ? 'a readinessProbe with no httpGet, tcpSocket, grpc or exec' : 'no readinessProbe';
      const liveness = probeTarget(c.node.get('livenessProbe'));
      const port = c.node.at('ports', 0, 'containerPort')?.str();
      const livePath = c.node.at('livenessProbe', 'httpGet', 'path')?.str() ?? '';
      const hint = /(?:^|\/)(?:ready|readyz|readiness)(?:$|[/?])/.test(livePath)
        ? `the livenessProbe (${liveness}) calls a readiness endpoint: make it the readinessProbe, and give the livenessProbe an endpoint that does not check dependencies (e.g. /livez)`
        : liveness
          ? `add a readinessProbe beside the livenessProbe (${liveness}); point it at an endpoint that fails while the service cannot serve, e.g. httpGet /ready`
          : `add readinessProbe: { httpGet: { path: /ready, port: ${port ?? '<containerPort>'} }, periodSeconds: 5 } on an endpoint that fails while the service cannot serve`;
      report({
        at: probe.state === 'empty' ? probe.node.loc() : containerLoc(c),
        message: `${describeContainer(c)} has ${what}: new replicas get traffic before they can serve${templateSuffix(c.workload)}`,
        hint,
      });
    }
  },
});
