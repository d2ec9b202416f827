import type { Container, Workload } from './objects.js';
import type { YNode } from './yaml.js';

/**
 * The regular containers (not init containers, not native sidecars) of the given workloads;
 * with `longRunning`, only of workloads that serve (not Jobs, CronJobs or Helm test pods).
 */
export function regularContainers(workloads: Workload[], opts: { longRunning?: boolean } = {}): Container[] {
  return workloads.filter((w) => !opts.longRunning || !w.runsToCompletion).flatMap((w) => w.containers);
}

/** A probe in a few words: `httpGet /healthz port 8080`, `tcpSocket port 5432`, `exec`; undefined when absent. */
export function probeTarget(probe: YNode | undefined): string | undefined {
  if (!probe?.isMap) return undefined;
  const http = probe.get('httpGet');
  if (http) return `httpGet ${http.get('path')?.str() ?? '/'} port ${http.get('port')?.str() ?? '?'}`;
  const tcp = probe.get('tcpSocket');
  if (tcp) return `tcpSocket port ${tcp.get('port')?.str() ?? '?'}`;
  const grpc = probe.get('grpc');
  if (grpc) return `grpc port ${grpc.get('port')?.str() ?? '?'}`;
  return probe.has('exec') ? 'exec' : undefined;
}
