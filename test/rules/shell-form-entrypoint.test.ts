import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'shell-form-entrypoint';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it('fires on the final stage CMD/ENTRYPOINT and on container commands that keep SIGTERM from node', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/linked/Dockerfile:4`,
      `${RULE} fire/lower-case-name/dockerfile:5`,
      `${RULE} fire/manifests.yaml:16`,
      `${RULE} fire/manifests.yaml:20`,
      `${RULE} fire/manifests.yaml:37`,
      `${RULE} fire/multi-stage/Dockerfile:10`,
      `${RULE} fire/nested-shell/Dockerfile:5`,
      `${RULE} fire/npm-run-exec/Dockerfile:10`,
      `${RULE} fire/npm-start/Dockerfile:5`,
      `${RULE} fire/sh-c-without-exec/Dockerfile:4`,
      `${RULE} fire/shell-form-node/Dockerfile:5`,
      `${RULE} fire/yarn-entrypoint/Dockerfile:5`,
    ]);
    const at = (file: string, line: number) => findings.find((f) => f.file === file && f.line === line)!;
    const npm = at('fire/npm-start/Dockerfile', 5);
    assert.equal(npm.message, 'CMD runs "npm start": the package manager gets SIGTERM and does not pass it on to node, so the graceful shutdown code never runs');
    assert.equal(npm.hint, 'CMD ["node", "dist/server.js"]', 'the start script, in exec form');
    assert.deepEqual([npm.column, npm.endLine, npm.endColumn], [1, 5, 14]);
    assert.equal(at('fire/shell-form-node/Dockerfile', 5).message, 'CMD runs "node dist/server.js" in shell form: /bin/sh gets SIGTERM, not node, so the graceful shutdown code never runs');
    assert.equal(at('fire/shell-form-node/Dockerfile', 5).hint, 'CMD ["node", "dist/server.js"]');
    assert.match(at('fire/sh-c-without-exec/Dockerfile', 4).message, /^CMD runs node through sh -c "npx prisma migrate deploy && node dist\/main\.js" without exec/);
    assert.match(at('fire/sh-c-without-exec/Dockerfile', 4).hint!, /&& exec node dist\/main\.js/);
    assert.match(at('fire/yarn-entrypoint/Dockerfile', 5).message, /^ENTRYPOINT runs "yarn start"/);
    assert.equal(at('fire/nested-shell/Dockerfile', 5).message, 'CMD runs sh -c "node dist/main.js" in shell form: /bin/sh gets SIGTERM, not node, so the graceful shutdown code never runs');
    assert.equal(at('fire/nested-shell/Dockerfile', 5).hint, 'CMD ["node", "dist/main.js"]');
    const bin = await lintFiles({ 'Dockerfile': 'FROM node:20\nCMD /bin/sh -c "node server.js"\n' }, { rules: [RULE] });
    assert.equal(bin.findings[0]?.hint, 'CMD ["node", "server.js"]');
    assert.match(at('fire/multi-stage/Dockerfile', 10).message, /^ENTRYPOINT runs "node dist\/server\.js" in shell form/);
    assert.match(at('fire/manifests.yaml', 16).message, /^Deployment "search" container "api" runs node through \/bin\/sh -c "node scripts\/warm-cache\.js && node dist\/server\.js" without exec/);
    assert.equal(at('fire/manifests.yaml', 16).column, 11, 'on the command field');
    assert.match(at('fire/manifests.yaml', 37).message, /^StatefulSet "carts" container "api" runs "yarn start"/);
    assert.equal(findings.filter((f) => f.file === 'fire/linked/Dockerfile').length, 1, 'once per Dockerfile, however many containers run it');
  });

  it('stays silent for exec form, exec in sh -c, dumb-init, scripts it cannot see, other runtimes, earlier stages, dev images, overriding containers and Jobs', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('stays silent on the Dockerfile when every linked container replaces the command, and fires when one does not', async () => {
    const deployment = (name: string, extra: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: shop/api:1\n${extra}`;
    const files = (second: string) => ({
      'api/package.json': '{"name":"api"}',
      'api/Dockerfile': 'FROM node:20\nCMD npm start\n',
      'api/server.js': "require('express')().listen(3000);\n",
      'k8s/a.yaml': deployment('api', '          args: ["node", "server.js"]\n'),
      'k8s/b.yaml': deployment('api-canary', second),
    });
    assert.deepEqual(where((await lintFiles(files('          command: ["node", "server.js"]\n'), { rules: [RULE] })).findings), []);
    assert.deepEqual(where((await lintFiles(files(''), { rules: [RULE] })).findings), [`${RULE} api/Dockerfile:2`]);
  });

  it('keeps the steps before npm start in its fix (a migration), with exec before node', async () => {
    const { findings } = await lintFiles(
      {
        'api/package.json': '{"name":"api","scripts":{"start":"node server/server.js --production","migrate":"knex migrate:latest"}}',
        'api/Dockerfile': 'FROM node:20\nCMD npm run migrate && npm start\n',
        'api/server.js': "require('express')().listen(3000);\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} api/Dockerfile:2`]);
    assert.equal(findings[0]!.hint, 'keep the steps before it and exec node in place of the package manager: CMD npm run migrate && exec node server/server.js --production');
    const manifest = await lintFiles(
      {
        'k8s/worker.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  template:\n    spec:\n      containers:\n        - name: worker\n          image: shop/worker:1\n          command: ["sh", "-c", "npm run migrate && npm start"]\n',
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(manifest.findings), [`${RULE} k8s/worker.yaml:11`]);
    assert.equal(manifest.findings[0]!.hint, 'keep the steps before it and exec node in place of the package manager: command: ["sh", "-c", "npm run migrate && exec node dist/server.js"]');
  });

  it('reads tini: without -g it only signals its child, the shell', async () => {
    const { findings } = await lintFiles(
      {
        'a/Dockerfile': 'FROM node:20\nENTRYPOINT ["/sbin/tini", "--"]\nCMD npm start\n',
        'b/Dockerfile': 'FROM node:20\nENTRYPOINT ["/sbin/tini", "-g", "--"]\nCMD npm start\n',
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} a/Dockerfile:3`]);
  });
});
