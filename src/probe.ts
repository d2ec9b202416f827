import fs from 'node:fs';
import { readText } from './read.js';
import { sha1 } from './sha1.js';

/**
 * One question a run asked the file system, and the answer: `['e', path, '1' | '0']` for existence,
 * `['r', path, hash | 'error:CODE']` for contents (`'b'`: with a byte-order mark kept), `['l', path,
 * '1' | '0']` for a regular file that is no link, `['s', path, 'file' | 'dir' | 'other' | 'missing']`,
 * `['h', path, 'n:hash']` for the first n bytes, `['d', path, 'mtime:ctime:inode']` for a folder
 * whose listing was read.
 */
export type Probe = ['e' | 'r' | 'b' | 'l' | 's' | 'h' | 'd', string, string];

/**
 * The file system reads a run depends on besides the files it lints: the package.json, tsconfig,
 * `.git` and `Chart.yaml` next to them. Every such read goes through one of these, which
 * remembers the answers, so that `--cache` can tell whether a stored result still holds.
 */
export class FsProbe {
  /** Answers by kind and path; what was read is hashed only when the log is asked for (with `--cache`). */
  private readonly answers = new Map<string, Probe | [Probe[0], string, () => string]>();

  exists(file: string): boolean {
    const yes = fs.existsSync(file);
    this.answers.set(`e${file}`, ['e', file, yes ? '1' : '0']);
    return yes;
  }

  /** The file's text (as {@link readText}); throws as it does. */
  read(file: string): string {
    return this.text('r', file, readText);
  }

  /** Text as read, byte-order mark included (what git reads of a `.gitignore`); throws when unreadable. */
  readRaw(file: string): string {
    return this.text('b', file, (f) => fs.readFileSync(f, 'utf8'));
  }

  private text(kind: 'r' | 'b', file: string, read: (file: string) => string): string {
    try {
      const text = read(file);
      this.answers.set(`${kind}${file}`, [kind, file, () => digest(text)]);
      return text;
    } catch (e) {
      this.answers.set(`${kind}${file}`, [kind, file, failure(e)]);
      throw e;
    }
  }

  /** A regular file, not a link (git reads no `.gitignore` that is a link). */
  isPlainFile(file: string): boolean {
    const yes = plainFile(file);
    this.answers.set(`l${file}`, ['l', file, yes ? '1' : '0']);
    return yes;
  }

  /** What the path is, links followed. */
  statKind(file: string): 'file' | 'dir' | 'other' | 'missing' {
    const kind = statKind(file);
    this.answers.set(`s${file}`, ['s', file, kind]);
    return kind;
  }

  /** The first `n` bytes of a file (fewer when it is shorter); throws when unreadable. */
  head(file: string, n: number): Buffer {
    let bytes: Buffer;
    try {
      bytes = head(file, n);
    } catch (e) {
      this.answers.set(`h${file}`, ['h', file, `${n}:${failure(e)}`]);
      throw e;
    }
    this.answers.set(`h${file}`, ['h', file, () => `${n}:${digest(bytes)}`]);
    return bytes;
  }

  /**
   * Note a folder whose listing is about to be read: the listing stands while its modification
   * time, change time and inode do (adding, removing or renaming an entry sets both times).
   */
  listing(dir: string): void {
    const stamp = folderStamp(dir);
    this.answers.set(`d${dir}`, ['d', dir, stamp.text]);
    if (stamp.mtimeMs > this.newestListing) this.newestListing = stamp.mtimeMs;
  }

  /** The latest modification time of a folder noted by {@link listing}. */
  newestListing = 0;

  /** Every question asked so far, each once. */
  log(): Probe[] {
    const out: Probe[] = [];
    for (const [kind, file, answer] of this.answers.values()) out.push([kind, file, typeof answer === 'string' ? answer : answer()]);
    return out;
  }

  /** Does the file system still answer every question as it did? */
  static stillHolds(probes: readonly Probe[]): boolean {
    for (const [kind, file, answer] of probes) if (answerNow(kind, file, answer) !== answer) return false;
    return true;
  }
}

/** The answer the file system gives now to a question asked before (`was`: the answer then, for the byte count of `h`). */
function answerNow(kind: Probe[0], file: string, was: string): string {
  switch (kind) {
    case 'e':
      return fs.existsSync(file) ? '1' : '0';
    case 'l':
      return plainFile(file) ? '1' : '0';
    case 's':
      return statKind(file);
    case 'd':
      return folderStamp(file).text;
    case 'h': {
      const n = Number(was.slice(0, was.indexOf(':')));
      try {
        return `${n}:${digest(head(file, n))}`;
      } catch (e) {
        return `${n}:${failure(e)}`;
      }
    }
    default:
      try {
        return digest(kind === 'b' ? fs.readFileSync(file, 'utf8') : readText(file));
      } catch (e) {
        return failure(e);
      }
  }
}

function plainFile(file: string): boolean {
  try {
    return fs.lstatSync(file).isFile();
  } catch {
    return false;
  }
}

function statKind(file: string): 'file' | 'dir' | 'other' | 'missing' {
  try {
    const st = fs.statSync(file);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'missing';
  }
}

function head(file: string, n: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, fs.readSync(fd, buf, 0, n, 0));
  } finally {
    fs.closeSync(fd);
  }
}

function folderStamp(dir: string): { text: string; mtimeMs: number } {
  try {
    const st = fs.statSync(dir);
    return { text: `${st.mtimeMs}:${st.ctimeMs}:${st.ino}`, mtimeMs: st.mtimeMs };
  } catch (e) {
    return { text: failure(e), mtimeMs: 0 };
  }
}

function digest(data: string | Buffer): string {
  return sha1(data);
}

function failure(e: unknown): string {
  return `error:${(e as NodeJS.ErrnoException).code ?? 'unknown'}`;
}
