import type { Container, K8sObject, Manifests } from './objects.js';
import { sameNamespace } from './objects.js';
import type { YNode } from './yaml.js';

/** A container's `resources.requests` or `resources.limits`. */
export type ResourceKind = 'requests' | 'limits';

/**
 * The per-container defaults of the run's LimitRanges (`type: Container`), as the API server fills
 * them in at admission: a default limit falls back to `max`, a default request to the default limit,
 * then to `min` (https://kubernetes.io/docs/concepts/policy/limit-range/). A LimitRange applies to
 * the workloads of its namespace; as for every match in a run, a missing namespace matches any.
 */
export interface ContainerDefaults {
  range: K8sObject;
  requests: Set<string>;
  limits: Set<string>;
}

export function containerDefaults(manifests: Manifests): ContainerDefaults[] {
  const out: ContainerDefaults[] = [];
  for (const range of manifests.objects) {
    if (range.kind !== 'LimitRange') continue;
    for (const item of range.node.at('spec', 'limits')?.items() ?? []) {
      if (item.get('type')?.str() !== 'Container') continue;
      const keys = (field: string) => setKeys(item.get(field));
      const limits = new Set([...keys('default'), ...keys('max')]);
      out.push({ range, limits, requests: new Set([...keys('defaultRequest'), ...limits, ...keys('min')]) });
    }
  }
  return out;
}

/** The field `resources.<kind>.<resource>` of a container, when it has a value. */
export function resourceField(c: Container, kind: ResourceKind, resource: string): YNode | undefined {
  return setValue(c.node.at('resources', kind, resource));
}

/**
 * Does the container end up with a request for `resource`? Its own request; its limit, which
 * Kubernetes copies into a missing request; pod-level `resources` (which cover every container);
 * or a LimitRange default in its namespace.
 */
export function hasRequest(c: Container, resource: string, defaults: ContainerDefaults[]): boolean {
  return (
    !!resourceField(c, 'requests', resource) ||
    !!resourceField(c, 'limits', resource) ||
    !!podLevel(c, 'requests', resource) ||
    !!podLevel(c, 'limits', resource) ||
    defaults.some((d) => d.requests.has(resource) && sameNamespace(d.range, c.workload))
  );
}

/** Does the container end up with a limit for `resource` (its own, pod-level, or a LimitRange default)? */
export function hasLimit(c: Container, resource: string, defaults: ContainerDefaults[]): boolean {
  return (
    !!resourceField(c, 'limits', resource) ||
    !!podLevel(c, 'limits', resource) ||
    defaults.some((d) => d.limits.has(resource) && sameNamespace(d.range, c.workload))
  );
}

/**
 * A hint for `requests:`/`limits:` written directly on the container instead of under
 * `resources:`, where Kubernetes does not read them; undefined when there are none.
 */
export function misplacedHint(c: Container, kinds: ResourceKind[]): string | undefined {
  const keys = kinds.filter((k) => c.node.has(k));
  if (!keys.length) return undefined;
  return `move ${keys.map((k) => `${k}:`).join(' and ')} of container "${c.name}" under resources: (Kubernetes does not read ${keys.length > 1 ? 'them' : 'it'} where ${keys.length > 1 ? 'they are' : 'it is'})`;
}

/** `resources.requests.cpu or resources.requests.memory` */
export function fieldList(kind: ResourceKind, resources: string[]): string {
  return resources.map((r) => `resources.${kind}.${r}`).join(resources.length > 2 ? ', ' : ' or ');
}

function podLevel(c: Container, kind: ResourceKind, resource: string): YNode | undefined {
  return setValue(c.workload.podSpec.at('resources', kind, resource));
}

function setValue(n: YNode | undefined): YNode | undefined {
  return n && !n.isNull && n.str() !== '' ? n : undefined;
}

function setKeys(map: YNode | undefined): string[] {
  return (map?.entries() ?? []).filter(([, v]) => setValue(v)).map(([k]) => k);
}
