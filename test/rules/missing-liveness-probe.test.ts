import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, where } from '../helpers.js';

const RULE = 'missing-liveness-probe';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it('fires per regular container of long-running workloads, at the name or at the probe that does nothing', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire.yaml'], rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} fire.yaml:16`, `${RULE} fire.yaml:25`, `${RULE} fire.yaml:40`, `${RULE} fire.yaml:59`]);
    const [api, metrics, ledger, agent] = findings;
    assert.equal(api!.message, 'Deployment "checkout" container "api" has no livenessProbe: a wedged process is never restarted');
    assert.equal(api!.severity, 'warning');
    assert.match(api!.hint!, /not the readiness check \(httpGet \/ready port http\)/);
    assert.match(metrics!.message, /container "metrics" has a livenessProbe with no httpGet, tcpSocket, grpc or exec/);
    assert.match(ledger!.hint!, /path: \/livez, port: 5000/);
    assert.match(agent!.message, /^DaemonSet "node-agent" container "agent"/);
  });

  it('stays silent for every probe handler, Jobs, CronJobs, Helm test pods, init containers and sidecars', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent.yaml'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });
});
