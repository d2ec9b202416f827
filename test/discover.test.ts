import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { classify, discover } from '../src/discover.js';
import { UsageError } from '../src/errors.js';
import { writeProject } from './helpers.js';

const names = async (cwd: string, args: string[] = ['.'], readStdin?: () => Promise<string>) =>
  (await discover(args, { cwd, readStdin })).map((f) => `${f.kind} ${f.name}`);

describe('classify', () => {
  it('reads code, YAML, Dockerfiles and package.json, and nothing else', () => {
    assert.equal(classify('src/a.ts'), 'code');
    assert.equal(classify('src/a.cjs'), 'code');
    assert.equal(classify('src/view.jsx'), 'code');
    assert.equal(classify('src/a.d.ts'), undefined);
    assert.equal(classify('types/x.d.mts'), undefined);
    assert.equal(classify('k8s/app.yml'), 'yaml');
    assert.equal(classify('Dockerfile'), 'dockerfile');
    assert.equal(classify('api.Dockerfile'), 'dockerfile');
    assert.equal(classify('docker/dockerfile'), 'dockerfile');
    assert.equal(classify('worker.dockerfile'), 'dockerfile');
    assert.equal(classify('src/dockerfile.ts'), 'code');
    assert.equal(classify('Containerfile'), 'dockerfile');
    assert.equal(classify('Dockerfile.prod'), 'dockerfile');
    assert.equal(classify('Dockerfile.md'), undefined);
    assert.equal(classify('gateway/Dockerfile-prod'), 'dockerfile');
    assert.equal(classify('Dockerfile_dev'), 'dockerfile');
    assert.equal(classify('Dockerfile-notes.txt'), undefined);
    assert.equal(classify('Dockerfiles'), undefined);
    assert.equal(classify('src/Dockerfile-generator.js'), 'code');
    assert.equal(classify('Dockerfile-compose.yml'), 'yaml');
    assert.equal(classify('Dockerfile-prod.sh'), undefined);
    assert.equal(classify('package.json'), 'package-json');
    assert.equal(classify('tsconfig.json'), undefined);
    assert.equal(classify('README.md'), undefined);
  });
});

