import { isFunctionLike, localKey, type Collector, type Walk } from '../walk.js';
import type { TS } from '../typescript.js';
import type { LifecycleStep } from '../facts.js';
import { inRequestHandler, inShutdownHandler, LISTEN_METHOD } from '../context.js';
import { CLOSABLE_SERVER_MODULES } from '../frameworks.js';
import { constantInScope, enclosingName, lineage, namedFunction, type Lineage } from './names.js';
import { hasWord, nameWords } from '../words.js';

/** Methods that stop a server when called on one. */
const CLOSE = /^(?:close|stop|terminate|shutdown|closeAllConnections)$/;
/** Methods that release a pool, client, queue or worker. */
const CLEANUP = /^(?:close|end|quit|disconnect|\$disconnect|destroy|stop|shutdown|terminate|closeAll|dispose|drain)$/;
/** Receivers that read as a server, an app or a terminator. */
const SERVER_NAME = /server|^app$|App$|^application$|fastify|terminator|lightship|listener|^srv$|^instance$|^api$/i;
/** A flag that tells probes the process is (not) ready: `ready = false`, `isShuttingDown = true`. */
const READY_NAME = /ready|readiness|healthy|alive|shutting|shutdown|closing|terminating|draining|accepting|stopping/i;
const READY_CALL = /^(?:signalNotReady|setNotReady|markNotReady|notReady|setUnhealthy|markUnhealthy|beginShutdown|startDraining)$/;
/** Words that make a function worth following from a signal handler: `shutdown()`, `gracefulExit()`, `closeServer()`, `onSigterm()`; not `signupUser()` or `determinePrice()`. */
const SHUTDOWN_WORD = /^(?:shut|grace|clos(?:e|ing)|stop|exit|termin|term$|clean|tear|dispos|signal|drain|kill|quit|destroy|finish|sig(?:term|int|hup)?$)/i;
/** Calls that never stop anything: builtins, loggers, sleeps. */
const NOT_A_STEP = /^(?:setTimeout|setInterval|setImmediate|clearTimeout|clearInterval|queueMicrotask|require|Promise|Number|String|Boolean|parseInt|parseFloat|Symbol|Error|sleep|delay|wait|timeout|log|debug|info|warn|error|trace|resolve|reject|done|next|cb|callback|emit|fn)$/;
const TIMER = /^(?:setTimeout|setImmediate)$/;

/**
 * What happens when the process stops: server closes, pool cleanups, timer clears, readiness flips,
 * `process.exit()` with where it stands relative to the close (in its callback, after its await),
 * forced-exit timers with their delay, and calls of shutdown-like functions to follow. Top-level
 * code and request handlers are skipped: a shutdown path runs in neither.
 */
export const lifecycle: Collector = {
  kinds: ['CallExpression', 'BinaryExpression'],
  visit(node, w) {
    const ts = w.ts;
    if (w.atTopLevel) {
      // `process.on('SIGTERM', closer('SIGTERM'))`: a handler made by a factory is followed into it.
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && isSignalListener(w, w.parent())) followCall(node, node.expression.text, w);
      return;
    }
    if (ts.isBinaryExpression(node)) return readinessFlag(node, w);
    const call = node as TS.CallExpression;
    const callee = w.unwrap(call.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      const name = callee.name.text;
      const recv = w.unwrap(callee.expression);
      const exits = name === 'exit' && ts.isIdentifier(recv) && recv.text === 'process';
      const ready = READY_CALL.test(name) || (name === 'setReady' && call.arguments[0]?.kind === ts.SyntaxKind.FalseKeyword);
      const closes = CLEANUP.test(name) || CLOSE.test(name);
      const own = recv.kind === ts.SyntaxKind.ThisKeyword;
      // `this.stop()`, `Factory.shutdownTransport(t)`: a method of this file's own, followed like a function.
      if (!exits && !ready && !closes) return own || staticMethod(w, recv, name) ? followCall(call, name, w) : undefined;
      if (inRequestHandler(w)) return;
      if (exits) return exit(call, w);
      if (ready) return void step(w, call, 'readiness');
      if (closes) {
        const server = CLOSE.test(name) && isServer(w, recv);
        const s = step(w, call, server ? 'close' : 'cleanup');
        const timeout = server && name === 'stop' ? w.arg(call.arguments[0]) : undefined;
        if (s && timeout?.t === 'obj' && timeout.props.timeout?.t === 'num') s.timeoutMs = timeout.props.timeout.v;
      }
      return;
    }
    if (!ts.isIdentifier(callee)) return;
    if (callee.text === 'clearInterval' || callee.text === 'clearTimeout') {
      if (!inRequestHandler(w)) step(w, call, 'clear-timer');
    } else if (!NOT_A_STEP.test(callee.text)) followCall(call, callee.text, w);
  },
};

