/**
 * Benchmark (not a test): generate 2,000 realistic Kubernetes manifest documents deterministically
 * into a temporary folder, then time full `replicalint` runs over them (wall time, peak RSS).
 *
 *   npm run bench:manifests [-- --docs 2000 --runs 3 --keep]
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(ROOT, 'bin', 'replicalint.js');

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const DOCS = opt('docs', 2000);
const RUNS = opt('runs', 3);

/** mulberry32: a small seeded PRNG, so every run lints the same manifests. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = prng(20_240_611);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const chance = (p: number) => rand() < p;
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

const TEAMS = ['shop', 'payments', 'search', 'platform', 'identity', 'media'] as const;
const NOUNS = ['cart', 'checkout', 'catalog', 'orders', 'pricing', 'ledger', 'users', 'sessions', 'images', 'mailer', 'invoices', 'reviews', 'stock', 'gateway', 'events', 'recommend'] as const;
const ROLES = ['api', 'web', 'worker', 'consumer', 'grpc', 'admin'] as const;

interface App {
  name: string;
  ns: string;
  port: number;
  kind: 'Deployment' | 'StatefulSet';
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

function probe(path: string, port: number | string, extra = ''): string {
  return `httpGet:\n  path: ${path}\n  port: ${port}\nperiodSeconds: ${pick([5, 10, 15])}${extra}`;
}

function container(app: App, i: number): string {
  const name = i === 0 ? app.name.split('-')[1]! : pick(['log-shipper', 'metrics', 'proxy', 'cache']);
  const lines = [`- name: ${name}`, `  image: registry.example.com/${app.ns}/${app.name}:${int(1, 9)}.${int(0, 20)}.${int(0, 9)}`];
  if (i === 0) {
    lines.push('  ports:', `    - name: http`, `      containerPort: ${app.port}`, `      protocol: TCP`);
    lines.push('  env:');
    for (const [k, v] of [['NODE_ENV', 'production'], ['PORT', String(app.port)], ['LOG_LEVEL', pick(['info', 'warn', 'debug'])]]) lines.push(`    - name: ${k}`, `      value: "${v}"`);
    if (chance(0.4)) lines.push('    - name: NODE_OPTIONS', `      value: --max-old-space-size=${pick([256, 384, 512, 1024])}`);
    if (chance(0.3)) lines.push('    - name: DATABASE_URL', '      valueFrom:', '        secretKeyRef: { name: db, key: url }');
  }
  if (chance(0.8)) lines.push('  readinessProbe:', indent(probe(pick(['/ready', '/readyz', '/health']), pick([app.port, 'http'])), 4));
  if (chance(0.7)) lines.push('  livenessProbe:', indent(probe(pick(['/livez', '/healthz', '/health']), app.port, chance(0.5) ? '\nfailureThreshold: 6' : ''), 4));
  const r = rand();
  if (r < 0.6) {
    lines.push('  resources:', '    requests:', `      cpu: ${pick(['50m', '100m', '250m', '500m', 1])}`, `      memory: ${pick(['128Mi', '256Mi', '512Mi', '1Gi', 268435456])}`);
    if (chance(0.7)) lines.push('    limits:', `      memory: ${pick(['256Mi', '512Mi', '1Gi', '2Gi'])}`);
  } else if (r < 0.75) {
    lines.push('  resources:', '    limits:', `      cpu: ${pick(['500m', '1'])}`, `      memory: ${pick(['512Mi', '1Gi'])}`);
  } else if (r < 0.8) {
    lines.push('  resources: {}');
  }
  lines.push('  securityContext:', '    runAsNonRoot: true', '    readOnlyRootFilesystem: true', '    allowPrivilegeEscalation: false');
  if (chance(0.3)) lines.push('  volumeMounts:', '    - name: tmp', '      mountPath: /tmp');
  return lines.join('\n');
}

function podSpec(app: App, extraInit: boolean): string {
  const n = chance(0.25) ? 2 : 1;
  const parts = ['terminationGracePeriodSeconds: ' + pick([30, 45, 60])];
  if (extraInit) parts.push('initContainers:', indent(`- name: migrate\n  image: registry.example.com/${app.ns}/${app.name}:migrate\n  command: ["node", "dist/migrate.js"]`, 2));
  parts.push('containers:', indent(Array.from({ length: n }, (_, i) => container(app, i)).join('\n'), 2));
  if (chance(0.3)) parts.push('volumes:', '  - name: tmp', '    emptyDir: {}');
  return parts.join('\n');
}

function meta(name: string, ns: string, extra = ''): string {
  return `metadata:\n  name: ${name}\n  namespace: ${ns}\n  labels:\n    app.kubernetes.io/name: ${name}\n    app.kubernetes.io/part-of: ${ns}${extra}`;
}

function workload(app: App, autoscaled: boolean): string {
  const replicas = autoscaled ? (chance(0.2) ? `\n  replicas: ${int(2, 4)}` : '') : chance(0.85) ? `\n  replicas: ${pick([1, 2, 3, 3, 4, 6])}` : '';
  const sts = app.kind === 'StatefulSet' ? `\n  serviceName: ${app.name}` : '';
  return `apiVersion: apps/v1
kind: ${app.kind}
${meta(app.name, app.ns)}
spec:${replicas}${sts}
  selector:
    matchLabels:
      app.kubernetes.io/name: ${app.name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${app.name}
      annotations:
        prometheus.io/scrape: "true"
    spec:
${indent(podSpec(app, chance(0.2)), 6)}
`;
}

function service(app: App): string {
  return `apiVersion: v1
kind: Service
${meta(app.name, app.ns)}
spec:
  selector:
    app.kubernetes.io/name: ${app.name}
  ports:
    - name: http
      port: 80
      targetPort: http
`;
}

function hpa(app: App, typo: boolean): string {
  const name = typo ? app.name.replace(/[aeiou](?=[^aeiou]*$)/, '') : app.name;
  const min = chance(0.2) ? '' : `\n  minReplicas: ${pick([1, 2, 2, 3])}`;
  const ref = `scaleTargetRef:\n    apiVersion: apps/v1\n    kind: ${app.kind}\n    name: ${name}`;
  const v = rand();
  if (v < 0.2) return `apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\n${meta(app.name, app.ns)}\nspec:\n  ${ref}${min}\n  maxReplicas: ${int(4, 20)}\n  targetCPUUtilizationPercentage: ${pick([60, 70, 80])}\n`;
  const api = v < 0.3 ? 'autoscaling/v2beta2' : 'autoscaling/v2';
  const metrics = [
    `    - type: Resource\n      resource:\n        name: cpu\n        target:\n          type: Utilization\n          averageUtilization: ${pick([60, 70, 75])}`,
    chance(0.4) ? `    - type: Resource\n      resource:\n        name: memory\n        target:\n          type: ${pick(['Utilization', 'AverageValue'])}\n          ${chance(0.5) ? 'averageUtilization: 80' : 'averageValue: 400Mi'}` : '',
  ].filter(Boolean);
  return `apiVersion: ${api}\nkind: HorizontalPodAutoscaler\n${meta(app.name, app.ns)}\nspec:\n  ${ref}${min}\n  maxReplicas: ${int(4, 20)}\n  metrics:\n${metrics.join('\n')}\n  behavior:\n    scaleDown:\n      stabilizationWindowSeconds: 300\n`;
}

function pdb(app: App): string {
  return `apiVersion: policy/v1\nkind: PodDisruptionBudget\n${meta(app.name, app.ns)}\nspec:\n  ${chance(0.5) ? 'minAvailable: 1' : 'maxUnavailable: 1'}\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: ${app.name}\n`;
}

function cronJob(app: App): string {
  return `apiVersion: batch/v1
kind: CronJob
${meta(`${app.name}-cleanup`, app.ns)}
spec:
  schedule: "${int(0, 59)} ${int(0, 23)} * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        spec:
          restartPolicy: OnFailure
${indent(podSpec(app, false), 10)}
`;
}

function configMap(app: App): string {
  return `apiVersion: v1\nkind: ConfigMap\n${meta(`${app.name}-config`, app.ns)}\ndata:\n  LOG_FORMAT: json\n  FEATURE_FLAGS: "${NOUNS.slice(0, int(1, 5)).join(',')}"\n`;
}

/** Each app brings a group of documents, in the mix a real repository has. */
function appDocs(i: number): string[] {
  const ns = pick(TEAMS);
  const app: App = { name: `${pick(NOUNS)}-${pick(ROLES)}-${i}`, ns, port: pick([3000, 8080, 8000, 9000]), kind: chance(0.15) ? 'StatefulSet' : 'Deployment' };
  const autoscaled = app.kind === 'Deployment' && chance(0.5);
  const docs = [workload(app, autoscaled), service(app)];
  if (autoscaled) docs.push(hpa(app, chance(0.03)));
  if (chance(0.5)) docs.push(pdb(app));
  if (chance(0.25)) docs.push(cronJob(app));
  if (chance(0.3)) docs.push(configMap(app));
  return docs;
}

