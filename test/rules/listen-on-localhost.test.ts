import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'listen-on-localhost';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it('fires at the call that starts accepting connections, for a loopback host, a loopback fallback and Fastify without host', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/env-dockerfile/src/server.js:6`,
      `${RULE} fire/env-fallback/src/server.ts:8`,
      `${RULE} fire/express/src/server.js:5`,
      `${RULE} fire/fastify-app-module/src/server.ts:4`,
      `${RULE} fire/fastify-env-positional/src/index.js:6`,
      `${RULE} fire/fastify-legacy/src/index.js:4`,
      `${RULE} fire/fastify/src/main.ts:7`,
      `${RULE} fire/hapi/src/server.ts:10`,
      `${RULE} fire/http/src/server.mjs:4`,
      `${RULE} fire/koa/src/index.ts:7`,
      `${RULE} fire/nest-fastify/src/main.ts:8`,
      `${RULE} fire/nest/src/main.ts:6`,
      `${RULE} fire/orders/src/index.ts:7`,
    ]);
    const byFile = (s: string) => findings.find((f) => f.file.includes(s))!;
    assert.equal(byFile('fire/express/').message, 'app.listen() binds to "127.0.0.1": kubelet probes and the Service cannot reach it, so the pod never becomes ready');
    assert.equal(byFile('env-fallback').message, 'app.listen() binds to HOST, which falls back to "127.0.0.1" when it is unset: kubelet probes and the Service cannot reach it, so the pod never becomes ready');
    assert.equal(byFile('env-fallback').hint, "default to every interface: process.env.HOST ?? '0.0.0.0'");
    assert.match(byFile('fire/fastify/').message, /^app\.listen\(\) has no host, and Fastify then listens on localhost only/);
    assert.equal(byFile('fire/fastify/').hint, "app.listen({ port, host: '0.0.0.0' })");
    assert.equal(byFile('fastify-legacy').hint, "fastify.listen({ port, host: '0.0.0.0' })");
    assert.match(byFile('nest-fastify').message, /NestJS on the Fastify adapter/);
    assert.match(byFile('fire/nest/').message, /^app\.listen\(\) binds to "::1": /);
    assert.match(byFile('fire/hapi/').message, /^server\.start\(\) binds to "localhost"/);
    assert.equal(byFile('fire/hapi/').hint, "Hapi.server({ port, host: '0.0.0.0' })");
    assert.deepEqual(byFile('fire/hapi/').related, [{ file: 'fire/hapi/src/server.ts', line: 3, column: 16, message: 'host set here' }]);
  });

  it('judges a host from an environment variable as the container sees it: the Deployment env, the Dockerfile ENV, the fallback, then the framework', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    const byFile = (s: string) => findings.find((f) => f.file.includes(s))!;
    // Fastify's positional listen(port, host) turns an unset host into localhost.
    assert.equal(
      byFile('fastify-env-positional').message,
      'fastify.listen() binds to HOST, and Fastify listens on localhost only when it is unset: kubelet probes and the Service cannot reach it, so the pod never becomes ready',
    );
    assert.equal(byFile('fastify-env-positional').hint, "default to every interface: process.env.HOST ?? '0.0.0.0'");
    assert.match(byFile('env-dockerfile').message, /^app\.listen\(\) binds to HOST, which the Dockerfile ENV sets to "127\.0\.0\.1" \(\.\.\/Dockerfile:4\): /);
    assert.equal(byFile('env-dockerfile').hint, 'set HOST=0.0.0.0 in the Dockerfile ENV');
    assert.deepEqual(byFile('env-dockerfile').related, [{ file: 'fire/env-dockerfile/Dockerfile', line: 4, column: 1, message: 'HOST set to "127.0.0.1" here' }]);
    assert.match(byFile('fire/orders/').message, /binds to BIND_HOST, which the env of Deployment "orders" container "orders" sets to "localhost" \(\.\.\/k8s\/deployment\.yaml:19\)/);
    assert.deepEqual(byFile('fire/orders/').related, [{ file: 'fire/orders/k8s/deployment.yaml', line: 19, column: 15, message: 'BIND_HOST set to "localhost" here' }]);
  });

  it('stays silent for a host variable without a fallback (Fastify and NestJS hand undefined on to Node), and for a loopback fallback the image or the Deployment overrides', async () => {
    const { findings } = await lintDir(dir, {
      paths: ['silent/fastify-env-host', 'silent/nest-fastify-env', 'silent/hapi-env', 'silent/koa', 'silent/env-host', 'silent/env-set-by-image', 'silent/billing'],
      rules: [RULE],
    });
    assert.deepEqual(where(findings), []);
  });

  it('stays silent for every interface, hosts it cannot read, a Hapi address, the Express adapter and Unix sockets', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('reads the host of a Hapi server assigned to a `let` declared before, and of the server of a Glue manifest, inline or a constant', async () => {
    const hapiLet = (host: string) => ({
      'package.json': '{"name":"api"}',
      'server.js': `const Hapi = require('@hapi/hapi');\nlet server;\nconst init = async () => {\n  server = Hapi.server({ port: 3000, host: '${host}' });\n  await server.start();\n};\ninit();\n`,
    });
    const { findings } = await lintFiles(hapiLet('127.0.0.1'), { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} server.js:5`]);
    assert.match(findings[0]!.message, /^server\.start\(\) binds to "127\.0\.0\.1"/);
    assert.deepEqual(findings[0]!.related, [{ file: 'server.js', line: 4, column: 12, message: 'host set here' }]);
    assert.deepEqual(where((await lintFiles(hapiLet('0.0.0.0'), { rules: [RULE] })).findings), []);

    const inline = (host: string) => ({
      'package.json': '{"name":"api"}',
      'index.mjs': `import Glue from '@hapi/glue';\nconst server = await Glue.compose({ server: { port: 3000, host: '${host}' } });\nawait server.start();\n`,
    });
    const glued = await lintFiles(inline('localhost'), { rules: [RULE] });
    assert.deepEqual(where(glued.findings), [`${RULE} index.mjs:3`]);
    assert.equal(glued.findings[0]!.hint, "Hapi.server({ port, host: '0.0.0.0' })");
    assert.deepEqual(where((await lintFiles(inline('0.0.0.0'), { rules: [RULE] })).findings), []);

    const constant = (host: string) => ({
      'package.json': '{"name":"api"}',
      'index.js': `const Glue = require('glue');\nconst manifest = { server: { port: 3000, address: '${host}' } };\nasync function start() {\n  const server = await Glue.compose(manifest, { relativeTo: __dirname });\n  await server.start();\n}\nstart();\n`,
    });
    assert.deepEqual(where((await lintFiles(constant('127.0.0.1'), { rules: [RULE] })).findings), [`${RULE} index.js:5`]);
    assert.deepEqual(where((await lintFiles(constant('0.0.0.0'), { rules: [RULE] })).findings), []);
  });

  it("reads the server of Glue's callback form (hapi 16), with the address of the manifest's first connection when `server` sets none", async () => {
    const glue = (module: string, server: string, connections: string) => ({
      'package.json': '{"name":"api"}',
      'index.js': [
        `const Glue = require('${module}');`,
        `const manifest = { server: { ${server} }, connections: [${connections}], registrations: [] };`,
        'Glue.compose(manifest, { relativeTo: __dirname }, (err, server) => {',
        '  if (err) throw err;',
        "  server.start(() => console.log('started'));",
        '});',
      ].join('\n'),
    });
    const lint = async (...a: Parameters<typeof glue>) => (await lintFiles(glue(...a), { rules: [RULE] })).findings;
    const onConnection = await lint('glue', '', "{ port: 3000, host: 'localhost' }");
    assert.deepEqual(where(onConnection), [`${RULE} index.js:5`]);
    assert.match(onConnection[0]!.message, /^server\.start\(\) binds to "localhost"/);
    assert.deepEqual(onConnection[0]!.related, [{ file: 'index.js', line: 3, column: 1, message: 'host set here' }]);
    assert.deepEqual(where(await lint('@hapi/glue', "port: 3000, address: '127.0.0.1'", '')), [`${RULE} index.js:5`]);
    // `server` sets the address: the connection is not read.
    assert.deepEqual(where(await lint('glue', "address: '0.0.0.0'", "{ port: 3000, host: 'localhost' }")), []);
    assert.deepEqual(where(await lint('glue', '', "{ port: 3000, host: '0.0.0.0' }")), []);
    assert.deepEqual(where(await lint('glue', '', '{ port: 3000 }')), []);
    const awaited = { 'package.json': '{"name":"api"}', 'index.mjs': "import Glue from 'glue';\nconst server = await Glue.compose({ connections: [{ port: 3000, host: '127.0.0.1' }] });\nawait server.start();\n" };
    assert.deepEqual(where((await lintFiles(awaited, { rules: [RULE] })).findings), [`${RULE} index.mjs:3`]);
  });

  it('reads a Fastify app that an async factory of another module hands to a .then callback, as when awaited', async () => {
    const factory = (index: string) => ({
      'package.json': '{"name":"api"}',
      'src/server.js': "exports.buildServer = async () => { const app = require('fastify')(); app.get('/healthz', async () => 'ok'); return app; };\n",
      'src/index.js': index,
    });
    const lint = async (index: string) => (await lintFiles(factory(index), { rules: [RULE] })).findings;
    const cjs = await lint("require('./server').buildServer().then((app) => {\n  app.listen({ port: 3000 });\n  process.on('SIGTERM', () => app.close());\n});\n");
    assert.deepEqual(where(cjs), [`${RULE} src/index.js:2`]);
    assert.match(cjs[0]!.message, /^app\.listen\(\) has no host, and Fastify then listens on localhost only/);
    const named = "const { buildServer } = require('./server');\nbuildServer().then(function (server) {\n  return server.listen({ port: 3000, host: HOST });\n});\n";
    assert.deepEqual(where(await lint(named.replace('HOST', "'127.0.0.1'"))), [`${RULE} src/index.js:3`]);
    assert.deepEqual(where(await lint(named.replace('HOST', "'0.0.0.0'"))), []);
  });

  it('reads the host from a constant of the file, and also when another server of the service is fine', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api"}',
        'src/server.ts': "import express from 'express';\nconst BIND = 'localhost';\nconst app = express();\napp.listen(8080);\napp.listen(9090, BIND);\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} src/server.ts:5`]);
    assert.match(findings[0]!.message, /binds to "localhost"/);
  });

  it('reads a constant of the function that listens, not one of another function', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api"}',
        'src/server.ts': [
          "import express from 'express';",
          "function devServer() { const host = '127.0.0.1'; return express().listen(8081, host); }",
          'async function main() {',
          '  const host = await config.host();',
          '  express().listen(8080, host);',
          '}',
          'main();',
        ].join('\n'),
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} src/server.ts:2`]);
  });
  it("takes a NestJS microservice's listen() for a broker consumer, not a server on localhost", async () => {
    const pkg = '{"name":"orders","dependencies":{"@nestjs/core":"^10","@nestjs/microservices":"^10","@nestjs/platform-fastify":"^10"}}';
    const hybrid = [
      "import { NestFactory } from '@nestjs/core';",
      "import { Transport } from '@nestjs/microservices';",
      "import { FastifyAdapter } from '@nestjs/platform-fastify';",
      "import { AppModule } from './app.module';",
      'async function bootstrap() {',
      '  const app = await NestFactory.create(AppModule, new FastifyAdapter());',
      "  const ms = app.connectMicroservice({ transport: Transport.RMQ, options: { urls: ['amqp://rmq'] } });",
      '  await ms.listen();',
      '  await app.listen(3000);',
      '}',
      'bootstrap();',
      '',
    ].join('\n');
    const { findings, model } = await lintFiles({ 'package.json': pkg, 'src/main.ts': hybrid }, { rules: [RULE] });
    // The Fastify adapter's app.listen(3000) has no host: that one is reported, not the consumer.
    assert.deepEqual(where(findings), [`${RULE} src/main.ts:9`]);
    assert.deepEqual(model!.services[0]!.servers.map((s) => s.start.span.line), [9]);
    const consumer = (transport: string) =>
      `import { NestFactory } from '@nestjs/core';\nimport { Transport } from '@nestjs/microservices';\nimport { AppModule } from './app.module';\nasync function bootstrap() {\n  const ms = await NestFactory.createMicroservice(AppModule, { transport: ${transport} });\n  await ms.listen();\n}\nbootstrap();\n`;
    const alone = await lintFiles({ 'package.json': pkg, 'src/main.ts': consumer('Transport.KAFKA') }, { rules: [RULE] });
    assert.deepEqual(where(alone.findings), []);
    assert.deepEqual(alone.model!.services, []);
    // A custom strategy (a broker of the app's own), also through a constant of options.
    const custom = "import { NestFactory } from '@nestjs/core';\nimport { FastifyAdapter } from '@nestjs/platform-fastify';\nimport { AmqpServer } from './amqp';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule, new FastifyAdapter());\n  const options = { strategy: new AmqpServer({ url: 'amqp://rmq' }) };\n  const ms = app.connectMicroservice(options);\n  await ms.listen();\n  await app.listen(3000, '0.0.0.0');\n}\nbootstrap();\n";
    const strategy = await lintFiles({ 'package.json': pkg, 'src/main.ts': custom }, { rules: [RULE] });
    assert.deepEqual(where(strategy.findings), []);
    assert.deepEqual(strategy.model!.services[0]!.servers.map((s) => s.start.span.line), [9]);
    // The consumer's name is its function's: an HTTP app of the same name in another function is a server.
    const modes = "import { NestFactory } from '@nestjs/core';\nimport { Transport } from '@nestjs/microservices';\nasync function worker() {\n  const app = await NestFactory.createMicroservice(AppModule, { transport: Transport.KAFKA });\n  await app.listen();\n}\nasync function http() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(3000, '127.0.0.1');\n}\nif (process.env.MODE === 'worker') worker();\nelse http();\n";
    assert.deepEqual(where((await lintFiles({ 'package.json': pkg, 'src/main.ts': modes }, { rules: [RULE] })).findings), [`${RULE} src/main.ts:9`]);
    // A gRPC (or TCP) microservice listens on a port: still a server.
    const grpc = await lintFiles({ 'package.json': pkg, 'src/main.ts': consumer('Transport.GRPC') }, { rules: [RULE] });
    assert.deepEqual(grpc.model!.services[0]!.servers.map((s) => s.start.span.line), [6]);
  });
});
