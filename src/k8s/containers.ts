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

/**
 * How long a container's `preStop` hook sleeps before it gets SIGTERM: the native
 * `lifecycle.preStop.sleep.seconds`, or the `sleep N` commands of an exec hook
 * (`["sleep", "10"]`, `["sh", "-c", "sleep 5 && nginx -s quit"]`). Undefined when it does not sleep.
 */
export function preStopSleep(c: Container): { seconds: number; node: YNode } | undefined {
  const preStop = c.node.at('lifecycle', 'preStop');
  if (!preStop?.isMap) return undefined;
  const native = preStop.at('sleep', 'seconds');
  const n = native?.num();
  if (native && n !== undefined) return { seconds: n, node: native };
  const command = preStop.at('exec', 'command');
  const words = command?.items().map((i) => i.str() ?? '') ?? [];
  let seconds = 0;
  for (const m of words.join(' ').matchAll(/\bsleep\s+(\d+(?:\.\d+)?)([smh]?)\b/g)) {
    seconds += Number(m[1]) * (m[2] === 'm' ? 60 : m[2] === 'h' ? 3600 : 1);
  }
  return seconds > 0 && command ? { seconds, node: command } : undefined;
}
