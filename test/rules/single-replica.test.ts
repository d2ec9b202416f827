import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'single-replica';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it('fires at replicas or minReplicas, or at kind: when the field is omitted (default 1)', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire.yaml'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire.yaml:7`,
      `${RULE} fire.yaml:19`,
      `${RULE} fire.yaml:39`,
      `${RULE} fire.yaml:51`,
      `${RULE} fire.yaml:89`,
      `${RULE} fire.yaml:93`,
    ]);
    const [checkout, storefront, ledger, rollout, orders, pricing] = findings;
    assert.equal(
      checkout!.message,
      'Deployment "checkout" sets replicas: 1 and has no autoscaler: one pod is a single point of failure, and every rollout or node drain is an outage',
    );
    assert.match(checkout!.hint!, /set spec\.replicas: 2 or more on Deployment "checkout"/);
    assert.match(storefront!.message, /^Deployment "storefront" sets no replicas \(default 1\)/);
    assert.deepEqual([storefront!.column, storefront!.endColumn], [1, 17]);
    assert.match(ledger!.message, /^StatefulSet "ledger" sets replicas: 1/);
    assert.match(rollout!.message, /^Rollout "search"/);
    assert.equal(orders!.message, 'HorizontalPodAutoscaler "orders" sets minReplicas: 1: at low load it scales down to one pod, and then every rollout or node drain is an outage');
    assert.equal(orders!.hint, 'set minReplicas: 2 on HorizontalPodAutoscaler "orders"');
    assert.match(pricing!.message, /^HorizontalPodAutoscaler "pricing" sets no minReplicas \(default 1\)/);
  });

  it('stays silent for 2+ replicas, replicas: 0, autoscaled workloads and kinds that do not run replicas', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent.yaml'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('matches the autoscaler in another file, and names the Helm template', async () => {
    const stdin = `---
# Source: shop/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-api
spec:
  template:
    spec:
      containers: [{ name: api, image: shop/api }]
`;
    const { findings } = await lintFiles({}, { paths: ['-'], rules: [RULE], stdin });
    assert.deepEqual(where(findings), [`${RULE} <stdin>:4`]);
    assert.match(findings[0]!.message, /\(from shop\/templates\/deployment\.yaml\)$/);
    const split = await lintFiles(
      {
        'k8s/deploy.yaml': stdin.replace(/^---\n# Source: .*\n/, ''),
        'k8s/autoscaling/hpa.yaml': 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: shop-api }\nspec:\n  scaleTargetRef: { kind: Deployment, name: shop-api }\n  minReplicas: 2\n  maxReplicas: 4\n',
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(split.findings), []);
  });
});
