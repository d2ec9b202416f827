/**
 * Benchmark (not a test): replicalint's time must grow linearly with the size of its input, also on
 * inputs of odd shapes (one huge function, thousands of writes to one binding, a ring of barrels,
 * thousands of manifests linked to one service...). For each shape, generate a one-service project
 * deterministically at size N and at 4N, time full runs over each (median of `--runs`), and print
 * the growth exponent log((t4N - start-up) / (tN - start-up)) / log 4: 1.0 is linear, 2.0
 * quadratic. It is computed on wall time and on CPU time; a shape is flagged when both are above
 * 1.3. Start-up is measured beside each size (a project of one empty file, run once); the faster of
 * the two is the start-up taken off both times, so that a fixed cost does not hide growth. A run that exits with
 * anything but 0 or 1 (a crash) or times out is reported, and the benchmark goes on. The exit code
 * is 1 when a shape is flagged or failed.
 *
 *   npm run bench:shapes [-- --runs 3 --scale 1 --only <substring>[,<substring>...] --bin <bin/replicalint.js> --timeout 30 --keep]
 *
 * `--scale K` multiplies every shape's N; `--only` keeps the shapes whose name contains one of the
 * substrings; `--bin` measures another build (to compare two builds, run it once with each);
 * `--timeout` is per run, in seconds; `--keep` leaves the generated projects in place.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
/** Loaded into each run with `--require`: writes the run's CPU time where REPLICALINT_BENCH_USAGE says. */
const HOOK = path.join(HERE, 'usage-hook.cjs');

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const RUNS = Number(opt('runs') ?? 3);
const SCALE = Number(opt('scale') ?? 1);
const ONLY = opt('only')?.split(',');
const TIMEOUT_S = Number(opt('timeout') ?? 30);
const BIN = path.resolve(opt('bin') ?? path.join(ROOT, 'bin', 'replicalint.js'));
const KEEP = args.includes('--keep');
/** Above this exponent, a shape is flagged as growing faster than linearly. */
const FLAG = 1.3;
/**
 * Below this much time above start-up at 4N, the exponent is within the noise of a busy machine: it
 * is not given, nor flagged (a linear Dockerfile parse stays there even at 40,000 lines).
 */
const NOISE_MS = 100;

/** Scratch space of this benchmark run (projects, reports), removed on exit unless `--keep`. */
const SCRATCH = fs.mkdtempSync(path.join(os.tmpdir(), 'replicalint-shapes-'));
process.on('exit', () => (KEEP ? console.log(`\nkept ${SCRATCH}`) : fs.rmSync(SCRATCH, { recursive: true, force: true })));
process.on('SIGINT', () => process.exit(130));

function write(dir: string, rel: string, text: string): void {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const lines = (n: number, line: (i: number) => string) => range(n).map(line).join('\n');

/** The top of an Express server in TypeScript: the app, a pool, a port. */
const SERVER_HEAD = `import express from 'express';
import { Pool } from 'pg';

const app = express();
app.use(express.json());
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const PORT = Number(process.env.PORT ?? 3000);

app.get('/healthz', (req, res) => res.send('ok'));
`;

/** The bottom of that server: listen, and close on SIGTERM. */
const SERVER_TAIL = `
const server = app.listen(PORT, '0.0.0.0');
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
`;

/** A plain CommonJS server, when the shape lies elsewhere. */
const PLAIN_SERVER_JS = `const express = require('express');

const app = express();
app.get('/healthz', (req, res) => res.send('ok'));
app.get('/api/items/:id', (req, res) => res.json({ id: req.params.id }));

const server = app.listen(process.env.PORT || 3000, process.env.HOST);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

/** A Deployment of one container; `extra` holds more of the container's fields (probes, envFrom), indented. */
function deployment(name: string, image: string, extra: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: app
          image: ${image}
          ports:
            - name: http
              containerPort: 3000
${extra}          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
`;
}

function k8sService(name: string): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app: ${name}
  ports:
    - name: http
      port: 80
      targetPort: http
`;
}

/** A readiness probe on the health route every server here has. */
const READINESS = `          readinessProbe:
            httpGet:
              path: /healthz
              port: http
