import type { Rule } from '../src/rule.js';
import missingReadinessProbe from './missing-readiness-probe.js';
import missingSigtermHandler from './missing-sigterm-handler.js';
import parseError from './parse-error.js';
import moduleState from './module-state.js';
import inMemoryStore from './in-memory-store.js';
import unboundedTimer from './unbounded-timer.js';
import inProcessScheduler from './in-process-scheduler.js';

/** Every rule, in the order the README lists them. The one list `--list-rules`, the docs and SARIF read. */
export const RULES: readonly Rule[] = [
  parseError,
  missingReadinessProbe,
  missingSigtermHandler,
  moduleState,
  inMemoryStore,
  unboundedTimer,
  inProcessScheduler,
];

export const RULE_IDS: readonly string[] = RULES.map((r) => r.id);
