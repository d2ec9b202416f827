import type { Rule } from '../src/rule.js';
import hpaMissingTarget from './hpa-missing-target.js';
import hpaTargetWithoutRequests from './hpa-target-without-requests.js';
import identicalProbes from './identical-probes.js';
import missingLivenessProbe from './missing-liveness-probe.js';
import missingMemoryLimit from './missing-memory-limit.js';
import missingReadinessProbe from './missing-readiness-probe.js';
import missingResourceRequests from './missing-resource-requests.js';
import missingSigtermHandler from './missing-sigterm-handler.js';
import parseError from './parse-error.js';
import replicasWithHpa from './replicas-with-hpa.js';
import singleReplica from './single-replica.js';
import unusedSuppression from './unused-suppression.js';
import abruptShutdown from './abrupt-shutdown.js';
import shellFormEntrypoint from './shell-form-entrypoint.js';
import missingHealthEndpoint from './missing-health-endpoint.js';
import listenOnLocalhost from './listen-on-localhost.js';
import clientWithoutTimeout from './client-without-timeout.js';
import moduleState from './module-state.js';
import inMemoryStore from './in-memory-store.js';
import unboundedTimer from './unbounded-timer.js';
import inProcessScheduler from './in-process-scheduler.js';
import probeNotServed from './probe-not-served.js';
import livenessChecksDependencies from './liveness-checks-dependencies.js';
import heapExceedsMemoryLimit from './heap-exceeds-memory-limit.js';
import gracePeriodTooShort from './grace-period-too-short.js';

/** Every rule, in the order the README lists them. The one list `--list-rules`, the docs and SARIF read. */
export const RULES: readonly Rule[] = [
  parseError,
  unusedSuppression,
  missingReadinessProbe,
  missingSigtermHandler,
  missingLivenessProbe,
  identicalProbes,
  missingResourceRequests,
  missingMemoryLimit,
  hpaTargetWithoutRequests,
  hpaMissingTarget,
  replicasWithHpa,
  singleReplica,
  abruptShutdown,
  shellFormEntrypoint,
  missingHealthEndpoint,
  listenOnLocalhost,
  clientWithoutTimeout,
  moduleState,
  inMemoryStore,
  unboundedTimer,
  inProcessScheduler,
  probeNotServed,
  livenessChecksDependencies,
  heapExceedsMemoryLimit,
  gracePeriodTooShort,
];

export const RULE_IDS: readonly string[] = RULES.map((r) => r.id);
