import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serviceRoutes, type Route } from '../src/code/routes.js';
import { buildModel } from '../src/run.js';
import { NO_CONFIG, writeProject } from './helpers.js';

/** The route table of the only service of a virtual project, as `METHOD path` strings (`~` marks a path that is not exact). */
async function table(files: Record<string, string>): Promise<string[]> {
  const routes = await routesOf(files);
  return routes.map((r) => `${r.method} ${r.path ?? `<${r.pathText}>`}${r.exact ? '' : ' ~'}${r.library ? ` [${r.library}]` : ''}${r.mounted ? ' (mounted)' : ''}`).sort();
}

async function routesOf(files: Record<string, string>): Promise<Route[]> {
  const cwd = writeProject({ 'package.json': '{"name":"svc"}', ...files });
  const { model } = await buildModel({ cwd, paths: ['.'], config: NO_CONFIG });
  assert.equal(model.services.length, 1, 'one service');
  return serviceRoutes(model, model.services[0]!);
}

describe('route table', () => {
  it('takes routes a controller class declares on itself as mounted somewhere unseen, not as routes of the app', async () => {
    const routes = await table({
      'src/server.ts': "import express from 'express';\nimport { IndexRouter } from './routes';\nconst app = express();\napp.use('/', new IndexRouter().router);\napp.listen(3000);\n",
      'src/routes.ts': [
        "import { Controller } from './controller';",
        "import { HealthController } from './health';",
        'export class IndexRouter extends Controller {',
        '  constructor() {',
        '    super();',
        "    this.use('/health', new HealthController().router);",
        '  }',
        '}',
      ].join('\n'),
      'src/health.ts': "import { Controller } from './controller';\nexport class HealthController extends Controller {\n  constructor() {\n    super();\n    this.get('/', (req, res) => res.json({ health: 'GOOD' }));\n  }\n}\n",
      'src/controller.ts': "import { Router } from 'express';\nexport class Controller {\n  router = Router();\n  get(path, h) { this.router.get(path, h); }\n  use(path, r) { this.router.use(path, r); }\n}\n",
    });
    // `GET / ~` is the health controller's own route: under some prefix, not the app's `/`.
    assert.deepEqual(routes, ['ALL / ~ (mounted)', 'ALL /health ~ (mounted)', 'GET / ~', 'GET <path> ~']);
  });

  it('Express: app routes, routers mounted with a prefix across files (ESM, CommonJS, nested), route() chains', async () => {
    const routes = await table({
      'src/server.ts': [
        "import express from 'express';",
        "import users from './users';",
        "import { ordersRouter } from './orders.js';",
        'const app = express();',
        "app.get('/', (req, res) => res.send('home'));",
        "app.use('/api/users', users);",
        "app.use('/api', ordersRouter);",
        "app.use('/legacy', require('./legacy'));",
        "app.route('/book').get(list).post(create);",
        "app.use('/healthz', (req, res) => res.send('ok'));",
        "app.use('/metrics', metricsMiddleware());",
        'app.listen(3000);',
      ].join('\n'),
      'src/users.ts': "import { Router } from 'express';\nconst router = Router();\nrouter.get('/:id', show);\nrouter.delete('/:id', remove);\nexport default router;\n",
      'src/orders.ts': "import express from 'express';\nimport { v2 } from './v2';\nexport const ordersRouter = express.Router();\nordersRouter.post('/orders', create);\nordersRouter.use('/v2', v2);\n",
      'src/v2.ts': "import { Router } from 'express';\nexport const v2 = Router();\nv2.get('/status', (req, res) => res.json({}));\n",
      'src/legacy.js': "const express = require('express');\nconst r = express.Router();\nr.all('/*', gone);\nmodule.exports = r;\n",
    });
    assert.deepEqual(routes, [
      'ALL /healthz',
      'ALL /legacy/*',
      'ALL /metrics ~ (mounted)',
      'DELETE /api/users/:id',
      'GET /',
      'GET /api/users/:id',
      'GET /api/v2/status',
      'GET /book',
      'POST /api/orders',
      'POST /book',
    ]);
  });

  it('Express: chained Router().use(...) and an anonymous router exported as default', async () => {
    const routes = await table({
      'src/main.ts': "import express from 'express';\nimport routes from './routes/routes';\nconst app = express();\napp.use(routes);\npassport.use('jwt', jwtStrategy);\napp.listen(3000);\n",
      'src/routes/routes.ts': "import { Router } from 'express';\nimport tags from './tags';\nimport articles from './articles';\nconst api = Router().use(tags).use(articles);\nexport default Router().use('/api', api);\n",
      'src/routes/tags.ts': "import { Router } from 'express';\nconst router = Router();\nrouter.get('/tags', list);\nexport default router;\n",
      'src/routes/articles.ts': "import { Router } from 'express';\nconst router = Router();\nrouter.get('/articles', list).post('/articles', create);\nexport default router;\n",
    });
    assert.deepEqual(routes, ['GET /api/articles', 'GET /api/tags', 'POST /api/articles']);
  });

  it('Express: a router that is never found mounted keeps its own path, not exact', async () => {
    const routes = await table({
      'src/server.ts': "import express from 'express';\nconst app = express();\nconst admin = express.Router();\nadmin.get('/stats', h);\napp.listen(3000);\n",
    });
    assert.deepEqual(routes, ['GET /stats ~']);
  });

  it('records where a route and its handler are', async () => {
    const [route] = await routesOf({
      'src/server.ts': "import express from 'express';\nconst app = express();\n\napp.get('/health', healthHandler);\napp.listen(3000);\n",
    });
    assert.deepEqual(route!.at, { file: 'src/server.ts', line: 4, column: 1, endLine: 4, endColumn: 34 });
    assert.deepEqual(route!.handler, { file: 'src/server.ts', line: 4, column: 20, endLine: 4, endColumn: 33, name: 'healthHandler' });
  });

  it('Fastify: shorthand, route({ url }), register(plugin, { prefix }) in another file, inline and nested plugins', async () => {
    const routes = await table({
      'src/main.ts': [
        "import Fastify from 'fastify';",
        "import users from './users.js';",
        'const app = Fastify();',
        "app.get('/ping', async () => 'pong');",
        "app.route({ method: ['GET', 'HEAD'], url: '/items', handler: list });",
        "app.register(users, { prefix: '/users' });",
        "app.register(async (api) => {",
        "  api.get('/version', async () => '1');",
        "  api.register(require('./admin'), { prefix: '/admin' });",
        "}, { prefix: '/v1' });",
        "await app.listen({ port: 3000, host: '0.0.0.0' });",
      ].join('\n'),
      'src/users.ts': "export default async function users(fastify) {\n  fastify.get('/', async () => []);\n  fastify.post('/:id/avatar', { schema }, upload);\n}\n",
      'src/admin.js': "const fp = require('fastify-plugin');\nmodule.exports = async function (app) {\n  app.delete('/cache', async () => 'ok');\n};\n",
    });
    assert.deepEqual(routes, ['DELETE /v1/admin/cache', 'GET /items', 'GET /ping', 'GET /users', 'GET /v1/version', 'HEAD /items', 'POST /users/:id/avatar']);
  });

  it('Fastify: a plugin wrapped in fastify-plugin and exported as default', async () => {
    const routes = await table({
      'src/main.ts': "import Fastify from 'fastify';\nimport health from './health';\nconst app = Fastify();\napp.register(health, { prefix: '/internal' });\napp.listen({ port: 3000 });\n",
      'src/health.ts': "import fp from 'fastify-plugin';\nexport default fp(async (app) => {\n  app.get('/healthz', async () => ({ ok: true }));\n});\n",
    });
    assert.deepEqual(routes, ['GET /internal/healthz']);
  });

  it('Koa with @koa/router: router prefix, prefix(), nested routers', async () => {
    const routes = await table({
      'src/index.ts': [
        "import Koa from 'koa';",
        "import Router from '@koa/router';",
        "import { users } from './users';",
        'const app = new Koa();',
        "const api = new Router({ prefix: '/api' });",
        "api.get('/ping', (ctx) => { ctx.body = 'pong'; });",
        "api.use('/users', users.routes(), users.allowedMethods());",
        'app.use(api.routes());',
        'const ops = new Router();',
        "ops.prefix('/ops');",
        "ops.get('health', '/health', (ctx) => { ctx.body = 'ok'; });",
        'app.use(ops.routes());',
        'app.listen(3000);',
      ].join('\n'),
      'src/users.ts': "import Router from '@koa/router';\nexport const users = new Router();\nusers.get('/:id', show);\n",
    });
    assert.deepEqual(routes, ['GET /api/ping', 'GET /api/users/:id', 'GET /ops/health']);
  });

  it('Koa with koa-mount: a prefix on a router, on another Koa app across files, none, one not literal, and something unseen', async () => {
    const routes = await table({
      'src/index.js': [
        "const Koa = require('koa');",
        "const Router = require('@koa/router');",
        "const withPrefix = require('koa-mount');",
        "const serve = require('koa-static');",
        "const v1 = require('./v1');",
        'const health = new Router();',
        "health.get('/', (ctx) => { ctx.status = 200; });",
        'const root = new Router();',
        "root.get('/version', (ctx) => { ctx.body = '1'; });",
        'const admin = new Router();',
        "admin.get('/stats', (ctx) => { ctx.body = {}; });",
        'const app = new Koa();',
        "app.use(withPrefix('/health', health.routes()));",
        "app.use(withPrefix('/v1', v1));",
        'app.use(withPrefix(root.middleware()));',
        'app.use(withPrefix(config.adminPath, admin.routes()));',
        "app.use(withPrefix('/static', serve('public')));",
        'app.listen(3000);',
      ].join('\n'),
      'src/v1.js': [
        "import Koa from 'koa';",
        "import Router from '@koa/router';",
        "import mount from 'koa-mount';",
        'const app = new Koa();',
        'const users = new Router();',
        "users.get('/:id', show);",
        "app.use(mount('/users', users));",
        'export default app;',
      ].join('\n'),
    });
    assert.deepEqual(routes, ['ALL /static ~ (mounted)', 'GET /health', 'GET /v1/users/:id', 'GET /version', 'GET /{…}/stats ~']);
  });

  it('Hapi: server.route with one route, an array, and any method', async () => {
    const routes = await table({
      'src/server.ts': [
        "import Hapi from '@hapi/hapi';",
        'const server = Hapi.server({ port: 3000 });',
        "server.route({ method: 'GET', path: '/health', handler: () => 'ok' });",
        "server.route([{ method: ['PUT', 'PATCH'], path: '/users/{id}', options: { handler: update } }, { method: '*', path: '/{any*}', handler: notFound }]);",
        'await server.start();',
      ].join('\n'),
    });
    assert.deepEqual(routes, ['ALL /{any*}', 'GET /health', 'PATCH /users/{id}', 'PUT /users/{id}']);
  });

  it('NestJS: @Controller and method decorators under setGlobalPrefix, with exclusions and @nestjs/terminus', async () => {
    const routes = await table({
      'src/main.ts': [
        "import { NestFactory } from '@nestjs/core';",
        "import { AppModule } from './app.module';",
        'async function bootstrap() {',
        '  const app = await NestFactory.create(AppModule);',
        "  app.setGlobalPrefix('api/v1', { exclude: ['health', { path: 'metrics', method: RequestMethod.GET }] });",
        '  await app.listen(3000);',
        '}',
        'bootstrap();',
      ].join('\n'),
      'src/app.module.ts': "import { CatsController } from './cats.controller';\nimport { HealthController } from './health.controller';\nexport class AppModule {}\n",
      'src/cats.controller.ts': [
        "import { Controller, Get, Post, Delete } from '@nestjs/common';",
        "@Controller('cats')",
        'export class CatsController {',
        '  @Get() findAll() { return []; }',
        "  @Get(':id') findOne() { return {}; }",
        "  @Post() @HttpCode(201) create() {}",
        "  @Delete([':id', ':id/purge']) remove() {}",
        '}',
        "@Controller({ path: 'metrics' })",
        'export class MetricsController {',
        '  @Get() scrape() {}',
        '}',
      ].join('\n'),
      'src/health.controller.ts': [
        "import { Controller, Get } from '@nestjs/common';",
        "import { HealthCheck, HealthCheckService } from '@nestjs/terminus';",
        "@Controller('health')",
        'export class HealthController {',
        '  constructor(private health: HealthCheckService) {}',
        '  @Get()',
        '  @HealthCheck()',
        '  check() { return this.health.check([]); }',
        '}',
      ].join('\n'),
    });
    assert.deepEqual(routes, [
      'DELETE /api/v1/cats/:id',
      'DELETE /api/v1/cats/:id/purge',
      'GET /api/v1/cats',
      'GET /api/v1/cats/:id',
      'GET /health [@nestjs/terminus]',
      'GET /metrics',
      'POST /api/v1/cats',
    ]);
  });

  it('raw http.createServer handlers comparing req.url', async () => {
    const routes = await table({
      'src/server.mjs': [
        "import http from 'node:http';",
        'const server = http.createServer((req, res) => {',
        "  if (req.url === '/healthz') return res.end('ok');",
        "  if (req.method === 'GET' && req.url.startsWith('/files/')) return serve(req, res);",
        '  switch (new URL(req.url, base).pathname) {',
        "    case '/ready': return res.end(ready ? 'ok' : 'no');",
        '  }',
        '  res.statusCode = 404;',
        '});',
        'server.listen(8080);',
      ].join('\n'),
    });
    assert.deepEqual(routes, ['ALL /files', 'ALL /healthz', 'ALL /ready']);
  });

  it('middleware that lets a path through serves nothing, but one that answers on the other side of !== does', async () => {
    const routes = await table({
      'src/server.js': [
        "const app = require('express')();",
        'app.use((req, res, next) => {',
        "  if (req.path === '/healthz') return next();",
        "  if (req.path === '/metrics') { next(); }",
        "  if (!req.headers.authorization) return res.status(401).end();",
        '  next();',
        '});',
        'app.use((req, res, next) => {',
        "  if (req.path !== '/ready') return next();",
        "  res.send('ok');",
        '});',
        'app.listen(8080);',
      ].join('\n'),
    });
    assert.deepEqual(routes, ['ALL /ready']);
  });

  it('raw handlers testing req.url with a string method or a plain regular expression; a pattern with more than a path is no route', async () => {
    const routes = await table({
      'src/server.js': [
        "const http = require('http');",
        'const server = http.createServer((req, res) => {',
        '  if (req.method === "GET" && req.url.match(/\\/health/)) return health(req, res);',
        "  if (req.url.endsWith('/livez')) return res.end('ok');",
        "  if (req.url.includes('/ping')) return res.end('pong');",
        '  if (/^\\/readyz$/i.test(req.url)) return res.end(ready ? "ok" : "no");',
        '  if (req.url.match(/^\\/users\\/\\d+$/)) return user(req, res);',
        '  if (/orders/.test(req.url)) return orders(req, res);',
        "  res.end('home');",
        '});',
        'server.listen(3000);',
      ].join('\n'),
    });
    assert.deepEqual(routes, ['ALL /health', 'ALL /livez', 'ALL /ping', 'ALL /readyz']);
  });

  it('routes libraries serve: terminus healthChecks, lightship on its own port, under-pressure, fastify-healthcheck', async () => {
    const terminus = await table({
      'src/server.ts': [
        "import http from 'node:http';",
        "import { createTerminus } from '@godaddy/terminus';",
        'const server = http.createServer(app);',
        "createTerminus(server, { healthChecks: { '/healthcheck': check, '/readiness': ready, verbatim: true }, timeout: 5000 });",
        'server.listen(3000);',
      ].join('\n'),
    });
    assert.deepEqual(terminus, ['GET /healthcheck [@godaddy/terminus]', 'GET /readiness [@godaddy/terminus]']);

    const lightship = await routesOf({
      'src/server.ts': "import express from 'express';\nimport { createLightship } from 'lightship';\nconst lightship = await createLightship({ port: 9500 });\nexpress().listen(3000);\n",
    });
    assert.deepEqual(lightship.map((r) => `${r.path} ${JSON.stringify(r.port)}`), ['/health {"t":"num","v":9500}', '/live {"t":"num","v":9500}', '/ready {"t":"num","v":9500}']);
    const byDefault = await routesOf({ 'src/server.ts': "import express from 'express';\nimport { createLightship } from 'lightship';\nconst l = await createLightship();\nexpress().listen(3000);\n" });
    assert.deepEqual(byDefault[0]!.port, { t: 'num', v: 9000 });

    const fastify = await table({
      'src/main.ts': [
        "import Fastify from 'fastify';",
        "import underPressure from '@fastify/under-pressure';",
        'const app = Fastify();',
        "app.register(underPressure, { maxEventLoopDelay: 1000, exposeStatusRoute: { url: '/alive' } });",
        "app.register(require('fastify-healthcheck'));",
        "app.register(underPressure, { exposeStatusRoute: false });",
        'app.listen({ port: 3000 });',
      ].join('\n'),
    });
    assert.deepEqual(fastify, ['GET /alive [@fastify/under-pressure]', 'GET /health [fastify-healthcheck]']);
  });

  it('middleware that serves a health route (express-actuator), and the file routes of a Next.js custom server', async () => {
    const actuator = await table({
      'src/server.ts': "import express from 'express';\nimport actuator from 'express-actuator';\nconst app = express();\napp.use(actuator({ basePath: '/management' }));\napp.use('/ops', actuator());\napp.listen(3000);\n",
    });
    assert.deepEqual(actuator, ['GET /management/health [express-actuator]', 'GET /ops/health [express-actuator]']);
    const next = await table({
      'server.ts': "import { createServer } from 'node:http';\nimport next from 'next';\nconst app = next({ dev: false });\nconst handle = app.getRequestHandler();\napp.prepare().then(() => createServer((req, res) => handle(req, res)).listen(3000));\n",
      'pages/api/health.ts': 'export default function handler(req, res) { res.status(200).end(); }\n',
      'pages/api/users/[id].ts': 'export default function handler(req, res) { res.json({}); }\n',
      'app/(ops)/readyz/route.ts': 'export async function GET() { return new Response(null, { status: 200 }); }\n',
      'pages/index.tsx': 'export default function Home() { return null; }\n',
    });
    assert.deepEqual(next, ['ALL /api/health', 'ALL /api/users/:id', 'ALL /readyz']);
  });

  it('does not take client calls, settings getters or cache lookups for routes', async () => {
    const routes = await table({
      'src/server.ts': [
        "import express from 'express';",
        "import axios from 'axios';",
        'const app = express();',
        "const env = app.get('env');",
        "app.get('/real', (req, res) => res.send('ok'));",
        'export async function load() {',
        "  await axios.get('/health', { timeout: 1000 });",
        "  cache.get('/users', { ttl: 5 });",
        "  return this.http.get('/api/health', { params });",
        '}',
        'app.listen(3000);',
      ].join('\n'),
    });
    assert.deepEqual(routes, ['GET /real']);
  });
});
