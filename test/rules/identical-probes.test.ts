import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, where } from '../helpers.js';

const RULE = 'identical-probes';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it('fires at the livenessProbe when it equals the readinessProbe once defaults and named ports are resolved', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire.yaml'], rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} fire.yaml:25`, `${RULE} fire.yaml:36`, `${RULE} fire.yaml:56`]);
    const [api, worker, ledger] = findings;
    assert.equal(
      api!.message,
      'Deployment "checkout" container "api" has identical livenessProbe and readinessProbe (httpGet /health port 8080, same timing): when a dependency slows down, Kubernetes restarts every replica at once',
    );
    assert.deepEqual(api!.related, [{ file: 'fire.yaml', line: 20, column: 11, message: 'the readinessProbe it duplicates' }]);
    assert.match(api!.hint!, /failureThreshold above the readinessProbe's 3 \(e\.g\. 6\)/);
    assert.match(worker!.message, /\(exec, same timing\)/);
    assert.match(ledger!.message, /StatefulSet "ledger" container "ledger" .*\(tcpSocket port 5000/);
    assert.equal(ledger!.related![0]!.line, 59);
  });

  it('stays silent for a more patient liveness probe, other endpoints, other timing, sidecars and Jobs', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent.yaml'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });
});
