import { chainBottom, localKey, type Collector, type Origin, type Walk } from '../walk.js';
import { inRequestHandler } from '../context.js';
import { ROUTE_SHORTHAND_MODULES } from '../frameworks.js';
import type { TS } from '../typescript.js';
import type { Arg, RouteFact } from '../facts.js';
import { fromImport, lineage, literalText, mountTarget, namedFunction, ownerKey, property, type Lineage } from './names.js';

const SHORTHAND = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'all', 'any', 'search']);
/** Key of the per-file bottoms of chains of shorthand calls (see `chainBottom`). */
const SHORTHAND_CHAINS = localKey();
/** Clients whose `get('/x', ...)` is a request, not a route. */
const CLIENT_MODULE = /^(?:axios|got|node-fetch|undici|superagent|supertest|ky|request|needle|phin|cross-fetch|isomorphic-fetch|@angular\/common\/http)$/;
/** Receivers that read as an app or a router when nothing else tells. */
const APP_NAME = /^(?:app|api|router|routes?|server|fastify|instance|application|web|http|\w*(?:Router|Routes|App|Api|Server))$/;
const FRAMEWORK: Record<string, string> = { 'koa-router': 'koa', '@koa/router': 'koa', 'koa-tree-router': 'koa', router: 'express', '@hapi/hapi': 'hapi', hapi: 'hapi' };
const NEST_METHOD: Record<string, string> = { Get: 'GET', Post: 'POST', Put: 'PUT', Patch: 'PATCH', Delete: 'DELETE', All: 'ALL', Head: 'HEAD', Options: 'OPTIONS', Search: 'SEARCH' };
const CONTROLLER_MODULE = /^(?:@nestjs\/common|routing-controllers)$/;
const KOA_ROUTER = /^(?:koa-router|@koa\/router|koa-tree-router)$/;
/** `req.url`, `ctx.path`, `url.pathname`: what a hand-written router compares. */
const URL_PROP = /^(?:url|path|pathname|originalUrl)$/;
const REQUEST_ROOT = /^(?:req|request|ctx|context|url|parsed|parsedUrl|uri)$/;

/**
 * HTTP routes and the prefixes they are mounted under, per file: Express/Koa/Fastify shorthand and
 * `route()`, Hapi `server.route()`, Nest controllers, hand-written `req.url === '/x'` routers, and
 * routes that terminus, lightship, `@nestjs/terminus`, `@fastify/under-pressure` and `apollo-server` serve.
 */
export const routes: Collector = {
  kinds: ['CallExpression', 'NewExpression', 'ClassDeclaration', 'BinaryExpression', 'CaseClause'],
  visit(node, w) {
    const ts = w.ts;
    if (ts.isCallExpression(node)) onCall(node, w);
    else if (ts.isNewExpression(node)) {
      const origin = fromImport(w, node.expression) ? w.resolve(node.expression) : undefined;
      if (origin && !apolloHealth(node, origin, w)) routerPrefix(node, origin, w);
    } else if (ts.isClassDeclaration(node)) controller(node, w);
    else if (ts.isBinaryExpression(node)) comparison(node, w);
    else if (ts.isCaseClause(node)) switchCase(node, w);
  },
};

/** Method names this collector reads; any other call on a local object is skipped at once. */
const METHODS = new Set([...SHORTHAND, 'route', 'use', 'register', 'prefix', 'setGlobalPrefix', 'enableVersioning', 'startsWith', 'endsWith', 'includes', 'match', 'test']);
/** String methods a hand-written router tests the URL with: `req.url.startsWith('/health')`, `req.url.match(/\/health/)`. */
const URL_TESTS = new Set(['startsWith', 'endsWith', 'includes', 'match']);

