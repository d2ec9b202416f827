import type { TS } from './typescript.js';
import { isFunctionLike, localKey, type Walk } from './walk.js';

/*
 * How a write is guarded, read from the syntax around it: shadowing locals, lazy one-time
 * initialisation, run-once functions, cleanup in `finally`, and values that only live in this
 * process (functions, timers, promises). Used by the bindings collector on the few writes it keeps.
 */
/** Names that say they hold a function. */
const FN_NAME = /(?:handler|callback|listener|fn|cb|resolve|reject|hook|subscriber|observer|cleanup|dispose)s?$/i;

/**
 * Is `name` declared between the visited node and module scope (a parameter, a local, a catch
 * variable)? Only scopes declare names: the walk's scopes are asked, not every ancestor.
 */
export function shadowed(w: Walk, name: string): boolean {
  const ts = w.ts;
  for (let i = 0; i < w.scopeCount; i++) {
    const d = w.scopeDepth(i);
    const a = w.parent(d)!;
    if (ts.isSourceFile(a)) return false;
    if (isFunctionLike(ts, a)) {
      if (a.parameters.some((p) => boundNames(ts, p.name).includes(name))) return true;
      if ((ts.isFunctionExpression(a) || ts.isFunctionDeclaration(a)) && a.name?.text === name && d > 1) return true;
    } else if (ts.isBlock(a) || ts.isCaseClause(a) || ts.isDefaultClause(a) || ts.isModuleBlock(a)) {
      if (declaredIn(w, a).has(name)) return true;
    } else if (ts.isForStatement(a) || ts.isForOfStatement(a) || ts.isForInStatement(a)) {
      const init = a.initializer;
      if (init && ts.isVariableDeclarationList(init) && init.declarations.some((v) => boundNames(ts, v.name).includes(name))) return true;
    } else if (ts.isCatchClause(a)) {
      if (a.variableDeclaration && boundNames(ts, a.variableDeclaration.name).includes(name)) return true;
    }
  }
  return false;
}

/** Key of the per-file names each block declares. */
const DECLARED = localKey();

/**
 * The names a block's statements declare (variables, functions, classes), listed once per block:
 * a function of thousands of statements is asked again for each write inside it.
 */
function declaredIn(w: Walk, block: TS.Block | TS.CaseOrDefaultClause | TS.ModuleBlock): Set<string> {
  const ts = w.ts;
  const known = w.local(DECLARED, () => new Map<TS.Node, Set<string>>());
  let names = known.get(block);
  if (names) return names;
  names = new Set();
  for (const s of block.statements) {
    if (ts.isVariableStatement(s)) for (const v of s.declarationList.declarations) for (const n of boundNames(ts, v.name)) names.add(n);
    else if ((ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) && s.name) names.add(s.name.text);
  }
  known.set(block, names);
  return names;
}

/**
 * A guarded one-time initialisation: `x = x || make()`, `x ?? (x = make())`, `if (!x) x = make()`,
 * or `if (x) return x;` earlier in the same function body.
 */
export function isLazyInit(w: Walk, name: string, assign: TS.BinaryExpression): boolean {
  const ts = w.ts;
  const same = (e: TS.Expression) => w.chain(e)?.join('.') === name;
  const right = w.unwrap(assign.right);
  if (ts.isBinaryExpression(right) && isOr(ts, right.operatorToken.kind) && same(right.left)) return true;
  let child: TS.Node = assign;
  for (let d = 1; ; d++) {
    const a = w.parent(d);
    if (!a || ts.isSourceFile(a)) return false;
    if (ts.isBinaryExpression(a) && isOr(ts, a.operatorToken.kind) && a.right === child && same(a.left)) return true;
    if (ts.isIfStatement(a) && a.thenStatement === child && testsAbsent(w, a.expression, same)) return true;
    if (ts.isBlock(a) && isFunctionLike(ts, w.parent(d + 1) ?? a)) {
      const guards = (s: TS.Statement): boolean =>
        ts.isIfStatement(s)
          ? (testsPresent(w, s.expression, same) && returns(ts, s.thenStatement)) || guards(s.thenStatement) || (!!s.elseStatement && guards(s.elseStatement))
          : ts.isBlock(s) && s.statements.some(guards);
      for (const s of a.statements) {
        if (s === child) break;
        if (guards(s)) return true;
      }
      return false;
    }
    if (isFunctionLike(ts, a)) return false;
    child = a;
  }
}

