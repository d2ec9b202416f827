import { isAscii } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isKustomization } from './k8s/kustomize.js';
import { emptyFacts, type CodeFacts } from './code/facts.js';
import type { ParsedYaml } from './k8s/yaml.js';
import { compilerIdentity } from './code/typescript.js';
import { sha1 } from './sha1.js';
import type { Probe } from './probe.js';
import type { FileKind } from './discover.js';
import type { Finding } from './types.js';
import type { Suppressed } from './suppress.js';

/** The first bytes of every cache file, so a file that is not ours is never overwritten. */
const SIGNATURE = '{"tool":"replicalint-cache"';
/** The layout of the file: a header line, then one record per line. */
const FORMAT = 4;

/** What one file is reduced to: code facts, or parsed YAML documents. */
export type CacheEntry = { code: CodeFacts } | { yaml: ParsedYaml };

/**
 * `[size, mtimeMs, inode, content hash, when it was hashed, ctimeMs]`: the change time too, which
 * no tool can set (`cp -p`, `touch -r`, `tar x` and `rsync -t` keep the mtime; `chmod` changes
 * only the ctime).
 */
type StatRecord = [number, number, number, string, number, number];

/** The files a run read, in order: a hash of their names and kinds, and the content hash of each. */
export interface RunFiles {
  /** SHA-1 of `[["name","kind","-" for stdin or ""], ...]`. */
  list: string;
  /** The content hash of each file, or `error:CODE`, or `helm template`. */
  hashes: string[];
}

/**
 * What a whole run found, kept to be given again while nothing it read has changed: the same
 * files (by name, kind and content hash, or with other contents that reduce to the same entry) and
 * the same answers to every other file system question it asked (package.json, tsconfig, ...).
 */
export interface RunMemo {
  files: RunFiles;
  probes: Probe[];
  findings: Finding[];
  suppressed: Suppressed[];
  /** What the run said besides findings (skipped templates and patches, links), after discovery. */
  notices: string[];
  /** The run's discovery, given again while the folders and files it looked at are unchanged. */
  discovery?: StoredDiscovery;
}

/**
 * The files a discovery found, and every question it asked the file system: each folder whose
 * listing it read (unchanged while its modification time, change time and inode are) and each
 * ignore file, `.git` and shebang it looked at. While every answer is the same, so are the files.
 */
export interface StoredDiscovery {
  /** The folder, the paths and the ignore patterns it walked with. */
  key: string;
  questions: Probe[];
  /** `[kind, name]`, the path being `prefix` and the name; `[kind, name, path]` otherwise. */
  files: ([FileKind, string] | [FileKind, string, string])[];
  prefix: string;
  notices: string[];
}

/** The first line of the file. */
interface Header {
  tool: 'replicalint-cache';
  format: number;
  key: string;
}

/**
 * Every further line is one record:
 * - an entry by content hash (`h`, `e`: a file renamed keeps its entry);
 * - the last hash of a path with the stat it was taken under (`p`, `s`: to skip reading unchanged
 *   files; a rewritten file has them all in one table, `t`);
 * - the result of a whole run by the key of its invocation (`m`, `r`).
 *
 * Entries and results carry a hash of their text (`c`): one a byte of which changed on disk is not
 * trusted. A later record for the same hash, path or key replaces an earlier one.
 */
type CacheRecord = { h: string; c: string; e: CacheEntry } | { p: string; s: StatRecord } | { t: [string, ...StatRecord][] } | { m: string; c: string; r: RunMemo };

/**
 * How many run results (of different invocations) the file may hold before it is rewritten with
 * this run's and one other. A result never stays beside the one that replaces it (see `save`).
 */
const MEMO_RECORDS = 4;

/** A file modified this close to when it was hashed might change again unseen within one clock tick: hash it again. */
const RACY_MS = 2000;