function onCall(call: TS.CallExpression, w: Walk): void {
  const ts = w.ts;
  const callee = w.unwrap(call.expression);
  const isMethod = ts.isPropertyAccessExpression(callee);
  if (!isMethod && !ts.isIdentifier(callee)) return;
  if (fromImport(w, callee)) {
    const origin = w.resolve(callee);
    if (origin && (libraryRoutes(call, origin, w) || routerPrefix(call, origin, w))) return;
  }
  if (!isMethod || !METHODS.has(callee.name.text)) return;
  const name = callee.name.text;
  const recv = callee.expression;
  if (SHORTHAND.has(name)) shorthand(call, name, recv, w);
  else if (name === 'route') objectRoutes(call, recv, w);
  else if (name === 'use') use(call, recv, w);
  else if (name === 'register') register(call, recv, w);
  else if (name === 'prefix' && call.arguments.length === 1) {
    const prefix = literalText(w, call.arguments[0]);
    if (prefix !== undefined) w.facts.mounts.push({ kind: 'prefix', framework: 'koa', owner: ownerKey(w, recv, lineage(w, call)), prefix, span: w.span(call) });
  } else if (name === 'setGlobalPrefix') globalPrefix(call, w);
  else if (name === 'enableVersioning') {
    // Only URI versioning changes paths (`/api/v1/health`); a type that is not literal may be it.
    const type = property(w, call.arguments[0], 'type');
    if (!type || !/\b(?:HEADER|MEDIA_TYPE|CUSTOM)$/.test(w.text(type))) w.facts.mounts.push({ kind: 'version', framework: 'nest', owner: '', span: w.span(call) });
  }
  else if (URL_TESTS.has(name) && call.arguments[0] && isUrlAccess(recv, w)) urlTest(call, call.arguments[0], recv, w);
  else if (name === 'test' && call.arguments[0] && ts.isRegularExpressionLiteral(w.unwrap(recv)) && isUrlAccess(call.arguments[0], w)) urlTest(call, recv, call.arguments[0], w);
}

/** `req.url.startsWith('/health')`, `req.url.match(/\/health/)`, `/^\/ready$/.test(req.url)`: an ALL route on that path. */
function urlTest(call: TS.CallExpression, pattern: TS.Expression, url: TS.Expression, w: Walk): void {
  const u = w.unwrap(pattern);
  const path = w.ts.isRegularExpressionLiteral(u) ? regexPath(u.text) : literalText(w, u);
  if (path?.startsWith('/')) push(w, call, { framework: rawFramework(url, w), owner: 'http', method: 'ALL', path, span: w.span(call) });
}