function listOf(docs: string[]): string {
  const items = docs.map((d) => indent(d.trimEnd(), 4).replace(/^ {4}/, '  - ')).join('\n');
  return `apiVersion: v1\nkind: List\nitems:\n${items}\n`;
}

/** Write files until DOCS YAML documents exist: single-document files, multi-document files, Helm-rendered output and Lists. */
function generate(dir: string): { files: number; docs: number } {
  let docs = 0;
  let files = 0;
  for (let i = 0; docs < DOCS; i++) {
    const group = appDocs(i).slice(0, DOCS - docs);
    const style = rand();
    const base = path.join(dir, group[0]!.match(/namespace: (\S+)/)![1]!, `app-${i}`);
    fs.mkdirSync(base, { recursive: true });
    if (style < 0.45) {
      group.forEach((d, j) => fs.writeFileSync(path.join(base, `${j}-${d.match(/kind: (\w+)/)![1]!.toLowerCase()}.yaml`), d));
      files += group.length;
      docs += group.length;
    } else if (style < 0.8) {
      fs.writeFileSync(path.join(base, 'all.yaml'), group.join('---\n'));
      files++;
      docs += group.length;
    } else if (style < 0.93) {
      const rendered = group.map((d) => `---\n# Source: ${path.basename(base)}/templates/${d.match(/kind: (\w+)/)![1]!.toLowerCase()}.yaml\n${d}`);
      fs.writeFileSync(path.join(base, 'rendered.yaml'), rendered.join(''));
      files++;
      docs += group.length;
    } else {
      fs.writeFileSync(path.join(base, 'list.yaml'), listOf(group));
      files++;
      docs += 1;
    }
  }
  return { files, docs };
}

