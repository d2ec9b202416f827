import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

/**
 * Bundle the compiled CLI into one CommonJS file (`dist/bundle/replicalint.cjs`), which `bin/`
 * loads through a V8 code cache (`src/compile-cache.ts`, bundled beside it for the launcher).
 * Node loads ~100 small ES modules noticeably slower than one file, and Node 20 caches no compiled
 * code of ES modules: loaded as a few ES module chunks, the CLI, engine and rules took ~40 ms of
 * every run to compile and start; from the code cache they take ~10 ms, and a cold run compiles
 * none of replicalint's functions lazily as it goes (6-12 % of a cold run on large trees). What the CLI imports lazily (the engine, the rules, each
 * reporter) still runs only when imported. The compiler (`ts-morph`), loaded through its own code
 * cache, stays outside, as does the YAML library (`yaml-parse.cjs`), needed only for YAML that
 * the plain reader leaves.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = path.join(ROOT, 'dist', 'bundle');
fs.rmSync(out, { recursive: true, force: true });

/** The YAML library's module, imported lazily by the engine: a file of its own, required when needed. */
const yamlApart: Plugin = {
  name: 'yaml-apart',
  setup(b) {
    b.onResolve({ filter: /\/yaml-parse\.js$/ }, (args) => (args.kind === 'dynamic-import' ? { path: './yaml-parse.cjs', external: true } : undefined));
  },
};

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['ts-morph'],
  // `import()` becomes `require()`: code compiled by `vm.Script` (the code cache) has no loader for `import()`.
  supported: { 'dynamic-import': false },
  // The modules find files beside them (package.json, the compiler) through `import.meta.url`.
  define: { 'import.meta.url': '__bundleUrl' },
  // The directive first: after any statement it would no longer make the bundle strict, as ES modules are.
  banner: { js: "'use strict';\nvar __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
};

await build({ ...common, entryPoints: [path.join(ROOT, 'dist', 'src', 'cli.js')], outfile: path.join(out, 'replicalint.cjs'), plugins: [yamlApart] });
await build({ ...common, entryPoints: [path.join(ROOT, 'dist', 'src', 'k8s', 'yaml-parse.js')], outfile: path.join(out, 'yaml-parse.cjs') });
// The launcher's code cache loader, as CommonJS like the launcher itself.
await build({ ...common, entryPoints: [path.join(ROOT, 'dist', 'src', 'compile-cache.js')], outfile: path.join(out, 'compile-cache.cjs') });
