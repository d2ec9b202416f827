/**
 * `.gitignore` patterns, matched as git matches them while it walks a tree: each folder and file is
 * judged by its own path (a folder that is excluded is never entered, so its contents need no
 * judging), the last matching pattern of a file wins, and `!` re-includes.
 *
 * - A pattern without a slash (a trailing one aside) matches a name at any depth: `*.log`, `tmp/`.
 * - A pattern with a slash is relative to the folder of its `.gitignore`: `/dist`, `docs/*.md`.
 * - `*` and `?` never match `/`; `**` matches any number of folders in `**∕x`, `x/**` and `a/**∕b`.
 * - A trailing `/` matches folders only; `\` escapes the next character; `[a-z]`, `[!a-z]` and
 *   `[[:digit:]]` are character classes, which never match `/`. A reversed range (`[z-a]`)
 *   matches its first character only.
 * - Names are matched as UTF-8 bytes, as git does (`?` does not match `é`).
 * - A pattern git can never match (an unclosed `[`, an unknown class, `a//`) matches nothing.
 *
 * Matching works as git's own wildmatch does, one path segment at a time, with no regular
 * expressions: a `*` only ever backtracks to the last `*` seen, so no pattern can take
 * exponential time (`*a*a*a*a*b` against a long name).
 */
export class GitIgnore {
  private readonly patterns: Pattern[] = [];
  /** The patterns filed by what a path must hold to match them, made on the first test after a change. */
  private index?: PatternIndex;

  constructor(
    text: string,
    /** Git's default is `core.ignorecase`: false, except on macOS and Windows. Only ASCII letters fold. */
    private readonly ignoreCase = process.platform === 'darwin' || process.platform === 'win32',
  ) {
    this.add(text);
  }

  /** More patterns, read after the ones before (they win over them). */
  add(text: string | string[]): this {
    for (const line of Array.isArray(text) ? text : text.replace(/^\ufeff/, '').split('\n')) {
      const p = parseLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      if (p) this.patterns.push(p);
    }
    this.index = undefined;
    return this;
  }

  /**
   * The verdict for a path relative to the `.gitignore`'s folder (forward slashes, no leading
   * slash): `true` excluded, `false` re-included by a `!` pattern, `undefined` when no pattern
   * matches.
   */
  test(path: string, isDir: boolean): boolean | undefined {
    let rel = NON_ASCII.test(path) ? bytes(path) : path;
    if (this.ignoreCase) rel = foldCase(rel);
    const slash = rel.indexOf('/');
    const name = slash < 0 ? rel : rel.slice(rel.lastIndexOf('/') + 1);
    let parts: string[] | undefined;
    const hit = (p: Pattern) => {
      if (p.dirOnly && !isDir) return false;
      // Most patterns end in plain characters (`*.log`, `node_modules`): a name without them cannot match.
      if (p.suffix && !name.endsWith(this.ignoreCase ? p.suffixFolded! : p.suffix)) return false;
      return p.anchored ? matchPath(p.segments, (parts ??= rel.split('/')), this.ignoreCase) : matchSegment(p.segments[0] as Token[], name, this.ignoreCase);
    };
    // The last matching pattern wins: a few patterns are tried in turn, last first; of many, those that could match (see PatternIndex).
    if (this.patterns.length < INDEX_FROM) {
      for (let i = this.patterns.length - 1; i >= 0; i--) if (hit(this.patterns[i]!)) return !this.patterns[i]!.negate;
      return undefined;
    }
    const index = (this.index ??= new PatternIndex(this.patterns, this.ignoreCase));
    let last = -1;
    for (const list of index.candidates(name, slash < 0 ? rel : rel.slice(0, slash))) {
      for (let k = list.length - 1; k >= 0 && list[k]! > last; k--) {
        if (hit(this.patterns[list[k]!]!)) {
          last = list[k]!;
          break;
        }
      }
    }
    return last < 0 ? undefined : !this.patterns[last]!.negate;
  }
}

