import type { Rule } from '../rule.js';

/** `--list-rules`: a table for people, or JSON for tools. */
export function formatRuleList(rules: readonly Rule[], format: string): string {
  if (format === 'json') {
    return JSON.stringify(rules.map(({ id, scope, severity, summary, why, fix }) => ({ id, scope, severity, summary, why, fix })), null, 2) + '\n';
  }
  const idWidth = Math.max(...rules.map((r) => r.id.length));
  const scopeWidth = Math.max(...rules.map((r) => r.scope.join(',').length));
  return rules.map((r) => `${r.id.padEnd(idWidth)}  ${r.scope.join(',').padEnd(scopeWidth)}  ${r.severity.padEnd(7)}  ${r.summary}`).join('\n') + '\n';
}

/** The README's rule table, generated from the registry so the docs cannot drift. */
export function ruleTable(rules: readonly Rule[]): string {
  const rows = rules.map((r) => `| \`${r.id}\` | ${r.scope.join(', ')} | ${r.severity} | ${r.summary} | ${r.why} |`);
  return ['| id | scope | severity | reports | why it matters at scale |', '|---|---|---|---|---|', ...rows].join('\n');
}
