import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isKustomization } from './k8s/kustomize.js';
import { emptyFacts, type CodeFacts } from './code/facts.js';
import type { ParsedYaml } from './k8s/yaml.js';

/** The first bytes of every cache file, so a file that is not ours is never overwritten. */
const SIGNATURE = '{"tool":"replicalint-cache"';
/** The layout of the file: a header line, then one record per line. */
const FORMAT = 2;

/** What one file is reduced to: code facts, or parsed YAML documents. */
export type CacheEntry = { code: CodeFacts } | { yaml: ParsedYaml };

/** `[size, mtimeMs, inode, content hash, when it was hashed]` */
type StatRecord = [number, number, number, string, number];

/** The first line of the file. */
interface Header {
  tool: 'replicalint-cache';
  format: number;
  key: string;
}

/**
 * Every further line is one record: an entry by content hash (`h`, `e`: a file renamed keeps its
 * entry), or the last hash of a path with the stat it was taken under (`p`, `s`: to skip reading
 * unchanged files). A later record for the same hash or path replaces an earlier one.
 */
type CacheRecord = { h: string; e: CacheEntry } | { p: string; s: StatRecord };

/** A file modified this close to when it was hashed might change again unseen within one clock tick: hash it again. */
const RACY_MS = 2000;

/**
 * `--cache`: per-file facts (code) and parsed documents (YAML) keyed by content hash, valid for one
 * tool version and one build of the extractors. Rules always run again on the cached or fresh
 * facts, so the findings are exactly those of an uncached run. A file whose size, mtime and inode
 * are those it had when it was last hashed, long enough before, is not read again (git's answer
 * to "racily clean" files). A corrupt or foreign cache file is ignored with a warning.
 *
 * The file is a header line and one JSON record per line. A run that changed a few files appends
 * their records rather than rewriting megabytes; the file is rewritten with only this run's files
 * once the records nobody needs outnumber those in use. Code facts are stored without their empty
 * lists, which are most of them.
 */
export class FileCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly stats = new Map<string, StatRecord>();
  private readonly used = new Set<string>();
  private readonly seen = new Map<string, StatRecord>();
  /** Records written this run, to append. */
  private readonly added: CacheRecord[] = [];
  /** Record lines in the file as read. */
  private records = 0;
  /** Whether the file must be written whole (new, corrupt, another build's). */
  private fresh = true;
  /** The file's size and inode as read: a file another run wrote since gets no records appended. */
  private read: [number, number] = [-1, -1];
  private writable = true;

  private constructor(
    readonly file: string,
    private readonly key: string,
  ) {}

  /** Open the cache at `location` (a file, or a folder to hold `.replicalintcache`). */
  static open(location: string, version: string, warn: (msg: string) => void): FileCache {
    const file = isFolder(location) ? path.join(location, '.replicalintcache') : location;
    const c = new FileCache(file, cacheKey(version));
    let text: string | undefined;
    try {
      const fd = fs.openSync(file, 'r');
      try {
        const st = fs.fstatSync(fd);
        c.read = [st.size, st.ino];
        text = fs.readFileSync(fd, 'utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return c;
    }
    if (!text.startsWith(SIGNATURE)) {
      warn(`ignoring ${file}: not a replicalint cache file; it will not be overwritten`);
      c.writable = false;
      return c;
    }
    if (!c.load(text)) {
      warn(`ignoring ${file}: the cache file is corrupt; it will be rewritten`);
      c.entries.clear();
      c.stats.clear();
      c.fresh = true;
    }
    return c;
  }

  /** Read the records; false when the file is damaged. Another format or build's key reads as empty. */
  private load(text: string): boolean {
    let start = 0;
    let end = text.indexOf('\n');
    try {
      const header = JSON.parse(end === -1 ? text : text.slice(0, end)) as Header;
      if (!isObject(header) || header.tool !== 'replicalint-cache') return false;
      if (header.format !== FORMAT || header.key !== this.key) return true;
      for (;;) {
        start = end + 1;
        end = text.indexOf('\n', start);
        if (end === -1) {
          // Only whole lines count: an append cut short (a full disk, an interrupted run) loses its
          // last record, and the file stays `fresh`, to be rewritten rather than appended to.
          if (start < text.length) return true;
          break;
        }
        const r = JSON.parse(text.slice(start, end)) as CacheRecord;
        if ('h' in r && isObject(r.e)) this.entries.set(r.h, restore(r.e as CacheEntry));
        else if ('p' in r && Array.isArray(r.s) && r.s.length === 5) this.stats.set(r.p, r.s);
        else return false;
        this.records++;
      }
    } catch {
      return false;
    }
    this.fresh = false;
    return true;
  }

  /**
   * Append through one handle, and only to the very file this run read (same inode, same size):
   * records of one build never land after another build's header.
   */
  private append(text: string): boolean {
    const fd = fs.openSync(this.file, 'a');
    try {
      const st = fs.fstatSync(fd);
      if (st.size !== this.read[0] || st.ino !== this.read[1]) return false;
      fs.writeSync(fd, text);
      return true;
    } finally {
      fs.closeSync(fd);
    }
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
    const r: StatRecord = [st.size, st.mtimeMs, st.ino, hash, Date.now()];
    this.seen.set(path, r);
    this.added.push({ p: path, s: r });
  }

  /** The key of a file's content: its extension matters, since `.ts` and `.js` parse differently. */
  static hash(file: string, text: string): string {
    // What a file is read as depends on its extension, and for a kustomization on its name too.
    const kind = isKustomization(file) ? 'kustomization' : path.extname(file);
    return crypto.createHash('sha1').update(kind).update('\0').update(text).digest('base64url');
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
    this.added.push({ h: hash, e: entry });
  }

  /**
   * Write what changed: append this run's new records, or rewrite the file with only this run's
   * files when it is new or mostly stale. Never throws.
   */
  save(warn: (msg: string) => void): void {
    if (!this.writable) return;
    const live = this.used.size + this.seen.size;
    const stale = this.records - live;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      if (!this.fresh && stale + this.added.length <= live && (!this.added.length || this.append(this.added.map(line).join('')))) return;
      const out = [JSON.stringify({ tool: 'replicalint-cache', format: FORMAT, key: this.key } satisfies Header) + '\n'];
      for (const h of this.used) out.push(line({ h, e: this.entries.get(h)! }));
      for (const [p, s] of this.seen) if (this.used.has(s[3])) out.push(line({ p, s }));
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, out.join(''));
      fs.renameSync(tmp, this.file);
    } catch (e) {
      warn(`cannot write the cache ${this.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
}

/** One record as a line; code facts without their empty lists and false flags. */
function line(r: CacheRecord): string {
  if ('h' in r && 'code' in r.e) {
    const compact: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r.e.code)) if (v !== false && !(Array.isArray(v) && v.length === 0)) compact[k] = v;
    return JSON.stringify({ h: r.h, e: { code: compact } }) + '\n';
  }
  return JSON.stringify(r) + '\n';
}

/** An entry as read: code facts get back the empty lists and false flags {@link line} left out. */
function restore(e: CacheEntry): CacheEntry {
  return 'code' in e ? { code: { ...emptyFacts(e.code.file), ...e.code } } : e;
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
 * Tool version plus a hash of the engine's own code (which holds the extractors: the compiled
 * modules, or the bundle's chunks when the CLI runs from the bundle): entries written by
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
    else if (e.name.endsWith('.js') || e.name.endsWith('.mjs')) out.push(p);
  }
  return out;
}
