import { lineOf } from '../lines.js';
import type { ParsedYaml, PDoc, PNode, Pos } from './yaml.js';

/**
 * A fast reader for the YAML that manifests are almost always written in: block maps and
 * sequences (including a sequence at its key's indentation), single-line plain and quoted scalars,
 * flow collections on one line (`["node", "server.js"]`, `{ app: web }`, nested), comments, and
 * `---` between documents. It gives the
 * very trees the `yaml` library does (values typed by the YAML 1.2 core schema, the same
 * positions), or `undefined` for anything else: anchors, aliases, tags, block scalars, multi-line
 * scalars, escapes, duplicate keys, tabs, errors. The caller then parses the text with the library,
 * which also words every error. Manifests are most of what a platform repository holds, and the
 * library reads ~1 MB/s.
 */
export function readPlainYaml(text: string): ParsedYaml | undefined {
  // Windows line breaks (a checkout with `core.autocrlf`) are read as plain ones: the library
  // reports the same values and positions for both. A lone carriage return is left to it.
  const lf = text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
  if (UNUSUAL.test(lf)) return undefined;
  let docs: PDoc[];
  try {
    docs = new Reader(lf).documents();
  } catch (e) {
    if (e === DECLINE) return undefined;
    throw e;
  }
  return { docs };
}

