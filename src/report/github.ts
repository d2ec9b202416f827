import type { Report } from './report.js';

/** GitHub Actions workflow commands: each finding becomes an annotation on the pull request. */
export default function github(r: Report): string {
  return r.findings
    .map((f) => {
      const level = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
      const props = `file=${prop(f.file)},line=${f.line},col=${f.column},endLine=${f.endLine},endColumn=${f.endColumn},title=${prop(`replicalint ${f.ruleId}`)}`;
      return `::${level} ${props}::${data(f.hint ? `${f.message}\nfix: ${f.hint}` : f.message)}\n`;
    })
    .join('');
}

/** Escaping rules of workflow commands: data escapes %, CR and LF; properties also `:` and `,`. */
function data(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function prop(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
