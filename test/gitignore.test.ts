import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GitIgnore, parseLine, PatternIndex } from '../src/gitignore.js';

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
  // A reversed range matches only its first character; an unclosed class, an unknown class name
  // or a doubled trailing slash make a pattern git never matches.
  ['[z-a].ts', 'z.ts', false, true],
  ['[z-a].ts', 'b.ts', false, undefined],
  ['x[.ts', 'x[.ts', false, undefined],
  ['[[:nope:]]x', 'ax', false, undefined],
  ['foo//', 'foo', true, undefined],
  // An escaped slash is a slash; `***` is `**`; a class never matches a slash.
  ['sub\\/c.ts', 'sub/c.ts', false, true],
  ['a/***/b.ts', 'a/x/y/b.ts', false, true],
  ['[/ab]', 'b', true, true],
  // Bytes, as git matches them: `?` is one byte, and é is two.
  ['?.ts', 'é.ts', false, undefined],
  ['??.ts', 'é.ts', false, true],
  ['[[:print:]].ts', 'a.ts', false, true],
  // An escaped backslash does not escape the space after it.
  ['dir\\\\ ', 'dir\\', true, true],
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

  it('reads a file with a byte-order mark or a lone CR at its end', () => {
    assert.equal(new GitIgnore('\ufeffa.ts\n', false).test('a.ts', false), true);
    assert.equal(new GitIgnore('b.ts\na.ts\r', false).test('a.ts', false), true);
  });

  it('keeps the other patterns of a file when one can never match', () => {
    const g = new GitIgnore('a.ts\nx[\n[[:nope:]]\n', false);
    assert.equal(g.test('a.ts', false), true);
    assert.equal(g.test('x[', false), undefined);
  });

  it('matches a class holding a slash without ever matching the slash', () => {
    assert.equal(new GitIgnore('x[b/-9]', false).test('x5', false), true);
    assert.equal(new GitIgnore('x/a[.-0]b', false).test('x/a/b', false), undefined);
  });

  // A backtracking matcher would not finish this in a lifetime; the timeout only keeps a regression from hanging the run.
  it('matches many stars without backtracking past the last one', { timeout: 10_000 }, () => {
    assert.equal(new GitIgnore('*a*a*a*a*a*a*a*b', false).test('a'.repeat(200), false), undefined);
    assert.equal(new GitIgnore('*a*a*a*a*a*a*a*b', false).test(`${'a'.repeat(200)}b`, false), true);
  });

  it('folds only ASCII letters when ignoring case', () => {
    const g = new GitIgnore('Gen/\n\u00c9.ts\n', true);
    assert.equal(g.test('src/GEN', true), true);
    assert.equal(g.test('\u00e9.ts', false), undefined);
  });

  it('reads CRLF files, and patterns added later win', () => {
    const g = new GitIgnore('*.gen.ts\r\nout/\r\n', false);
    assert.equal(g.test('a.gen.ts', false), true);
    assert.equal(g.test('out', true), true);
    assert.equal(g.add(['!a.gen.ts']).test('a.gen.ts', false), false);
  });
});

