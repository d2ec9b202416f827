import type { Report } from './report.js';

/** The JSON report: `{ tool, findings, summary }`, keys in a fixed order, one finding per entry. */
export default function json(r: Report): string {
  return (
    JSON.stringify(
      {
        tool: { name: 'replicalint', version: r.version },
        findings: r.findings.map((f) => ({
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
        })),
        summary: summarize(r),
      },
      null,
      2,
    ) + '\n'
  );
}

export function summarize(r: Report): { errors: number; warnings: number; infos: number; files: number } {
  const count = (s: string) => r.findings.filter((f) => f.severity === s).length;
  return { errors: count('error'), warnings: count('warning'), infos: count('info'), files: r.files };
}
