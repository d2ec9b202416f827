import { localKey, type Collector, type Walk } from '../walk.js';
import { enclosingNames } from './names.js';
import type { TS } from '../typescript.js';

/** Library functions that start a server themselves: `serve({ fetch, port })`. */
const SERVING_FUNCTIONS: Record<string, string> = {
  '@hono/node-server': 'serve',
  '@apollo/server/standalone': 'startStandaloneServer',
};

/**
 * Calls that start accepting connections: any `.listen(...)`, a promisified `listen`, Hapi's
 * `server.start()`, and library `serve()` functions. Whether the file belongs to an HTTP service is
 * the model's call.
 */
export const servers: Collector = {
  kinds: ['CallExpression', 'VariableDeclaration'],
  visit(node, w) {
    const ts = w.ts;
    if (node.kind === ts.SyntaxKind.VariableDeclaration) return noteMicroservice(w, node as TS.VariableDeclaration);
    const call = node as TS.CallExpression;
    const callee = w.unwrap(call.expression);
    if (call.arguments.length && isPromisify(w, callee)) return promisifiedListen(w, call);
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      const origin = w.originOf(callee.expression);
      const hapi = origin?.module === '@hapi/hapi' || origin?.module === 'hapi';
      if (method !== 'listen' && !(method === 'start' && hapi)) return;
      // A NestJS microservice listens on a message broker, not on a port.
      if (ts.isIdentifier(callee.expression) && inScope(w, MICROSERVICES, callee.expression.text)) return;
      w.facts.servers.push({
        framework: origin?.module,
        receiver: w.text(callee.expression, 60),
        method,
        args: call.arguments.map((a) => w.arg(a)),
        span: w.span(call),
        ...named(enclosingNames(w)),
      });
      return;
    }
    const origin = w.resolve(callee);
    if (origin && SERVING_FUNCTIONS[origin.module] === (origin.path[0] ?? '')) {
      w.facts.servers.push({
        framework: origin.module,
        receiver: '',
        method: origin.path[0]!,
        args: call.arguments.map((a) => w.arg(a)),
        span: w.span(call),
        ...named(enclosingNames(w)),
      });
    }
  },
};

/** Names bound to a NestJS microservice, by the function (or file) that declares them. */
const MICROSERVICES = localKey();
const noNames = (): Map<TS.Node, Set<string>> => new Map();

/** Note a name declared in the function (or file) around the node being visited. */
function declare(w: Walk, key: typeof MICROSERVICES, name: string): void {
  const byScope = w.local(key, noNames);
  const fn = w.enclosingFunction();
  let names = byScope.get(fn);
  if (!names) byScope.set(fn, (names = new Set()));
  names.add(name);
}

/** Is the name, as the node being visited sees it, one noted by {@link declare}: in its function or one around it, or the file? */
function inScope(w: Walk, key: typeof MICROSERVICES, name: string): boolean {
  const byScope = w.local(key, noNames);
  if (!byScope.size) return false;
  for (let i = 0; i < w.functionCount; i++) if (byScope.get(w.parent(w.functionDepth(i))!)?.has(name)) return true;
  return !!byScope.get(w.sf)?.has(name);
}
/** Methods that make a NestJS microservice, with the place of their options among the arguments. */
const MICROSERVICE_MAKERS = new Map([
  ['connectMicroservice', 0],
  ['createMicroservice', 1],
]);
/** Transports of a message broker: the microservice connects to it and opens no port. (TCP, the default, and gRPC listen on one.) */
const BROKER_TRANSPORT = /\b(?:RMQ|KAFKA|NATS|REDIS|MQTT)\b/;

/** Names bound to the options of a broker microservice in this file (`const options: CustomStrategy = { strategy: new AmqpServer() }`). */
const BROKER_OPTIONS = localKey();

/**
 * `const ms = app.connectMicroservice({ transport: Transport.RMQ })`, `await NestFactory.createMicroservice(AppModule, { transport: Transport.KAFKA })`,
 * or options naming a custom strategy (a transport of the app's own, for a broker such as AMQP or SQS):
 * a consumer of a broker, whose `listen()` opens no port. The options may be a constant of the file declared before.
 */
function noteMicroservice(w: Walk, d: TS.VariableDeclaration): void {
  // Every declaration comes here: only files of a NestJS app make microservices.
  if (!w.importsModule('@nestjs/core') && !w.importsModule('@nestjs/microservices')) return;
  const ts = w.ts;
  const init = d.initializer && w.unwrap(d.initializer);
  if (!ts.isIdentifier(d.name) || !init) return;
  if (ts.isObjectLiteralExpression(init)) {
    if (brokerOptions(w, init)) declare(w, BROKER_OPTIONS, d.name.text);
    return;
  }
  if (!ts.isCallExpression(init)) return;
  const callee = w.unwrap(init.expression);
  const at = ts.isPropertyAccessExpression(callee) ? MICROSERVICE_MAKERS.get(callee.name.text) : undefined;
  const options = at === undefined ? undefined : init.arguments[at] && w.unwrap(init.arguments[at]);
  if (!options) return;
  const broker = ts.isObjectLiteralExpression(options) ? brokerOptions(w, options) : ts.isIdentifier(options) && inScope(w, BROKER_OPTIONS, options.text);
  if (broker) declare(w, MICROSERVICES, d.name.text);
}

/** Microservice options with a broker transport (`transport: Transport.RMQ`) or a custom strategy. */
function brokerOptions(w: Walk, o: TS.ObjectLiteralExpression): boolean {
  const ts = w.ts;
  for (const p of o.properties) {
    if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name)) continue;
    if (p.name.text === 'strategy') return true;
    if (p.name.text === 'transport') return BROKER_TRANSPORT.test(w.text(p.initializer, 60));
  }
  return false;
}

/** `promisify` (of `util`, `es6-promisify`, bluebird: any function of that name), `util.promisify`, or `pify`. */
function isPromisify(w: Walk, callee: TS.Expression): boolean {
  const ts = w.ts;
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (name === 'promisify' || name === 'pify') return true;
  const origin = ts.isIdentifier(callee) ? w.resolve(callee) : undefined;
  return !!origin && (origin.module === 'es6-promisify' || origin.module === 'pify');
}

/**
 * `promisify(server.listen, server)` and `util.promisify(server.listen).bind(server)(port, host)`:
 * the server starts where the promisified `listen` is called. When that call is right here, its
 * arguments are the port and host; otherwise they are not known.
 */
function promisifiedListen(w: Walk, call: TS.CallExpression): void {
  const ts = w.ts;
  const target = call.arguments[0] && w.unwrap(call.arguments[0]);
  if (!target || !ts.isPropertyAccessExpression(target) || target.name.text !== 'listen') return;
  let invoked: TS.CallExpression | undefined;
  const p1 = w.parent(1);
  const p2 = w.parent(2);
  const p3 = w.parent(3);
  if (p1 && ts.isCallExpression(p1) && p1.expression === call) invoked = p1;
  else if (p1 && ts.isPropertyAccessExpression(p1) && p1.name.text === 'bind' && p2 && ts.isCallExpression(p2) && p3 && ts.isCallExpression(p3) && p3.expression === p2) invoked = p3;
  const origin = w.originOf(target.expression);
  w.facts.servers.push({
    framework: origin?.module,
    receiver: w.text(target.expression, 60),
    method: 'listen',
    args: (invoked?.arguments ?? []).map((a) => w.arg(a)),
    span: w.span(invoked ?? call),
    ...named(enclosingNames(w)),
  });
}

function named(fns: readonly string[]): { fns?: string[] } {
  return fns.length ? { fns: [...fns] } : {};
}
