import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempDir, writeProject } from './helpers.js';

/** Sets every folder's modification time an hour back: a folder changed just now is not trusted by a stored discovery. */
function settle(dir: string): void {
  const old = Date.now() / 1000 - 3600;
  const visit = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) visit(path.join(d, e.name));
    fs.utimesSync(d, old, old);
  };
  visit(dir);
}

const TIMER = "setInterval(() => console.log('tick'), 1000);\n";

describe('a stored discovery (--cache)', () => {
  const dir = writeProject({
    '.gitignore': 'generated/\n',
    'services/api/package.json': '{"name":"api","scripts":{"start":"node src/server.js"},"dependencies":{"express":"^4.19.0"}}\n',
    'services/api/src/server.js': "const express = require('express');\nconst app = express();\napp.get('/healthz', (req, res) => res.send('ok'));\napp.listen(3000);\n",
    'services/api/src/generated/poller.js': TIMER,
    'services/api/bin/worker': TIMER,
  });
  const cache = path.join(tempDir(), 'cache');
  const cached = async () => {
    const r = await runCli(['.', '--cache', '--cache-location', cache, '--format', 'json'], { cwd: dir, env: { REPLICALINT_TIMING: '1' } });
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    return { out: r.stdout, reused: /^check stored discovery /m.test(r.stderr) && !/^discover /m.test(r.stderr) };
  };
  const uncached = async () => (await runCli(['.', '--format', 'json'], { cwd: dir })).stdout;

  it('is given again while nothing changed, and dropped when a folder, an ignore file or a shebang changes', async () => {
    settle(dir);
    const first = await cached();
    assert.equal(first.reused, false);
    const again = await cached();
    assert.equal(again.reused, true);
    assert.equal(again.out, first.out);
    assert.equal(again.out, await uncached());
    let before = again.out;

    // A new file: its folder's times move, so the folders are listed again.
    fs.writeFileSync(path.join(dir, 'services/api/src/jobs.js'), TIMER);
    const added = await cached();
    assert.equal(added.reused, false);
    assert.equal(added.out, await uncached());
    assert.notEqual(added.out, before);
    // Changed just now, the folder is not trusted: listed again next time too.
    assert.equal((await cached()).reused, false);
    settle(dir);
    assert.equal((await cached()).reused, false);
    assert.equal((await cached()).reused, true);
    before = added.out;

    // The .gitignore edited in place (no folder changes): what it ignored is linted now.
    fs.writeFileSync(path.join(dir, '.gitignore'), '# nothing ignored\n');
    const unignored = await cached();
    assert.equal(unignored.reused, false);
    assert.equal(unignored.out, await uncached());
    assert.notEqual(unignored.out, before);
    before = unignored.out;
    assert.equal((await cached()).reused, true);

    // A file in bin/ gains a Node shebang: it becomes code.
    fs.writeFileSync(path.join(dir, 'services/api/bin/worker'), `#!/usr/bin/env node\n${TIMER}`);
    const script = await cached();
    assert.equal(script.reused, false);
    assert.equal(script.out, await uncached());
    assert.notEqual(script.out, before);
    before = script.out;

    // A file renamed, and a folder removed.
    settle(dir);
    await cached();
    fs.renameSync(path.join(dir, 'services/api/src/jobs.js'), path.join(dir, 'services/api/src/jobs.test.js'));
    const renamed = await cached();
    assert.equal(renamed.reused, false);
    assert.equal(renamed.out, await uncached());
    assert.notEqual(renamed.out, before);
    settle(dir);
    await cached();
    fs.rmSync(path.join(dir, 'services/api/src/generated'), { recursive: true });
    const removed = await cached();
    assert.equal(removed.reused, false);
    assert.equal(removed.out, await uncached());
    assert.notEqual(removed.out, renamed.out);
  });

  it('is not used for another path, or with stdin', async () => {
    settle(dir);
    await cached();
    assert.equal((await cached()).reused, true);
    const sub = await runCli(['services', '--cache', '--cache-location', cache, '--format', 'json'], { cwd: dir, env: { REPLICALINT_TIMING: '1' } });
    assert.match(sub.stderr, /^discover /m);
    const stdin = await runCli(['.', '-', '--cache', '--cache-location', cache, '--format', 'json'], { cwd: dir, env: { REPLICALINT_TIMING: '1' }, stdin: '' });
    assert.match(stdin.stderr, /^discover /m);
  });
});
