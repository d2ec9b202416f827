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
});
