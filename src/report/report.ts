import type { Rule } from '../rule.js';
import type { Finding } from '../types.js';

/** What a reporter turns into text. */
export interface Report {
  version: string;
  findings: Finding[];
  /** Files read. */
  files: number;
  rules: readonly Rule[];
  /** Colour the output (stylish only). */
  color: boolean;
}

export type Reporter = (r: Report) => string;