interface Run {
  ms: number;
  /** User plus system CPU time of the run, less disturbed than wall time on a busy machine. */
  cpuMs: number;
  maxRssKiB: number;
  findings: number;
}

function lintOnce(dir: string, preload: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const out = path.join(path.dirname(dir), 'report.json');
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, ['--require', preload, BIN, dir, '-f', 'json', '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      if (code !== 0 && code !== 1) return reject(new Error(`replicalint exited with ${code}: ${stderr}`));
      const usage = /maxrss=(\d+) cpu=(\d+)/.exec(stderr);
      const report = JSON.parse(fs.readFileSync(out, 'utf8')) as { findings: unknown[] };
      resolve({ ms, cpuMs: usage ? Number(usage[2]) / 1000 : NaN, maxRssKiB: usage ? Number(usage[1]) : NaN, findings: report.findings.length });
    });
  });
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'replicalint-bench-'));
  const dir = path.join(tmp, 'manifests');
  const t0 = process.hrtime.bigint();
  const { files, docs } = generate(dir);
  const genMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const preload = path.join(tmp, 'rss.cjs');
  fs.writeFileSync(preload, "process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write(`maxrss=${u.maxRSS} cpu=${u.userCPUTime + u.systemCPUTime}\\n`); });\n");
  const bytes = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).reduce((n, e) => n + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
  console.log(`generated ${docs} documents in ${files} files (${(bytes / 1024 / 1024).toFixed(1)} MiB) in ${genMs.toFixed(0)} ms`);
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await lintOnce(dir, preload);
    runs.push(r);
    console.log(`run ${i + 1}: ${r.ms.toFixed(0)} ms wall, ${r.cpuMs.toFixed(0)} ms CPU, peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MiB, ${r.findings} findings`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!.toFixed(0);
  console.log(`median ${median(runs.map((r) => r.ms))} ms wall, ${median(runs.map((r) => r.cpuMs))} ms CPU, peak RSS ${(Math.max(...runs.map((r) => r.maxRssKiB)) / 1024).toFixed(0)} MiB (node ${process.version}, ${os.cpus().length} cpus)`);
  if (args.includes('--keep')) console.log(`kept ${dir}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