/** How far up from a call its guard is looked for: guards stand right around the call they guard. */
const GUARD_DEPTH = 32;

/**
 * The module-level name a call is guarded by, when the call only runs while that name is still
 * unset: `if (!client) await setup()`, `client ?? setup()`, `client || setup()`,
 * `client ? client : setup()`, or `if (client) return client;` earlier in the function body.
 * `isBinding` says which names (dotted) count. A function called only that way and assigning the
 * name is a lazy one-time initialisation whose guard stands at the call.
 */
export function lazyGuard(w: Walk, call: TS.Node, isBinding: (chain: readonly string[]) => boolean): string | undefined {
  const ts = w.ts;
  let found: string | undefined;
  const same = (e: TS.Expression) => {
    const c = w.chain(e);
    if (!c || !isBinding(c)) return false;
    found = c.join('.');
    return true;
  };
  let child: TS.Node = call;
  for (let d = 1; d <= GUARD_DEPTH; d++) {
    const a = w.parent(d);
    if (!a || ts.isSourceFile(a) || isFunctionLike(ts, a)) return undefined;
    if (ts.isBinaryExpression(a) && a.right === child) {
      const k = a.operatorToken.kind;
      if (isOr(ts, k) && same(a.left)) return found;
      if (k === ts.SyntaxKind.AmpersandAmpersandToken && testsAbsent(w, a.left, same)) return found;
    }
    if (ts.isConditionalExpression(a)) {
      if (a.whenFalse === child && testsPresent(w, a.condition, same)) return found;
      if (a.whenTrue === child && testsAbsent(w, a.condition, same)) return found;
    }
    if (ts.isIfStatement(a)) {
      if (a.thenStatement === child && testsAbsent(w, a.expression, same)) return found;
      if (a.elseStatement === child && testsPresent(w, a.expression, same)) return found;
    }
    if (ts.isBlock(a) && isFunctionLike(ts, w.parent(d + 1) ?? a)) {
      for (const s of earlyReturns(w, a)) {
        if (s.pos >= child.pos) break;
        if (testsPresent(w, s.expression, same)) return found;
      }
      return undefined;
    }
    child = a;
  }
  return undefined;
}

/** Key of the per-file early returns of each function body. */
const EARLY_RETURNS = localKey();

/** The `if (...) return` statements of a function body, in order; listed once per body, which may hold thousands of calls. */
function earlyReturns(w: Walk, body: TS.Block): TS.IfStatement[] {
  const ts = w.ts;
  const known = w.local(EARLY_RETURNS, () => new Map<TS.Node, TS.IfStatement[]>());
  let list = known.get(body);
  if (!list) known.set(body, (list = body.statements.filter((s): s is TS.IfStatement => ts.isIfStatement(s) && returns(ts, s.thenStatement))));
  return list;
}

function isOr(ts: Walk['ts'], k: TS.SyntaxKind): boolean {
  return k === ts.SyntaxKind.BarBarToken || k === ts.SyntaxKind.QuestionQuestionToken;
}

/** `!x`, `x == null`, `x === undefined`, `typeof x === 'undefined'`, and either side of `&&`/`||`. */
function testsAbsent(w: Walk, cond: TS.Expression, same: (e: TS.Expression) => boolean): boolean {
  const ts = w.ts;
  const e = w.unwrap(cond);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return same(e.operand);
  if (!ts.isBinaryExpression(e)) return false;
  const k = e.operatorToken.kind;
  if (k === ts.SyntaxKind.AmpersandAmpersandToken || k === ts.SyntaxKind.BarBarToken) return testsAbsent(w, e.left, same) || testsAbsent(w, e.right, same);
  if (k !== ts.SyntaxKind.EqualsEqualsToken && k !== ts.SyntaxKind.EqualsEqualsEqualsToken) return false;
  const nullish = (x: TS.Expression) => x.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(x) && x.text === 'undefined') || ts.isVoidExpression(x) || (ts.isStringLiteral(x) && x.text === 'undefined');
  const typeofSame = (x: TS.Expression) => ts.isTypeOfExpression(x) && same(x.expression);
  return ((same(e.left) || typeofSame(e.left)) && nullish(e.right)) || ((same(e.right) || typeofSame(e.right)) && nullish(e.left));
}

