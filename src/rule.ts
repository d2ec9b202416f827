import type { App } from './model.js';
import type { Finding, Location, Related, Severity } from './types.js';

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
  /** What the other rules reported; complete only for rules that run `after` them. */
  findings: readonly Finding[];
  /** Ids of every rule replicalint knows, and of those running now (after config and `--rule`). */
  knownRules: ReadonlySet<string>;
  enabledRules: ReadonlySet<string>;
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
  /** Run after every other rule, to read their findings. */
  after?: boolean;
  check(ctx: RuleContext): void;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}
