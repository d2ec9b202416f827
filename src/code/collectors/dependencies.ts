import { isFunctionLike, type Collector, type Origin, type Walk } from '../walk.js';
import { inRequestHandler } from '../context.js';
import type { TS } from '../typescript.js';
import type { DependencyCall, EnclosingFn } from '../facts.js';
import { enclosingName, functionKey, lineage } from './names.js';
import { hasWord } from '../words.js';

type Kind = DependencyCall['kind'];

/** Client libraries by what they reach. */
const CLIENT_MODULES: [RegExp, Kind][] = [
  [
    /^(?:pg|pg-pool|pg-promise|postgres|slonik|mysql|mysql2(?:\/promise)?|mariadb|mssql|tedious|oracledb|mongoose|mongodb|@prisma\/client|knex|typeorm|sequelize|sequelize-typescript|drizzle-orm(?:\/.*)?|kysely|cassandra-driver|@elastic\/elasticsearch|@opensearch-project\/opensearch|neo4j-driver|couchbase|nano|@google-cloud\/(?:firestore|spanner|datastore|bigquery)|@aws-sdk\/(?:client-dynamodb|lib-dynamodb|client-rds-data)|@neondatabase\/serverless|@planetscale\/database|@vercel\/postgres)$/,
    'database',
  ],
  [/^(?:redis|ioredis|@redis\/client|@upstash\/redis|memcached|memjs)$/, 'cache'],
  [/^(?:amqplib|amqp-connection-manager|kafkajs|nats|@nats-io\/[\w-]+|mqtt|@google-cloud\/pubsub|@aws-sdk\/client-(?:sqs|sns|kinesis))$/, 'broker'],
  [/^(?:axios|got|node-fetch|undici|superagent|needle|ky|request|request-promise(?:-native)?|phin|cross-fetch|isomorphic-fetch)$/, 'http'],
];
/** Members of client libraries that do no I/O. */
const NO_IO = new Set(['then', 'catch', 'finally', 'create', 'extend', 'isAxiosError', 'isCancel', 'spread', 'mergeConfig', 'defaults', 'interceptors', 'Schema', 'model', 'Types', 'escape', 'escapeId', 'format', 'isValidObjectId', 'ObjectId', 'on', 'once', 'off', 'emit', 'addListener', 'removeListener', 'duplicate', 'pipeline', 'multi']);
/** Receivers named like a database handle, when their origin is not in this file: `db`, `pool`, `prisma`, `this.dataSource`, `usersRepository`. */
const DB_NAME = /^(?:db|database|pool|pgPool|pg|knex|prisma|sequelize|mongoose|mongo|mongoClient|dataSource|datasource|connection|conn|sql|mysql|postgres|orm|em|entityManager|repository|repo)$|^\w+(?:Db|DB|Database|Pool|Prisma|Knex|Sequelize|Mongo|DataSource|Repository|Repo)$/;
const CACHE_NAME = /redis|valkey|memcache/i;
/** Methods that only a client of another service has: Prisma's raw queries, `@nestjs/terminus` indicators' checks. */
const CLIENT_METHOD = /^(?:\$queryRaw|\$queryRawUnsafe|\$executeRaw|\$executeRawUnsafe|\$runCommandRaw|pingCheck|responseCheck)$/;
/** Words of the names of functions that check health (`healthz`, `checkLive`, `readiness`): their awaited calls of plain functions are kept, to follow one level. */
const HEALTH_WORD = /^(?:health\w*|live\w*|ready\w*|readiness|probe|ping|check\w*|status|alive)$/i;
/** Words of the names of functions a health handler calls to check a dependency (`checkDb`, `pingRedis`, `isDatabaseUp`): their dependency calls are kept too. */
const CHECK_WORD = /^(?:health\w*|live\w*|ready\w*|readiness|probe|ping|check\w*|status|alive|verify|db|database|redis|cache|mongo\w*|postgres\w*|pg|mysql|sql|conn|connection|depend\w*|upstream\w*)$/i;
/** Builtins and helpers that are never a dependency check of the file. */
const NOT_LOCAL = /^(?:require|setTimeout|setImmediate|setInterval|Promise|Number|String|Boolean|Array|Object|JSON|parseInt|parseFloat|next|done|cb|callback|resolve|reject|fetch)$/;

const seen = new WeakMap<object, Set<string>>();

