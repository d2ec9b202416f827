/**
 * Server frameworks and routers by module name, shared by the collectors and the model. Each list
 * built here says what its members have in common; lists with another meaning (the modules whose
 * calls are recorded at all, `LIB_MODULE` in `collectors/lib-calls.ts`) are kept where they are used.
 */

/** Node's own modules that serve HTTP. */
const NODE_HTTP = ['http', 'https', 'http2'];
/** Node's own modules that serve HTTP or plain TCP. */
const NODE_SERVER = [...NODE_HTTP, 'net'];

/** Frameworks whose app object is created by the module, serves HTTP and listens: `express()`, `Fastify()`, `new Koa()`, `Hapi.server()`, `NestFactory.create()`. */
const HTTP_FRAMEWORKS = ['express', 'fastify', 'koa', '@hapi/hapi', 'hapi', '@nestjs/core', 'restify', 'polka', '@hono/node-server', 'hono'];

/** Routers: objects that declare routes with `get('/x', handler)` but do not listen themselves. */
const ROUTERS = ['koa-router', '@koa/router', 'koa-tree-router', 'router', 'find-my-way'];

/** Frameworks and routers whose objects declare routes with `get('/x', handler)` (Koa, Hapi and Nest apps do not). */
export const ROUTE_SHORTHAND_MODULES: ReadonlySet<string> = new Set([
  'express', 'fastify', 'restify', 'polka', 'hono', '@tinyhttp/app', 'hyper-express', 'ultimate-express', ...ROUTERS,
]);

/** Modules whose objects take request handlers and middleware: `app.get('/x', fn)`, `app.use(fn)`, `router.all(fn)`. */
export const HANDLER_MODULES: ReadonlySet<string> = new Set([...HTTP_FRAMEWORKS, ...ROUTE_SHORTHAND_MODULES, 'connect']);

/** Modules whose instances serve HTTP or route it: what `listen()`, `route()` and `use()` are called on. */
export const INSTANCE_MODULES: ReadonlySet<string> = new Set([
  ...NODE_HTTP, ...NODE_HTTP.map((m) => `node:${m}`), ...HTTP_FRAMEWORKS, '@nestjs/platform-fastify', '@nestjs/platform-express', 'koa-router', '@koa/router', 'router',
]);

/** Modules that create a server that listens on a port: the frameworks, Node's servers, and `stoppable` wrapping one. */
export const APP_MODULES: ReadonlySet<string> = new Set([...NODE_SERVER, ...NODE_SERVER.map((m) => `node:${m}`), ...HTTP_FRAMEWORKS, 'stoppable']);

/** Modules whose objects stop a server when closed: the servers, and terminators wrapping one. */
export const CLOSABLE_SERVER_MODULES: ReadonlySet<string> = new Set([...APP_MODULES, 'http-terminator', 'lightship']);

/**
 * Modules whose presence makes a `.listen()` in the same package an HTTP (or TCP) server: wider
 * than the frameworks above, since a package only has to show that it serves something.
 */
const SERVER_PACKAGE = /^(?:@apollo\/server(?:\/.*)?|apollo-server(?:-\w+)?|@feathersjs\/\w+|@trpc\/server(?:\/.*)?|@loopback\/\w+)$/;
const SERVER_PACKAGES: ReadonlySet<string> = new Set([
  ...APP_MODULES, 'micro', 'socket.io', 'ws', 'next', 'h3', 'hyper-express', 'graphql-yoga', '@elysiajs/node', 'tinyhttp', '@tinyhttp/app', 'sails', 'loopback', 'moleculer-web',
]);

/** Is this a module whose presence makes a package's `.listen()` a server (see {@link SERVER_PACKAGES})? */
export function isServerPackage(module: string): boolean {
  return SERVER_PACKAGES.has(module) || SERVER_PACKAGE.test(module);
}

/** Libraries that build a framework's server from a manifest, and that framework: `await Glue.compose(manifest)` is a Hapi server. */
const COMPOSERS: Record<string, string> = { '@hapi/glue': '@hapi/hapi', glue: 'hapi' };

/** The framework of the server a call of this module member returns, when a composer builds it (`Glue.compose`). */
export function composedServer(module: string, path: readonly string[]): string | undefined {
  const member = path[0] === 'default' ? path.slice(1) : path;
  return COMPOSERS[module] !== undefined && member.length === 1 && member[0] === 'compose' ? COMPOSERS[module] : undefined;
}
