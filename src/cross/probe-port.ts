import { containerPorts, type ContainerPort, type HttpProbe } from '../k8s/probes.js';
import type { Container } from '../k8s/objects.js';
import type { ServedPort, ServedPorts } from './link.js';

/** What is wrong with the port of an `httpGet` probe. */
export type PortProblem =
  /** A named port that no TCP `containerPort` of the container is called (`udp` when only a UDP one is). */
  | { kind: 'unknown-name'; name: string; declared: ContainerPort[]; udp?: ContainerPort }
  /** A number that is not among the TCP ports the container declares (`udp` when it is a UDP one; `sibling` when another container of the pod declares it). */
  | { kind: 'undeclared'; port: number; declared: ContainerPort[]; udp?: ContainerPort; sibling?: Container; listen: ServedPort[] }
  /** No ports are declared, and the linked code listens elsewhere. */
  | { kind: 'not-listened'; port: number; listen: ServedPort[] };

/** The port a probe reaches, as a number when it can be told, or its problem. */
export interface PortJudgement {
  port?: number;
  problem?: PortProblem;
}

/**
 * Judge a probe's port against the container's `ports` and, when the container is linked, the
 * ports its code listens on. A named port must name a TCP `containerPort`; a number must be a TCP
 * `containerPort` (or a port the code listens on) when the container declares any, and with no
 * ports declared it is judged only against the code's listen ports; without code it is not judged.
 * UDP ports serve no probe.
 */
export function judgePort(c: Container, probe: HttpProbe, served: ServedPorts | undefined): PortJudgement {
  const raw = probe.port?.str()?.trim();
  if (!raw) return {};
  const declared = containerPorts(c);
  const tcp = declared.filter((p) => p.protocol === 'TCP');
  if (!/^\d+$/.test(raw)) {
    const named = tcp.find((p) => p.name === raw);
    if (named) return { port: named.port };
    return { problem: { kind: 'unknown-name', name: raw, declared, udp: declared.find((p) => p.name === raw) } };
  }
  const port = Number(raw);
  const listens = served?.ports.some((p) => p.port === port) ?? false;
  if (tcp.some((p) => p.port === port) || listens) return { port };
  if (declared.length) {
    const sibling = c.workload.containers.find((o) => o !== c && containerPorts(o).some((p) => p.port === port && p.protocol === 'TCP'));
    return { port, problem: { kind: 'undeclared', port, declared, udp: declared.find((p) => p.port === port), listen: served?.ports ?? [], ...(sibling ? { sibling } : {}) } };
  }
  if (served && !served.unknown && served.ports.length) return { port, problem: { kind: 'not-listened', port, listen: served.ports } };
  return { port };
}