function isSignalListener(w: Walk, n: TS.Node | undefined): boolean {
  const ts = w.ts;
  if (!n || !ts.isCallExpression(n) || !ts.isPropertyAccessExpression(n.expression)) return false;
  const recv = n.expression.expression;
  return ts.isIdentifier(recv) && recv.text === 'process' && LISTEN_METHOD.test(n.expression.name.text);
}

/** A call of a named function from a signal handler or a shutdown-like function (not inside a request handler): the plan follows it. */
function followCall(call: TS.CallExpression, name: string, w: Walk): void {
  if (!hasWord(enclosingName(w), SHUTDOWN_WORD) && !isSignalListener(w, w.parent()) && !inShutdownHandler(w)) return;
  if (inRequestHandler(w)) return;
  const lin = lineage(w, call);
  const s = step(w, call, 'call', lin);
  if (!s) return;
  s.callee = name;
  const { after, timer } = placement(w, lin);
  if (after) s.after = after;
  // `setTimeout(() => failExit(), 30_000)`: what the timer's callback calls is the fallback too.
  if (timer) s.inTimer = true;
}

function exit(call: TS.CallExpression, w: Walk): void {
  const lin = lineage(w, call);
  const { after, timer } = placement(w, lin);
  const s = step(w, call, 'exit', lin);
  if (!s) return;
  if (after) s.after = after;
  if (!timer) return;
  s.inTimer = true;
  const t = lin.indexOf(timer);
  const span = w.span(timer);
  if (w.facts.lifecycle.some((x) => x.kind === 'force-exit' && x.span.line === span.line && x.span.column === span.column)) return;
  const delay = w.arg(timer.arguments[1]);
  const ms = delay.t === 'num' ? delay.v : delay.t === 'id' ? constantNumber(w, delay.name) : undefined;
  const above = lin.at(t + 1);
  const unref = !!above && w.ts.isPropertyAccessExpression(above) && above.name.text === 'unref';
  const fn = namedFunction(w, lin.slice(t));
  const force: LifecycleStep = { kind: 'force-exit', text: w.text(timer, 60), span, unref };
  if (fn) force.fn = fn;
  if (ms !== undefined) force.delayMs = ms;
  w.facts.lifecycle.push(force);
}

/** `ready = false`, `this.isShuttingDown = true`, `app.locals.ready = false`. */
function readinessFlag(b: TS.BinaryExpression, w: Walk): void {
  const ts = w.ts;
  const r = b.right.kind;
  if (b.operatorToken.kind !== ts.SyntaxKind.EqualsToken || (r !== ts.SyntaxKind.TrueKeyword && r !== ts.SyntaxKind.FalseKeyword)) return;
  const name = w.chain(b.left)?.at(-1);
  if (name && READY_NAME.test(name) && !inRequestHandler(w)) step(w, b, 'readiness');
}

function step(w: Walk, node: TS.Node, kind: LifecycleStep['kind'], lin = lineage(w, node)): LifecycleStep | undefined {
  const fn = namedFunction(w, lin);
  const s: LifecycleStep = { kind, text: w.text(node, 60), span: w.span(node) };
  if (fn) s.fn = fn;
  w.facts.lifecycle.push(s);
  return s;
}

/**
 * Where a call stands relative to the server's close, walking out to the function that holds it:
 * inside a close callback or a `.then` of a close (`close`), after an awaited close (`close`), after
 * an awaited call this file cannot see into (`await`), or inside a timer callback (`timer`).
 */
