import type { App } from '../model.js';

/** `--print-links`: services, workloads and the links between them, each with its reason. */
export function formatLinks(app: App, format: string): string {
  const services = app.services.map((s) => ({
    folder: s.folder,
    name: s.name,
    servers: s.servers.map((x) => `${x.file}:${x.start.span.line}`),
    dockerfiles: s.dockerfiles.map((d) => d.file),
  }));
  const workloads = app.manifests.workloads.map((w) => ({
    kind: w.kind,
    name: w.name,
    namespace: w.namespace,
    file: w.node.src.file,
    line: w.node.loc().line,
    containers: w.containers.map((c) => c.name),
    autoscalers: w.hpas.map((h) => h.name),
  }));
  const links = app.links.map((l) => ({
    service: l.service.folder,
    workload: `${l.workload.kind}/${l.workload.name}`,
    container: l.container.name,
    reason: l.reason,
  }));
  if (format === 'json') return JSON.stringify({ services, workloads, links }, null, 2) + '\n';
  const out: string[] = ['services:'];
  if (!services.length) out.push('  (none: no package starts a server)');
  for (const s of services) out.push(`  ${s.folder}${s.name ? ` (${s.name})` : ''}  listens at ${s.servers.join(', ')}`);
  out.push('workloads:');
  if (!workloads.length) out.push('  (none)');
  for (const w of workloads) {
    const hpa = w.autoscalers.length ? `  scaled by HPA ${w.autoscalers.join(', ')}` : '';
    out.push(`  ${w.kind}/${w.name}  ${w.file}:${w.line}  containers: ${w.containers.join(', ') || '(none)'}${hpa}`);
  }
  out.push('links:');
  if (!links.length) out.push('  (none: add "links" to .replicalintrc.json to link a service to its workload)');
  for (const l of links) out.push(`  ${l.service} → ${l.workload} container "${l.container}"  because ${l.reason}`);
  return out.join('\n') + '\n';
}
