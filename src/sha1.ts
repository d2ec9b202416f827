import { createRequire } from 'node:module';

let crypto: typeof import('node:crypto') | undefined;

/**
 * SHA-1 of the parts, in base64url. `node:crypto` is loaded on first use: a run without `--cache`
 * hashes nothing and does not pay the few milliseconds it takes to load.
 */
export function sha1(...parts: (string | Buffer)[]): string {
  crypto ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  const h = crypto.createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest('base64url');
}
