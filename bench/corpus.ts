import fs from 'node:fs';
import path from 'node:path';

/**
 * A deterministic, realistic monorepo for benchmarks: services with routes, services,
 * repositories, utilities, timers and module caches, shared packages, Dockerfiles and manifests.
 * The same options always write the same bytes.
 */
export interface CorpusOptions {
  services: number;
  entitiesPerService: number;
  sharedPackages: number;
  seed: number;
}

export const DEFAULT_CORPUS: CorpusOptions = { services: 48, entitiesPerService: 24, sharedPackages: 6, seed: 42 };

const NOUNS = ['order', 'invoice', 'customer', 'product', 'cart', 'payment', 'shipment', 'review', 'coupon', 'account', 'session', 'report', 'ticket', 'refund', 'vendor', 'warehouse', 'address', 'subscription', 'notification', 'audit', 'tenant', 'price', 'discount', 'stock', 'return', 'label', 'carrier', 'region', 'tax', 'ledger'];
const FRAMEWORKS = ['express', 'fastify', 'koa', 'nest'] as const;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** Write the corpus under `root` (created if needed) and return the number of files written. */
export function writeCorpus(root: string, opts: CorpusOptions = DEFAULT_CORPUS): number {
  const rand = rng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  let count = 0;
  const write = (rel: string, text: string) => {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    count++;
  };
  write('package.json', JSON.stringify({ name: 'bench-shop', private: true, workspaces: ['services/*', 'packages/*'] }, null, 2) + '\n');
  write('.gitignore', 'node_modules/\ndist/\n*.log\n');

  for (let p = 0; p < opts.sharedPackages; p++) {
    const name = `shared-${['logging', 'config', 'errors', 'http', 'db', 'metrics', 'auth', 'queue'][p % 8]}${p >= 8 ? p : ''}`;
    write(`packages/${name}/package.json`, JSON.stringify({ name: `@bench/${name}`, version: '1.0.0', main: 'src/index.ts' }, null, 2) + '\n');
    write(`packages/${name}/src/index.ts`, `export * from './${name}';\nexport * from './helpers';\n`);
    write(`packages/${name}/src/${name}.ts`, sharedModule(name, rand));
    write(`packages/${name}/src/helpers.ts`, helpers(rand));
  }

  for (let s = 0; s < opts.services; s++) {
    const fw = FRAMEWORKS[s % FRAMEWORKS.length]!;
    const svc = `${pick(NOUNS)}-${['api', 'service', 'worker', 'gateway'][s % 4]}-${String(s + 1).padStart(2, '0')}`;
    const dir = `services/${svc}`;
    const entities = Array.from({ length: opts.entitiesPerService }, (_, i) => `${NOUNS[(s * 7 + i) % NOUNS.length]}${i >= NOUNS.length ? i : ''}`);
    write(`${dir}/package.json`, JSON.stringify({ name: `@bench/${svc}`, version: '1.0.0', main: 'dist/server.js', scripts: { start: 'node dist/server.js' }, dependencies: { [fw === 'nest' ? '@nestjs/core' : fw]: '*' } }, null, 2) + '\n');
    write(`${dir}/Dockerfile`, dockerfile(s));
    write(`${dir}/src/server.ts`, server(fw, entities, s));
    write(`${dir}/src/config.ts`, config(svc));
    for (const e of entities) {
      write(`${dir}/src/routes/${e}.routes.ts`, route(fw, e, rand));
      write(`${dir}/src/services/${e}.service.ts`, service(e, rand));
      write(`${dir}/src/repositories/${e}.repository.ts`, repository(e, rand));
      write(`${dir}/src/models/${e}.model.ts`, model(e, rand));
    }
    for (let u = 0; u < 6; u++) write(`${dir}/src/utils/util-${u}.ts`, helpers(rand));
    write(`${dir}/src/jobs/refresh.ts`, job(rand));
    write(`${dir}/src/cache/memo.ts`, cache());
    write(`k8s/${svc}.yaml`, manifests(svc, s, rand));
  }
  return count;
}

