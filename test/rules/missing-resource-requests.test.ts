import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, where } from '../helpers.js';

const RULE = 'missing-resource-requests';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it('fires once per container, naming each missing request (zero included), for every workload kind', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire.yaml'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire.yaml:16`,
      `${RULE} fire.yaml:18`,
      `${RULE} fire.yaml:25`,
      `${RULE} fire.yaml:42`,
      `${RULE} fire.yaml:72`,
      `${RULE} fire.yaml:92`,
      `${RULE} fire.yaml:94`,
      `${RULE} fire.yaml:100`,
    ]);
    const [api, shipper, metrics, cleanup, misplaced, zeroCpu, zeroBoth, singular] = findings;
    assert.equal(
      api!.message,
      'Deployment "checkout" container "api" has no resources.requests.cpu or resources.requests.memory: the scheduler packs pods blind and an HPA cannot compute utilisation',
    );
    assert.equal(api!.hint, 'add resources: { requests: { cpu: 100m, memory: 256Mi } } to container "api", sized from the observed usage of one replica');
    assert.match(shipper!.message, /container "log-shipper" has no resources\.requests\.memory:/);
    assert.match(shipper!.hint!, /requests: \{ memory: 256Mi \}/);
    assert.match(metrics!.message, /container "metrics" has no resources\.requests\.cpu or resources\.requests\.memory/);
    assert.equal(misplaced!.hint, 'move requests: of container "search" under resources: (Kubernetes does not read it where it is)');
    // A request of 0 is the field at fault (a limit does not replace it); two zeros point at the container.
    assert.equal(
      zeroCpu!.message,
      'Deployment "thumbnails" container "resize" has no resources.requests.cpu (cpu: 0 reserves nothing): the scheduler packs pods blind and an HPA cannot compute utilisation',
    );
    assert.deepEqual([zeroCpu!.column, zeroCpu!.endColumn], [25, 31]);
    assert.equal(zeroCpu!.hint, 'set resources.requests.cpu of container "resize" above 0 (e.g. cpu: 100m), sized from the observed usage of one replica');
    assert.match(zeroBoth!.message, /container "cache" has no resources\.requests\.cpu or resources\.requests\.memory \(cpu: 0 and memory: 0 reserve nothing\)/);
    assert.equal(singular!.hint, 'rename resources.request: of container "exporter" to resources.requests: (Kubernetes does not read it)');
    assert.equal(cleanup!.message, 'CronJob "cart-cleanup" container "cleanup" has no resources.requests.cpu or resources.requests.memory: the scheduler packs pods blind');
  });

  it('stays silent for requests as strings or numbers, limits, pod-level resources, LimitRange defaults and init containers', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent.yaml'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });
});
