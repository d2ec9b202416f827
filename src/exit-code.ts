import { severityRank, type Finding, type Severity } from './types.js';

export interface ExitPolicy {
  failOn: Severity;
  maxWarnings?: number;
}

/** 0 when nothing reaches the threshold, 1 when something does or warnings exceed the maximum. */
export function exitCode(findings: Finding[], policy: ExitPolicy): 0 | 1 {
  const threshold = severityRank(policy.failOn);
  if (findings.some((f) => severityRank(f.severity) >= threshold)) return 1;
  if (policy.maxWarnings !== undefined && findings.filter((f) => f.severity === 'warning').length > policy.maxWarnings) return 1;
  return 0;
}
