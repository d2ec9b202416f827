import type { Container, Workload } from './objects.js';
import type { YNode } from './yaml.js';

export type ProbeField = 'readinessProbe' | 'livenessProbe' | 'startupProbe';

const HANDLERS = ['httpGet', 'tcpSocket', 'grpc', 'exec'] as const;

/** What is wrong with a container's probe: nothing, no probe at all, or a probe that does nothing. */
export type ProbeState = { state: 'ok'; node: YNode } | { state: 'missing' } | { state: 'empty'; node: YNode };

export function probeState(c: Container, field: ProbeField): ProbeState {
  const node = c.node.get(field);
  if (!node) return { state: 'missing' };
  const handler = HANDLERS.some((h) => node.has(h));
  return handler ? { state: 'ok', node } : { state: 'empty', node };
}

/**
 * Knative Serving probes every revision's user container itself (a TCP readiness check on its port
 * when none is declared), so a missing readinessProbe there is not a gap.
 * https://knative.dev/docs/serving/services/configure-probing/
 */
export function platformProbesReadiness(w: Workload): boolean {
  return w.apiVersion.startsWith('serving.knative.dev/') && w.kind === 'Service';
}

/** Kubernetes' defaults for a probe's timing fields. */
const TIMING = { initialDelaySeconds: 0, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 } as const;

/**
 * A probe reduced to what it does and when, with Kubernetes' defaults filled in and named ports
 * resolved through the container's ports, so two probes are identical exactly when their
 * signatures are equal. Undefined when the probe has no handler.
 */
export function probeSignature(c: Container, probe: YNode): string | undefined {
  const handler = HANDLERS.find((h) => probe.has(h));
  if (!handler) return undefined;
  const h = probe.get(handler)!;
  const port = resolvePort(c, h.get('port'));
  const action =
    handler === 'httpGet'
      ? {
          path: h.get('path')?.str() ?? '/',
          port,
          host: h.get('host')?.str() ?? '',
          scheme: (h.get('scheme')?.str() ?? 'HTTP').toUpperCase(),
          headers: h.get('httpHeaders')?.items().map((x) => `${x.get('name')?.str()}: ${x.get('value')?.str()}`).sort() ?? [],
        }
      : handler === 'tcpSocket'
        ? { port, host: h.get('host')?.str() ?? '' }
        : handler === 'grpc'
          ? { port, service: h.get('service')?.str() ?? '' }
          : { command: h.get('command')?.items().map((x) => x.str() ?? '') ?? [] };
  const timing = Object.entries(TIMING).map(([k, d]) => probe.get(k)?.num() ?? d);
  return JSON.stringify([handler, action, timing]);
}

/** A named port becomes the number of the container port with that name, when there is one. */
function resolvePort(c: Container, port: YNode | undefined): string {
  const p = port?.str() ?? '';
  if (/^\d+$/.test(p)) return p;
  const named = c.node.get('ports')?.items().find((x) => x.get('name')?.str() === p);
  return named?.get('containerPort')?.str() ?? p;
}

/** The probes of a container, in the order Kubernetes runs them at start-up. */
export const PROBE_FIELDS: readonly ProbeField[] = ['startupProbe', 'readinessProbe', 'livenessProbe'];

/** An `httpGet` probe: the request kubelet sends, with the fields a finding can point at. */
export interface HttpProbe {
  field: ProbeField;
  probe: YNode;
  httpGet: YNode;
  /** The path as written (`/` when omitted, as Kubernetes does). */
  path: string;
  pathNode?: YNode;
  port?: YNode;
  /** `httpGet.host`: the probe goes to another host, not this pod. */
  host?: string;
}

/** The `httpGet` probes of a container (startup, readiness, liveness). */
export function httpProbes(c: Container): HttpProbe[] {
  const out: HttpProbe[] = [];
  for (const field of PROBE_FIELDS) {
    const probe = c.node.get(field);
    const httpGet = probe?.get('httpGet');
    if (!probe || !httpGet?.isMap) continue;
    const pathNode = httpGet.get('path');
    const host = httpGet.get('host')?.str();
    out.push({ field, probe, httpGet, path: pathNode?.str() || '/', pathNode, port: httpGet.get('port'), ...(host ? { host } : {}) });
  }
  return out;
}

/** One entry of a container's `ports`. */
export interface ContainerPort {
  port: number;
  name?: string;
  /** `TCP` (the default), `UDP` or `SCTP`. */
  protocol: string;
  node: YNode;
}

/** The `ports` a container declares (entries without a numeric `containerPort` are skipped). */
export function containerPorts(c: Container): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const p of c.node.get('ports')?.items() ?? []) {
    const port = p.get('containerPort')?.num();
    if (port === undefined) continue;
    const name = p.get('name')?.str();
    out.push({ port, protocol: (p.get('protocol')?.str() ?? 'TCP').toUpperCase(), node: p, ...(name ? { name } : {}) });
  }
  return out;
}
