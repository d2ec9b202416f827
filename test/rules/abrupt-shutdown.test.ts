import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'abrupt-shutdown';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it('fires at process.exit() reached before the server closed, for every framework, also through named and imported functions', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/express-close-not-awaited/src/server.ts:9`,
      `${RULE} fire/express/src/server.js:9`,
      `${RULE} fire/fastify/src/main.ts:11`,
      `${RULE} fire/hapi/src/server.ts:8`,
      `${RULE} fire/http/src/lifecycle.mjs:3`,
      `${RULE} fire/koa/src/index.ts:12`,
      `${RULE} fire/nest/src/main.ts:9`,
    ]);
    const byFile = (s: string) => findings.find((f) => f.file.includes(s))!;
    assert.equal(byFile('fire/express/').message, 'the SIGTERM handler calls process.exit(0) without closing the server: in-flight requests are cut off mid-response');
    assert.match(byFile('fire/express/').hint!, /server\.close\(\(\) => process\.exit\(0\)\)/);
    assert.equal(
      byFile('express-close-not-awaited').message,
      'the SIGTERM handler calls process.exit(0) without waiting for server.close() to finish: in-flight requests are cut off mid-response',
    );
    assert.match(byFile('fire/fastify/').message, /^the SIGINT\/SIGTERM handler calls process\.exit\(0\) without waiting for app\.close\(\)/);
    assert.match(byFile('fire/fastify/').hint!, /^await app\.close\(\) before calling process\.exit\(\)/);
    assert.match(byFile('fire/hapi/').hint!, /^await server\.stop\(\)/);
    assert.match(byFile('fire/koa/').message, /process\.exit\(0\) \(in shutdown\(\)\) without closing the server/);
    assert.match(byFile('fire/http/').message, /\(in stop\(\)\)/);
    assert.deepEqual(byFile('fire/http/').related, [{ file: 'fire/http/src/server.mjs', line: 7, column: 1, message: 'SIGTERM handler registered here' }]);
  });

  it('stays silent for exits after the close (callback, then, await, terminator), forced-exit timers, start-up exits, other events and non-servers', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('looks into functions of the file that the handler awaits: one that closes counts, one that does not is no excuse', async () => {
    const project = (body: string) => ({
      'package.json': '{"name":"api"}',
      'src/server.ts': [
        "import express from 'express';",
        'const server = express().listen(3000);',
        'async function closeServer() { await new Promise((r) => server.close(r)); }',
        'async function flushLogs() { await logger.flush(); }',
        `process.on('SIGTERM', async () => { ${body} process.exit(0); });`,
      ].join('\n'),
    });
    assert.deepEqual(where((await lintFiles(project('await closeServer();'), { rules: [RULE] })).findings), []);
    assert.deepEqual(where((await lintFiles(project('await flushLogs();'), { rules: [RULE] })).findings), [`${RULE} src/server.ts:5`]);
  });

  it('counts an exit reached through a function called from a timer callback as the forced-exit fallback', async () => {
    const project = (body: string) => ({
      'package.json': '{"name":"api"}',
      'src/server.js': [
        "const express = require('express');",
        'const server = express().listen(3000);',
        'function failExit() { process.exit(1); }',
        `process.on('SIGTERM', () => { ${body} server.close(() => process.exit(0)); });`,
      ].join('\n'),
    });
    for (const timer of ['setTimeout(() => failExit(), 30000);', 'setTimeout(() => failExit(), 30000).unref();', 'setTimeout(failExit, 30000);', 'setTimeout(function () { failExit(); }, 30000);']) {
      assert.deepEqual(where((await lintFiles(project(timer), { rules: [RULE] })).findings), [], timer);
    }
    // Called from the handler itself, the same function cuts the drain off.
    const { findings } = await lintFiles(project('failExit();'), { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} src/server.js:3`]);
    assert.equal(findings[0]!.message, 'the SIGTERM handler calls process.exit(1) (in failExit()) without waiting for server.close() to finish: in-flight requests are cut off mid-response');
  });

  it('looks into static methods of a class of the file that the handler awaits, like functions', async () => {
    const project = (method: string, call: string) => ({
      'package.json': '{"name":"api"}',
      'src/transport.js': [
        "const express = require('express');",
        'class HttpTransport {',
        '  start() { this.httpServer = express().listen(3000); }',
        '  stop() { return new Promise((resolve) => this.httpServer.close(() => resolve())); }',
        '}',
        'module.exports = { HttpTransport };',
      ].join('\n'),
      'src/server.js': [
        "const { HttpTransport } = require('./transport');",
        "const express = require('express');",
        `class Factory { ${method} }`,
        'const t = new HttpTransport();',
        't.start();',
        `process.on('SIGTERM', async () => { await ${call}; process.exit(0); });`,
      ].join('\n'),
    });
    const lint = async (method: string, call: string) => where((await lintFiles(project(method, call), { rules: [RULE] })).findings);
    assert.deepEqual(await lint('static async shutdownTransport(transport) { await transport.stop(); }', 'Factory.shutdownTransport(t)'), []);
    assert.deepEqual(await lint('static async shutdownTransport({ transport }) { await transport.stop(); }', 'Factory.shutdownTransport({ transport: t })'), []);
    // A static method that closes nothing is no excuse, and neither is an instance method called as if it were static.
    assert.deepEqual(await lint('static async flushLogs() { await logger.flush(); }', 'Factory.flushLogs()'), [`${RULE} src/server.js:6`]);
    assert.deepEqual(await lint('async shutdownTransport(transport) { await transport.stop(); }', 'Factory.shutdownTransport(t)'), [`${RULE} src/server.js:6`]);
  });

  it('takes an awaited method of a class or module of the project imported from another file as a call it cannot see into', async () => {
    const project = (call: string) => ({
      'package.json': '{"name":"api"}',
      'src/factory.js': 'class TransportFactory { static async shutdownTransport(t) { await t.stop(); } }\nmodule.exports = { TransportFactory };\n',
      'src/db.js': 'module.exports = { db: { flush: async () => {} } };\n',
      'src/server.js': [
        "const express = require('express');",
        "const { TransportFactory } = require('./factory');",
        "const { db } = require('./db');",
        'const server = express().listen(3000);',
        `process.on('SIGTERM', async () => { await ${call}; process.exit(0); });`,
      ].join('\n'),
    });
    assert.deepEqual(where((await lintFiles(project('TransportFactory.shutdownTransport(server)'), { rules: [RULE] })).findings), []);
    // Plainly a database: flushing it closes no server.
    assert.deepEqual(where((await lintFiles(project('db.flush()'), { rules: [RULE] })).findings), [`${RULE} src/server.js:5`]);
  });

  it('reports an exit shared by two handlers once', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api"}',
        'src/server.ts': "import express from 'express';\nexpress().listen(3000);\nfunction bye() {\n  process.exit(0);\n}\nprocess.on('SIGTERM', bye);\nprocess.on('SIGINT', bye);\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} src/server.ts:4`]);
  });

  it('reads the handlers of the files that lead to the server, not those of scripts in the same package', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api"}',
        'src/index.ts': "import { start } from './server';\nstart();\nprocess.on('SIGTERM', () => process.exit(0));\n",
        'src/server.ts': "import express from 'express';\nexport function start() {\n  return express().listen(3000);\n}\n",
        'scripts/dev.ts': "import { start } from '../src/server';\nstart();\nprocess.on('SIGINT', () => process.exit(0));\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} src/index.ts:3`]);
  });

  it('skips the handler of a development command beside the server (a watcher that forks it), not that of the start command', async () => {
    const command = (name: string) =>
      `import { fork } from 'node:child_process';\nexport default function ${name}() {\n  const child = fork('./cli.js', ['start']);\n  process.on('SIGINT', () => {\n    child.kill();\n    process.exit(0);\n  });\n}\n`;
    const files = (name: string) => ({
      'package.json': '{"name":"@shop/server"}',
      'src/server.ts': "import express from 'express';\nconst server = express().listen(3000);\nprocess.on('SIGTERM', () => server.close(() => process.exit(0)));\n",
      [`src/commands/${name}.ts`]: command(name),
    });
    assert.deepEqual(where((await lintFiles(files('develop'), { rules: [RULE] })).findings), []);
    assert.deepEqual(where((await lintFiles(files('dev'), { rules: [RULE] })).findings), []);
    assert.deepEqual(where((await lintFiles(files('start'), { rules: [RULE] })).findings), [`${RULE} src/commands/start.ts:6`]);
  });

  it('follows an exit into the callback of a client call named like a route method (redis.del), which is no request handler', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api"}',
        'src/server.ts': [
          "import express from 'express';",
          "import Redis from 'ioredis';",
          'const redis = new Redis(process.env.REDIS_URL);',
          'express().listen(3000);',
          "process.on('SIGTERM', () => {",
          "  redis.del('leader-lock', () => process.exit(0));",
          '});',
          '',
        ].join('\n'),
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} src/server.ts:6`]);
    assert.equal(findings[0]!.message, 'the SIGTERM handler calls process.exit(0) without closing the server: in-flight requests are cut off mid-response');
  });
  it('leaves out the handler of a process the service spawns, which has no server to close', async () => {
    const server = (spawn: string) =>
      `const { spawn, fork } = require('child_process');\nconst express = require('express');\nconst app = express();\napp.get('/health', (req, res) => res.send('ok'));\nconst server = app.listen(3000);\n${spawn}\nprocess.on('SIGTERM', () => server.close(() => process.exit(0)));\n`;
    const worker = 'async function poll() {}\nconst t = setInterval(poll, 1000);\nprocess.on(\'SIGTERM\', () => {\n  clearInterval(t);\n  process.exit(0);\n});\n';
    const lint = (spawn: string) => lintFiles({ 'package.json': '{"name":"shop","main":"server.js","dependencies":{"express":"^4"}}', 'server.js': server(spawn), 'worker.js': worker }, { rules: [RULE] });
    assert.deepEqual(where((await lint("spawn('node', [__dirname + '/worker.js'], { stdio: 'inherit' });")).findings), []);
    assert.deepEqual(where((await lint("fork(require('path').join(__dirname, 'worker'));")).findings), []);
    // Not spawned (loaded some other way, or a name that only looks alike), it is the server's process.
    assert.deepEqual(where((await lint("spawn('node', ['networker.js']);")).findings), [`${RULE} worker.js:5`]);
  });
});