/** `x`, `x != null`, `x !== undefined`, `x && ...`. */
function testsPresent(w: Walk, cond: TS.Expression, same: (e: TS.Expression) => boolean): boolean {
  const ts = w.ts;
  const e = w.unwrap(cond);
  if (same(e)) return true;
  if (!ts.isBinaryExpression(e)) return false;
  const k = e.operatorToken.kind;
  if (k === ts.SyntaxKind.AmpersandAmpersandToken) return testsPresent(w, e.left, same);
  if (k !== ts.SyntaxKind.ExclamationEqualsToken && k !== ts.SyntaxKind.ExclamationEqualsEqualsToken) return false;
  return same(e.left) || same(e.right);
}

export function returns(ts: Walk['ts'], s: TS.Statement): boolean {
  if (ts.isReturnStatement(s)) return true;
  return ts.isBlock(s) && s.statements.some((x) => ts.isReturnStatement(x));
}

/** Inside a `finally { }` block or a `.finally(() => ...)` callback of the current function. */
export function inFinally(w: Walk): boolean {
  const ts = w.ts;
  let child: TS.Node | undefined;
  for (let d = 1; ; d++) {
    const a = w.parent(d);
    if (!a || ts.isSourceFile(a)) return false;
    if (ts.isTryStatement(a) && a.finallyBlock === child) return true;
    if (isFunctionLike(ts, a)) {
      const call = w.parent(d + 1);
      return !!call && ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'finally';
    }
    child = a;
  }
}

/**
 * The write sits in a function that runs once: its body returns early on a module-level flag
 * (`if (loaded) return;`, `if (plugins.initialized) return;`) and sets that flag to `true`, never back
 * to `false` (a busy flag). A flag that is a binding of its own does not guard its own write (a
 * boolean flag is judged on its own); a flag that is a property (`plugins.initialized`) does.
 */
export function onceGuarded(w: Walk, isFlag: (name: string) => boolean, isModule: (root: string) => boolean, target: string): boolean {
  const ts = w.ts;
  const root = target.split('.')[0]!;
  for (let i = 0; i < w.functionCount; i++) {
    const a = w.parent(w.functionDepth(i)) as TS.FunctionLikeDeclaration;
    const body = a.body;
    if (!body || !ts.isBlock(body)) continue;
    for (const flag of earlyReturnFlags(w, body)) {
      const own = !flag.includes('.');
      if (own ? !isFlag(flag) || flag === root : !isModule(flag.split('.')[0]!)) continue;
      // `if (running) return; running = true; ...; running = false`: a busy flag, which lets the body run again.
      if (assigns(w, body, flag, ts.SyntaxKind.TrueKeyword, false) && !assigns(w, body, flag, ts.SyntaxKind.FalseKeyword, true)) return true;
    }
  }
  return false;
}

/** Key of the per-file flags of {@link earlyReturnFlags}. */
const FLAGS = localKey();

/** The flags a function body returns early on (`if (loaded) return;`, `if (plugins.initialized) return;`), in order; listed once per body. */
function earlyReturnFlags(w: Walk, body: TS.Block): string[] {
  const known = w.local(FLAGS, () => new Map<TS.Node, string[]>());
  let flags = known.get(body);
  if (flags) return flags;
  flags = [];
  for (const s of earlyReturns(w, body)) {
    const flag = w.chain(w.unwrap(s.expression))?.join('.');
    if (flag && !flag.startsWith('this.')) flags.push(flag);
  }
  known.set(body, flags);
  return flags;
}

