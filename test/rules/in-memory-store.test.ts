import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'in-memory-store';
const dir = `${FIXTURES}/rules/${RULE}`;

function express(code: string, extra: Record<string, string> = {}) {
  return lintFiles(
    { 'package.json': '{"name":"api","dependencies":{"express":"^4"}}', 'app.js': `const app = require('express')();\n${code}app.listen(3000);\n`, ...extra },
    { rules: [RULE] },
  );
}

describe(RULE, () => {
  it('reports sessions, rate limits, socket.io servers, uploads and disk writes that stay in the replica', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/express/src/app.js:11`,
      `${RULE} fire/express/src/app.js:12`,
      `${RULE} fire/express/src/app.js:14`,
      `${RULE} fire/express/src/app.js:20`,
      `${RULE} fire/express/src/app.js:25`,
      `${RULE} fire/express/src/avatars.js:8`,
      `${RULE} fire/express/src/avatars.js:13`,
      `${RULE} fire/express/src/avatars.js:14`,
      `${RULE} fire/express/src/partners.js:7`,
      `${RULE} fire/fastify/src/main.ts:7`,
      `${RULE} fire/fastify/src/main.ts:8`,
      `${RULE} fire/koa/src/index.js:26`,
      `${RULE} fire/nest/src/documents.controller.ts:7`,
    ]);
    assert.ok(findings.every((f) => f.severity === 'error'));
    const at = (file: string, line: number) => findings.find((f) => f.file === `fire/${file}` && f.line === line)!;
    assert.equal(
      at('express/src/app.js', 11).message,
      "session(…) (express-session) keeps sessions in this replica's memory (MemoryStore): a login vanishes when the next request lands on another replica, and every restart logs everyone out",
    );
    assert.match(at('express/src/app.js', 11).hint!, /connect-redis/);
    assert.match(at('express/src/app.js', 12).message, /^rateLimit\(…\) \(express-rate-limit\) counts requests in this replica's memory: with N replicas a client gets N times the limit/);
    assert.match(at('express/src/app.js', 12).hint!, /rate-limit-redis/);
    assert.match(at('express/src/app.js', 14).hint!, /RateLimiterRedis/);
    assert.match(at('express/src/app.js', 20).message, /^multer\(…\) stores uploads on the pod's disk \(uploads\/\)/);
    assert.match(at('express/src/app.js', 25).message, /^socket\.io server new Server\(…\) has no adapter: io\.emit\(\) and rooms reach only the sockets connected to this replica$/);
    assert.match(at('express/src/app.js', 25).hint!, /@socket\.io\/redis-adapter/);
    assert.match(at('express/src/avatars.js', 8).message, /^multer\.diskStorage\(…\) stores uploads on the pod's disk \(\/tmp\/avatars\)/);
    assert.match(
      at('express/src/avatars.js', 13).message,
      /^fs\.promises\.writeFile\(…\) writes to the pod's disk \(`public\/avatars\/\$\{req\.params\.id\}\.png`\) from the avatarsRouter\.post\('\/:id\/crop'\) handler \(line 12\)/,
    );
    assert.match(at('fastify/src/main.ts', 7).message, /\(@fastify\/session\) keeps sessions in this replica's memory/);
    assert.match(at('fastify/src/main.ts', 8).hint!, /redis: new Redis/);
    assert.match(at('koa/src/index.js', 26).message, /in-process ContextStore/);
    assert.match(at('nest/src/documents.controller.ts', 7).message, /^FileInterceptor\(…\) stores uploads on the pod's disk \(\.\/uploads\)/);
  });

  it('stays silent with shared stores and adapters, options it cannot read, cookie sessions, insurance limiters, memory/S3 uploads and writes outside requests', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('leaves out packages of test helpers, which start servers for tests only', async () => {
    const harness = "const express = require('express');\nconst session = require('express-session');\nexports.startTestApp = () => express().use(session({ secret: 'test' })).listen(0);\n";
    const pkg = (name: string) => ({ [`${name}/package.json`]: `{"name":"@acme/${name}","dependencies":{"express":"^4","express-session":"^1"}}`, [`${name}/index.js`]: harness });
    assert.deepEqual(where((await lintFiles(pkg('test-utils'), { rules: [RULE] })).findings), []);
    assert.deepEqual(where((await lintFiles(pkg('gateway'), { rules: [RULE] })).findings), [`${RULE} gateway/index.js:3`]);
  });

  it("finds the demo shop's session without a store", async () => {
    const { findings } = await lintDir(`${FIXTURES}/demo`, { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} services/checkout/src/server.ts:8`]);
  });

  it('reports an explicit in-process MemoryStore as the default one', async () => {
    const { findings } = await express("const session = require('express-session');\napp.use(session({ secret: 's', store: new session.MemoryStore() }));\n");
    assert.deepEqual(where(findings), [`${RULE} app.js:3`]);
  });

  it('finds the socket.io adapter anywhere in the service, or its absence', async () => {
    const io = "const { Server } = require('socket.io');\nconst io = new Server(require('http').createServer(app));\n";
    assert.deepEqual(where((await express(io)).findings), [`${RULE} app.js:3`]);
    const adapted = await express(`${io}require('./adapter')(io);\n`, { 'adapter.js': "module.exports = (io) => io.adapter(require('@socket.io/redis-adapter').createAdapter());\n" });
    assert.deepEqual(where(adapted.findings), []);
  });

  it('reads a library required where it is called: require("socket.io")(server), app.use(require("express-session")({...}))', async () => {
    const code = "app.use(require('express-session')({ secret: 'x' }));\nconst io = require('socket.io')(require('http').createServer(app));\n";
    assert.deepEqual(where((await express(code)).findings), [`${RULE} app.js:2`, `${RULE} app.js:3`]);
  });

  it('judges disk writes by where they run: a request handler, not start-up', async () => {
    const { findings } = await express("const fs = require('fs');\nfs.writeFileSync('tmp/boot.json', '{}');\napp.post('/x', (req, res) => { fs.writeFileSync('tmp/x.json', '{}'); res.end(); });\n");
    assert.deepEqual(where(findings), [`${RULE} app.js:4`]);
  });

  it('follows a write path through constants, in an app created as module.exports = new Koa()', async () => {
    const app = [
      "const os = require('os');",
      "const path = require('path');",
      "const fs = require('fs-promise');",
      "const Koa = require('koa');",
      'const app = module.exports = new Koa();',
      'app.use(async (ctx) => {',
      '  const dir = path.join(os.tmpdir(), String(Date.now()));',
      '  for (const file of ctx.request.files) {',
      '    const dest = path.join(dir, file.name);',
      '    fs.createWriteStream(dest);',
      '  }',
      '});',
      'app.listen(3000);',
      '',
    ].join('\n');
    const { findings } = await lintFiles({ 'package.json': '{"name":"uploads","dependencies":{"koa":"^2"}}', 'app.js': app }, { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} app.js:10`]);
    assert.match(findings[0]!.message, /writes to the pod's disk \(path\.join\(dir, file\.name\)\)/);
  });

  it('takes a callback of a client method named like a route (redis.get, cache.del) for a callback, not a request handler', async () => {
    const { findings } = await express(
      [
        "const fs = require('fs');",
        "const Redis = require('ioredis');",
        'const redis = new Redis();',
        "redis.get('feature-flags', (err, flags) => fs.writeFileSync('tmp/flags.json', flags));",
        "cache.del(staleKey, () => fs.writeFileSync('tmp/purged', ''));",
        "app.get('/export', (req, res) => { fs.writeFileSync('tmp/export.csv', ''); res.end(); });",
        "router.get('/import/:id', async ({ params }) => fs.writeFileSync(`tmp/${params.id}`, ''));",
        "router.route('/reports').get(list).post(async ({ body }) => fs.writeFileSync('tmp/report.json', body));",
        '',
      ].join('\n'),
    );
    // Routes on the express app (line 7) and, by their literal path, on a router of unknown origin (lines 8, 9).
    assert.deepEqual(where(findings), [`${RULE} app.js:7`, `${RULE} app.js:8`, `${RULE} app.js:9`]);
    assert.match(findings[0]!.message, /from the app\.get\('\/export'\) handler/);
    assert.match(findings[1]!.message, /from the router\.get\('\/import\/:id'\) handler/);
  });
});
