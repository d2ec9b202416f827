import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'missing-health-endpoint';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it('fires at the call that starts accepting connections, for every framework', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/express/src/server.ts:10`,
      `${RULE} fire/fastify/src/main.ts:8`,
      `${RULE} fire/hapi/src/server.ts:6`,
      `${RULE} fire/http/src/server.mjs:9`,
      `${RULE} fire/koa/src/index.ts:11`,
      `${RULE} fire/nest-config-prefix/src/main.ts:11`,
      `${RULE} fire/nest/src/main.ts:8`,
      `${RULE} fire/terminus-without-checks/src/server.ts:12`,
      `${RULE} fire/under-pressure-without-route/src/main.ts:9`,
    ]);
    const byFile = (s: string) => findings.find((f) => f.file.includes(s))!;
    assert.equal(
      byFile('fire/express/').message,
      'service "fire-express" (app.listen()) has no health or readiness route (no /health, /healthz, /ready, /live or /ping among its routes: GET /api/orders, POST /api/orders, GET /categories/healthy-snacks): Kubernetes probes have nothing to call',
    );
    assert.match(byFile('fire/nest/').message, /GET \/api\/cats, GET \/api\/cats\/:id/);
    assert.match(byFile('fire/koa/').message, /GET \/api\/users/);
    // Under a prefix from configuration, routes keep their own paths.
    assert.match(byFile('fire/nest-config-prefix/').message, /among its routes: POST \/\{…\}\/users, GET \/\{…\}\/users\)/);
    assert.match(byFile('fire/hapi/').message, /\(server\.start\(\)\)/);
    assert.match(byFile('fire/express/').hint!, /^app\.get\('\/healthz'/);
    assert.match(byFile('fire/fastify/').hint!, /async \(\) => \(\{ ok: true \}\)/);
    assert.match(byFile('fire/koa/').hint!, /^router\.get\('\/healthz'/);
    assert.match(byFile('fire/hapi/').hint!, /^server\.route\(/);
    assert.match(byFile('fire/nest/').hint!, /@nestjs\/terminus/);
    assert.match(byFile('fire/http/').hint!, /req\.url === '\/healthz'/);
    assert.match(byFile('terminus-without-checks').hint!, /healthChecks/);
    assert.match(byFile('under-pressure-without-route').hint!, /exposeStatusRoute: true/);
  });

  it('stays silent for health routes in every framework, behind prefixes, served by libraries, and for TCP servers', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('counts a path segment anywhere (/api/v1/health/live), with any method and decorated (/_health), but not a look-alike word', async () => {
    const server = (route: string) => ({
      'package.json': '{"name":"api"}',
      'src/server.ts': `import express from 'express';\nconst app = express();\n${route}\napp.listen(3000);\n`,
    });
    for (const route of ["app.head('/api/v1/health/live', ok);", "app.all('/ping', ok);", "app.post('/readiness', ok);", "app.get('/_health', ok);", "app.get('/health-check', ok);"]) {
      assert.deepEqual(where((await lintFiles(server(route), { rules: [RULE] })).findings), [], route);
    }
    for (const route of ["app.get('/healthy', ok);", "app.get('/api/pingback', ok);", "app.get('/unready-orders', ok);"]) {
      assert.deepEqual(where((await lintFiles(server(route), { rules: [RULE] })).findings), [`${RULE} src/server.ts:4`], route);
    }
  });

  it('reads a path that is not literal by the whole words of its expression: config.healthPath counts, paths.shipping does not', async () => {
    const server = (route: string) => ({
      'package.json': '{"name":"api"}',
      'src/server.ts': `import express from 'express';\nimport { config, paths, HEALTH_CHECK_URL } from './config';\nconst app = express();\n${route}\napp.listen(3000);\n`,
    });
    for (const route of ['app.get(config.healthPath, ok);', 'app.get(HEALTH_CHECK_URL, ok);', 'app.get(paths.readyz, ok);', 'app.get(config.livenessProbePath, ok);']) {
      assert.deepEqual(where((await lintFiles(server(route), { rules: [RULE] })).findings), [], route);
    }
    for (const route of ['app.get(paths.shipping, ok);', 'app.get(config.deliveryPath, ok);', 'app.get(routes.pingbackUrl, ok);', 'app.get(paths.unreadyOrders, ok);']) {
      const { findings } = await lintFiles(server(route), { rules: [RULE] });
      assert.deepEqual(where(findings), [`${RULE} src/server.ts:5`], route);
      assert.match(findings[0]!.message, new RegExp(`among its routes: GET ${route.slice(8, route.indexOf(','))}\\)`), route);
    }
  });

  it('counts a router mounted with koa-mount under its prefix, and lists routes with that prefix', async () => {
    const koa = (mounts: string) => ({
      'package.json': '{"name":"api"}',
      'src/app.js': [
        "const Koa = require('koa');",
        "const mount = require('koa-mount');",
        "const Router = require('@koa/router');",
        'const health = new Router();',
        "health.get('/', (ctx) => { ctx.status = 200; });",
        'const users = new Router();',
        "users.get('/:id', (ctx) => { ctx.body = {}; });",
        'const app = new Koa();',
        mounts,
        'const server = app.listen(3000);',
        "process.on('SIGTERM', () => server.close(() => process.exit(0)));",
      ].join('\n'),
    });
    const silent = await lintFiles(koa("app.use(mount('/health', health.routes()));\napp.use(mount('/users', users.routes()));"), { rules: [RULE] });
    assert.deepEqual(where(silent.findings), []);
    const { findings } = await lintFiles(koa("app.use(mount('/users', users.routes()));"), { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} src/app.js:10`]);
    assert.match(findings[0]!.message, /among its routes: GET \/, GET \/users\/:id\)/);
  });

  it('reads a Hapi server assigned to a `let` declared before, and a Glue server, whose plugins it does not follow', async () => {
    const hapiLet = (path: string) => ({
      'package.json': '{"name":"api"}',
      'server.js': `const Hapi = require('@hapi/hapi');\nlet server;\nconst init = async () => {\n  server = Hapi.server({ port: 3000 });\n  server.route({ method: 'GET', path: '${path}', handler: () => 'ok' });\n  await server.start();\n};\ninit();\n`,
    });
    const { findings } = await lintFiles(hapiLet('/'), { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} server.js:6`]);
    assert.match(findings[0]!.message, /^service "api" \(server\.start\(\)\) has no health or readiness route \(no \/health, \/healthz, \/ready, \/live or \/ping among its routes: GET \/\)/);
    assert.match(findings[0]!.hint!, /^server\.route\(/);
    assert.deepEqual(where((await lintFiles(hapiLet('/healthz'), { rules: [RULE] })).findings), []);
    // Routes that Glue registers from npm plugins are not seen: the finding says so.
    const glue = await lintFiles(
      {
        'package.json': '{"name":"api"}',
        'index.js': "const Glue = require('@hapi/glue');\nconst start = async () => {\n  const server = await Glue.compose({ server: { port: 3000 }, register: { plugins: ['@acme/api-routes'] } });\n  await server.start();\n};\nstart();\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(glue.findings), [`${RULE} index.js:4`]);
    assert.match(glue.findings[0]!.message, /among the routes this linter can see\)/);
  });

  it("counts the health check that apollo-server 3 serves itself, unless healthCheckPath is null; not one of @apollo/server 4", async () => {
    const apollo = (module: string, options: string) => ({
      'package.json': '{"name":"graph"}',
      'index.js': `const { ApolloServer, gql } = require('${module}');\nconst server = new ApolloServer({ typeDefs: gql\`type Query { a: String }\`, resolvers: {}${options} });\nserver.listen({ port: 4000 });\n`,
    });
    const lint = async (module: string, options = '') => where((await lintFiles(apollo(module, options), { rules: [RULE] })).findings);
    assert.deepEqual(await lint('apollo-server'), []);
    assert.deepEqual(await lint('apollo-server', ", healthCheckPath: '/status'"), []);
    assert.deepEqual(await lint('apollo-server', ', healthCheckPath: null'), [`${RULE} index.js:3`]);
    assert.deepEqual(await lint('@apollo/server'), [`${RULE} index.js:3`]);
  });

  it('finds a health route in a router of another workspace package', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"shop","private":true,"workspaces":["packages/*"]}',
        'packages/api/package.json': '{"name":"@shop/api"}',
        'packages/api/src/server.ts': "import express from 'express';\nimport { probes } from '@shop/probes';\nconst app = express();\napp.use(probes);\napp.listen(3000);\n",
        'packages/probes/package.json': '{"name":"@shop/probes","main":"src/index.ts"}',
        'packages/probes/src/index.ts': "import { Router } from 'express';\nexport const probes = Router();\nprobes.get('/readyz', (req, res) => res.send('ok'));\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), []);
  });
});
