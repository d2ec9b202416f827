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

/** The field `resources.<kind>.<resource>` of a container, when it has a value other than 0. */
export function resourceField(c: Container, kind: ResourceKind, resource: string): YNode | undefined {
  return setValue(c.node.at('resources', kind, resource));
}

/**
 * The field `resources.<kind>.<resource>` of a container when it is written as zero (`0`, `"0"`,
 * `0m`, `0Mi`): a request of 0 reserves nothing and gives an HPA no base, a limit of 0 sets no
 * limit, so the rules treat it as missing and say why.
 */
export function zeroField(c: Container, kind: ResourceKind, resource: string): YNode | undefined {
  const n = c.node.at('resources', kind, resource);
  return n && !n.isNull && parseQuantity(n.str()) === 0 ? n : undefined;
}

/**
 * Does the container end up with a request for `resource`? Its own request; its limit, which
 * Kubernetes copies into a missing request; pod-level `resources` (which cover every container);
 * or a LimitRange default in its namespace. A request written as 0 stays 0: neither the limit nor
 * a LimitRange default replaces it.
 */
export function hasRequest(c: Container, resource: string, defaults: ContainerDefaults[]): boolean {
  if (podLevel(c, 'requests', resource) || podLevel(c, 'limits', resource)) return true;
  if (zeroField(c, 'requests', resource)) return false;
  return (
    !!resourceField(c, 'requests', resource) ||
    !!resourceField(c, 'limits', resource) ||
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
 * A hint for `requests:`/`limits:` written where Kubernetes does not read them: directly on the
 * container instead of under `resources:`, or misspelt in the singular (`limit:`, `request:`, on
 * the container or under `resources:`); undefined when there are none.
 */
export function misplacedHint(c: Container, kinds: ResourceKind[]): string | undefined {
  const onContainer = kinds.filter((k) => c.node.has(k));
  const singular = kinds.flatMap((k) => {
    const one = k.slice(0, -1);
    return [...(c.node.has(one) ? [{ k, wrote: `${one}:` }] : []), ...(c.node.get('resources')?.has(one) ? [{ k, wrote: `resources.${one}:` }] : [])];
  });
  const them = (n: number) => (n > 1 ? 'them' : 'it');
  if (singular.length) {
    const right = [...new Set(singular.map((s) => `resources.${s.k}:`))];
    return `rename ${singular.map((s) => s.wrote).join(' and ')} of container "${c.name}" to ${right.join(' and ')} (Kubernetes does not read ${them(singular.length)})`;
  }
  if (!onContainer.length) return undefined;
  return `move ${onContainer.map((k) => `${k}:`).join(' and ')} of container "${c.name}" under resources: (Kubernetes does not read ${them(onContainer.length)} where ${onContainer.length > 1 ? 'they are' : 'it is'})`;
}

/** `resources.requests.cpu or resources.requests.memory` */
export function fieldList(kind: ResourceKind, resources: string[]): string {
  return resources.map((r) => `resources.${kind}.${r}`).join(resources.length > 2 ? ', ' : ' or ');
}

function podLevel(c: Container, kind: ResourceKind, resource: string): YNode | undefined {
  return setValue(c.workload.podSpec.at('resources', kind, resource));
}

/** A quantity field that asks for something: not null, not empty, not zero. */
function setValue(n: YNode | undefined): YNode | undefined {
  return n && !n.isNull && n.str() !== '' && parseQuantity(n.str()) !== 0 ? n : undefined;
}

function setKeys(map: YNode | undefined): string[] {
  return (map?.entries() ?? []).filter(([, v]) => setValue(v)).map(([k]) => k);
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/**
 * A Kubernetes quantity as a plain number (bytes for memory): `512Mi`, `1Gi`, `500M`, `128974848`,
 * `129e6`, `1.5Gi`. Undefined when it is not a quantity.
 * https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
 */
export function parseQuantity(q: string | number | undefined): number | undefined {
  if (typeof q === 'number') return Number.isFinite(q) ? q : undefined;
  const m = q === undefined ? null : QUANTITY.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2] !== undefined) return n * 10 ** Number(m[2]);
  return n * (BINARY[m[3] ?? ''] ?? DECIMAL[m[3] ?? '']!);
}

/** A container's own memory limit, with the field and its value in bytes; undefined when not set or not a quantity. */
export function memoryLimit(c: Container): { node: YNode; bytes: number } | undefined {
  const node = resourceField(c, 'limits', 'memory');
  const bytes = parseQuantity(node?.str());
  return node && bytes !== undefined && bytes > 0 ? { node, bytes } : undefined;
}
