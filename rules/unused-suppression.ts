import { defineRule } from '../src/rule.js';
import type { Directive } from '../src/suppress.js';
import type { Finding } from '../src/types.js';

/**
 * The findings of a run by file, with the rules found on each line and in the whole file. It takes
 * in the findings reported since it was last asked: this rule's own, which a later directive may
 * cover (`replicalint-disable-file unused-suppression`).
 */
class FindingsSeen {
  private taken = 0;
  private readonly byFile = new Map<string, { lines: Map<number, Set<string>>; rules: Set<string> }>();

  constructor(private readonly findings: readonly Finding[]) {}

  /** Does some finding reported so far fall under the directive? */
  covered(file: string, d: Directive): boolean {
    for (; this.taken < this.findings.length; this.taken++) {
      const f = this.findings[this.taken]!;
      let seen = this.byFile.get(f.file);
      if (!seen) this.byFile.set(f.file, (seen = { lines: new Map(), rules: new Set() }));
      let rules = seen.lines.get(f.line);
      if (!rules) seen.lines.set(f.line, (rules = new Set()));
      rules.add(f.ruleId);
      seen.rules.add(f.ruleId);
    }
    const seen = this.byFile.get(file);
    const rules = d.scope === 'file' ? seen?.rules : seen?.lines.get(d.target);
    return !!rules && (!d.rules.length || d.rules.some((r) => rules.has(r)));
  }
}

export default defineRule({
  id: 'unused-suppression',
  scope: ['code', 'manifest', 'docker'],
  severity: 'warning',
  summary: 'A replicalint-disable comment that suppresses nothing, or names an unknown rule',
  why: 'A stale suppression hides the next real problem on that line, and a misspelt rule id suppresses nothing at all.',
  fix: 'Delete the comment, or correct the rule id.',
  after: true,
  check({ app, findings, report, knownRules, enabledRules }) {
    const seen = new FindingsSeen(findings);
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
        if (seen.covered(file, d)) continue;
        const what = d.rules.length ? d.rules.join(', ') : 'any rule';
        const where = d.scope === 'file' ? 'in this file' : `on line ${d.target}`;
        report({ at, message: `replicalint-disable-${d.scope} suppresses nothing: no finding of ${what} ${where}`, hint: 'delete the stale comment' });
      }
    }
  },
});
