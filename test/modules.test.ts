import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyFacts } from '../src/code/facts.js';
import { ModuleIndex } from '../src/code/modules.js';
import type { Package } from '../src/model.js';

function index(files: string[]): ModuleIndex {
  const pkg: Package = { dir: '/repo', folder: '.', files: files.map((f) => emptyFacts(f)), dockerfiles: [] };
  return new ModuleIndex([pkg]);
}

describe('module resolution', () => {
  it('finds a file by its path without extension, .ts before .js, a file before a folder index', () => {
    const m = index(['src/db.js', 'src/db.ts', 'src/db/index.ts', 'src/util/index.js', 'src/util/index.ts', 'src/esm.mts']);
    assert.equal(m.resolveImport('src/main.ts', './db')?.file, 'src/db.ts');
    assert.equal(m.resolveImport('src/main.ts', './db.js')?.file, 'src/db.js');
    assert.equal(m.resolveImport('src/main.ts', './util')?.file, 'src/util/index.ts');
    assert.equal(m.resolveImport('src/main.ts', './esm')?.file, 'src/esm.mts');
    assert.equal(m.resolveImport('src/main.ts', './esm.mjs')?.file, 'src/esm.mts');
    assert.equal(m.resolveImport('src/main.ts', './es'), undefined);
  });
});
