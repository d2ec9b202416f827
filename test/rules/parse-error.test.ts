import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, where } from '../helpers.js';

const RULE = 'parse-error';

describe(RULE, () => {
  it('reports each broken file once, at the parser position, and nothing else from it', async () => {
    const { findings } = await lintDir(`${FIXTURES}/rules/${RULE}`);
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
});