function sharedModule(name: string, rand: () => number): string {
  const fns = Array.from({ length: 8 + Math.floor(rand() * 8) }, (_, i) => `
/** ${name} helper ${i}. */
export function ${name.replace(/\W/g, '')}Step${i}(input: Record<string, unknown>, depth = ${i}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    out[key.trim().toLowerCase()] = typeof value === 'string' ? value.slice(0, ${20 + i}) : value;
  }
  return depth > 0 ? { ...out, depth } : out;
}
`);
  return `import { EventEmitter } from 'node:events';\n\nexport const bus = new EventEmitter();\n${fns.join('')}`;
}

function helpers(rand: () => number): string {
  const n = 5 + Math.floor(rand() * 10);
  const parts: string[] = ["import crypto from 'node:crypto';\n"];
  for (let i = 0; i < n; i++) {
    parts.push(`
export function helper${i}(values: number[], factor = ${(rand() * 10).toFixed(2)}): number {
  let total = 0;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    total += v * factor;
  }
  return Math.round(total * 100) / 100;
}

export const format${i} = (id: string, at: Date = new Date()): string =>
  \`\${id}-\${at.toISOString()}-\${crypto.createHash('sha1').update(id).digest('hex').slice(0, 8)}\`;
`);
  }
  return parts.join('');
}

function server(fw: (typeof FRAMEWORKS)[number], entities: string[], s: number): string {
  const imports = entities.map((e) => `import { ${e}Routes } from './routes/${e}.routes';`).join('\n');
  if (fw === 'nest') {
    return `import { NestFactory } from '@nestjs/core';
import { Module } from '@nestjs/common';
${entities.map((e) => `import { ${cap(e)}Controller } from './routes/${e}.routes';`).join('\n')}

@Module({ controllers: [${entities.map((e) => `${cap(e)}Controller`).join(', ')}] })
class AppModule {}

async function bootstrap() {
  const app = await NestFactory.create(AppModule);
  app.setGlobalPrefix('api');
  ${s % 2 ? 'app.enableShutdownHooks();' : ''}
  await app.listen(Number(process.env.PORT ?? 3000), '0.0.0.0');
}
void bootstrap();
`;
  }
  const create = fw === 'express' ? "import express from 'express';\nconst app = express();\napp.use(express.json());" : fw === 'fastify' ? "import Fastify from 'fastify';\nconst app = Fastify({ logger: true });" : "import Koa from 'koa';\nconst app = new Koa();";
  const listen = fw === 'fastify' ? `app.listen({ port: Number(process.env.PORT ?? 3000), host: '0.0.0.0' });` : `const server = app.listen(Number(process.env.PORT ?? 3000));`;
  const shutdown = s % 3 === 0 ? '' : fw === 'fastify' ? "\nprocess.on('SIGTERM', async () => {\n  await app.close();\n  process.exit(0);\n});\n" : "\nprocess.on('SIGTERM', () => {\n  server.close(() => process.exit(0));\n});\n";
  return `${create}
${imports}
import { startRefresh } from './jobs/refresh';

${entities.map((e) => `${e}Routes(app as never);`).join('\n')}
startRefresh();

${listen}
${shutdown}`;
}

function config(svc: string): string {
  return `export const config = Object.freeze({
  service: '${svc}',
  port: Number(process.env.PORT ?? 3000),
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://localhost/${svc.replace(/-/g, '_')}',
  redisUrl: process.env.REDIS_URL,
  logLevel: process.env.LOG_LEVEL ?? 'info',
});
`;
}

