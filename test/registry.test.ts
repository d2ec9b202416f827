import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RULES } from '../rules/index.js';
import { withRuleTable } from '../scripts/docs.js';
import { FIXTURES, ROOT } from './helpers.js';

describe('rule registry', () => {
  it('has unique kebab-case ids and complete metadata', () => {
    const ids = RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const r of RULES) {
      assert.match(r.id, /^[a-z]+(?:-[a-z]+)*$/);
      assert.ok(r.summary && r.why && r.fix, `${r.id} metadata`);
      assert.ok(r.scope.length > 0, `${r.id} scope`);
    }
  });

  it('gives every rule its own file, test and fixtures under the same name', () => {
    for (const r of RULES) {
      assert.ok(fs.existsSync(path.join(ROOT, 'rules', `${r.id}.ts`)), `rules/${r.id}.ts`);
      assert.ok(fs.existsSync(path.join(ROOT, 'test', 'rules', `${r.id}.test.ts`)), `test/rules/${r.id}.test.ts`);
      assert.ok(fs.existsSync(path.join(FIXTURES, 'rules', r.id)), `fixtures/rules/${r.id}/`);
    }
  });

  it("keeps the README's rule table in step with the registry (npm run docs rewrites it)", () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    assert.equal(readme, withRuleTable(readme), 'README.md rule table is stale: run npm run docs');
  });
});