/**
 * Calls a function waits for that reach another service: database, cache and broker clients and HTTP
 * clients, by their import (`new Pool()` from pg, `axios.get`, global `fetch`) or, when the client is
 * created elsewhere, by the receiver's name (`db.query`, `prisma.$queryRaw`, `redisClient.ping`).
 * Only the first such call of each function is kept, and only in request handlers and in functions
 * named like a health or dependency check (`checkDb`, `pingRedis`), not in every repository method.
 * Health-like functions and request handlers also keep their awaited calls of plain functions
 * (`await checkDb()`), which a rule follows one level.
 */
export const dependencies: Collector = {
  kinds: ['CallExpression', 'TaggedTemplateExpression'],
  visit(node, w) {
    if (w.atTopLevel) return;
    const ts = w.ts;
    const callee = w.unwrap(ts.isCallExpression(node) ? node.expression : (node as TS.TaggedTemplateExpression).tag);
    const dep = ts.isIdentifier(callee) || ts.isPropertyAccessExpression(callee) ? classify(w, callee) : undefined;
    const local = dep ? undefined : localCallee(w, callee);
    if (!dep && !local) return;
    const fnDepth = waitedFor(w, node);
    if (fnDepth === undefined) return;
    const fn = w.parent(fnDepth)!;
    // Only where a probe's handler may be, or a function such a handler may call: not every query of a repository.
    if (!hasWord(enclosingName(w), local ? HEALTH_WORD : CHECK_WORD) && !healthKeyed(w, fn, fnDepth) && !inRequestHandler(w)) return;
    const key = `${fn.pos}:${dep ? '' : local}`;
    let keys = seen.get(w.facts);
    if (!keys) seen.set(w.facts, (keys = new Set()));
    if (keys.has(key)) return;
    keys.add(key);
    const fns = enclosing(w, node);
    if (dep) w.facts.dependencyCalls.push({ kind: dep.kind, text: w.text(callee, 60), ...(dep.module ? { module: dep.module } : {}), span: w.span(node), fns });
    else w.facts.localCalls.push({ callee: local!, span: w.span(node), fns });
  },
};

/** What a callee reaches, by its import, the origin of its receiver, or the receiver's name. Called for every call: no text is built here. */
function classify(w: Walk, callee: TS.Identifier | TS.PropertyAccessExpression): { kind: Kind; module?: string } | undefined {
  const ts = w.ts;
  if (ts.isIdentifier(callee)) {
    if (callee.text === 'fetch' && !w.imports.has('fetch')) return { kind: 'http' };
    const origin = w.imports.get(callee.text);
    const kind = origin && moduleKind(origin.module);
    return kind && { kind, module: origin.module };
  }
  const method = callee.name.text;
  if (NO_IO.has(method)) return undefined;
  const root = rootOf(w, callee);
  if (!root) return undefined;
  const origin = root.origin;
  if (origin) {
    const kind = moduleKind(origin.module);
    if (kind) return { kind, module: origin.module };
    // Node's own http/https: only requests.
    if (/^(?:node:)?https?$/.test(origin.module) && root.depth === 1 && /^(?:get|request)$/.test(method)) return { kind: 'http', module: origin.module };
    if (!origin.module.startsWith('.')) return undefined;
  }
  // `ctx.db.query()`, `req.app.locals.redis.get()`: the object the method is called on also names it.
  const recv = w.unwrap(callee.expression);
  const recvName = ts.isIdentifier(recv) ? recv.text : ts.isPropertyAccessExpression(recv) ? recv.name.text : '';
  const kind = nameKind(root.name) ?? (recvName ? nameKind(recvName) : undefined);
  if (CLIENT_METHOD.test(method)) return { kind: method === 'responseCheck' || /http/i.test(root.name + recvName) ? 'http' : kind === 'cache' ? 'cache' : 'database' };
  return kind ? { kind } : undefined;
}

const moduleKinds = new Map<string, Kind | null>();
const nameKinds = new Map<string, Kind | null>();

function moduleKind(module: string): Kind | undefined {
  let kind = moduleKinds.get(module);
  if (kind === undefined) {
    kind = CLIENT_MODULES.find(([re]) => re.test(module))?.[1] ?? null;
    moduleKinds.set(module, kind);
  }
  return kind ?? undefined;
}

/** What a receiver's name says it is: a cache (`redis`, `redisClient`), a database (`db`, `pool`, `usersRepository`), or nothing. */
function nameKind(name: string): Kind | undefined {
  let kind = nameKinds.get(name);
  if (kind === undefined) {
    kind = CACHE_NAME.test(name) ? 'cache' : DB_NAME.test(name) ? 'database' : null;
    if (nameKinds.size < 10_000) nameKinds.set(name, kind);
  }
  return kind ?? undefined;
}