function route(fw: (typeof FRAMEWORKS)[number], e: string, rand: () => number): string {
  const E = cap(e);
  if (fw === 'nest') {
    return `import { Controller, Get, Post, Param, Body } from '@nestjs/common';
import { ${E}Service } from '../services/${e}.service';

@Controller('${e}s')
export class ${E}Controller {
  private readonly service = new ${E}Service();

  @Get()
  list() {
    return this.service.list();
  }

  @Get(':id')
  get(@Param('id') id: string) {
    return this.service.get(id);
  }

  @Post()
  create(@Body() body: Record<string, unknown>) {
    return this.service.create(body);
  }
}
`;
  }
  const counter = rand() < 0.2 ? `let requests${E} = 0;\n` : '';
  const bump = counter ? `    requests${E}++;\n` : '';
  const verb = (m: string, p: string, body: string) =>
    fw === 'koa'
      ? `  router.${m}('${p}', async (ctx) => {\n${bump}    ctx.body = ${body.replace(/req\./g, 'ctx.')};\n  });\n`
      : fw === 'fastify'
        ? `  app.${m}('${p}', async (req: any) => {\n${bump}    return ${body};\n  });\n`
        : `  app.${m}('${p}', async (req: any, res: any) => {\n${bump}    res.json(${body});\n  });\n`;
  return `import { ${E}Service } from '../services/${e}.service';
${fw === 'koa' ? "import Router from '@koa/router';\n" : ''}
const service = new ${E}Service();
${counter}
export function ${e}Routes(app: any): void {
${fw === 'koa' ? `  const router = new Router({ prefix: '/${e}s' });\n` : ''}${verb('get', fw === 'koa' ? '/' : `/${e}s`, 'await service.list()')}${verb('get', fw === 'koa' ? '/:id' : `/${e}s/:id`, 'await service.get(req.params.id)')}${verb('post', fw === 'koa' ? '/' : `/${e}s`, 'await service.create(req.body)')}${fw === 'koa' ? '  app.use(router.routes());\n' : ''}}
`;
}

function service(e: string, rand: () => number): string {
  const E = cap(e);
  const cached = rand() < 0.3;
  return `import { ${E}Repository, type ${E}Row } from '../repositories/${e}.repository';
import type { ${E} } from '../models/${e}.model';
${cached ? `\nconst recent = new Map<string, ${E}>();\n` : ''}
export class ${E}Service {
  private readonly repo = new ${E}Repository();

  async list(limit = 50): Promise<${E}[]> {
    const rows = await this.repo.findMany(limit);
    return rows.map((r) => this.toModel(r));
  }

  async get(id: string): Promise<${E} | undefined> {
${cached ? `    const hit = recent.get(id);\n    if (hit) return hit;\n` : ''}    const row = await this.repo.findById(id);
    if (!row) return undefined;
    const model = this.toModel(row);
${cached ? '    recent.set(id, model);\n' : ''}    return model;
  }

  async create(input: Record<string, unknown>): Promise<${E}> {
    if (typeof input.name !== 'string' || input.name.length === 0) {
      throw new Error('${e}: name is required');
    }
    const row = await this.repo.insert({ name: input.name, createdAt: new Date() });
    return this.toModel(row);
  }

  private toModel(row: ${E}Row): ${E} {
    return { id: row.id, name: row.name, createdAt: row.createdAt.toISOString(), tags: row.tags ?? [] };
  }
}
`;
}