/** The path a plain regular expression stands for: `/^\/health$/i` → `/health`; undefined when it has more than literal characters. */
function regexPath(literal: string): string | undefined {
  const source = literal.slice(1, literal.lastIndexOf('/'));
  const path = source.replace(/^\^/, '').replace(/\$$/, '').replace(/\\\//g, '/');
  return /^\/[\w\-/]*$/.test(path) ? path : undefined;
}

/** `app.get('/x', handler)`, `router.post('name', '/x', handler)`, `app.route('/x').get(handler)`. */
function shorthand(call: TS.CallExpression, name: string, recv: TS.Expression, w: Walk): void {
  const ts = w.ts;
  let ownerExpr = recv;
  const args: readonly TS.Expression[] = call.arguments;
  let pathExpr = args[0];
  let rest: readonly TS.Expression[] = args.slice(1);
  // app.route('/book').get(list).post(create): walk down the chain to `route('/book')`.
  const r = chainBottom(w, recv, SHORTHAND, SHORTHAND_CHAINS);
  if (ts.isCallExpression(r) && ts.isPropertyAccessExpression(r.expression) && r.expression.name.text === 'route' && r.arguments.length === 1) {
    ownerExpr = r.expression.expression;
    pathExpr = r.arguments[0];
    rest = args;
  } else if (args.length >= 3 && !literalText(w, args[0])?.startsWith('/') && literalText(w, args[1])?.startsWith('/')) {
    pathExpr = args[1];
    rest = args.slice(2);
  }
  if (!pathExpr || !rest.length) return;
  const origin = w.originOf(ownerExpr);
  if (origin && CLIENT_MODULE.test(origin.module)) return;
  const known = !!origin && ROUTE_SHORTHAND_MODULES.has(origin.module);
  const lin = lineage(w, call);
  const owner = ownerKey(w, ownerExpr, lin);
  const last = w.unwrap(rest[rest.length - 1]!);
  const fnLiteral = rest.some((a) => isFunctionLiteral(w, a));
  const handlerish =
    fnLiteral || ts.isIdentifier(last) || ts.isPropertyAccessExpression(last) || ts.isCallExpression(last) || (ts.isObjectLiteralExpression(last) && !!property(w, last, 'handler'));
  const appLike = owner.startsWith('fn:') || APP_NAME.test(owner.split('.').pop()!);
  const paths = routePaths(w, pathExpr);
  const literal = paths.some((p) => p.path !== undefined);
  if (!paths.length || !(known || (literal && fnLiteral) || (handlerish && appLike))) return;
  const method = name === 'del' ? 'DELETE' : name === 'all' || name === 'any' ? 'ALL' : name.toUpperCase();
  const framework = frameworkOf(origin?.module, w);
  for (const p of paths) push(w, call, { framework, owner, method, ...p, span: w.span(call), handler: handlerOf(w, rest[rest.length - 1]!) }, lin);
}

/** Hapi `server.route({ method, path, handler })` and Fastify `app.route({ method, url, handler })`, also as arrays. */
function objectRoutes(call: TS.CallExpression, recv: TS.Expression, w: Walk): void {
  const ts = w.ts;
  const first = call.arguments[0] && w.unwrap(call.arguments[0]);
  if (!first) return;
  const items = ts.isArrayLiteralExpression(first) ? first.elements : [first];
  const lin = lineage(w, call);
  for (const item of items) {
    const u = w.unwrap(item);
    if (!ts.isObjectLiteralExpression(u)) continue;
    const url = property(w, u, 'url');
    const pathExpr = url ?? property(w, u, 'path');
    const methods = methodsOf(w, property(w, u, 'method'));
    if (!pathExpr || !methods) continue;
    const handler = property(w, u, 'handler') ?? property(w, property(w, u, 'options'), 'handler') ?? property(w, property(w, u, 'config'), 'handler');
    const framework = url ? 'fastify' : 'hapi';
    const owner = ownerKey(w, recv, lin);
    for (const p of routePaths(w, pathExpr, true)) {
      for (const method of methods) push(w, call, { framework, owner, method, ...p, span: w.span(u), handler: handler && handlerOf(w, handler) }, lin);
    }
  }
}

/** `app.use('/api', router)`, `router.use('/users', users.routes())`, `app.use('/healthz', (req, res) => ...)`. */
function use(call: TS.CallExpression, recv: TS.Expression, w: Walk): void {
  const ts = w.ts;
  const args = call.arguments;
  const origin = w.originOf(recv);
  if (!args.length || (origin && CLIENT_MODULE.test(origin.module))) return;
  let prefix: string | undefined = '';
  let targets: readonly TS.Expression[] = args;
  const first = w.unwrap(args[0]!);
  const literal = literalText(w, first);
  if (literal !== undefined) {
    // `passport.use('jwt', strategy)`, `i18n.use('en', ...)`: a name, not a path.
    if (!literal.startsWith('/') && !literal.startsWith('{…}')) return;
    prefix = literal;
    targets = args.slice(1);
  } else if (args.length >= 2 && (ts.isIdentifier(first) || ts.isPropertyAccessExpression(first)) && /prefix|path|base|route|url|mount/i.test(w.text(first))) {
    prefix = undefined;
    targets = args.slice(1);
  }
  const lin = lineage(w, call);
  const owner = ownerKey(w, recv, lin);
  const framework = frameworkOf(origin?.module, w);
  let mounted = false;
  for (const t of targets) {
    // koa-mount: `app.use(mount('/v1', router.routes()))` serves what it wraps under its own prefix.
    const km = koaMount(w, t);
    if (km) {
      const under = prefix === undefined || km.prefix === undefined ? undefined : prefix.replace(/\/+$/, '') + km.prefix;
      // Something unseen (`mount('/static', serve('public'))`) serves the prefix.
      if (!mountOne(w, km.target, under, owner, framework, call, lin) && under) w.facts.mounts.push({ kind: 'mount', framework, owner, prefix: under, span: w.span(call) });
      mounted = true;
    } else if (mountOne(w, t, prefix, owner, framework, call, lin)) mounted = true;
  }
  // A middleware from a package (`app.use('/healthz', healthcheck())`) serves its prefix: a mount of something unseen.
  if (!mounted && prefix) w.facts.mounts.push({ kind: 'mount', framework, owner, prefix, span: w.span(call) });
}

/** One thing `use()` mounts under a prefix: a health middleware, an inline handler, or a router, app or plugin. False for anything else. */
function mountOne(w: Walk, t: TS.Expression, prefix: string | undefined, owner: string, framework: string, call: TS.CallExpression, lin: Lineage): boolean {
  if (healthMiddleware(w, t, owner, prefix, call, lin)) return true;
  if (isFunctionLiteral(w, t)) {
    if (prefix) push(w, call, { framework, owner, method: 'ALL', path: prefix, span: w.span(call), handler: handlerOf(w, t) }, lin);
    return true;
  }
  const target = mountTarget(w, t, lin);
  if (!target) return false;
  w.facts.mounts.push({ kind: 'mount', framework, owner, prefix, target, span: w.span(call) });
  return true;
}

/**
 * `mount('/v1', x)` and `mount(x)` of koa-mount (under any local name): the prefix (`''` when none,
 * which is koa-mount's `/`; undefined when not literal) and what it wraps (a router's `routes()`, a
 * router, a Koa app).
 */
function koaMount(w: Walk, e: TS.Expression): { prefix?: string; target: TS.Expression } | undefined {
  const u = w.unwrap(e);
  if (!w.ts.isCallExpression(u) || !u.arguments.length || !fromImport(w, u.expression)) return undefined;
  const origin = w.resolve(u.expression);
  if (origin?.module !== 'koa-mount' || origin.path.some((p) => p !== 'default')) return undefined;
  const [a0, a1] = u.arguments;
  return a1 ? { prefix: literalText(w, a0), target: a1 } : { prefix: '', target: a0 };
}

/** Middleware that serves its own health route: express-actuator's `/health` under its `basePath`. */
function healthMiddleware(w: Walk, t: TS.Expression, owner: string, prefix: string | undefined, call: TS.CallExpression, lin: Lineage): boolean {
  const u = w.unwrap(t);
  if (!w.ts.isCallExpression(u) || !fromImport(w, u.expression)) return false;
  const origin = w.resolve(u.expression);
  if (origin?.module !== 'express-actuator') return false;
  const base = property(w, u.arguments[0], 'basePath');
  const path = base ? literalText(w, base) : '';
  push(w, call, { framework: 'express', owner, method: 'GET', path: path === undefined || prefix === undefined ? undefined : `${prefix}${path}/health`, pathText: path === undefined ? w.text(base!) : undefined, span: w.span(call), library: 'express-actuator' }, lin);
  return true;
}

/** Fastify `app.register(plugin, { prefix })`, Hapi `server.register(plugin, { routes: { prefix } })`, and status routes of plugins. */
function register(call: TS.CallExpression, recv: TS.Expression, w: Walk): void {
  const ts = w.ts;
  let [target, opts] = call.arguments;
  if (!target) return;
  const lin = lineage(w, call);
  const owner = ownerKey(w, recv, lin);
  const t = w.unwrap(target);
  let prefix: string | undefined = '';
  if (ts.isObjectLiteralExpression(t) && property(w, t, 'plugin')) {
    prefix = prefixOf(w, property(w, property(w, t, 'routes'), 'prefix'), property(w, t, 'routes'));
    target = property(w, t, 'plugin')!;
  } else if (opts) {
    const fastify = property(w, opts, 'prefix');
    const hapi = property(w, property(w, opts, 'routes'), 'prefix');
    prefix = fastify ? prefixOf(w, fastify, opts) : hapi ? prefixOf(w, hapi, opts) : openObject(w, opts) ? undefined : '';
  }
  const module = pluginModule(w, target);
  if (module && statusRoute(call, w, module, opts, owner, lin)) return;
  const mt = mountTarget(w, target, lin);
  if (mt) w.facts.mounts.push({ kind: 'mount', framework: ts.isObjectLiteralExpression(t) ? 'hapi' : frameworkOf(w.originOf(recv)?.module, w), owner, prefix, target: mt, span: w.span(call) });
}

/** Routes a Fastify plugin serves itself: `@fastify/under-pressure` `exposeStatusRoute`, `fastify-healthcheck`. */
function statusRoute(call: TS.CallExpression, w: Walk, module: string, opts: TS.Expression | undefined, owner: string, lin: Lineage): boolean {
  const ts = w.ts;
  if (module === '@fastify/under-pressure' || module === 'under-pressure') {
    const expose = property(w, opts, 'exposeStatusRoute');
    const u = expose && w.unwrap(expose);
    if (!u || u.kind === ts.SyntaxKind.FalseKeyword) return true;
    const path = u.kind === ts.SyntaxKind.TrueKeyword ? '/status' : (literalText(w, u) ?? literalText(w, property(w, u, 'url')) ?? (ts.isObjectLiteralExpression(u) ? '/status' : undefined));
    push(w, call, { framework: 'fastify', owner, method: 'GET', path, pathText: path ? undefined : w.text(u), span: w.span(call), library: module }, lin);
    return true;
  }
  if (module === 'fastify-healthcheck') {
    const url = property(w, opts, 'healthcheckUrl');
    const path = url ? literalText(w, url) : '/health';
    push(w, call, { framework: 'fastify', owner, method: 'GET', path, pathText: path ? undefined : w.text(url!), span: w.span(call), library: module }, lin);
    return true;
  }
  return false;
}

/** terminus `createTerminus(server, { healthChecks })` and lightship's `/health`, `/live`, `/ready` on its own port. */
function libraryRoutes(call: TS.CallExpression, origin: Origin, w: Walk): boolean {
  const member = origin.path.filter((p) => p !== 'default').join('.');
  if (origin.module === '@godaddy/terminus' && (member === 'createTerminus' || member === '')) {
    const checks = property(w, call.arguments[1], 'healthChecks');
    if (!checks) return true;
    const u = w.unwrap(checks);
    const lin = lineage(w, call);
    if (!w.ts.isObjectLiteralExpression(u)) {
      push(w, call, { framework: 'http', owner: 'terminus', method: 'GET', pathText: w.text(u), span: w.span(call), library: origin.module }, lin);
      return true;
    }
    for (const p of u.properties) {
      const key = p.name && (w.ts.isIdentifier(p.name) || w.ts.isStringLiteralLike(p.name)) ? p.name.text : undefined;
      if (key?.startsWith('/')) push(w, call, { framework: 'http', owner: 'terminus', method: 'GET', path: key, span: w.span(p), handler: w.ts.isPropertyAssignment(p) ? handlerOf(w, p.initializer) : undefined, library: origin.module }, lin);
      else if (!key && !w.ts.isPropertyAssignment(p)) push(w, call, { framework: 'http', owner: 'terminus', method: 'GET', pathText: w.text(p), span: w.span(p), library: origin.module }, lin);
    }
    return true;
  }
  if (origin.module === 'lightship' && member === 'createLightship') {
    const portExpr = property(w, call.arguments[0], 'port');
    const port: Arg = portExpr ? w.arg(portExpr) : { t: 'num', v: 9000 };
    const lin = lineage(w, call);
    for (const path of ['/health', '/live', '/ready']) push(w, call, { framework: 'http', owner: 'lightship', method: 'GET', path, span: w.span(call), library: 'lightship', port }, lin);
    return true;
  }
  return false;
}

/** Where `apollo-server` (3) answers its health check unless `healthCheckPath` moves it. */
const APOLLO_HEALTH = '/.well-known/apollo/server-health';

/**
 * `new ApolloServer(options)` of the standalone `apollo-server` (3): its `listen()` serves a health
 * check, on `healthCheckPath` when that is given, none when it is `null`. (`@apollo/server` 4 has
 * no health route; `apollo-server-express` serves one only through `applyMiddleware`.)
 */
function apolloHealth(e: TS.NewExpression, origin: Origin, w: Walk): boolean {
  if (origin.module !== 'apollo-server' || origin.path.length !== 1 || origin.path[0] !== 'ApolloServer') return false;
  const option = property(w, e.arguments?.[0], 'healthCheckPath');
  const u = option && w.unwrap(option);
  if (u?.kind === w.ts.SyntaxKind.NullKeyword) return true;
  const path = u ? literalText(w, u) : APOLLO_HEALTH;
  push(w, e, { framework: 'apollo-server', owner: 'apollo-server', method: 'GET', path, pathText: path === undefined ? w.text(u!) : undefined, span: w.span(e), library: origin.module });
  return true;
}

/** Koa `new Router({ prefix: '/api' })`: the router's own prefix. */
function routerPrefix(e: TS.CallExpression | TS.NewExpression, origin: Origin, w: Walk): boolean {
  const ts = w.ts;
  if (!KOA_ROUTER.test(origin.module) || origin.path.length > 1) return false;
  const prefixExpr = property(w, e.arguments?.[0], 'prefix');
  if (!prefixExpr) return true;
  const parent = w.parent();
  let owner: string | undefined;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) owner = parent.name.text;
  else if (parent && ts.isBinaryExpression(parent)) owner = w.chain(parent.left)?.join('.');
  if (owner) w.facts.mounts.push({ kind: 'prefix', framework: 'koa', owner, prefix: literalText(w, prefixExpr), span: w.span(e) });
  return true;
}

