/**
 * `.gitignore` patterns, matched as git matches them while it walks a tree: each folder and file is
 * judged by its own path (a folder that is excluded is never entered, so its contents need no
 * judging), the last matching pattern of a file wins, and `!` re-includes.
 *
 * - A pattern without a slash (a trailing one aside) matches a name at any depth: `*.log`, `tmp/`.
 * - A pattern with a slash is relative to the folder of its `.gitignore`: `/dist`, `docs/*.md`.
 * - `*` and `?` never match `/`; `**` matches any number of folders in `**∕x`, `x/**` and `a/**∕b`.
 * - A trailing `/` matches folders only; `\` escapes the next character; `[a-z]`, `[!a-z]` and
 *   `[[:digit:]]` are character classes, which never match `/`.
 * - Names are matched as UTF-8 bytes, as git does (`?` does not match `é`).
 * - A pattern git can never match (an unclosed `[`, an unknown class, `a//`) matches nothing here
 *   either, and the file's other patterns still count.
 */
export class GitIgnore {
  private readonly patterns: Pattern[] = [];
  /** Every pattern in one expression per target, to answer "no pattern matches" (the usual case) at once. */
  private any?: Record<'fileName' | 'filePath' | 'dirName' | 'dirPath', RegExp | undefined>;

  constructor(
    text: string,
    /** Git's default: case-sensitive, except on macOS and Windows. */
    private readonly ignoreCase = process.platform === 'darwin' || process.platform === 'win32',
  ) {
    this.add(text);
  }

  /** More patterns, read after the ones before (they win over them). */
  add(text: string | string[]): this {
    for (const line of Array.isArray(text) ? text : text.replace(/^\ufeff/, '').split('\n')) {
      const p = parseLine(line.endsWith('\r') ? line.slice(0, -1) : line, this.ignoreCase);
      if (p) this.patterns.push(p);
    }
    this.any = undefined;
    return this;
  }

  /**
   * The verdict for a path relative to the `.gitignore`'s folder (forward slashes, no leading
   * slash): `true` excluded, `false` re-included by a `!` pattern, `undefined` when no pattern
   * matches.
   */
  test(path: string, isDir: boolean): boolean | undefined {
    const rel = NON_ASCII.test(path) ? bytes(path) : path;
    const any = (this.any ??= this.combine());
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    const byName = isDir ? any.dirName : any.fileName;
    const byPath = isDir ? any.dirPath : any.filePath;
    if (!byName?.test(name) && !byPath?.test(rel)) return undefined;
    for (let i = this.patterns.length - 1; i >= 0; i--) {
      const p = this.patterns[i]!;
      if (p.dirOnly && !isDir) continue;
      if (p.re.test(p.anchored ? rel : name)) return !p.negate;
    }
    return undefined;
  }

  private combine(): NonNullable<GitIgnore['any']> {
    const join = (ps: Pattern[]) => (ps.length ? new RegExp(ps.map((p) => `(?:${p.re.source})`).join('|'), this.ignoreCase ? 'i' : '') : undefined);
    const files = this.patterns.filter((p) => !p.dirOnly);
    return {
      fileName: join(files.filter((p) => !p.anchored)),
      filePath: join(files.filter((p) => p.anchored)),
      dirName: join(this.patterns.filter((p) => !p.anchored)),
      dirPath: join(this.patterns.filter((p) => p.anchored)),
    };
  }
}

interface Pattern {
  re: RegExp;
  negate: boolean;
  /** Ends with `/`: matches folders only. */
  dirOnly: boolean;
  /** Holds a slash: matched against the whole relative path, else against the name alone. */
  anchored: boolean;
}

const NON_ASCII = /[^\u0000-\u007f]/;