function placement(w: Walk, lin: Lineage): { after?: 'close' | 'await'; timer?: TS.CallExpression } {
  const ts = w.ts;
  let after: 'await' | undefined;
  for (let i = 0; ; i++) {
    const node = lin.at(i)!;
    const parent = lin.at(i + 1);
    if (!parent) break;
    if (ts.isBlock(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent)) {
      const a = awaitedBefore(w, parent, node);
      if (a === 'close') return { after: a };
      after ??= a;
    } else if (ts.isIfStatement(parent) && (noServerBranch(w, parent, node) || repeatedSignal(w, parent, node))) {
      return { after: 'close' };
    } else if (ts.isTryStatement(parent) && (node === parent.catchClause || node === parent.finallyBlock)) {
      const a = awaitedInTry(w, parent.tryBlock);
      if (a === 'close') return { after: a };
      after ??= a;
    }
    if (!isFunctionLike(ts, node)) continue;
    if (ts.isNewExpression(parent)) continue;
    if (!ts.isCallExpression(parent) || !parent.arguments.includes(node as TS.Expression)) return { after };
    const host = callbackHost(w, parent);
    if (host === 'timer') return { after, timer: parent };
    if (host === 'close') return { after: 'close' };
    if (host === 'unknown') return { after: after ?? 'await' };
    if (host === 'boundary') return { after };
  }
  return { after };
}

/** The branch of `if (server) { ...close... } else { process.exit() }` (or `if (!server)`) where there is no server to close. */
function noServerBranch(w: Walk, st: TS.IfStatement, branch: TS.Node): boolean {
  const ts = w.ts;
  const cond = w.unwrap(st.expression);
  const negated = ts.isPrefixUnaryExpression(cond) && cond.operator === ts.SyntaxKind.ExclamationToken;
  const tested = negated ? w.unwrap(cond.operand) : cond;
  if (!ts.isIdentifier(tested) && !ts.isPropertyAccessExpression(tested)) return false;
  return isServer(w, tested) && branch === (negated ? st.thenStatement : st.elseStatement);
}

/** `if (shuttingDown) process.exit(1)`: a second signal while the drain runs forces the exit, which is the fallback, not the drain. */
function repeatedSignal(w: Walk, st: TS.IfStatement, branch: TS.Node): boolean {
  if (branch !== st.thenStatement) return false;
  const name = w.chain(w.unwrap(st.expression))?.at(-1);
  return !!name && /shutting|closing|terminating|stopping|exiting|shutdown|draining|signal(?:l)?ed|received|called/i.test(name);
}

/** What calls a callback: a timer, a server close (or its `.then`), a process listener, a function this file cannot see into, or anything else. */
function callbackHost(w: Walk, call: TS.CallExpression): 'timer' | 'close' | 'boundary' | 'unknown' | 'other' {
  const ts = w.ts;
  const callee = w.unwrap(call.expression);
  if (ts.isIdentifier(callee)) return TIMER.test(callee.text) ? 'timer' : NOT_A_STEP.test(callee.text) ? 'other' : 'unknown';
  if (!ts.isPropertyAccessExpression(callee)) return 'other';
  const name = callee.name.text;
  const recv = w.unwrap(callee.expression);
  if (ts.isIdentifier(recv) && recv.text === 'process') return 'boundary';
  if (CLOSE.test(name) && isServer(w, recv)) return 'close';
  const first = call.arguments[0];
  if ((name === 'on' || name === 'once') && first && ts.isStringLiteralLike(first) && first.text === 'close' && isServer(w, recv)) return 'close';
  if (/^(?:then|catch|finally)$/.test(name)) {
    if (closesIn(w, recv)) return 'close';
    const inner = unknownCall(w, recv);
    if (inner) return inner === 'close' ? 'close' : 'unknown';
  }
  return 'other';
}

type Awaited = 'close' | 'await' | undefined;

/**
 * What placement asks of a file, kept for the walk: a shutdown function of thousands of
 * statements asks it again for each of its calls. An answer depends on what the walk has learned
 * of imports, origins and instances (which names are servers), so it is kept only while that has
 * not grown.
 */
interface Answers {
  learned: number;
  /** For a block (or case clause), the statements' indexes and {@link awaitedBefore} for the first `i` statements, so far. */
  blocks: Map<TS.Node, { index: Map<TS.Node, number>; before: Awaited[] }>;
  tries: Map<TS.Node, Awaited>;
  /** {@link unknownCall} of a named function, by depth and name. */
  calls: Map<string, Awaited>;
}

const ANSWERS = localKey();

function answers(w: Walk): Answers {
  const learned = w.learned + w.facts.instances.length;
  const a = w.local<Answers>(ANSWERS, () => ({ learned, blocks: new Map(), tries: new Map(), calls: new Map() }));
  if (a.learned !== learned) {
    a.learned = learned;
    a.blocks.clear();
    a.tries.clear();
    a.calls.clear();
  }
  return a;
}