/** From this many patterns on, a path is looked up in a {@link PatternIndex}; below, trying them all costs less than looking up (most files hold a few dozen). */
const INDEX_FROM = 64;

/**
 * Patterns filed by plain characters a path must hold to match them, so that a path is tried only
 * against the few that could (a `.gitignore` of thousands of patterns and a tree of thousands of
 * files would otherwise cost their product). A pattern whose last segment starts or ends with
 * plain characters (`tmp-3-*`, `*.log`, `**∕cache*`) can only match a name that does too; an
 * anchored one whose first segment starts with plain characters (`/out3/**`) can only match a
 * path whose first folder does. Each pattern is filed once, under the rarest of these; patterns
 * with none (`*`, `[ab]*`, `**∕x/?`) are tried against every path. Keys are folded as names are
 * when case is ignored.
 */
export class PatternIndex {
  private readonly byKind: KeyFile[] = [newKeyFile(), newKeyFile(), newKeyFile()];
  /** Patterns filed under nothing, in file order. */
  private readonly rest: number[] = [];

  constructor(patterns: Pattern[], ignoreCase: boolean) {
    const keysOf = patterns.map((p) => fileKeys(p).map((k) => (ignoreCase ? foldCase(k) : k)));
    const count = new Map<string, number>();
    const id = (kind: number, key: string) => `${kind}\u0000${key}`;
    keysOf.forEach((keys) => keys.forEach((k, kind) => k && count.set(id(kind, k), (count.get(id(kind, k)) ?? 0) + 1)));
    keysOf.forEach((keys, i) => {
      let kind = -1;
      keys.forEach((k, j) => {
        if (k && (kind < 0 || count.get(id(j, k))! < count.get(id(kind, keys[kind]!))!)) kind = j;
      });
      if (kind < 0) return void this.rest.push(i);
      const file = this.byKind[kind]!;
      const key = keys[kind]!;
      const list = file.lists.get(key);
      if (list) list.push(i);
      else file.lists.set(key, [i]);
      file.lengths.add(key.length);
    });
    for (const file of this.byKind) file.sorted = [...file.lengths].sort((a, b) => a - b);
  }

  /** Lists of the patterns (by index, ascending) that could match a path with this name and first segment. */
  candidates(name: string, first: string): number[][] {
    const out = [this.rest];
    const [starts, ends, firsts] = this.byKind as [KeyFile, KeyFile, KeyFile];
    for (const n of starts.sorted) {
      if (n > name.length) break;
      const list = starts.lists.get(name.slice(0, n));
      if (list) out.push(list);
    }
    for (const n of ends.sorted) {
      if (n > name.length) break;
      const list = ends.lists.get(name.slice(name.length - n));
      if (list) out.push(list);
    }
    for (const n of firsts.sorted) {
      if (n > first.length) break;
      const list = firsts.lists.get(first.slice(0, n));
      if (list) out.push(list);
    }
    return out;
  }
}

/** Patterns by key, and the lengths of the keys (a path is looked up once per length). */
interface KeyFile {
  lists: Map<string, number[]>;
  lengths: Set<number>;
  sorted: number[];
}

const newKeyFile = (): KeyFile => ({ lists: new Map(), lengths: new Set(), sorted: [] });

/**
 * What a path must hold for the pattern to match it: the plain characters its name starts with,
 * those it ends with (the last segment matches the name whole, `**` or not before it), and those
 * an anchored pattern's first segment starts with (it matches the path's first segment whole).
 * Empty when there are none.
 */
function fileKeys(p: Pattern): [start: string, end: string, first: string] {
  const last = p.segments[p.segments.length - 1]!;
  const head = p.segments[0]!;
  const lead = (tokens: Token[]) => {
    let out = '';
    for (const t of tokens) {
      if (typeof t !== 'string') break;
      out += t;
    }
    return out;
  };
  return [last === GLOBSTAR ? '' : lead(last), p.suffix, p.anchored && head !== GLOBSTAR ? lead(head) : ''];
}