/**
 * `--cache`: per-file facts (code) and parsed documents (YAML) keyed by content hash, valid for one
 * tool version and one build of the engine and rules, and the results of the latest runs by their
 * invocation (see {@link RunMemo}). A file whose size, mtime, ctime and inode are those it had when it was last
 * hashed, long enough before, is not read again (git's answer to "racily clean" files). A corrupt
 * or foreign cache file is ignored with a warning.
 *
 * The file is a header line and one JSON record per line. A run that changed a few files appends
 * their records rather than rewriting megabytes; the file is rewritten with only this run's files
 * once the records nobody needs outnumber those in use. Code facts are stored without their empty
 * lists, which are most of them. Entries are kept as their lines and parsed only when a run needs
 * them: a run whose stored result still holds parses none.
 */
export class FileCache {
  /** Entries by content hash: as read (the line) until a run asks for them. */
  private readonly lines = new Map<string, string>();
  private readonly entries = new Map<string, CacheEntry>();
  private readonly stats = new Map<string, StatRecord>();
  private readonly memos = new Map<string, string>();
  private readonly used = new Set<string>();
  private readonly seen = new Map<string, StatRecord>();
  /** Records written this run, to append. */
  private readonly added: string[] = [];
  /** The run result this run stored, by its key. */
  private memoAdded: [string, string] | undefined;
  /** The key of the result this run read or stored: a rewrite keeps it. */
  private memoKept: string | undefined;
  /** Records in the file as read: entries and stats, a table's rows one by one (run results apart). */
  private records = 0;
  private memoRecords = 0;
  /** The invocations whose results are in the file as read. */
  private readonly memosInFile = new Set<string>();
  /** The file's last record when it is a run result, with its byte offset (known when the file is ASCII). */
  private lastMemo: { key: string; offset: number } | undefined;
  /** Whether the file must be written whole (new, corrupt, another build's). */
  private fresh = true;
  /** A record found damaged when it was finally parsed: the file is rewritten, with a warning. */
  private damaged = false;
  /** The file's size, inode, modification and change times as read: a file another run wrote since gets no records appended. */
  private read = '';
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
    let ascii = false;
    try {
      const fd = fs.openSync(file, 'r');
      try {
        const st = fs.fstatSync(fd);
        c.read = stamp(st);
        // Bytes, then decoded: several times faster than a UTF-8 read for a file of megabytes. The
        // file is written in ASCII (see {@link ascii}), which needs no decoding at all.
        const bytes = fs.readFileSync(fd);
        ascii = isAscii(bytes);
        text = bytes.toString(ascii ? 'latin1' : 'utf8');
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
    if (!c.load(text, ascii)) {
      warn(`ignoring ${file}: the cache file is corrupt; it will be rewritten`);
      c.lines.clear();
      c.stats.clear();
      c.memos.clear();
      c.fresh = true;
    }
    return c;
  }

  /**
   * Read the records; false when the file is damaged. Another format or build's key reads as
   * empty. Entries and run results are only indexed here (by the hash or key their line starts
   * with); {@link get} and {@link memo} parse them.
   */
  private load(text: string, ascii: boolean): boolean {
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
        const l = text.slice(start, end);
        const keyed = indexKey(l);
        // In ASCII a character is a byte: the offset of a result at the end is where to cut it off.
        this.lastMemo = keyed?.[0] === 'm' && ascii ? { key: keyed[1], offset: start } : undefined;
        if (keyed?.[0] === 'h') {
          this.lines.set(keyed[1], l);
          this.records++;
          continue;
        }
        if (keyed?.[0] === 'm') {
          // The newest last: a rewrite keeps the most recent.
          this.memos.delete(keyed[1]);
          this.memos.set(keyed[1], l);
          this.memoRecords++;
          this.memosInFile.add(keyed[1]);
          continue;
        }
        const r = JSON.parse(l) as CacheRecord;
        if ('p' in r && Array.isArray(r.s) && r.s.length === 6) {
          this.stats.set(r.p, r.s);
          this.records++;
        } else if ('t' in r && Array.isArray(r.t)) {
          for (const row of r.t) {
            if (!Array.isArray(row) || row.length !== 7) return false;
            this.stats.set(row[0], row.slice(1) as StatRecord);
          }
          this.records += r.t.length;
        } else return false;
      }
    } catch {
      return false;
    }
    this.fresh = false;
    return true;
  }

  /**
   * Append through one handle, and only to the very file this run read (same inode, size and
   * times): records of one build never land after another build's header. With `cut`, the file is
   * first cut back to that offset (the start of the result this run replaces, its last record).
   * Only one run writes in place at a time, holding a lock file; a run that finds it held rewrites
   * the file instead (a rename, which never tears what another run writes or reads).
   */
  private append(text: string, cut?: number): boolean {
    const lock = `${this.file}.lock`;
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
    } catch {
      dropStaleLock(lock);
      return false;
    }
    try {
      const fd = fs.openSync(this.file, cut === undefined ? 'a' : 'r+');
      try {
        if (stamp(fs.fstatSync(fd)) !== this.read) return false;
        if (cut === undefined) fs.writeSync(fd, text);
        else {
          fs.ftruncateSync(fd, cut);
          fs.writeSync(fd, text, cut);
        }
        return true;
      } finally {
        fs.closeSync(fd);
      }
    } finally {
      fs.rmSync(lock, { force: true });
    }
  }

  /** The content hash of a file that has not changed since it was hashed, without reading it. */
  knownHash(path: string, st: fs.Stats): string | undefined {
    const r = this.stats.get(path);
    if (!r || r[0] !== st.size || r[1] !== st.mtimeMs || r[2] !== st.ino || r[5] !== st.ctimeMs || st.mtimeMs + RACY_MS >= r[4]) return undefined;
    this.seen.set(path, r);
    return r[3];
  }

  /** Remember the stat a file had when its content was hashed. */
  noteHash(path: string, st: fs.Stats, hash: string): void {
    const r: StatRecord = [st.size, st.mtimeMs, st.ino, hash, Date.now(), st.ctimeMs];
    this.seen.set(path, r);
    this.added.push(ascii(JSON.stringify({ p: path, s: r })));
  }

  /**
   * The key of a file's content as it is read: code by its printed name's extension (`.ts` and
   * `.js` parse differently), YAML by whether its path names a kustomization, anything else by its kind.
   */
  static hash(file: { kind: string; name: string; path: string }, text: string): string {
    const as = file.kind === 'code' ? `code${path.extname(file.name)}` : file.kind === 'yaml' && isKustomization(file.path) ? 'kustomization' : file.kind;
    return sha1(as, '\0', text);
  }

  /** Keep this content's entry (when the file is kept) without reading it. */
  keep(hash: string): void {
    if (this.lines.has(hash)) this.used.add(hash);
  }

  /** The cached entry for this content. */
  get(hash: string): CacheEntry | undefined {
    let e = this.entries.get(hash);
    if (!e) {
      const l = this.lines.get(hash);
      if (l === undefined) return undefined;
      try {
        const r = parseBody(unseal(l, 'e'));
        if (!isObject(r) || !(isObject(r.code) || isObject(r.yaml))) throw new Error('not an entry');
        e = restore(r as CacheEntry);
      } catch {
        this.lines.delete(hash);
        this.damaged = true;
        return undefined;
      }
      this.entries.set(hash, e);
    }
    this.used.add(hash);
    return e;
  }

  set(hash: string, entry: CacheEntry): void {
    const l = entryLine(hash, entry);
    this.entries.set(hash, entry);
    this.lines.set(hash, l);
    this.used.add(hash);
    this.added.push(l);
  }

  /** Do two contents reduce to the same entry (an edit of comments or blank space)? Both must be cached. */
  sameEntry(a: string, b: string): boolean {
    const la = this.lines.get(a);
    const lb = this.lines.get(b);
    return la !== undefined && lb !== undefined && entryBody(la) === entryBody(lb);
  }

  /**
   * The stored result of the last run with this key, if any. It is kept with a hash of its text: a
   * result that does not match it (a byte changed on disk) is dropped, and the rules run.
   */
  memo(key: string): RunMemo | undefined {
    const l = this.memos.get(key);
    if (l === undefined) return undefined;
    try {
      const memo = JSON.parse(unseal(l, 'r')) as RunMemo;
      this.memoKept = key;
      return memo;
    } catch {
      // Damaged: the rules run.
    }
    this.memos.delete(key);
    this.damaged = true;
    return undefined;
  }

  /** Store a run's result under its key (see {@link RunMemo}). */
  setMemo(key: string, memo: RunMemo): void {
    const l = seal({ m: key }, 'r', ascii(JSON.stringify(memo)));
    this.memos.delete(key);
    this.memos.set(key, l);
    this.memoAdded = [key, l];
    this.memoKept = key;
  }

  /**
   * Write what changed: append this run's new records, or rewrite the file with only this run's
   * files when it is new, damaged or mostly stale. Never throws.
   */
  save(warn: (msg: string) => void): void {
    if (!this.writable) return;
    if (this.damaged) warn(`ignoring damaged records of ${this.file}; it will be rewritten`);
    const live = this.used.size + this.seen.size;
    const stale = this.records - live;
    const added = this.memoAdded ? [...this.added, this.memoAdded[1]] : this.added;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      // A result replacing the file's result of the same invocation is not kept beside it: results
      // are megabytes, and every run reads the whole file. When the old one is the file's last
      // record (the last run appended it: an edit, a run, another edit, ...), it is cut off and
      // the new records appended; otherwise the file is rewritten.
      const replaces = this.memoAdded !== undefined && this.memosInFile.has(this.memoAdded[0]);
      const cut = replaces && this.lastMemo?.key === this.memoAdded![0] ? this.lastMemo.offset : undefined;
      const memoRecords = this.memoRecords - (cut === undefined ? 0 : 1) + (this.memoAdded ? 1 : 0);
      const append = !this.fresh && !this.damaged && (!replaces || cut !== undefined) && stale + this.added.length <= live && memoRecords <= MEMO_RECORDS;
      if (append && (!added.length || this.append(added.map((l) => `${l}\n`).join(''), cut))) return;
      const out = [JSON.stringify({ tool: 'replicalint-cache', format: FORMAT, key: this.key } satisfies Header)];
      for (const h of this.used) out.push(this.lines.get(h)!);
      const table: [string, ...StatRecord][] = [];
      // Every file this run looked at, also those no entry is kept for (a Helm template is hashed, never parsed).
      for (const [p, s] of this.seen) table.push([p, ...s]);
      if (table.length) out.push(ascii(JSON.stringify({ t: table } satisfies CacheRecord)));
      // This run's result and the newest other (a `--rule` run beside the full one); the two newest
      // when this run neither gave nor stored one.
      const mine = this.memoKept !== undefined && this.memos.has(this.memoKept) ? this.memoKept : undefined;
      const others = [...this.memos].filter(([k]) => k !== mine);
      for (const [, l] of others.slice(mine === undefined ? -2 : -1)) out.push(l);
      if (mine !== undefined) out.push(this.memos.get(mine)!);
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, out.map((l) => `${l}\n`).join(''));
      fs.renameSync(tmp, this.file);
    } catch (e) {
      warn(`cannot write the cache ${this.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
}

/**
 * An entry's line without its hash and, for code, without the file name its facts were first
 * extracted under (files with the same content share one entry, and each run names its own).
 */
function entryBody(l: string): string {
  const body = l.slice(l.indexOf('"e":'));
  const named = '"e":{"code":{"file":"';
  if (!body.startsWith(named)) return body;
  let i = named.length;
  while (i < body.length && body[i] !== '"') i += body[i] === '\\' ? 2 : 1;
  return body.slice(i + 1);
}

/** What tells one state of the cache file from another: size, inode, modification and change times. */
function stamp(st: fs.Stats): string {
  return `${st.size}:${st.ino}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** A lock older than any write takes is left by a run that died: removed, for later runs to write in place again. */
function dropStaleLock(lock: string): void {
  try {
    if (fs.statSync(lock).mtimeMs < Date.now() - 60_000) fs.rmSync(lock, { force: true });
  } catch {
    // Gone already.
  }
}

/** `['h', hash]` or `['m', key]` for a line that starts as an entry or a run result does; else undefined. */
function indexKey(l: string): ['h' | 'm', string] | undefined {
  const kind = l.startsWith('{"h":"') ? 'h' : l.startsWith('{"m":"') ? 'm' : undefined;
  if (!kind) return undefined;
  const end = l.indexOf('"', 6);
  // A whole record ends its object; a line cut or mangled in the middle is caught when parsed.
  if (end < 0 || !l.endsWith('}')) throw new Error('damaged record');
  return [kind, l.slice(6, end)];
}

function digest(text: string): string {
  return sha1(text);
}

/**
 * An entry as a line (without its newline), `{"h":hash,"c":hash of the entry's text,"e":entry}`;
 * code facts without their empty lists and false flags.
 */
function entryLine(hash: string, e: CacheEntry): string {
  let body: string;
  if ('code' in e) {
    const compact: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e.code)) if (v !== false && !(Array.isArray(v) && v.length === 0)) compact[k] = v;
    body = ascii(JSON.stringify({ code: compact }));
  } else {
    // YAML says `.inf` and `1e999`, which JSON has no word for.
    body = ascii(JSON.stringify(e, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [NON_FINITE]: String(v) } : v)));
  }
  return seal({ h: hash }, 'e', body);
}

