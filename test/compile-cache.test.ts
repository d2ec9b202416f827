import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempDir, writeProject } from './helpers.js';

/** The compiled-code folder of the compiler, under a temporary folder given as TMPDIR. */
function cacheFolder(tmp: string): string {
  return path.join(tmp, `replicalint-compile-cache-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
}

const entries = (dir: string) => fs.readdirSync(dir).filter((n) => /^typescript-[0-9a-f]{16}\.bin$/.test(n)).sort();

// The folder is found through TMPDIR, which Windows does not use for its temporary folder.
describe("the compiler's code cache", { skip: process.platform === 'win32' }, () => {
  const project = writeProject({ 'server.js': "require('http').createServer().listen(3000);\n" });

  it('keeps the entries used last and removes the rest when it writes one', async () => {
    const tmp = tempDir();
    const dir = cacheFolder(tmp);
    fs.mkdirSync(dir, { mode: 0o700 });
    // Six entries of other installs, used 1 to 6 days ago, and one unused for ten days.
    const day = 24 * 3600;
    const now = Date.now() / 1000;
    for (let i = 1; i <= 7; i++) {
      const file = path.join(dir, `typescript-${String(i).repeat(16)}.bin`);
      fs.writeFileSync(file, 'x');
      const age = i === 7 ? 10 * day : i * day;
      fs.utimesSync(file, now - age, now - age);
    }
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an entry');
    const run = await runCli(['.', '--format', 'json'], { cwd: project, env: { TMPDIR: tmp, REPLICALINT_NO_COMPILE_CACHE: '' } });
    assert.equal(run.code, 1, run.stderr);
    const left = entries(dir);
    // This run's entry and the three used last.
    assert.equal(left.length, 4, left.join(' '));
    for (const i of [1, 2, 3]) assert.ok(left.includes(`typescript-${String(i).repeat(16)}.bin`), left.join(' '));
    assert.ok(fs.existsSync(path.join(dir, 'notes.txt')));
    // The next run uses the entry, and keeps it.
    const mine = left.find((n) => !/^typescript-(\d)\1{15}\.bin$/.test(n))!;
    const again = await runCli(['.', '--format', 'json'], { cwd: project, env: { TMPDIR: tmp, REPLICALINT_NO_COMPILE_CACHE: '' } });
    assert.equal(again.stdout, run.stdout);
    assert.deepEqual(entries(dir), left);
    assert.ok(fs.statSync(path.join(dir, mine)).size > 100_000);
  });

  it('marks an entry used when it has not been for a day', async () => {
    const tmp = tempDir();
    await runCli(['.', '--format', 'json'], { cwd: project, env: { TMPDIR: tmp, REPLICALINT_NO_COMPILE_CACHE: '' } });
    const [mine] = entries(cacheFolder(tmp));
    const file = path.join(cacheFolder(tmp), mine!);
    const old = Date.now() / 1000 - 3 * 24 * 3600;
    fs.utimesSync(file, old, old);
    await runCli(['.', '--format', 'json'], { cwd: project, env: { TMPDIR: tmp, REPLICALINT_NO_COMPILE_CACHE: '' } });
    assert.ok(fs.statSync(file).mtimeMs > Date.now() - 60_000);
  });
});

describe('code cache entries', { skip: process.platform === 'win32' }, () => {
  it('are written again by a run that parsed over twice as many files as the one that wrote them', async () => {
    const tmp = tempDir();
    const env = { TMPDIR: tmp, REPLICALINT_NO_COMPILE_CACHE: '' };
    const small = writeProject({ 'server.js': "require('http').createServer().listen(3000);\n" });
    const files: Record<string, string> = {};
    for (let i = 0; i < 5; i++) files[`src/m${i}.ts`] = `export const m${i} = (x: number): number => x + ${i};\n`;
    const large = writeProject(files);
    // How many files the run that wrote each entry parsed, from its header.
    const counts = () =>
      fs
        .readdirSync(cacheFolder(tmp))
        .filter((n) => n.endsWith('.bin'))
        .map((n) => {
          const b = fs.readFileSync(path.join(cacheFolder(tmp), n));
          return `${n.split('-')[0]}:${b.toString('latin1', 0, 4)}:${b.readUInt32LE(4)}`;
        })
        .sort();
    await runCli(['.', '--format', 'json'], { cwd: small, env });
    assert.deepEqual(counts(), ['replicalint:RLC1:1', 'typescript:RLC1:1']);
    await runCli(['.', '--format', 'json'], { cwd: large, env });
    assert.deepEqual(counts(), ['replicalint:RLC1:5', 'typescript:RLC1:5']);
    const before = fs.readdirSync(cacheFolder(tmp)).map((n) => fs.statSync(path.join(cacheFolder(tmp), n)).mtimeMs);
    const again = await runCli(['.', '--format', 'json'], { cwd: small, env });
    assert.equal(again.code, 1, again.stderr);
    assert.deepEqual(counts(), ['replicalint:RLC1:5', 'typescript:RLC1:5'], 'a smaller run keeps them');
    assert.deepEqual(fs.readdirSync(cacheFolder(tmp)).map((n) => fs.statSync(path.join(cacheFolder(tmp), n)).mtimeMs), before);
  });
});

describe('loading a module through its code cache', { skip: process.platform === 'win32' }, () => {
  it("runs the module's top level once, and throws its error as require does", async () => {
    const { loadCommonJs, persistCompileCaches } = await import('../src/compile-cache.js');
    const tmp = tempDir();
    const saved = process.env.TMPDIR;
    const off = process.env.REPLICALINT_NO_COMPILE_CACHE;
    process.env.TMPDIR = tmp;
    delete process.env.REPLICALINT_NO_COMPILE_CACHE;
    try {
      const counter = Symbol.for('replicalint.test.topLevelRuns');
      const g = globalThis as Record<symbol, number>;
      const dir = writeProject({
        'ok.cjs': "globalThis[Symbol.for('replicalint.test.topLevelRuns')] = (globalThis[Symbol.for('replicalint.test.topLevelRuns')] ?? 0) + 1;\nexports.answer = () => 42;\n",
        'broken.cjs': "globalThis[Symbol.for('replicalint.test.topLevelRuns')] = (globalThis[Symbol.for('replicalint.test.topLevelRuns')] ?? 0) + 1;\nthrow new Error('broken at load');\n",
      });
      g[counter] = 0;
      assert.throws(() => loadCommonJs(path.join(dir, 'broken.cjs'), 'test'), /broken at load/);
      assert.equal(g[counter], 1);
      const ok = loadCommonJs(path.join(dir, 'ok.cjs'), 'test') as { answer(): number };
      assert.equal(ok.answer(), 42);
      assert.equal(g[counter], 2);
      persistCompileCaches('test');
      assert.equal(fs.readdirSync(cacheFolder(tmp)).filter((n) => /^test-[0-9a-f]{16}\.bin$/.test(n)).length, 1);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      if (off !== undefined) process.env.REPLICALINT_NO_COMPILE_CACHE = off;
    }
  });
});