/** Nest `app.setGlobalPrefix('api', { exclude: ['health'] })`. */
function globalPrefix(call: TS.CallExpression, w: Walk): void {
  const ts = w.ts;
  const excl = property(w, call.arguments[1], 'exclude');
  const u = excl && w.unwrap(excl);
  const exclude: string[] = [];
  if (u && ts.isArrayLiteralExpression(u)) {
    for (const el of u.elements) {
      const s = literalText(w, el) ?? literalText(w, property(w, el, 'path'));
      if (s !== undefined) exclude.push(s);
    }
  }
  w.facts.mounts.push({ kind: 'global', framework: 'nest', owner: '', prefix: literalText(w, call.arguments[0]), exclude, span: w.span(call) });
}

/** Nest (and routing-controllers) `@Controller('cats')` classes with `@Get(':id')` methods. */
function controller(cls: TS.ClassDeclaration, w: Walk): void {
  const ts = w.ts;
  const dec = decorators(w, cls).find((d) => (d.name === 'Controller' || d.name === 'JsonController') && CONTROLLER_MODULE.test(d.module ?? ''));
  if (!dec) return;
  const prefixes = decoratorPaths(w, dec.arg);
  const owner = `class:${cls.name?.text ?? 'default'}`;
  for (const m of cls.members) {
    if (!ts.isMethodDeclaration(m)) continue;
    const decs = decorators(w, m);
    const health = decs.some((d) => d.name === 'HealthCheck' && d.module === '@nestjs/terminus');
    for (const d of decs) {
      const method = NEST_METHOD[d.name];
      if (!method || d.module !== dec.module) continue;
      for (const p of prefixes) {
        for (const q of decoratorPaths(w, d.arg)) {
          const path = p.path !== undefined && q.path !== undefined ? joinPath(p.path, q.path) : undefined;
          const route: RouteFact = { framework: dec.module === '@nestjs/common' ? 'nest' : dec.module!, owner, method, span: w.span(d.node), handler: { span: w.span(m), name: ts.isIdentifier(m.name) ? m.name.text : undefined } };
          if (path !== undefined) route.path = path;
          else route.pathText = [p.pathText ?? p.path, q.pathText ?? q.path].join('/');
          if (health) route.library = '@nestjs/terminus';
          w.facts.routes.push(route);
        }
      }
    }
  }
}

