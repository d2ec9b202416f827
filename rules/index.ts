import type { Rule } from '../src/rule.js';
import missingReadinessProbe from './missing-readiness-probe.js';
import missingSigtermHandler from './missing-sigterm-handler.js';
import parseError from './parse-error.js';
import abruptShutdown from './abrupt-shutdown.js';
import shellFormEntrypoint from './shell-form-entrypoint.js';
import missingHealthEndpoint from './missing-health-endpoint.js';
import listenOnLocalhost from './listen-on-localhost.js';
import clientWithoutTimeout from './client-without-timeout.js';

/** Every rule, in the order the README lists them. The one list `--list-rules`, the docs and SARIF read. */
export const RULES: readonly Rule[] = [
  parseError,
  missingReadinessProbe,
  missingSigtermHandler,
  abruptShutdown,
  shellFormEntrypoint,
  missingHealthEndpoint,
  listenOnLocalhost,
  clientWithoutTimeout,
];

export const RULE_IDS: readonly string[] = RULES.map((r) => r.id);
