import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { FsProbe } from '../src/probe.js';
import { ROOT, tempDir } from './helpers.js';

/** Source files (relative to the repository) under these folders. */
function sources(...dirs: string[]): string[] {
  return dirs.flatMap((d) => (fs.readdirSync(path.join(ROOT, d), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => path.posix.join(d, f.split(path.sep).join('/'))));
}

describe('FsProbe', () => {
  it('remembers each answer and tells when one changed', () => {
    const dir = tempDir();
    const pkg = path.join(dir, 'package.json');
    fs.writeFileSync(pkg, '{"name":"a"}');
    const probe = new FsProbe();
    assert.equal(probe.exists(path.join(dir, '.git')), false);
    assert.equal(probe.read(pkg), '{"name":"a"}');
    assert.throws(() => probe.read(path.join(dir, 'tsconfig.json')));
    const log = probe.log();
    assert.equal(log.length, 3);
    assert.ok(FsProbe.stillHolds(log));
    fs.writeFileSync(pkg, '{"name":"b"}');
    assert.ok(!FsProbe.stillHolds(log), 'contents changed');
    fs.writeFileSync(pkg, '{"name":"a"}');
    assert.ok(FsProbe.stillHolds(log));
    fs.mkdirSync(path.join(dir, '.git'));
    assert.ok(!FsProbe.stillHolds(log), 'a folder appeared');
    fs.rmdirSync(path.join(dir, '.git'));
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), '{}');
    assert.ok(!FsProbe.stillHolds(log), 'a file that could not be read now can');
  });

  it('is the only way the model and the rules read the file system, so a stored result knows everything it read', () => {
    // The linted files are read by the engine (run.ts), which fingerprints them; discovery's
    // output is compared whole; the CLI, the config (part of the key), the cache and the code
    // cache loader read their own files.
    const direct = sources('src', 'rules').filter((f) => /(?:from |import\(|require\()['"](?:node:)?fs(?:\/promises)?['"]|readText\(/.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    assert.deepEqual(direct.sort(), ['src/cache.ts', 'src/cli.ts', 'src/code/typescript.ts', 'src/compile-cache.ts', 'src/config.ts', 'src/discover.ts', 'src/probe.ts', 'src/read.ts', 'src/run.ts']);
  });
});
