#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { loadCommonJs } from '../dist/src/compile-cache.js';

// The bundle, through a code cache of its compiled functions (written once a lint has run).
const { main } = loadCommonJs(fileURLToPath(new URL('../dist/bundle/replicalint.cjs', import.meta.url)), 'replicalint');

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