`;

interface Shape {
  name: string;
  /** N at `--scale 1`: a linear build takes about 0.3 to 1.5 s at 4N (a Dockerfile, cheap to parse, stays near start-up). */
  n: number;
  /** What the size column counts: lines of code and Dockerfiles, YAML documents, or lines of YAML. */
  unit: 'lines' | 'documents' | 'yaml lines';
  write(dir: string, n: number): void;
}

const SHAPES: Shape[] = [
  /** One exported async shutdown() of N awaited local steps and N guarded cleanups. */
  {
    name: 'shutdown-statements',
    n: 750,
    unit: 'lines',
    write(dir, n) {
      write(
        dir,
        'src/server.ts',
        `${SERVER_HEAD}
let draining = false;
${lines(n, (i) => `async function step${i}() { await pool.query('delete from leases where shard = $1', [${i}]); }\nfunction cleanup${i}() { console.log('released shard ${i}'); }`)}

export async function shutdown() {
  draining = true;
${lines(n, (i) => `  await step${i}();\n  if (draining) { cleanup${i}(); }`)}
  await pool.end();
  process.exit(0);
}

const server = app.listen(PORT, '0.0.0.0');
process.on('SIGTERM', shutdown);
`,
      );
    },
  },
  /** N small shutdown-like functions, each awaiting the next one, then releasing its part. */
  {
    name: 'shutdown-chain',
    n: 2000,
    unit: 'lines',
    write(dir, n) {
      write(
        dir,
        'src/server.ts',
        `${SERVER_HEAD}
function releasePart(i: number) { console.log('released part', i); }
${lines(n, (i) => `async function closePart${i}() {\n  await ${i + 1 < n ? `closePart${i + 1}()` : 'pool.end()'};\n  releasePart(${i});\n}`)}

const server = app.listen(PORT, '0.0.0.0');
process.on('SIGTERM', async () => {
  await closePart0();
  server.close();
});
`,
      );
    },
  },
  /** One registerRoutes(app) of N routes, each writing its own module-level Map. */
  {
    name: 'routes-in-one-function',
    n: 600,
    unit: 'lines',
    write(dir, n) {
      write(
        dir,
        'src/routes.ts',
        `import type { Express } from 'express';

${lines(n, (i) => `const map${i} = new Map<string, number>();`)}

export function registerRoutes(app: Express) {
${lines(n, (i) => `  app.get('/r${i}', (req, res) => { map${i}.set(String(req.query.k), Date.now()); res.json({}); });`)}
}
`,
      );
      write(dir, 'src/server.ts', `${SERVER_HEAD}import { registerRoutes } from './routes';\n\nregisterRoutes(app);\n${SERVER_TAIL}`);
    },
  },
  /** N request handlers storing a local into one module-level Map: one binding, N writes. */
  {
    name: 'writes-to-one-map',
    n: 800,
    unit: 'lines',
    write(dir, n) {
      write(
        dir,
        'src/server.ts',
        `${SERVER_HEAD}
const cache = new Map<string, unknown>();

${lines(n, (i) => `app.get('/reports/${i}', async (req, res) => {\n  let value = await pool.query('select * from report_${i} where id = $1', [req.query.id]);\n  cache.set('report-${i}:' + req.query.id, value);\n  res.json(value.rows);\n});`)}
${SERVER_TAIL}`,
      );
    },
  },
  /** N module-level bindings (Maps, Sets, arrays, lets), each written once from a function. */
  {
    name: 'many-module-bindings',
    n: 1500,
    unit: 'lines',
    write(dir, n) {
      const kinds = [
        (i: number) => [`const sessions${i} = new Map<string, string>();`, `export function openSession${i}(id: string, user: string) { sessions${i}.set(id, user); }`],
        (i: number) => [`const seen${i} = new Set<string>();`, `export function markSeen${i}(id: string) { seen${i}.add(id); }`],
        (i: number) => [`const events${i}: string[] = [];`, `export function logEvent${i}(event: string) { events${i}.push(event); }`],
        (i: number) => [`let hits${i} = 0;`, `export function countHit${i}() { hits${i} += 1; }`],
      ];
      const parts = range(n).map((i) => kinds[i % kinds.length]!(i));
      write(dir, 'src/server.ts', `${SERVER_HEAD}\n${parts.map((p) => p[0]).join('\n')}\n\n${parts.map((p) => p[1]).join('\n')}\n${SERVER_TAIL}`);
    },
  },
  /** N unbound `require('./plugins/pI')(app)` calls and N side-effect imports in one file. */
  {
    name: 'unbound-requires',
    n: 2000,
    unit: 'lines',
    write(dir, n) {
      write(
        dir,
        'src/server.ts',
        `${lines(n, (i) => `import './instrumentation/hook${i}';`)}
