import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CodeFacts } from './code/facts.js';
import type { ParsedYaml } from './k8s/yaml.js';

/** The first bytes of every cache file, so a file that is not ours is never overwritten. */
const SIGNATURE = '{"tool":"replicalint-cache"';

/** What one file is reduced to: code facts, or parsed YAML documents. */
export type CacheEntry = { code: CodeFacts } | { yaml: ParsedYaml };

/** `[size, mtimeMs, inode, content hash, when it was hashed]` */
type StatRecord = [number, number, number, string, number];

interface CacheData {
  tool: 'replicalint-cache';
  key: string;
  /** Entries by content hash (of the file's extension and text), so a renamed file still hits. */
  entries: Record<string, CacheEntry>;
  /** The last hash of each path with the stat it was taken under, to skip reading unchanged files. */
  stats: Record<string, StatRecord>;
}

/** A file modified this close to when it was hashed might change again unseen within one clock tick: hash it again. */
const RACY_MS = 2000;

/**
 * `--cache`: per-file facts (code) and parsed documents (YAML) keyed by content hash, valid for one
 * tool version and one build of the extractors. Rules always run again on the cached or fresh
 * facts, so the findings are exactly those of an uncached run. A file whose size, mtime and inode
 * are those it had when it was last hashed, long enough before, is not read again (git's answer
 * to "racily clean" files). A corrupt or foreign cache file is ignored with a warning.
 */
export class FileCache {
  private readonly entries: Map<string, CacheEntry>;
  private readonly stats: Map<string, StatRecord>;
  private readonly used = new Set<string>();
  private readonly seen = new Map<string, StatRecord>();
  private dirty = false;
  private writable = true;

  private constructor(
    readonly file: string,
    private readonly key: string,
    data?: CacheData,
  ) {
    this.entries = new Map(data ? Object.entries(data.entries) : []);
    this.stats = new Map(data ? Object.entries(data.stats) : []);
  }

  /** Open the cache at `location` (a file, or a folder to hold `.replicalintcache`). */
  static open(location: string, version: string, warn: (msg: string) => void): FileCache {
    const file = isFolder(location) ? path.join(location, '.replicalintcache') : location;
    const key = cacheKey(version);
    let text: string | undefined;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      return new FileCache(file, key);
    }
    let data: CacheData | undefined;
    try {
      data = JSON.parse(text) as CacheData;
    } catch {
      data = undefined;
    }
    if (!data || data.tool !== 'replicalint-cache' || !isObject(data.entries) || !isObject(data.stats)) {
      const ours = text.startsWith(SIGNATURE);
      warn(`ignoring ${file}: ${ours ? 'the cache file is corrupt; it will be rewritten' : 'not a replicalint cache file; it will not be overwritten'}`);
      const c = new FileCache(file, key);
      c.writable = ours;
      return c;
    }
    return data.key === key ? new FileCache(file, key, data) : new FileCache(file, key);
  }

  /** The content hash of a file that has not changed since it was hashed, without reading it. */
  knownHash(path: string, st: fs.Stats): string | undefined {
    const r = this.stats.get(path);
    if (!r || r[0] !== st.size || r[1] !== st.mtimeMs || r[2] !== st.ino || st.mtimeMs + RACY_MS >= r[4]) return undefined;
    this.seen.set(path, r);
    return r[3];
  }

  /** Remember the stat a file had when its content was hashed. */
  noteHash(path: string, st: fs.Stats, hash: string): void {
    this.seen.set(path, [st.size, st.mtimeMs, st.ino, hash, Date.now()]);
    this.dirty = true;
  }

  /** The key of a file's content: its extension matters, since `.ts` and `.js` parse differently. */
  static hash(file: string, text: string): string {
    return crypto.createHash('sha1').update(path.extname(file)).update('\0').update(text).digest('base64url');
  }

  /** The cached entry for this content. */
  get(hash: string): CacheEntry | undefined {
    const e = this.entries.get(hash);
    if (e) this.used.add(hash);
    return e;
  }

  set(hash: string, entry: CacheEntry): void {
    this.entries.set(hash, entry);
    this.used.add(hash);
    this.dirty = true;
  }

  /** Write the cache when something changed, keeping only the files of this run. Never throws. */
  save(warn: (msg: string) => void): void {
    if (!this.writable) return;
    if (!this.dirty && this.used.size === this.entries.size && this.seen.size === this.stats.size) return;
    const entries: Record<string, CacheEntry> = {};
    for (const h of this.used) entries[h] = this.entries.get(h)!;
    const stats: Record<string, StatRecord> = {};
    for (const [p, r] of this.seen) if (this.used.has(r[3])) stats[p] = r;
    const data: CacheData = { tool: 'replicalint-cache', key: this.key, entries, stats };
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(data));
      fs.renameSync(tmp, this.file);
    } catch (e) {
      warn(`cannot write the cache ${this.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFolder(location: string): boolean {
  if (location.endsWith('/') || location.endsWith(path.sep)) return true;
  try {
    return fs.statSync(location).isDirectory();
  } catch {
    return false;
  }
}

let extractorHash: string | undefined;

/**
 * Tool version plus a hash of the engine's own code (which holds the extractors): entries written by
 * any other build are never trusted, even between releases. (No configuration setting changes facts today; one that
 * does must be added here.)
 */
function cacheKey(version: string): string {
  if (!extractorHash) {
    const h = crypto.createHash('sha1');
    const dir = path.dirname(fileURLToPath(import.meta.url));
    for (const f of listFiles(dir)) h.update(f.slice(dir.length)).update(fs.readFileSync(f));
    extractorHash = h.digest('base64url').slice(0, 16);
  }
  return `${version}:${extractorHash}`;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.name.endsWith('.js')) out.push(p);
  }
  return out;
}
