import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'module-state';
const dir = `${FIXTURES}/rules/${RULE}`;

const EXPRESS = '{"name":"api","dependencies":{"express":"^4"}}';
const SERVER = "import express from 'express';\nimport './state';\nconst app = express();\nexport const server = app.listen(3000);\n";

/** A NestJS service that starts in src/main.ts (shutdown hooks on, all interfaces) with an empty module, depending on `modules`. */
function nestApp(modules: string[]): Record<string, string> {
  const deps = Object.fromEntries(['@nestjs/core', ...modules].map((m) => [m, '^10']));
  return {
    'package.json': JSON.stringify({ name: 'nest-app', dependencies: deps }),
    'src/main.ts':
      "import { NestFactory } from '@nestjs/core';\nimport { AppModule } from './app.module';\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  app.enableShutdownHooks();\n  await app.listen(3000, '0.0.0.0');\n}\nbootstrap();\n",
    'src/app.module.ts': 'export class AppModule {}\n',
  };
}

/** A one-service project: server.ts listens and imports state.ts, which holds `state`. */
function project(state: string, extra: Record<string, string> = {}) {
  return lintFiles({ 'package.json': EXPRESS, 'src/server.ts': SERVER, 'src/state.ts': state, ...extra }, { rules: [RULE] });
}

