import type { Rule } from '../src/rule.js';
import missingReadinessProbe from './missing-readiness-probe.js';
import missingSigtermHandler from './missing-sigterm-handler.js';
import parseError from './parse-error.js';
import unusedSuppression from './unused-suppression.js';

/** Every rule, in the order the README lists them. The one list `--list-rules`, the docs and SARIF read. */
export const RULES: readonly Rule[] = [parseError, unusedSuppression, missingReadinessProbe, missingSigtermHandler];

export const RULE_IDS: readonly string[] = RULES.map((r) => r.id);