/** `req.url === '/health'`, `ctx.path !== '/ready'` in a hand-written router. */
function comparison(b: TS.BinaryExpression, w: Walk): void {
  const ts = w.ts;
  if (!ts.isStringLiteralLike(b.right) && !ts.isStringLiteralLike(b.left)) return;
  const op = b.operatorToken.kind;
  if (op !== ts.SyntaxKind.EqualsEqualsEqualsToken && op !== ts.SyntaxKind.EqualsEqualsToken && op !== ts.SyntaxKind.ExclamationEqualsEqualsToken && op !== ts.SyntaxKind.ExclamationEqualsToken) return;
  const [lit, other] = ts.isStringLiteralLike(b.right) ? [b.right, b.left] : ts.isStringLiteralLike(b.left) ? [b.left, b.right] : [];
  if (!lit || !other || !lit.text.startsWith('/') || !isUrlAccess(other, w)) return;
  // `if (req.path === '/healthz') return next()`: middleware that lets the path through serves nothing.
  if ((op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken) && passesOn(w, b)) return;
  push(w, b, { framework: rawFramework(other, w), owner: 'http', method: 'ALL', path: lit.text, span: w.span(b) });
}

/** Is this the whole condition of an `if` whose only statement calls `next()` (`return next()`, `await next()`)? */
function passesOn(w: Walk, cond: TS.BinaryExpression): boolean {
  const ts = w.ts;
  const st = w.parent();
  if (!st || !ts.isIfStatement(st) || st.expression !== cond) return false;
  let then: TS.Statement = st.thenStatement;
  if (ts.isBlock(then) && then.statements.length === 1) then = then.statements[0]!;
  const e = ts.isReturnStatement(then) ? then.expression : ts.isExpressionStatement(then) ? then.expression : undefined;
  const call = e && w.unwrap(e);
  return !!call && ts.isCallExpression(call) && ts.isIdentifier(call.expression) && call.expression.text === 'next';
}