/** {@link awaitedIn} over the statements of a block before `node`: `close` if one awaits a close, else `await` if one awaits an unknown call. */
function awaitedBefore(w: Walk, block: TS.Block | TS.CaseOrDefaultClause, node: TS.Node): Awaited {
  const known = answers(w).blocks;
  const statements = block.statements;
  let b = known.get(block);
  if (!b) known.set(block, (b = { index: new Map(statements.map((st, i) => [st, i])), before: [undefined] }));
  // A case clause's own expression stands before all of its statements.
  const end = b.index.get(node) ?? statements.length;
  // `before[i]` is the answer for the first `i` statements (none for none), extended as far as asked.
  const before = b.before;
  while (before.length <= end) {
    const i = before.length - 1;
    const upToI = before[i];
    const a = upToI === 'close' ? upToI : awaitedIn(w, statements[i]!);
    before.push(a === 'close' ? a : (upToI ?? a));
  }
  return before[end];
}

function awaitedInTry(w: Walk, tryBlock: TS.Block): Awaited {
  const known = answers(w).tries;
  if (known.has(tryBlock)) return known.get(tryBlock);
  const a = awaitedIn(w, tryBlock);
  known.set(tryBlock, a);
  return a;
}

/** `close` when a statement awaits a server close; `await` when it awaits a call this file cannot see into. Nested functions are not entered. */
function awaitedIn(w: Walk, st: TS.Node): 'close' | 'await' | undefined {
  const ts = w.ts;
  let found: 'close' | 'await' | undefined;
  const visit = (n: TS.Node): void => {
    if (found === 'close' || isFunctionLike(ts, n)) return;
    if (ts.isAwaitExpression(n)) {
      if (closesIn(w, n.expression)) found = 'close';
      else {
        const r = unknownCall(w, n.expression);
        found = r === 'close' ? r : (found ?? r);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(st);
  return found;
}

/** Does an expression close a server: `server.close()`, `new Promise((r) => server.close(r))`, `promisify(server.close)`? */
function closesIn(w: Walk, e: TS.Node): boolean {
  const ts = w.ts;
  let found = false;
  const visit = (n: TS.Node): void => {
    if (found) return;
    if (ts.isPropertyAccessExpression(n) && CLOSE.test(n.name.text) && isServer(w, w.unwrap(n.expression))) {
      found = true;
      return;
    }
    ts.forEachChild(n, visit);
  };
  visit(e);
  return found;
}

/**
 * An awaited call of a named function (`shutdown()`, `this.stop()`, `hook()`) may close the server:
 * `close` when it is a function of this file that does, nothing when it is one that does not, and
 * `await` when this file cannot see into it.
 */
function unknownCall(w: Walk, e: TS.Expression, depth = 0): 'close' | 'await' | undefined {
  const ts = w.ts;
  const u = w.unwrap(e);
  if (!ts.isCallExpression(u)) return undefined;
  const c = w.unwrap(u.expression);
  if (ts.isPropertyAccessExpression(c)) {
    if (c.expression.kind === ts.SyntaxKind.ThisKeyword) return 'await';
    // `await Factory.shutdownTransport(t)`: a static method of a class of this file is looked into like a function.
    const method = staticMethod(w, w.unwrap(c.expression), c.name.text);
    if (method) return knownCall(w, method, depth);
    const recv = w.unwrap(c.expression);
    if (isClient(w, recv)) return undefined;
    // `await unleash.stop()`: stopping something that is not plainly a pool or client may stop the server.
    if (CLEANUP.test(c.name.text)) return 'await';
    // `await TransportFactory.shutdownTransport(t)` of a class or module of the project's own code: this file cannot see into it.
    return ts.isIdentifier(recv) && /^\.\.?\//.test(w.originOf(recv)?.module ?? '') ? 'await' : undefined;
  }
  if (!ts.isIdentifier(c) || NOT_A_STEP.test(c.text)) return undefined;
  return knownCall(w, c.text, depth);
}

/**
 * {@link namedCall}, kept for the walk: what a named function does depends only on its name and the
 * depth (while the walk learns nothing new), so `await step()` is looked into once.
 */
function knownCall(w: Walk, name: string, depth: number): Awaited {
  const known = answers(w).calls;
  const key = `${depth}:${name}`;
  if (known.has(key)) return known.get(key);
  const r = namedCall(w, name, depth);
  known.set(key, r);
  return r;
}

function namedCall(w: Walk, name: string, depth: number): Awaited {
  const ts = w.ts;
  const body = depth < 2 ? localFunction(w, name) : undefined;
  if (!body) return 'await';
  if (closesIn(w, body)) return 'close';
  let inner: 'close' | 'await' | undefined;
  const visit = (n: TS.Node): void => {
    if (inner === 'close') return;
    if (ts.isAwaitExpression(n)) {
      const r = unknownCall(w, n.expression, depth + 1);
      inner = r === 'close' ? r : (inner ?? r);
    }
    ts.forEachChild(n, visit);
  };
  visit(body);
  return inner;
}

const FUNCTIONS = localKey();

/**
 * The body of a function declared at the top level of this file: `function f() {}`, `const f = async () => {}`,
 * or a static method of a class declared there, as `Class.method` (the first of that name).
 */
function localFunction(w: Walk, name: string): TS.Node | undefined {
  return w.local(FUNCTIONS, () => topLevelFunctions(w)).get(name);
}

function topLevelFunctions(w: Walk): Map<string, TS.Node | undefined> {
  const ts = w.ts;
  const out = new Map<string, TS.Node | undefined>();
  const add = (name: string, body: TS.Node | undefined) => out.has(name) || out.set(name, body);
  for (const st of w.sf.statements) {
    if (ts.isFunctionDeclaration(st) && st.name) add(st.name.text, st.body);
    if (ts.isClassDeclaration(st) && st.name) {
      for (const m of st.members) {
        const isStatic = ts.isMethodDeclaration(m) && ts.getModifiers(m)?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
        if (isStatic && ts.isIdentifier(m.name)) add(`${st.name.text}.${m.name.text}`, m.body);
      }
    }
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      const init = d.initializer && w.unwrap(d.initializer);
      if (ts.isIdentifier(d.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) add(d.name.text, init.body);
    }
  }
  return out;
}

/** `Factory.shutdownTransport` for a call `Factory.shutdownTransport()` of a static method of a class of this file. */
function staticMethod(w: Walk, recv: TS.Expression, name: string): string | undefined {
  if (!w.ts.isIdentifier(recv)) return undefined;
  const key = `${recv.text}.${name}`;
  return localFunction(w, key) ? key : undefined;
}

/** Receivers that are plainly a pool, a client, a queue or a telemetry SDK, by name or by module. */
const CLIENT_WORD = new Set(
  'db database datasource pool redis cache client knex prisma mongo mongoose sequelize orm typeorm em sql pg mysql connection conn queue worker producer consumer channel broker kafka amqp rabbit rabbitmq nats sdk tracer telemetry otel logger metrics scheduler cron job jobs subscriber publisher watcher socket io ws'.split(' '),
);
const CLIENT_ORIGIN = /^(?:pg|mysql2?|mongodb|mongoose|redis|ioredis|knex|@prisma\/client|sequelize|typeorm|bullmq|bull|kafkajs|amqplib|nats|@opentelemetry\/.*|pino|winston)$/;

function isClient(w: Walk, recv: TS.Expression): boolean {
  const chain = w.chain(recv);
  const name = chain ? chain[chain.length - 1]! : w.text(recv, 60);
  // By words of the name: `dbPool`, `redis_client`, `mongoose`; not `platform`.
  if (nameWords(name).some((word) => CLIENT_WORD.has(word.toLowerCase()))) return true;
  const origin = w.originOf(recv);
  return !!origin && CLIENT_ORIGIN.test(origin.module);
}

function isServer(w: Walk, recv: TS.Expression): boolean {
  const chain = w.chain(recv);
  const name = chain ? chain[chain.length - 1]! : w.text(recv, 60);
  if (SERVER_NAME.test(name)) return true;
  if (chain?.length === 1 && w.facts.instances.some((i) => i.local === name)) return true;
  const origin = w.originOf(recv);
  return !!origin && CLOSABLE_SERVER_MODULES.has(origin.module);
}

function constantNumber(w: Walk, name: string): number | undefined {
  const c = constantInScope(w, name);
  if (c?.value.t === 'num') return c.value.v;
  if (c?.value.t === 'env' && c.value.fallback?.t === 'num') return c.value.fallback.v;
  return undefined;
}
