import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lintFiles, where } from './helpers.js';

const MANIFEST_RULES = [
  'missing-readiness-probe',
  'missing-liveness-probe',
  'identical-probes',
  'missing-resource-requests',
  'missing-memory-limit',
  'hpa-target-without-requests',
  'hpa-missing-target',
  'replicas-with-hpa',
  'single-replica',
];

describe('manifest rules on odd but real input', () => {
  it('never crash, and report what they can with positions', async () => {
    const odd = `# an apiVersion: v1 Deployment with no metadata, resources as a list and numeric quantities
apiVersion: v1
kind: Deployment
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: api
          resources: [cpu, memory]
          readinessProbe: yes
          livenessProbe: [httpGet]
        - name: sized
          resources:
            requests: { cpu: 1, memory: 1073741824 }
            limits: { memory: 2147483648 }
          readinessProbe: { tcpSocket: { port: 80 } }
          livenessProbe: { tcpSocket: { port: 80 }, failureThreshold: 6 }
        - just-a-string
      initContainers: 5
---
---
# comment only
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: null
spec:
  scaleTargetRef: []
  minReplicas: two
  metrics: not-a-list
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: q }
spec:
  triggers: {}
---
apiVersion: v1
kind: LimitRange
metadata: { name: lr }
spec: { limits: {} }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: empty }
spec:
  replicas: null
  template: { spec: { containers: [] } }
`;
    const { findings } = await lintFiles({ 'odd.yaml': odd, 'comments.yaml': '# nothing to see\n# here\n', 'empty.yaml': '', 'docs.yaml': '---\n---\n' }, { rules: MANIFEST_RULES });
    assert.deepEqual(where(findings), [
      'single-replica odd.yaml:5',
      'missing-memory-limit odd.yaml:9',
      'missing-resource-requests odd.yaml:9',
      'missing-readiness-probe odd.yaml:11',
      'missing-liveness-probe odd.yaml:12',
      'hpa-missing-target odd.yaml:29',
      'hpa-missing-target odd.yaml:34',
      'single-replica odd.yaml:45',
    ]);
    const byRule = Object.fromEntries(findings.map((f) => [`${f.ruleId}:${f.line}`, f]));
    assert.match(byRule['missing-readiness-probe:11']!.message, /^Deployment \(unnamed\) container "api" has a readinessProbe with no httpGet/);
    assert.match(byRule['hpa-missing-target:29']!.message, /^HorizontalPodAutoscaler \(unnamed\) has no scaleTargetRef kind and name/);
    assert.match(byRule['hpa-missing-target:34']!.message, /^ScaledObject "q" has no scaleTargetRef kind and name/);
  });
});

