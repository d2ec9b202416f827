import type { Rule } from '../src/rule.js';
import identicalProbes from './identical-probes.js';
import missingLivenessProbe from './missing-liveness-probe.js';
import missingReadinessProbe from './missing-readiness-probe.js';
import missingSigtermHandler from './missing-sigterm-handler.js';
import parseError from './parse-error.js';

/** Every rule, in the order the README lists them. The one list `--list-rules`, the docs and SARIF read. */
export const RULES: readonly Rule[] = [
  parseError,
  missingReadinessProbe,
  missingSigtermHandler,
  missingLivenessProbe,
  identicalProbes,
];

export const RULE_IDS: readonly string[] = RULES.map((r) => r.id);