/** A string's UTF-8 bytes, one character each: git matches bytes (`?` is one byte of `é`). */
function bytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** A pattern line; undefined for blank lines, comments, and patterns git never matches (`[z-a]`, `x[`, `a//`). */
function parseLine(raw: string, ignoreCase: boolean): Pattern | undefined {
  let line = NON_ASCII.test(raw) ? bytes(raw) : raw;
  // Trailing spaces are dropped unless escaped (`foo\ `; in `foo\\ ` the backslash is the escaped one).
  let end = line.length;
  while (end > 0 && line[end - 1] === ' ' && !escaped(line, end - 1)) end--;
  line = line.slice(0, end);
  if (!line || line.startsWith('#')) return undefined;
  let negate = false;
  if (line.startsWith('!')) {
    negate = true;
    line = line.slice(1);
  }
  // An escaped slash is a slash.
  line = line.replace(/\\\//g, '/');
  let dirOnly = false;
  if (line.endsWith('/')) {
    dirOnly = true;
    line = line.slice(0, -1);
    if (line.endsWith('/')) return undefined; // `a//` matches nothing
  }
  if (!line) return undefined;
  const anchored = line.includes('/');
  if (line.startsWith('/')) line = line.slice(1);
  const source = globToRegex(line);
  if (source === undefined) return undefined;
  try {
    return { re: new RegExp(`^${source}$`, ignoreCase ? 'i' : ''), negate, dirOnly, anchored };
  } catch {
    return undefined; // a range git cannot match either (`[z-a]`)
  }
}

/** Is the character at `i` escaped by an odd number of backslashes before it? */
function escaped(s: string, i: number): boolean {
  let n = 0;
  while (i - n - 1 >= 0 && s[i - n - 1] === '\\') n++;
  return n % 2 === 1;
}

/** A gitignore glob as a regular expression source (without anchors). */
function globToRegex(glob: string): string | undefined {
  const segments = splitSegments(glob);
  let out = '';
  for (let s = 0; s < segments.length; s++) {
    const seg = segments[s]!;
    const last = s === segments.length - 1;
    if (/^\*\*+$/.test(seg)) {
      // `**/x`: any folders, or none; `x/**`: everything inside (not x itself); `a/**/b`: zero or more folders between.
      out += last ? '.*' : '(?:.*/)?';
      continue;
    }
    const part = segmentToRegex(seg);
    if (part === undefined) return undefined;
    out += part + (last ? '' : '/');
  }
  return out;
}

/** `a/[ab]/c` → `['a', '[ab]', 'c']`; a slash inside a character class (`[/ab]`) splits nothing. */
function splitSegments(glob: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (c === '[') {
      const cls = readClass(glob, i);
      if (cls) i = cls.end;
    } else if (c === '/') {
      out.push(glob.slice(from, i));
      from = i + 1;
    }
  }
  out.push(glob.slice(from));
  return out;
}

const CLASSES: Record<string, string> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  digit: '0-9',
  lower: 'a-z',
  upper: 'A-Z',
  space: ' \\t\\r\\n\\v\\f',
  xdigit: '0-9a-fA-F',
  punct: '!-\\/:-@\\[-`{-~',
  blank: ' \\t',
  print: ' -~',
  graph: '!-~',
  cntrl: '\\x00-\\x1f\\x7f',
};

function segmentToRegex(seg: string): string | undefined {
  let out = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '\\') {
      const next = seg[++i];
      if (next === undefined) return undefined; // a trailing backslash matches nothing, as in git
      out += escape(next);
    } else if (c === '*') {
      while (seg[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const cls = readClass(seg, i);
      if (!cls) return undefined; // an unclosed class: git matches nothing
      out += cls.source;
      i = cls.end;
    } else out += escape(c);
  }
  return out;
}

/** A bracket expression from `start` (the `[`): its regex and the index of its `]`; undefined when unclosed. */
function readClass(seg: string, start: number): { source: string; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (seg[i] === '!' || seg[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  let first = true;
  /** The last single character, which a `-` may turn into a range's start. */
  let prev: string | undefined;
  for (; i < seg.length; i++) {
    let c = seg[i]!;
    if (c === ']' && !first) return { source: `[${negate ? '^/' : ''}${body}]`, end: i };
    first = false;
    if (c === '[' && seg[i + 1] === ':') {
      const close = seg.indexOf(':]', i + 2);
      const cls = close > 0 ? CLASSES[seg.slice(i + 2, close)] : undefined;
      if (cls === undefined) return undefined; // an unknown class: git matches nothing
      body += cls;
      i = close + 1;
      prev = undefined;
      continue;
    }
    if (c === '-' && prev !== undefined && i + 1 < seg.length && seg[i + 1] !== ']') {
      let hi = seg[++i]!;
      if (hi === '\\') hi = seg[++i] ?? '';
      if (!hi) return undefined;
      // A reversed range (`[z-a]`) matches only its first character, as in git.
      if (prev <= hi) body += `-${escapeInClass(hi)}`;
      prev = undefined;
      continue;
    }
    if (c === '\\') {
      c = seg[++i] ?? '';
      if (!c) return undefined;
    }
    if (c !== '/') body += escapeInClass(c); // a class never matches a slash
    prev = c;
  }
  return undefined;
}

function escape(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function escapeInClass(c: string): string {
  return /[\]\\^[-]/.test(c) ? `\\${c}` : c;
}
