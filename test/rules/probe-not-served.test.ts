import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerFor } from '../../src/code/route-match.js';
import { buildModel } from '../../src/run.js';
import { FIXTURES, lintDir, lintFiles, NO_CONFIG, where, writeProject } from '../helpers.js';

const RULE = 'probe-not-served';
const dir = `${FIXTURES}/rules/${RULE}`;

/** A Deployment running `image`, with `probe` (indented under the container) and optional `ports`. */
function deployment(image: string, probe: string, ports = ''): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: api',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: api',
    `          image: ${image}`,
    ports,
    probe,
  ]
    .filter(Boolean)
    .join('\n');
}

const readiness = (path: string, port: string | number = 3000) => `          readinessProbe:\n            httpGet:\n              path: ${path}\n              port: ${port}`;

describe(RULE, () => {
  it('fires on probe paths the linked service does not serve and on ports nobody serves, on the path or port field', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/billing/k8s/billing.yaml:19`,
      `${RULE} fire/catalog/k8s/catalog.yaml:21`,
      `${RULE} fire/inventory/k8s/inventory.yaml:20`,
      `${RULE} fire/orders/k8s/deployment.yaml:23`,
      `${RULE} fire/orders/k8s/deployment.yaml:27`,
      `${RULE} fire/ports/k8s/workloads.yaml:24`,
      `${RULE} fire/ports/k8s/workloads.yaml:52`,
      `${RULE} fire/ports/k8s/workloads.yaml:56`,
    ]);
    const at = (file: string, line: number) => findings.find((f) => f.file === `fire/${file}` && f.line === line)!;

    const ready = at('orders/k8s/deployment.yaml', 27);
    assert.equal(
      ready.message,
      'readinessProbe of Deployment "orders" container "api" calls GET /ready, which service "orders" does not serve (it answers /ready only for POST; routes seen: GET /healthz, GET /api/orders, GET /api/orders/:id; linked because image "ghcr.io/acme/orders:2.3.1" matches package "orders"): the probe can never pass, so the pod never becomes ready and the rollout never finishes',
    );
    assert.deepEqual([ready.column, ready.endColumn], [15, 27], 'on the path field');
    assert.equal(ready.hint, 'point readinessProbe.httpGet.path at /healthz, which the service serves, or add a GET /ready route');
    assert.deepEqual(ready.related, [{ file: 'fire/orders/src/routes/health.ts', line: 10, column: 1, message: 'GET /healthz is served here' }]);
    assert.match(at('orders/k8s/deployment.yaml', 23).message, /^startupProbe of .* calls GET \/startup, .*the container is restarted before it ever serves$/);

    assert.match(at('catalog/k8s/catalog.yaml', 21).message, /calls GET \/health, which service "catalog" does not serve \(routes seen: GET \/api\/health, GET \/api\/products, GET \/api\/products\/:sku;/);
    assert.match(at('billing/k8s/billing.yaml', 19).message, /^livenessProbe of Deployment "billing" container "billing" calls GET \/health, .*routes seen: GET \/api\/health;.*restarts the container over and over$/);
    assert.equal(at('billing/k8s/billing.yaml', 19).hint, 'point livenessProbe.httpGet.path at /api/health, which the service serves, or add a GET /health route');

    const inventory = at('inventory/k8s/inventory.yaml', 20);
    assert.match(inventory.message, /probes port 3000, but the container declares no ports and service "inventory" listens on 8080 at fire\/inventory\/src\/index\.js:15; linked because image "inventory:1\.4\.2" matches package "inventory"/);
    assert.equal(inventory.hint, 'set livenessProbe.httpGet.port to 8080, the port the service listens on');
    assert.deepEqual([inventory.column, inventory.endColumn], [15, 25], 'on the port field');
    assert.deepEqual(inventory.related, [{ file: 'fire/inventory/src/index.js', line: 15, column: 1, message: 'service "inventory" listens on 8080 here' }]);

    assert.match(at('ports/k8s/workloads.yaml', 24).message, /uses port "http", but the container has no TCP port of that name \(its ports: 8080 "web"\)/);
    assert.equal(at('ports/k8s/workloads.yaml', 24).hint, "set readinessProbe.httpGet.port to web (the container's only TCP port), or declare the TCP port the service listens on");
    assert.match(at('ports/k8s/workloads.yaml', 52).message, /probes port 8125, .*port 8125 is declared UDP, which serves no HTTP probe/);
    assert.match(at('ports/k8s/workloads.yaml', 56).message, /probes port 9102, .*it declares 8125 "statsd"\/UDP, 8126 "admin"/);
  });

  it('stays silent for routers mounted at /, terminus, Fastify prefixes, Nest controllers, parameters, catch-alls, Next.js, lightship, env ports, unknown prefixes and health middleware', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  const express = (routes: string, extra: Record<string, string> = {}) => ({
    'package.json': '{"name":"api"}',
    'src/server.js': `const express = require('express');\nconst app = express();\n${routes}\napp.listen(3000);\n`,
    ...extra,
  });

  it('each silent look-alike fires once what made it right is gone', async () => {
    const yaml = (path: string) => ({ 'k8s/api.yaml': deployment('acme/api:1', readiness(path)) });
    const cases: [string, Record<string, string>][] = [
      ['a catch-all route', express("app.get('/orders', list);", yaml('/healthz'))],
      ['a path-less middleware that calls next', express("app.use((req, res, next) => { res.set('x-api', '1'); next(); });\napp.get('/orders', list);", yaml('/healthz'))],
      ['a not-found handler', express("app.get('/orders', list);\napp.use((req, res) => res.status(404).json({ error: 'not found' }));", yaml('/healthz'))],
      ['a literal prefix', express("const r = express.Router();\nr.get('/healthz', ok);\napp.use('/v2', r);", yaml('/v1/healthz'))],
      ['a path alias named like health middleware', express("const { probes } = require('src/health/probes');\napp.get('/orders', list);", yaml('/healthz'))],
    ];
    for (const [what, files] of cases) assert.deepEqual(where((await lintFiles(files, { rules: [RULE] })).findings), [`${RULE} k8s/api.yaml:13`], what);
  });

  it('matches parameters, wildcards, trailing slashes, query strings, letter case, ALL and HEAD routes', async () => {
    const served: [string, string][] = [
      ["app.get('/users/:id', h);", '/users/42'],
      ["app.get('/files/*', h);", '/files/a/b/c'],
      ["app.get('/opt/:id?', h);", '/opt'],
      ["app.get('/healthz/', h);", '/healthz'],
      ["app.get('/healthz', h);", '/healthz/?deep=1'],
      ["app.get('/Health', h);", '/health'],
      ["app.use('/status', h);", '/status/live'],
      ["app.all('/ping', h);", '/ping'],
      ["app.head('/ping', h);", '/ping'],
      ["app.get(['/live', '/livez'], h);", '/livez'],
    ];
    for (const [route, path] of served) {
      assert.deepEqual(where((await lintFiles(express(`${route}\napp.get('/orders', list);`, { 'k8s/api.yaml': deployment('acme/api:1', readiness(path)) }), { rules: [RULE] })).findings), [], `${route} serves ${path}`);
    }
    const notServed: [string, string][] = [
      ["app.get('/users/:id', h);", '/users'],
      ["app.get('/healthz', h);", '/healthz/deep'],
      ["app.post('/ready', h);", '/ready'],
    ];
    for (const [route, path] of notServed) {
      const { findings } = await lintFiles(express(`${route}\napp.get('/orders', list);`, { 'k8s/api.yaml': deployment('acme/api:1', readiness(path)) }), { rules: [RULE] });
      assert.deepEqual(where(findings), [`${RULE} k8s/api.yaml:13`], `${route} does not serve ${path}`);
    }
  });

  it('finds the route on the path among many, whatever the letter case, trailing slash or query, and names the methods in declaration order', async () => {
    const many = Array.from({ length: 40 }, (_, i) => `app.get('/api/v${i % 3}/items${i}/:id', h);`).join('\n');
    const routes = `${many}\napp.get('/API/Status/', h);\napp.put('/ready', h);\napp.post('/ready/:id?', h);\napp.get('/users/:id/Profile', h);`;
    const lint = async (path: string) => (await lintFiles(express(routes, { 'k8s/api.yaml': deployment('acme/api:1', readiness(path)) }), { rules: [RULE] })).findings;
    for (const path of ['/api/v2/items38/7', '/API/V1/ITEMS1/x/', '/api/status', '/api/STATUS/?deep=1', '/users/42/profile']) assert.deepEqual(where(await lint(path)), [], path);
    for (const path of ['/api/v1/items38/7', '/api/v2/items38', '/ready/a/b', '/users/42']) assert.deepEqual(where(await lint(path)), [`${RULE} k8s/api.yaml:13`], path);
    const [ready] = await lint('/ready');
    assert.match(ready!.message, /calls GET \/ready, which service "api" does not serve \(it answers \/ready only for PUT, POST; routes seen: GET \/api\/v0\/items0\/:id, GET \/api\/v1\/items1\/:id, GET \/api\/v2\/items2\/:id, GET \/api\/v0\/items3\/:id and 38 more;/);
    assert.equal(ready!.hint, 'point readinessProbe.httpGet.path at /API/Status, which the service serves, or add a GET /ready route');
  });

  it('matches a router under a prefix that is not literal by its own paths, under any prefix or none', async () => {
    const mounted = "const r = express.Router();\nr.get('/healthz', h);\napp.use(config.opsPrefix, r);\napp.get('/orders', list);";
    for (const path of ['/healthz', '/ops/healthz', '/internal/v1/healthz']) {
      assert.deepEqual(where((await lintFiles(express(mounted, { 'k8s/api.yaml': deployment('acme/api:1', readiness(path)) }), { rules: [RULE] })).findings), [], path);
    }
    const { findings } = await lintFiles(express(mounted, { 'k8s/api.yaml': deployment('acme/api:1', readiness('/ready')) }), { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} k8s/api.yaml:13`]);
    assert.match(findings[0]!.message, /calls GET \/ready, which service "api" does not serve \(routes seen: GET \/\{…\}\/healthz, GET \/orders;/);
    assert.equal(findings[0]!.hint, 'point readinessProbe.httpGet.path at /<prefix>/healthz, which the service serves, or add a GET /ready route');
  });

  it('lists the routes and suggests a health route for each probe, on the application port and on a library port alike', async () => {
    const server = [
      "import express from 'express';",
      "import { createLightship } from 'lightship';",
      'const lightship = await createLightship();',
      'const app = express();',
      ...['a', 'b', 'a', 'c', 'd', 'e'].map((p) => `app.get('/api/${p}', (req, res) => res.end());`),
      "app.post('/nope', (req, res) => res.end());",
      "app.get('/health/live', (req, res) => res.end());",
      "app.get('/status/ready', (req, res) => res.end());",
      'app.listen(8080, () => lightship.signalReady());',
    ].join('\n');
    const probe = (field: string, path: string, port: number) => `          ${field}:\n            httpGet:\n              path: ${path}\n              port: ${port}`;
    const ports = '          ports:\n            - containerPort: 8080\n            - containerPort: 9000';
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api","dependencies":{"express":"^4","lightship":"^9"}}',
        'src/server.ts': server,
        'k8s/a.yaml': deployment('acme/api:1', [probe('readinessProbe', '/nope', 8080), probe('livenessProbe', '/gone', 8080), probe('startupProbe', '/nope', 9000)].join('\n'), ports),
        'k8s/b.yaml': deployment('acme/api:1', [probe('readinessProbe', '/other', 8080), probe('startupProbe', '/live', 9000)].join('\n'), ports).replace('name: api\nspec', 'name: api-b\nspec'),
      },
      { rules: [RULE] },
    );
    const app = 'routes seen: GET /api/a, GET /api/b, GET /api/c, GET /api/d and 3 more';
    assert.deepEqual(
      findings.map((f) => [`${f.file}:${f.line}`, f.message.replace(/^.* does not serve \((.*?); linked .*$/, '$1'), f.hint, f.related?.map((r) => `${r.line}: ${r.message}`)]),
      [
        ['k8s/a.yaml:16', `it answers /nope only for POST; ${app}`, 'point readinessProbe.httpGet.path at /status/ready, which the service serves, or add a GET /nope route', ['13: GET /status/ready is served here']],
        ['k8s/a.yaml:20', app, 'point livenessProbe.httpGet.path at /health/live, which the service serves, or add a GET /gone route', ['12: GET /health/live is served here']],
        ['k8s/a.yaml:24', 'routes seen: GET /health, GET /live, GET /ready', 'point startupProbe.httpGet.path at /health, which the service serves, or add a GET /nope route', ['3: GET /health is served here']],
        ['k8s/b.yaml:16', app, 'point readinessProbe.httpGet.path at /status/ready, which the service serves, or add a GET /other route', ['13: GET /status/ready is served here']],
      ],
    );
  });

  it('judges a named port, a declared port and the listen port; two wrong probes are two findings', async () => {
    const probes = (live: string, ready: string) => `${readiness('/healthz', ready)}\n          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: ${live}`;
    const ports = '          ports:\n            - name: http\n              containerPort: 3000';
    const files = (p: string, declared = ports) => express("app.get('/healthz', h);", { 'k8s/api.yaml': deployment('acme/api:1', p, declared) });
    assert.deepEqual(where((await lintFiles(files(probes('http', '3000')), { rules: [RULE] })).findings), []);
    assert.deepEqual(where((await lintFiles(files(probes('web', '8080')), { rules: [RULE] })).findings), [`${RULE} k8s/api.yaml:17`, `${RULE} k8s/api.yaml:21`]);
    // No ports declared: the number is judged against the code's listen port alone.
    assert.deepEqual(where((await lintFiles(files(probes('3000', '3000'), ''), { rules: [RULE] })).findings), []);
    assert.deepEqual(where((await lintFiles(files(probes('3000', '8080'), ''), { rules: [RULE] })).findings), [`${RULE} k8s/api.yaml:14`]);
    // A port the code listens on is fine even when the container does not declare it.
    assert.deepEqual(where((await lintFiles(files(probes('http', '3000'), '          ports:\n            - name: http\n              containerPort: 3000\n            - containerPort: 9090'), { rules: [RULE] })).findings), []);
  });

  it('names a port of a sibling container as such', async () => {
    const yaml = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: shop',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: app',
      '          image: vendor/shop:1',
      '          ports:',
      '            - containerPort: 8080',
      '          readinessProbe:',
      '            httpGet:',
      '              path: /ready',
      '              port: 15020',
      '        - name: proxy',
      '          image: vendor/proxy:1',
      '          ports:',
      '            - containerPort: 15020',
    ].join('\n');
    const { findings } = await lintFiles({ 'k8s/shop.yaml': yaml }, { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} k8s/shop.yaml:16`]);
    assert.match(findings[0]!.message, /15020 is a port of container "proxy" of the same pod, so the probe checks that container, not this one/);
  });

  it('never crashes on odd manifest shapes (all cross rules)', async () => {
    const odd = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: api',
      'spec:',
      '  template:',
      '    spec:',
      '      terminationGracePeriodSeconds: soon',
      '      containers:',
      '        - name: api',
      '          image: acme/api:1',
      '          command: node server.js',
      '          args: [[1], {a: b}]',
      '          env: {NODE_OPTIONS: --max-old-space-size=4096}',
      '          envFrom: [{secretRef: {name: s}}, {configMapRef: {}}]',
      '          ports: [{containerPort: http}, 8080, {name: web}]',
      '          resources: {limits: {memory: [1Gi]}}',
      '          lifecycle: {preStop: {exec: {command: "sleep 10"}, sleep: {seconds: soon}}}',
      '          readinessProbe: {httpGet: {path: [a], port: {x: 1}}}',
      '          livenessProbe: {httpGet: {path: 7, port: "8080"}}',
      '          startupProbe: {httpGet: ~}',
      '        - just-a-string',
      '        - ~',
    ].join('\n');
    const rules = [RULE, 'liveness-checks-dependencies', 'heap-exceeds-memory-limit', 'grace-period-too-short'];
    const { findings } = await lintFiles(express("app.get('/healthz', async (req, res) => res.json(await db.query('SELECT 1')));\nprocess.on('SIGTERM', () => setTimeout(() => process.exit(1), 60_000));", { 'k8s/api.yaml': odd }), { rules });
    assert.deepEqual(where(findings), [`${RULE} k8s/api.yaml:20`], 'only the liveness path 7, which the service does not serve');
  });

  it('reads Nest URI versioning as one segment it does not know: /v1/health is served, /v1/ready is not', async () => {
    const files = (path: string) => ({
      'package.json': '{"name":"api"}',
      'src/main.ts': "import { NestFactory } from '@nestjs/core';\nimport { VersioningType } from '@nestjs/common';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  app.setGlobalPrefix('api');\n  app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });\n  await app.listen(3000);\n}\nbootstrap();\n",
      'src/health.controller.ts': "import { Controller, Get } from '@nestjs/common';\n@Controller('health')\nexport class HealthController {\n  @Get()\n  check() { return 'ok'; }\n}\n",
      'k8s/api.yaml': deployment('acme/api:1', readiness(path)),
    });
    assert.deepEqual(where((await lintFiles(files('/api/v1/health'), { rules: [RULE] })).findings), []);
    const { findings } = await lintFiles(files('/api/v1/ready'), { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} k8s/api.yaml:13`]);
    assert.match(findings[0]!.message, /routes seen: GET \/api\/\{…\}\/health;/);
    assert.match(findings[0]!.hint!, /^point readinessProbe\.httpGet\.path at \/api\/<prefix>\/health, /);
  });

  it('serves the routes of a router mounted with koa-mount under its prefix, and nothing else for sure', async () => {
    const files = (path: string) => ({
      'package.json': '{"name":"api"}',
      'src/app.js': "const Koa = require('koa');\nconst mount = require('koa-mount');\nconst Router = require('@koa/router');\nconst health = new Router();\nhealth.get('/', (ctx) => { ctx.status = 200; });\nconst app = new Koa();\napp.use(mount('/health', health.routes()));\napp.listen(3000);\n",
      'k8s/api.yaml': deployment('acme/api:1', readiness(path)),
    });
    const cwd = writeProject(files('/health'));
    const { model } = await buildModel({ cwd, paths: ['.'], config: NO_CONFIG });
    const answer = (path: string) => answerFor(model, model.services[0]!, path);
    const health = answer('/health');
    assert.deepEqual(health.kind === 'served' && [health.route.path, health.route.exact], ['/health', true]);
    // A mount this linter does not read (koa-compose, a mount kept in a variable) may serve any other path.
    assert.deepEqual(answer('/ready'), { kind: 'unknown', why: 'koa-mount may serve it' });
    assert.deepEqual(where((await lintDir(cwd, { rules: [RULE] })).findings), []);
    assert.deepEqual(where((await lintFiles(files('/ready'), { rules: [RULE] })).findings), []);
  });

  it("serves apollo-server 3's health check on its default path or on healthCheckPath", async () => {
    const served = async (options: string, path: string) => {
      const cwd = writeProject({
        'package.json': '{"name":"graph"}',
        'src/index.js': `const { ApolloServer } = require('apollo-server');\nconst server = new ApolloServer({ typeDefs, resolvers${options} });\nserver.listen(4000);\n`,
        'k8s/api.yaml': deployment('acme/graph:1', readiness(path, 4000)),
      });
      const { model } = await buildModel({ cwd, paths: ['.'], config: NO_CONFIG });
      const answer = answerFor(model, model.services[0]!, path);
      return answer.kind === 'served' ? [answer.route.path, answer.route.library, answer.route.at.line] : answer.kind;
    };
    assert.deepEqual(await served('', '/.well-known/apollo/server-health'), ['/.well-known/apollo/server-health', 'apollo-server', 2]);
    assert.deepEqual(await served(", healthCheckPath: '/healthz'", '/healthz'), ['/healthz', 'apollo-server', 2]);
    assert.deepEqual(await served(", healthCheckPath: '/healthz'", '/.well-known/apollo/server-health'), 'unknown');
    assert.deepEqual(await served(', healthCheckPath: null', '/.well-known/apollo/server-health'), 'unknown');
  });

  it('stays silent when the route table cannot be trusted: non-literal paths, hand-written routers, unlinted mounts', async () => {
    const yaml = { 'k8s/api.yaml': deployment('acme/api:1', readiness('/healthz')) };
    const cases: Record<string, string>[] = [
      express("app.get(paths.health, h);\napp.get('/orders', list);", yaml),
      { 'package.json': '{"name":"api"}', 'src/server.js': "const http = require('http');\nhttp.createServer((req, res) => {\n  if (req.url === '/metrics') return metrics(res);\n  res.end('ok');\n}).listen(3000);\n", ...yaml },
      express("app.use(require('./generated/routes'));\napp.get('/orders', list);", yaml),
      {
        'package.json': '{"name":"api"}',
        'src/main.ts': "import { NestFactory } from '@nestjs/core';\nimport { VersioningType } from '@nestjs/common';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  app.enableVersioning({ type: VersioningType.URI });\n  await app.listen(3000);\n}\nbootstrap();\n",
        'src/health.controller.ts': "import { Controller, Get } from '@nestjs/common';\n@Controller('health')\nexport class HealthController {\n  @Get()\n  check() { return 'ok'; }\n}\n",
        'k8s/api.yaml': deployment('acme/api:1', readiness('/v1/health')),
      },
    ];
    for (const files of cases) assert.deepEqual(where((await lintFiles(files, { rules: [RULE] })).findings), [], Object.values(files)[1]);
  });
});
