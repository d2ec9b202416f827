import type { Report } from './report.js';
import type { Finding } from '../types.js';

/**
 * The JSON report: `{ tool, findings, summary, suppressed }`, keys in a fixed order. `suppressed`
 * lists the findings a suppression silenced, each with `suppression: { kind, reason? }`.
 */
export default function json(r: Report): string {
  return (
    JSON.stringify(
      {
        tool: { name: 'replicalint', version: r.version },
        findings: r.findings.map(finding),
        summary: summarize(r),
        suppressed: r.suppressed.map((s) => ({ ...finding(s), suppression: s.suppression })),
      },
      null,
      2,
    ) + '\n'
  );
}

function finding(f: Finding) {
  return {
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    file: f.file,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    ...(f.hint !== undefined ? { hint: f.hint } : {}),
    ...(f.related?.length ? { related: f.related.map((x) => ({ file: x.file, line: x.line, column: x.column, message: x.message })) } : {}),
  };
}

export function summarize(r: Report): { errors: number; warnings: number; infos: number; files: number } {
  const count = (s: string) => r.findings.filter((f) => f.severity === s).length;
  return { errors: count('error'), warnings: count('warning'), infos: count('info'), files: r.files };
}