describe('discover', () => {
  it("skips node_modules, dist, build, coverage, .git and Yarn's own files, and test files", async () => {
    const dir = writeProject({
      'src/server.ts': '',
      'src/server.test.ts': '',
      'src/workflow.controller.e2e.ts': '',
      'test/app.e2e-spec.ts': '',
      'src/__tests__/x.ts': '',
      'node_modules/express/index.js': '',
      'dist/server.js': '',
      'build/out.js': '',
      'coverage/lcov.js': '',
      '.git/hooks/x.js': '',
      '.yarn/releases/yarn-4.5.0.cjs': '',
      '.yarn/plugins/@yarnpkg/plugin-workspace-tools.cjs': '',
      '.pnp.cjs': '',
      '.pnp.loader.mjs': '',
      'k8s/deploy.yaml': '',
    });
    assert.deepEqual(await names(dir), ['yaml k8s/deploy.yaml', 'code src/server.ts']);
  });

  it('honours .gitignore files, nested ones and negations, and ones above the linted folder', async () => {
    const dir = writeProject({
      '.git/HEAD': '',
      '.gitignore': 'generated/\n*.gen.ts\n',
      'svc/.gitignore': 'tmp.yaml\n!keep.gen.ts\n',
      'svc/a.ts': '',
      'svc/b.gen.ts': '',
      'svc/keep.gen.ts': '',
      'svc/tmp.yaml': '',
      'svc/ok.yaml': '',
      'svc/generated/c.ts': '',
    });
    assert.deepEqual(await names(dir), ['code svc/a.ts', 'code svc/keep.gen.ts', 'yaml svc/ok.yaml']);
    // Linting the sub-folder alone still honours the root .gitignore.
    assert.deepEqual(await names(path.join(dir, 'svc')), ['code a.ts', 'code keep.gen.ts', 'yaml ok.yaml']);
  });

  it('never enters an ignored folder: a negation cannot bring back a file inside it, as in git', async () => {
    const dir = writeProject({
      '.gitignore': 'out/\n!out/keep.ts\nlogs\n',
      'out/keep.ts': '',
      'out/deep/x.yaml': '',
      'src/logs/app.ts': '',
      'src/main.ts': '',
      'src/.hidden/deploy.yaml': '',
    });
    assert.deepEqual(await names(dir), ['yaml src/.hidden/deploy.yaml', 'code src/main.ts']);
  });

  it('reads the files of a folder a deeper .gitignore re-includes, as git does', async () => {
    // The root excludes every `gen`; svc/.gitignore takes its own back: git lists svc/gen/x.ts.
    const dir = writeProject({ '.git/HEAD': '', '.gitignore': 'gen\n', 'svc/.gitignore': '!gen\n', 'svc/gen/x.ts': '', 'gen/y.ts': '' });
    assert.deepEqual(await names(dir), ['code svc/gen/x.ts']);
  });

  it('finds nothing in a linted folder that a .gitignore or the config excludes', async () => {
    const dir = writeProject({ '.git/HEAD': '', '.gitignore': 'generated\n', 'generated/a.ts': '', 'legacy/b.ts': '', 'src/c.ts': '' });
    assert.deepEqual(await names(dir, ['generated']), []);
    const found = await discover(['legacy', 'src'], { cwd: dir, ignore: { dir, patterns: ['legacy/'] } });
    assert.deepEqual(found.map((f) => f.name), ['src/c.ts']);
  });

  it("honours the repository's .git/info/exclude, under every .gitignore", async () => {
    const dir = writeProject({ '.git/info/exclude': 'local.ts\n*.gen.ts\n', '.gitignore': '!keep.gen.ts\n', 'local.ts': '', 'a.gen.ts': '', 'keep.gen.ts': '', 'b.ts': '' });
    assert.deepEqual(await names(dir), ['code b.ts', 'code keep.gen.ts']);
  });

  it('finds the exclude file of a worktree or submodule, whose .git is a file', async () => {
    const dir = writeProject({
      'main/.git/info/exclude': 'local.ts\n',
      'main/.git/worktrees/wt/commondir': '../..\n',
      'wt/local.ts': '',
      'wt/b.ts': '',
    });
    fs.writeFileSync(path.join(dir, 'wt', '.git'), `gitdir: ${path.join(dir, 'main', '.git', 'worktrees', 'wt')}\n`);
    assert.deepEqual(await names(path.join(dir, 'wt')), ['code b.ts']);
  });

  it('applies only its own rules inside a nested repository, whichever folder is linted', async () => {
    const dir = writeProject({ '.git/HEAD': '', '.gitignore': '*.gen.ts\n', 'svc/.git/HEAD': '', 'svc/.gitignore': 'tmp.ts\n', 'svc/a.gen.ts': '', 'svc/tmp.ts': '', 'b.gen.ts': '' });
    assert.deepEqual(await names(dir), ['code svc/a.gen.ts']);
    assert.deepEqual(await names(dir, ['svc']), ['code svc/a.gen.ts']);
  });

  it('does not read a .gitignore that is a symbolic link, as git does not', async () => {
    const dir = writeProject({ '.git/HEAD': '', 'shared/ignore': 'a.ts\n', 'app/a.ts': '' });
    fs.symlinkSync(path.join(dir, 'shared', 'ignore'), path.join(dir, 'app', '.gitignore'));
    assert.deepEqual(await names(dir, ['app']), ['code app/a.ts']);
  });

  it("reads the config's ignore patterns after every .gitignore, nested ones included", async () => {
    const dir = writeProject({ '.git/HEAD': '', 'svc/.gitignore': '!*.gen.ts\n', 'svc/a.gen.ts': '', 'svc/b.ts': '' });
    const found = await discover(['.'], { cwd: dir, ignore: { dir, patterns: ['*.gen.ts'] } });
    assert.deepEqual(found.map((f) => f.name), ['svc/b.ts']);
  });

  it('outside a repository, honours the .gitignore files from the working directory down', async () => {
    const dir = writeProject({ '.gitignore': 'generated/\n', 'svc/a.ts': '', 'svc/generated/b.ts': '' });
    assert.deepEqual(await names(dir), ['code svc/a.ts']);
    assert.deepEqual(await names(dir, ['svc']), ['code svc/a.ts']);
  });

  it('never follows symlinks, to folders or to files', async () => {
    const dir = writeProject({ 'real/app.ts': '', 'outside/secret.yaml': '' });
    fs.symlinkSync(path.join(dir, 'outside'), path.join(dir, 'real', 'linked-dir'));
    fs.symlinkSync(path.join(dir, 'outside', 'secret.yaml'), path.join(dir, 'real', 'linked.yaml'));
    assert.deepEqual(await names(dir, ['real']), ['code real/app.ts']);
  });

  it('always reads explicit file arguments, even ignored or skipped ones', async () => {
    const dir = writeProject({ '.gitignore': 'ignored.yaml\n', 'ignored.yaml': '', 'node_modules/x/deploy.yaml': '', 'a.test.ts': '' });
    assert.deepEqual(await names(dir, ['ignored.yaml', 'node_modules/x/deploy.yaml', 'a.test.ts']), [
      'yaml ignored.yaml',
      'code a.test.ts',
      'yaml node_modules/x/deploy.yaml',
    ].sort((a, b) => a.split(' ')[1]!.localeCompare(b.split(' ')[1]!)));
  });

  it('reads a file without an extension in bin/ as code when it starts with a Node shebang', async () => {
    const dir = writeProject({
      'bin/www': "#!/usr/bin/env node\nrequire('../app');\n",
      'bin/server': '#!/usr/bin/env -S node --max-old-space-size=512\n',
      'bin/worker': '#!/usr/local/bin/node\n',
      'bin/setup': '#!/bin/sh\nnpm ci\n',
      'bin/tool': '#!/usr/bin/env ts-node\n',
      'bin/deno-task': '#!/usr/bin/env deno run\n',
      'bin/old.orig': '#!/usr/bin/env node\n',
      'LICENSE': 'MIT\n',
      'Procfile': 'web: node bin/www\n',
      '.gitignore': 'bin/ignored\n',
      'bin/ignored': '#!/usr/bin/env node\n',
      'tools/release': '#!/usr/bin/env node\n',
    });
    assert.deepEqual(await names(dir), ['code bin/server', 'code bin/worker', 'code bin/www']);
    // Named on the command line, the shebang decides wherever the file is.
    assert.deepEqual(await names(dir, ['bin/www', 'bin/setup', 'tools/release']), ['code bin/www', 'code tools/release']);
  });

  it('reads manifests from stdin for -', async () => {
    const dir = writeProject({ 'a.yaml': '' });
    const files = await discover(['-', 'a.yaml'], { cwd: dir, readStdin: async () => 'kind: Pod' });
    assert.deepEqual(files.map((f) => [f.kind, f.name, f.text]), [
      ['yaml', 'a.yaml', undefined],
      ['yaml', '<stdin>', 'kind: Pod'],
    ]);
  });

  it('applies the config ignore patterns to walked folders', async () => {
    const dir = writeProject({ 'a.ts': '', 'legacy/b.ts': '' });
    const files = await discover(['.'], { cwd: dir, ignore: { dir, patterns: ['legacy/'] } });
    assert.deepEqual(files.map((f) => f.name), ['a.ts']);
  });

  it('rejects a path that does not exist', async () => {
    const dir = writeProject({});
    await assert.rejects(discover(['nope'], { cwd: dir }), UsageError);
  });
});
