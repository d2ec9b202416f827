import { defineRule } from '../src/rule.js';
import { covers } from '../src/suppress.js';

export default defineRule({
  id: 'unused-suppression',
  scope: ['code', 'manifest', 'docker'],
  severity: 'warning',
  summary: 'A replicalint-disable comment that suppresses nothing, or names an unknown rule',
  why: 'A stale suppression hides the next real problem on that line, and a misspelt rule id suppresses nothing at all.',
  fix: 'Delete the comment, or correct the rule id.',
  after: true,
  check({ app, findings, report, knownRules, enabledRules }) {
    for (const [file, directives] of app.directives) {
      for (const d of directives) {
        const at = { file, line: d.line, column: d.column, endLine: d.endLine, endColumn: d.endColumn };
        const unknown = d.rules.filter((r) => !knownRules.has(r));
        if (unknown.length) {
          report({ at, message: `replicalint-disable-${d.scope} names unknown rule${unknown.length > 1 ? 's' : ''} ${unknown.map((r) => `"${r}"`).join(', ')}`, hint: 'use an id from replicalint --list-rules' });
          continue;
        }
        // Only judge comments about rules that ran: `--rule` or config may have left theirs out.
        if (d.rules.length ? !d.rules.some((r) => enabledRules.has(r)) : enabledRules.size < knownRules.size) continue;
        if (findings.some((f) => f.file === file && covers(d, f))) continue;
        const what = d.rules.length ? d.rules.join(', ') : 'any rule';
        const where = d.scope === 'file' ? 'in this file' : `on line ${d.target}`;
        report({ at, message: `replicalint-disable-${d.scope} suppresses nothing: no finding of ${what} ${where}`, hint: 'delete the stale comment' });
      }
    }
  },
});
