import type { Collector } from '../walk.js';
import type { TS } from '../typescript.js';

/**
 * Libraries whose calls some rule reads: server frameworks, sessions, rate limiters, uploads,
 * sockets, schedulers and queues, HTTP clients, shutdown helpers, caches, database and cache
 * clients, and Node's own modules. Calls into any other module are not recorded, which keeps the
 * walk and the cache small on large codebases. A rule that needs another library adds it here.
 * (A list of its own: it holds the server modules of `frameworks.ts` among everything else a rule reads.)
 */
export const LIB_MODULE =
  /^(?:node:)?(?:http|https|http2|net|fs|fs\/promises|timers|timers\/promises|child_process|cluster|worker_threads|events)$|^(?:@nestjs|@fastify|@koa|@hapi|@godaddy|@apollo|@hono|@trpc|@socket\.io|@bull-board|@prisma|@aws-sdk)\/|^(?:express|express-session|express-rate-limit|rate-limit-redis|rate-limiter-flexible|connect-redis|connect-mongo|memorystore|cookie-session|koa-session|koa|koa-router|fastify|fastify-plugin|fastify-session|fastify-graceful-shutdown|fastify-healthcheck|under-pressure|http-graceful-shutdown|node-graceful-shutdown|exit-hook|async-exit-hook|express-actuator|koa-tree-router|hapi|restify|polka|micro|hono|socket\.io|ws|multer|busboy|formidable|node-cron|cron|node-schedule|toad-scheduler|bull|bullmq|bee-queue|agenda|axios|got|node-fetch|undici|ky|superagent|request|needle|lightship|http-terminator|close-with-grace|stoppable|lru-cache|node-cache|memory-cache|quick-lru|keyv|cache-manager|pg|pg-pool|mysql|mysql2|mongoose|mongodb|redis|ioredis|knex|sequelize|typeorm|drizzle-orm|kysely|amqplib|kafkajs|nats|graphql-yoga|apollo-server(?:-[\w-]+)?)$/;

/** Calls and `new` on imported bindings of {@link LIB_MODULE}, with their arguments summarised: the raw material of library rules. */
export const libCalls: Collector = {
  kinds: ['CallExpression', 'NewExpression'],
  visit(node, w) {
    const ts = w.ts;
    const call = node as TS.CallExpression | TS.NewExpression;
    const origin = w.resolve(call.expression);
    if (!origin || !LIB_MODULE.test(origin.module)) return;
    w.facts.libCalls.push({
      module: origin.module,
      path: origin.path,
      isNew: ts.isNewExpression(call),
      args: (call.arguments ?? []).map((a) => w.arg(a)),
      span: w.span(call),
    });
  },
};
