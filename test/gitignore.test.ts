import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GitIgnore } from '../src/gitignore.js';

/** Verdicts as git gives them for an entry whose folders are not excluded (checked with `git ls-files --others --exclude-standard`). */
const cases: [patterns: string, path: string, isDir: boolean, verdict: boolean | undefined][] = [
  // No slash: a name at any depth.
  ['*.log', 'a.log', false, true],
  ['*.log', 'deep/er/a.log', false, true],
  ['*.log', 'a.log.ts', false, undefined],
  ['gen', 'src/gen', true, true],
  ['gen', 'src/gen', false, true],
  // A trailing slash: folders only.
  ['tmp/', 'tmp', false, undefined],
  ['tmp/', 'a/tmp', true, true],
  // A slash: relative to the .gitignore's folder.
  ['/dist', 'dist', true, true],
  ['/dist', 'pkg/dist', true, undefined],
  ['docs/*.md', 'docs/a.md', false, true],
  ['docs/*.md', 'x/docs/a.md', false, undefined],
  ['docs/*.md', 'docs/sub/a.md', false, undefined],
  // `**`.
  ['**/gen', 'gen', true, true],
  ['**/gen', 'a/b/gen', true, true],
  ['a/**', 'a', true, undefined],
  ['a/**', 'a/b/c.ts', false, true],
  ['a/**/c.ts', 'a/c.ts', false, true],
  ['a/**/c.ts', 'a/x/y/c.ts', false, true],
  ['a/**/c.ts', 'b/a/c.ts', false, undefined],
  // `?` and classes never match `/`.
  ['?.ts', 'a.ts', false, true],
  ['?.ts', 'ab.ts', false, undefined],
  ['[ab].ts', 'b.ts', false, true],
  ['[!a]*.ts', 'a.ts', false, undefined],
  ['[!a]*.ts', 'b.ts', false, true],
  ['[[:digit:]]x', '7x', false, true],
  // The last matching pattern wins; `!` re-includes.
  ['*.ts\n!keep.ts', 'keep.ts', false, false],
  ['!keep.ts\n*.ts', 'keep.ts', false, true],
  // Comments, blank lines, escapes, trailing spaces.
  ['# a.ts\n\n', 'a.ts', false, undefined],
  ['\\#a.ts', '#a.ts', false, true],
  ['\\!a.ts', '!a.ts', false, true],
  ['a.ts   ', 'a.ts', false, true],
  ['a.ts\\ ', 'a.ts ', false, true],
  // Case-sensitive, as git is on Linux.
  ['Gen', 'gen', true, undefined],
];

describe('GitIgnore', () => {
  for (const [patterns, path, isDir, verdict] of cases) {
    it(`${JSON.stringify(patterns)} on ${path}${isDir ? '/' : ''} → ${verdict}`, () => {
      assert.equal(new GitIgnore(patterns, false).test(path, isDir), verdict);
    });
  }

  it('ignores case when asked (macOS and Windows, like git there)', () => {
    assert.equal(new GitIgnore('Gen/', true).test('src/gen', true), true);
  });

  it('reads CRLF files, and patterns added later win', () => {
    const g = new GitIgnore('*.gen.ts\r\nout/\r\n', false);
    assert.equal(g.test('a.gen.ts', false), true);
    assert.equal(g.test('out', true), true);
    assert.equal(g.add(['!a.gen.ts']).test('a.gen.ts', false), false);
  });
});
