/**
 * Phase timings, printed to stderr when `REPLICALINT_TIMING` is set (as ESLint's `TIMING`):
 * where a run spends its time, for users and for the benchmark.
 */
const totals = new Map<string, number>();

export function addTime(phase: string, ms: number): void {
  totals.set(phase, (totals.get(phase) ?? 0) + ms);
}

/** Time a synchronous or asynchronous step under `phase`. */
export function timed<T>(phase: string, f: () => T): T {
  const start = performance.now();
  const r = f();
  if (r instanceof Promise) return r.finally(() => addTime(phase, performance.now() - start)) as T;
  addTime(phase, performance.now() - start);
  return r;
}

export function formatTimings(): string {
  const rows = [...totals].sort((a, b) => b[1] - a[1]);
  return rows.map(([phase, ms]) => `${phase.padEnd(28)}${ms.toFixed(1).padStart(10)} ms`).join('\n') + '\n';
}
