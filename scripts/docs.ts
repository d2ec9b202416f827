import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULES } from '../rules/index.js';
import { ruleTable } from '../src/report/rule-list.js';

/** Rewrite the rule table between the README's markers from the registry. */
export const START = '<!-- rules:start -->';
export const END = '<!-- rules:end -->';

export function withRuleTable(readme: string): string {
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a) throw new Error(`README.md has no ${START} … ${END} markers`);
  return `${readme.slice(0, a + START.length)}\n${ruleTable(RULES)}\n${readme.slice(b)}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');
  fs.writeFileSync(file, withRuleTable(fs.readFileSync(file, 'utf8')));
  console.log('README.md rule table updated');
}