describe(RULE, () => {
  it('reports run-time writes once, at the declaration, following imports, re-exports, aliases and CommonJS', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/chat/src/plugins/auth.ts:4`,
      `${RULE} fire/chat/src/plugins/themes.ts:6`,
      `${RULE} fire/chat/src/presence.ts:2`,
      `${RULE} fire/chat/src/server.ts:11`,
      `${RULE} fire/chat/src/typing.ts:1`,
      `${RULE} fire/legacy/lib/counters.js:2`,
      `${RULE} fire/legacy/lib/events.js:4`,
      `${RULE} fire/legacy/lib/rates.js:3`,
      `${RULE} fire/legacy/lib/visitors.js:1`,
      `${RULE} fire/nest/src/drafts.controller.ts:3`,
      `${RULE} fire/one-time/src/columns.ts:1`,
      `${RULE} fire/one-time/src/columns.ts:2`,
      `${RULE} fire/one-time/src/monitors.ts:3`,
      `${RULE} fire/one-time/src/server.ts:6`,
      `${RULE} fire/one-time/src/server.ts:8`,
      `${RULE} fire/shop/src/middleware/stats.ts:4`,
      `${RULE} fire/shop/src/middleware/stats.ts:11`,
      `${RULE} fire/shop/src/routes/carts.ts:6`,
      `${RULE} fire/shop/src/routes/users.ts:8`,
      `${RULE} fire/shop/src/store/carts.ts:7`,
      `${RULE} fire/shop/src/users/repository.ts:6`,
      `${RULE} fire/wiki/shared/utils/dates.ts:1`,
    ]);
    const at = (file: string, line: number) => findings.find((f) => f.file === file && f.line === line)!;

    const carts = at('fire/shop/src/store/carts.ts', 7);
    assert.equal(
      carts.message,
      `"carts" (Map) is written from the cartsRouter.post('/') handler (../routes/carts.ts:8): each replica keeps its own carts and scale-in loses them`,
    );
    assert.equal(carts.column, 14);
    assert.match(carts.hint!, /move carts to Redis or the database/);
    // Mutations through `./store/index.js` (a re-export) and `@shop/store/carts` (a tsconfig path), three sites at most.
    assert.deepEqual(
      carts.related!.map((r) => `${r.file}:${r.line} ${r.message}`),
      [
        `fire/shop/src/routes/carts.ts:10 carts.set() in the cartsRouter.post('/') handler`,
        `fire/shop/src/routes/carts.ts:16 carts.delete() in the cartsRouter.post('/:id/checkout') handler`,
        `fire/shop/src/routes/users.ts:20 carts.delete() in the usersRouter.delete('/:id') handler`,
      ],
    );

    const orders = at('fire/shop/src/routes/carts.ts', 6);
    assert.match(orders.message, /^"ordersPlaced" \(let\) is incremented in the cartsRouter\.post\('\/:id\/checkout'\) handler \(line 14\): each replica counts on its own/);
    assert.match(orders.hint!, /INCR/);

    // Caches: an lru-cache instance, and a Map used only with get/set.
    assert.match(at('fire/shop/src/routes/users.ts', 8).message, /^"profiles" \(lru-cache\) is a module-level cache filled in .*each replica warms its own copy/);
    assert.match(at('fire/shop/src/users/repository.ts', 6).message, /^"byEmail" \(Map\) is a module-level cache filled in findByEmail\(\)/);
    assert.match(at('fire/shop/src/users/repository.ts', 6).hint!, /lru-cache with max and ttl/);
    assert.match(at('fire/legacy/lib/rates.js', 3).message, /^"rates" \(node-cache\) is a module-level cache filled in rate\(\)/);

    assert.match(at('fire/shop/src/middleware/stats.ts', 4).message, /^"RequestCounter\.total" \(static field\) is incremented in RequestCounter\.record\(\)/);
    assert.match(at('fire/shop/src/middleware/stats.ts', 11).message, /^"stats" \(object\) is written from the request handler requestStats\(\)/);
    assert.match(at('fire/legacy/lib/counters.js', 2).message, /^"exports\.hits" \(CommonJS export\) is incremented in the app\.use\(\) handler \(\.\.\/app\.js:8\)/);
    assert.deepEqual(at('fire/legacy/lib/counters.js', 2).related!.map((r) => r.message), ['counters.hits++ in the app.use() handler']);
    assert.match(at('fire/legacy/lib/visitors.js', 1).message, /^"visitors" \(Set\) is written from the app\.use\(\) handler \(\.\.\/app\.js:8\)/);
    assert.match(at('fire/legacy/lib/events.js', 4).message, /^"recent" \(array\) is written from the 'order' listener/);
    assert.match(at('fire/nest/src/drafts.controller.ts', 3).message, /^"drafts" \(object\) is written from the @Post\(':id'\) handler DraftsController\.save\(\)/);

    // The chat server: a theme added by a request, a method of the default-exported object called on every login
    // (no flag keeps it to the first), an instance method called from a socket listener (and once at start-up), a
    // function handed to `socket.on`, and tokens kept by a listener.
    assert.deepEqual(at('fire/chat/src/plugins/themes.ts', 6).related!.map((r) => `${r.file}:${r.line} ${r.message}`), ['fire/chat/src/plugins/themes.ts:9 themes.set() in addTheme()']);
    assert.match(at('fire/chat/src/plugins/auth.ts', 4).message, /^"auth" \(object\) is written from auth\.refresh\(\) \(line 7\)/);
    assert.match(at('fire/chat/src/presence.ts', 2).message, /^"Presence\.online" \(static Set\) is written from the Presence\.markOnline\(\) method \(line 4\)/);
    assert.match(at('fire/chat/src/typing.ts', 1).message, /^"typing" \(Set\) is written from noteTyping\(\) \(line 3\)/);
    assert.match(at('fire/chat/src/server.ts', 11).message, /^"uploadTokens" \(Map\) is a module-level cache filled in the 'upload:auth' listener \(line 31\)/);
    // The wiki server reaches a shared date helper (run-time code) and the editor's code-block plugin, which only
    // draws in the browser (prosemirror-view): the helper's cache is reported, the plugin's caches are not.
    assert.match(at('fire/wiki/shared/utils/dates.ts', 1).message, /^"separators" \(Map\) is a module-level cache filled in dateSeparator\(\)/);

    // What start-up code does once, also done on request: a Map under a key of a plain object, a function of a
    // top-level block, a decorator factory called by hand, a lazy singleton also made afresh, and the method
    // a method decorator puts in place (it runs on every call).
    assert.deepEqual(at('fire/one-time/src/server.ts', 6).related!.map((r) => r.message), ["caches.users.delete() in the app.delete('/users/:id') handler"]);
    assert.match(at('fire/one-time/src/server.ts', 8).message, /^"announced" \(let\) is reassigned in detect\(\) \(line 16\)/);
    assert.match(at('fire/one-time/src/columns.ts', 1).message, /^"handlers" \(Map\) is a module-level cache filled in the function that OnEvent\(\) returns \(line 5\)/);
    assert.deepEqual(at('fire/one-time/src/columns.ts', 2).related!.map((r) => `${r.line} ${r.message}`), ['15 breakers.set() in the function that Breaker() returns']);
    assert.match(at('fire/one-time/src/monitors.ts', 3).message, /^"Monitors\.types" \(static object\) is written from the Monitors constructor \(line 11\)/);
  });

  it('stays silent for start-up and lifecycle writes, registries filled at start-up, lazy clients, frozen and weak values, per-process bookkeeping, and code that never runs in a replica', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('tells a guarded lazy initialisation from a plain reassignment', async () => {
    const lazy = await project("let client: object | undefined;\nexport function get() {\n  if (!client) client = {};\n  return client;\n}\n");
    assert.deepEqual(where(lazy.findings), []);
    const plain = await project('let client: object | undefined;\nexport function get() {\n  client = {};\n  return client;\n}\n');
    assert.deepEqual(where(plain.findings), [`${RULE} src/state.ts:1`]);
    assert.match(plain.findings[0]!.message, /^"client" \(let\) is reassigned in get\(\)/);
    // A name with "cache" in it makes a container a cache, not a plain value: this one is reassigned.
    const named = await project('let cacheService: object | undefined;\nexport function use(s: object) {\n  cacheService = s;\n}\n');
    assert.match(named.findings[0]!.message, /^"cacheService" \(let\) is reassigned in use\(\)/);
  });

  it('calls counters and registries so, not caches', async () => {
    const state = [
      'const hits = new Map<string, number>();',
      'const cacheStats = { hits: 0, misses: 0 };',
      'const events = new Map<string, { name: string; successCount: number }>();',
      'const handlers = new Map<string, string>();',
      'const pages = new Map<string, string>();',
      'export function hit(path: string) {',
      '  hits.set(path, (hits.get(path) ?? 0) + 1);',
      '  cacheStats.hits++;',
      '  cacheStats.misses += 1;',
      "  events.set(path, { name: path, successCount: 0 });",
      '}',
      'export function registerHandler(topic: string, name: string) {',
      '  handlers.set(topic, name);',
      '}',
      'export function render(path: string) {',
      '  pages.set(path, `<h1>${path}</h1>`);',
      '}',
    ].join('\n');
    const server =
      "import express from 'express';\nimport { hit, registerHandler, render } from './state';\nconst app = express();\napp.post('/:topic', (req, res) => {\n  hit(req.path);\n  registerHandler(req.params.topic, String(req.query.name));\n  render(req.path);\n  res.end();\n});\nexport const server = app.listen(3000);\n";
    const { findings } = await lintFiles({ 'package.json': EXPRESS, 'src/server.ts': server, 'src/state.ts': state }, { rules: [RULE] });
    assert.deepEqual(
      findings.map((f) => `${f.line} ${f.message.replace(/: each replica.*/, '')} / ${f.hint}`),
      [
        '1 "hits" (Map) holds counters updated in hit() (line 6) / keep hits in Redis (INCR) or the database; for metrics, use a per-replica prom-client counter and sum across pods',
        '2 "cacheStats" (object) holds counters updated in hit() (line 6) / keep cacheStats in Redis (INCR) or the database; for metrics, use a per-replica prom-client counter and sum across pods',
        '3 "events" (Map) holds counters updated in hit() (line 6) / keep events in Redis (INCR) or the database; for metrics, use a per-replica prom-client counter and sum across pods',
        '4 "handlers" (Map) is a registry filled in registerHandler() (line 12) / if every replica registers the same entries, do it from start-up code; otherwise keep handlers in Redis or the database so every replica sees them',
        '5 "pages" (Map) is a module-level cache filled in render() (line 15) / if per-replica copies and stale reads are acceptable, bound it (lru-cache with max and ttl); otherwise keep pages in Redis so every replica reads the same values',
      ],
    );
    assert.match(findings[0]!.message, /: each replica counts on its own, so totals diverge and scale-in resets them$/);
    assert.match(findings[3]!.message, /: each replica holds only what was registered with it, so an entry registered through one replica is missing on the others$/);
  });

  it('takes a connection or browser reopened at run time as per-process plumbing, not data', async () => {
    const handles = await project(
      [
        "import { chromium } from 'playwright-core';",
        "import amqp from 'amqplib';",
        "import Redis from 'ioredis';",
        "import pg from 'pg';",
        "import { createClient } from 'redis';",
        'let browser: unknown = null;',
        'let cache: unknown;',
        'let page: any;',
        'let conn: any;',
        'let channel: any;',
        'let redis: Redis | undefined;',
        'let pool: pg.Pool | undefined;',
        'export async function remoteBrowser(url: string) {',
        '  browser = await chromium.connect(url);',
        '  return browser;',
        '}',
        'export async function reconnect() {',
        '  conn = await amqp.connect(process.env.AMQP_URL!);',
        '  channel = await conn.createChannel();',
        "  conn.on('close', () => setTimeout(reconnect, 1000));",
        '}',
        'const tenants = new Map<string, Redis>();',
        'export function tenant(name: string) {',
        '  tenants.set(name, new Redis(name));',
        '}',
        // Kept in a name first: an abort controller and a timer are this process's own.
        'const controllers = new Map<string, AbortController>();',
        'const timers = new Map<string, unknown>();',
        'export function track(id: string) {',
        '  const controller = new AbortController();',
        '  controllers.set(id, controller);',
        '  const t = setTimeout(() => controller.abort(), 1000);',
        '  timers.set(id, t);',
        '}',
        'export async function refresh(useRedis: boolean) {',
        '  redis = useRedis ? new Redis(process.env.REDIS_URL!) : undefined;',
        '  pool = new pg.Pool();',
        '  browser = null;',
        '  cache = createClient({ url: process.env.REDIS_URL });',
        '  page = await (browser as any).newPage();',
        '}',
      ].join('\n'),
    );
    assert.deepEqual(where(handles.findings), []);
    // The project's own connect() and a request's hand back data, whatever the method is called.
    const lookalikes = await project(
      [
        "import { stripeConnect } from './stripe';",
        'let account: unknown;',
        'let lastUser: unknown;',
        'export async function oauth(code: string) {',
        '  account = await stripeConnect.connect(code);',
        '}',
        'export async function login(req: any) {',
        '  lastUser = await req.session.connect();',
        '}',
      ].join('\n'),
      { 'src/stripe.ts': 'export const stripeConnect = { async connect(code: string) { return { id: code }; } };\n' },
    );
    assert.deepEqual(where(lookalikes.findings), [`${RULE} src/state.ts:2`, `${RULE} src/state.ts:3`]);
    // Data stays data, even next to a handle: `config` is fetched, `session` gets a request's body too.
    const data = await project(
      [
        "import { chromium } from 'playwright-core';",
        'let config: unknown;',
        'let session: unknown;',
        'export async function reload() {',
        '  config = await fetchConfig();',
        '}',
        'export async function open(url: string, body: unknown) {',
        '  session = await chromium.connect(url);',
        '  session = body;',
        '}',
        'declare function fetchConfig(): Promise<unknown>;',
      ].join('\n'),
    );
    assert.deepEqual(where(data.findings), [`${RULE} src/state.ts:2`, `${RULE} src/state.ts:3`]);
  });

  it('reports the container fields of a singleton (a NestJS provider, an instance the module exports) written at run time', async () => {
    const store = [
      "import { Injectable, Scope } from '@nestjs/common';",
      '@Injectable()',
      'export class NoteStore {',
      '  private notes = new Map<string, string>();',
      '  private readonly log: string[] = [];',
      '  private handlers = new Map<string, () => void>();',
      '  private seeded = new Set<string>();',
      '  private count = 0;',
      '  private sessions: Map<string, string>;',
      '  private names = new Set<string>();',
      '  constructor() {',
      "    this.seeded.add('welcome');",
      '    this.sessions = new Map();',
      "    ['a', 'b'].forEach((k) => this.names.add(k));",
      '  }',
      '  onModuleInit() { this.seeded.add(\'help\'); }',
      '  save(id: string, text: string) {',
      '    this.notes.set(id, text);',
      '    this.log.push(id);',
      '    this.count++;',
      '    this.sessions.set(id, text);',
      '  }',
      '  on(event: string, fn: () => void) { this.handlers.set(event, fn); }',
      '}',
      '@Injectable({ scope: Scope.REQUEST })',
      'export class RequestContext {',
      '  private seen = new Set<string>();',
      '  mark(id: string) { this.seen.add(id); }',
      '}',
      'export class Draft {',
      '  private lines: string[] = [];',
      '  add(line: string) { this.lines.push(line); }',
      '}',
    ].join('\n');
    const nestRun = await lintFiles(
      {
        ...nestApp(['@nestjs/common']),
        'src/app.module.ts': "import { NoteStore } from './note.store';\nexport class AppModule { store = NoteStore; }\n",
        'src/note.store.ts': store,
        // The controller the requests come through, with the store injected by type.
        'src/notes.controller.ts':
          "import { Body, Controller, Post } from '@nestjs/common';\nimport { NoteStore } from './note.store';\n@Controller('notes')\nexport class NotesController {\n  constructor(private readonly store: NoteStore) {}\n  @Post() save(@Body() b: { id: string; text: string }) { this.store.save(b.id, b.text); }\n}\n",
      },
      { rules: [RULE] },
    );
    // `count` is a scalar (only containers are read on instances); `handlers` keeps functions; `seeded`
    // and `names` are filled at start-up; `sessions` is made by the constructor and filled per request.
    assert.deepEqual(where(nestRun.findings), [`${RULE} src/note.store.ts:4`, `${RULE} src/note.store.ts:5`, `${RULE} src/note.store.ts:9`]);
    assert.match(nestRun.findings[0]!.message, /^"this\.notes" \(Map field of the NoteStore singleton\) is a per-process cache filled in the NoteStore\.save\(\) method \(line 17\)/);
    assert.match(nestRun.findings[1]!.message, /^"this\.log" \(array field of the NoteStore singleton\) is written from the NoteStore\.save\(\) method/);
    const registry = [
      'class Registry {',
      '  items: string[] = [];',
      '  add(x: string) { this.items.push(x); }',
      '}',
      'class Local {',
      '  items: string[] = [];',
      '  add(x: string) { this.items.push(x); }',
      '}',
      'export default new Registry();',
      'export function make() { return new Local(); }',
    ].join('\n');
    const server = (call: string) => `import express from 'express';\nimport registry, { make } from './state';\nconst app = express();\napp.post('/x', (req, res) => { ${call}; res.end(); });\nexport const server = app.listen(3000);\n`;
    const lint = (call: string) => lintFiles({ 'package.json': EXPRESS, 'src/server.ts': server(call), 'src/state.ts': registry }, { rules: [RULE] });
    assert.deepEqual(where((await lint("registry.add('x'); make().add('y')")).findings), [`${RULE} src/state.ts:2`]);
    // A method nobody is seen calling (reached through an interface or a factory) is no evidence: silent.
    assert.deepEqual(where((await lint("make().add('y')")).findings), []);
  });

  it('tells singletons from classes with an instance per request or per caller', async () => {
    const providers = [
      "import { Controller, Get, Inject, Injectable, Scope } from '@nestjs/common';",
      "import { REQUEST } from '@nestjs/core';",
      '@Injectable({ scope: Scope.REQUEST })',
      'export class RequestContext { user?: string }',
      "@Controller('audit')",
      'export class AuditController {',
      '  private trail: string[] = [];',
      '  constructor(private readonly ctx: RequestContext) {}',
      "  @Get() record() { this.trail.push(this.ctx.user ?? ''); }",
      '}',
      '@Injectable()',
      'export class RequestLog {',
      '  private lines: string[] = [];',
      '  constructor(@Inject(REQUEST) private readonly req: unknown) {}',
      "  add() { this.lines.push('x'); }",
      '}',
      'const scope = Scope.TRANSIENT;',
      '@Injectable({ scope })',
      'export class PerConsumer {',
      '  private seen = new Set<string>();',
      '  mark(id: string) { this.seen.add(id); }',
      '}',
      '@Injectable()',
      'export class Roles {',
      '  private roles = new Map<string, string[]>();',
      '  onModuleInit() { this.seed(); }',
      "  private seed() { this.roles.set('admin', ['*']); }",
      '}',
    ].join('\n');
    const run = await lintFiles({ ...nestApp(['@nestjs/common']), 'src/providers.ts': providers }, { rules: [RULE] });
    assert.deepEqual(where(run.findings), []);
    // A module's own instance, called at start-up here and in the server, and at run time only in the second project.
    const registry = "class Registry {\n  private plugins: string[] = [];\n  add(p: string) { this.plugins.push(p); }\n}\nexport const registry = new Registry();\nregistry.add('core');\n";
    const serverWith = (call: string) => `import express from 'express';\nimport { registry } from './state';\nconst app = express();\n${call}\nexport const server = app.listen(3000);\n`;
    const atStart = await lintFiles({ 'package.json': EXPRESS, 'src/server.ts': serverWith("registry.add('auth');"), 'src/state.ts': registry }, { rules: [RULE] });
    assert.deepEqual(where(atStart.findings), []);
    const perRequest = await lintFiles({ 'package.json': EXPRESS, 'src/server.ts': serverWith("app.post('/plugins', (req, res) => { registry.add(req.body.name); res.end(); });"), 'src/state.ts': registry }, { rules: [RULE] });
    assert.deepEqual(where(perRequest.findings), [`${RULE} src/state.ts:2`]);
    // An exported class may be made anywhere (a cart per request): one exported instance does not make it a singleton.
    const cart = await project("export class Cart {\n  private lines: string[] = [];\n  add(l: string) { this.lines.push(l); }\n}\nexport const EMPTY_CART = new Cart();\n");
    assert.deepEqual(where(cart.findings), []);
    // CommonJS: the instance kept in a name, or in an exported object.
    const cjs = await lintFiles(
      {
        'package.json': EXPRESS,
        'server.js': "const express = require('express');\nconst store = require('./store');\nconst { queue } = require('./queue');\nconst app = express();\napp.post('/x', (req, res) => { store.put(req.body); queue.push(req.body); res.end(); });\napp.listen(3000);\n",
        'store.js': 'class Store {\n  constructor() { this.items = []; }\n  put(x) { this.items.push(x); }\n}\nconst store = new Store();\nmodule.exports = store;\n',
        'queue.js': 'class Queue {\n  constructor() { this.jobs = []; }\n  push(j) { this.jobs.push(j); }\n}\nmodule.exports = { queue: new Queue() };\n',
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(cjs.findings), [`${RULE} queue.js:2`, `${RULE} store.js:2`]);
    // Declared to hold promises, set and deleted again: a queue of work per key. Never deleted, a cache of results.
    const chains = await project(
      [
        'class Channels {',
        '  private chains: Map<string, Promise<void>>;',
        '  constructor() { this.chains = new Map(); }',
        '  enqueue(ch: string, task: () => Promise<void>) {',
        '    const pc = (this.chains.get(ch) ?? Promise.resolve()).then(task);',
        '    this.chains.set(ch, pc);',
        '    void pc.then(() => { if (this.chains.get(ch) === pc) this.chains.delete(ch); });',
        '  }',
        '}',
        'export const channels = new Channels();',
        'const results: Map<string, Promise<number>> = new Map();',
        'export function compute(k: string) {',
        '  const r = Promise.resolve(k.length);',
        '  results.set(k, r);',
        '  return r;',
        '}',
        // Typed by its constructor, and dropped when settled: in flight. Dropped only on failure: a cache of results.
        'const inflight = new Map<string, Promise<number>>();',
        'export function load(k: string) {',
        '  const p = Promise.resolve(k.length);',
        '  inflight.set(k, p);',
        '  void p.finally(() => inflight.delete(k));',
        '  return p;',
        '}',
        'const users = new Map<string, Promise<number>>();',
        'export function user(id: string) {',
        '  const p = Promise.resolve(id.length);',
        '  users.set(id, p);',
        '  p.catch(() => users.delete(id));',
        '  return p;',
        '}',
      ].join('\n'),
    );
    assert.deepEqual(where(chains.findings), [`${RULE} src/state.ts:11`, `${RULE} src/state.ts:24`]);
  });

  it('follows singletons across modules: injected providers, request scope, exported instances and writes from outside', async () => {
    const files = {
      ...nestApp(['@nestjs/common', '@nestjs/graphql', '@nestjs/websockets']),
      // A resolver's and a gateway's arguments are a type and a port, not options.
      'src/resolvers.ts':
        "import { Resolver, Mutation } from '@nestjs/graphql';\nimport { WebSocketGateway, SubscribeMessage } from '@nestjs/websockets';\nclass User {}\n@Resolver(() => User)\nexport class UserResolver {\n  private seen: string[] = [];\n  @Mutation(() => User) add(id: string) { this.seen.push(id); return new User(); }\n}\n@WebSocketGateway(3001, { namespace: 'chat' })\nexport class ChatGateway {\n  private said: string[] = [];\n  @SubscribeMessage('say') say(text: string) { this.said.push(text); }\n}\n",
      // Filled only at start-up, by another provider's onModuleInit through DI.
      'src/registry.ts': "import { Injectable } from '@nestjs/common';\n@Injectable()\nexport class Registry {\n  private kinds: string[] = [];\n  add(k: string) { this.kinds.push(k); }\n}\n",
      'src/boot.ts': "import { Injectable } from '@nestjs/common';\nimport { Registry } from './registry';\n@Injectable()\nexport class Boot {\n  constructor(private readonly registry: Registry) {}\n  onModuleInit() { this.registry.add('a'); }\n}\n",
      // Request-scoped through a provider of another module, through property injection, and through an aliased token.
      'src/ctx.ts': "import { Injectable, Scope } from '@nestjs/common';\n@Injectable({ scope: Scope.REQUEST })\nexport class Ctx { user = 'x'; }\n",
      'src/audit.ts':
        "import { Inject, Injectable } from '@nestjs/common';\nimport { REQUEST as REQ } from '@nestjs/core';\nimport { Ctx } from './ctx';\n@Injectable()\nexport class Audit {\n  private trail: string[] = [];\n  constructor(private readonly ctx: Ctx) {}\n  record() { this.trail.push(this.ctx.user); }\n}\n@Injectable()\nexport class Tracker {\n  @Inject(REQ) private readonly request: any;\n  private seen: string[] = [];\n  mark() { this.seen.push(this.request.id); }\n}\n@Injectable()\nexport class Tagger {\n  private tags: string[] = [];\n  constructor(@Inject(REQ) private readonly req: any) {}\n  tag() { this.tags.push(this.req.id); }\n}\n",
    };
    // A transient logger is made per consumer, and that scope does not bubble up: the notes service stays one per process.
    Object.assign(files, {
      'src/logger.ts': "import { Injectable, Scope } from '@nestjs/common';\n@Injectable({ scope: Scope.TRANSIENT })\nexport class Logger { log(m: string) { return m; } }\n",
      'src/notes.ts': "import { Injectable } from '@nestjs/common';\nimport { Logger } from './logger';\n@Injectable()\nexport class Notes {\n  private notes = new Map<string, string>();\n  constructor(private readonly logger: Logger) {}\n  save(id: string, t: string) { this.notes.set(id, t); this.notes.delete('x'); }\n}\n",
      'src/notes.controller.ts': "import { Controller, Post } from '@nestjs/common';\nimport { Notes } from './notes';\n@Controller('notes')\nexport class NotesController {\n  constructor(private readonly notes: Notes) {}\n  @Post() save() { this.notes.save('a', 'b'); }\n}\n",
    });
    assert.deepEqual(where((await lintFiles(files, { rules: [RULE] })).findings), [`${RULE} src/notes.ts:5`, `${RULE} src/resolvers.ts:6`, `${RULE} src/resolvers.ts:11`]);
    // CommonJS: an instance exported as the module, called at start-up; another written from outside its class.
    const cjs = await lintFiles(
      {
        'package.json': EXPRESS,
        'server.js':
          "const express = require('express');\nconst a = require('./a');\nconst { registry } = require('./registry');\na.add('boot');\nconst app = express();\napp.post('/x', (req, res) => { registry.byId.set(req.body.id, req.body); res.end(); });\napp.listen(3000);\n",
        'a.js': 'class A {\n  constructor() { this.items = []; }\n  add(x) { this.items.push(x); }\n}\nmodule.exports = new A();\n',
        'registry.js': "class Registry {\n  constructor() { this.byId = new Map(); this.items = []; }\n}\nconst registry = new Registry();\nfunction handle(x) { registry.items.push(x); }\nmodule.exports = { registry, handle };\n",
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(cjs.findings), [`${RULE} registry.js:2`, `${RULE} registry.js:2`]);
    assert.deepEqual(cjs.findings.map((f) => f.message.slice(0, f.message.indexOf(')') + 1)), ['"this.byId" (Map field of the Registry singleton)', '"this.items" (array field of the Registry singleton)']);
  });

  it('follows a CQRS handler, which Nest calls by its execute(), to the provider it injects', async () => {
    const publisher = "import { Injectable } from '@nestjs/common';\n@Injectable()\nexport class Publisher {\n  private sessions = new Map<number, string>();\n  subscribe(user: number) { this.sessions.set(user, 'open'); }\n}\n";
    const handler = "import { QueryHandler } from '@nestjs/cqrs';\nimport { Publisher } from './util';\n@QueryHandler(Object)\nexport class SubscribeHandler {\n  constructor(private readonly publisher: Publisher) {}\n  async execute(q: { user: number }) { this.publisher.subscribe(q.user); }\n}\n";
    const { findings } = await lintFiles(
      { ...nestApp(['@nestjs/common', '@nestjs/cqrs']), 'src/util/publisher.ts': publisher, 'src/util/index.ts': "export * from './publisher';\n", 'src/handler.ts': handler },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} src/util/publisher.ts:4`]);
  });

  it('takes what a decorator factory returns as start-up code when the factory is only used as a decorator', async () => {
    const state = [
      'const columns = new Map<object, string[]>();',
      'let hits = 0;',
      'export function Money() {',
      '  return (target: object, key: string) => {',
      '    columns.set(target, [key]);',
      '  };',
      '}',
      'export const Id = () => (target: object, key: string) => {',
      '  columns.set(target, [key]);',
      '};',
      'export function counter() {',
      '  return () => {',
      '    hits++;',
      '  };',
      '}',
    ].join('\n');
    const entity = "import { Money, Id } from './state';\nexport class Order {\n  @Money() total = 0;\n  @Id() id = 1;\n}\n";
    const server = "import express from 'express';\nimport './entity';\nimport { counter } from './state';\nconst app = express();\napp.get('/x', (req, res) => { counter()(); res.end(); });\nexport const server = app.listen(3000);\n";
    const { findings } = await lintFiles({ 'package.json': EXPRESS, 'src/server.ts': server, 'src/state.ts': state, 'src/entity.ts': entity }, { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} src/state.ts:2`]);
    assert.match(findings[0]!.message, /is incremented in the function that counter\(\) returns \(line 12\)/);
  });

  it("takes a method known only by its name as start-up code when the name says it sets up (a strategy's init(injector))", async () => {
    const strategy = [
      "import { Strategy } from './strategy';",
      'let connection: unknown;',
      'let runs: unknown;',
      'export const duplicator = new Strategy({',
      '  init(injector: { get(x: string): unknown }) {',
      "    connection = injector.get('Connection');",
      '  },',
      '  process(input: unknown) {',
      '    runs = input;',
      '  },',
      '});',
    ].join('\n');
    // Some request handler calls another object's init() and process(): by name, both match.
    const server = "import express from 'express';\nimport './state';\nconst app = express();\napp.post('/x', (req, res) => { req.body.widget.init(); req.body.widget.process(1); res.end(); });\nexport const server = app.listen(3000);\n";
    const { findings } = await lintFiles({ 'package.json': EXPRESS, 'src/server.ts': server, 'src/state.ts': strategy, 'src/strategy.ts': 'export class Strategy { constructor(readonly o: object) {} }\n' }, { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} src/state.ts:3`]);
  });

  it('counts a function as start-up code only when every call site is start-up code', async () => {
    const state = 'export const seen = new Set<string>();\nexport function remember(id: string) {\n  seen.add(id);\n}\n';
    const startup = await project(state, { 'src/boot.ts': "import { remember } from './state';\nremember('boot');\n" });
    assert.deepEqual(where(startup.findings), []);
    const handler = await project(state, {
      'src/boot.ts': "import { remember } from './state';\nremember('boot');\nexport const h = (req: unknown, res: unknown) => remember(String(req));\n",
    });
    assert.deepEqual(where(handler.findings), [`${RULE} src/state.ts:1`]);
    assert.match(handler.findings[0]!.message, /written from remember\(\) \(line 2\)/);
  });

  it('ignores writes to a shadowing local and reassignments of ESM imports (read-only)', async () => {
    const { findings } = await project('export let total = 0;\nexport const items: string[] = [];\nexport function f(items: string[]) {\n  items.push("x");\n}\n', {
      'src/user.ts': "import * as s from './state';\nexport function g() {\n  // @ts-expect-error read-only\n  s.total++;\n}\n",
    });
    assert.deepEqual(where(findings), []);
  });

  it('keeps a boolean flag silent when events flip it, but not when a request handler does', async () => {
    const flag = "let maintenance = false;\nexport const on = (emitter: NodeJS.EventEmitter) => emitter.on('down', () => {\n  maintenance = true;\n});\n";
    assert.deepEqual(where((await project(flag)).findings), []);
    const admin = await project("let maintenance = false;\nexport const toggle = (req: unknown, res: unknown) => {\n  maintenance = true;\n};\n");
    assert.deepEqual(where(admin.findings), [`${RULE} src/state.ts:1`]);
    assert.match(admin.findings[0]!.message, /in the request handler toggle\(\)/);
  });

  it('takes a function nobody calls as start-up code only when its name says it initialises', async () => {
    const setter = await project('let logger: unknown = console;\nexport function setLogger(l: unknown) {\n  logger = l;\n}\n');
    assert.deepEqual(where(setter.findings), []);
    const other = await project('let logger: unknown = console;\nexport function swapLogger(l: unknown) {\n  logger = l;\n}\n');
    assert.deepEqual(where(other.findings), [`${RULE} src/state.ts:1`]);
    // Server hooks a plugin system calls by name: they create the server, once per (re)start.
    const hooks = "import http from 'node:http';\nlet server: unknown;\nlet name = '';\nexport function restartServer() {\n  server = http.createServer();\n}\nexport const expressCreateServer = (hook: string, args: { name: string }) => {\n  name = args.name;\n};\n";
    assert.deepEqual(where((await project(hooks)).findings), []);
    const renamed = await project(hooks.replace('restartServer', 'replaceServer'));
    assert.deepEqual(where(renamed.findings), [`${RULE} src/state.ts:2`]);
  });

  it('follows a constructor to the `new` that runs it', async () => {
    const registry = 'export const seen: object[] = [];\nexport class Env {\n  constructor() {\n    seen.push(this);\n  }\n}\n';
    assert.deepEqual(where((await project(`${registry}export default new Env();\n`)).findings), []);
    const perRequest = await project(`${registry}export const h = (req: unknown, res: unknown) => new Env();\n`);
    assert.deepEqual(where(perRequest.findings), [`${RULE} src/state.ts:1`]);
    assert.match(perRequest.findings[0]!.message, /written from the Env constructor \(line 3\)/);
  });

  it('ignores writes in functions that only tests, specs and scripts call, but not when the service calls them too', async () => {
    const state = 'let verbose = false;\nexport function quiet() {}\nquiet.toggle = () => {\n  verbose = !verbose;\n};\n';
    const tests = await project(state, { 'spec/helper.ts': "import { quiet } from '../src/state';\nquiet.toggle();\n" });
    assert.deepEqual(where(tests.findings), []);
    const served = await project(state, { 'spec/helper.ts': "import { quiet } from '../src/state';\nquiet.toggle();\n", 'src/admin.ts': "import { quiet } from './state';\nexport const h = (req: unknown, res: unknown) => quiet.toggle();\n" });
    assert.deepEqual(where(served.findings), [`${RULE} src/state.ts:1`]);
    assert.match(served.findings[0]!.message, /reassigned in quiet\.toggle\(\)/);
  });

  it('leaves out the browser code a server hands out (public/, static/) and a test suite in test.js, unless the server imports them', async () => {
    const app = "const express = require('express');\nconst app = express();\napp.use(express.static('public'));\napp.listen(3000);\n";
    const browser = "let user;\n$('#signin').submit(() => {\n  user = $('#name').val();\n});\n";
    const suite = "const request = require('supertest')(require('./app'));\nlet token;\ndescribe('csrf', () => {\n  it('gets a token', () => request.get('/token').end((err, res) => {\n    token = res.text;\n  }));\n});\n";
    const files = { 'package.json': EXPRESS, 'app.js': app, 'public/index.js': browser, 'static/js/menu.js': browser, 'test.js': suite };
    assert.deepEqual(where((await lintFiles(files, { rules: [RULE] })).findings), []);
    // Imported by the server, a file there runs in the replica like any other.
    const shared = { ...files, 'app.js': `require('./public/index.js');\n${app}` };
    assert.deepEqual(where((await lintFiles(shared, { rules: [RULE] })).findings), [`${RULE} public/index.js:1`]);
    // A server started from such a folder is still a server, and a route module named test.js (no test library) is runtime code.
    const hits = "const hits = {};\nmodule.exports = require('express').Router().post('/hit', (req, res) => { hits[req.body.id] = 1; res.end(); });\n";
    const loader = "const fs = require('fs');\nconst app = require('express')();\nfor (const f of fs.readdirSync(__dirname + '/routes')) app.use(require('./routes/' + f));\napp.listen(8080);\n";
    const served = await lintFiles({ 'package.json': EXPRESS, 'src/public/server.js': loader, 'src/public/routes/test.js': hits }, { rules: [RULE] });
    assert.deepEqual(where(served.findings), [`${RULE} src/public/routes/test.js:1`]);
  });

  it('sees a lazy guard nested in another condition, and `x = require(...)` as the same module each time', async () => {
    const { findings } = await project(
      "let html: string | undefined;\nlet zlib: unknown;\nexport async function page() {\n  if (process.env.PROD) {\n    if (html) return html;\n  }\n  zlib = require('zlib');\n  return (html = 'x');\n}\n",
    );
    assert.deepEqual(where(findings), []);
  });

  it('survives modules that import a name from each other and export it again', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': EXPRESS,
        'src/a.ts': "import { items } from './b';\nexport { items };\n",
        'src/b.ts': "import { items } from './a';\nexport { items };\n",
        'src/server.ts':
          "import express from 'express';\nimport { items } from './a';\nconst hits = new Map<string, number>();\nconst app = express();\napp.get('/x', (req, res) => {\n  items.push(req.path);\n  hits.set(req.path, 1);\n  res.end();\n});\napp.listen(3000);\n",
      },
      { rules: [RULE, 'unbounded-timer'] },
    );
    assert.deepEqual(where(findings), [`${RULE} src/server.ts:3`]);
  });

  it('follows a name through a chain of thousands of modules that import it and export it again', async () => {
    const files: Record<string, string> = { 'package.json': EXPRESS };
    const n = 3000;
    for (let i = 0; i < n - 1; i++) {
      files[`src/chain/m${i}.ts`] = i % 3 === 2 ? `export { store } from './m${i + 1}';\n` : `import { store } from './m${i + 1}';\nexport { store };\n`;
    }
    files[`src/chain/m${n - 1}.ts`] = 'export const store = new Map<string, number>();\n';
    files['src/server.ts'] = "import express from 'express';\nimport { store } from './chain/m0';\nconst app = express();\napp.post('/x', (req, res) => {\n  store.set(String(req.body.k), 1);\n  res.end();\n});\napp.listen(3000);\n";
    const { findings } = await lintFiles(files, { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} src/chain/m${n - 1}.ts:1`]);
  });

  it('survives odd code and an unreadable tsconfig without crashing', async () => {
    const odd = [
      "import cron from 'node-cron';",
      "import session from 'express-session';",
      'let a, { b } = { b: 1 }, [c] = [2];',
      'exports = module.exports = function () {};',
      'module.exports.x = module.exports.y = 3;',
      'class K { static [Symbol.iterator] = 1; static z; static { K.z = 1; } }',
      'const m = new Map();',
      '[a, b] = [b, a];',
      'export function f(this: unknown, ...rest: unknown[]) {',
      '  ({ a } = { a: 1 });',
      '  m[`k${rest.length}`] = 1;',
      '  delete (m as any)[0];',
      '  (K as any)["z"]++;',
      '  setInterval();',
      '  setTimeout(undefined as never);',
      '  cron.schedule();',
      '  session();',
      '  return new (require("socket.io").Server)();',
      '}',
      'export default class {}',
    ].join('\n');
    const { findings } = await lintFiles(
      { 'package.json': EXPRESS, 'tsconfig.json': '{ "compilerOptions": { "paths": { "@/*": 3 }, // broken\n', 'src/server.ts': SERVER, 'src/state.ts': odd },
      { rules: [RULE, 'in-memory-store', 'unbounded-timer', 'in-process-scheduler'] },
    );
    assert.ok(findings.some((f) => f.ruleId === 'in-memory-store'));
    assert.ok(findings.some((f) => f.ruleId === 'in-process-scheduler'));
  });

  it('takes the function that starts the server as start-up code, and the constructor of a class whose method does', async () => {
    const server = "import express from 'express';\nlet settings = { dev: false };\nexport default function (opts: { dev: boolean }) {\n  settings = opts;\n  express().listen(3000);\n}\n";
    assert.deepEqual(where((await lintFiles({ 'package.json': EXPRESS, 'src/server.ts': server }, { rules: [RULE] })).findings), []);
    const apply = await lintFiles({ 'package.json': EXPRESS, 'src/server.ts': server.replace('  settings = opts;\n', '') + 'export function apply(opts: { dev: boolean }) {\n  settings = opts;\n}\n' }, { rules: [RULE] });
    assert.deepEqual(where(apply.findings), [`${RULE} src/server.ts:2`]);

    const logger = "let logger: unknown = console;\nexport function setLogger(l: unknown) {\n  logger = l;\n}\n";
    const cls = (body: string) =>
      `import express from 'express';\nimport { setLogger } from './logger';\nexport class ApiServer {\n  app = express();\n  constructor(opts: { logger: unknown }) {\n    setLogger(opts.logger);\n  }\n  start() {\n    ${body}\n  }\n}\nexport const createServer = (opts: { logger: unknown }) => new ApiServer(opts);\n`;
    const listening = await lintFiles({ 'package.json': EXPRESS, 'src/logger.ts': logger, 'src/api-server.ts': cls('this.app.listen(3000);'), 'src/main.ts': "import { createServer } from './api-server';\ncreateServer({ logger: console }).start();\nexpress().listen(1);\nimport express from 'express';\n" }, { rules: [RULE] });
    assert.deepEqual(where(listening.findings), []);
    // Without the listening method, and with a name that does not say it creates the server, buildApi() is a function like any other: nothing says it runs once.
    const plain = await lintFiles({ 'package.json': EXPRESS, 'src/logger.ts': logger, 'src/api-server.ts': cls('return this.app;').replace('createServer', 'buildApi'), 'src/main.ts': "import express from 'express';\nexpress().listen(1);\n" }, { rules: [RULE] });
    assert.deepEqual(where(plain.findings), [`${RULE} src/logger.ts:1`]);
  });

  it('follows methods: of module-level objects, of a class through `this` and `new`, and of any instance by name', async () => {
    const host = "export const installed: string[] = [];\nexport class PluginHost {\n  loadPlugins(names: string[]) {\n    for (const n of names) installed.push(n);\n  }\n}\n";
    const boot = "import { PluginHost } from './host';\nexport const host = new PluginHost();\nhost.loadPlugins(['emoji']);\nnew PluginHost().loadPlugins(['giphy']);\n";
    const atBoot = await project(host, { 'src/host.ts': host, 'src/boot.ts': boot, 'src/state.ts': "import './boot';\n" });
    assert.deepEqual(where(atBoot.findings), []);
    const perRequest = await project("import './boot';\n", {
      'src/host.ts': host,
      'src/boot.ts': `${boot}export const install = (req: { body: string[] }, res: unknown) => host.loadPlugins(req.body);\n`,
    });
    assert.deepEqual(where(perRequest.findings), [`${RULE} src/host.ts:1`]);
    assert.match(perRequest.findings[0]!.message, /^"installed" \(array\) is written from the PluginHost\.loadPlugins\(\) method \(line 3\)/);

    // A method added to a library's prototype, called on an instance another module exports.
    const cli = "import { Command } from 'commander';\nlet definitions: object = {};\n(Command.prototype as any).loadDefinitions = function (defs: object) {\n  definitions = defs;\n};\nexport default new Command();\n";
    const once = await project("import program from './cli';\n(program as any).loadDefinitions({ port: 1 });\n", { 'src/cli.ts': cli });
    assert.deepEqual(where(once.findings), []);
    const again = await project("import program from './cli';\nexport const h = (req: { body: object }, res: unknown) => (program as any).loadDefinitions(req.body);\n", { 'src/cli.ts': cli });
    assert.deepEqual(where(again.findings), [`${RULE} src/cli.ts:2`]);
  });

  it('counts a function passed as an argument as called where the callee runs it', async () => {
    const state = 'export const seen = new Set<string>();\nexport function remember(id: string) {\n  seen.add(id);\n}\n';
    const inline = await project(state, { 'src/boot.ts': "import { remember } from './state';\n['a', 'b'].forEach(remember);\nPromise.resolve('c').then(remember).finally(() => undefined);\n" });
    assert.deepEqual(where(inline.findings), []);
    const listener = await project(state, { 'src/boot.ts': "import { EventEmitter } from 'node:events';\nimport { remember } from './state';\nexport const bus = new EventEmitter();\nbus.on('visit', remember);\n" });
    assert.deepEqual(where(listener.findings), [`${RULE} src/state.ts:1`]);
    const bound = await project(state, { 'src/boot.ts': "import { remember } from './state';\nexport const api = (req: unknown, res: unknown) => ({ remember: remember.bind(null) });\n" });
    assert.deepEqual(where(bound.findings), [`${RULE} src/state.ts:1`]);
  });

  it('takes a registry reloaded by a file watcher or another event as run-time state (each replica reloads on its own)', async () => {
    const registry = (wire: string) =>
      `import fs from 'node:fs';\nimport { EventEmitter } from 'node:events';\nimport debounce from 'lodash/debounce';\nconst plugins = new Map<string, object>();\nfunction reload() {\n  plugins.set('x', {});\n}\nexport const bus = new EventEmitter();\n${wire}\n`;
    const once = await project(registry('reload();'));
    assert.deepEqual(where(once.findings), []);
    const watched = await project(registry("reload();\nfs.watch('/etc/app/plugins.json', debounce(reload, 500));\nfs.watchFile('/etc/app/plugins.json', () => reload());"));
    assert.deepEqual(where(watched.findings), [`${RULE} src/state.ts:4`]);
    const evented = await project(registry("reload();\nbus.on('plugins:changed', debounce(reload, 500));"));
    assert.deepEqual(where(evented.findings), [`${RULE} src/state.ts:4`]);
  });

  it('keeps to the first call a method that returns early on a property flag it sets', async () => {
    const auth = (guard: string) =>
      `export const auth = {\n  initialized: false,\n  provider: 'none',\n  async initialize() {\n${guard}    for (const p of ['ldap', 'local']) {\n      if (process.env[p]) {\n        auth.initialized = true;\n        auth.provider = p;\n      }\n    }\n  },\n};\nexport const login = async (req: unknown, res: unknown) => auth.initialize();\n`;
    assert.deepEqual(where((await project(auth('    if (auth.initialized) {\n      return;\n    }\n'))).findings), []);
    assert.deepEqual(where((await project(auth(''))).findings), [`${RULE} src/state.ts:1`]);
  });

  it('leaves out hook slots typed as functions, but not other static fields', async () => {
    const query = (field: string) =>
      `type Tracer = (run: () => Promise<unknown>) => Promise<unknown>;\nexport class Query {\n  ${field};\n  static instrument(t: any) {\n    Query.last = t;\n  }\n}\nexport const h = (req: unknown, res: unknown) => Query.instrument(req);\n`;
    assert.deepEqual(where((await project(query('static last?: Tracer'))).findings), []);
    assert.deepEqual(where((await project(query('static last?: (run: () => void) => void'))).findings), []);
    assert.deepEqual(where((await project(query('static last?: string'))).findings), [`${RULE} src/state.ts:3`]);
  });

  it('follows a class shared through `global` and a barrel whose first module has a default export', async () => {
    const files = (route: string) => ({
      'package.json': '{"name":"shop","workspaces":["packages/*"]}',
      'packages/core/package.json': '{"name":"@shop/core","main":"dist/index.js"}',
      'packages/core/src/index.ts': "export * from './defaults';\nexport * from './registry';\n",
      'packages/core/src/defaults.ts': "const DEFAULTS = ['cart'];\nexport default DEFAULTS;\n",
      'packages/core/src/registry.ts':
        'class Registry {\n  static modules = new Map<string, object>();\n  static add(name: string) {\n    Registry.modules.set(name, {});\n  }\n}\nglobal.Registry ??= Registry;\nconst Shared = global.Registry;\nexport { Shared as Registry };\n',
      'packages/api/package.json': '{"name":"@shop/api","dependencies":{"@shop/core":"1.0.0","express":"^4"}}',
      'packages/api/src/main.ts': `import express from 'express';\nimport { Registry } from '@shop/core';\nconst app = express();\n${route}\napp.listen(3000);\n`,
    });
    assert.deepEqual(where((await lintFiles(files("Registry.add('cart');"), { rules: [RULE] })).findings), []);
    const served = await lintFiles(files("app.post('/modules/:name', (req, res) => res.json(Registry.add(req.params.name)));"), { rules: [RULE] });
    assert.deepEqual(where(served.findings), [`${RULE} packages/core/src/registry.ts:2`]);
    assert.match(served.findings[0]!.message, /filled in Registry\.add\(\) \(line 3\)/);
  });

  it('ignores the calls of test packages and of the other commands of a CLI whose start command is the server', async () => {
    const core = "export const loaded: string[] = [];\nexport function loadModules(names: string[]) {\n  loaded.push(...names);\n}\n";
    const user = "import express from 'express';\nimport { loadModules } from '@acme/core';\nexport function serve() {\n  express().use((req, res, next) => { loadModules([req.path]); next(); }).listen(0);\n}\n";
    const files = (pkg: string) => ({
      'package.json': '{"name":"acme","workspaces":["packages/*"]}',
      'packages/core/package.json': '{"name":"@acme/core","main":"src/index.ts"}',
      'packages/core/src/index.ts': core,
      'packages/api/package.json': '{"name":"@acme/api","dependencies":{"express":"^4"}}',
      'packages/api/src/commands/start.ts': "import express from 'express';\nimport { loadModules } from '@acme/core';\nasync function start() {\n  loadModules(['cart']);\n  express().listen(9000);\n}\nexport default start;\n",
      'packages/api/src/commands/seed.ts': "import { loadModules } from '@acme/core';\nexport default async function seed() {\n  loadModules(['fixtures']);\n}\n",
      [`packages/${pkg}/package.json`]: `{"name":"@acme/${pkg}","dependencies":{"express":"^4"}}`,
      [`packages/${pkg}/src/runner.ts`]: user,
    });
    assert.deepEqual(where((await lintFiles(files('test-utils'), { rules: [RULE] })).findings), []);
    assert.deepEqual(where((await lintFiles(files('gateway'), { rules: [RULE] })).findings), [`${RULE} packages/core/src/index.ts:1`]);
    // A package named for testing that builds an image for the cluster is a service (an A/B testing service): its calls count.
    const abTesting = { ...files('ab-testing'), 'packages/ab-testing/Dockerfile': 'FROM node:20-slim\nCMD ["node", "dist/runner.js"]\n' };
    assert.deepEqual(where((await lintFiles(files('ab-testing'), { rules: [RULE] })).findings), []);
    assert.deepEqual(where((await lintFiles(abTesting, { rules: [RULE] })).findings), [`${RULE} packages/core/src/index.ts:1`]);
    // A module next to the command that exports no command runs in the server's process: its calls count.
    const helper = files('test-utils');
    helper['packages/api/src/commands/seed.ts'] = "import { loadModules } from '@acme/core';\nexport async function seed() {\n  loadModules(['fixtures']);\n}\n";
    assert.deepEqual(where((await lintFiles(helper, { rules: [RULE] })).findings), [`${RULE} packages/core/src/index.ts:1`]);
  });

  it('follows a call chain of thousands of functions to the request that starts it', async () => {
    const n = 3000;
    const fns = Array.from({ length: n }, (_, i) => `function load${i}(k: string) { ${i + 1 < n ? `load${i + 1}(k);` : 'cache.set(k, 1);'} }`);
    const server = `import express from 'express';\nconst cache = new Map<string, number>();\n${fns.join('\n')}\nconst app = express();\napp.get('/x', (req, res) => {\n  load0(req.path);\n  res.end();\n});\napp.listen(3000);\n`;
    const { findings } = await lintFiles({ 'package.json': EXPRESS, 'src/server.ts': server }, { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} src/server.ts:2`]);
    assert.match(findings[0]!.message, new RegExp(`^"cache" \\(Map\\) is a module-level cache filled in load${n - 1}\\(\\) \\(line ${n + 2}\\):`));
  });

  it("finds the demo shop's carts, order counter and price cache", async () => {
    const { findings } = await lintDir(`${FIXTURES}/demo`, { rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} services/checkout/src/cart-store.ts:7`,
      `${RULE} services/checkout/src/prices.ts:3`,
      `${RULE} services/checkout/src/routes/carts.ts:7`,
    ]);
  });

  it('is silent without a server: a library holds no replica state until a service runs it', async () => {
    const lib = "const counts = {};\nexports.count = function count(name) {\n  counts[name] = (counts[name] || 0) + 1;\n};\n";
    assert.deepEqual(where((await lintFiles({ 'package.json': '{"name":"lib"}', 'index.js': lib }, { rules: [RULE] })).findings), []);
    const served = await lintFiles({ 'package.json': EXPRESS, 'index.js': lib, 'server.js': "const { count } = require('./index');\nrequire('express')().use((req, res, next) => { count(req.path); next(); }).listen(1);\n" }, { rules: [RULE] });
    assert.deepEqual(where(served.findings), [`${RULE} index.js:1`]);
  });

  it('counts a method called from a request handler through an instance another module exports', async () => {
    const registry = 'const handlers = new Map<string, string>();\nclass Registry {\n  registerHandler(name: string, url: string) {\n    handlers.set(name, url);\n  }\n}\nexport const registry = new Registry();\n';
    const server = (call: string) =>
      `import express from 'express';\nimport { registry } from './registry';\nconst app = express();\n${call}\napp.listen(3000);\n`;
    const lint = (call: string) => lintFiles({ 'package.json': EXPRESS, 'src/registry.ts': registry, 'src/server.ts': server(call) }, { rules: [RULE] });
    const { findings } = await lint("app.post('/hooks', (req, res) => {\n  registry.registerHandler(req.body.name, req.body.url);\n  res.end();\n});");
    assert.deepEqual(where(findings), [`${RULE} src/registry.ts:1`]);
    assert.match(findings[0]!.message, /handlers/);
    // Called once at start-up, it is a registry filled before the first request: silent.
    assert.deepEqual(where((await lint("registry.registerHandler('audit', 'http://audit');")).findings), []);
  });

  it('tells a busy flag, set back to false, from a once-only guard', async () => {
    const server = (reset: string) =>
      `import express from 'express';\nlet running = false;\nconst results: string[] = [];\nconst app = express();\napp.post('/run', async (req, res) => {\n  if (running) return res.status(409).end();\n  running = true;\n  results.push(req.body.x);\n${reset}  res.end();\n});\napp.listen(3000);\n`;
    const lint = (reset: string) => lintFiles({ 'package.json': EXPRESS, 'src/server.ts': server(reset) }, { rules: [RULE] });
    // The handler runs again once the flag is reset: every request may push.
    assert.deepEqual(where((await lint('  running = false;\n')).findings), [`${RULE} src/server.ts:3`]);
    // Reset in a callback, the flag is itself a per-process lock the handler takes.
    assert.deepEqual(where((await lint('  setImmediate(() => {\n    running = false;\n  });\n')).findings), [`${RULE} src/server.ts:2`, `${RULE} src/server.ts:3`]);
    // Never reset, the push happens once per process.
    assert.deepEqual(where((await lint('')).findings), []);
  });
  it('names a route object\'s handler by method and URL for every write in it, whichever is read first', async () => {
    const server = [
      "const fastify = require('fastify')();",
      'const cache = new Map();',
      'let hits = 0;',
      "fastify.route({ method: 'GET', url: '/x', handler: async (req, reply) => {",
      "  [1].forEach(() => { cache.set('a', 1); });",
      '  hits++;',
      "  return 'ok';",
      '} });',
      "fastify.listen({ port: 3000, host: '0.0.0.0' });",
      '',
    ].join('\n');
    const { findings } = await lintFiles({ 'package.json': '{"name":"fr","dependencies":{"fastify":"^4"}}', 'server.js': server }, { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} server.js:2`, `${RULE} server.js:3`]);
    for (const f of findings) assert.match(f.message, /in the GET \/x handler \(line 4\)/);
  });
  it("reports a method of an object literal that writes through this, and a keyed map of lazily made instances", async () => {
    const store = "const express = require('express');\nconst store = {\n  sessions: {\n    data: {},\n    set(id, s) { this.data[id] = s; },\n    get(id) { return this.data[id]; },\n  },\n};\nconst app = express();\napp.get('/healthz', (req, res) => res.send('ok'));\napp.post('/login', (req, res) => { store.sessions.set(req.body.id, { user: req.body.user }); res.end(); });\napp.get('/me', (req, res) => res.json(store.sessions.get(req.query.id)));\nconst server = app.listen(process.env.PORT || 8080, '0.0.0.0');\nprocess.on('SIGTERM', () => server.close());\n";
    assert.deepEqual(where((await lintFiles({ 'package.json': EXPRESS, 'src/server.js': store }, { rules: [RULE] })).findings), [`${RULE} src/server.js:2`]);
    // `rooms[id] ??= new Room(id)` makes one Room per room, not one per process: the constructor's write runs per request.
    const rooms = "const express = require('express');\nconst rooms = {};\nconst members = new Map();\nclass Room {\n  constructor(id) {\n    this.id = id;\n    members.set(id, new Set());\n  }\n}\nconst app = express();\napp.get('/healthz', (req, res) => res.send('ok'));\napp.post('/rooms/:id/join', (req, res) => {\n  rooms[req.params.id] ??= new Room(req.params.id);\n  members.get(req.params.id).add(req.body.user);\n  res.end();\n});\nconst server = app.listen(process.env.PORT || 8080, '0.0.0.0');\nprocess.on('SIGTERM', () => server.close());\n";
    assert.deepEqual(where((await lintFiles({ 'package.json': EXPRESS, 'src/server.js': rooms }, { rules: [RULE] })).findings), [`${RULE} src/server.js:2`, `${RULE} src/server.js:3`]);
  });
});
describe(`${RULE}: start-up functions reached through import()`, () => {
  const files = (bin: string) => ({
    'package.json': '{"name":"hub","type":"module","dependencies":{"express":"^4"}}',
    'src/index.ts':
      "let sentry: { report(e: unknown): void } = { report() {} };\nexport async function server() {\n  if (process.env.SENTRY_DSN) sentry = await import('./sentry.js');\n  const { default: App } = await import('./app.js');\n  const app = new App();\n  process.once('SIGTERM', () => app.stop());\n  await app.boot();\n}\n",
    'src/sentry.ts': 'export function report() {}\n',
    'src/app.ts':
      "import express from 'express';\nimport http from 'node:http';\nexport default class App {\n  http?: http.Server;\n  async boot() { const a = express(); a.get('/healthz', (_q, r) => { r.send('ok'); }); this.http = a.listen(3000); }\n  stop() { this.http?.close(); }\n}\n",
    'bin/start.js': bin,
  });
  const lint = async (bin: string) => where((await lintFiles(files(bin), { rules: [RULE] })).findings);

  it('takes a call through the namespace of a dynamic import at start-up as a call of the export', async () => {
    assert.deepEqual(await lint("import { server } from '../src/index.js';\nserver();\n"), []);
    assert.deepEqual(await lint("import('../src/index.js').then((m) => { m.server(); });\n"), []);
    assert.deepEqual(await lint("import('../src/index.js').then(({ server }) => server());\n"), []);
    assert.deepEqual(await lint("const m = await import('../src/index.js');\nm.server();\n"), []);
    assert.deepEqual(await lint("const { server } = await import('../src/index.js');\nawait server();\n"), []);
  });

  it('still reports the write when the imported function is also called per request', async () => {
    const bin = "import http from 'node:http';\nconst m = await import('../src/index.js');\nm.server();\nhttp.createServer(async (req, res) => { await m.server(); res.end(); }).listen(8080);\n";
    assert.deepEqual(await lint(bin), [`${RULE} src/index.ts:1`]);
    // Loaded but never called: `server` is run-time code, as without the import.
    assert.deepEqual(await lint("import('../src/index.js').then((m) => m);\n"), [`${RULE} src/index.ts:1`]);
  });
});
describe(`${RULE}: lazy initialisation guarded at the call`, () => {
  const app = (state: string, extra = '') =>
    [
      "const express = require('express');",
      "const { connect } = require('./db');",
      state,
      'const app = express();',
      "app.get('/healthz', (req, res) => res.send('ok'));",
      "app.get('/items', async (req, res) => res.json(await (await getClient()).items()));",
      extra,
      'const server = app.listen(3000);',
      "process.on('SIGTERM', () => server.close());",
      '',
    ].join('\n');
  const DB = 'exports.connect = async () => ({ items: async () => [] });\n';
  const lint = async (state: string, extra = '') => {
    const { findings } = await lintFiles({ 'package.json': EXPRESS, 'app.js': app(state, extra), 'db.js': DB }, { rules: [RULE] });
    return findings.map((f) => `${f.line} ${f.message.slice(0, f.message.indexOf(':'))}`);
  };
  const setup = 'let client;\nasync function setup() {\n  client = await connect();\n  return client;\n}';

  it('stays silent when every call of the function that assigns the binding waits for the binding to be unset', async () => {
    for (const body of [
      'if (client) return client;\n  return setup();',
      'if (client !== undefined) {\n    return client;\n  }\n  return setup();',
      'if (!client) await setup();\n  return client;',
      'if (client == null) await setup();\n  return client;',
      'return client ?? setup();',
      'return client || (await setup());',
      'return client ? client : setup();',
      'return !client ? setup() : client;',
    ]) {
      assert.deepEqual(await lint(`${setup}\nasync function getClient() {\n  ${body}\n}`), [], body);
    }
    // Called once more at start-up, it still runs once.
    assert.deepEqual(await lint(`${setup}\nsetup();\nasync function getClient() {\n  return client ?? setup();\n}`), []);
  });

  it('follows the guard through an import of the binding', async () => {
    const db = 'import { connect } from "./conn";\nexport let client;\nexport async function setup() {\n  client = await connect();\n}\n';
    const handler = "import express from 'express';\nimport { client, setup } from './db';\nconst app = express();\napp.get('/x', async (req, res) => {\n  if (!client) await setup();\n  res.json(await client.items());\n});\napp.listen(3000);\n";
    const files = { 'package.json': EXPRESS, 'src/db.ts': db, 'src/conn.ts': DB.replace('exports.connect =', 'export const connect ='), 'src/server.ts': handler };
    assert.deepEqual(where((await lintFiles(files, { rules: [RULE] })).findings), []);
    const unguarded = handler.replace("app.listen(3000);", "app.post('/reconnect', async (req, res) => {\n  await setup();\n  res.end();\n});\napp.listen(3000);");
    assert.deepEqual(where((await lintFiles({ ...files, 'src/server.ts': unguarded }, { rules: [RULE] })).findings), [`${RULE} src/db.ts:2`]);
  });

  it('still reports a function also called unguarded, a binding other than the guarded one, and a cache per key', async () => {
    const guarded = `${setup}\nasync function getClient() {\n  if (client) return client;\n  return setup();\n}`;
    assert.deepEqual(await lint(guarded, "app.post('/reconnect', async (req, res) => { await setup(); res.end(); });"), ['3 "client" (let) is reassigned in setup() (line 4)']);
    const other = 'let client;\nlet connectedAt = 0;\nasync function setup() {\n  connectedAt = Date.now();\n  return connect();\n}\nasync function getClient() {\n  if (client) return client;\n  client = await setup();\n  return client;\n}';
    assert.deepEqual(await lint(other), ['4 "connectedAt" (let) is reassigned in setup() (line 5)']);
    const perKey = 'const cache = new Map();\nasync function load(k) {\n  const v = await (await connect()).items(k);\n  cache.set(k, v);\n  return v;\n}\nasync function getClient(k = "a") {\n  if (cache.has(k)) return cache.get(k);\n  return load(k);\n}';
    assert.deepEqual(await lint(perKey), ['3 "cache" (Map) is a module-level cache filled in load() (line 4)']);
  });
});

describe('module-state: file system callbacks', () => {
  it("takes a file system callback for code that runs where its call does: once at start-up, per request in a handler, not for fs.watch", async () => {
    const server = (body: string) =>
      `const fs = require('fs');\nconst express = require('express');\nconst names = [];\n${body}\nconst app = express();\napp.get('/health', (req, res) => res.json(names));\napp.listen(3000);\n`;
    const lint = (body: string) => lintFiles({ 'package.json': EXPRESS, 'server.js': server(body) }, { rules: [RULE] });
    assert.deepEqual(where((await lint("fs.readdir(__dirname + '/css', (err, files) => {\n  if (!err) files.forEach((f) => names.push(f));\n});")).findings), []);
    assert.deepEqual(where((await lint("fs.watch(__dirname + '/css', (event, f) => {\n  names.push(f);\n});")).findings), [`${RULE} server.js:3`]);
    assert.deepEqual(where((await lint("function reload(req, res) {\n  fs.readdir(__dirname, (err, files) => { names.push(...files); res.end(); });\n}\nexports.reload = reload;")).findings), [`${RULE} server.js:3`]);
  });
});