function repository(e: string, rand: () => number): string {
  const E = cap(e);
  const cols = ['id', 'name', 'created_at', 'tags', 'status', 'owner_id'].slice(0, 3 + Math.floor(rand() * 3));
  return `import { Pool } from 'pg';

export interface ${E}Row {
  id: string;
  name: string;
  createdAt: Date;
  tags?: string[];
}

let pool: Pool | undefined;

function db(): Pool {
  if (!pool) pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  return pool;
}

export class ${E}Repository {
  async findMany(limit: number): Promise<${E}Row[]> {
    const { rows } = await db().query('SELECT ${cols.join(', ')} FROM ${e}s ORDER BY created_at DESC LIMIT $1', [limit]);
    return rows.map((r: any) => ({ id: r.id, name: r.name, createdAt: new Date(r.created_at), tags: r.tags }));
  }

  async findById(id: string): Promise<${E}Row | undefined> {
    const { rows } = await db().query('SELECT ${cols.join(', ')} FROM ${e}s WHERE id = $1', [id]);
    const r = rows[0];
    return r ? { id: r.id, name: r.name, createdAt: new Date(r.created_at), tags: r.tags } : undefined;
  }

  async insert(row: Omit<${E}Row, 'id'>): Promise<${E}Row> {
    const { rows } = await db().query('INSERT INTO ${e}s (name, created_at) VALUES ($1, $2) RETURNING id', [row.name, row.createdAt]);
    return { ...row, id: rows[0].id };
  }
}
`;
}

function model(e: string, rand: () => number): string {
  const E = cap(e);
  const extra = Array.from({ length: 2 + Math.floor(rand() * 6) }, (_, i) => `  field${i}?: ${pickType(rand)};`).join('\n');
  return `/** A ${e} as the API returns it. */
export interface ${E} {
  id: string;
  name: string;
  createdAt: string;
  tags: string[];
${extra}
}

export type ${E}Patch = Partial<Omit<${E}, 'id' | 'createdAt'>>;

export type ${E}Event =
  | { type: '${e}.created'; payload: ${E} }
  | { type: '${e}.updated'; payload: ${E}Patch & { id: string } }
  | { type: '${e}.deleted'; payload: { id: string } };
`;
}

function pickType(rand: () => number): string {
  return ['string', 'number', 'boolean', 'string[]', 'Record<string, number>', 'Date | null'][Math.floor(rand() * 6)]!;
}

function job(rand: () => number): string {
  const every = 10_000 + Math.floor(rand() * 50_000);
  return `import { bus } from '@bench/shared-logging';

let runs = 0;

export function startRefresh(): void {
  setInterval(() => {
    runs++;
    bus.emit('refresh', runs);
  }, ${every});
}
`;
}

function cache(): string {
  return `const memo = new Map<string, unknown>();

export function remember<T>(key: string, compute: () => T): T {
  if (memo.has(key)) return memo.get(key) as T;
  const value = compute();
  memo.set(key, value);
  return value;
}
`;
}

function dockerfile(s: number): string {
  return `FROM node:20-alpine AS build
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-alpine
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/dist ./dist
COPY --from=build /app/node_modules ./node_modules
${s % 2 ? 'CMD ["node", "dist/server.js"]' : 'CMD npm start'}
`;
}

function manifests(svc: string, s: number, rand: () => number): string {
  const probes = s % 4 !== 1;
  const replicas = 1 + Math.floor(rand() * 3);
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${svc}
  namespace: shop
  labels: { app: ${svc} }
spec:
  replicas: ${replicas}
  selector:
    matchLabels: { app: ${svc} }
  template:
    metadata:
      labels: { app: ${svc} }
    spec:
      containers:
        - name: app
          image: registry.example.com/shop/${svc}:1.${s}.0
          ports:
            - name: http
              containerPort: 3000
${probes ? `          readinessProbe:
            httpGet: { path: /ready, port: http }
          livenessProbe:
            httpGet: { path: /healthz, port: http }
            failureThreshold: 5
` : ''}          resources:
            requests: { cpu: ${100 + s * 10}m${s % 5 === 2 ? '' : `, memory: ${128 + s * 8}Mi`} }
            limits: { memory: ${256 + s * 16}Mi }
---
apiVersion: v1
kind: Service
metadata:
  name: ${svc}
  namespace: shop
spec:
  selector: { app: ${svc} }
  ports:
    - port: 80
      targetPort: http
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: ${svc}
  namespace: shop
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ${svc} }
  minReplicas: ${1 + (s % 3)}
  maxReplicas: 10
  metrics:
    - type: Resource
      resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } }
`;
}
