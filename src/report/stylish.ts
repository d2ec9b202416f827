import { Chalk } from 'chalk';
import { summarize } from './json.js';
import type { Report } from './report.js';
import type { Finding } from '../types.js';

/** ESLint-style output: findings grouped by file, `line:col severity message rule`, hint and related lines, a summary. */
export default function stylish(r: Report): string {
  const c = new Chalk({ level: r.color ? 1 : 0 });
  const out: string[] = [];
  const byFile = new Map<string, Finding[]>();
  for (const f of r.findings) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  for (const [file, list] of byFile) {
    out.push(c.underline(file));
    const posWidth = Math.max(...list.map((f) => `${f.line}:${f.column}`.length));
    for (const f of list) {
      const pos = `${f.line}:${f.column}`.padEnd(posWidth);
      const sev = f.severity === 'error' ? c.red('error  ') : f.severity === 'warning' ? c.yellow('warning') : c.blue('info   ');
      out.push(`  ${c.dim(pos)}  ${sev}  ${f.message}  ${c.dim(f.ruleId)}`);
      const indent = ' '.repeat(posWidth + 13);
      if (f.hint) out.push(`${indent}${c.green('fix:')} ${f.hint}`);
      for (const rel of f.related ?? []) out.push(`${indent}${c.dim(`${rel.file}:${rel.line}:${rel.column}`)} ${rel.message}`);
    }
    out.push('');
  }
  const s = summarize(r);
  const total = s.errors + s.warnings + s.infos;
  const checked = `${plural(s.files, 'file')} checked${r.suppressed.length ? `, ${r.suppressed.length} suppressed` : ''}`;
  if (!total) {
    out.push(c.green(`✔ no problems (${checked})`));
  } else {
    const counts = [plural(s.errors, 'error'), plural(s.warnings, 'warning'), ...(s.infos ? [plural(s.infos, 'info')] : [])].join(', ');
    const text = `✖ ${plural(total, 'problem')} (${counts}) in ${plural(byFile.size, 'file')}; ${checked}`;
    out.push(s.errors ? c.red.bold(text) : c.yellow.bold(text));
  }
  return out.join('\n') + '\n';
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
