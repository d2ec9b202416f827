import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FileCache } from '../src/cache.js';
import { FIXTURES, runCli, tempDir, writeProject } from './helpers.js';

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

  it('gives the stored result again while nothing it read changed, and runs the rules once something did', async () => {
    const cwd = demoCopy();
    const ranRules = (stderr: string) => /^rule /m.test(stderr);
    assert.ok(ranRules(await assertSameAsUncached(cwd)));
    assert.ok(!ranRules(await assertSameAsUncached(cwd)), 'nothing changed');
    // A comment: other bytes, the same facts.
    const prices = path.join(cwd, 'services/checkout/src/prices.ts');
    fs.appendFileSync(prices, '\n// polled every minute\n');
    assert.ok(!ranRules(await assertSameAsUncached(cwd)), 'a comment appended');
    // A line added above the code moves every finding of the file.
    fs.writeFileSync(prices, `// prices\n${fs.readFileSync(prices, 'utf8')}`);
    assert.ok(ranRules(await assertSameAsUncached(cwd)), 'a line inserted');
    assert.ok(!ranRules(await assertSameAsUncached(cwd)));
    // Another invocation (other rules) is another result.
    assert.ok(ranRules(await assertSameAsUncached(cwd, ['--rule', 'module-state'])));
    assert.ok(!ranRules(await assertSameAsUncached(cwd)), 'the full run kept its result');
  });

  it('runs the rules again when a file it reads but does not lint changed: the package.json above the linted folder, a tsconfig', async () => {
    const cwd = demoCopy();
    const args = ['services/checkout/src'];
    await assertSameAsUncached(cwd, args);
    const pkg = path.join(cwd, 'services/checkout/package.json');
    fs.writeFileSync(pkg, fs.readFileSync(pkg, 'utf8').replace('"name": "checkout"', '"name": "checkout-api"'));
    await assertSameAsUncached(cwd, args);
    const renamed = await runCli(['-f', 'json', '--cache', ...args], { cwd });
    assert.match(renamed.stdout, /service \\"checkout-api\\"/);

    // Module state in shared/ is the service's only through the tsconfig alias its server imports.
    const project = writeProject({
      'package.json': JSON.stringify({ name: 'api', dependencies: { express: '4' } }),
      'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@shared/*': ['shared/*'] } } }),
      'src/server.ts': "import express from 'express';\nimport { record } from '@shared/hits';\nconst app = express();\napp.get('/', (req, res) => { record(req.path); res.send('ok'); });\napp.listen(3000);\nprocess.on('SIGTERM', () => process.exit(0));\n",
      'shared/hits.ts': 'const hits = new Map<string, number>();\nexport function record(path: string) {\n  hits.set(path, (hits.get(path) ?? 0) + 1);\n}\n',
    });
    const states = (stdout: string) => (JSON.parse(stdout) as { findings: { ruleId: string; file: string }[] }).findings.filter((f) => f.ruleId === 'module-state').map((f) => f.file);
    const old = new Date(Date.now() - 3600_000);
    for (const f of ['package.json', 'tsconfig.json', 'src/server.ts', 'shared/hits.ts']) fs.utimesSync(path.join(project, f), old, old);
    await assertSameAsUncached(project);
    assert.deepEqual(states((await runCli(['-f', 'json', '--cache'], { cwd: project })).stdout), ['shared/hits.ts']);
    fs.writeFileSync(path.join(project, 'tsconfig.json'), '{}');
    await assertSameAsUncached(project);
    assert.deepEqual(states((await runCli(['-f', 'json', '--cache'], { cwd: project })).stdout), []);
  });

  it('reads a file again when it was replaced with its modification time kept (cp -p, tar x)', async () => {
    const cwd = demoCopy();
    const manifest = path.join(cwd, 'k8s/checkout.yaml');
    await assertSameAsUncached(cwd);
    const { mtime } = fs.statSync(manifest);
    // The same size and modification time: only the change time tells.
    fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replace('replicas: 3', 'replicas: 1'));
    fs.utimesSync(manifest, mtime, mtime);
    await assertSameAsUncached(cwd);
    const { stdout } = await runCli(['-f', 'json', '--cache'], { cwd });
    assert.match(stdout, /sets replicas: 1 while/);
  });

  it('drops a stored result whose bytes changed on disk, with a warning, and runs the rules', async () => {
    const cwd = demoCopy();
    const cache = path.join(cwd, '.replicalintcache');
    await assertSameAsUncached(cwd);
    const text = fs.readFileSync(cache, 'utf8');
    assert.match(text, /drops in-flight requests/);
    fs.writeFileSync(cache, text.replace('drops in-flight requests', 'drops in-flight requestz'));
    const stderr = await assertSameAsUncached(cwd);
    assert.match(stderr, /ignoring damaged records of .*\.replicalintcache; it will be rewritten/);
    assert.match(stderr, /^rule /m);
    assert.doesNotMatch(fs.readFileSync(cache, 'utf8'), /requestz/);
  });

  it('drops an entry whose bytes changed on disk, with a warning, and parses its file again', async () => {
    const cwd = demoCopy();
    const cache = path.join(cwd, '.replicalintcache');
    await assertSameAsUncached(cwd);
    // The facts of prices.ts name the URL it polls; the stored result must not hide the damage either.
    fs.appendFileSync(path.join(cwd, 'services/checkout/src/routes/carts.ts'), '\nexport const touched = 1;\n');
    const text = fs.readFileSync(cache, 'utf8');
    assert.match(text, /http:\/\/catalog\/prices/);
    fs.writeFileSync(cache, text.replace('http://catalog/prices', 'http://catalog/pricez'));
    const stderr = await assertSameAsUncached(cwd);
    assert.match(stderr, /ignoring damaged records of .*\.replicalintcache; it will be rewritten/);
    assert.match(stderr, /parse code/);
    assert.doesNotMatch(fs.readFileSync(cache, 'utf8'), /pricez/);
  });

  it('keeps the result it gave again when it rewrites the file', async () => {
    const cwd = demoCopy();
    const cache = path.join(cwd, '.replicalintcache');
    await assertSameAsUncached(cwd);
    await assertSameAsUncached(cwd, ['--rule', 'module-state']);
    // A record an interrupted run left half written: the next run rewrites the file.
    fs.appendFileSync(cache, '{"h":"cut-short","e":{"yaml":{"do');
    assert.doesNotMatch(await assertSameAsUncached(cwd), /^rule /m);
    assert.doesNotMatch(await assertSameAsUncached(cwd), /^rule /m);
  });

  it('gives the same findings from cached facts when numbers overflow (1e999 in code, .inf in YAML)', async () => {
    const deployment = (grace: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: svc}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: svc}}\n  template:\n    metadata: {labels: {app: svc}}\n    spec:\n      terminationGracePeriodSeconds: ${grace}\n      containers:\n        - name: svc\n          image: svc:1\n          ports: [{containerPort: 3000}]\n          readinessProbe: {httpGet: {path: /healthz, port: 3000}}\n          livenessProbe: {httpGet: {path: /healthz, port: 3000}, periodSeconds: 20}\n          resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {memory: 256Mi}}\n`;
    const server = (delay: string) =>
      `const express = require('express');\nconst app = express();\napp.get('/healthz', (req, res) => res.send('ok'));\nconst server = app.listen(3000);\nprocess.on('SIGTERM', () => {\n  server.close(() => process.exit(0));\n  setTimeout(() => process.exit(1), ${delay}).unref();\n});\n`;
    for (const [delay, grace] of [['1e999', '30'], ['45000', '.inf'], ['45000', '30']]) {
      const cwd = writeProject({
        'package.json': JSON.stringify({ name: 'svc', main: 'index.js', scripts: { start: 'node index.js' }, dependencies: { express: '4' } }),
        'index.js': server(delay!),
        'other.js': '// other\n',
        'deploy.yaml': deployment(grace!),
      });
      await assertSameAsUncached(cwd);
      // Another file changes: the rules run again, on the facts and documents the cache kept.
      fs.appendFileSync(path.join(cwd, 'other.js'), 'const x = 1;\n');
      await assertSameAsUncached(cwd);
      const { stdout } = await runCli(['-f', 'json'], { cwd });
      const graceFindings = (JSON.parse(stdout) as { findings: { ruleId: string }[] }).findings.filter((f) => f.ruleId === 'grace-period-too-short');
      // Only a 45 s forced exit against 30 s of grace is too long: 1e999 ms is no delay Node keeps.
      assert.equal(graceFindings.length, delay === '45000' && grace === '30' ? 1 : 0, `${delay} ms against ${grace} s`);
    }
  });

  it('tells stdin from the file it is named after (a Helm template is skipped, stdin is linted), and never reads a template', async () => {
    const manifest = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: web\n          image: web:1\n';
    const cwd = writeProject({ 'chart/Chart.yaml': 'name: web\nversion: 1.0.0\n', 'chart/templates/dep.yaml': manifest });
    const asStdin = ['-', '--stdin-filename', 'chart/templates/dep.yaml', '-f', 'json'];
    const asFile = ['chart/templates/dep.yaml', '-f', 'json'];
    const same = async (args: string[]) => {
      const fresh = await runCli(args, { cwd, stdin: manifest });
      const cached = await runCli([...args, '--cache'], { cwd, stdin: manifest });
      assert.equal(cached.stdout, fresh.stdout, args.join(' '));
      assert.equal(cached.code, fresh.code);
      return fresh;
    };
    assert.equal((await same(asStdin)).code, 1);
    assert.equal((await same(asFile)).code, 0);
    assert.equal((await same(asStdin)).code, 1);
    // A template is never read: editing one leaves the stored result of the whole tree standing.
    await assertSameAsUncached(cwd);
    fs.writeFileSync(path.join(cwd, 'chart/templates/dep.yaml'), manifest.replace('replicas: 1', 'replicas: {{ .Values.replicas }}'));
    assert.doesNotMatch(await assertSameAsUncached(cwd), /^rule /m);
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
    // Entries (`h`), stats (`p`, or rows of a table `t`) and run results (`m`), by kind.
    const records = (text: string) => {
      const n: Record<string, number> = {};
      for (const l of text.trimEnd().split('\n').slice(1)) {
        const r = JSON.parse(l) as Record<string, unknown>;
        const kind = Object.keys(r)[0]!;
        const k = kind === 't' ? 'p' : kind;
        n[k] = (n[k] ?? 0) + (kind === 't' ? (r.t as unknown[]).length : 1);
      }
      return n;
    };
    const before = fs.readFileSync(cache, 'utf8');
    // 5 code files and 3 manifests: an entry and a stat record each; and the run's result.
    assert.deepEqual(records(before), { h: 8, p: 8, m: 1 });
    fs.appendFileSync(path.join(cwd, 'services/checkout/src/prices.ts'), '\n// touched\n');
    await assertSameAsUncached(cwd);
    const after = fs.readFileSync(cache, 'utf8');
    assert.ok(after.startsWith(before), 'appended, not rewritten');
    // The file's new stat and its new entry, nothing else: its facts are those it had, so the
    // stored result still holds and is not written again.
    assert.deepEqual(after.slice(before.length).trimEnd().split('\n').map((l) => Object.keys(JSON.parse(l))[0]), ['p', 'h']);
    fs.rmSync(path.join(cwd, 'services/checkout'), { recursive: true });
    fs.rmSync(path.join(cwd, 'k8s/checkout.yaml'));
    await assertSameAsUncached(cwd);
    const compacted = fs.readFileSync(cache, 'utf8');
    assert.ok(!compacted.startsWith(before), 'rewritten');
    // What is left: catalog's index.js and two manifests, an entry and a stat record each, and the result.
    assert.deepEqual(records(compacted), { h: 3, p: 3, m: 1 });
  });

  it('never keeps a result beside the one that replaces it: cut off when it is the last record, else rewritten', async () => {
    const cwd = demoCopy();
    const cache = path.join(cwd, '.replicalintcache');
    const read = () => fs.readFileSync(cache, 'utf8');
    const results = () => read().split('\n').filter((l) => l.startsWith('{"m":')).length;
    await assertSameAsUncached(cwd);
    const prices = path.join(cwd, 'services/checkout/src/prices.ts');
    const text = fs.readFileSync(prices, 'utf8');
    for (const edit of ['// one\n', '// one\n// two\n']) {
      const before = read();
      fs.writeFileSync(prices, edit + text);
      assert.match(await assertSameAsUncached(cwd), /^rule /m, 'lines moved: a new result');
      // Everything up to the old result kept, the old result gone, the new records after.
      const kept = before.slice(0, before.lastIndexOf('{"m":'));
      assert.ok(read().startsWith(kept) && !read().startsWith(before), 'cut off and appended');
      assert.equal(results(), 1);
    }
    const before = read();
    await assertSameAsUncached(cwd, ['--rule', 'module-state']);
    assert.ok(read().startsWith(before), 'another invocation: appended');
    assert.equal(results(), 2);
    const other = read().trimEnd().split('\n').pop()!;
    // The full run's result is no longer the last record: the file is rewritten, with both results.
    fs.writeFileSync(prices, text);
    assert.match(await assertSameAsUncached(cwd), /^rule /m);
    assert.ok(!read().startsWith(before.slice(0, before.indexOf('{"m":'))), 'rewritten');
    assert.equal(results(), 2);
    assert.ok(read().includes(other), 'the other result kept as it was');
    assert.doesNotMatch(await assertSameAsUncached(cwd), /^rule /m, 'the full run kept its result');
  });

  it('writes the file in ASCII, and gives the same findings for names and code outside ASCII', async () => {
    const project = writeProject({
      'package.json': JSON.stringify({ name: 'café', dependencies: { express: '4' } }),
      'src/größe.ts': "import express from 'express';\nconst app = express();\nconst zähler = new Map<string, number>();\napp.get('/tür', (req, res) => { zähler.set('→ ✓ 😀', 1); res.send('grüße 😀'); });\napp.listen(3000);\n",
    });
    const old = new Date(Date.now() - 3600_000);
    for (const f of ['package.json', 'src/größe.ts']) fs.utimesSync(path.join(project, f), old, old);
    await assertSameAsUncached(project);
    const bytes = fs.readFileSync(path.join(project, '.replicalintcache'));
    assert.ok(bytes.every((b) => b < 0x80), 'ASCII only');
    assert.match(bytes.toString('latin1'), /gr\\u00f6\\u00dfe\.ts/);
    const warm = await assertSameAsUncached(project);
    assert.doesNotMatch(warm, /^rule |parse code/m);
    const { stdout } = await runCli(['-f', 'json', '--cache'], { cwd: project });
    assert.match(stdout, /"file": "src\/größe\.ts"/);
  });

  it('keys content by how it is read: code by its extension, YAML by whether its path is a kustomization', () => {
    const text = 'resources: [a.yaml]\n';
    const key = (kind: string, name: string, p = name) => FileCache.hash({ kind, name, path: p }, text);
    assert.notEqual(key('code', 'a.ts'), key('code', 'a.js'));
    assert.notEqual(key('code', 'a.ts'), key('yaml', 'a.ts'));
    assert.notEqual(key('yaml', 'k/kustomization.yaml'), key('yaml', 'k/deploy.yaml'));
    // Stdin named like a kustomization is not read as one (its path is `-`).
    assert.notEqual(key('yaml', 'kustomization.yaml', '-'), key('yaml', 'kustomization.yaml'));
    assert.equal(key('yaml', 'a.yaml'), key('yaml', 'b.yml'));
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

  it('writes in place only under its lock: while another run holds it the file is rewritten, and a lock left by a dead run is removed', () => {
    const file = path.join(tempDir('replicalint-cache-'), 'cache');
    const lock = `${file}.lock`;
    const warn = (m: string) => assert.fail(m);
    const first = FileCache.open(file, '1.0.0', warn);
    first.set('a', { yaml: { docs: [] } });
    first.save(warn);
    const ino = () => fs.statSync(file).ino;
    const appendOne = (hash: string) => {
      const c = FileCache.open(file, '1.0.0', warn);
      c.get('a');
      c.set(hash, { yaml: { docs: [] } });
      c.save(warn);
    };
    const before = ino();
    appendOne('b');
    assert.equal(ino(), before, 'appended in place');
    assert.ok(!fs.existsSync(lock), 'the lock is released');
    // Another run is writing in place: this one writes a new file instead.
    fs.writeFileSync(lock, '');
    appendOne('c');
    assert.notEqual(ino(), before, 'rewritten');
    assert.ok(fs.existsSync(lock), "the other run's lock is left alone");
    // A lock a minute old was left by a run that died: removed (that run still rewrites), and the next run appends again.
    const old = Date.now() / 1000 - 120;
    fs.utimesSync(lock, old, old);
    appendOne('d');
    assert.ok(!fs.existsSync(lock));
    const now = ino();
    appendOne('e');
    assert.equal(ino(), now, 'appended in place again');
    // A rewrite keeps what its run used: the first entry and its own.
    const hashes = fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(1).map((l) => (JSON.parse(l) as { h: string }).h);
    assert.deepEqual(hashes, ['a', 'd', 'e']);
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
