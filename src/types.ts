/** How bad a finding is. `error` breaks under scaling or loses data; `warning` likely harms; `info` advises. */
export type Severity = 'error' | 'warning' | 'info';

export const SEVERITIES = ['error', 'warning', 'info'] as const satisfies readonly Severity[];

/** Rank of a severity: higher is worse. */
export function severityRank(s: Severity): number {
  return s === 'error' ? 3 : s === 'warning' ? 2 : 1;
}

/** A 1-based range inside one file; `endColumn` is one past the last character (as in SARIF). */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A span in a named file. `file` is relative to the working directory, with forward slashes. */
export interface Location extends Span {
  file: string;
}

/** Another place that explains a finding (the mutation of a binding, the probe in the YAML). */
export interface Related {
  file: string;
  line: number;
  column: number;
  message: string;
}

/** One problem, where it is, why it matters and how to fix it. The JSON report prints exactly these keys. */
export interface Finding extends Location {
  ruleId: string;
  severity: Severity;
  message: string;
  hint?: string;
  related?: Related[];
}

/** Order findings by file, line, column, then rule id. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