${SERVER_HEAD}
${lines(n, (i) => `require('./plugins/p${i}')(app);`)}
${SERVER_TAIL}`,
      );
    },
  },
  /** A barrel index.ts doing `export * from './mI'` over N small modules, used as lib.opI() by the server. */
  {
    name: 'barrel-of-modules',
    n: 200,
    unit: 'lines',
    write(dir, n) {
      for (const i of range(n)) {
        write(dir, `src/lib/m${i}.ts`, `export const store${i} = new Map<string, number>();\n\nexport function op${i}(key: string) {\n  store${i}.set(key, ${i});\n}\n`);
      }
      write(dir, 'src/lib/index.ts', lines(n, (i) => `export * from './m${i}';`) + '\n');
      write(
        dir,
        'src/server.ts',
        `${SERVER_HEAD}import * as lib from './lib';

${lines(n, (i) => `app.post('/ops/${i}', (req, res) => {\n  lib.op${i}(String(req.body.key));\n  res.status(204).end();\n});`)}
${SERVER_TAIL}`,
      );
    },
  },
  /** N non-exported classes, each instantiated once at top level. */
  {
    name: 'singleton-classes',
    n: 500,
    unit: 'lines',
    write(dir, n) {
      write(
        dir,
        'src/registries.ts',
        `${lines(n, (i) => `class Registry${i} {\n  private readonly items = new Map<string, unknown>();\n  register(key: string, value: unknown) {\n    this.items.set(key, value);\n  }\n}\nconst registry${i} = new Registry${i}();`)}

