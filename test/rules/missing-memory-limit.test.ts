import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, where } from '../helpers.js';

const RULE = 'missing-memory-limit';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it('fires per container without a memory limit, even when it limits cpu or sets 0, Jobs included', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire.yaml'], rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} fire.yaml:16`, `${RULE} fire.yaml:21`, `${RULE} fire.yaml:34`, `${RULE} fire.yaml:63`, `${RULE} fire.yaml:64`]);
    const [api, shipper, job, zero, singular] = findings;
    assert.equal(api!.message, 'Deployment "checkout" container "api" has no resources.limits.memory (it limits cpu only): one leaking replica can starve its node');
    assert.match(api!.hint!, /at least its request of 256Mi/);
    assert.match(shipper!.hint!, /add resources\.limits\.memory \(e\.g\. 512Mi\) to container "log-shipper"/);
    // A limit of 0 sets no limit: reported on the field.
    assert.equal(zero!.message, 'Deployment "recommendations" container "ranker" has no resources.limits.memory (a limit of 0 sets no limit): one leaking replica can starve its node');
    assert.deepEqual([zero!.column, zero!.endColumn], [33, 44]);
    assert.match(zero!.hint!, /^set resources\.limits\.memory of container "ranker" to the observed peak .*; 0 means unlimited$/);
    assert.equal(singular!.hint, 'rename limit: of container "feature-cache" to resources.limits: (Kubernetes does not read it)');
    assert.equal(job!.message, 'Job "import-prices" container "import" has no resources.limits.memory: one leaking pod can starve its node');
  });

  it('stays silent for memory limits (strings or bytes), pod-level limits, LimitRange defaults, init containers and sidecars', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent.yaml'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });
});