/** Tabs, lone carriage returns, control characters, byte-order marks and Unicode line breaks. */
const UNUSUAL = /[\t\r\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;
const DECLINE = new Error('not plain YAML');
const MAX_DEPTH = 64;
/** Helm's `# Source: chart/templates/x.yaml` comment above a document. */
export const SOURCE_COMMENT = /^#\s*Source:\s*(\S+)/m;
/** Implicit keys longer than this are left to the library, which rejects those over 1024 characters. */
const MAX_KEY = 1000;

/** A map key's text and where it ends (its `:` is there). */
interface Key {
  name: string;
  end: number;
}

/** A parsed node, with `end`: where its trailing comments end (the library's `range[2]`), and the next line to read. */
interface Parsed {
  node: PNode;
  end: number;
  next: number;
}

class Reader {
  /** Offset where each line starts; one more entry when the text ends with a line break. */
  private readonly starts: number[] = [0];

  /** Per line: its indentation, and whether it is blank (1), a comment (2) or content (0). */
  private readonly indents: Int32Array;
  private readonly kinds: Uint8Array;

  constructor(private readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
    const n = this.starts.length;
    this.indents = new Int32Array(n);
    this.kinds = new Uint8Array(n);
    for (let l = 0; l < n; l++) {
      const s = this.starts[l]!;
      let i = s;
      while (text.charCodeAt(i) === 32) i++;
      this.indents[l] = i - s;
      this.kinds[l] = i === this.lineEnd(l) ? 1 : text.charCodeAt(i) === 35 ? 2 : 0;
    }
  }

  private get lines(): number {
    const n = this.starts.length;
    return this.starts[n - 1] === this.text.length && n > 1 ? n - 1 : n;
  }

  private lineEnd(l: number): number {
    const next = this.starts[l + 1];
    return next === undefined ? this.text.length : next - 1;
  }

  /** How many spaces the line starts with. */
  private indent(l: number): number {
    return this.indents[l]!;
  }

  private isBlank(l: number): boolean {
    return this.kinds[l] === 1;
  }

  private isComment(l: number): boolean {
    return this.kinds[l] === 2;
  }

  private isContent(l: number): boolean {
    return this.kinds[l] === 0;
  }

  /** The next line at or after `l` (and before `stop`) holding content, or `stop`. */
  private nextContent(l: number, stop: number): number {
    while (l < stop && !this.isContent(l)) l++;
    return l;
  }

  /** The start of the next line, or the end of the text. */
  private afterLine(l: number): number {
    return this.starts[l + 1] ?? this.text.length;
  }

  private stop = 0;

  documents(): PDoc[] {
    const out: PDoc[] = [];
    const n = this.lines;
    let docStart = 0;
    let first = 0;
    for (let l = 0; l <= n; l++) {
      if (l < n) {
        const s = this.starts[l]!;
        const c = this.text.charCodeAt(s);
        if (c === 37) throw DECLINE; // % directive
        if (this.text.startsWith('...', s)) throw DECLINE;
        if (!this.text.startsWith('---', s)) continue;
        if (!/^ *$/.test(this.text.slice(s + 3, this.lineEnd(l)))) throw DECLINE;
      }
      const doc = this.document(docStart, first, l);
      if (doc) out.push(doc);
      if (l < n) {
        docStart = this.starts[l]!;
        first = l + 1;
      }
    }
    return out;
  }

  /**
   * One document: lines `from` to `to`, starting at offset `docStart` (its `---`, or the start of
   * the text). A document a `---` starts holds an empty value when it holds nothing else; the text
   * before the first `---` is no document then.
   */
  private document(docStart: number, from: number, to: number): PDoc | undefined {
    this.stop = to;
    const l = this.nextContent(from, to);
    if (l === to) {
      if (this.mentionsSource(from, to)) throw DECLINE;
      if (from === 0) return undefined;
      let at = docStart + 3;
      while (this.text.charCodeAt(at) === 32) at++;
      return { root: { t: 'val', p: this.pos(at, at), v: null } };
    }
    const col = this.indent(l);
    const at = this.starts[l]! + col;
    let parsed: Parsed;
    if (this.isSeqLine(l)) parsed = this.seq(l, col);
    else {
      const key = this.key(l, at);
      if (!key) throw DECLINE;
      parsed = this.map(l, col, at, key);
    }
    // Nothing but comments may follow the root node; a `# Source:` comment only before it.
    if (this.nextContent(parsed.next, to) !== to || this.mentionsSource(parsed.next, to) || this.mentionsSource(l, parsed.next)) throw DECLINE;
    // The library starts a document without `---` at its content, so it finds no `# Source:` above it.
    if (from === 0 && this.mentionsSource(0, l)) throw DECLINE;
    const template = SOURCE_COMMENT.exec(this.text.slice(docStart, at))?.[1];
    return template ? { root: parsed.node, template } : { root: parsed.node };
  }

  private mentionsSource(from: number, to: number): boolean {
    for (let l = from; l < to; l++) if (this.isComment(l) && /Source:/.test(this.text.slice(this.starts[l]!, this.lineEnd(l)))) return true;
    return false;
  }

  private isSeqLine(l: number): boolean {
    const p = this.starts[l]! + this.indent(l);
    return this.text.charCodeAt(p) === 45 && (p + 1 === this.lineEnd(l) || this.text.charCodeAt(p + 1) === 32);
  }

  /** A block map whose keys start at column `col`; the first key, already read, is at offset `at` on line `l`. */
  private map(l: number, col: number, at: number, first: Key): Parsed {
    return this.nested(() => this.blockMap(l, col, at, first));
  }

  private blockMap(l: number, col: number, at: number, first: Key): Parsed {
    const entries: [string, Pos, PNode][] = [];
    const seen = new Set<string>();
    let line = l;
    let keyAt = at;
    for (;;) {
      const key = line === l ? first : this.key(line, keyAt);
      if (!key) throw DECLINE;
      if (seen.has(key.name)) throw DECLINE;
      seen.add(key.name);
      const value = this.value(line, key.end + 1, col, true);
      entries.push([key.name, this.pos(keyAt, key.end), value.node]);
      const after = this.trailing(value, col);
      if (after.nextIndent === col && after.next < this.stop) {
        if (this.isSeqLine(after.next)) throw DECLINE;
        line = after.next;
        keyAt = this.starts[line]! + col;
        continue;
      }
      if (after.nextIndent > col) throw DECLINE;
      return { node: { t: 'map', p: this.pos(at, value.end), e: entries }, end: after.commentEnd ?? value.end, next: after.resume };
    }
  }

  /**
   * A block sequence whose dashes are at column `col`, from line `l`; `keyed` when it is a map
   * value at its key's column (`containers:` then `- name: app`). Comments at column 0 after such
   * a sequence at the top level are the document's, not the sequence's.
   */
  private seq(l: number, col: number, keyed = false): Parsed {
    return this.nested(() => this.blockSeq(l, col, keyed));
  }

  private blockSeq(l: number, col: number, keyed: boolean): Parsed {
    const items: PNode[] = [];
    const at = this.starts[l]! + col;
    let line = l;
    for (;;) {
      const dash = this.starts[line]! + col;
      const value = this.value(line, dash + 1, col, false);
      items.push(value.node);
      const after = this.trailing(value, col, keyed && col === 0);
      if (after.nextIndent === col && after.next < this.stop && this.isSeqLine(after.next)) {
        line = after.next;
        continue;
      }
      if (after.nextIndent > col) throw DECLINE;
      return { node: { t: 'seq', p: this.pos(at, value.end), i: items }, end: after.commentEnd ?? value.end, next: after.resume };
    }
  }

  /**
   * After an item of a collection at column `col`: the next content line and its indentation.
   * Comment lines at the collection's column after its last item are a comment-only item, which
   * ends the collection (the library's `range[2]`, not `range[1]`) where the next line's content
   * starts, or where the document ends. `resume` is the first line the enclosing collection still
   * has to look at. In
   *
   *     strategy:
   *       matrix:
   *         language: [js]
   *         # a note          <- the matrix map's comment-only item
   *
   *       steps: 1
   *
   * the matrix map ends (`range[2]`) at `steps`' first character, so the `strategy` map, whose
   * last item holds the matrix before `steps` comes, is one line and four columns longer than
   * its entries alone would make it.
   */
  private trailing(value: Parsed, col: number, outerAtCol = false): { next: number; nextIndent: number; commentEnd?: number; resume: number } {
    let same = false;
    for (let l = value.next; l < this.stop; l++) {
      if (this.isBlank(l)) continue;
      const ind = this.indent(l);
      if (!this.isComment(l)) {
        const commentEnd = same && ind < col ? this.starts[l]! + ind : undefined;
        return { next: l, nextIndent: ind, commentEnd, resume: same ? l : value.next };
      }
      if (ind > col) throw DECLINE; // after a nested collection: which node it ends is unclear
      if (ind < col || outerAtCol) {
        if (same) throw DECLINE;
        // It belongs further out, unless a comment at this column follows (then all are this collection's).
        const next = this.nextContent(l, this.stop);
        for (let k = l + 1; k < next; k++) if (this.isComment(k) && this.indent(k) >= col) throw DECLINE;
        return { next, nextIndent: this.indentOfNext(l), resume: value.next };
      }
      same = true;
    }
    const docEnd = this.starts[this.stop] ?? this.text.length;
    return { next: this.stop, nextIndent: -1, commentEnd: same ? docEnd : undefined, resume: same ? this.stop : value.next };
  }

  private indentOfNext(l: number): number {
    const n = this.nextContent(l, this.stop);
    return n < this.stop ? this.indent(n) : -1;
  }

  /**
   * The value after a `:` or `-` indicator ending at `from` on line `l`, in a collection at column
   * `col`: inline on the line, on the lines below (more indented; for a map value, also a sequence
   * at the key's own column), or empty.
   */
  private value(l: number, from: number, col: number, inMap: boolean): Parsed {
    const t = this.text;
    const end = this.lineEnd(l);
    let p = from;
    while (t.charCodeAt(p) === 32) p++;
    if (p === end || (t.charCodeAt(p) === 35 && p > from)) {
      const n = this.nextContent(l + 1, this.stop);
      const ind = n < this.stop ? this.indent(n) : -1;
      if (ind > col) {
        const at = this.starts[n]! + ind;
        if (this.isSeqLine(n)) return this.seq(n, ind);
        const key = this.key(n, at);
        if (key) return this.map(n, ind, at, key);
        throw DECLINE;
      }
      if (inMap && ind === col && this.isSeqLine(n)) return this.seq(n, col, true);
      // Empty. A comment on its line, below it, or above its item would be the empty value's, and
      // end it: left to the library.
      if (p !== end) throw DECLINE;
      for (let k = l + 1; k < n; k++) if (this.isComment(k)) throw DECLINE;
      for (let k = l - 1; k >= 0 && !this.isContent(k); k--) if (this.isComment(k)) throw DECLINE;
      return { node: { t: 'val', p: this.pos(p, p), v: null }, end: p, next: l + 1 };
    }
    if (p === from && p !== end) throw DECLINE; // `a:b` is no indicator; `-x` no item
    const c = t.charCodeAt(p);
    if (c === 45 && (p + 1 === end || t.charCodeAt(p + 1) === 32)) throw DECLINE; // `- - x`, `a: - x`
    // `- name: app`: a map in a sequence item. (In a map value, `a: b: c`, the scalar's scan declines.)
    const key = inMap ? undefined : this.key(l, p);
    if (key) return this.map(l, p - this.starts[l]!, p, key);
    const { node, end: valueEnd } = this.inline(l, p);
    // Only spaces and a comment may follow on the line.
    let q = valueEnd;
    while (t.charCodeAt(q) === 32) q++;
    if (q !== end && !(t.charCodeAt(q) === 35 && t.charCodeAt(q - 1) === 32)) throw DECLINE;
    // A more indented line below would continue the scalar (or be an error).
    const n = this.nextContent(l + 1, this.stop);
    if (n < this.stop && this.indent(n) > col) throw DECLINE;
    // More indented comment lines below (blank lines between them too) end with the scalar.
    let last = l;
    let outer = false;
    for (let k = l + 1; k < n; k++) {
      if (!this.isComment(k)) continue;
      if (this.indent(k) <= col) outer = true;
      else if (outer) throw DECLINE;
      else last = k;
    }
    return { node, end: this.afterLine(last), next: last + 1 };
  }

  /** A single-line scalar or flow sequence at offset `p` of line `l`, and the offset where it ends. */
  private inline(l: number, p: number): { node: PNode; end: number } {
    const t = this.text;
    const end = this.lineEnd(l);
    const c = t[p]!;
    if (c === '"' || c === "'") {
      const q = this.quoted(p, end);
      return { node: { t: 'val', p: this.pos(p, q.end), v: q.value }, end: q.end };
    }
    if (c === '[') return this.flowSeq(p, end);
    if (c === '{') return this.flowMap(p, end);
    if (!this.plainStart(p, end)) throw DECLINE;
    let q = p;
    for (; q < end; q++) {
      const ch = t.charCodeAt(q);
      if (ch === 35 && t.charCodeAt(q - 1) === 32) break; // a comment
      if (ch === 58 && this.colonAt(q, end)) throw DECLINE; // `a: b: c`
    }
    while (t.charCodeAt(q - 1) === 32) q--;
    return { node: { t: 'val', p: this.pos(p, q), v: scalar(t.slice(p, q)) }, end: q };
  }

  /** Can a plain scalar start here? Not with an indicator (`&`, `*`, `!`, `|`, `>`, `?`, `:`, ...). */
  private plainStart(p: number, end: number, flow = false): boolean {
    const c = this.text[p]!;
    if (c === '-') return p + 1 < end && this.text[p + 1] !== ' ' && !(flow && ',[]{}'.includes(this.text[p + 1]!));
    return !'?:,[]{}#&*!|>\'"%@`'.includes(c);
  }

  /** A quoted scalar closed on the same line, without escapes (`''` in single quotes is a quote). */
  private quoted(p: number, end: number): { value: string; end: number } {
    const t = this.text;
    if (t[p] === '"') {
      const close = t.indexOf('"', p + 1);
      if (close < 0 || close >= end) throw DECLINE;
      const value = t.slice(p + 1, close);
      if (value.includes('\\')) throw DECLINE;
      return { value, end: close + 1 };
    }
    let value = '';
    for (let from = p + 1; ; ) {
      const q = t.indexOf("'", from);
      if (q < 0 || q >= end) throw DECLINE;
      if (t[q + 1] !== "'") return { value: value + t.slice(from, q), end: q + 1 };
      value += t.slice(from, q + 1);
      from = q + 2;
    }
  }


  /** `[a, "b", 3]` on one line: scalars and flow collections. */
  private flowSeq(p: number, end: number): { node: PNode; end: number } {
    const items: PNode[] = [];
    const after = this.flowItems(p, end, ']', (q) => {
      const item = this.flowValue(q, end);
      items.push(item.node);
      return item.end;
    });
    return { node: { t: 'seq', p: this.pos(p, after), i: items }, end: after };
  }

  /** `{ app: web, tier: "api" }` on one line: scalar keys; scalars and flow collections as values. */
  private flowMap(p: number, end: number): { node: PNode; end: number } {
    const t = this.text;
    const entries: [string, Pos, PNode][] = [];
    const seen = new Set<string>();
    const after = this.flowItems(p, end, '}', (q) => {
      const key = this.flowScalar(q, end);
      if (key.node.t !== 'val' || typeof key.node.v !== 'string' || key.node.v === '<<') throw DECLINE;
      const name = key.node.v;
      if (seen.has(name) || t[key.end] !== ':' || t[key.end + 1] !== ' ') throw DECLINE;
      seen.add(name);
      let v = key.end + 1;
      while (t.charCodeAt(v) === 32) v++;
      const value = this.flowValue(v, end);
      entries.push([name, key.node.p, value.node]);
      return value.end;
    });
    return { node: { t: 'map', p: this.pos(p, after), e: entries }, end: after };
  }

  /**
   * The items of a flow collection opened at `p` and closed by `close` on the same line, each read
   * by `item` from its first character (returning where it ends); the offset after `close`. An
   * empty item or a trailing comma is left to the library.
   */
  private flowItems(p: number, end: number, close: string, item: (q: number) => number): number {
    const t = this.text;
    let q = p + 1;
    for (let first = true; ; first = false) {
      while (t.charCodeAt(q) === 32) q++;
      if (q >= end) throw DECLINE;
      if (t[q] === close) return q + 1;
      if (!first) {
        if (t[q] !== ',') throw DECLINE;
        q++;
        while (t.charCodeAt(q) === 32) q++;
        if (t[q] === close || t[q] === ',') throw DECLINE;
      }
      q = item(q);
    }
  }

  /** A value inside a flow collection: a nested one, or a scalar. */
  private flowValue(q: number, end: number): { node: PNode; end: number } {
    const c = this.text[q];
    if (c === '[') return this.nested(() => this.flowSeq(q, end));
    if (c === '{') return this.nested(() => this.flowMap(q, end));
    return this.flowScalar(q, end);
  }

  private depth = 0;

  /** Collections nest at most {@link MAX_DEPTH} deep here (a manifest, a dozen); deeper ones go to the library. */
  private nested<T>(read: () => T): T {
    if (++this.depth > MAX_DEPTH) throw DECLINE;
    try {
      return read();
    } finally {
      this.depth--;
    }
  }

  /** A quoted or plain scalar inside a flow collection, ended by `,`, `]`, `}` or (for a key) `: `. */
  private flowScalar(q: number, end: number): { node: PNode; end: number } {
    const t = this.text;
    const c = t[q];
    if (c === '"' || c === "'") {
      const s = this.quoted(q, end);
      return { node: { t: 'val', p: this.pos(q, s.end), v: s.value }, end: s.end };
    }
    if (!this.plainStart(q, end, true)) throw DECLINE;
    let r = q;
    while (r < end && !',[]{}'.includes(t[r]!) && !(t[r] === ':' && t[r + 1] === ' ')) {
      if (t[r] === ':' || (t[r] === '#' && t[r - 1] === ' ')) throw DECLINE;
      r++;
    }
    let e = r;
    while (t.charCodeAt(e - 1) === 32) e--;
    if (r >= end) throw DECLINE;
    return { node: { t: 'val', p: this.pos(q, e), v: scalar(t.slice(q, e)) }, end: e };
  }

  /**
   * A map key at offset `p` of line `l`: a plain or quoted scalar followed by `: ` (or `:` at the
   * end of the line). Keys that are not strings (`1:`, `true:`), merge keys and spaces before the
   * colon are left to the library.
   */
  private key(l: number, p: number): Key | undefined {
    const t = this.text;
    const end = this.lineEnd(l);
    const c = t[p];
    if (c === '"' || c === "'") {
      let q: { value: string; end: number };
      try {
        q = this.quoted(p, end);
      } catch (e) {
        if (e === DECLINE) return undefined; // not closed on this line: no key
        throw e;
      }
      if (this.colonAt(q.end, end)) {
        if (q.end - p > MAX_KEY) throw DECLINE;
        return this.named(q.value, q.end);
      }
      let r = q.end;
      while (t.charCodeAt(r) === 32) r++;
      if (this.colonAt(r, end)) throw DECLINE; // `"a" : 1`
      return undefined;
    }
    if (!this.plainStart(p, end)) return undefined;
    for (let q = p; q < end; q++) {
      const ch = t.charCodeAt(q);
      if (ch === 35 && t.charCodeAt(q - 1) === 32) return undefined; // a comment: no key on this line
      if (ch !== 58 || !this.colonAt(q, end)) continue;
      if (t.charCodeAt(q - 1) === 32 || q - p > MAX_KEY) throw DECLINE; // `a : 1`; a very long key
      const name = t.slice(p, q);
      if (typeof scalar(name) !== 'string') throw DECLINE;
      return this.named(name, q);
    }
    return undefined;
  }

  /** A `:` that indicates a map value: followed by a space or the end of the line (`end`). */
  private colonAt(q: number, end: number): boolean {
    return this.text.charCodeAt(q) === 58 && (q + 1 === end || this.text.charCodeAt(q + 1) === 32);
  }

  /** A key ending at `end`, where its colon is; a merge key (`<<`) is left to the library. */
  private named(name: string, end: number): Key {
    if (name === '<<') throw DECLINE;
    return { name, end };
  }

  /** `[line, column, endLine, endColumn]` of two offsets, as the library's line counter gives them. */
  private pos(a: number, b: number): Pos {
    const la = lineOf(this.starts, a);
    const lb = lineOf(this.starts, b);
    return [la + 1, a - this.starts[la]! + 1, lb + 1, b - this.starts[lb]! + 1];
  }
}

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const INT = /^[-+]?[0-9]+$/;
const OCT = /^0o[0-7]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const SPECIAL_FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** A plain scalar's value under the YAML 1.2 core schema, as the library resolves it. */
function scalar(s: string): string | number | boolean | null {
  const c = s.charCodeAt(0);
  // Most values start with a letter other than n, t, f, N, T, F: strings.
  if (!(c <= 57 || c === 43 || c === 45 || c === 46 || c === 126 || /^[ntfNTF]/.test(s))) return s;
  if (NULL.test(s)) return null;
  if (s === 'true' || s === 'True' || s === 'TRUE') return true;
  if (s === 'false' || s === 'False' || s === 'FALSE') return false;
  if (OCT.test(s)) return parseInt(s.slice(2), 8);
  if (INT.test(s)) return parseInt(s, 10);
  if (HEX.test(s)) return parseInt(s.slice(2), 16);
  if (SPECIAL_FLOAT.test(s)) throw DECLINE;
  if (FLOAT.test(s)) return parseFloat(s);
  return s;
}