/** `switch (req.url) { case '/health': ... }`. */
function switchCase(c: TS.CaseClause, w: Walk): void {
  const ts = w.ts;
  const sw = w.parent(2);
  if (!sw || !ts.isSwitchStatement(sw) || !ts.isStringLiteralLike(c.expression) || !c.expression.text.startsWith('/') || !isUrlAccess(sw.expression, w)) return;
  push(w, c, { framework: rawFramework(sw.expression, w), owner: 'http', method: 'ALL', path: c.expression.text, span: w.span(c.expression) });
}

function isUrlAccess(e: TS.Expression, w: Walk): boolean {
  const ts = w.ts;
  const u = w.unwrap(e);
  const inHandler = inRequestHandler(w);
  if (ts.isIdentifier(u)) return inHandler && /^(?:pathname|url|path)$/.test(u.text);
  if (!ts.isPropertyAccessExpression(u) || !URL_PROP.test(u.name.text)) return false;
  if (inHandler) return true;
  const root = w.chain(u)?.[0];
  return !!root && REQUEST_ROOT.test(root);
}

function rawFramework(e: TS.Expression, w: Walk): string {
  return w.chain(e)?.[0] === 'ctx' ? 'koa' : 'http';
}

function push(w: Walk, at: TS.Node, r: RouteFact, lin = lineage(w, at)): void {
  const fn = namedFunction(w, lin);
  if (r.path === undefined) delete r.path;
  if (r.pathText === undefined) delete r.pathText;
  if (r.handler === undefined) delete r.handler;
  w.facts.routes.push(fn ? { ...r, fn } : r);
}

