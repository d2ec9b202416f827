import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'missing-readiness-probe';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it('fires per container of long-running workloads, at the container name or the empty probe', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire.yaml'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire.yaml:14`,
      `${RULE} fire.yaml:22`,
      `${RULE} fire.yaml:37`,
      `${RULE} fire.yaml:47`,
      `${RULE} fire.yaml:56`,
      `${RULE} fire.yaml:69`,
    ]);
    assert.equal(findings[0]!.message, 'Deployment "checkout" container "api" has no readinessProbe: new replicas get traffic before they can serve');
    assert.match(findings[0]!.hint!, /livenessProbe \(httpGet \/healthz port 8080\)/);
    assert.match(findings[1]!.message, /container "worker" has a readinessProbe with no httpGet, tcpSocket, grpc or exec/);
    assert.deepEqual([findings[1]!.column, findings[1]!.endColumn], [11, 25]);
    assert.match(findings[2]!.message, /StatefulSet "ledger" container "#1"/);
    assert.equal(findings[2]!.column, 11);
    // A liveness probe on the readiness endpoint: the hint says to swap, not to add a second /ready probe.
    assert.equal(
      findings[5]!.hint,
      'the livenessProbe (httpGet /health/ready port 3000) calls a readiness endpoint: make it the readinessProbe, and give the livenessProbe an endpoint that does not check dependencies (e.g. /livez)',
    );
  });

  it('stays silent for Jobs, CronJobs, Helm test pods, init containers, sidecars, Knative and containers with a probe', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent.yaml'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('names the Helm template when linting rendered output from stdin', async () => {
    const stdin = `---
# Source: shop/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-api
spec:
  template:
    spec:
      containers:
        - name: api
          image: shop/api
`;
    const { findings } = await lintFiles({}, { paths: ['-'], rules: [RULE], stdin });
    assert.deepEqual(where(findings), [`${RULE} <stdin>:11`]);
    assert.match(findings[0]!.message, /\(from shop\/templates\/deployment\.yaml\)$/);
  });
});