export const registries = [${range(Math.min(n, 10)).map((i) => `registry${i}`).join(', ')}];
`,
      );
      write(dir, 'src/server.ts', `${SERVER_HEAD}import { registries } from './registries';\n\napp.post('/register', (req, res) => {\n  registries[0]!.register(req.body.key, req.body.value);\n  res.status(204).end();\n});\n${SERVER_TAIL}`);
    },
  },
  /** N services (folders with a package.json and a server), with a Deployment and a Service each in k8s/. */
  {
    name: 'many-services',
    n: 60,
    unit: 'documents',
    write(dir, n) {
      for (const i of range(n)) {
        write(dir, `services/orders-${i}/package.json`, JSON.stringify({ name: `orders-${i}`, main: 'src/server.js' }, null, 2) + '\n');
        write(dir, `services/orders-${i}/src/server.js`, PLAIN_SERVER_JS);
        write(dir, `k8s/orders-${i}.yaml`, `${deployment(`orders-${i}`, `registry.example.com/shop/orders-${i}:1.4.${i}`, READINESS)}---\n${k8sService(`orders-${i}`)}`);
      }
    },
  },
  /** N Deployments of the service, each with envFrom its own ConfigMap. */
  {
    name: 'envfrom-configmaps',
    n: 400,
    unit: 'documents',
    write(dir, n) {
      write(dir, 'src/server.js', PLAIN_SERVER_JS);
      const docs = range(n).flatMap((i) => [
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: svc-config-${i}\ndata:\n  PORT: "3000"\n  HOST: "0.0.0.0"\n  NODE_OPTIONS: "--max-old-space-size=192"\n  TENANT: "tenant-${i}"\n`,
        deployment(`svc-${i}`, `registry.example.com/shop/svc:2.0.${i}`, `          envFrom:\n            - configMapRef:\n                name: svc-config-${i}\n${READINESS}`),
      ]);
      write(dir, 'k8s/all.yaml', docs.join('---\n'));
    },
  },
  /** A ConfigMap of N keys, one of them a block scalar: read by the YAML library, not the plain reader. */
  {
    name: 'configmap-keys',
    n: 8000,
    unit: 'yaml lines',
    write(dir, n) {
      write(dir, 'src/server.js', PLAIN_SERVER_JS);
      write(dir, 'k8s/config.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: svc-config\ndata:\n  app.conf: |\n    port = 3000\n${lines(n, (i) => `  KEY_${i}: "value-${i}"`)}\n`);
    },
  },
  /** A Dockerfile with one RUN of N continuation lines. */
  {
    name: 'dockerfile-continuations',
    n: 10000,
    unit: 'lines',
    write(dir, n) {
      write(dir, 'src/server.js', PLAIN_SERVER_JS);
      write(
        dir,
        'Dockerfile',
        `FROM node:20-alpine
WORKDIR /app
RUN apk add --no-cache \\
${lines(n, (i) => `    font-package-${i} \\`)}
    tini
COPY package.json ./
RUN npm install --omit=dev
COPY . .
USER node
ENTRYPOINT ["/sbin/tini", "--"]
CMD ["node", "src/server.js"]
`,
      );
    },
  },
  /** N `replicalint-disable-next-line module-state -- reason` comments, each silencing a Map that a route writes. */
  {
    name: 'suppression-comments',
    n: 400,
    unit: 'lines',
    write(dir, n) {
      write(
        dir,
        'src/server.ts',
        `${SERVER_HEAD}
${lines(n, (i) => `// replicalint-disable-next-line module-state -- per-replica memo, rebuilt after a restart\nconst memo${i} = new Map<string, number>();\napp.get('/memo/${i}', (req, res) => {\n  memo${i}.set(String(req.query.k), ${i});\n  res.end();\n});`)}
${SERVER_TAIL}`,
      );
    },
  },
  /** N routes in one service, and N Deployments whose probes point at them. */
  {
    name: 'probes-to-routes',
    n: 200,
    unit: 'documents',
    write(dir, n) {
      write(
        dir,
        'src/server.js',
        `const express = require('express');

const app = express();
const router = express.Router();
${lines(n, (i) => `router.get('/api/v${i % 7}/items${i}/:id', (req, res) => res.json({ id: req.params.id }));`)}
app.use('/base', router);
app.get('/healthz', (req, res) => res.send('ok'));

const server = app.listen(3000);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
      );
      const probes = (i: number) =>
        `          readinessProbe:\n            httpGet:\n              path: /base/api/v${(n - 1 - i) % 7}/items${n - 1 - i}/42\n              port: 3000\n          livenessProbe:\n            httpGet:\n              path: /healthz\n              port: 3000\n`;
      write(dir, 'k8s/all.yaml', range(n).map((i) => deployment(`svc-${i}`, `registry.example.com/shop/svc:3.1.${i}`, probes(i))).join('---\n'));
    },
  },
  /** A .gitignore of 2N wildcard patterns (N of them anchored), over a tree of N modules that none of them ignores. */
  {
    name: 'gitignore-patterns',
    n: 500,
    unit: 'lines',
    write(dir, n) {
      write(dir, '.gitignore', lines(n, (i) => `tmp-${i}-*\n/out${i}/**/cache*`) + '\n');
      for (const i of range(n)) write(dir, `src/lib/m${i}.js`, `module.exports = ${i};\n`);
      write(dir, 'src/server.js', PLAIN_SERVER_JS);
    },
  },
  /** A ring of N modules, each doing `export * from` the next; the server imports through the first. */
  {
    name: 'star-export-ring',
    n: 800,
    unit: 'lines',
    write(dir, n) {
      for (const i of range(n)) {
        write(dir, `src/ring/m${i}.ts`, `export * from './m${(i + 1) % n}';\n\nexport const tally${i} = new Map<string, number>();\n`);
      }
      write(
        dir,
        'src/server.ts',
        `${SERVER_HEAD}import { tally1, tally${n - 1} } from './ring/m0';

app.post('/tally', (req, res) => {
  tally1.set(String(req.body.key), 1);
  tally${n - 1}.set(String(req.body.key), 2);
  res.status(204).end();
});
${SERVER_TAIL}`,
      );
    },
  },
  /** The exported instance of a class of N methods where method I calls method I+1 (`this.loadI()`) and the last one writes a field. */
  {
    name: 'method-call-chain',
    n: 500,
    unit: 'lines',
    write(dir, n) {
      write(
        dir,
        'src/catalog.ts',
        `import { Pool } from 'pg';

class CatalogService {
  private readonly cache = new Map<string, unknown>();

  constructor(private readonly pool: Pool) {}

${lines(n - 1, (i) => `  async load${i}(id: string, trail: string[]): Promise<unknown> {\n    trail.push('step ${i}');\n    return this.load${i + 1}(id, trail);\n  }`)}
  async load${n - 1}(id: string, trail: string[]): Promise<unknown> {
    this.cache.set(id, trail);
    return this.pool.query('select * from items where id = $1', [id]);
  }
}

export const catalog = new CatalogService(new Pool({ connectionString: process.env.DATABASE_URL }));
`,
      );
      write(dir, 'src/server.ts', `${SERVER_HEAD}import { catalog } from './catalog';\n\napp.get('/items/:id', async (req, res) => res.json(await catalog.load0(req.params.id, [])));\n${SERVER_TAIL}`);
    },
  },
  /**
   * A Koa router declared as one chain of N calls (`router.get(...).post(...)...`), each handler writing a
   * module-level Map, and a module exporting a router of N/4 more the same way (`module.exports = new Router().get(...)...`).
   */
  {
    name: 'route-chains',
    // Small enough that 4N at `--scale 4` stays within the walk's 10,000 levels (two per link).
    n: 250,
    unit: 'lines',
    write(dir, n) {
      const route = (path: string, i: number) => `  .${i % 2 ? 'post' : 'get'}('/${path}${i}', async (ctx) => {\n    hits.set('${path}${i}', Date.now());\n    ctx.body = { id: ${i} };\n  })`;
      write(dir, 'src/api.js', `const Router = require('@koa/router');\n\nconst hits = new Map();\n\nmodule.exports = new Router()\n${lines(Math.ceil(n / 4), (i) => route('api/items', i))};\n`);
      write(
        dir,
        'src/server.js',
        `const Koa = require('koa');
const Router = require('@koa/router');
const api = require('./api');

const app = new Koa();
const router = new Router();
const hits = new Map();
router
  .get('/healthz', (ctx) => { ctx.body = 'ok'; })
${lines(n, (i) => route('pages', i))};
app.use(api.routes());
app.use(router.routes());

const server = app.listen(process.env.PORT || 3000);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`,
      );
    },
  },
  /** A request handler waiting on one promise chain of N `.then()` links, each storing a result in a module-level Map. */
  {
    name: 'then-chain',
    n: 250,
    unit: 'lines',
    write(dir, n) {
      write(
        dir,
        'src/server.ts',
        `${SERVER_HEAD}
const results = new Map<string, unknown>();

app.get('/report', (req, res) => {
  pool.query('select 0')
${lines(n, (i) => `    .then((r${i}) => {\n      results.set('step${i}', r${i}.rows);\n      return pool.query('select $1::int', [${i + 1}]);\n    })`)}
    .then(() => res.json({ steps: results.size }));
});
${SERVER_TAIL}`,
      );
    },
  },
  /** A chain of N modules passing one Map on (`import { store } from './next'; export { store };`, or `export { store } from`), written by a route. */
  {
    name: 'reexport-chain',
    n: 500,
    unit: 'lines',
    write(dir, n) {
      for (const i of range(n - 1)) {
        write(dir, `src/chain/m${i}.ts`, i % 3 === 2 ? `export { store } from './m${i + 1}';\n` : `import { store } from './m${i + 1}';\n\nexport { store };\n`);
      }
      write(dir, `src/chain/m${n - 1}.ts`, 'export const store = new Map<string, number>();\n');
      write(dir, 'src/server.ts', `${SERVER_HEAD}import { store } from './chain/m0';\n\napp.post('/store', (req, res) => {\n  store.set(String(req.body.key), 1);\n  res.status(204).end();\n});\n${SERVER_TAIL}`);
    },
  },
];

