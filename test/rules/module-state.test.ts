import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'module-state';
const dir = `${FIXTURES}/rules/${RULE}`;

const EXPRESS = '{"name":"api","dependencies":{"express":"^4"}}';
const SERVER = "import express from 'express';\nimport './state';\nconst app = express();\nexport const server = app.listen(3000);\n";

/** A one-service project: server.ts listens and imports state.ts, which holds `state`. */
function project(state: string, extra: Record<string, string> = {}) {
  return lintFiles({ 'package.json': EXPRESS, 'src/server.ts': SERVER, 'src/state.ts': state, ...extra }, { rules: [RULE] });
}

describe(RULE, () => {
  it('reports run-time writes once, at the declaration, following imports, re-exports, aliases and CommonJS', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/legacy/lib/counters.js:2`,
      `${RULE} fire/legacy/lib/events.js:4`,
      `${RULE} fire/legacy/lib/rates.js:3`,
      `${RULE} fire/legacy/lib/visitors.js:1`,
      `${RULE} fire/nest/src/drafts.controller.ts:3`,
      `${RULE} fire/shop/src/middleware/stats.ts:4`,
      `${RULE} fire/shop/src/middleware/stats.ts:11`,
      `${RULE} fire/shop/src/routes/carts.ts:6`,
      `${RULE} fire/shop/src/routes/users.ts:8`,
      `${RULE} fire/shop/src/store/carts.ts:7`,
      `${RULE} fire/shop/src/users/repository.ts:6`,
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
  });

  it('stays silent for start-up and lifecycle writes, lazy clients, frozen and weak values, per-process bookkeeping, and code that never runs in a replica', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('tells a guarded lazy initialisation from a plain reassignment', async () => {
    const lazy = await project("let client: object | undefined;\nexport function get() {\n  if (!client) client = {};\n  return client;\n}\n");
    assert.deepEqual(where(lazy.findings), []);
    const plain = await project('let client: object | undefined;\nexport function get() {\n  client = {};\n  return client;\n}\n');
    assert.deepEqual(where(plain.findings), [`${RULE} src/state.ts:1`]);
    assert.match(plain.findings[0]!.message, /^"client" \(let\) is reassigned in get\(\)/);
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

  it('sees a lazy guard nested in another condition, and `x = require(...)` as the same module each time', async () => {
    const { findings } = await project(
      "let html: string | undefined;\nlet zlib: unknown;\nexport async function page() {\n  if (process.env.PROD) {\n    if (html) return html;\n  }\n  zlib = require('zlib');\n  return (html = 'x');\n}\n",
    );
    assert.deepEqual(where(findings), []);
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
});
