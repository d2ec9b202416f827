import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'missing-sigterm-handler';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it('fires at the call that starts accepting connections, for every framework', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/express-generator/bin/www:15`,
      `${RULE} fire/express/src/server.js:6`,
      `${RULE} fire/fastify/src/main.ts:6`,
      `${RULE} fire/hapi/src/server.ts:6`,
      `${RULE} fire/http/src/server.mjs:7`,
      `${RULE} fire/koa/src/index.ts:9`,
      `${RULE} fire/nest-hooks-sigint/src/main.ts:7`,
      `${RULE} fire/nest/src/main.ts:7`,
      `${RULE} fire/sigint-only/src/server.ts:4`,
      `${RULE} fire/terminus-sigint/src/server.ts:9`,
    ]);
    const byFile = (s: string) => findings.find((f) => f.file.includes(s))!;
    assert.equal(
      byFile('express/').message,
      'service "express" starts a server (app.listen()) but installs no SIGTERM handler: on scale-in Node exits at once and drops in-flight requests',
    );
    assert.match(byFile('nest/').hint!, /enableShutdownHooks/);
    assert.match(byFile('hapi').hint!, /server\.stop/);
    assert.match(byFile('hapi').message, /server\.start\(\)/);
  });

  it('stays silent with terminus, lightship, close-with-grace, http-graceful-shutdown, NestJS hooks, http-terminator, Koa and Hapi handlers, a shared shutdown package, and for non-servers', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('finds a Hapi server assigned to a `let` declared before, and one that Glue composes', async () => {
    const hapiLet = (handler: string) => ({
      'package.json': '{"name":"api"}',
      'server.js': [
        "const Hapi = require('@hapi/hapi');",
        'let server;',
        'const init = async () => {',
        "  server = Hapi.server({ port: 3000, host: '0.0.0.0' });",
        "  server.route({ method: 'GET', path: '/', handler: () => 'ok' });",
        '  await server.start();',
        '};',
        handler,
        'init();',
      ].join('\n'),
    });
    const fired = await lintFiles(hapiLet(''), { rules: [RULE] });
    assert.deepEqual(where(fired.findings), [`${RULE} server.js:6`]);
    assert.match(fired.findings[0]!.hint!, /server\.stop/);
    // Put back to nothing on shutdown: still the server it was.
    const handled = await lintFiles(hapiLet("process.on('SIGTERM', async () => { await server.stop(); server = undefined; process.exit(0); });"), { rules: [RULE] });
    assert.deepEqual(where(handled.findings), []);
    const glue = (module: string, handler: string) => ({
      'package.json': '{"name":"api"}',
      'index.js': [
        `const Glue = require('${module}');`,
        'const start = async () => {',
        "  const server = await Glue.compose({ server: { port: 3000 }, register: { plugins: ['./routes'] } }, { relativeTo: __dirname });",
        '  await server.start();',
        handler,
        '};',
        'start();',
      ].join('\n'),
      'routes.js': "exports.plugin = { name: 'routes', register(server) { server.route({ method: 'GET', path: '/healthz', handler: () => 'ok' }); } };\n",
    });
    for (const module of ['@hapi/glue', 'glue']) {
      const { findings } = await lintFiles(glue(module, ''), { rules: [RULE] });
      assert.deepEqual(where(findings), [`${RULE} index.js:4`], module);
      assert.match(findings[0]!.hint!, /server\.stop/);
      assert.deepEqual(where((await lintFiles(glue(module, "  process.on('SIGTERM', () => server.stop().then(() => process.exit(0)));"), { rules: [RULE] })).findings), [], module);
    }
  });

  it("finds the server of Glue's callback form (hapi 16) and counts its stop on SIGTERM", async () => {
    const glue = (handler: string) => ({
      'package.json': '{"name":"api","dependencies":{"glue":"^4","hapi":"^16"}}',
      'index.js': [
        "const Glue = require('glue');",
        'const manifest = { connections: [{ port: 3000 }], registrations: [] };',
        'Glue.compose(manifest, { relativeTo: __dirname }, function (err, server) {',
        '  server.start(() => {});',
        handler,
        '});',
      ].join('\n'),
    });
    const { findings } = await lintFiles(glue(''), { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} index.js:4`]);
    assert.match(findings[0]!.message, /\(server\.start\(\)\)/);
    assert.deepEqual(where((await lintFiles(glue("  process.on('SIGTERM', () => server.stop({ timeout: 10000 }, () => process.exit(0)));"), { rules: [RULE] })).findings), []);
  });

  it('does not count a handler in test code of the package', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api"}',
        'app.js': "const express = require('express');\nconst app = express();\napp.listen(3000);\n",
        'test/tools/start-with-memory-db.js': "const stop = () => mongod.stop().then(() => process.exit(0));\nprocess.on('SIGTERM', stop);\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} app.js:3`]);
  });

  it('counts a handler in another file of the service, and a signal name it cannot read', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api"}',
        'src/server.ts': "import express from 'express';\nimport './shutdown';\nexport const server = express().listen(1);\n",
        'src/shutdown.ts': 'for (const s of signalsFromConfig()) process.on(s, stop);\n',
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), []);
  });

  it('reports one finding per service, with the other servers as related locations', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api"}',
        'src/a.ts': "import express from 'express';\nexpress().listen(1);\n",
        'src/metrics.ts': "import http from 'http';\n\nhttp.createServer().listen(9100);\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} src/a.ts:2`]);
    assert.deepEqual(findings[0]!.related, [{ file: 'src/metrics.ts', line: 3, column: 1, message: 'also starts a server' }]);
  });

  it('tells apart two services whose package.json has the same name by their folders', async () => {
    const pkg = '{"name":"microservices-example"}';
    const server = "require('express')().listen(3000);\n";
    const { findings } = await lintFiles(
      { 'gateway/package.json': pkg, 'gateway/server.js': server, 'worker/package.json': pkg, 'worker/server.js': server, 'api/package.json': '{"name":"api"}', 'api/server.js': server },
      { rules: [RULE] },
    );
    assert.deepEqual(
      findings.map((f) => f.message.replace(/ starts a server.*/, '')),
      ['service "api"', 'service "microservices-example (gateway)"', 'service "microservices-example (worker)"'],
    );
  });

  it('points at the server, not at a listen() call of browser code in the same package', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"wiki"}',
        'app/hooks/useHistory.ts': "import { history } from './history';\nexport const stop = history.listen(() => track());\n",
        'server/main.ts': "import http from 'node:http';\nimport { app } from './app';\nconst server = http.createServer(app.callback());\nserver.listen(3000);\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} server/main.ts:4`]);
    assert.equal(findings[0]!.related, undefined);
  });

  it('does not take a package whose only servers are in test code for a service, and prefers the real entry', async () => {
    const testOnly = await lintFiles(
      {
        'package.json': '{"name":"@acme/health-lib"}',
        'lib/index.ts': "export { check } from './check';\n",
        'e2e/support/bootstrap.ts': "import { NestFactory } from '@nestjs/core';\nexport async function boot() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(3000);\n}\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(testOnly.findings), []);
    const both = await lintFiles(
      {
        'package.json': '{"name":"wiki"}',
        'server/main.ts': "import http from 'node:http';\nimport stoppable from 'stoppable';\nconst server = stoppable(http.createServer(handler));\nserver.listen(3000);\n",
        'server/test/TestServer.ts': "import http from 'node:http';\nexport class TestServer {\n  start() {\n    this.server = http.createServer(handler);\n    this.server.listen(0);\n  }\n}\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(both.findings), [`${RULE} server/main.ts:4`]);
  });

  it('finds a server started through a promisified listen, at the call of the promisified function when it is right there', async () => {
    const { findings, model } = await lintFiles(
      {
        'package.json': '{"name":"pads"}',
        'src/server.js': "const http = require('http');\nmodule.exports = http.createServer((req, res) => res.end('ok'));\n",
        'src/index.js': "const promisify = require('es6-promisify');\nconst server = require('./server');\nconst listen = promisify(server.listen, server);\nlisten(3000).then(() => console.log('up'));\n",
        'admin/package.json': '{"name":"admin"}',
        'admin/main.ts': "import http from 'node:http';\nimport util from 'node:util';\nconst server = http.createServer(handler);\nawait util.promisify(server.listen).bind(server)(Number(process.env.PORT), '0.0.0.0');\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(model!.services.map((s) => s.folder).sort(), ['.', 'admin']);
    assert.deepEqual(where(findings), [`${RULE} admin/main.ts:4`, `${RULE} src/index.js:3`]);
    assert.equal(findings[0]!.column, 7, 'at the call of the promisified listen');
    assert.match(findings[1]!.message, /starts a server \(server\.listen\(\)\)/);
  });

  it('takes no test server or tool for a service: cypress/, playwright/, Test/, __fixtures__/, test-fixtures/, mock-*/, scripts/, examples/ and demo/ are not replicas', async () => {
    for (const at of [
      'cypress/support/server.ts',
      'playwright/mock-api.ts',
      'Test/server.ts',
      'src/__fixtures__/server.ts',
      'scripts/dev-server.ts',
      'examples/basic.ts',
      'rtmp/demo/server.js',
      'src/test-fixtures/echo-server.ts',
      'integration/mock-oauth/server.ts',
      'src/dev.ts',
      'src/commands/develop.ts',
      'sandstorm-src/migration-bridge.js',
      'snap-src/bin/maintenance-page.mjs',
    ]) {
      const { findings, model } = await lintFiles(
        {
          'package.json': '{"name":"@acme/ui-kit"}',
          'src/index.ts': "export { Button } from './button';\n",
          [at]: "import express from 'express';\nconst app = express();\napp.get('/api/users', (req, res) => res.json([]));\napp.listen(4000);\n",
        },
        { rules: [RULE] },
      );
      assert.deepEqual(model!.services.map((s) => s.folder), [], at);
      assert.deepEqual(where(findings), [], at);
    }
    // Nor are packages of test code and tooling, by name or folder.
    const packages = await lintFiles(
      {
        'package.json': '{"name":"shop","private":true,"workspaces":["packages/*"]}',
        'integration-tests/package.json': '{"name":"integration-tests"}',
        'integration-tests/helpers/bootstrap-app.js': "const express = require('express');\nexpress().listen(0);\n",
        'packages/shop-test-utils/package.json': '{"name":"@shop/test-utils"}',
        'packages/shop-test-utils/src/start.ts': "import express from 'express';\nexpress().listen(0);\n",
        'releases/package.json': '{"name":"shop-migration-tools"}',
        'releases/status/page.mjs': "import http from 'node:http';\nhttp.createServer((req, res) => res.end('migrating')).listen(8080);\n",
        'packages/contests/package.json': '{"name":"@shop/contests"}',
        'packages/contests/src/server.ts': "import express from 'express';\nexpress().listen(3000);\n",
        'packages/latest/package.json': '{"name":"@shop/latest-prices"}',
        'packages/latest/src/server.ts': "import express from 'express';\nexpress().listen(3001);\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(packages.model!.services.map((s) => s.folder), ['packages/contests', 'packages/latest']);
    assert.deepEqual(where(packages.findings), [`${RULE} packages/contests/src/server.ts:2`, `${RULE} packages/latest/src/server.ts:2`]);
    // Unless the package builds an image for the cluster: an internal tools dashboard with a Dockerfile is a service.
    const deployed = await lintFiles(
      {
        'package.json': '{"name":"admin-tools","dependencies":{"express":"^4"}}',
        'Dockerfile': 'FROM node:20-slim\nCMD ["node", "src/server.js"]\n',
        'Dockerfile.dev': 'FROM node:20\nCMD ["npm", "run", "dev"]\n',
        'src/server.js': "const express = require('express');\nexpress().listen(3000);\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(deployed.findings), [`${RULE} src/server.js:2`]);
    const dev = await lintFiles({ 'package.json': '{"name":"admin-tools","dependencies":{"express":"^4"}}', 'Dockerfile.dev': 'FROM node:20\nCMD ["npm", "run", "dev"]\n', 'src/server.js': "const express = require('express');\nexpress().listen(3000);\n" }, { rules: [RULE] });
    assert.deepEqual(where(dev.findings), []);
    // The same server in the package's source is one.
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api"}',
        'src/server.ts': "import express from 'express';\nconst app = express();\napp.get('/api/users', (req, res) => res.json([]));\napp.listen(4000);\n",
        'cypress/support/server.ts': "import express from 'express';\nexpress().listen(4001);\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} src/server.ts:4`]);
    assert.equal(findings[0]!.related, undefined);
  });
  it("points at the app's listen with a port, not at a message queue listener's bare listen() before it", async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"orders","dependencies":{"express":"^4","node-nats-streaming":"^0.3"}}',
        'src/server.ts': [
          "import express from 'express';",
          "import { OrderCreatedListener } from './listeners';",
          'export class Server {',
          '  private app!: express.Express;',
          '  private static compose(client: unknown) {',
          '    new OrderCreatedListener(client).listen();',
          '  }',
          '  start() {',
          '    this.app.listen(3000, () => {});',
          '  }',
          '  private init() {',
          '    this.app = express();',
          "    this.app.get('/orders', (req, res) => res.json([]));",
          '  }',
          '}',
          '',
        ].join('\n'),
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} src/server.ts:9`]);
    assert.deepEqual(findings[0]!.related?.map((r) => r.line), [6]);
  });
  it("counts Apollo Server's standalone servers, which stop and drain on SIGTERM themselves, unless told not to", async () => {
    const v3 = (options: string) =>
      `const { ApolloServer, gql } = require('apollo-server');\nconst server = new ApolloServer({ typeDefs: gql\`type Query { a: String }\`, resolvers: {}${options} });\nserver.listen({ port: 4000 });\n`;
    const lint = (files: Record<string, string>) => lintFiles({ 'package.json': '{"name":"graph","dependencies":{"apollo-server":"^3","@apollo/server":"^4","apollo-server-express":"^3","express":"^4"}}', ...files }, { rules: [RULE] });
    assert.deepEqual(where((await lint({ 'index.js': v3('') })).findings), []);
    assert.deepEqual(where((await lint({ 'index.js': v3(', stopOnTerminationSignals: false') })).findings), [`${RULE} index.js:3`]);
    const v4 = (options: string) =>
      `import { ApolloServer } from '@apollo/server';\nimport { startStandaloneServer } from '@apollo/server/standalone';\nconst server = new ApolloServer({ typeDefs: 'type Query { a: String }', resolvers: {}${options} });\nawait startStandaloneServer(server, { listen: { port: 4000 } });\n`;
    assert.deepEqual(where((await lint({ 'index.mjs': v4('') })).findings), []);
    assert.deepEqual(where((await lint({ 'index.mjs': v4(', stopOnTerminationSignals: false') })).findings), [`${RULE} index.mjs:4`]);
    // Options it cannot read may turn it off, and so may the ApolloServer of another file.
    assert.deepEqual(where((await lint({ 'index.mjs': v4(', ...options') })).findings), [`${RULE} index.mjs:4`]);
    const apart = {
      'server.mjs': "import { ApolloServer } from '@apollo/server';\nexport const server = new ApolloServer({ typeDefs: 'type Query { a: String }', resolvers: {}, stopOnTerminationSignals: false });\n",
      'index.mjs': "import { startStandaloneServer } from '@apollo/server/standalone';\nimport { server } from './server.mjs';\nawait startStandaloneServer(server, { listen: { port: 4000 } });\n",
    };
    assert.deepEqual(where((await lint(apart)).findings), [`${RULE} index.mjs:3`]);
    // Another integration stops Apollo, not the app's own server.
    const express = "const express = require('express');\nconst { ApolloServer } = require('apollo-server-express');\nconst app = express();\nconst apollo = new ApolloServer({ typeDefs: 'type Query { a: String }', resolvers: {} });\napollo.start().then(() => { apollo.applyMiddleware({ app }); app.listen(4000); });\n";
    assert.deepEqual(where((await lint({ 'index.js': express })).findings), [`${RULE} index.js:5`]);
  });
  it("does not take a browser bundle's listen() under public/ for a server start", async () => {
    const app = "const express = require('express');\nconst app = express();\napp.use(express.static('public'));\nconst server = app.listen(3000);\n";
    const bundle = 'var d={trap:function(e,t,n){return n?o.listen(n,t,d.dispatch.bind(null,e)):null}};\n';
    const { findings, model } = await lintFiles({ 'package.json': '{"name":"web","dependencies":{"express":"^4"}}', 'index.js': app, 'public/vendor.js': bundle }, { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} index.js:4`]);
    assert.equal(findings[0]!.related, undefined);
    assert.deepEqual(model!.services[0]!.servers.map((s) => s.file), ['index.js']);
  });
  it("does not count a handler in the entry of another script's process, or of one the server spawns (a worker beside the API), unless the server imports it", async () => {
    const files = (main: string) => ({
      'package.json': '{"name":"campaigns","dependencies":{"express":"^4"},"scripts":{"start":"node src/main.js","worker":"node src/worker.js"}}',
      'src/main.js': main,
      'src/queue.js': 'exports.startConsumer = () => {};\nexports.stopConsumer = async () => {};\n',
      'src/worker.js': "const { startConsumer, stopConsumer } = require('./queue');\nstartConsumer();\nprocess.on('SIGTERM', async () => { await stopConsumer(); process.exit(0); });\n",
    });
    const api = "const express = require('express');\nconst app = express();\napp.get('/healthz', (req, res) => res.send('ok'));\napp.listen(3000);\n";
    assert.deepEqual(where((await lintFiles(files(api), { rules: [RULE] })).findings), [`${RULE} src/main.js:4`]);
    // Imported by the server, the worker runs in the server's process, and so does its handler.
    assert.deepEqual(where((await lintFiles(files(`require('./worker');\n${api}`), { rules: [RULE] })).findings), []);
    // Spawned by the server, it is a process of its own.
    const spawned = `const { fork } = require('child_process');\nfork(__dirname + '/worker.js');\n${api}`;
    assert.deepEqual(where((await lintFiles({ ...files(spawned), 'package.json': '{"name":"campaigns","main":"src/main.js","dependencies":{"express":"^4"}}' }, { rules: [RULE] })).findings), [`${RULE} src/main.js:6`]);
  });
});
