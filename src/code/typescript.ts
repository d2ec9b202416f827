import type { ts as TS } from 'ts-morph';

export type { TS };
export type Ts = typeof TS;

let loaded: Ts | undefined;

/**
 * The TypeScript compiler bundled with ts-morph, loaded on first use: runs that read only
 * manifests, and `--version`, never pay for it.
 */
export async function loadTypeScript(): Promise<Ts> {
  if (!loaded) loaded = (await import('ts-morph')).ts;
  return loaded;
}
