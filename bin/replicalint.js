#!/usr/bin/env node
// CommonJS (see package.json beside it): an ES module as the entry point makes Node start its ES
// module loader, ~13 ms of every run.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const bundle = path.join(__dirname, '..', 'dist', 'bundle');
let main;
try {
  // The bundle, through a code cache of its compiled functions (written once a lint has run).
  ({ main } = require(path.join(bundle, 'compile-cache.cjs')).loadCommonJs(path.join(bundle, 'replicalint.cjs'), 'replicalint'));
} catch (e) {
  // A checkout that was never built has no bundle: say so, rather than print a stack.
  if (fs.existsSync(path.join(bundle, 'replicalint.cjs'))) throw e;
  process.stderr.write(`replicalint: cannot start: ${bundle} is missing; in a checkout, run \`npm run build\` (or \`npm ci\`, which builds)\n`);
  process.exit(2);
}

// `replicalint | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`replicalint: internal error: ${e?.stack ?? e}\n`);
    process.exitCode = 2;
  },
);
