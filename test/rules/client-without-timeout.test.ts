import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'client-without-timeout';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it("leaves out the browser's calls in code the server loads, and calls of a file's own fetch; a local named document and a module that checks typeof window still count", async () => {
    const silent = await lintDir(dir, { paths: ['silent/wiki', 'silent/link-preview'], rules: [RULE] });
    assert.deepEqual(where(silent.findings), []);
    const fire = await lintDir(dir, { paths: ['fire/wiki-server'], rules: [RULE] });
    assert.deepEqual(where(fire.findings), [
      `${RULE} fire/wiki-server/server/unfurl.ts:4`,
      `${RULE} fire/wiki-server/server/unfurl.ts:10`,
      `${RULE} fire/wiki-server/shared/api.ts:5`,
    ]);
    assert.equal(fire.findings[2]!.message, 'fetch() has no signal: the request can wait forever on a slow dependency');
  });

  it('fires once per client instance and once per direct call without a timeout, at the call', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/axios-instance/src/payments.ts:4`,
      `${RULE} fire/express-axios/src/server.ts:7`,
      `${RULE} fire/express-axios/src/server.ts:8`,
      `${RULE} fire/express-axios/src/server.ts:9`,
      `${RULE} fire/express-axios/src/server.ts:10`,
      `${RULE} fire/fastify-fetch/src/main.ts:5`,
      `${RULE} fire/fastify-fetch/src/main.ts:6`,
      `${RULE} fire/hapi-node-fetch/src/server.ts:8`,
      `${RULE} fire/http/src/server.mjs:4`,
      `${RULE} fire/koa-got/src/index.ts:4`,
      `${RULE} fire/koa-got/src/index.ts:9`,
      `${RULE} fire/koa-got/src/index.ts:10`,
      `${RULE} fire/nest-axios/src/exchange.service.ts:6`,
      `${RULE} fire/wiki-server/server/unfurl.ts:4`,
      `${RULE} fire/wiki-server/server/unfurl.ts:10`,
      `${RULE} fire/wiki-server/shared/api.ts:5`,
    ]);
    const at = (file: string, line: number) => findings.find((f) => f.file.endsWith(file) && f.line === line)!;
    assert.equal(
      at('payments.ts', 4).message,
      'axios.create() for payments (http://payments) creates a client without a timeout: every request through it can wait forever on a slow dependency',
    );
    assert.equal(at('payments.ts', 4).hint, 'axios.create({ timeout: 5000, ... })');
    assert.equal(at('express-axios/src/server.ts', 7).message, 'axios.get() to http://pricing/prices/{…} has no timeout: the request can wait forever on a slow dependency (axios has no default timeout)');
    assert.match(at('express-axios/src/server.ts', 7).hint!, /axios\.defaults\.timeout = 5000/);
    assert.equal(at('fastify-fetch/src/main.ts', 5).message, 'fetch() to http://weather/today has no signal: the request can wait forever on a slow dependency');
    assert.equal(at('fastify-fetch/src/main.ts', 5).hint, 'pass a deadline: fetch(url, { signal: AbortSignal.timeout(5000) })');
    assert.match(at('koa-got/src/index.ts', 4).message, /^got\.extend\(\) for github \(https:\/\/api\.github\.com\) creates a client without a timeout/);
    assert.equal(at('koa-got/src/index.ts', 9).hint, 'pass { timeout: { request: 5000 } } in the options');
    assert.deepEqual([at('express-axios/src/server.ts', 7).column, at('express-axios/src/server.ts', 7).endLine], [33, 7]);
  });

  it("counts a global fetch beside a function that takes its own fetch as a parameter, and only that function's calls are its own", async () => {
    const users =
      "export async function getUser(id: string) {\n  return (await fetch(`https://users.internal/users/${id}`)).json();\n}\nexport function withFetch(fetch: typeof globalThis.fetch) {\n  return (url: string) => fetch(url);\n}\n";
    const server = "import express from 'express';\nimport { getUser } from './users';\nexpress().get('/u', async (req, res) => res.json(await getUser(String(req.query.id)))).listen(3000);\n";
    const { findings } = await lintFiles({ 'package.json': '{"name":"api","dependencies":{"express":"^4"}}', 'src/server.ts': server, 'src/users.ts': users }, { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} src/users.ts:2`]);
  });

  it('stays silent with timeouts, signals, defaults, options it cannot read, and outside the code a replica runs', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('names the URL from a constant only where that constant is in scope', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api"}',
        'src/server.ts': [
          "import express from 'express';",
          'const app = express();',
          "app.get('/a', async (req, res) => { const url = 'https://a.example.com'; res.json(await fetch(url)); });",
          "app.get('/b', async (req, res) => { const url = `https://b.example.com/${req.query.q}`; res.json(await fetch(url)); });",
          'app.listen(3000);',
        ].join('\n'),
      },
      { rules: [RULE] },
    );
    assert.deepEqual(
      findings.map((f) => f.message.split(' has ')[0]),
      ['fetch() to https://a.example.com', 'fetch()'],
    );
  });

  it('leaves out a helper server that only another package.json script runs, once the start script names the real one', async () => {
    const files = (scripts: string) => ({
      'package.json': `{"name":"kuma","scripts":{${scripts}}}`,
      'server/server.js': "require('express')().listen(3001);\nfetch('https://api.example.com/ping');\n",
      'extra/dns-server.js': "require('http').createServer().listen(5300);\nfetch('https://dns.example.com');\n",
      'extra/release.mjs': "await fetch('https://api.github.com/repos');\n",
    });
    const scripts = '"start":"npm run start-server","start-server":"node server/server.js","dns":"node extra/dns-server.js","release":"node ./extra/release.mjs"';
    assert.deepEqual(where((await lintFiles(files(scripts), { rules: [RULE] })).findings), [`${RULE} server/server.js:2`]);
    // Without a start script nothing says which server the replica runs: both trees count.
    assert.deepEqual(where((await lintFiles(files('"dns":"node extra/dns-server.js"'), { rules: [RULE] })).findings), [
      `${RULE} extra/dns-server.js:2`,
      `${RULE} extra/release.mjs:1`,
      `${RULE} server/server.js:2`,
    ]);
    // A dev script that runs the source of the started build is the same entry.
    const built = {
      'package.json': '{"name":"api","scripts":{"start":"node dist/main.js","dev":"ts-node src/main.ts"}}',
      'src/main.ts': "import express from 'express';\nexpress().listen(3000);\nfetch('https://a.example.com');\n",
      'src/metrics.ts': "import http from 'http';\nhttp.createServer().listen(9100);\nfetch('https://b.example.com');\n",
    };
    assert.deepEqual(where((await lintFiles(built, { rules: [RULE] })).findings), [`${RULE} src/main.ts:3`, `${RULE} src/metrics.ts:3`]);
  });

  it('reports code shared by two services once', async () => {
    const server = "import express from 'express';\nimport '../../../shared/clients';\nexpress().listen(3000);\n";
    const { findings } = await lintFiles(
      {
        'services/a/package.json': '{"name":"a"}',
        'services/a/src/server.ts': server,
        'services/b/package.json': '{"name":"b"}',
        'services/b/src/server.ts': server,
        'shared/clients.ts': "import axios from 'axios';\nexport const api = axios.create();\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} shared/clients.ts:2`]);
  });
  it('leaves out integration suites (*.integration.ts importing a test library), and keeps a module of that name that imports none', async () => {
    const server = "import express from 'express';\nconst app = express();\napp.listen(3000);\n";
    const suite = 'import { it } from "bun:test";\nit("lists", async () => {\n  await fetch("http://localhost:3000/items");\n});\n';
    const client = 'export async function notify(): Promise<void> {\n  await fetch("https://hooks.slack.example/x");\n}\n';
    const { findings } = await lintFiles(
      { 'package.json': '{"name":"api","dependencies":{"express":"^4"}}', 'src/server.ts': server, 'src/api.integration.ts': suite, 'src/slack.integration.ts': client },
      { rules: ['client-without-timeout'] },
    );
    assert.deepEqual(where(findings), ['client-without-timeout src/slack.integration.ts:2']);
  });
});
