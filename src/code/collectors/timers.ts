import { runContext } from '../context.js';
import type { TimerFact } from '../facts.js';
import type { TS } from '../typescript.js';
import { isFunctionLike, localKey, type Collector, type Walk } from '../walk.js';

const TIMER_MODULES = new Set(['timers', 'node:timers']);
const GLOBALS = new Set(['global', 'globalThis']);
const TIMER_NAME = /^(?:set|clear)(?:Interval|Timeout)$/;
/** Key of the names this file's timers keep their handles in. */
const HANDLES = localKey();

/**
 * `setInterval`/`setTimeout` and the fate of their handles: kept in a name or property, dropped,
 * passed on, `.unref()`ed; which names reach `clearInterval`/`clearTimeout`; and `setTimeout`
 * loops that re-arm their own function, with whether they have a way to stop.
 */
export const timers: Collector = {
  kinds: ['CallExpression', 'ReturnStatement'],
  visit(node, w) {
    const ts = w.ts;
    const h = w.facts.timerHandles;
    if (ts.isReturnStatement(node)) {
      // Only a handle kept by a timer of this file (created before the `return` that hands it back) matters.
      const handles = w.local(HANDLES, () => new Set<string>());
      if (!handles.size || !node.expression) return;
      const name = w.chain(node.expression)?.join('.');
      if (name && handles.has(name)) addOnce(w, h.returned, name);
      return;
    }
    const call = node as TS.CallExpression;
    const fn = timerFunction(w, call.expression);
    if (fn === 'clearInterval' || fn === 'clearTimeout') {
      const name = call.arguments[0] && w.chain(call.arguments[0])?.join('.');
      if (name) addOnce(w, h.cleared, name);
      return;
    }
    if (fn === 'setInterval' || fn === 'setTimeout') {
      const t = timer(w, call, fn as TimerFact['call']);
      if (t.handle) w.local(HANDLES, () => new Set<string>()).add(t.handle);
      return void w.facts.timers.push(t);
    }
    const callee = w.unwrap(call.expression);
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'unref') {
      const name = w.chain(callee.expression)?.join('.');
      if (name) addOnce(w, h.unrefed, name);
    }
  },
};

/** Key of the names already in each of the file's handle lists. */
const LISTED = localKey();

/** Add a name to one of the file's handle lists unless it is there (a file may clear thousands of timers). */
function addOnce(w: Walk, list: string[], name: string): void {
  const listed = w.local(LISTED, () => new Map<string[], Set<string>>());
  let names = listed.get(list);
  if (!names) listed.set(list, (names = new Set(list)));
  if (names.has(name)) return;
  names.add(name);
  list.push(name);
}

/** `setInterval`, `global.setInterval`, `timers.setInterval`; not a same-named import from elsewhere (`timers/promises`). */
function timerFunction(w: Walk, callee: TS.Expression): string | undefined {
  const ts = w.ts;
  const last = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (!TIMER_NAME.test(last)) return undefined;
  const c = w.chain(callee);
  if (!c) return undefined;
  const name = c[c.length - 1]!;
  if (c.length === 1) {
    const imp = w.imports.get(name);
    return !imp || TIMER_MODULES.has(imp.module) ? name : undefined;
  }
  if (c.length !== 2) return undefined;
  return GLOBALS.has(c[0]!) || TIMER_MODULES.has(w.imports.get(c[0]!)?.module ?? '') ? name : undefined;
}

function timer(w: Walk, call: TS.CallExpression, fn: 'setInterval' | 'setTimeout'): TimerFact {
  const ts = w.ts;
  const out: TimerFact = { call: fn, ...runContext(w), span: w.span(call) };
  // Follow the value upwards: `.unref()` returns the timer, so `const t = setInterval(...).unref()` keeps it.
  let d = 1;
  let child: TS.Node = call;
  for (;;) {
    const p = w.parent(d);
    if (!p) break;
    if (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isSatisfiesExpression(p)) {
      child = p;
      d++;
      continue;
    }
    const pp = w.parent(d + 1);
    if (ts.isPropertyAccessExpression(p) && p.name.text === 'unref' && pp && ts.isCallExpression(pp) && pp.expression === p) {
      out.unref = true;
      child = pp;
      d += 2;
      continue;
    }
    if (ts.isVariableDeclaration(p) && p.initializer === child) {
      if (ts.isIdentifier(p.name)) out.handle = p.name.text;
      else out.passed = true;
    } else if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === child) {
      const name = w.chain(p.left)?.join('.');
      if (name) out.handle = name;
      else out.passed = true;
    } else if (!ts.isExpressionStatement(p) && !ts.isVoidExpression(p)) out.passed = true;
    break;
  }
  if (fn === 'setTimeout') rearming(w, call, out);
  return out;
}