/** One element of a segment: a literal byte, `?`, `*`, or a class (a test of one byte). */
type Token = string | typeof ANY | typeof STAR | ((c: string) => boolean);
const ANY = 1;
const STAR = 2;
/** A whole segment `**`: any number of folders. */
const GLOBSTAR = 3;

export interface Pattern {
  /** Per path segment: its tokens, or {@link GLOBSTAR}. A pattern without a slash has one segment. */
  segments: (Token[] | typeof GLOBSTAR)[];
  negate: boolean;
  /** Ends with `/`: matches folders only. */
  dirOnly: boolean;
  /** Holds a slash: matched against the whole relative path, else against the name alone. */
  anchored: boolean;
  /** The plain characters the last segment ends with, which every matching name ends with too. */
  suffix: string;
  suffixFolded?: string;
}

const NON_ASCII = /[^\u0000-\u007f]/;

/** A string's UTF-8 bytes, one character each: git matches bytes (`?` is one byte of `é`). */
function bytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** ASCII letters in lower case; git folds no other bytes. */
function foldCase(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** A pattern line; undefined for blank lines, comments, and patterns git never matches (`x[`, `[[:nope:]]`, `a//`). */
export function parseLine(raw: string): Pattern | undefined {
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
  let dirOnly = false;
  if (line.endsWith('/') && !escaped(line, line.length - 1)) {
    dirOnly = true;
    line = line.slice(0, -1);
    if (line.endsWith('/')) return undefined; // `a//` matches nothing
  }
  if (!line) return undefined;
  // Any slash anchors the pattern, as in git: an escaped one (`a\/b`) or one inside a class (`[/a]`) too.
  const anchored = line.includes('/');
  const raws = splitSegments(line);
  if (raws[0] === '') raws.shift(); // a leading `/`
  const segments: Pattern['segments'] = [];
  for (const seg of raws) {
    if (anchored && /^\*\*+$/.test(seg)) {
      segments.push(GLOBSTAR);
      continue;
    }
    const tokens = tokenize(seg);
    if (!tokens) return undefined;
    // An escaped slash still separates folders.
    let from = 0;
    for (let i = 0; i <= tokens.length; i++) {
      if (i < tokens.length && tokens[i] !== '/') continue;
      segments.push(tokens.slice(from, i));
      from = i + 1;
    }
  }
  const last = segments[segments.length - 1];
  let suffix = '';
  if (last !== undefined && last !== GLOBSTAR) {
    for (let i = last.length - 1; i >= 0 && typeof last[i] === 'string'; i--) suffix = (last[i] as string) + suffix;
  }
  return segments.length ? { segments, negate, dirOnly, anchored, suffix, suffixFolded: foldCase(suffix) } : undefined;
}

/** Is the character at `i` escaped by an odd number of backslashes before it? */
function escaped(s: string, i: number): boolean {
  let n = 0;
  while (i - n - 1 >= 0 && s[i - n - 1] === '\\') n++;
  return n % 2 === 1;
}

/** `a/[ab]/c` → `['a', '[ab]', 'c']`; an escaped slash or one inside a class (`[/ab]`) splits nothing. */
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

/** A segment's tokens; undefined when git would never match it (a trailing `\`, an unclosed or unknown class). */
function tokenize(seg: string): Token[] | undefined {
  const out: Token[] = [];
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '\\') {
      const next = seg[++i];
      if (next === undefined) return undefined;
      out.push(next);
    } else if (c === '*') {
      while (seg[i + 1] === '*') i++;
      out.push(STAR);
    } else if (c === '?') out.push(ANY);
    else if (c === '[') {
      const cls = readClass(seg, i);
      if (!cls) return undefined;
      out.push(cls.test);
      i = cls.end;
    } else out.push(c);
  }
  return out;
}

