import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDirectives } from '../src/suppress.js';

/** Each directive as scope, rules, target and span. */
const found = (text: string) => parseDirectives(text).map((d) => `${d.scope} ${d.rules.join(',') || '*'} -> ${d.target} at ${d.line}:${d.column}-${d.endLine}:${d.endColumn}${d.reason ? ` (${d.reason})` : ''}`);

describe('parseDirectives', () => {
  it('locates directives by line and column, also after Windows line breaks', () => {
    const text = '/* replicalint-disable-file module-state */\nconst a = 1;\r\n\r\n  // replicalint-disable-next-line a-b, c -- why\nx(); // replicalint-disable-line\n';
    assert.deepEqual(found(text), ['file module-state -> 1 at 1:1-1:44', 'next-line a-b,c -> 5 at 4:3-4:49 (why)', 'line * -> 5 at 5:6-5:33']);
  });

  it('skips directives inside block comments and strings, and takes those after a comment closes', () => {
    const text = [
      '/*',
      ' * // replicalint-disable-next-line a',
      ' */ // replicalint-disable-line b',
      "const s = '// replicalint-disable-line c';",
      '/* x */ /* replicalint-disable-line d */',
      "const open = '/*';",
      '// replicalint-disable-line e',
      '// */ // replicalint-disable-line f',
      '#replicalint-disable-line g',
    ].join('\n');
    assert.deepEqual(found(text), ['line b -> 3 at 3:5-3:34', 'line d -> 5 at 5:9-5:41', 'line f -> 8 at 8:7-8:36', 'line g -> 9 at 9:1-9:28']);
  });

  it('reads block-comment directives on Windows lines, and a second directive after one on the same line', () => {
    const text = 'a();\r\n/* replicalint-disable-next-line module-state */\r\nb(); /* replicalint-disable-line a */ c(); // replicalint-disable-line b -- why\r\n';
    assert.deepEqual(found(text), ['next-line module-state -> 3 at 2:1-2:49', 'line a -> 3 at 3:6-3:38', 'line b -> 3 at 3:44-3:80 (why)']);
  });

  it('takes `#` directives of YAML only where `#` starts a comment', () => {
    const text = '# replicalint-disable-file\nimage: a#replicalint-disable-line b\nimage: a # replicalint-disable-line c\n/* # replicalint-disable-line d\n';
    assert.deepEqual(found(text), ['file * -> 1 at 1:1-1:27', 'line c -> 3 at 3:10-3:38', 'line d -> 4 at 4:4-4:32']);
  });
});
