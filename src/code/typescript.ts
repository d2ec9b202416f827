import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ts as TS } from 'ts-morph';
import { loadCommonJs } from '../compile-cache.js';

export type { TS };
export type Ts = typeof TS;

let loaded: Ts | undefined;

/**
 * The TypeScript compiler bundled with ts-morph (the module behind ts-morph's `ts` export), loaded
 * on first use: runs that read only manifests, and `--version`, never pay for it.
 *
 * Compiling that 9 MB file is most of a small run's time, so it is loaded through a V8 code cache
 * (`compile-cache.ts`): ~250 ms become ~50 ms.
 */
export async function loadTypeScript(): Promise<Ts> {
  if (loaded) return loaded;
  const file = compilerFile();
  // Later require()s of the same file (ts-morph's own) get this instance, not a second copy.
  loaded = file ? (loadCommonJs(file, 'typescript') as Ts) : (createRequire(import.meta.url)('ts-morph') as { ts: Ts }).ts;
  return loaded;
}

/** The compiler's file (the one ts-morph loads), or undefined when it cannot be found. */
function compilerFile(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return require.resolve('@ts-morph/common/dist/typescript.js', { paths: [path.dirname(require.resolve('ts-morph'))] });
  } catch {
    return undefined;
  }
}

/**
 * The installed compiler, without loading it: the version of the package that ships it and the
 * file's size. Not its modification time, which is when it was installed: a cache restored after
 * `npm ci` must still count.
 */
export function compilerIdentity(): string {
  const file = compilerFile();
  if (!file) return 'none';
  try {
    const version = (JSON.parse(fs.readFileSync(path.join(path.dirname(file), '..', 'package.json'), 'utf8')) as { version?: unknown }).version;
    return `${String(version)}-${fs.statSync(file).size}`;
  } catch {
    return 'none';
  }
}
