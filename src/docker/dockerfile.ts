import type { Span } from '../types.js';

/** One Dockerfile instruction, with its line continuations joined. */
export interface Instruction extends Span {
  /** Upper-case keyword: `FROM`, `CMD`, `ENTRYPOINT`, `ENV`, ... */
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  args: string;
  /** The exec form (`CMD ["node", "server.js"]`) as a list; undefined for the shell form. */
  exec?: string[];
  /** Index of the build stage the instruction belongs to. */
  stage: number;
}

/** A build stage: from one `FROM` to the next. */
export interface Stage {
  index: number;
  name?: string;
  image: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  file: string;
  stages: Stage[];
}

/** The stage that becomes the image: the last one. */
export function finalStage(df: Dockerfile): Stage | undefined {
  return df.stages[df.stages.length - 1];
}

/** The last `CMD` or `ENTRYPOINT` of a stage (the one Docker uses). */
export function lastInstruction(stage: Stage, keyword: string): Instruction | undefined {
  for (let i = stage.instructions.length - 1; i >= 0; i--) {
    if (stage.instructions[i]!.keyword === keyword) return stage.instructions[i];
  }
  return undefined;
}

/** `ENV` values of a stage, with the instruction that set each (later ones win). */
export function stageEnv(stage: Stage): Map<string, { value: string; at: Instruction }> {
  const env = new Map<string, { value: string; at: Instruction }>();
  for (const ins of stage.instructions) {
    if (ins.keyword !== 'ENV') continue;
    for (const [k, v] of parseEnv(ins.args)) env.set(k, { value: v, at: ins });
  }
  return env;
}

/** Parse `ENV a=1 b="two words"` or the legacy `ENV key value with spaces`. */
export function parseEnv(args: string): [string, string][] {
  const words = shellWords(args);
  if (!words.length) return [];
  if (!words[0]!.includes('=')) {
    const m = /^\s*(\S+)\s+(.*)$/.exec(args);
    return m ? [[m[1]!, unquote(m[2]!.trim())]] : [];
  }
  return words.flatMap((w): [string, string][] => {
    const i = w.indexOf('=');
    return i > 0 ? [[w.slice(0, i), w.slice(i + 1)]] : [];
  });
}

/** Split a shell-like string into words, honouring quotes and backslashes. */
export function shellWords(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let started = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) out.push(cur);
      cur = '';
      started = false;
    } else {
      cur += c;
      started = true;
    }
  }
  if (started) out.push(cur);
  return out;
}

function unquote(s: string): string {
  return /^(["']).*\1$/.test(s) ? s.slice(1, -1) : s;
}

/** Parse a Dockerfile into stages and instructions. Never throws: unknown lines are kept as instructions. */
export function parseDockerfile(file: string, text: string): Dockerfile {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  // Parser directives come first, before any instruction or ordinary comment.
  for (const l of lines) {
    const m = /^#\s*(\w+)\s*=\s*(\S+)\s*$/.exec(l);
    if (!m) break;
    if (m[1]!.toLowerCase() === 'escape' && (m[2] === '`' || m[2] === '\\')) escape = m[2];
  }
  const stages: Stage[] = [];
  let i = 0;
  while (i < lines.length) {
    const first = lines[i]!;
    if (/^\s*(#|$)/.test(first)) {
      i++;
      continue;
    }
    let startLine = i + 1;
    let startCol = first.length - first.trimStart().length + 1;
    // Continuation lines are joined with a space. Comment lines and empty lines inside an
    // instruction are dropped and the instruction goes on, as Docker reads them
    // (`RUN a \` `# note` `b` is `RUN a b`). Each line changes only the end of the text, so the
    // pieces are joined once, at the end: joining them line by line copied the growing text for
    // every line.
    const parts = [first];
    let endLine = i;
    let more = dropEscape(parts, escape);
    // A first line of only the escape character: the instruction starts on the next line with text.
    let started = parts[0]!.trim() !== '';
    for (let j = i + 1; more && j < lines.length; j++) {
      const next = lines[j]!;
      if (/^\s*(#|$)/.test(next)) continue;
      endLine = j;
      parts.push(' ' + next.trim());
      more = dropEscape(parts, escape);
      if (!started && parts[parts.length - 1]!.trim() !== '') {
        started = true;
        startLine = j + 1;
        startCol = next.length - next.trimStart().length + 1;
      }
    }
    let text = parts.join('');
    // Heredocs (`RUN <<EOF`) run until their terminator line.
    const heredoc = /<<(-?)["']?(\w+)["']?/.exec(text);
    if (heredoc && /^\s*(RUN|COPY|ADD)\b/i.test(text)) {
      while (endLine + 1 < lines.length) {
        endLine++;
        const l = lines[endLine]!;
        if ((heredoc[1] ? l.trim() : l) === heredoc[2]) break;
        text += '\n' + l;
      }
    }
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(text);
    // Nothing but escape characters and blank lines (a lone `\` before an empty line): no instruction.
    if (!m) {
      i = endLine + 1;
      continue;
    }
    const keyword = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    const last = lines[endLine]!;
    if (keyword === 'FROM' || !stages.length) {
      const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
      stages.push({
        index: stages.length,
        image: keyword === 'FROM' ? (words[0] ?? '') : '',
        name: keyword === 'FROM' && words[1]?.toLowerCase() === 'as' ? words[2] : undefined,
        instructions: [],
      });
    }
    const stage = stages[stages.length - 1]!;
    stage.instructions.push({
      keyword,
      args,
      exec: execForm(args),
      stage: stage.index,
      line: startLine,
      column: startCol,
      endLine: endLine + 1,
      endColumn: last.trimEnd().length + 1,
    });
    i = endLine + 1;
  }
  return { file, stages };
}

/** When the last of `parts` ends with the escape character (trailing whitespace aside), remove both and say so. */
function dropEscape(parts: string[], escape: string): boolean {
  const last = parts[parts.length - 1]!.trimEnd();
  if (!last.endsWith(escape)) return false;
  parts[parts.length - 1] = last.slice(0, -1);
  return true;
}

function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(args);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
  } catch {
    return undefined;
  }
}
