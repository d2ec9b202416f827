import type { Rule } from '../rule.js';
import type { Suppressed } from '../suppress.js';
import type { Finding } from '../types.js';

/** What a reporter turns into text. */
export interface Report {
  version: string;
  findings: Finding[];
  /** Findings a suppression comment or annotation silenced: kept, with their reason. */
  suppressed: Suppressed[];
  /** Files read. */
  files: number;
  rules: readonly Rule[];
  /** Colour the output (stylish only). */
  color: boolean;
}

export type Reporter = (r: Report) => string;
