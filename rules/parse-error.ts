import { defineRule } from '../src/rule.js';

export default defineRule({
  id: 'parse-error',
  scope: ['code', 'manifest', 'docker'],
  severity: 'error',
  summary: 'A file that cannot be read or parsed',
  why: 'replicalint cannot check what it cannot parse, and neither can Node or Kubernetes run it.',
  fix: 'Fix the syntax at the reported position.',
  check({ app, report }) {
    for (const p of app.problems) {
      const { file, message, ...span } = p;
      report({ at: { file, ...span }, message: `cannot parse ${file}: ${message}`, hint: 'fix the syntax at this position; no other rule checks this file until it parses' });
    }
  },
});