describe('GitIgnore with many patterns, each tried only against the paths that could match it', () => {
  /** 200 patterns no path below matches, filed under their plain characters, before the patterns of each case. */
  const filler = Array.from({ length: 100 }, (_, i) => `fill-${i}-*\n/fill${i}/**/cache*`).join('\n');
  const many: [patterns: string, path: string, isDir: boolean, verdict: boolean | undefined, ignoreCase?: boolean][] = [
    // The last matching pattern wins, whatever each is filed under (`*.log` by its end, `debug-*` by its start).
    ['*.log\n!debug-*', 'debug-1.log', false, false],
    ['!debug-*\n*.log', 'debug-1.log', false, true],
    ['tmp-*\n!tmp-keep', 'tmp-keep', false, false],
    ['tmp-*\n!tmp-keep', 'tmp-other', false, true],
    ['!tmp-keep\ntmp-*', 'tmp-keep', false, true],
    // Plain starts of several lengths: `a*`, `ab*` and `abc` are all looked up for `abc`.
    ['a*\n!ab*\nabc', 'abc', false, true],
    ['abc\n!ab*', 'abc', false, false],
    ['ab*\n!a*', 'abx', false, false],
    // Folders only; a negation of the name without the slash.
    ['build/\n!build', 'build', true, false],
    ['!build\nbuild/', 'build', true, true],
    ['build/', 'build', false, undefined],
    // Anchored: by the first folder (`out1` is a start of `out10`, which must not match).
    ['/out1/**/cache*', 'out1/a/cache-1', false, true],
    ['/out1/**/cache*', 'out10/a/cache-1', false, undefined],
    ['/out1/**/cache*\n/out10/**/cache*', 'out1/a/cache-1', false, true],
    ['/out1/**/cache*', 'src/out1/a/cache', false, undefined],
    ['/out1/**/cache*\n!cache-keep', 'out1/cache-keep', false, false],
    ['/out1', 'out1', true, true],
    ['/out1', 'src/out1', true, undefined],
    // `**` in front: by the name.
    ['**/cache\n!/src/**', 'src/a/cache', true, false],
    ['!/src/**\n**/cache', 'src/a/cache', true, true],
    ['out1/**', 'out1/x/y.js', false, true],
    // Classes and `?` end the plain start; escapes are plain.
    ['[Tt]mp-*', 'Tmp-1', false, true],
    ['[abc]*.log', 'b1.log', false, true],
    ['[abc]*.log', 'd1.log', false, undefined],
    ['?mp-*', 'tmp-9', false, true],
    ['\\!keep', '!keep', false, true],
    ['\\!keep', 'keep', false, undefined],
    ['*\n!\\*.log', '*.log', false, false],
    // Patterns filed under nothing are tried against every path.
    ['*\n!*.js', 'm1.js', false, false],
    ['!*.js\n*', 'm1.js', false, true],
    // Case: folded when ignored, and only then.
    ['TMP-*\n!Tmp-Keep', 'tmp-keep', false, false, true],
    ['TMP-*', 'Tmp-1', false, true, true],
    ['TMP-*', 'tmp-1', false, undefined, false],
    ['/OUT1/**/Cache*', 'out1/a/CACHE', false, true, true],
    ['*.LOG', 'a.log', false, true, true],
    ['*.LOG', 'a.log', false, undefined, false],
  ];
  for (const [patterns, path, isDir, verdict, ignoreCase = false] of many) {
    it(`${JSON.stringify(patterns)} on ${path}${isDir ? '/' : ''}${ignoreCase ? ' ignoring case' : ''} → ${verdict}`, () => {
      assert.equal(new GitIgnore(`${filler}\n${patterns}`, ignoreCase).test(path, isDir), verdict);
    });
  }

  it('files each pattern once, under the rarest of its plain start, its plain end and an anchored pattern\'s first folder', () => {
    const lines = [...Array.from({ length: 3 }, (_, i) => `/out${i}/**/cache*`), 'tmp-1-*', '*.log', 'debug-*.log', '*', '[ab]?', '**/x/**'];
    const index = new PatternIndex(lines.map((l) => parseLine(l)!), false);
    // Patterns 6 to 8 are filed under nothing; `/out1/**/cache*` under its first folder (`cache` starts three names), `debug-*.log` under its start (`.log` ends two).
    assert.deepEqual(index.candidates('cache-2', 'out1'), [[6, 7, 8], [1]]);
    assert.deepEqual(index.candidates('debug-1.log', 'debug-1.log'), [[6, 7, 8], [5], [4]]);
    assert.deepEqual(index.candidates('tmp-1-a', 'tmp-1-a'), [[6, 7, 8], [3]]);
    assert.deepEqual(index.candidates('m1.js', 'src'), [[6, 7, 8]]);
  });
});
