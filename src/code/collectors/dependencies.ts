import type { Collector, Origin, Walk } from '../walk.js';
import type { TS } from '../typescript.js';
import type { DependencyCall, EnclosingFn } from '../facts.js';
import { functionKey, isFunctionNode, lineage } from './names.js';

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
const NO_IO = /^(?:then|catch|finally|create|extend|isAxiosError|isCancel|spread|mergeConfig|defaults|interceptors|Schema|model|Types|escape|escapeId|format|isValidObjectId|ObjectId|on|once|off|emit|addListener|removeListener|duplicate|pipeline|multi)$/;
/** Receivers named like a database handle, when their origin is not in this file: `db`, `pool`, `prisma`, `this.dataSource`, `usersRepository`. */
const DB_NAME = /^(?:db|database|pool|pgPool|pg|knex|prisma|sequelize|mongoose|mongo|mongoClient|dataSource|datasource|connection|conn|sql|mysql|postgres|orm|em|entityManager|repository|repo)$|^\w+(?:Db|DB|Database|Pool|Prisma|Knex|Sequelize|Mongo|DataSource|Repository|Repo)$/;
const CACHE_NAME = /redis|valkey|memcache/i;
/** Methods that only a client of another service has: Prisma's raw queries, `@nestjs/terminus` indicators' checks. */
const CLIENT_METHOD = /^(?:\$queryRaw|\$queryRawUnsafe|\$executeRaw|\$executeRawUnsafe|\$runCommandRaw|pingCheck|responseCheck)$/;
/** Names of functions that check health: their awaited calls of plain functions are kept, to follow one level. */
const HEALTH_FN = /health|live|ready|readiness|probe|ping|check|status|alive/i;
/** Builtins and helpers that are never a dependency check of the file. */
const NOT_LOCAL = /^(?:require|setTimeout|setImmediate|setInterval|Promise|Number|String|Boolean|Array|Object|JSON|parseInt|parseFloat|next|done|cb|callback|resolve|reject|fetch)$/;

const seen = new WeakMap<object, Set<string>>();

/**
 * Calls a function waits for that reach another service: database, cache and broker clients and HTTP
 * clients, by their import (`new Pool()` from pg, `axios.get`, global `fetch`) or, when the client is
 * created elsewhere, by the receiver's name (`db.query`, `prisma.$queryRaw`, `redisClient.ping`).
 * Only the first such call of each function is kept. Health-like functions and request handlers
 * also keep their awaited calls of plain functions (`await checkDb()`), which a rule follows one level.
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
    if (local && !w.hasRole('request-handler') && !HEALTH_FN.test(w.innerName() ?? '') && !healthKeyed(w, fn, fnDepth)) return;
    const key = `${fn.pos}:${dep ? '' : local}`;
    let keys = seen.get(w.facts);
    if (!keys) seen.set(w.facts, (keys = new Set()));
    if (keys.has(key)) return;
    keys.add(key);
    const fns = enclosing(w, node);
    if (dep) w.facts.dependencyCalls.push({ ...dep, span: w.span(node), fns });
    else w.facts.localCalls.push({ callee: local!, span: w.span(node), fns });
  },
};

/** What a callee reaches, by its import, the origin of its receiver, or the receiver's name. */
function classify(w: Walk, callee: TS.Identifier | TS.PropertyAccessExpression): Omit<DependencyCall, 'span' | 'fns'> | undefined {
  const ts = w.ts;
  const text = w.text(callee, 60);
  if (ts.isIdentifier(callee)) {
    if (callee.text === 'fetch' && !w.imports.has('fetch')) return { kind: 'http', text: 'fetch' };
    const origin = w.imports.get(callee.text);
    const kind = origin && moduleKind(origin);
    return kind && { kind, text, module: origin.module };
  }
  const method = callee.name.text;
  if (NO_IO.test(method)) return undefined;
  const root = rootOf(w, callee);
  if (!root) return undefined;
  const origin = root.origin;
  if (origin) {
    const kind = moduleKind(origin);
    if (kind) return { kind, text, module: origin.module };
    // Node's own http/https: only requests.
    if (/^(?:node:)?https?$/.test(origin.module) && root.path.length === 1 && /^(?:get|request)$/.test(method)) return { kind: 'http', text, module: origin.module };
    if (!origin.module.startsWith('.')) return undefined;
  }
  // `ctx.db.query()`, `req.app.locals.redis.get()`: the object the method is called on also names it.
  const recv = w.unwrap(callee.expression);
  const names = [root.name, ts.isIdentifier(recv) ? recv.text : ts.isPropertyAccessExpression(recv) ? recv.name.text : ''];
  if (CLIENT_METHOD.test(method)) return { kind: names.some((n) => /http/i.test(n)) || method === 'responseCheck' ? 'http' : names.some((n) => CACHE_NAME.test(n)) ? 'cache' : 'database', text };
  if (names.some((n) => CACHE_NAME.test(n))) return { kind: 'cache', text };
  if (names.some((n) => DB_NAME.test(n))) return { kind: 'database', text };
  return undefined;
}

function moduleKind(origin: Origin): Kind | undefined {
  for (const [re, kind] of CLIENT_MODULES) if (re.test(origin.module)) return kind;
  return undefined;
}

/** The binding a call chain starts at (`pool` in `pool.query`, `this.db` in `this.db.ping`, `mongoose` in `mongoose.connection.db.admin().ping`), with its origin. */
function rootOf(w: Walk, e: TS.Expression): { name: string; origin?: Origin; path: string[] } | undefined {
  const ts = w.ts;
  const path: string[] = [];
  let cur = w.unwrap(e);
  for (let i = 0; i < 12; i++) {
    if (ts.isPropertyAccessExpression(cur)) {
      if (cur.expression.kind === ts.SyntaxKind.ThisKeyword) return { name: cur.name.text, origin: w.origins.get(`this.${cur.name.text}`), path: path.reverse() };
      path.push(cur.name.text);
      cur = w.unwrap(cur.expression);
    } else if (ts.isCallExpression(cur) || ts.isElementAccessExpression(cur) || ts.isNonNullExpression(cur)) {
      cur = w.unwrap(cur.expression);
    } else if (ts.isIdentifier(cur)) {
      return { name: cur.text, origin: w.origins.get(cur.text) ?? w.imports.get(cur.text), path: path.reverse() };
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
    if (isFunctionNode(ts, a)) return waited || (ts.isArrowFunction(a) && a.body === child && !ts.isBlock(child)) ? d : undefined;
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
  return key.startsWith('/') || HEALTH_FN.test(key);
}

/** The functions around the node, innermost first, with their names and heads. */
function enclosing(w: Walk, node: TS.Node): EnclosingFn[] {
  const ts = w.ts;
  const lin = lineage(w, node);
  const out: EnclosingFn[] = [];
  for (let i = 1; i < lin.length && out.length < 4; i++) {
    const fn = lin[i]!;
    if (!isFunctionNode(ts, fn)) continue;
    const key = functionKey(w, lin, i);
    const start = headStart(w, fn);
    const body = fn.body;
    const end = body ? start + w.sf.text.slice(start, body.getStart(w.sf)).trimEnd().length : fn.getEnd();
    const e: EnclosingFn = { span: w.span(fn), head: w.spanAt(start, Math.max(end, start + 1)) };
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
