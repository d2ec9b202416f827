import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'liveness-checks-dependencies';
const dir = `${FIXTURES}/rules/${RULE}`;

/** The files of a fixture service, with the liveness path of its manifest replaced. */
function withLiveness(service: string, from: string, to: string): Record<string, string> {
  const root = path.join(dir, 'silent', service);
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(root, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(root);
  const yaml = Object.keys(out).find((k) => k.endsWith('.yaml'))!;
  const text = out[yaml]!;
  const at = text.lastIndexOf(`path: ${from}`);
  out[yaml] = text.slice(0, at) + `path: ${to}` + text.slice(at + `path: ${from}`.length);
  return out;
}

describe(RULE, () => {
  it('fires on the handler behind the liveness path when it waits for a database, cache or HTTP call', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/accounts/src/server.ts:7`,
      `${RULE} fire/gateway/src/routes/probes.js:11`,
      `${RULE} fire/ledger/src/health.controller.ts:14`,
      `${RULE} fire/reviews/src/main.ts:6`,
      `${RULE} fire/sessions/src/index.js:13`,
    ]);
    const byFile = (s: string) => findings.find((f) => f.file.startsWith(`fire/${s}/`))!;
    const accounts = byFile('accounts');
    assert.equal(
      accounts.message,
      'the handler of GET /healthz (the livenessProbe of Deployment "accounts" container "accounts") waits for a database (pool.query): when that dependency is slow or down, every replica of service "accounts" fails liveness at once and Kubernetes restarts them all (linked because image "ghcr.io/acme/accounts:3.0.0" matches package "accounts")',
    );
    assert.deepEqual([accounts.column, accounts.endLine, accounts.endColumn], [21, 7, 40], 'on the handler head: async (req, res) =>');
    assert.deepEqual(accounts.related, [
      { file: 'fire/accounts/k8s/accounts.yaml', line: 25, column: 15, message: 'the livenessProbe of Deployment "accounts" container "accounts" that calls it' },
      { file: 'fire/accounts/src/server.ts', line: 8, column: 9, message: 'a database call: pool.query' },
    ]);
    assert.match(accounts.hint!, /^answer \/healthz without calling out/);

    const gateway = byFile('gateway');
    assert.match(gateway.message, /waits for another HTTP service \(axios\.get via checkAuth\(\), fetch via checkCatalog\(\)\)/, 'followed one level, in the same file and into an import');
    assert.deepEqual([gateway.column, gateway.endColumn], [1, 34], 'the named function: async function liveness(req, res)');
    assert.deepEqual(
      gateway.related!.slice(1).map((r) => `${r.file}:${r.line} ${r.message}`),
      ['fire/gateway/src/routes/probes.js:8 another HTTP service call in checkAuth(): axios.get', 'fire/gateway/src/upstreams.js:2 another HTTP service call in checkCatalog(): fetch'],
    );

    const ledger = byFile('ledger');
    assert.match(ledger.message, /GET \/health\/live .* waits for a database \(this\.db\.pingCheck\)/);
    assert.equal(ledger.column, 3, 'on live(), past its decorators');
    assert.match(ledger.hint!, /^leave pingCheck and other dependency indicators to the readiness endpoint/);
    assert.match(byFile('reviews').message, /waits for a database \(prisma\.\$queryRaw\)/, 'judged by name when the client is created in another file');
    assert.match(byFile('sessions').message, /waits for a cache \(redis\.ping\)/);
    assert.match(byFile('sessions').hint!, /healthChecks function that only resolves/);
  });

  it('stays silent for liveness handlers that do not wait for dependencies, dependency checks behind readiness, and unlinked code', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('fires once the liveness probe points at the readiness handler of the silent services', async () => {
    const cases: [string, string, string, string][] = [
      ['orders', '/livez', '/readyz', 'src/server.ts:17'],
      ['sessions', '/live', '/ready', 'src/index.js:14'],
      ['ledger', '/health/live', '/health/ready', 'src/health.controller.ts:20'],
    ];
    for (const [service, from, to, at] of cases) {
      const { findings } = await lintFiles(withLiveness(service, from, to), { rules: [RULE] });
      assert.deepEqual(where(findings), [`${RULE} ${at}`], service);
    }
  });

  it('judges a handler only when it surely answers the liveness path, also under a prefix it cannot see', async () => {
    const files = (route: string) => ({
      'package.json': '{"name":"api"}',
      'src/server.js': "const express = require('express');\nconst routes = require(process.env.ROUTES);\nconst app = express();\napp.use(routes);\napp.listen(3000);\n",
      'src/plugin.js': `const { Router } = require('express');\nconst { Pool } = require('pg');\nconst pool = new Pool();\nconst router = Router();\nrouter.get('${route}', async (req, res) => res.json(await pool.query('SELECT 1')));\nmodule.exports = router;\n`,
      'k8s/api.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: acme/api:1\n          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: 3000\n',
    });
    assert.deepEqual(where((await lintFiles(files('/healthz'), { rules: [RULE] })).findings), [`${RULE} src/plugin.js:5`]);
    assert.deepEqual(where((await lintFiles(files('/'), { rules: [RULE] })).findings), [], 'a bare / under an unknown prefix may be any route');
  });

  it('reports a handler once however many containers probe it', async () => {
    const deployment = (name: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: acme/api:1\n          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: 3000\n`;
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api"}',
        'src/server.js': "const express = require('express');\nconst db = require('./db');\nconst app = express();\napp.get('/healthz', async (req, res) => res.json(await db.query('SELECT 1')));\napp.listen(3000);\n",
        'k8s/a.yaml': deployment('api'),
        'k8s/b.yaml': deployment('api-canary'),
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} src/server.js:4`]);
    assert.match(findings[0]!.message, /container "api" and 1 more container\)/);
    assert.equal(findings[0]!.related!.filter((r) => r.file.endsWith('.yaml')).length, 2);
  });
});
