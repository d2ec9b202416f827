import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node as YamlNode,
  type Pair,
} from 'yaml';
import type { Location, Span } from '../types.js';

/** The file a YAML node came from: its printed name, line table and (for Helm output) template. */
export interface YamlSource {
  file: string;
  lines: LineCounter;
  doc: Document.Parsed;
  /** The Helm template named by a `# Source:` comment before the document, if any. */
  template?: string;
}

/**
 * A node of a YAML document with its position. Navigation never throws: asking a scalar for a
 * key, or a list for a field, gives `undefined`, so malformed manifests cannot crash a rule.
 */
export class YNode {
  constructor(
    readonly src: YamlSource,
    readonly node: YamlNode | null,
    /** The key node of the pair this value belongs to, so a finding can point at the field name. */
    readonly key?: YamlNode,
  ) {}

  get isMap(): boolean {
    return isMap(this.node);
  }
  get isSeq(): boolean {
    return isSeq(this.node);
  }

  /** The value under `key` of a map, or the item at index `key` of a sequence. */
  get(key: string | number): YNode | undefined {
    const n = this.node;
    if (typeof key === 'number') {
      if (!isSeq(n)) return undefined;
      const item = n.items[key];
      return item === undefined ? undefined : this.wrap(item as YamlNode | null);
    }
    if (!isMap(n)) return undefined;
    const pair = findPair(n.items as Pair[], key, this.src.doc);
    if (!pair) return undefined;
    return this.wrap(pair.value as YamlNode | null, pair.key as YamlNode);
  }

  /** Follow a path of keys and indexes: `at('spec', 'template', 'spec')`. */
  at(...keys: (string | number)[]): YNode | undefined {
    let cur: YNode | undefined = this;
    for (const k of keys) cur = cur?.get(k);
    return cur;
  }

  /** True when the map has the key, even with an empty value. */
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Items of a sequence (empty for anything else). */
  items(): YNode[] {
    const n = this.node;
    return isSeq(n) ? n.items.map((i) => this.wrap(i as YamlNode | null)) : [];
  }

  /** Key/value entries of a map with string-like keys (empty for anything else). */
  entries(): [string, YNode][] {
    const n = this.node;
    if (!isMap(n)) return [];
    const out: [string, YNode][] = [];
    for (const p of n.items as Pair[]) {
      const k = isScalar(p.key) ? p.key.value : undefined;
      if (typeof k === 'string' || typeof k === 'number') out.push([String(k), this.wrap(p.value as YamlNode | null, p.key as YamlNode)]);
    }
    return out;
  }

  /** A scalar as a string (numbers and booleans are stringified); undefined for maps, lists, null. */
  str(): string | undefined {
    const n = this.node;
    if (!isScalar(n) || n.value === null || n.value === undefined) return undefined;
    return typeof n.value === 'object' ? undefined : String(n.value);
  }

  /** A scalar as a number (numeric strings count); undefined otherwise. */
  num(): number | undefined {
    const n = this.node;
    if (!isScalar(n)) return undefined;
    if (typeof n.value === 'number') return n.value;
    if (typeof n.value === 'string' && /^\s*-?\d+(?:\.\d+)?\s*$/.test(n.value)) return Number(n.value);
    return undefined;
  }

  /** True for a missing value, `~`, `null` or an empty field. */
  get isNull(): boolean {
    const n = this.node;
    return n === null || (isScalar(n) && (n.value === null || n.value === undefined));
  }

  /** The plain JavaScript value of this node. */
  toJS(): unknown {
    const n = this.node;
    if (n === null) return null;
    return n.toJS(this.src.doc, { maxAliasCount: 100 });
  }

  /** Where the value is. */
  valueSpan(): Span {
    const start = this.node?.range?.[0] ?? this.key?.range?.[1] ?? 0;
    return this.toSpan(start, this.node?.range?.[1] ?? start);
  }

  /** Where the field is: its key through a scalar value, or just the key when the value is a map or list. */
  fieldSpan(): Span {
    const k = this.key?.range;
    const v = this.node?.range;
    const start = k?.[0] ?? v?.[0] ?? 0;
    const scalar = this.node === null || isScalar(this.node);
    const end = (scalar ? v?.[1] : undefined) ?? k?.[1] ?? v?.[1] ?? start;
    return this.toSpan(start, end);
  }

  /** Location of the field (key and scalar value), for findings. */
  loc(): Location {
    return { file: this.src.file, ...this.fieldSpan() };
  }

  /** Location of the value only (a bad port points at the port). */
  valueLoc(): Location {
    return { file: this.src.file, ...this.valueSpan() };
  }

  private toSpan(start: number, end: number): Span {
    const a = this.src.lines.linePos(start);
    const b = this.src.lines.linePos(Math.max(start, end));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  }

  private wrap(node: YamlNode | null, key?: YamlNode): YNode {
    let n = node;
    if (isAlias(n)) n = (n.resolve(this.src.doc) as YamlNode | undefined) ?? null;
    return new YNode(this.src, n, key);
  }
}

function findPair(items: Pair[], key: string, doc: Document.Parsed): Pair | undefined {
  for (const p of items) {
    if (isScalar(p.key) && String(p.key.value) === key) return p;
  }
  // YAML merge keys (`<<: *defaults`): look into the merged maps.
  for (const p of items) {
    if (!isScalar(p.key) || (p.key.source !== '<<' && p.key.value !== '<<')) continue;
    const sources = isSeq(p.value) ? p.value.items : [p.value];
    for (const s of sources) {
      const m = isAlias(s) ? s.resolve(doc) : s;
      if (isMap(m)) {
        const found = findPair(m.items as Pair[], key, doc);
        if (found) return found;
      }
    }
  }
  return undefined;
}

/** A YAML syntax problem with its position. */
export interface YamlProblem extends Span {
  message: string;
}

/** The documents of one YAML file, or the first syntax problem when it does not parse. */
export interface YamlFile {
  file: string;
  docs: YNode[];
  problem?: YamlProblem;
}

const SOURCE_COMMENT = /^#\s*Source:\s*(\S+)/m;

/** Parse every document of a YAML text, keeping positions and Helm `# Source:` comments. */
export function parseYaml(file: string, text: string): YamlFile {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, merge: true });
  const docs = Array.isArray(parsed) ? parsed : [];
  const out: YNode[] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const a = lines.linePos(err.pos[0]);
      const b = lines.linePos(Math.max(err.pos[0], err.pos[1]));
      return {
        file,
        docs: [],
        problem: { message: firstLine(err.message), line: a.line, column: a.col, endLine: b.line, endColumn: b.col },
      };
    }
    if (!doc.contents) continue;
    const head = text.slice(doc.range[0], doc.contents.range[0]);
    const template = SOURCE_COMMENT.exec(head)?.[1];
    out.push(new YNode({ file, lines, doc, template }, doc.contents as YamlNode));
  }
  return { file, docs: out };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
