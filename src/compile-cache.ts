import { isAscii } from 'node:buffer';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

/**
 * Large CommonJS files (the 9 MB TypeScript compiler, replicalint's own bundle) loaded through a V8
 * code cache kept in a per-user temporary folder, as Node's own compile cache does (Node 20 has
 * none for user code): V8 then deserializes compiled functions instead of parsing and compiling
 * the source on every run. Any problem with the cache falls back to a plain `require`.
 * `REPLICALINT_NO_COMPILE_CACHE=1` turns it off.
 */

/**
 * The modules this run loaded through a code cache, for {@link persistCompileCaches} to write once
 * the code has run. Kept on the global object: the launcher loads the bundle with its own copy of
 * this module, and the bundle's copy writes both entries when a lint is done (`--version` writes
 * none).
 */
const SHARED = Symbol.for('replicalint.pendingCompileCaches');
const pending: Compiled[] = ((globalThis as Record<symbol, unknown>)[SHARED] ??= []) as never;

/**
 * An entry is V8's data after a header: `RLC1` and how many files the run that wrote it parsed.
 * V8 caches only the functions that ran, and a function missing from the cache is compiled on
 * every run that calls it: an entry written by a run over a few files lacks much of what a run
 * over thousands calls (~4 % of such a cold run). A run that parsed over twice as many files as
 * the one that wrote the entry writes it again, so entries converge in a few runs.
 */
const MAGIC = 'RLC1';
const HEADER = 8;

/** What a module exports, loaded through its code cache; `name` names its entries (`typescript`). */
export function loadCommonJs(file: string, name: string): unknown {
  let compiled: Compiled | undefined;
  if (!process.env.REPLICALINT_NO_COMPILE_CACHE) {
    try {
      compiled = compile(file, name);
    } catch {
      // A plain require below.
    }
  }
  // Only reading and compiling fall back: an error of the module's own code is thrown, as by
  // `require`, rather than its top level being run a second time.
  return compiled ? run(file, compiled) : createRequire(file)(file);
}

/**
 * Write the code caches this run needs to (new, rejected, a day old, or written by a run that
 * parsed less than half of the `parsed` files this one did), or the one of that name. Call once
 * the code has run: functions V8 compiled lazily are in the cache only after they were called.
 */
export function persistCompileCaches(only?: string, parsed = 0): void {
  for (const c of pending.filter((p) => only === undefined || p.name === only)) {
    pending.splice(pending.indexOf(c), 1);
    if (!c.cacheFile || !(c.rewrite || parsed > 2 * c.madeFrom)) continue;
    try {
      const tmp = `${c.cacheFile}.${process.pid}.tmp`;
      const header = Buffer.alloc(HEADER);
      header.write(MAGIC, 0, 'latin1');
      header.writeUInt32LE(Math.min(parsed, 0xffffffff), 4);
      fs.writeFileSync(tmp, Buffer.concat([header, c.script.createCachedData()]), { mode: 0o600 });
      fs.renameSync(tmp, c.cacheFile);
      prune(path.dirname(c.cacheFile), c.name, path.basename(c.cacheFile));
    } catch {
      // A read-only or full temporary folder only costs speed.
    }
  }
}

/** How many entries of each name the folder keeps: installs used side by side (several projects, or Node versions) each keep theirs. */
const MAX_ENTRIES = 4;
const DAY = 24 * 3600 * 1000;

/**
 * When a new entry is written, the others of its name are removed once unused for a week, and
 * beyond the {@link MAX_ENTRIES} used last. Each install has entries of its own (`npm ci` gives
 * the files a new modification time), so without a bound a CI runner that keeps its temporary
 * folder would gain some for every job.
 */
function prune(dir: string, name: string, keep: string): void {
  const stale = Date.now() - 7 * DAY;
  const others: { file: string; used: number }[] = [];
  const entry = new RegExp(`^${name}-[0-9a-f]{16}\\.bin$`);
  for (const n of fs.readdirSync(dir)) {
    if (n === keep || !entry.test(n)) continue;
    const file = path.join(dir, n);
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

/**
 * An entry not written for a day is written again after this run: its modification time tells
 * pruning when it was last used, and it gains the functions this run compiled that the run which
 * made it never called (a first run on a few manifests compiles little of the engine).
 */
function stale(cacheFile: string): boolean {
  try {
    return fs.statSync(cacheFile).mtimeMs < Date.now() - DAY;
  } catch {
    return false;
  }
}

/**
 * Compiled code is only read from, or written to, a real folder (not a link) that this user owns
 * and nobody else can write to: the temporary folder is shared. (Windows reports no owner and no
 * such permission bits; its temporary folder is the user's own.)
 */
function trusted(dir: string): boolean {
  try {
    const st = fs.lstatSync(dir);
    const mine = typeof process.getuid !== 'function' || st.uid === process.getuid();
    return st.isDirectory() && mine && (process.platform === 'win32' || (st.mode & 0o022) === 0);
  } catch {
    return false;
  }
}

/** FNV-1a, 64 bits, as 16 hex digits: names an entry without loading `node:crypto` (a few ms). */
function fnv64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) h = BigInt.asUintN(64, (h ^ BigInt(text.charCodeAt(i))) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
}

interface Compiled {
  script: vm.Script;
  name: string;
  /** Where its code cache is kept (undefined when it cannot be). */
  cacheFile?: string;
  /** The entry must be written (it is new, was rejected, or is a day old). */
  rewrite: boolean;
  /** How many files the run that wrote the entry parsed. */
  madeFrom: number;
}

function compile(file: string, name: string): Compiled {
  // Read as bytes, then decoded: for a file of megabytes that is several times faster than a UTF-8
  // read, and an ASCII file (as the compiler ships) needs no UTF-8 decoding at all.
  const bytes = fs.readFileSync(file);
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const stat = fs.statSync(file);
  // Keyed by the file's size and modification time, not by its path: V8 checks only the length of
  // the source it is given, so the time tells one install's file from another's. Copies that keep
  // the time (`cp -p`, a restored folder) share one entry.
  const key = fnv64(`${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}`);
  const dir = path.join(os.tmpdir(), `replicalint-compile-cache-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`);
  const cacheFile = path.join(dir, `${name}-${key}.bin`);
  let cachedData: Buffer | undefined;
  let madeFrom = 0;
  try {
    const entry = trusted(dir) ? fs.readFileSync(cacheFile) : undefined;
    if (entry && entry.length > HEADER && entry.toString('latin1', 0, 4) === MAGIC) {
      madeFrom = entry.readUInt32LE(4);
      cachedData = entry.subarray(HEADER);
    }
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  if (cachedData && !script.cachedDataRejected) return { script, name, cacheFile, rewrite: stale(cacheFile), madeFrom };
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch {
    // A read-only or full temporary folder only costs speed.
    return { script, name, rewrite: false, madeFrom: 0 };
  }
  return { script, name, cacheFile: trusted(dir) ? cacheFile : undefined, rewrite: true, madeFrom: 0 };
}

function run(file: string, compiled: Compiled): unknown {
  const { script } = compiled;
  const mod = new Module(file) as Module & { filename: string; paths: string[]; loaded: boolean };
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  const require = createRequire(file);
  // Later require()s of the same file get this instance, not a second copy.
  require.cache[file] = mod;
  try {
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
    wrapper.call(mod.exports, mod.exports, require, mod, file, path.dirname(file));
  } catch (e) {
    delete require.cache[file];
    throw e;
  }
  mod.loaded = true;
  if (compiled.cacheFile) pending.push(compiled);
  return mod.exports;
}