/** Byte ranges of the named classes (`[[:digit:]]`). */
const CLASSES: Record<string, [string, string][]> = {
  alnum: [['a', 'z'], ['A', 'Z'], ['0', '9']],
  alpha: [['a', 'z'], ['A', 'Z']],
  digit: [['0', '9']],
  lower: [['a', 'z']],
  upper: [['A', 'Z']],
  space: [[' ', ' '], ['\t', '\r']],
  xdigit: [['0', '9'], ['a', 'f'], ['A', 'F']],
  punct: [['!', '/'], [':', '@'], ['[', '`'], ['{', '~']],
  blank: [[' ', ' '], ['\t', '\t']],
  print: [[' ', '~']],
  graph: [['!', '~']],
  cntrl: [['\u0000', '\u001f'], ['\u007f', '\u007f']],
};

/**
 * A bracket expression from `start` (the `[`): a test of one byte, and the index of its `]`;
 * undefined when it is unclosed or names an unknown class.
 */
function readClass(seg: string, start: number): { test: (c: string) => boolean; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (seg[i] === '!' || seg[i] === '^') {
    negate = true;
    i++;
  }
  const ranges: [string, string][] = [];
  let first = true;
  for (; i < seg.length; i++) {
    let c = seg[i]!;
    if (c === ']' && !first) {
      const test = (b: string) => b !== '/' && ranges.some(([lo, hi]) => b >= lo && b <= hi) !== negate;
      return { test, end: i };
    }
    first = false;
    if (c === '[' && seg[i + 1] === ':') {
      const close = seg.indexOf(':]', i + 2);
      const named = close > 0 ? CLASSES[seg.slice(i + 2, close)] : undefined;
      if (!named) return undefined;
      ranges.push(...named);
      i = close + 1;
      continue;
    }
    if (c === '\\') {
      c = seg[++i] ?? '';
      if (!c) return undefined;
    }
    // `a-z`; a reversed range (`z-a`) matches only its first character, as in git.
    if (seg[i + 1] === '-' && i + 2 < seg.length && seg[i + 2] !== ']') {
      let hi = seg[i + 2]!;
      i += 2;
      if (hi === '\\') hi = seg[++i] ?? '';
      if (!hi) return undefined;
      ranges.push(c <= hi ? [c, hi] : [c, c]);
      continue;
    }
    ranges.push([c, c]);
  }
  return undefined;
}

/** Does a segment's token list match a name (no `/` in it)? Git's wildmatch: a `*` backtracks to the last `*` only. */
function matchSegment(tokens: Token[], s: string, ignoreCase: boolean): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  while (t < s.length) {
    const tok = tokens[p];
    if (tok === STAR) {
      starP = p++;
      starT = t;
      continue;
    }
    if (tok !== undefined && matchOne(tok, s[t]!, ignoreCase)) {
      p++;
      t++;
      continue;
    }
    if (starP < 0) return false;
    p = starP + 1;
    t = ++starT;
  }
  while (tokens[p] === STAR) p++;
  return p === tokens.length;
}

function matchOne(tok: Token, c: string, ignoreCase: boolean): boolean {
  if (tok === ANY) return true;
  if (typeof tok === 'string') return tok === c || (ignoreCase && foldCase(tok) === c);
  if (typeof tok === 'function') return tok(c) || (ignoreCase && c >= 'a' && c <= 'z' && tok(c.toUpperCase()));
  return false;
}

/** Does a pattern with a slash match a path's segments? `**` matches any number of them (at the end, at least one). */
function matchPath(segments: Pattern['segments'], parts: string[], ignoreCase: boolean): boolean {
  const tried = new Set<number>();
  const at = (i: number, j: number): boolean => {
    if (i === segments.length) return j === parts.length;
    const seg = segments[i]!;
    if (seg === GLOBSTAR) {
      if (i === segments.length - 1) return j < parts.length; // `x/**`: what is inside x, not x
      const key = i * (parts.length + 1) + j;
      if (tried.has(key)) return false;
      tried.add(key);
      for (let k = j; k <= parts.length; k++) if (at(i + 1, k)) return true;
      return false;
    }
    return j < parts.length && matchSegment(seg, parts[j]!, ignoreCase) && at(i + 1, j + 1);
  };
  return at(0, 0);
}
