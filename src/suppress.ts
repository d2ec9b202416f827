import type { Finding, Span } from './types.js';

/**
 * An inline suppression: `// replicalint-disable-next-line rule-a, rule-b -- reason` in code,
 * `# replicalint-disable-next-line ...` in YAML and Dockerfiles; `-line` for its own line,
 * `-file` for the whole file. Without rule ids it covers every rule.
 */
export interface Directive extends Span {
  scope: 'next-line' | 'line' | 'file';
  rules: string[];
  reason?: string;
  /** The line whose findings it suppresses (unused for `file`). */
  target: number;
}

// The body runs to the end of the line or to a `*/`, which ends the match: a second directive after
// a block comment on the same line is found too.
const DIRECTIVE = /(\/\/|\/\*|#)[ \t]*replicalint-disable-(next-line|line|file)\b((?:(?!\*\/)[^\r\n])*)(?:\*\/)?/g;
const RULE_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * Find suppression comments in a text. A directive must start its comment (`// replicalint-...`),
 * stand outside strings and block comments, and list only rule ids, so prose that mentions one is
 * not taken for it. A quick substring test keeps this free for files without any. Line breaks and
 * block comment marks are counted in one pass as the directives come, in order.
 */
export function parseDirectives(text: string): Directive[] {
  if (!text.includes('replicalint-disable')) return [];
  const out: Directive[] = [];
  const breaks = new Occurrences(text, '\n');
  const opens = new Occurrences(text, '/*');
  const closes = new Occurrences(text, '*/');
  for (const m of text.matchAll(DIRECTIVE)) {
    const offset = m.index;
    breaks.moveTo(offset);
    opens.moveTo(offset);
    closes.moveTo(offset);
    const lineStart = breaks.last + 1;
    const before = text.slice(lineStart, offset);
    const marker = m[1]!;
    if (marker === '#' && before !== '' && !/\s$/.test(before)) continue; // YAML: `#` starts a comment only after a space
    // Inside a block comment: a `/*` before it, and no `*/` after that.
    if (insideString(before) || (marker !== '#' && opens.last > closes.last)) continue;
    const body = m[3]!;
    const [list, ...reason] = body.split(/\s--\s?/);
    const rules = list!.split(/[\s,]+/).filter(Boolean);
    if (!rules.every((r) => RULE_ID.test(r))) continue;
    const line = breaks.count + 1;
    const column = offset - lineStart + 1;
    const scope = m[2] as Directive['scope'];
    const r = reason.join(' -- ').trim();
    out.push({
      scope,
      rules,
      ...(r ? { reason: r } : {}),
      target: scope === 'next-line' ? line + 1 : line,
      line,
      column,
      endLine: line,
      endColumn: column + m[0].length,
    });
  }
  return out;
}

/** Does the text before a position on its line leave a quote open? */
function insideString(before: string): boolean {
  for (const q of ['"', "'", '`']) {
    let n = 0;
    for (let i = before.indexOf(q); i !== -1; i = before.indexOf(q, i + 1)) if (before[i - 1] !== '\\') n++;
    if (n % 2) return true;
  }
  return false;
}

/**
 * Where a string occurs in a text, read forward: moved to increasing offsets, how many times and
 * where last it starts before the offset (`last` is -1 before the first).
 */
class Occurrences {
  count = 0;
  last = -1;
  private next: number;

  constructor(
    private readonly text: string,
    private readonly s: string,
  ) {
    this.next = text.indexOf(s);
  }

  moveTo(offset: number): void {
    while (this.next !== -1 && this.next < offset) {
      this.count++;
      this.last = this.next;
      this.next = this.text.indexOf(this.s, this.next + 1);
    }
  }
}

/** A Kubernetes object that opted out of rules with `ignore.replicalint.io/<rule>: "<reason>"` annotations. */
export interface ObjectIgnore {
  file: string;
  /** Lines the object spans. */
  from: number;
  to: number;
  rules: Map<string, string>;
}

export const IGNORE_ANNOTATION = 'ignore.replicalint.io/';

/** A finding a suppression silenced, with how and why. */
export interface Suppressed extends Finding {
  suppression: { kind: 'directive' | 'annotation'; reason?: string };
}

/** Does this directive cover this finding? */
export function covers(d: Directive, f: Finding): boolean {
  return (d.scope === 'file' || d.target === f.line) && (!d.rules.length || d.rules.includes(f.ruleId));
}

/**
 * Split findings into kept and suppressed (by a directive in their file, or an annotation on their
 * object). The first directive of the file that covers a finding gives the reason, as does the first
 * annotated object; both are looked up by file, and directives by the line they cover.
 */
export function applySuppressions(findings: Finding[], directives: Map<string, Directive[]>, ignores: ObjectIgnore[]): { kept: Finding[]; suppressed: Suppressed[] } {
  const kept: Finding[] = [];
  const suppressed: Suppressed[] = [];
  const indexes = new Map<string, DirectiveIndex>();
  const ignoresOf = new Map<string, ObjectIgnore[]>();
  for (const o of ignores) {
    const list = ignoresOf.get(o.file);
    if (list) list.push(o);
    else ignoresOf.set(o.file, [o]);
  }
  for (const f of findings) {
    const list = directives.get(f.file);
    let index = indexes.get(f.file);
    if (list && !index) indexes.set(f.file, (index = directiveIndex(list)));
    const d = index && firstCovering(index, f);
    if (d) {
      suppressed.push({ ...f, suppression: { kind: 'directive', ...(d.reason ? { reason: d.reason } : {}) } });
      continue;
    }
    const o = ignoresOf.get(f.file)?.find((x) => f.line >= x.from && f.line <= x.to && x.rules.has(f.ruleId));
    if (o) {
      const reason = o.rules.get(f.ruleId);
      suppressed.push({ ...f, suppression: { kind: 'annotation', ...(reason ? { reason } : {}) } });
      continue;
    }
    kept.push(f);
  }
  return { kept, suppressed };
}

/** A file's directives, each with its place in the file's list: by the line they cover, and those for the whole file. */
interface DirectiveIndex {
  byLine: Map<number, [number, Directive][]>;
  whole: [number, Directive][];
}

function directiveIndex(list: Directive[]): DirectiveIndex {
  const byLine = new Map<number, [number, Directive][]>();
  const whole: [number, Directive][] = [];
  list.forEach((d, i) => {
    if (d.scope === 'file') whole.push([i, d]);
    else {
      const at = byLine.get(d.target);
      if (at) at.push([i, d]);
      else byLine.set(d.target, [[i, d]]);
    }
  });
  return { byLine, whole };
}

/** The first directive of the file's list that covers the finding. */
function firstCovering(index: DirectiveIndex, f: Finding): Directive | undefined {
  const onLine = index.byLine.get(f.line)?.find(([, d]) => covers(d, f));
  const whole = index.whole.find(([, d]) => covers(d, f));
  return onLine && whole ? (onLine[0] < whole[0] ? onLine : whole)[1] : (onLine ?? whole)?.[1];
}
