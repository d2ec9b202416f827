import { defineRule } from '../src/rule.js';
import { isTestPackage, runtimeFiles } from '../src/code/scope.js';
import type { StoreUse } from '../src/code/facts.js';

/** Packages that give socket.io a shared adapter when imported. */
const ADAPTER_MODULE = /^(?:@socket\.io\/[\w-]+-adapter|socket\.io-redis|socket\.io-adapter-[\w-]+|@socket\.io\/redis-streams-adapter)$/;

function describe(s: StoreUse, where: string): { message: string; hint: string } {
  switch (s.kind) {
    case 'session':
      return {
        message: s.lib === 'koa-session'
          ? `${s.call} (koa-session) is given an in-process ContextStore: sessions live in this replica's memory, so a login vanishes when the next request lands on another replica`
          : `${s.call} (${s.lib}) keeps sessions in this replica's memory (MemoryStore): a login vanishes when the next request lands on another replica, and every restart logs everyone out`,
        hint: s.lib === 'koa-session'
          ? 'drop the ContextStore (koa-session keeps the session in a signed cookie) or back it with Redis'
          : `pass a shared store, e.g. store: new RedisStore({ client: redisClient }) from connect-redis`,
      };
    case 'rate-limit':
      return {
        message: `${s.call} (${s.lib}) counts requests in this replica's memory: with N replicas a client gets N times the limit, and counts reset on every restart`,
        hint: s.lib === 'rate-limiter-flexible'
          ? 'use RateLimiterRedis (or another shared store), keeping RateLimiterMemory only as its insuranceLimiter'
          : s.lib === 'express-rate-limit'
            ? 'pass a shared store, e.g. store: new RedisStore({ sendCommand: (...args) => client.sendCommand(args) }) from rate-limit-redis'
            : 'register it with a shared store: redis: new Redis(...)',
      };
    case 'socket.io':
      return {
        message: `socket.io server ${s.call} has no adapter: io.emit() and rooms reach only the sockets connected to this replica`,
        hint: 'io.adapter(createAdapter(pubClient, subClient)) from @socket.io/redis-adapter, with sticky sessions for the polling transport',
      };
    case 'upload':
      return {
        message: `${s.call} stores uploads on the pod's disk (${s.dest}): a file uploaded through one replica is missing on the others and lost at scale-in`,
        hint: 'stream uploads to object storage (S3, GCS; e.g. multer-s3), or take them in memory and move them to shared storage before responding',
      };
    default:
      return {
        message: `${s.call} writes to the pod's disk (${s.dest}) from ${where}: the file exists only on this replica and is lost at scale-in`,
        hint: 'write it to object storage or the database; if it is scratch space for this request, delete it before responding',
      };
  }
}

export default defineRule({
  id: 'in-memory-store',
  scope: ['code'],
  severity: 'error',
  summary: 'Library that keeps shared data in process memory or on the pod disk by default (sessions, rate limits, socket.io, uploads)',
  why: 'Logins vanish when a request lands on another replica; rate limits multiply by the replica count; broadcasts reach only one replica’s sockets; files on the pod’s disk are lost at scale-in.',
  fix: 'Give the library a shared store: Redis for sessions, rate limits and the socket.io adapter; object storage for uploads.',
  check({ app, report }) {
    const done = new Set<string>();
    for (const service of app.services) {
      if (isTestPackage(service)) continue;
      const files = runtimeFiles(app, service);
      const adapter = files.some((f) => f.stores.some((s) => s.kind === 'socket.io-adapter') || f.imports.some((i) => ADAPTER_MODULE.test(i.module)));
      for (const file of files) {
        for (const s of file.stores) {
          const key = `${file.file}:${s.span.line}:${s.span.column}`;
          if (done.has(key) || !s.inProcess || s.kind === 'socket.io-adapter' || (s.kind === 'socket.io' && adapter)) continue;
          done.add(key);
          report({ at: { file: file.file, ...s.span }, ...describe(s, `${s.via} (line ${s.viaLine})`) });
        }
      }
    }
  },
});
