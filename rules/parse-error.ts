import { defineRule } from '../src/rule.js';

export default defineRule({
  id: 'parse-error',
  scope: ['code', 'manifest', 'docker'],
  severity: 'error',
  summary: 'A file that cannot be read or parsed',
  why: 'replicalint cannot check what it cannot parse, and neither can Node or Kubernetes run it.',
  fix: 'Fix the syntax at the reported position.',
  check({ app, report }) {
    for (const { file, message, unreadable, tooDeep, ...span } of app.problems) {
      if (unreadable) report({ at: { file, ...span }, message: `cannot read this file (${message})`, hint: 'make the file readable, or leave it out of the run; nothing in it is checked' });
      else if (tooDeep) report({ at: { file, ...span }, message, severity: 'warning', hint: 'if it is generated or minified code, leave it out of the run ("ignore" in the config file); nothing in it is checked' });
      else report({ at: { file, ...span }, message: `syntax error: ${message}`, hint: 'fix the syntax at this position; no other rule checks this file until it parses' });
    }
  },
});