interface NamedFn {
  name: string;
  node: TS.FunctionLikeDeclaration;
}

/** Does this `setTimeout` re-arm an enclosing function, and can that loop stop? */
function rearming(w: Walk, call: TS.CallExpression, out: TimerFact): void {
  const ts = w.ts;
  const named: NamedFn[] = [];
  for (let d = 1; ; d++) {
    const a = w.parent(d);
    if (!a || ts.isSourceFile(a)) break;
    if (!isFunctionLike(ts, a)) continue;
    const name = functionName(w, a, d);
    if (name) named.push({ name, node: a });
  }
  const cb = call.arguments[0];
  if (!named.length || !cb) return;
  let recall: Recall | undefined;
  const target = named.find((n) => (recall = refersTo(w, cb, n.name)));
  if (!target || !recall) return;
  out.rearms = target.name;
  if (recall.guarded || conditional(w, call, target.node) || returnsEarly(w, call, target.node)) out.stopPath = true;
}

/** The timer callback calls the function again; `guarded` when that call is conditional or follows an early return. */
interface Recall {
  guarded: boolean;
}

function functionName(w: Walk, fn: TS.FunctionLikeDeclaration, depth: number): string | undefined {
  const ts = w.ts;
  if (fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name))) return fn.name.text;
  const p = w.parent(depth + 1);
  if (p && (ts.isVariableDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertyAssignment(p)) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isBinaryExpression(p)) {
    const c = w.chain(p.left);
    return c?.[c.length - 1];
  }
  return undefined;
}

/** `poll`, `this.poll`, `poll.bind(this)`, or a function whose body calls `poll()` / `this.poll()`. */
function refersTo(w: Walk, cb: TS.Expression, name: string): Recall | undefined {
  const ts = w.ts;
  const e = w.unwrap(cb);
  const isName = (x: TS.Expression) => {
    const c = w.chain(x);
    return !!c && ((c.length === 1 && c[0] === name) || (c.length === 2 && c[0] === 'this' && c[1] === name));
  };
  if (isName(e)) return { guarded: false };
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'bind') return isName(e.expression.expression) ? { guarded: false } : undefined;
  if (!ts.isArrowFunction(e) && !ts.isFunctionExpression(e)) return undefined;
  let found: Recall | undefined;
  let exited = false;
  const look = (n: TS.Node, guarded: boolean): void => {
    if (found || (isFunctionLike(ts, n) && n !== e)) return;
    if (ts.isReturnStatement(n) || ts.isThrowStatement(n)) exited = true;
    if (ts.isCallExpression(n) && isName(n.expression)) found = { guarded: guarded || exited };
    else if (ts.isIfStatement(n)) {
      look(n.expression, guarded);
      look(n.thenStatement, true);
      if (n.elseStatement) look(n.elseStatement, true);
    } else if (ts.isConditionalExpression(n) || ts.isCatchClause(n)) ts.forEachChild(n, (c) => look(c, true));
    else ts.forEachChild(n, (c) => look(c, guarded));
  };
  look(e.body, false);
  return found;
}

/** The call sits under an `if`, a `?:`, `&&`/`||`, or a `catch` inside the re-armed function. */
function conditional(w: Walk, call: TS.Node, fn: TS.Node): boolean {
  const ts = w.ts;
  let child: TS.Node = call;
  for (let d = 1; ; d++) {
    const a = w.parent(d);
    if (!a || a === fn) return false;
    if (ts.isIfStatement(a) && a.expression !== child) return true;
    if (ts.isConditionalExpression(a) && a.condition !== child) return true;
    if (ts.isBinaryExpression(a) && a.right === child && (a.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || a.operatorToken.kind === ts.SyntaxKind.BarBarToken)) return true;
    if (ts.isCatchClause(a) || ts.isCaseClause(a)) return true;
    // `.catch(() => setTimeout(retry, ...))`: re-armed only on failure.
    if (ts.isCallExpression(a) && ts.isPropertyAccessExpression(a.expression) && a.expression.name.text === 'catch' && a.arguments.includes(child as TS.Expression)) return true;
    child = a;
  }
}

/** An `if (...) return` or `throw` in the re-armed function's body before the re-arming statement. */
function returnsEarly(w: Walk, call: TS.Node, fn: TS.FunctionLikeDeclaration): boolean {
  const ts = w.ts;
  const body = fn.body;
  if (!body || !ts.isBlock(body)) return false;
  const at = call.getStart(w.sf);
  const exits = (s: TS.Statement): boolean =>
    ts.isReturnStatement(s) || ts.isThrowStatement(s) || (ts.isBlock(s) && s.statements.some(exits));
  return body.statements.some((s) => s.getEnd() <= at && ts.isIfStatement(s) && (exits(s.thenStatement) || (!!s.elseStatement && exits(s.elseStatement))));
}
