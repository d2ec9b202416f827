import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'grace-period-too-short';
const dir = `${FIXTURES}/rules/${RULE}`;

/** An Express service whose SIGTERM handler has a forced-exit timer of `ms`, and a Deployment with `podSpec` and `container` lines. */
function project(ms: number, podSpec: string, container = ''): Record<string, string> {
  return {
    'package.json': '{"name":"api"}',
    'src/server.js': `const app = require('express')();\nconst server = app.listen(3000);\nprocess.on('SIGTERM', () => {\n  server.close(() => process.exit(0));\n  setTimeout(() => process.exit(1), ${ms}).unref();\n});\n`,
    'k8s/api.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n${podSpec}      containers:\n        - name: api\n          image: acme/api:1\n${container}`,
  };
}

describe(RULE, () => {
  it('fires on terminationGracePeriodSeconds, or on the container when it is omitted (default 30 s)', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/workloads.yaml:15`,
      `${RULE} fire/workloads.yaml:31`,
      `${RULE} fire/workloads.yaml:53`,
      `${RULE} fire/workloads.yaml:76`,
      `${RULE} fire/workloads.yaml:94`,
    ]);
    const at = (line: number) => findings.find((f) => f.line === line)!;
    const orders = at(15);
    assert.equal(
      orders.message,
      'Deployment "orders" has no terminationGracePeriodSeconds (the default 30 s applies; reported on the container, as the pod spec has no such field), but service "orders" in its container "orders" may need 45 s to stop (forced-exit timer of 45 s at fire/orders/src/server.js:10; linked because image "shop/orders:1.0.0" matches package "orders"): Kubernetes SIGKILLs it while it is still draining',
    );
    assert.equal(orders.column, 11, "on the container's name: entry");
    assert.equal(orders.hint, 'set terminationGracePeriodSeconds: 50 on the pod spec of Deployment "orders", or shorten the forced-exit timer to under 30 s');
    assert.deepEqual(orders.related, [{ file: 'fire/orders/src/server.js', line: 10, column: 3, message: 'service "orders" sets its shutdown timeout here (45 s)' }]);

    const notifier = at(31);
    assert.match(notifier.message, /has terminationGracePeriodSeconds: 30, but service "notifier" .* may need 35 s to stop \(a preStop sleep of 5 s plus lightship gracefulShutdownTimeout \(its default\) of 30 s at/);
    assert.deepEqual([notifier.column, notifier.endColumn], [7, 40], 'on the field');
    assert.deepEqual(notifier.related![1], { file: 'fire/workloads.yaml', line: 38, column: 17, message: 'the preStop hook sleeps 5 s before SIGTERM' });
    assert.match(at(53).message, /may need 30 s to stop \(a preStop sleep of 10 s plus @godaddy\/terminus timeout of 20 s/, 'sh -c "sleep 10"; equal is too short');
    assert.match(at(76).message, /^StatefulSet "reports" has terminationGracePeriodSeconds: 45, .*Hapi server\.stop\(\) timeout of 60 s/);
    assert.match(at(94).message, /a preStop sleep of 15 s plus close-with-grace delay \(its default\) of 10 s/);
  });

  it('stays silent with time to spare, without a timeout in the code, for Jobs and for unlinked workloads', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('compares the grace period with the timeout plus the preStop sleep', async () => {
    const lint = async (files: Record<string, string>) => where((await lintFiles(files, { rules: [RULE] })).findings);
    const preStop = (command: string) => `          lifecycle:\n            preStop:\n              exec:\n                command: ${command}\n`;
    assert.deepEqual(await lint(project(29_000, '')), []);
    assert.deepEqual(await lint(project(30_000, '')), [`${RULE} k8s/api.yaml:9`]);
    assert.deepEqual(await lint(project(20_000, '      terminationGracePeriodSeconds: 31\n', preStop('["sh", "-c", "sleep 10 && echo draining"]'))), []);
    assert.deepEqual(await lint(project(20_000, '      terminationGracePeriodSeconds: 30\n', preStop('["sh", "-c", "sleep 10 && echo draining"]'))), [`${RULE} k8s/api.yaml:8`]);
    assert.deepEqual(await lint(project(20_000, '      terminationGracePeriodSeconds: 30\n', preStop('["/bin/sleep", "12"]'))), [`${RULE} k8s/api.yaml:8`], '/bin/sleep is sleep too');
  });
});