/** The paths a path argument can hold: a literal, each literal of an array, or (not literal) its text. */
function routePaths(w: Walk, e: TS.Expression, lenient = false): { path?: string; pathText?: string }[] {
  const ts = w.ts;
  const u = w.unwrap(e);
  if (ts.isArrayLiteralExpression(u)) return u.elements.flatMap((x) => routePaths(w, x, lenient));
  const s = literalText(w, u);
  if (s !== undefined) return s.startsWith('/') || s.startsWith('{…}') || s === '*' || (lenient && s === '') ? [{ path: s }] : [];
  if (ts.isIdentifier(u) || ts.isPropertyAccessExpression(u) || ts.isRegularExpressionLiteral(u)) return [{ pathText: w.text(u) }];
  return [];
}

function methodsOf(w: Walk, e: TS.Expression | undefined): string[] | undefined {
  const ts = w.ts;
  if (!e) return undefined;
  const u = w.unwrap(e);
  const one = (x: TS.Expression) => {
    const s = literalText(w, x);
    return s === undefined ? 'ALL' : s === '*' ? 'ALL' : s.toUpperCase();
  };
  return ts.isArrayLiteralExpression(u) ? u.elements.map(one) : [one(u)];
}

function handlerOf(w: Walk, e: TS.Expression): { span: ReturnType<Walk['span']>; name?: string } {
  const ts = w.ts;
  const u = w.unwrap(e);
  return ts.isIdentifier(u) || ts.isPropertyAccessExpression(u) ? { span: w.span(u), name: w.text(u, 60) } : { span: w.span(u) };
}