/** Key of the per-file answers of {@link assigns}. */
const ASSIGNS = localKey();

/**
 * Does the function body assign `true` (or `false`) to `flag`, looking into nested functions
 * (`.finally(() => ...)`) only when asked? Answered once per body and question: a long function
 * guarded by `if (state.abort) return` is asked again for every write inside it.
 */
function assigns(w: Walk, body: TS.Node, flag: string, value: TS.SyntaxKind, nested: boolean): boolean {
  const known = w.local(ASSIGNS, () => new Map<TS.Node, Map<string, boolean>>());
  let mine = known.get(body);
  if (!mine) known.set(body, (mine = new Map()));
  const key = `${flag}\0${value}\0${nested}`;
  let answer = mine.get(key);
  if (answer === undefined) mine.set(key, (answer = scanAssigns(w, body, flag, value, nested)));
  return answer;
}

function scanAssigns(w: Walk, body: TS.Node, flag: string, value: TS.SyntaxKind, nested: boolean): boolean {
  const ts = w.ts;
  const visit = (n: TS.Node): boolean => {
    if (!nested && isFunctionLike(ts, n)) return false;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && n.right.kind === value && w.chain(n.left)?.join('.') === flag) return true;
    return !!ts.forEachChild(n, (c) => (visit(c) ? true : undefined));
  };
  return !!ts.forEachChild(body, (c) => (visit(c) ? true : undefined));
}

/**
 * A function, a timer handle, a name that says it holds a function, `f.bind(x)`, or an object
 * literal carrying one (`{ resolve, reject }`): things that exist only in this process.
 */
export function storesFunction(w: Walk, e: TS.Expression): boolean {
  const ts = w.ts;
  const u = w.unwrap(e);
  if (ts.isArrowFunction(u) || ts.isFunctionExpression(u)) return true;
  if (ts.isCallExpression(u) && /^(?:setTimeout|setInterval|setImmediate)$/.test(w.text(u.expression))) return true;
  if (ts.isIdentifier(u)) return FN_NAME.test(u.text);
  if (ts.isCallExpression(u) && ts.isPropertyAccessExpression(u.expression) && u.expression.name.text === 'bind') return true;
  if (!ts.isObjectLiteralExpression(u)) return false;
  return u.properties.some(
    (p) =>
      ts.isMethodDeclaration(p) ||
      (ts.isShorthandPropertyAssignment(p) && FN_NAME.test(p.name.text)) ||
      (ts.isPropertyAssignment(p) && (ts.isArrowFunction(p.initializer) || ts.isFunctionExpression(p.initializer) || (ts.isIdentifier(p.initializer) && FN_NAME.test(p.initializer.text)))),
  );
}

/** `new Promise(...)`, `x.then(...)`, or a name that says it holds a promise. */
/** Calls of a library that open a connection or start a process and hand back its handle. */
const OPENS = /^(?:connect|createConnection|createClient|createPool|launch|launchPersistentContext|connectOverCDP)$/;
/** Calls that only a connection or a browser answers, whatever the receiver is named. */
const OPENS_ON_HANDLE = /^(?:createChannel|createConfirmChannel|newContext|newPage)$/;
/** Node's global classes whose instances belong to one process: an abort signal, a worker thread, a socket. */
const GLOBAL_HANDLES = new Set(['AbortController', 'Worker', 'WebSocket', 'EventSource', 'MessageChannel', 'BroadcastChannel']);
/** Classes whose instances are connections, pools or clients. */
const HANDLE_CLASS = /(?:Client|Connection|Pool|Cluster|Browser|Socket|Redis|Producer|Consumer)$/;

/**
 * A connection, pool or process handle that a library opens: `await chromium.connect(url)`,
 * `await amqp.connect(url)`, `conn.createChannel()`, `new Redis(url)`, `new pg.Pool()`. Each
 * process needs its own: no other replica could use it.
 */
