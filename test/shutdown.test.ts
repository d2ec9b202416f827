import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listenAddresses } from '../src/code/servers.js';
import { shutdownPlans, shutdownTimeouts } from '../src/code/shutdown.js';
import { buildModel } from '../src/run.js';
import { NO_CONFIG, writeProject } from './helpers.js';

async function model(files: Record<string, string>) {
  const cwd = writeProject({ 'package.json': '{"name":"svc"}', ...files });
  return (await buildModel({ cwd, paths: ['.'], config: NO_CONFIG })).model;
}

/** Each plan as `SIGNALS: kind text [after] ...`. */
async function plans(files: Record<string, string>): Promise<string[]> {
  const app = await model(files);
  return shutdownPlans(app.packages[0]!.files, app.modules).map(
    (p) =>
      `${p.signals.join('/')}: ` +
      p.steps
        .filter((s) => s.kind !== 'call')
        .map((s) => `${s.kind} ${s.text}${s.after ? ` [after ${s.after}]` : ''}${s.delayMs !== undefined ? ` [${s.delayMs} ms${s.unref ? ', unref' : ''}]` : ''}${s.via.length ? ` (via ${s.via.join('>')})` : ''}`)
        .join('; '),
  );
}

describe('shutdown plans', () => {
  it('lists what a handler does, in order: readiness flip, forced-exit timer, close, cleanup, timers, exit', async () => {
    const got = await plans({
      'src/server.ts': [
        "import express from 'express';",
        'const app = express();',
        'const server = app.listen(3000);',
        'let ready = true;',
        'const poller = setInterval(poll, 1000);',
        "process.on('SIGTERM', async () => {",
        '  ready = false;',
        '  setTimeout(() => process.exit(1), 10_000).unref();',
        '  await new Promise((resolve) => server.close(resolve));',
        '  clearInterval(poller);',
        '  await pool.end();',
        '  process.exit(0);',
        '});',
      ].join('\n'),
    });
    assert.deepEqual(got, [
      'SIGTERM: readiness ready = false; exit process.exit(1); force-exit setTimeout(() => process.exit(1), 10_000) [10000 ms, unref]; close server.close(resolve); clear-timer clearInterval(poller); cleanup pool.end(); exit process.exit(0) [after close]',
    ]);
  });

  it('follows named functions, in the file and imported, methods through this.x.bind(this), and factories', async () => {
    const got = await plans({
      'src/server.ts': [
        "import express from 'express';",
        "import { closeAll } from './lifecycle';",
        'const server = express().listen(3000);',
        'async function shutdown(signal) {',
        '  await closeAll(server);',
        '  process.exit(0);',
        '}',
        "process.on('SIGTERM', shutdown);",
        'class Worker {',
        '  stop() { this.timer.unref(); process.exit(2); }',
        "  listen() { process.on('SIGINT', this.stop.bind(this)); }",
        '}',
        "const closer = (signal) => () => { server.close(() => process.exit(3)); };",
        "process.on('SIGHUP', closer('SIGHUP'));",
      ].join('\n'),
      'src/lifecycle.ts': 'export async function closeAll(server) {\n  await new Promise((r) => server.close(r));\n}\n',
    });
    assert.deepEqual(got, [
      'SIGTERM: close server.close(r) (via shutdown>closeAll); exit process.exit(0) [after await] (via shutdown)',
      'SIGINT: exit process.exit(2) (via stop)',
      'SIGHUP: close server.close(() => process.exit(3)) (via closer); exit process.exit(3) [after close] (via closer)',
    ]);
  });

  it('places each exit of a handler by the awaits before it, and by what the file has declared up to it', async () => {
    const got = await plans({
      'src/server.ts': [
        "import fastify from 'fastify';",
        "process.on('SIGTERM', async () => {",
        '  if (fast) process.exit(0);',
        '  await flush();',
        '  if (quick) process.exit(1);',
        '  await thing.close();',
        '  if (soon) process.exit(2);',
        // From here on `thing` is known to be a server: the close two lines up now counts as one.
        '  const thing = fastify();',
        '  process.exit(3);',
        '  try {',
        '    await flush();',
        '  } catch {',
        '    process.exit(4);',
        '    process.exit(5);',
        '  }',
        '});',
      ].join('\n'),
    });
    assert.deepEqual(got, [
      'SIGTERM: exit process.exit(0); exit process.exit(1) [after await]; cleanup thing.close(); exit process.exit(2) [after await]; exit process.exit(3) [after close]; exit process.exit(4) [after close]; exit process.exit(5) [after close]',
    ]);
  });

  it('follows calls in functions whose name has a shutdown word, not in signupUser() or determinePrice()', async () => {
    const app = await model({
      'src/jobs.ts': [
        'export function signupUser(req) { validate(req); saveUser(req); }',
        'export function determinePrice(cart) { return applyDiscounts(cart); }',
        'export function gracefulShutdown() { flushLogs(); }',
        'export const onSigterm = () => { stopWorkers(); };',
        'export function closeAll() { drainQueue(); }',
        'export function terminate() { releaseLocks(); }',
        '',
      ].join('\n'),
    });
    const steps = app.packages[0]!.files[0]!.lifecycle.map((s) => `${s.fn}: ${s.kind} ${s.callee}`);
    assert.deepEqual(steps, ['gracefulShutdown: call flushLogs', 'onSigterm: call stopWorkers', 'closeAll: call drainQueue', 'terminate: call releaseLocks']);
  });

  it('counts an exit reached through a call inside a timer callback as inside the timer, and follows static methods of the file', async () => {
    const app = await model({
      'src/server.ts': [
        "import express from 'express';",
        'const server = express().listen(3000);',
        'function failExit() { process.exit(1); }',
        'class Factory { static async shutdownServer() { await new Promise((r) => server.close(r)); } }',
        "process.on('SIGTERM', () => {",
        '  setTimeout(() => failExit(), 30_000).unref();',
        '  failExit();',
        '});',
        "process.on('SIGINT', async () => {",
        '  await Factory.shutdownServer();',
        '  process.exit(0);',
        '});',
      ].join('\n'),
    });
    const got = shutdownPlans(app.packages[0]!.files, app.modules).map((p) =>
      p.steps.map((s) => `${s.kind} ${s.span.line}${s.inTimer ? ' [timer]' : ''}${s.after ? ` [after ${s.after}]` : ''}${s.via.length ? ` (via ${s.via.join('>')})` : ''}`),
    );
    assert.deepEqual(got, [
      ['call 6 [timer]', 'exit 3 [timer] (via failExit)', 'call 7', 'exit 3 (via failExit)'],
      ['call 10', 'close 4 (via shutdownServer)', 'exit 11 [after close]'],
    ]);
  });

  it('reads the drain timeouts of shutdown libraries, with their defaults, Hapi stop and forced-exit timers', async () => {
    const app = await model({
      'src/a.ts': [
        "import { createTerminus } from '@godaddy/terminus';",
        "import { createHttpTerminator } from 'http-terminator';",
        "import closeWithGrace from 'close-with-grace';",
        "import { createLightship } from 'lightship';",
        "import { TerminusModule } from '@nestjs/terminus';",
        'createTerminus(server, { timeout: 20_000 });',
        'createHttpTerminator({ server });',
        'closeWithGrace(async () => {});',
        'await createLightship({ gracefulShutdownTimeout: 45_000 });',
        'TerminusModule.forRoot({ gracefulShutdownTimeoutMs: 5000 });',
      ].join('\n'),
      'src/b.ts': [
        "import Hapi from '@hapi/hapi';",
        'const server = Hapi.server({ port: 3000 });',
        'const GRACE = 25_000;',
        "process.on('SIGTERM', async () => {",
        '  setTimeout(() => process.exit(1), GRACE).unref();',
        '  await server.stop();',
        '  process.exit(0);',
        '});',
      ].join('\n'),
    });
    const got = shutdownTimeouts(app.packages[0]!.files, app.modules).map((t) => `${t.source} ${t.ms}${t.isDefault ? ' (default)' : ''} ${t.file}:${t.span.line}`);
    assert.deepEqual(got, [
      '@godaddy/terminus timeout 20000 src/a.ts:6',
      'http-terminator gracefulTerminationTimeout 1000 (default) src/a.ts:7',
      'close-with-grace delay 10000 (default) src/a.ts:8',
      'lightship gracefulShutdownTimeout 45000 src/a.ts:9',
      '@nestjs/terminus gracefulShutdownTimeoutMs 5000 src/a.ts:10',
      'Hapi server.stop() timeout 5000 (default) src/b.ts:6',
      'forced-exit timer 25000 src/b.ts:5',
    ]);
  });
});

