import type { App } from './model.js';
import type { Location, Related, Severity } from './types.js';

/** What a rule reads: code facts, Kubernetes manifests, Dockerfiles, or a linked code/manifest pair. */
export type RuleScope = 'code' | 'manifest' | 'docker' | 'cross';

/** One problem as a rule reports it; the engine adds the rule id and severity. */
export interface Report {
  at: Location;
  message: string;
  /** The concrete fix for this case; defaults to the rule's `fix`. */
  hint?: string;
  related?: Related[];
  /** Overrides the rule's severity for this finding (a timer in a request handler is an error). */
  severity?: Severity;
}

export interface RuleContext {
  app: App;
  report(r: Report): void;
}

/** A rule: its metadata is its documentation (`--list-rules`, the README table, SARIF). */
export interface Rule {
  id: string;
  scope: RuleScope[];
  severity: Severity;
  /** One line: what it reports. */
  summary: string;
  /** What happens at scale when this is ignored. */
  why: string;
  /** The usual fix. */
  fix: string;
  check(ctx: RuleContext): void;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}
