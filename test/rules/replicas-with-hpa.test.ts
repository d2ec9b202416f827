import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, where } from '../helpers.js';

const RULE = 'replicas-with-hpa';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it('fires at spec.replicas of a workload an HPA or KEDA ScaledObject scales, related to the autoscaler', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} fire/deployments.yaml:8`, `${RULE} fire/deployments.yaml:26`]);
    const [checkout, worker] = findings;
    assert.equal(checkout!.message, 'Deployment "checkout" sets replicas: 3 while HorizontalPodAutoscaler "checkout" scales it: every apply resets the count to 3');
    assert.match(checkout!.hint!, /remove spec\.replicas from Deployment "checkout"; .*kubectl apply edit-last-applied deployment\/checkout/);
    assert.deepEqual(checkout!.related, [{ file: 'fire/autoscalers.yaml', line: 6, column: 3, message: 'HorizontalPodAutoscaler "checkout" targets it here' }]);
    assert.deepEqual([checkout!.column, checkout!.endColumn], [3, 14]);
    assert.match(worker!.message, /^StatefulSet "invoice-worker" sets replicas: 1 while ScaledObject "invoice-worker" scales it/);
  });

  it('stays silent without replicas, without an autoscaler, or with an autoscaler of another namespace or kind', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });
});