export function opensHandle(w: Walk, e: TS.Expression): boolean {
  const ts = w.ts;
  const u = w.unwrap(e);
  // `useRedis ? new Redis() : null`
  if (ts.isConditionalExpression(u)) {
    const sides = [u.whenTrue, u.whenFalse];
    return sides.some((x) => opensHandle(w, x)) && sides.every((x) => isNullish(w, x) || opensHandle(w, x));
  }
  if (ts.isCallExpression(u)) {
    const callee = w.unwrap(u.expression);
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
    if (name && ts.isPropertyAccessExpression(callee) && OPENS_ON_HANDLE.test(name)) return true;
    if (!name || !OPENS.test(name)) return false;
    // The library's own call (`chromium.connect(url)`, `createClient()` from redis), not a look-alike of the project's (`stripeConnect.connect(code)`).
    const origin = w.resolve(callee) ?? (ts.isPropertyAccessExpression(callee) ? w.originOf(callee.expression) : undefined);
    return !!origin && !origin.module.startsWith('.');
  }
  if (!ts.isNewExpression(u)) return false;
  // Node's own: `new AbortController()`, `new Worker(file)`.
  if (ts.isIdentifier(u.expression) && GLOBAL_HANDLES.has(u.expression.text) && !w.imports.has(u.expression.text)) return true;
  const origin = w.resolve(u.expression);
  const name = origin?.path[origin.path.length - 1] ?? (ts.isIdentifier(u.expression) ? u.expression.text : undefined);
  return !!origin && !origin.module.startsWith('.') && !!name && HANDLE_CLASS.test(name);
}

export function storesPromise(w: Walk, e: TS.Expression): boolean {
  const ts = w.ts;
  const u = w.unwrap(e);
  if (ts.isIdentifier(u)) return /promise$/i.test(u.text);
  if (ts.isNewExpression(u)) return w.text(u.expression) === 'Promise';
  return ts.isCallExpression(u) && ts.isPropertyAccessExpression(u.expression) && /^(?:then|catch|finally)$/.test(u.expression.name.text);
}

export function isNullish(w: Walk, e: TS.Expression): boolean {
  const ts = w.ts;
  const u = w.unwrap(e);
  return u.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(u) && u.text === 'undefined') || ts.isVoidExpression(u);
}

export function boundNames(ts: Walk['ts'], n: TS.BindingName): string[] {
  if (ts.isIdentifier(n)) return [n.text];
  const out: string[] = [];
  for (const el of n.elements) if (!ts.isOmittedExpression(el)) out.push(...boundNames(ts, el.name));
  return out;
}

/**
 * The initializer of the `const` a name refers to where the walk stands: the nearest declaration
 * in the blocks around it, up to module scope; undefined for a parameter or anything else.
 */
export function constantValue(w: Walk, name: string): TS.Expression | undefined {
  const ts = w.ts;
  for (let i = 0; i < w.scopeCount; i++) {
    const a = w.parent(w.scopeDepth(i))!;
    if (isFunctionLike(ts, a) && a.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === name)) return undefined;
    if (!ts.isBlock(a) && !ts.isSourceFile(a) && !ts.isCaseClause(a) && !ts.isDefaultClause(a)) continue;
    const consts = constantsIn(w, a);
    if (consts.has(name)) return consts.get(name);
  }
  return undefined;
}

/** Key of the per-file constants of each block. */
const CONSTANTS = localKey();

/** The `const` names a block (or the file) declares, each with the initializer of its first declaration; listed once per block. */
function constantsIn(w: Walk, block: TS.Block | TS.SourceFile | TS.CaseOrDefaultClause): Map<string, TS.Expression | undefined> {
  const ts = w.ts;
  const known = w.local(CONSTANTS, () => new Map<TS.Node, Map<string, TS.Expression | undefined>>());
  let consts = known.get(block);
  if (consts) return consts;
  consts = new Map();
  for (const st of block.statements) {
    if (!ts.isVariableStatement(st) || !(st.declarationList.flags & ts.NodeFlags.Const)) continue;
    for (const x of st.declarationList.declarations) if (ts.isIdentifier(x.name) && !consts.has(x.name.text)) consts.set(x.name.text, x.initializer);
  }
  known.set(block, consts);
  return consts;
}
