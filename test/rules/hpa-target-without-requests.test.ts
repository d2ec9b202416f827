import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'hpa-target-without-requests';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it('fires on each container of the target lacking a measured request, across files and autoscaling versions', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/workloads.yaml:17`,
      `${RULE} fire/workloads.yaml:21`,
      `${RULE} fire/workloads.yaml:44`,
      `${RULE} fire/workloads.yaml:59`,
      `${RULE} fire/workloads.yaml:76`,
    ]);
    const [sidecar, api, ledger, web, mailer] = findings;
    assert.equal(
      api!.message,
      'Deployment "checkout" container "api" has no resources.requests.cpu, which HorizontalPodAutoscaler "checkout" measures: the autoscaler cannot compute cpu utilisation (FailedGetResourceMetric) and does not scale on it',
    );
    assert.deepEqual(api!.related, [{ file: 'fire/autoscalers.yaml', line: 11, column: 7, message: 'HorizontalPodAutoscaler "checkout" measures cpu utilisation here' }]);
    assert.match(api!.hint!, /^add resources\.requests\.cpu to container "api"/);
    // Native sidecars count towards the pod's utilisation; both measured resources are named once.
    assert.match(sidecar!.message, /sidecar "mesh-proxy" has no resources\.requests\.cpu or resources\.requests\.memory/);
    assert.equal(sidecar!.related!.length, 2);
    // autoscaling/v1 without a target uses the default 80% CPU.
    assert.deepEqual(ledger!.related, [{ file: 'fire/autoscalers.yaml', line: 24, column: 1, message: 'HorizontalPodAutoscaler "ledger" gives no metrics, so it measures 80% CPU utilisation' }]);
    // A ContainerResource metric only needs the named container's request.
    assert.match(web!.message, /Deployment "search" container "web"/);
    assert.match(mailer!.message, /which ScaledObject "mailer" measures/);
  });

  it('stays silent for value targets, limits, other containers, other namespaces, external metrics and init containers', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('understands autoscaling/v2beta1 targetAverageUtilization and a LimitRange that fills requests in', async () => {
    const deploy = (ns: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: ${ns} }
spec:
  template:
    spec:
      containers:
        - name: api
          image: api
---
apiVersion: autoscaling/v2beta1
kind: HorizontalPodAutoscaler
metadata: { name: api, namespace: ${ns} }
spec:
  scaleTargetRef: { kind: Deployment, name: api }
  metrics:
    - type: Resource
      resource: { name: memory, targetAverageUtilization: 80 }
`;
    const limits = 'apiVersion: v1\nkind: LimitRange\nmetadata: { name: d, namespace: dev }\nspec:\n  limits:\n    - type: Container\n      defaultRequest: { memory: 128Mi }\n';
    const { findings } = await lintFiles({ 'prod.yaml': deploy('prod'), 'dev.yaml': deploy('dev'), 'limits.yaml': limits }, { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} prod.yaml:8`]);
    assert.match(findings[0]!.message, /has no resources\.requests\.memory, which HorizontalPodAutoscaler "api" measures/);
  });

  it('treats a request written as 0 as missing, even with a limit (a limit only fills in an omitted request)', async () => {
    const deploy = (request: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: pricing }
spec:
  template:
    spec:
      containers:
        - name: pricing
          image: shop/pricing:1
          resources:
            requests: { cpu: ${request}, memory: 128Mi }
            limits: { cpu: 500m, memory: 256Mi }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: pricing }
spec:
  scaleTargetRef: { kind: Deployment, name: pricing }
  minReplicas: 2
  maxReplicas: 6
  metrics:
    - type: Resource
      resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } }
`;
    const { findings } = await lintFiles({ 'zero.yaml': deploy('"0"'), 'small.yaml': deploy('5m') }, { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} zero.yaml:8`]);
    assert.match(findings[0]!.message, /container "pricing" has no resources\.requests\.cpu, which HorizontalPodAutoscaler "pricing" measures/);
  });

  it('reports a container once, however many autoscalers of the run measure it', async () => {
    const deploy = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api }\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api\n';
    const hpa = 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: api }\nspec:\n  scaleTargetRef: { kind: Deployment, name: api }\n  minReplicas: 2\n  maxReplicas: 4\n';
    const { findings } = await lintFiles({ 'staging/deploy.yaml': deploy, 'staging/hpa.yaml': hpa, 'prod/deploy.yaml': deploy, 'prod/hpa.yaml': hpa }, { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} prod/deploy.yaml:8`, `${RULE} staging/deploy.yaml:8`]);
    assert.match(findings[0]!.message, /which HorizontalPodAutoscaler "api" measures:/);
    assert.deepEqual(findings[0]!.related!.map((r) => r.file), ['prod/hpa.yaml', 'staging/hpa.yaml']);
  });
});
