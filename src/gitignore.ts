/**
 * `.gitignore` patterns, matched as git matches them while it walks a tree: each folder and file is
 * judged by its own path (a folder that is excluded is never entered, so its contents need no
 * judging), the last matching pattern of a file wins, and `!` re-includes.
 *
 * - A pattern without a slash (a trailing one aside) matches a name at any depth: `*.log`, `tmp/`.
 * - A pattern with a slash is relative to the folder of its `.gitignore`: `/dist`, `docs/*.md`.
 * - `*` and `?` never match `/`; `**` matches any number of folders in `**∕x`, `x/**` and `a/**∕b`.
 * - A trailing `/` matches folders only; `\` escapes the next character; `[a-z]` and `[!a-z]` are
 *   character classes.
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
    for (const line of Array.isArray(text) ? text : text.split(/\r?\n/)) {
      const p = parseLine(line, this.ignoreCase);
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
  test(rel: string, isDir: boolean): boolean | undefined {
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

function parseLine(raw: string, ignoreCase: boolean): Pattern | undefined {
  let line = raw;
  // Trailing spaces are dropped unless escaped (`foo\ `).
  let end = line.length;
  while (end > 0 && line[end - 1] === ' ' && line[end - 2] !== '\\') end--;
  line = line.slice(0, end);
  if (!line || line.startsWith('#')) return undefined;
  let negate = false;
  if (line.startsWith('!')) {
    negate = true;
    line = line.slice(1);
  }
  let dirOnly = false;
  if (line.endsWith('/') && !line.endsWith('\\/')) {
    dirOnly = true;
    line = line.replace(/\/+$/, '');
  }
  if (!line) return undefined;
  const anchored = line.includes('/');
  if (line.startsWith('/')) line = line.slice(1);
  const source = globToRegex(line);
  return source === undefined ? undefined : { re: new RegExp(`^${source}$`, ignoreCase ? 'i' : ''), negate, dirOnly, anchored };
}

/** A gitignore glob as a regular expression source (without anchors). */
function globToRegex(glob: string): string | undefined {
  const segments = glob.split('/');
  let out = '';
  for (let s = 0; s < segments.length; s++) {
    const seg = segments[s]!;
    const last = s === segments.length - 1;
    if (seg === '**') {
      // `**/x`: any folders, or none; `x/**`: everything inside; `a/**/b`: zero or more folders between.
      if (last) out += s === 0 ? '.*' : '.*';
      else out += '(?:.*/)?';
      continue;
    }
    const part = segmentToRegex(seg);
    if (part === undefined) return undefined;
    out += part + (last ? '' : '/');
  }
  // `x/**` leaves `x/` followed by `.*`: it matches what is inside x, not x itself.
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
      if (cls) {
        out += cls.source;
        i = cls.end;
      } else out += '\\[';
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
  for (; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === ']' && !first) return { source: `[${negate ? '^/' : ''}${body}]`, end: i };
    first = false;
    if (c === '[' && seg[i + 1] === ':') {
      const close = seg.indexOf(':]', i + 2);
      const cls = close > 0 ? CLASSES[seg.slice(i + 2, close)] : undefined;
      if (cls !== undefined) {
        body += cls;
        i = close + 1;
        continue;
      }
    }
    if (c === '\\') {
      const next = seg[++i];
      if (next === undefined) return undefined;
      body += escapeInClass(next);
    } else body += c === '-' ? '-' : escapeInClass(c);
  }
  return undefined;
}

function escape(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

function escapeInClass(c: string): string {
  return /[\]\\^[]/.test(c) ? `\\${c}` : c;
}
