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