/**
 * JSON text in ASCII: every other character as a `\uXXXX` escape, which only JSON strings hold and
 * which parse back to the same strings. The file then reads without decoding UTF-8.
 */
function ascii(json: string): string {
  return NON_ASCII.test(json) ? json.replace(NON_ASCII_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

const NON_ASCII = /[^\0-\x7f]/;
const NON_ASCII_ALL = /[^\0-\x7f]/g;

/** A record whose last field holds `body` with a hash of it in `c`: `{"h":"…","c":"…","e":body}`. */
function seal(head: Record<string, string>, field: string, body: string): string {
  return `${JSON.stringify({ ...head, c: digest(body) }).slice(0, -1)},"${field}":${body}}`;
}

/** The body of a record {@link seal} wrote; throws when the record is not whole or a byte of it changed. */
function unseal(l: string, field: string): string {
  const at = l.indexOf(`,"${field}":`);
  const body = l.slice(at + field.length + 4, -1);
  if (at < 0 || (JSON.parse(`${l.slice(0, at)}}`) as { c?: unknown }).c !== digest(body)) throw new Error('damaged record');
  return body;
}

/** How a number JSON cannot hold (`Infinity`, `NaN`) is written in the cache: `{"$nonFinite":"Infinity"}`. */
const NON_FINITE = '$nonFinite';

function parseBody(l: string): unknown {
  if (!l.includes(`"${NON_FINITE}"`)) return JSON.parse(l);
  return JSON.parse(l, (_, v: unknown) => (isObject(v) && typeof v[NON_FINITE] === 'string' && Object.keys(v).length === 1 ? Number(v[NON_FINITE]) : v));
}

/** An entry as read: code facts get back the empty lists and false flags {@link entryLine} left out. */
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
 * Tool version plus a hash of the engine's own code (the extractors and the rules: the compiled
 * modules, or the bundle and the YAML library beside it when the CLI runs from the bundle) and the
 * identity of the compiler it parses with (installed beside it, so `npm update` may change it
 * alone): entries and results written by any other build are never trusted, even between releases.
 * (No configuration setting changes facts today; one that does must be added here.)
 */
function cacheKey(version: string): string {
  if (!extractorHash) {
    // The rules too (beside the engine when it is not bundled): a stored result is theirs.
    const dir = path.dirname(fileURLToPath(import.meta.url));
    const rules = path.join(dir, '..', 'rules');
    const code = [...listFiles(dir), ...(path.basename(dir) === 'src' && fs.existsSync(rules) ? listFiles(rules) : [])];
    extractorHash = sha1(...code.flatMap((f) => [path.relative(dir, f), fs.readFileSync(f)])).slice(0, 16);
  }
  return `${version}:${extractorHash}:${compilerIdentity()}`;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (/\.[cm]?js$/.test(e.name)) out.push(p);
  }
  return out;
}
