import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node as YamlNode, type Pair } from 'yaml';
import { readPlainYaml, SOURCE_COMMENT } from './yaml-fast.js';
import { yamlDocs, type ParsedYaml, type PNode, type Pos, type YNode } from './yaml.js';

/**
 * Parse every document of a YAML text into plain positioned trees ({@link PNode}), keeping Helm
 * `# Source:` comments: with replicalint's own reader when the text is plain block YAML (nearly
 * every manifest), else with the `yaml` library.
 */
export function parseYaml(text: string): ParsedYaml {
  return readPlainYaml(text) ?? parseYamlWithLibrary(text);
}

/**
 * {@link parseYaml} with the `yaml` library alone. This module holds the only use of the library,
 * loaded only when a YAML file is neither in the cache nor plain.
 */
export function parseYamlWithLibrary(text: string): ParsedYaml {
  // The library checks each key of a map against every earlier key of the map, which is quadratic:
  // a ConfigMap of 8,000 keys took 2 s. So the text is first read without that check, and each
  // map's keys are checked here with a set. When that finds a repeated key, or the library finds
  // any other error, the text is read again with the library's check, which words, places and
  // orders the errors as always.
  let lines = new LineCounter();
  let parsed = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, merge: true, uniqueKeys: false });
  if (!Array.isArray(parsed) || parsed.some((d) => d.errors.length > 0 || repeatsKey(d.contents))) {
    lines = new LineCounter();
    parsed = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, merge: true });
  }
  const docs = Array.isArray(parsed) ? parsed : [];
  const out: ParsedYaml['docs'] = [];
  for (const doc of docs) {
    const err = doc.errors[0];
    if (err) {
      const a = lines.linePos(err.pos[0]);
      const b = lines.linePos(Math.max(err.pos[0], err.pos[1]));
      const problem = { message: firstLine(err.message), line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
      return /\{\{/.test(text) ? { docs: [], problem, templated: true } : { docs: [], problem };
    }
    if (!doc.contents) continue;
    const head = text.slice(doc.range[0], doc.contents.range[0]);
    const template = SOURCE_COMMENT.exec(head)?.[1];
    let root: PNode;
    try {
      root = new Converter(doc, lines).node(doc.contents as YamlNode, 0);
    } catch (e) {
      if (!(e instanceof TooLarge)) throw e;
      const [line, column, endLine, endColumn] = e.at;
      return { docs: [], problem: { message: `aliases expand this document beyond ${MAX_NODES} nodes ("billion laughs"); refusing to read it`, line, column, endLine, endColumn } };
    }
    out.push(template ? { root, template } : { root });
  }
  return { docs: out };
}

/**
 * Does a map of this tree repeat a key, as the library's own check judges it (two scalar keys of
 * equal value; keys that are not scalars are never equal)? Aliases are not followed: what they
 * point to is in the tree already. Walked without recursion, as deep as the library composed.
 */
function repeatsKey(root: YamlNode | null): boolean {
  const stack: unknown[] = [root];
  while (stack.length) {
    const n = stack.pop();
    if (isMap(n)) {
      const seen = new Set<unknown>();
      for (const pair of n.items as Pair[]) {
        if (isScalar(pair.key)) {
          if (seen.has(pair.key.value)) return true;
          seen.add(pair.key.value);
        }
        stack.push(pair.key, pair.value);
      }
    } else if (isSeq(n)) {
      for (const item of n.items) stack.push(item);
    }
  }
  return false;
}

/** Nodes one document may expand to through aliases: far above any real manifest, far below a hang. */
const MAX_NODES = 200_000;

class TooLarge extends Error {
  constructor(readonly at: Pos) {
    super('too many nodes');
  }
}

class Converter {
  private count = 0;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  pos(range: readonly number[] | null | undefined, fallback = 0): Pos {
    const start = range?.[0] ?? fallback;
    const end = Math.max(start, range?.[1] ?? start);
    const a = this.lines.linePos(start);
    const b = this.lines.linePos(end);
    return [a.line, a.col, b.line, b.col];
  }

  node(n: YamlNode | null | undefined, depth: number, at = 0): PNode {
    if (++this.count > MAX_NODES) throw new TooLarge(this.pos(n?.range, at));
    if (isAlias(n)) {
      const target = depth < 50 ? (n.resolve(this.doc) as YamlNode | undefined) : undefined;
      return target ? this.node(target, depth + 1, n.range?.[0]) : { t: 'val', p: this.pos(n.range), v: null };
    }
    if (isMap(n)) {
      const entries: [string, Pos, PNode][] = [];
      const merged: [string, Pos, PNode][] = [];
      for (const pair of n.items as Pair[]) {
        const key = pair.key as YamlNode | null;
        if (isScalar(key) && (key.source === '<<' || key.value === '<<')) {
          merged.push(...this.mergeEntries(pair.value as YamlNode | null, depth));
          continue;
        }
        const k = isScalar(key) ? key.value : undefined;
        if (typeof k !== 'string' && typeof k !== 'number' && typeof k !== 'boolean') continue;
        const kp = this.pos(key!.range);
        entries.push([String(k), kp, this.node(pair.value as YamlNode | null, depth + 1, key!.range?.[1])]);
      }
      for (const m of merged) if (!entries.some(([k]) => k === m[0])) entries.push(m);
      return { t: 'map', p: this.pos(n.range, at), e: entries };
    }
    if (isSeq(n)) return { t: 'seq', p: this.pos(n.range, at), i: n.items.map((i) => this.node(i as YamlNode | null, depth + 1, at)) };
    if (isScalar(n)) {
      const v = n.value;
      const value = v === undefined || v === null ? null : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : String(v);
      return { t: 'val', p: this.pos(n.range, at), v: value };
    }
    return { t: 'val', p: this.pos(undefined, at), v: null };
  }

  /** Entries brought in by a merge key (`<<: *defaults` or `<<: [*a, *b]`). */
  private mergeEntries(value: YamlNode | null, depth: number): [string, Pos, PNode][] {
    const sources = isSeq(value) ? (value.items as YamlNode[]) : [value];
    const out: [string, Pos, PNode][] = [];
    for (const s of sources) {
      const m = this.node(s, depth + 1);
      if (m.t === 'map') for (const e of m.e) if (!out.some(([k]) => k === e[0])) out.push(e);
    }
    return out;
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** Parse a YAML file straight to navigable documents (for callers that do not cache). */
export function parseYamlFile(file: string, text: string): { docs: YNode[]; problem?: ParsedYaml['problem'] } {
  const parsed = parseYaml(text);
  return { docs: yamlDocs(file, parsed), problem: parsed.problem };
}