/** A project of the shape at size n: a folder with a package.json and the shape's files. */
function project(shape: Shape, n: number, dir: string): void {
  write(dir, 'package.json', JSON.stringify({ name: 'svc' }) + '\n');
  shape.write(dir, n);
}

/** The size of a project in the shape's unit: lines of code and Dockerfiles, YAML documents, or lines of YAML. */
function sizeOf(dir: string, unit: Shape['unit']): number {
  let size = 0;
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || e.name === 'package.json') continue;
    const yaml = /\.ya?ml$/.test(e.name);
    if (yaml !== (unit !== 'lines')) continue;
    const text = fs.readFileSync(path.join(e.parentPath, e.name), 'utf8');
    size += unit === 'documents' ? text.split(/^---$/m).filter((d) => d.trim()).length : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  }
  return size;
}

interface Sample {
  wallMs: number;
  /** User plus system CPU time of the run (steadier than wall time on a busy machine); NaN when it was killed. */
  cpuMs: number;
}

type Run = Sample & ({ ok: true; findings: number } | { ok: false; error: string });

/** One full run over a project; anything but exit code 0 or 1 with a report is a failure. */
function lint(dir: string): Run {
  const report = path.join(SCRATCH, 'report.json');
  const usage = path.join(SCRATCH, 'usage.json');
  fs.rmSync(report, { force: true });
  fs.rmSync(usage, { force: true });
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', HOOK, BIN, '.', '--format', 'json', '--output', report], {
    cwd: dir,
    env: { ...process.env, REPLICALINT_BENCH_USAGE: usage, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: TIMEOUT_S * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const cpuMs = fs.existsSync(usage) ? (JSON.parse(fs.readFileSync(usage, 'utf8')) as { cpuMs: number }).cpuMs : NaN;
  const stderr = r.stderr?.toString().trim().split('\n').slice(0, 3).join('\n      ') ?? '';
  const fail = (error: string): Run => ({ ok: false, wallMs, cpuMs, error });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT') return fail(`timed out after ${TIMEOUT_S} s`);
  if (r.status !== 0 && r.status !== 1) return fail(`exit ${r.status ?? r.signal}: ${stderr}`);
  if (!fs.existsSync(report)) return fail(`exit ${r.status} without a report: ${stderr}`);
  const findings = (JSON.parse(fs.readFileSync(report, 'utf8')) as { findings: unknown[] }).findings.length;
  return { ok: true, wallMs, cpuMs, findings };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Size {
  size: number;
  /** The start-up run (a project of one empty file) just before this size's first run. */
  startup: Sample;
  runs: Run[];
}

/** Time a shape at N and 4N, in rounds (N then 4N), each size's first run preceded by a start-up run. */
function measure(shape: Shape, tiny: string): [Size, Size] {
  const n = Math.max(1, Math.round(shape.n * SCALE));
  const dirs = [n, 4 * n].map((m, k) => {
    const dir = path.join(SCRATCH, `${shape.name}-${k}`);
    project(shape, m, dir);
    return dir;
  });
  const sizes = dirs.map((dir): Size => ({ size: sizeOf(dir, shape.unit), startup: { wallMs: NaN, cpuMs: NaN }, runs: [] }));
  for (let r = 0; r < RUNS; r++) {
    sizes.forEach((s, k) => {
      if (r === 0) s.startup = lint(tiny);
      // A size that failed fails again (a crash) or costs the timeout again: it is run once only,
      // and 4N not at all when N failed.
      if (sizes.slice(0, k + 1).some((t) => t.runs.some((x) => !x.ok))) return;
      s.runs.push(lint(dirs[k]!));
    });
  }
  if (!KEEP) for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  return sizes as [Size, Size];
}

/**
 * log((t4N - start-up) / (tN - start-up)) / log 4 on wall or CPU time. Start-up is a fixed cost,
 * which noise only adds to: the faster of its two runs stands for both (one slow start-up run would
 * otherwise shrink tN - start-up and inflate the exponent). At N, a run may still end up no slower
 * than start-up: 10 ms keeps the ratio finite. Undefined when 4N is within noise of start-up.
 */
function exponent(a: Size, b: Size, time: keyof Sample): number | undefined {
  const startup = Math.min(a.startup[time], b.startup[time]);
  const ta = Math.max(10, median(a.runs.map((x) => x[time])) - startup);
  const tb = median(b.runs.map((x) => x[time])) - startup;
  return tb < NOISE_MS ? undefined : Math.log(tb / ta) / Math.log(4);
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const count = (x: number) => x.toLocaleString('en-US');

function main(): void {
  if (!fs.existsSync(BIN)) throw new Error(`no ${BIN} (build first, or give --bin <path to bin/replicalint.js>)`);
  const shapes = SHAPES.filter((s) => !ONLY || ONLY.some((part) => s.name.includes(part)));
  if (!shapes.length) throw new Error(`no shape matches --only ${ONLY!.join(',')}; shapes: ${SHAPES.map((s) => s.name).join(', ')}`);
  const tiny = path.join(SCRATCH, 'tiny');
  write(tiny, 'package.json', JSON.stringify({ name: 'svc' }) + '\n');
  write(tiny, 'src/index.ts', '');
  const check = lint(tiny);
  if (!check.ok) throw new Error(`replicalint fails on a project of one empty file: ${check.error}`);

  console.log(`${BIN}\nmedian of ${RUNS} run(s), scale ${SCALE}; node ${process.version}, ${os.cpus().length} cpus`);
  console.log(`exponent = log((t4N - start-up) / (tN - start-up)) / log 4 on wall time (cpu: on CPU time): 1.0 linear, 2.0 quadratic;`);
  console.log(`flagged when both are above ${FLAG}; "-" when 4N takes less than ${NOISE_MS / 1000} s above start-up (within noise)\n`);
  console.log('shape'.padEnd(26) + 'size at N'.padStart(20) + 'at 4N'.padStart(20) + 'start-up'.padStart(10) + 'wall at N'.padStart(11) + 'at 4N'.padStart(10) + 'exponent'.padStart(10) + 'cpu'.padStart(7) + 'findings'.padStart(10));
  const failures: string[] = [];
  let flagged = 0;
  for (const shape of shapes) {
    const [a, b] = measure(shape, tiny);
    const failed = [a, b].map((s) => s.runs.find((x) => !x.ok));
    failed.forEach((bad, k) => bad && !bad.ok && failures.push(`${shape.name} at ${count([a, b][k]!.size)} ${shape.unit}: ${bad.error}`));
    const wall = (s: Size, bad: Run | undefined) => {
      if (bad && !bad.ok) return bad.error.startsWith('timed out') ? 'timeout' : 'FAILED';
      return s.runs.length ? sec(median(s.runs.map((x) => x.wallMs))) : 'not run';
    };
    const ok = !failed[0] && !failed[1] && b.runs.length > 0;
    const [e, cpu] = ok ? [exponent(a, b, 'wallMs'), exponent(a, b, 'cpuMs')] : [undefined, undefined];
    let flag = '';
    if (!ok) flag = '  <- failed';
    // Both must agree: on a busy machine, wall time alone often grows by a load spike.
    else if (e !== undefined && cpu !== undefined && e > FLAG && cpu > FLAG) flag = '  <- superlinear';
    if (flag) flagged++;
    const last = b.runs[b.runs.length - 1];
    console.log(
      shape.name.padEnd(26) +
        `${count(a.size)} ${shape.unit}`.padStart(20) +
        `${count(b.size)} ${shape.unit}`.padStart(20) +
        sec(Math.min(a.startup.wallMs, b.startup.wallMs)).padStart(10) +
        wall(a, failed[0]).padStart(11) +
        wall(b, failed[1]).padStart(10) +
        (e?.toFixed(2) ?? '-').padStart(10) +
        (cpu?.toFixed(2) ?? '-').padStart(7) +
        (last?.ok ? count(last.findings) : '-').padStart(10) +
        flag,
    );
  }
  if (failures.length) console.log(`\nfailures:\n${failures.map((f) => `  ${f}`).join('\n')}`);
  if (flagged) process.exitCode = 1;
}

main();
