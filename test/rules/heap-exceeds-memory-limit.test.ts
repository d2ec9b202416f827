import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseQuantity } from '../../src/k8s/resources.js';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'heap-exceeds-memory-limit';
const dir = `${FIXTURES}/rules/${RULE}`;

/** A service `api` with an optional Dockerfile, and a Deployment running it with `container` lines added. */
function project(container: string, dockerfile?: string): Record<string, string> {
  return {
    'api/package.json': '{"name":"api","scripts":{"start":"node server.js"}}',
    'api/server.js': "require('express')().listen(3000);\n",
    ...(dockerfile ? { 'api/Dockerfile': dockerfile } : {}),
    'k8s/api.yaml': `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: acme/api:1\n${container}`,
  };
}
const limit = (memory: string) => `          resources:\n            limits:\n              memory: ${memory}\n`;
const nodeOptions = (mib: number) => `          env:\n            - name: NODE_OPTIONS\n              value: --max-old-space-size=${mib}\n`;

describe(RULE, () => {
  it('reads Kubernetes quantities', () => {
    assert.equal(parseQuantity('512Mi'), 512 * 2 ** 20);
    assert.equal(parseQuantity('1Gi'), 2 ** 30);
    assert.equal(parseQuantity('1.5Gi'), 1.5 * 2 ** 30);
    assert.equal(parseQuantity('500M'), 500e6);
    assert.equal(parseQuantity('2G'), 2e9);
    assert.equal(parseQuantity('128974848'), 128974848);
    assert.equal(parseQuantity('129e6'), 129e6);
    assert.equal(parseQuantity('64Ki'), 65536);
    assert.equal(parseQuantity('800k'), 800e3);
    assert.equal(parseQuantity(1e9), 1e9);
    assert.equal(parseQuantity('1E3'), 1000);
    for (const bad of ['', 'Mi', '512 MB', '1GB', 'lots']) assert.equal(parseQuantity(bad), undefined, bad);
  });

  it('fires where the heap size is set: manifest env, Dockerfile ENV and CMD, container args, the start script, an envFrom ConfigMap', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/pricing/Dockerfile:8`,
      `${RULE} fire/recommender/Dockerfile:5`,
      `${RULE} fire/search/package.json:5`,
      `${RULE} fire/workloads.yaml:19`,
      `${RULE} fire/workloads.yaml:85`,
      `${RULE} fire/workloads.yaml:115`,
    ]);
    const at = (file: string, line: number) => findings.find((f) => f.file === `fire/${file}` && f.line === line)!;
    const cart = at('workloads.yaml', 19);
    assert.equal(
      cart.message,
      '--max-old-space-size=512 (NODE_OPTIONS in the container env) lets the V8 heap of service "cart" grow to 512 MiB, equal to the 512Mi memory limit of Deployment "cart" container "cart" (linked because image "shop/cart:1.0.0" matches package "cart"): V8 also needs room outside the old space, so the container is OOMKilled before the garbage collector catches up; a heap near 75 % of the limit is the usual advice',
    );
    assert.equal(cart.hint, 'set --max-old-space-size=384 (75 % of 512Mi), or raise resources.limits.memory to at least 683Mi');
    assert.deepEqual(cart.related, [{ file: 'fire/workloads.yaml', line: 22, column: 15, message: 'the memory limit of Deployment "cart" container "cart"' }]);
    assert.deepEqual([cart.column, cart.endColumn], [15, 46], 'on the value field of NODE_OPTIONS');
    assert.match(at('pricing/Dockerfile', 8).message, /^--max-old-space-size=2048 \(NODE_OPTIONS in the Dockerfile ENV\) .* above the 1Gi \(1024 MiB\) memory limit/);
    assert.match(at('recommender/Dockerfile', 5).message, /^--max-old-space-size=4096 \(the Dockerfile CMD\) .* above the 4G \(3814 MiB\) memory limit/, 'the CMD flag beats the manifest NODE_OPTIONS of 256');
    assert.match(at('search/package.json', 5).message, /\(the start script in package\.json\)/, 'CMD ["npm", "start"] runs the start script');
    assert.deepEqual([at('search/package.json', 5).column, at('search/package.json', 5).endColumn], [32, 88]);
    assert.match(at('workloads.yaml', 85).message, /\(the container args\) .* above the 1000000000 \(953 MiB\) memory limit/);
    assert.match(at('workloads.yaml', 115).message, /\(NODE_OPTIONS in ConfigMap "tax-env" \(envFrom\)\)/);
  });

  it('stays silent below the limit, when a later source replaces the flag, without a limit, and for unlinked containers', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('follows the order of precedence: the command line beats NODE_OPTIONS, the manifest beats the Dockerfile', async () => {
    const lint = async (files: Record<string, string>) => where((await lintFiles(files, { rules: [RULE] })).findings);
    const cmd = 'FROM node:20\nCMD ["node", "--max-old-space-size=4096", "server.js"]\n';
    assert.deepEqual(await lint(project(limit('1Gi'), cmd)), [`${RULE} api/Dockerfile:2`]);
    assert.deepEqual(await lint(project(`          command: ["node", "server.js"]\n${limit('1Gi')}`, cmd)), [], 'the manifest command replaces the CMD');
    assert.deepEqual(await lint(project(`          args: ["node", "server.js"]\n${nodeOptions(1024)}${limit('1Gi')}`, cmd)), [`${RULE} k8s/api.yaml:14`], 'args replace the CMD; NODE_OPTIONS applies');
    const env = 'FROM node:20\nENV NODE_OPTIONS=--max-old-space-size=2048\nCMD ["node", "server.js"]\n';
    assert.deepEqual(await lint(project(limit('1Gi'), env)), [`${RULE} api/Dockerfile:2`]);
    assert.deepEqual(await lint(project(`${nodeOptions(700)}${limit('1Gi')}`, env)), []);
    assert.deepEqual(await lint(project(`          command: ["sh", "-c", "exec node --max-old-space-size=900 server.js"]\n${nodeOptions(4096)}${limit('1Gi')}`)), [], 'the flag in sh -c wins over NODE_OPTIONS');
    assert.deepEqual(await lint(project(`${nodeOptions(1023)}${limit('1Gi')}`)), []);
    assert.deepEqual(await lint(project(`${nodeOptions(1024)}${limit('1Gi')}`)), [`${RULE} k8s/api.yaml:13`], 'at the limit');
    assert.deepEqual(await lint(project(`          command: ["npm", "start"]\n${limit('1Gi')}`)), [], 'a start script without the flag');
  });
});