describe('listen addresses', () => {
  it('reads port and host per framework: literals, environment variables with defaults, constants, Hapi options, unknowns', async () => {
    const app = await model({
      'src/express.ts': "import express from 'express';\nconst PORT = process.env.PORT ?? 8080;\nconst app = express();\napp.listen(PORT, '0.0.0.0', () => {});\napp.listen(config.port);\n",
      'src/fastify.ts': "import Fastify from 'fastify';\nconst app = Fastify();\napp.listen({ port: Number(process.env.PORT) || 3000, host: process.env.HOST });\n",
      'src/hapi.ts': "import Hapi from '@hapi/hapi';\nconst server = Hapi.server({ port: 4000, host: 'localhost' });\nawait server.start();\n",
      'src/raw.mjs': "import http from 'node:http';\nhttp.createServer(handler).listen('/run/app.sock');\n",
    });
    const service = app.services[0]!;
    const got = listenAddresses(app, service).map((a) => ({ at: `${a.file}:${a.start.span.line}`, framework: a.framework, port: a.port, host: a.host, socket: a.socket, defaultHost: a.defaultHost }));
    assert.deepEqual(got, [
      { at: 'src/express.ts:4', framework: 'express', port: { kind: 'env', name: 'PORT', fallback: 8080 }, host: { kind: 'literal', value: '0.0.0.0' }, socket: undefined, defaultHost: 'all' },
      { at: 'src/express.ts:5', framework: 'express', port: { kind: 'unknown', text: 'config.port' }, host: { kind: 'unknown', text: 'config.port' }, socket: undefined, defaultHost: 'all' },
      { at: 'src/fastify.ts:3', framework: 'fastify', port: { kind: 'env', name: 'PORT', fallback: 3000 }, host: { kind: 'env', name: 'HOST' }, socket: undefined, defaultHost: 'localhost' },
      { at: 'src/hapi.ts:3', framework: '@hapi/hapi', port: { kind: 'literal', value: 4000 }, host: { kind: 'literal', value: 'localhost' }, socket: undefined, defaultHost: 'all' },
      { at: 'src/raw.mjs:2', framework: 'http', port: undefined, host: undefined, socket: true, defaultHost: 'all' },
    ]);
  });

  it('reads constants of the functions around the listen call, innermost first, then top level', async () => {
    const app = await model({
      'src/main.ts': [
        "import express from 'express';",
        'const PORT = 80;',
        "const HOST = 'localhost';",
        'async function bootstrap() {',
        '  const PORT = Number(process.env.PORT) || 8080;',
        '  const app = express();',
        '  const start = () => {',
        "    const HOST = '0.0.0.0';",
        '    app.listen(PORT, HOST);',
        '  };',
        '  start();',
        '}',
        'function admin() {',
        '  express().listen(PORT, HOST);',
        '}',
        'bootstrap();',
        'admin();',
        '',
      ].join('\n'),
    });
    const got = listenAddresses(app, app.services[0]!).map((a) => ({ at: a.start.span.line, port: a.port, host: a.host }));
    assert.deepEqual(got, [
      { at: 9, port: { kind: 'env', name: 'PORT', fallback: 8080 }, host: { kind: 'literal', value: '0.0.0.0' } },
      { at: 14, port: { kind: 'literal', value: 80 }, host: { kind: 'literal', value: 'localhost' } },
    ]);
  });
});
