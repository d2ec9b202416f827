import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { COLLECTORS, extractFacts } from '../src/code/extract.js';
import { compactFacts, emptyFacts } from '../src/code/facts.js';
import { loadTypeScript } from '../src/code/typescript.js';
import { Walk } from '../src/code/walk.js';
import { FIXTURES } from './helpers.js';

function codeFiles(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) codeFiles(p, out);
    else if (/\.[cm]?[jt]sx?$/.test(e.name)) out.push(p);
  }
  return out;
}

describe('fact extraction', () => {
  it('walks without recursion to exactly the facts of the recursive walk, on every fixture file', async () => {
    const ts = await loadTypeScript();
    const files = codeFiles(FIXTURES);
    assert.ok(files.length > 100, `${files.length} files`);
    for (const file of files) {
      const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
      const a = emptyFacts(file);
      const b = emptyFacts(file);
      new Walk(ts, sf, a, COLLECTORS).run();
      new Walk(ts, sf, b, COLLECTORS).runWithoutRecursion();
      assert.deepEqual(b, a, file);
    }
  });

  it('keeps the facts of every fixture file as they were when it copies their long strings, each once per run', async () => {
    const ts = await loadTypeScript();
    const strings = new Map<string, string>();
    const long = new Set<string>();
    const collect = (v: unknown): void => {
      if (typeof v === 'string' && v.length >= 13) long.add(v);
      else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) collect(x);
    };
    for (const file of codeFiles(FIXTURES)) {
      const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
      const facts = emptyFacts(file);
      new Walk(ts, sf, facts, COLLECTORS).run();
      const before = structuredClone(facts);
      // Its name is the run's, not cut from the text.
      collect({ ...before, file: undefined });
      assert.deepEqual(compactFacts(facts, strings), before, file);
    }
    // Every long string, however deep in the facts (module specifiers, names, summarised arguments), is held once.
    assert.deepEqual(new Set(strings.keys()), long);
    assert.ok(long.has('express-rate-limit') && long.has('@nestjs/common'));
  });

  it('copies the strings of a file with a syntax error too, and adds no key an option object inherits', async () => {
    const ts = await loadTypeScript();
    const strings = new Map<string, string>();
    const broken = extractFacts(ts, 'src/a.ts', '// replicalint-disable-next-line module-state -- counted per replica on purpose\nlet n = (;\n', strings);
    assert.ok(broken.parseError);
    assert.ok(strings.has('counted per replica on purpose'), [...strings.keys()].join(', '));
    const f = extractFacts(ts, 'src/b.ts', "import session from 'express-session';\napp.use(session({ __proto__: 'a-rather-long-secret', resave: false }));\n", strings);
    const arg = f.libCalls[0]!.args[0]!;
    assert.equal(arg.t, 'obj');
    assert.deepEqual(Object.keys(arg.t === 'obj' ? arg.props : {}), ['resave']);
  });

  it('reads trees too deep for a recursive walk: thousands of `+` or `.then()` in a row', async () => {
    const ts = await loadTypeScript();
    const concat = `const SQL = ${Array(4500).fill('"a"').join(' + ')} + String(setInterval(tick, 1000));\n`;
    const chain = `let done = 0;\nfunction load() {\n  return fetchAll()${'.then(next)'.repeat(4500)}.then(() => { done++; });\n}\n`;
    const a = extractFacts(ts, 'src/messages.js', concat);
    assert.equal(a.parseError, undefined);
    assert.deepEqual(a.timers.map((t) => `${t.call} ${t.span.line}`), ['setInterval 1']);
    const b = extractFacts(ts, 'src/chain.js', chain);
    assert.equal(b.parseError, undefined);
    // The write deep inside the chain is known to run in `load()`: the walk kept its ancestors.
    assert.deepEqual(b.writes.map((w) => `${w.binding} ${w.span.line} ${w.run} ${w.fn}`), ['done 3 function load']);
  });

  it('names the routes and writes of chains of calls as before: router.get(...).post(...), new Router().get(...), route().get().post(), .then() links', async () => {
    const ts = await loadTypeScript();
    const at = (s: { line: number; column: number }) => `${s.line}:${s.column}`;
    const routes = extractFacts(
      ts,
      'src/routes.js',
      [
        "const Router = require('@koa/router');",
        "const other = require('./other');",
        'const hits = new Map();',
        "const BASE = '/e';",
        'function mount(app) {',
        '  const router = new Router();',
        '  router',
        "    .get('/a', async (ctx) => { hits.set('a', 1); ctx.body = 'a'; })",
        "    .post('/b', async (ctx) => { hits.set('b', 2); })",
        "    .put('/c', handler)",
        "    .del('/d', async function remove(ctx) { hits.delete('d'); })",
        '    .all(BASE, (ctx) => { hits.clear(); });',
        '  app.use(router.routes());',
        '}',
        'module.exports = new Router()',
        "  .get('/x', async (ctx) => { hits.set('x', 3); })",
        "  .use('/y', other.routes())",
        "  .post('/z', async (ctx) => { hits.set('z', 4); });",
        "const api = new Router().get('/p', (ctx) => { ctx.body = 1; }).get('/q', (ctx) => { ctx.body = 2; });",
        "exports.pages = (router) => router.get('/r', (ctx) => {}).get('/s', (ctx) => { hits.set('s', 5); });",
        "app.route('/book').get(list).post(create).put(update);",
      ].join('\n') + '\n',
    );
    assert.deepEqual(
      routes.routes.map((r) => `${r.method} ${r.path ?? r.pathText} ${r.owner}${r.fn ? ` in ${r.fn}` : ''} ${at(r.span)}${r.handler?.name ? ` ${r.handler.name}` : ''}`),
      [
        'ALL /e router in mount 7:3',
        'DELETE /d router in mount 7:3',
        'PUT /c router in mount 7:3 handler',
        'POST /b router in mount 7:3',
        'GET /a router in mount 7:3',
        'POST /z default 15:18',
        'GET /x default 15:18',
        'GET /q api 19:13',
        'GET /p api 19:13',
        'GET /s fn:pages in pages 20:29',
        'GET /r fn:pages in pages 20:29',
        'PUT /book app 21:1 update',
        'POST /book app 21:1 create',
        'GET /book app 21:1 list',
      ],
    );
    assert.deepEqual(
      routes.mounts.map((m) => `${m.kind} ${m.owner} ${m.prefix} ${JSON.stringify(m.target)}`),
      [
        'mount fn:mount  {"owner":"router"}',
        'mount default /y {"module":"./other","member":"default"}',
      ],
    );
    assert.deepEqual(
      routes.writes.map((w) => `${w.binding} ${w.method ?? w.op} ${w.run}${w.fn ? ` ${w.fn}` : ''} ${w.via} ${w.viaLine} ${at(w.span)}`),
      [
        "hits set request the router .get('/a') handler 8 8:33",
        "hits set request the router .get('/a', async (ctx) => { hits…('/b') handler 9 9:34",
        "hits delete request the router .get('/a', async (ctx) => { hits…('/d') handler 11 11:45",
        'hits clear function mount mount() 5 12:27',
        "hits set request the new Router() .get('/x') handler 16 16:31",
        "hits set request the new Router() .get('/x', async (ctx) => …('/z') handler 18 18:32",
        "hits set request the router.get('/r', (ctx) => {}).get('/s') handler 20 20:80",
      ],
    );
    const then = extractFacts(
      ts,
      'src/then.ts',
      [
        "import express from 'express';",
        "import { Pool } from 'pg';",
        'const app = express();',
        'const pool = new Pool();',
        'const cache = new Map<string, unknown>();',
        'const inflight = new Map<string, AbortController>();',
        'let loaded = false;',
        'let count = 0;',
        "app.get('/x', (req, res) => {",
        "  pool.query('select 0')",
        "    .then((r0) => { cache.set('k0', r0); return pool.query('select 1'); })",
        "    .then((cache) => { cache.set('k1', 1); return pool.query('select 2'); })",
        "    .then((r2) => { const controller = new AbortController(); inflight.set('k2', controller); return r2; })",
        "    .then((r3) => { count += 1; cache.delete('k3'); return r3; }, () => { cache.delete('k3'); })",
        "    .catch(() => { inflight.delete('k2'); })",
        '    .then(() => res.json({}));',
        '});',
        'class Store {',
        '  private items = new Map<string, number>();',
        '  load(id: string) {',
        "    return pool.query('select 0')",
        '      .then(() => { this.items.set(id, 1); })',
        '      .then(() => { this.items.set(id, 2); })',
        '      .then(() => { this.items.set(id, 3); })',
        '      .then(() => { this.items.set(id, 4); })',
        '      .then(() => { this.items.set(id, 5); });',
        '  }',
        '}',
        'export const store = new Store();',
        "app.get('/y', (req, res) => store.load(String(req.query.id)).then(() => res.end()));",
        'async function init() {',
        '  if (loaded) return;',
        '  loaded = true;',
        "  await pool.query('select 0')",
        "    .then(() => { cache.set('init0', 0); })",
        "    .then(() => { cache.set('init1', 1); });",
        '}',
        'export async function healthCheck() {',
        "  return pool.query('select 1')",
        "    .then(() => fetch('http://a'))",
        '    .then(() => checkRedis())',
        "    .then(() => { cache.set('health', Date.now()); });",
        '}',
        'init();',
        'app.listen(3000);',
      ].join('\n') + '\n',
    );
    assert.deepEqual(
      then.writes.map(
        (w) =>
          `${w.binding} ${w.method ?? w.op} ${w.run}${w.fn ? ` ${w.fn}` : ''}${w.cls ? ` cls ${w.cls}` : ''}${w.once ? ' once' : ''}${w.handle ? ' handle' : ''}${w.onFailure ? ' onFailure' : ''} ${w.via} ${w.viaLine} ${at(w.span)}`,
      ),
      [
        "cache set request the app.get('/x') handler 9 11:21",
        "inflight set request handle the app.get('/x') handler 9 13:63",
        "count += request the app.get('/x') handler 9 14:21",
        "cache delete request the app.get('/x') handler 9 14:33",
        "cache delete request onFailure the app.get('/x') handler 9 14:75",
        "inflight delete request onFailure the app.get('/x') handler 9 15:20",
        'Store#items set method Store#load cls Store the Store.load() method 20 22:21',
        'Store#items set method Store#load cls Store the Store.load() method 20 23:21',
        'Store#items set method Store#load cls Store the Store.load() method 20 24:21',
        'Store#items set method Store#load cls Store the Store.load() method 20 25:21',
        'Store#items set method Store#load cls Store the Store.load() method 20 26:21',
        'loaded lazy function init init() 31 33:3',
        'cache set function init once init() 31 35:19',
        'cache set function init once init() 31 36:19',
        'cache set function healthCheck healthCheck() 38 42:19',
      ],
    );
    const fns = (list: { name?: string; head: { line: number; column: number } }[]) => list.map((f) => `${f.name ?? '-'}@${at(f.head)}`).join(',');
    assert.deepEqual(
      then.dependencyCalls.map((d) => `${d.kind} ${d.text} ${at(d.span)} ${fns(d.fns)}`),
      [
        'database pool.query 10:3 -@9:15',
        'database pool.query 11:49 -@11:11,-@9:15',
        'database pool.query 12:51 -@12:11,-@9:15',
        'database pool.query 39:10 healthCheck@38:1',
        'http fetch 40:17 -@40:11,healthCheck@38:1',
      ],
    );
    assert.deepEqual(then.localCalls.map((c) => `${c.callee} ${at(c.span)} ${fns(c.fns)}`), [
        'checkRedis 41:17 -@41:11,healthCheck@38:1',
      ]);
    assert.deepEqual(
      then.fnCalls.map((c) => `${c.name}${c.path.length ? `.${c.path.join('.')}` : ''} ${c.run}${c.fn ? ` ${c.fn}` : ''}`),
      [
        'express top',
        'Pool.constructor top',
        'Store.constructor top',
        'Store#load request',
        'init top',
      ],
    );
  });

  it('reads a chain of 4,000 routes and a chain of 4,000 `.then()` links whose callbacks write module state', async () => {
    const ts = await loadTypeScript();
    const links = Array.from({ length: 4000 }, (_, i) => `  .${i % 2 ? 'post' : 'get'}('/items${i}', async (ctx) => { hits.set('${i}', 1); })`);
    const routes = extractFacts(ts, 'src/routes.js', `const Router = require('@koa/router');\nconst hits = new Map();\nconst router = new Router();\nrouter\n${links.join('\n')};\n`);
    assert.equal(routes.parseError, undefined);
    assert.equal(routes.routes.length, 4000);
    assert.deepEqual(
      [routes.routes[0]!, routes.routes[3999]!].map((r) => `${r.method} ${r.path} ${r.owner} ${r.span.line}`),
      ['POST /items3999 router 4', 'GET /items0 router 4'],
    );
    assert.equal(routes.writes.length, 4000);
    assert.deepEqual(
      [routes.writes[0]!, routes.writes[3999]!].map((w) => `${w.binding} ${w.run} ${w.span.line}`),
      ['hits request 5', 'hits request 4004'],
    );
    const steps = Array.from({ length: 4000 }, (_, i) => `    .then((r${i}) => { cache.set('k${i}', r${i}); return load(${i}); })`);
    const then = extractFacts(ts, 'src/then.js', `const cache = new Map();\napp.get('/x', (req, res) => {\n  load(0)\n${steps.join('\n')}\n    .then(() => res.end());\n});\n`);
    assert.equal(then.parseError, undefined);
    assert.equal(then.writes.length, 4000);
    assert.deepEqual(
      [then.writes[0]!, then.writes[3999]!].map((w) => `${w.binding} ${w.run} ${w.via} ${w.viaLine} ${w.span.line}`),
      ["cache request the app.get('/x') handler 2 4", "cache request the app.get('/x') handler 2 4003"],
    );
  });

  it('leaves out a tree deeper than 10,000 levels (6,000 calls in a chain), as too deep', async () => {
    const ts = await loadTypeScript();
    const f = extractFacts(ts, 'src/app.js', `fetchAll()${'.then(next)'.repeat(6000)};\n`);
    assert.equal(f.parseError?.tooDeep, true);
  });

  it('reports a file nested deeper than the parser goes as too deep, at its start', async () => {
    const ts = await loadTypeScript();
    const f = extractFacts(ts, 'src/table.js', `module.exports = ${'['.repeat(5000)}${']'.repeat(5000)};\n`);
    assert.deepEqual(f.parseError, { message: 'nested too deeply to analyse', tooDeep: true, line: 1, column: 1, endLine: 1, endColumn: 1 });
  });

  it('judges the literals of a CommonJS script as Node does, real errors next to them included', async () => {
    const ts = await loadTypeScript();
    // Each checked against `node --check`: true where Node reports a syntax error.
    const cases: [string, boolean][] = [
      ['var x = 0755;', false],
      ['var y = 08.5;', false],
      ['var s = "\\033[32m";', false],
      ['var x = 0755.toString();', false],
      ['x = ({ [010]() { "use strict"; return 1; } });', false],
      ['"use\\x20strict"; var x = 0755;', false],
      ['f("a" 0755);', true],
      ['var 010 = 1;', true],
      ['var x = 0755n;', true],
      ['var x = 07.5;', true],
      ['var x = 08_1;', true],
      ['var m = [0644 0755];', true],
      ['"use strict"; var x = 0755;', true],
      ['var t = `\\033`;', true],
      ['class A { m() { return 0755; } }', true],
    ];
    for (const [code, error] of cases) assert.equal(!!extractFacts(ts, 'src/a.js', code).parseError, error, code);
  });

  // Scopes, constants, guards, singletons and scopes of providers are answered from per-block and
  // per-file tables, built once: these pin the answers to those of a scan for each question.
  it('answers, for every write, which names a block declares and which `const` a name refers to, wherever the block is', async () => {
    const ts = await loadTypeScript();
    const text = [
      "import { AbortController as AC } from 'node:abort';",
      'const cache = new Map<string, unknown>();',
      'const inflight = new Map<string, unknown>();',
      "const ctrl = 'not a handle';",
      'let hits = 0;',
      'let loaded = false;',
      'let running = false;',
      'const plugins: number[] = [];',
      'export function a(k: string) {',
      '  cache.set(k, 1);',
      '  { const cache = new Map(); cache.set(k, 2); }',
      '  hits++;',
      '}',
      'export function b(k: string) {',
      '  if (k) { cache.set(k, 3); } else { let hits = 0; hits++; }',
      '  cache.set(k, 4);',
      '}',
      'export function c(k: string) {',
      '  cache.set(k, 5);',
      '  const cache = new Map();',
      '}',
      'export function d(id: string) { inflight.set(id, ctrl); }',
      'export function e(id: string) { const ctrl = new AbortController(); inflight.set(id, ctrl); }',
      'export function f(id: string) { { inflight.set(id, ctrl); } const ctrl = new AbortController(), other = 1; }',
      'export function g(id: string) { const ctrl = 1, ctrl2 = 2; { const ctrl = new AbortController(); inflight.set(id, ctrl); } inflight.set(id, ctrl); }',
      'export function load() { if (loaded) return; plugins.push(1); loaded = true; }',
      'export function busy() { if (running) return; running = true; plugins.push(2); running = false; }',
      'export function both() { if (running) return; if (loaded) return; plugins.push(3); loaded = true; }',
    ].join('\n');
    const f = extractFacts(ts, 'src/scopes.ts', text);
    const writes = f.writes.map((w) => `${w.binding}:${w.span.line}${w.handle ? ' handle' : ''}${w.once ? ' once' : ''}`);
    assert.deepEqual(writes, [
      // Not line 11 (its own block's `cache`), 15's `hits` (the else block's) or 19 (a `const` later in the same block).
      'cache:10', 'hits:12', 'cache:15', 'cache:16',
      'inflight:22', 'inflight:23 handle', 'inflight:24 handle', 'inflight:25 handle', 'inflight:25',
      'plugins:26 once', 'loaded:26', 'running:27', 'plugins:27', 'running:27', 'plugins:28 once', 'loaded:28',
    ]);
  });

  it('tells a class made once at top level from one made again, or named again after `new` anywhere in the text', async () => {
    const ts = await loadTypeScript();
    const text = [
      'class Registry { items = new Map(); add(k: string) { this.items.set(k, 1); } }',
      'const registry = new Registry();',
      'class Pool$ { conns: number[] = []; open() { this.conns.push(1); } }',
      'const pool = new   Pool$();',
      'class Job { runs: number[] = []; start() { this.runs.push(1); } }',
      'const job = new Job();',
      'export function make() { return new Job(); }',
      '// a second new Registry2 in a comment',
      'class Registry2 { seen = new Set<string>(); mark(k: string) { this.seen.add(k); } }',
      'const r2 = new Registry2();',
      'class Café { beans: string[] = []; brew() { this.beans.push("x"); } }',
      'const cafe = new Café();',
      'class Renewal { due: string[] = []; add() { this.due.push("x"); } }',
      'const renewal = new new Renewal().constructor();',
      'export function use() { registry.add("a"); pool.open(); job.start(); r2.mark("b"); cafe.brew(); }',
    ].join('\n');
    assert.deepEqual(extractFacts(ts, 'src/classes.ts', text).bindings.map((b) => b.name), ['Registry#items', 'Pool$#conns', 'Café#beans']);
  });

  it('makes request-scoped every provider that injects the request or a request-scoped provider, through chains in any order', async () => {
    const ts = await loadTypeScript();
    const text = [
      "import { Injectable, Inject, Scope } from '@nestjs/common';",
      "import { REQUEST } from '@nestjs/core';",
      '@Injectable()',
      'export class Top { constructor(private readonly mid: Mid) {} }',
      '@Injectable()',
      'export class Mid { constructor(private readonly a: Base, private readonly b: Base) {} }',
      '@Injectable()',
      'export class Other { constructor(private readonly top: Top) {} }',
      '@Injectable()',
      'export class Free { constructor(private readonly x: Unrelated) {} }',
      '@Injectable({ scope: Scope.REQUEST })',
      'export class Base {}',
      '@Injectable()',
      'export class ByToken { constructor(@Inject(REQUEST) private readonly req: unknown) {} }',
      '@Injectable()',
      'export class AfterToken { constructor(private readonly t: ByToken) {} }',
    ].join('\n');
    assert.deepEqual(extractFacts(ts, 'src/providers.ts', text).providers, [
      { cls: 'Top', scope: 'request' },
      { cls: 'Mid', scope: 'request' },
      { cls: 'Other', scope: 'request' },
      { cls: 'Free' },
      { cls: 'Base', scope: 'request' },
      { cls: 'ByToken', scope: 'request' },
      { cls: 'AfterToken', scope: 'request' },
    ]);
  });

  it('lists a module imported many times without a name once, and once more when a value import follows a type-only one', async () => {
    const ts = await loadTypeScript();
    const text = [
      "export type { T } from './types';",
      "require('./types');",
      "require('./types');",
      "export type { U } from './lazy2';",
      "export type { V } from './lazy2';",
      "import x from './named';",
      "require('./named');",
      'export async function later() {',
      "  await import('./lazy');",
      "  await import('./lazy');",
      "  require('./types');",
      '}',
    ].join('\n');
    const imports = extractFacts(ts, 'src/imports.ts', text).imports.map((i) => `${i.local}<${i.module} ${i.kind} ${i.line}${i.typeOnly ? ' type' : ''}`);
    assert.deepEqual(imports, ['<./types esm 1 type', '<./lazy2 esm 4 type', 'x<./named esm 6', '<./types cjs 2', '<./lazy esm 9']);
  });

  it('lists each timer handle cleared, unref-ed or handed back once', async () => {
    const ts = await loadTypeScript();
    const text = [
      'let t: NodeJS.Timeout | undefined = setInterval(() => {}, 1000);',
      'const u = setTimeout(() => {}, 5);',
      'export function stop() { clearInterval(t); clearInterval(t); clearTimeout(u); t?.unref(); t.unref(); }',
      'export function keep() { return t; }',
      'export function keep2() { return t; }',
    ].join('\n');
    assert.deepEqual(extractFacts(ts, 'src/timers.ts', text).timerHandles, { cleared: ['t', 'u'], unrefed: ['t'], returned: ['t'] });
  });
});