/** The binding a call chain starts at (`pool` in `pool.query`, `this.db` in `this.db.ping`, `mongoose` in `mongoose.connection.db.admin().ping`), its origin, and how many names follow it. */
function rootOf(w: Walk, e: TS.Expression): { name: string; origin?: Origin; depth: number } | undefined {
  const K = w.K;
  let depth = 0;
  let cur = w.unwrap(e);
  for (let i = 0; i < 12; i++) {
    if (cur.kind === K.PropertyAccessExpression) {
      const pa = cur as TS.PropertyAccessExpression;
      if (pa.expression.kind === K.ThisKeyword) return { name: pa.name.text, origin: w.origins.get(`this.${pa.name.text}`), depth };
      depth++;
      cur = w.unwrap(pa.expression);
    } else if (cur.kind === K.CallExpression || cur.kind === K.ElementAccessExpression || cur.kind === K.NonNullExpression) {
      cur = w.unwrap((cur as TS.CallExpression).expression);
    } else if (cur.kind === K.Identifier) {
      const name = (cur as TS.Identifier).text;
      return { name, origin: w.origins.get(name) ?? w.imports.get(name), depth };
    } else return undefined;
  }
  return undefined;
}

/** `checkDb()`, `this.pingDatabase()`, an imported function of this run (`import { ping } from './db'`): the name to follow. */
function localCallee(w: Walk, callee: TS.Expression): string | undefined {
  const ts = w.ts;
  if (ts.isIdentifier(callee)) {
    const imp = w.imports.get(callee.text);
    if (NOT_LOCAL.test(callee.text) || (imp && !imp.module.startsWith('.'))) return undefined;
    return callee.text;
  }
  if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) return callee.name.text;
  return undefined;
}

/**
 * Does the enclosing function wait for this call: awaited, yielded or returned (also as an arrow's
 * body), chained with `.then`/`.catch`, or given a callback? The depth of that function, or undefined.
 */
function waitedFor(w: Walk, call: TS.Node): number | undefined {
  const ts = w.ts;
  let waited = false;
  if (ts.isCallExpression(call) && call.arguments.some((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a))) waited = true;
  let child: TS.Node = call;
  for (let d = 1; ; d++) {
    const a = w.parent(d);
    if (!a) return undefined;
    if (isFunctionLike(ts, a)) return waited || (ts.isArrowFunction(a) && a.body === child && !ts.isBlock(child)) ? d : undefined;
    if (ts.isAwaitExpression(a) || ts.isYieldExpression(a) || ts.isReturnStatement(a)) waited = true;
    else if (d === 1 && ts.isPropertyAccessExpression(a) && /^(?:then|catch|finally)$/.test(a.name.text)) waited = true;
    child = a;
  }
}

/** A function given as the value of a health-like or path-like key: terminus `healthChecks: { '/healthz': async () => ... }`. */
function healthKeyed(w: Walk, fn: TS.Node, depth: number): boolean {
  const ts = w.ts;
  const parent = w.parent(depth + 1);
  if (!parent || !ts.isPropertyAssignment(parent) || parent.initializer !== fn) return false;
  const key = ts.isIdentifier(parent.name) || ts.isStringLiteralLike(parent.name) ? parent.name.text : '';
  return key.startsWith('/') || hasWord(key, HEALTH_WORD);
}

/** The functions around the node, innermost first, with their names and heads. */
function enclosing(w: Walk, node: TS.Node): EnclosingFn[] {
  const lin = lineage(w, node);
  const out: EnclosingFn[] = [];
  for (const i of lin.functions(1)) {
    if (out.length === 4) break;
    const fn = lin.at(i) as TS.FunctionLikeDeclaration;
    const key = functionKey(w, lin, i);
    const start = headStart(w, fn);
    const body = fn.body;
    const end = body ? start + w.sf.text.slice(start, body.getStart(w.sf)).trimEnd().length : fn.getEnd();
    const e: EnclosingFn = { head: w.spanAt(start, Math.max(end, start + 1)) };
    if (!key.startsWith('@')) e.name = key;
    out.push(e);
  }
  return out;
}

/** Where a function's head starts: past a method's decorators, so `@Get() @HealthCheck() check()` points at `check()`. */
function headStart(w: Walk, fn: TS.FunctionLikeDeclaration): number {
  const ts = w.ts;
  if (ts.isMethodDeclaration(fn) || ts.isGetAccessor(fn) || ts.isSetAccessor(fn)) {
    const mod = fn.modifiers?.find((m) => m.kind !== ts.SyntaxKind.Decorator);
    return (mod ?? fn.name).getStart(w.sf);
  }
  return fn.getStart(w.sf);
}
