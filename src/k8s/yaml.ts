import type { Directive } from '../suppress.js';
import type { Location, Span } from '../types.js';

/** `[line, column, endLine, endColumn]`, 1-based, end exclusive. */
export type Pos = [number, number, number, number];

/**
 * A YAML document as plain, JSON-serialisable data with a position on every node: a map with its
 * entries (key, key position, value), a sequence, or a scalar. Aliases and merge keys are already
 * resolved. Being plain data, parsed manifests can be cached like code facts.
 */
export type PNode =
  | { t: 'map'; p: Pos; e: [string, Pos, PNode][] }
  | { t: 'seq'; p: Pos; i: PNode[] }
  | { t: 'val'; p: Pos; v: string | number | boolean | null };

/** One parsed document: its tree, and the Helm template a `# Source:` comment named. */
export interface PDoc {
  root: PNode;
  template?: string;
}

/** A YAML syntax problem with its position. */
export interface YamlProblem extends Span {
  message: string;
}

/** The documents of one YAML file, or the first syntax problem when it does not parse. Plain data. */
export interface ParsedYaml {
  docs: PDoc[];
  problem?: YamlProblem;
  /** Set with a problem when the text has `{{ }}` markers: an unrendered template, not broken YAML. */
  templated?: boolean;
  /** `# replicalint-disable-next-line ...` comments (read by the run, not by the parsers). */
  directives?: Directive[];
}

/** The file a YAML node came from: its printed name and (for Helm output) template. */
export interface YamlSource {
  file: string;
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
    readonly node: PNode,
    /** Position of the key this value is under, so a finding can point at the field name. */
    readonly keyPos?: Pos,
  ) {}

  get isMap(): boolean {
    return this.node.t === 'map';
  }
  get isSeq(): boolean {
    return this.node.t === 'seq';
  }

  /** The value under `key` of a map, or the item at index `key` of a sequence. */
  get(key: string | number): YNode | undefined {
    const n = this.node;
    if (typeof key === 'number') {
      const item = n.t === 'seq' ? n.i[key] : undefined;
      return item && new YNode(this.src, item);
    }
    if (n.t !== 'map') return undefined;
    // An indexed loop: rules ask maps for keys many thousand times per run.
    const e = n.e;
    for (let i = 0; i < e.length; i++) {
      const entry = e[i]!;
      if (entry[0] === key) return new YNode(this.src, entry[2], entry[1]);
    }
    return undefined;
  }

  /** Follow a path of keys and indexes: `at('spec', 'template', 'spec')`. */
  at(...keys: (string | number)[]): YNode | undefined {
    let cur: YNode | undefined = this;
    for (const k of keys) cur = cur?.get(k);
    return cur;
  }

  /** True when the map has the key, even with an empty value. */
  has(key: string): boolean {
    const n = this.node;
    return n.t === 'map' && n.e.some(([k]) => k === key);
  }

  /** Items of a sequence (empty for anything else). */
  items(): YNode[] {
    const n = this.node;
    return n.t === 'seq' ? n.i.map((i) => new YNode(this.src, i)) : [];
  }

  /** Key/value entries of a map (empty for anything else). */
  entries(): [string, YNode][] {
    const n = this.node;
    return n.t === 'map' ? n.e.map(([k, kp, v]) => [k, new YNode(this.src, v, kp)]) : [];
  }

  /** A scalar as a string (numbers and booleans are stringified); undefined for maps, lists, null. */
  str(): string | undefined {
    const n = this.node;
    return n.t === 'val' && n.v !== null ? String(n.v) : undefined;
  }

  /** A scalar as a number (numeric strings count); undefined otherwise. */
  num(): number | undefined {
    const n = this.node;
    if (n.t !== 'val') return undefined;
    if (typeof n.v === 'number') return n.v;
    if (typeof n.v === 'string' && /^\s*-?\d+(?:\.\d+)?\s*$/.test(n.v)) return Number(n.v);
    return undefined;
  }

  /** True for `~`, `null` or an empty field. */
  get isNull(): boolean {
    return this.node.t === 'val' && this.node.v === null;
  }

  /** The plain JavaScript value of this node. */
  toJS(): unknown {
    return toJS(this.node);
  }

  /** Where the value is. */
  valueSpan(): Span {
    return span(this.node.p);
  }

  /** Where the field is: its key through a scalar value, or just the key when the value is a map or list. */
  fieldSpan(): Span {
    const k = this.keyPos;
    if (!k) return span(this.node.p);
    const end = this.node.t === 'val' ? this.node.p : k;
    return { line: k[0], column: k[1], endLine: end[2], endColumn: end[3] };
  }

  /** Location of the field (key and scalar value), for findings. */
  loc(): Location {
    return { file: this.src.file, ...this.fieldSpan() };
  }

  /** Location of the value only (a bad port points at the port). */
  valueLoc(): Location {
    return { file: this.src.file, ...this.valueSpan() };
  }
}

function span(p: Pos): Span {
  return { line: p[0], column: p[1], endLine: p[2], endColumn: p[3] };
}

function toJS(n: PNode): unknown {
  if (n.t === 'val') return n.v;
  if (n.t === 'seq') return n.i.map(toJS);
  const out: Record<string, unknown> = {};
  for (const [k, , v] of n.e) out[k] = toJS(v);
  return out;
}

/** The documents of a parsed file as navigable nodes. */
export function yamlDocs(file: string, parsed: ParsedYaml): YNode[] {
  return parsed.docs.map((d) => new YNode({ file, template: d.template }, d.root));
}
