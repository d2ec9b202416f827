import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, where } from '../helpers.js';

const RULE = 'parse-error';

describe(RULE, () => {
  it('reports each broken file once, at the parser position, and nothing else from it', async () => {
    const { findings } = await lintDir(`${FIXTURES}/rules/${RULE}`, { paths: ['broken.yaml', 'valid.yaml', 'Dockerfile', 'svc'] });
    assert.deepEqual(where(findings), [`${RULE} broken.yaml:7`, `${RULE} svc/package.json:4`, `${RULE} svc/src/server.ts:6`]);
    assert.deepEqual(
      findings.map((f) => f.message),
      [
        'syntax error: Tabs are not allowed as indentation',
        'syntax error: trailing comma not allowed',
        'syntax error: Declaration or statement expected.',
      ],
    );
  });

  it('stays silent for files that parse', async () => {
    const { findings } = await lintDir(`${FIXTURES}/rules/${RULE}`, { paths: ['valid.yaml', 'svc/src/ok.ts', 'Dockerfile'] });
    assert.deepEqual(where(findings), []);
  });

  it('reads a CommonJS script as Node does: legacy octals and octal escapes are errors only in strict code', async () => {
    const { findings } = await lintDir(`${FIXTURES}/rules/${RULE}/legacy`);
    // server.js (sloppy mode: `0755`, "\033[32m") parses, and is a service with nothing to report; so do
    // escaped.js (an escaped "use strict" is no directive) and keys.js (a method's computed key is outside its code).
    assert.deepEqual(where(findings), [`${RULE} banner.js:2`, `${RULE} esm/colors.js:1`, `${RULE} mode.js:2`, `${RULE} paths.mjs:2`, `${RULE} store.js:3`, `${RULE} strict.js:3`]);
    assert.deepEqual(
      findings.map((f) => `${f.line}:${f.column} ${f.message}`),
      [
        "2:11 syntax error: Octal escape sequences are not allowed. Use the syntax '\\x1b'.", // in a template
        "1:14 syntax error: Octal escape sequences are not allowed. Use the syntax '\\x1b'.", // in a package of ES modules
        "2:29 syntax error: ',' expected.", // a real error at an octal literal
        "2:21 syntax error: Octal literals are not allowed. Use the syntax '0o755'.", // in a module
        "3:12 syntax error: Octal literals are not allowed. Use the syntax '0o600'.", // in a class
        "3:23 syntax error: Octal literals are not allowed. Use the syntax '0o644'.", // under 'use strict'
      ],
    );
  });
});
