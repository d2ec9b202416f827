import { isAscii } from 'node:buffer';
import crypto from 'node:crypto';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import type { ts as TS } from 'ts-morph';

export type { TS };
export type Ts = typeof TS;

let loaded: Ts | undefined;
let pending: { script: vm.Script; cacheFile: string } | undefined;

/**
 * The TypeScript compiler bundled with ts-morph (the module behind ts-morph's `ts` export), loaded
 * on first use: runs that read only manifests, and `--version`, never pay for it.
 *
 * Compiling that 9 MB file is most of a small run's time, so it is loaded through a V8 code cache
 * kept in a per-user temporary folder (as Node's own compile cache does): ~250 ms become ~50 ms.
 * Any problem with the cache falls back to a plain `require`. `REPLICALINT_NO_COMPILE_CACHE=1`
 * turns it off.
 */
export async function loadTypeScript(): Promise<Ts> {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const file = compilerFile();
  if (file && !process.env.REPLICALINT_NO_COMPILE_CACHE) {
    try {
      loaded = loadCached(file);
    } catch {
      loaded = undefined;
    }
  }
  loaded ??= (require('ts-morph') as { ts: Ts }).ts;
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

/** Write the code cache if this run had none (call after parsing, so lazily compiled functions are in it). */
export function persistCompileCache(): void {
  if (!pending) return;
  const { script, cacheFile } = pending;
  pending = undefined;
  try {
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, cacheFile);
    prune(path.dirname(cacheFile), path.basename(cacheFile));
  } catch {
    // A read-only or full temporary folder only costs speed.
  }
}

/** How many entries the folder keeps: installs used side by side (several projects, or Node versions) each keep theirs. */
const MAX_ENTRIES = 4;
const DAY = 24 * 3600 * 1000;

/**
 * When a new entry is written, the others are removed once unused for a week, and beyond the
 * {@link MAX_ENTRIES} used last. Each install of the compiler has an entry of its own (`npm ci`
 * gives the file a new modification time), so without a bound a CI runner that keeps its
 * temporary folder would gain one for every job.
 */
function prune(dir: string, keep: string): void {
  const stale = Date.now() - 7 * DAY;
  const others: { file: string; used: number }[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (name === keep || !/^typescript-[0-9a-f]{16}\.bin$/.test(name)) continue;
    const file = path.join(dir, name);
    try {
      const st = fs.statSync(file);
      if (!st.isFile()) continue;
      if (st.mtimeMs < stale) fs.rmSync(file, { force: true });
      else others.push({ file, used: st.mtimeMs });
    } catch {
      // Removed meanwhile by another run.
    }
  }
  others.sort((a, b) => b.used - a.used);
  for (const { file } of others.slice(MAX_ENTRIES - 1)) {
    try {
      fs.rmSync(file, { force: true });
    } catch {
      // Another run's business.
    }
  }
}

/** An entry's modification time tells when it was last used: brought up to date at most once a day. */
function noteUse(cacheFile: string): void {
  try {
    const now = Date.now();
    if (fs.statSync(cacheFile).mtimeMs < now - DAY) fs.utimesSync(cacheFile, now / 1000, now / 1000);
  } catch {
    // Only pruning depends on it.
  }
}

/**
 * Compiled code is only read from, or written to, a real folder (not a link) that this user owns
 * and nobody else can write to: the temporary folder is shared.
 */
function trusted(dir: string): boolean {
  try {
    const st = fs.lstatSync(dir);
    const mine = typeof process.getuid !== 'function' || st.uid === process.getuid();
    return st.isDirectory() && mine && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function loadCached(file: string): Ts {
  // Read as bytes, then decoded: for this one 9 MB file that is several times faster than a UTF-8
  // read, and an ASCII file (as the compiler ships) needs no UTF-8 decoding at all.
  const bytes = fs.readFileSync(file);
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const stat = fs.statSync(file);
  // Keyed by the file's size and modification time, not by its path: V8 checks only the length of
  // the source it is given, so the time tells one install's file from another's. Copies that keep
  // the time (`cp -p`, a restored folder) share one entry.
  const key = crypto.createHash('sha1').update(`${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}`).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `replicalint-compile-cache-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
  const cacheFile = path.join(dir, `typescript-${key}.bin`);
  let cachedData: Buffer | undefined;
  try {
    if (trusted(dir)) cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = new Module(file) as Module & { filename: string; paths: string[]; loaded: boolean };
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  // Later require()s of the same file (ts-morph itself) get this instance, not a second copy.
  createRequire(file).cache[file] = mod;
  if (cachedData && !script.cachedDataRejected) noteUse(cacheFile);
  if (!cachedData || script.cachedDataRejected) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (trusted(dir)) pending = { script, cacheFile };
  }
  return mod.exports as Ts;
}