function isFunctionLiteral(w: Walk, e: TS.Expression): boolean {
  const u = w.unwrap(e);
  return w.ts.isArrowFunction(u) || w.ts.isFunctionExpression(u);
}

/** A literal prefix, `''` when absent, undefined when it cannot be read (or the options are spread). */
function prefixOf(w: Walk, e: TS.Expression | undefined, opts: TS.Expression | undefined): string | undefined {
  if (e) return literalText(w, e);
  return opts && openObject(w, opts) ? undefined : '';
}

/** An options object that may hold anything: not a literal, or spread. */
function openObject(w: Walk, e: TS.Expression): boolean {
  const u = w.unwrap(e);
  return !w.ts.isObjectLiteralExpression(u) || u.properties.some((p) => w.ts.isSpreadAssignment(p));
}

/** The npm module a plugin argument comes from: `underPressure` imported from `@fastify/under-pressure`, `require('x')`. */
function pluginModule(w: Walk, e: TS.Expression): string | undefined {
  const ts = w.ts;
  const u = w.unwrap(e);
  if (ts.isIdentifier(u)) return w.imports.get(u.text)?.module;
  return w.requireOf(u) ?? (ts.isCallExpression(u) && u.expression.kind === ts.SyntaxKind.ImportKeyword && u.arguments[0] && ts.isStringLiteralLike(u.arguments[0]) ? u.arguments[0].text : undefined);
}

function frameworkOf(module: string | undefined, w: Walk): string {
  if (module && (ROUTE_SHORTHAND_MODULES.has(module) || FRAMEWORK[module])) return FRAMEWORK[module] ?? module;
  for (const i of w.facts.imports) if (ROUTE_SHORTHAND_MODULES.has(i.module)) return FRAMEWORK[i.module] ?? i.module;
  return 'unknown';
}

interface Decorator {
  name: string;
  module?: string;
  arg?: TS.Expression;
  node: TS.Decorator;
}

function decorators(w: Walk, node: TS.Node): Decorator[] {
  const ts = w.ts;
  const out: Decorator[] = [];
  for (const d of (ts.canHaveDecorators(node) ? ts.getDecorators(node) : undefined) ?? []) {
    const e = d.expression;
    const id = ts.isCallExpression(e) ? e.expression : e;
    if (!ts.isIdentifier(id)) continue;
    const imp = w.imports.get(id.text);
    out.push({ name: imp?.path[0] ?? id.text, module: imp?.module, arg: ts.isCallExpression(e) ? e.arguments[0] : undefined, node: d });
  }
  return out;
}

/** `@Controller()` → `['']`; `'cats'`; `['a', 'b']`; `{ path: 'cats' }`; anything else is not literal. */
function decoratorPaths(w: Walk, e: TS.Expression | undefined): { path?: string; pathText?: string }[] {
  const ts = w.ts;
  if (!e) return [{ path: '' }];
  const u = w.unwrap(e);
  if (ts.isObjectLiteralExpression(u)) {
    const p = property(w, u, 'path');
    return p ? decoratorPaths(w, p) : [{ path: '' }];
  }
  if (ts.isArrayLiteralExpression(u)) return u.elements.flatMap((x) => decoratorPaths(w, x));
  const s = literalText(w, u);
  return s !== undefined ? [{ path: s }] : [{ pathText: `{${w.text(u, 40)}}` }];
}

function joinPath(a: string, b: string): string {
  return '/' + [a, b].map((s) => s.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/');
}
