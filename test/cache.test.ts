import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileCache } from '../src/cache.js';
import { FIXTURES, runCli, tempDir } from './helpers.js';

/** A private copy of the demo shop, aged so that the cache may trust file stats. */
function demoCopy(): string {
  const dir = tempDir('replicalint-cache-');
  fs.cpSync(path.join(FIXTURES, 'demo'), dir, { recursive: true });
  const old = new Date(Date.now() - 3600_000);
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) fs.utimesSync(path.join(dir, f), old, old);
  return dir;
}

/** The JSON report of an uncached run and of a cached run must be the same bytes. */
async function assertSameAsUncached(cwd: string, extra: string[] = []): Promise<string> {
  const fresh = await runCli(['-f', 'json', ...extra], { cwd });
  const cached = await runCli(['-f', 'json', '--cache', ...extra], { cwd, env: { REPLICALINT_TIMING: '1' } });
  assert.equal(cached.stdout, fresh.stdout);
  assert.equal(cached.code, fresh.code);
  return cached.stderr;
}

describe('--cache', () => {
  it('gives exactly the uncached findings, cold and warm, and a warm run parses nothing', async () => {
    const cwd = demoCopy();
    const cold = await assertSameAsUncached(cwd);
    assert.match(cold, /load typescript/);
    assert.ok(fs.existsSync(path.join(cwd, '.replicalintcache')));
    const warm = await assertSameAsUncached(cwd);
    assert.doesNotMatch(warm, /load typescript|parse code|parse yaml/);
  });

  it('stays exact after edits, renames, deletions and config changes', async () => {
    const cwd = demoCopy();
    await assertSameAsUncached(cwd);
    const server = path.join(cwd, 'services/checkout/src/server.ts');
    fs.appendFileSync(server, "\nprocess.on('SIGTERM', () => process.exit(0));\n");
    const afterEdit = await runCli(['-f', 'json', '--cache'], { cwd });
    assert.ok(!JSON.parse(afterEdit.stdout).findings.some((f: { ruleId: string }) => f.ruleId === 'missing-sigterm-handler'));
    await assertSameAsUncached(cwd);

    fs.renameSync(path.join(cwd, 'k8s/checkout.yaml'), path.join(cwd, 'k8s/checkout-deploy.yaml'));
    fs.renameSync(path.join(cwd, 'services/checkout/src/prices.ts'), path.join(cwd, 'services/checkout/src/price-feed.ts'));
    await assertSameAsUncached(cwd);

    fs.rmSync(path.join(cwd, 'services/checkout/src/routes/carts.ts'));
    fs.rmSync(path.join(cwd, 'k8s/catalog.yaml'));
    await assertSameAsUncached(cwd);

    fs.writeFileSync(path.join(cwd, '.replicalintrc.json'), '{"rules":{"missing-readiness-probe":"warning"}}');
    await assertSameAsUncached(cwd);
    await assertSameAsUncached(cwd, ['--rule', 'missing-sigterm-handler']);

    fs.writeFileSync(path.join(cwd, 'services/catalog/src/index.js'), 'const broken = {;\n');
    await assertSameAsUncached(cwd);
  });

  it('appends the records of a changed file, and rewrites the cache once most of its records are stale', async () => {
    const cwd = demoCopy();
    const cache = path.join(cwd, '.replicalintcache');
    await assertSameAsUncached(cwd);
    const records = (text: string) => text.trimEnd().split('\n').length - 1;
    const before = fs.readFileSync(cache, 'utf8');
    // 5 code files and 3 manifests: an entry and a stat record each.
    assert.equal(records(before), 16);
    fs.appendFileSync(path.join(cwd, 'services/checkout/src/prices.ts'), '\n// touched\n');
    await assertSameAsUncached(cwd);
    const after = fs.readFileSync(cache, 'utf8');
    assert.ok(after.startsWith(before), 'appended, not rewritten');
    // The file's new stat and its new entry, nothing else.
    assert.deepEqual(after.slice(before.length).trimEnd().split('\n').map((l) => Object.keys(JSON.parse(l))[0]), ['p', 'h']);
    fs.rmSync(path.join(cwd, 'services/checkout'), { recursive: true });
    fs.rmSync(path.join(cwd, 'k8s/checkout.yaml'));
    await assertSameAsUncached(cwd);
    const compacted = fs.readFileSync(cache, 'utf8');
    assert.ok(!compacted.startsWith(before), 'rewritten');
    // What is left: catalog's index.js and two manifests, an entry and a stat record each.
    assert.equal(records(compacted), 6);
  });

  it('never appends to a cache file another run wrote after this one read it', () => {
    const file = path.join(tempDir('replicalint-cache-'), 'cache');
    const warn = (m: string) => assert.fail(m);
    const first = FileCache.open(file, '1.0.0', warn);
    first.set('a', { yaml: { docs: [] } });
    first.save(warn);
    const mine = FileCache.open(file, '1.0.0', warn);
    assert.ok(mine.get('a'));
    // Another run adds a record meanwhile; this run's record must not be appended after it.
    const other = FileCache.open(file, '1.0.0', warn);
    other.get('a');
    other.set('b', { yaml: { docs: [] } });
    other.save(warn);
    mine.set('c', { yaml: { docs: [] } });
    mine.save(warn);
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(1).map((l) => (JSON.parse(l) as { h: string }).h);
    assert.deepEqual(lines, ['a', 'c']);
  });

  it('drops a record an interrupted run left half written, and rewrites the file', async () => {
    const cwd = demoCopy();
    const cache = path.join(cwd, '.replicalintcache');
    await assertSameAsUncached(cwd);
    const whole = fs.readFileSync(cache, 'utf8');
    fs.appendFileSync(cache, '{"h":"cut-short","e":{"yaml":{"do');
    const stderr = await assertSameAsUncached(cwd);
    assert.doesNotMatch(stderr, /corrupt/);
    assert.equal(fs.readFileSync(cache, 'utf8').split('\n').length, whole.split('\n').length);
    assert.ok(fs.readFileSync(cache, 'utf8').endsWith('\n'));
  });

  it('ignores a corrupt cache with a warning and rewrites it', async () => {
    const cwd = demoCopy();
    const cache = path.join(cwd, '.replicalintcache');
    fs.writeFileSync(cache, '{"tool":"replicalint-cache","key":"x","entr');
    const stderr = await assertSameAsUncached(cwd);
    assert.match(stderr, /ignoring .*\.replicalintcache: the cache file is corrupt; it will be rewritten/);
    assert.equal(JSON.parse(fs.readFileSync(cache, 'utf8').split('\n')[0]!).tool, 'replicalint-cache');
  });

  it('never trusts or overwrites a file that is not a replicalint cache', async () => {
    const cwd = demoCopy();
    const notes = path.join(cwd, 'NOTES.md');
    fs.writeFileSync(notes, '# notes\n');
    const stderr = await assertSameAsUncached(cwd, ['--cache-location', 'NOTES.md']);
    assert.match(stderr, /ignoring .*NOTES\.md: not a replicalint cache file; it will not be overwritten/);
    assert.equal(fs.readFileSync(notes, 'utf8'), '# notes\n');
  });

  it('accepts a folder as --cache-location', async () => {
    const cwd = demoCopy();
    fs.mkdirSync(path.join(cwd, 'tmp-cache'));
    await assertSameAsUncached(cwd, ['--cache-location', 'tmp-cache']);
    assert.ok(fs.existsSync(path.join(cwd, 'tmp-cache', '.replicalintcache')));
  });
});
