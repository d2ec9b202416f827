import { argumentContext, memberName, runContext } from '../context.js';
import { CALLED_BY_NAME } from '../state.js';
import { boundNames, constantValue, inFinally, isLazyInit, isNullish, lazyGuard, onceGuarded, opensHandle, shadowed, storesFunction, storesPromise } from '../guards.js';
import type { ExportFact, FnCall, RunContext, StateBinding, StateWrite, ValueKind } from '../facts.js';
import type { TS } from '../typescript.js';
import { isFunctionLike, localKey, type Collector, type Walk } from '../walk.js';

/** In-process cache libraries whose instances are module-level caches. */
export const CACHE_LIBS = new Set(['lru-cache', 'node-cache', 'quick-lru', 'tiny-lru', '@isaacs/ttlcache', 'lru.min']);

/** Methods that change a Map, Set, array or cache; which ones count for a binding is the rule's call. */
const MUTATORS = new Set([
  'set', 'add', 'delete', 'clear', 'push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin',
  'del', 'mset', 'take', 'flushAll', 'reset', 'put',
]);
/** Node's own modules: calls into them never reach the service's functions. */
const BUILTIN = /^(?:node:|(?:fs|path|os|http|https|http2|crypto|util|events|stream|url|child_process|zlib|net|assert|buffer|querystring|timers|worker_threads|cluster|dns|readline|tls|dgram|v8|vm|perf_hooks|async_hooks|process)(?:\/|$))/;
const OBJECT_MUTATORS = new Set(['Object.assign', 'Object.defineProperty', 'Reflect.set', 'Reflect.deleteProperty']);
const OBJECT_MUTATOR_METHODS = new Set([...OBJECT_MUTATORS].map((m) => m.slice(m.indexOf('.') + 1)));

interface FileState {
  bindings: Map<string, StateBinding>;
  /** First segments of binding names (`carts`, `Registry`, `exports`). */
  roots: Set<string>;
  /** Names of top-level functions (declarations and `const f = () => ...`). */
  fns: Set<string>;
  /** Names of top-level classes, whose static methods are called like functions. */
  classes: Set<string>;
  /** Whether any class has a static binding: only then can a `this.x` write in a static method be one. */
  statics: boolean;
  /** Whether a singleton class holds container fields: only then can a `this.x` write in an instance method be one. */
  instances: boolean;
  /** Module-level names of singleton instances, to their class (`registry` → `Registry`). */
  singletonVars: Map<string, string>;
  /** The file imports NestJS: its classes get their collaborators injected by constructor parameter type. */
  nest: boolean;
  /** Module-level object literals by name (`const api = { init() {} }`), whose methods are called like functions. */
  objects: Map<string, TS.ObjectLiteralExpression>;
  /** Calls already recorded, by where they run (`run|fn`), callee name and member path. */
  calls: Map<string, Map<string, Set<string>>>;
  /** The entry of {@link calls} of each context object met. */
  byContext: Map<RunContext, Map<string, Set<string>>>;
  /** The function of the last call recorded, its context, and its entry of {@link calls}. */
  current?: { fn: TS.Node; ctx: RunContext; byName: Map<string, Set<string>> };
}

/** Key of this collector's per-file state on the walk. */
const STATE = localKey();

/**
 * Module-level state: the bindings a file declares at top level, what it exports, every write or
 * mutating call on those bindings and on imported names (with where it runs), and calls of
 * top-level and imported functions (to tell start-up functions from run-time ones).
 */
export const bindings: Collector = {
  kinds: ['SourceFile', 'BinaryExpression', 'PrefixUnaryExpression', 'PostfixUnaryExpression', 'DeleteExpression', 'CallExpression', 'NewExpression'],
  visit(node, w) {
    const ts = w.ts;
    const K = w.K;
    const kind = node.kind;
    if (kind === K.SourceFile) return prescan(node as TS.SourceFile, w);
    const st = w.local<FileState | null>(STATE, noState);
    if (!st) return;
    if (kind === K.BinaryExpression) {
      const b = node as TS.BinaryExpression;
      const op = b.operatorToken.kind;
      if (op < ts.SyntaxKind.FirstAssignment || op > ts.SyntaxKind.LastAssignment) return;
      if (ts.isObjectLiteralExpression(b.left) || ts.isArrayLiteralExpression(b.left)) return;
      const how: StateWrite['op'] =
        op === ts.SyntaxKind.EqualsToken ? 'assign' : op === ts.SyntaxKind.QuestionQuestionEqualsToken || op === ts.SyntaxKind.BarBarEqualsToken ? 'lazy' : 'update';
      return write(w, st, b.left, how, how === 'update' ? ts.tokenToString(op) : undefined, node);
    }
    if (kind === K.PrefixUnaryExpression || kind === K.PostfixUnaryExpression) {
      const u = node as TS.PrefixUnaryExpression | TS.PostfixUnaryExpression;
      if (u.operator !== K.PlusPlusToken && u.operator !== K.MinusMinusToken) return;
      return write(w, st, u.operand, 'update', ts.tokenToString(u.operator), node);
    }
    if (kind === K.DeleteExpression) return write(w, st, (node as TS.DeleteExpression).expression, 'delete', undefined, node);
    if (kind === K.NewExpression) {
      const callee = w.unwrap((node as TS.NewExpression).expression);
      return callee.kind === K.Identifier ? noteCall(w, st, callee, ['constructor'], undefined, false, madeOnce(w, st, node)) : undefined;
    }
    const call = node as TS.CallExpression;
    const callee = w.unwrap(call.expression);
    const m = callee.kind === K.PropertyAccessExpression ? (callee as TS.PropertyAccessExpression).name.text : undefined;
    // `load.bind(ctx)`: `ctx` is a receiver, not a callback.
    if (m !== 'bind' && m !== 'call' && m !== 'apply') {
      const args = call.arguments;
      for (let i = 0; i < args.length; i++) noteReference(w, st, call, args[i]!);
    }
    if (m !== undefined && ts.isPropertyAccessExpression(callee)) {
      if (MUTATORS.has(m)) write(w, st, callee.expression, 'call', m, call);
      else if (OBJECT_MUTATOR_METHODS.has(m) && call.arguments[0] && ts.isIdentifier(callee.expression) && OBJECT_MUTATORS.has(`${callee.expression.text}.${m}`)) {
        write(w, st, call.arguments[0], 'call', `${callee.expression.text}.${m}`, call);
      }
      if (m === 'listen' || (m === 'start' && HAPI.has(w.originOf(callee.expression)?.module ?? ''))) noteServer(w);
      // `load.call(this)` runs `load` here; `load.bind(this)` hands it on from here.
      if (m === 'bind' || m === 'call' || m === 'apply') return noteCall(w, st, w.unwrap(callee.expression));
    }
    // `@Money()`: a decorator factory, called when the class is defined.
    const decorator = w.parent()?.kind === K.Decorator;
    noteCall(w, st, callee, [], decorator ? decoratorContext(w) : undefined, decorator, false, decorator ? undefined : call);
  },
};

const TOP: RunContext = { run: 'top' };

/**
 * Where a decorator of a method, accessor, constructor or parameter runs: when its class is defined,
 * not when the method is called, so at module initialisation for a class at the module's top level.
 * Undefined (the context around the call) for the rest.
 */
function decoratorContext(w: Walk): RunContext | undefined {
  const ts = w.ts;
  // The call → its decorator → what it decorates (→ the function of a parameter) → the class.
  let d = 2;
  if (w.parent(d) && ts.isParameter(w.parent(d)!)) d++;
  const fn = w.parent(d);
  const cls = w.parent(d + 1);
  return fn && isFunctionLike(ts, fn) && cls && ts.isClassDeclaration(cls) && w.parent(d + 2) === w.sf ? TOP : undefined;
}

const HAPI = new Set(['@hapi/hapi', 'hapi']);

const noState = (): FileState | null => null;

/**
 * The top-level function that starts accepting connections is start-up code: a process runs it once.
 * So is a class's method that does, and the class's constructor: a process makes one server.
 */
function noteServer(w: Walk): void {
  const { run, fn } = runContext(w, false);
  const cls = run === 'method' && fn?.includes('#') ? fn.slice(0, fn.indexOf('#')) : undefined;
  const fns = run === 'function' && fn ? [fn] : cls ? [fn!, `${cls}.constructor`] : [];
  for (const x of fns) if (!w.facts.serverFns.includes(x)) w.facts.serverFns.push(x);
}

/** A function passed as an argument (`items.forEach(load)`, `emitter.on('x', this.onX.bind(this))`) is called where the callee runs it. */
function noteReference(w: Walk, st: FileState, call: TS.CallExpression, arg: TS.Expression): void {
  const ts = w.ts;
  const K = w.K;
  let a = w.unwrap(arg);
  // Only names, member accesses and `.bind()` calls can be functions handed on.
  if (a.kind !== K.Identifier && a.kind !== K.PropertyAccessExpression && a.kind !== K.CallExpression) return;
  if (ts.isCallExpression(a) && ts.isPropertyAccessExpression(a.expression) && a.expression.name.text === 'bind') a = w.unwrap(a.expression.expression);
  if (ts.isIdentifier(a) ? !(st.fns.has(a.text) || w.imports.has(a.text)) : !ts.isPropertyAccessExpression(a)) return;
  if (ts.isPropertyAccessExpression(a) && !ts.isIdentifier(a.expression) && a.expression.kind !== ts.SyntaxKind.ThisKeyword) return;
  noteCall(w, st, a, [], argumentContext(w, call, arg));
}

function prescan(sf: TS.SourceFile, w: Walk): void {
  const ts = w.ts;
  const st = w.local<FileState>(STATE, () => ({ bindings: new Map(), roots: new Set(), fns: new Set(), classes: new Set(), statics: false, instances: false, singletonVars: new Map(), nest: false, objects: new Map(), calls: new Map(), byContext: new Map() }));
  const exp = w.facts.moduleExports;
  const add = (b: StateBinding) => {
    st.bindings.set(b.name, b);
    st.roots.add(b.name.split('.')[0]!);
  };
  // `const Shared = global.Registry` after `global.Registry ??= Registry`: one class shared by every copy of the module.
  const globals = new Set<string>();
  const aliases = new Map<string, string>();
  // `type Tracer = (run: Run) => Promise<void>`: a name for a function type.
  const fnTypes = new Set<string>();
  const classDecls: TS.ClassDeclaration[] = [];
  st.nest = w.facts.imports.some((i) => i.module.startsWith('@nestjs/'));
  for (const s of sf.statements) if (ts.isTypeAliasDeclaration(s) && holdsFunction(ts, s.type, fnTypes)) fnTypes.add(s.name.text);
  for (const s of sf.statements) {
    const exported = hasModifier(ts, s, ts.SyntaxKind.ExportKeyword);
    const isDefault = hasModifier(ts, s, ts.SyntaxKind.DefaultKeyword);
    if (ts.isVariableStatement(s)) {
      const flags = s.declarationList.flags;
      const decl = flags & ts.NodeFlags.Const ? 'const' : flags & ts.NodeFlags.Let ? 'let' : flags & (ts.NodeFlags.Using | ts.NodeFlags.AwaitUsing) ? 'const' : 'var';
      for (const d of s.declarationList.declarations) {
        for (const name of boundNames(ts, d.name)) if (exported) exp.push({ name, local: name });
        if (!ts.isIdentifier(d.name)) {
          if (decl !== 'const') for (const name of boundNames(ts, d.name)) add({ name, decl, value: 'value', span: w.span(d.name) });
          continue;
        }
        const same = decl === 'const' && d.initializer ? aliasOf(w, st, d.initializer, globals) : undefined;
        if (same) aliases.set(d.name.text, same);
        const v = valueOf(w, d.initializer);
        if (v === 'fn') st.fns.add(d.name.text);
        else if (holdsFunction(ts, d.type, fnTypes) && (!d.initializer || isNullish(w, d.initializer))) continue;
        else if (decl === 'const' ? isContainer(v) : v !== 'skip') {
          const literal = d.initializer && w.unwrap(d.initializer);
          if (literal && ts.isObjectLiteralExpression(literal)) st.objects.set(d.name.text, literal);
          const kind = typeof v === 'object' ? v : { value: 'value' as const };
          // Built field by field (in this order) rather than from spreads.
          const b = { name: d.name.text, decl, value: kind.value } as StateBinding;
          if (kind.lib !== undefined) b.lib = kind.lib;
          if (boolInit(w, d.initializer).bool) b.bool = true;
          if (promisesOf(ts, d.type, d.initializer && w.unwrap(d.initializer)).promises) b.promises = true;
          b.span = w.span(d.name);
          add(b);
        }
      }
    } else if (ts.isFunctionDeclaration(s) && s.name) {
      st.fns.add(s.name.text);
      if (exported) exp.push({ name: isDefault ? 'default' : s.name.text, local: s.name.text });
    } else if (ts.isFunctionDeclaration(s) && isDefault) {
      exp.push({ name: 'default', local: 'default' });
      st.fns.add('default');
    } else if (ts.isClassDeclaration(s) && s.name) {
      st.classes.add(s.name.text);
      classDecls.push(s);
      if (exported) exp.push({ name: isDefault ? 'default' : s.name.text, local: s.name.text });
      for (const m of s.members) {
        if (!ts.isPropertyDeclaration(m) || !hasModifier(ts, m, ts.SyntaxKind.StaticKeyword) || !ts.isIdentifier(m.name)) continue;
        const v = valueOf(w, m.initializer);
        if (v === 'fn' || v === 'skip' || (holdsFunction(ts, m.type, fnTypes) && (!m.initializer || isNullish(w, m.initializer)))) continue;
        if (hasModifier(ts, m, ts.SyntaxKind.ReadonlyKeyword) && !isContainer(v)) continue;
        st.statics = true;
        add({ name: `${s.name.text}.${m.name.text}`, decl: 'static', ...(typeof v === 'object' ? v : { value: 'value' }), ...boolInit(w, m.initializer), span: w.span(m.name) });
      }
    } else if (ts.isExportDeclaration(s)) {
      readExportDeclaration(ts, s, exp);
    } else if (ts.isExportAssignment(s)) {
      const e = w.unwrap(s.expression);
      if (ts.isIdentifier(e)) exp.push({ name: 'default', local: e.text });
      else if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) {
        exp.push({ name: 'default', local: 'default' });
        st.fns.add('default');
      } else if (ts.isObjectLiteralExpression(e)) exportObject(ts, e, exp);
    } else if (ts.isExpressionStatement(s)) {
      readCommonJsExport(w, st, s.expression, add);
      const e = w.unwrap(s.expression);
      const c = ts.isBinaryExpression(e) && e.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && e.operatorToken.kind <= ts.SyntaxKind.LastAssignment ? w.chain(e.left) : undefined;
      if (c?.length === 2 && (c[0] === 'global' || c[0] === 'globalThis')) globals.add(c[1]!);
    } else if (ts.isIfStatement(s) || ts.isBlock(s) || ts.isTryStatement(s)) blockFunctions(w, s, st.fns);
  }
  for (const e of exp) if (e.local && aliases.has(e.local)) e.local = aliases.get(e.local);
  const singletons = singletonClasses(w, sf, classDecls, st.singletonVars);
  for (const c of classDecls) {
    const vars = singletons.get(c.name!.text);
    if (vars) instanceFields(w, st, c, vars, add);
  }
  for (const b of st.bindings.values()) w.facts.bindings.push(b);
}

/**
 * Functions declared in the module's top-level blocks (`if (!addr) { const detect = async () => {...}; detect(); }`):
 * run-time contexts name them as top-level functions, so their calls are kept by name too.
 */
function blockFunctions(w: Walk, s: TS.Statement, fns: Set<string>): void {
  const ts = w.ts;
  if (ts.isIfStatement(s)) {
    blockFunctions(w, s.thenStatement, fns);
    if (s.elseStatement) blockFunctions(w, s.elseStatement, fns);
  } else if (ts.isTryStatement(s)) {
    for (const b of [s.tryBlock, s.catchClause?.block, s.finallyBlock]) if (b) blockFunctions(w, b, fns);
  } else if (ts.isBlock(s)) {
    for (const x of s.statements) {
      if (ts.isFunctionDeclaration(x) && x.name) fns.add(x.name.text);
      else if (!ts.isVariableStatement(x)) blockFunctions(w, x, fns);
      else {
        for (const d of x.declarationList.declarations) {
          const init = d.initializer && w.unwrap(d.initializer);
          if (ts.isIdentifier(d.name) && init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) fns.add(d.name.text);
        }
      }
    }
  }
}

/**
 * The classes of a file with one instance per process, each with the module-level names that hold
 * it: NestJS providers, controllers, gateways and resolvers in the default scope (none that
 * injects the request or a request-scoped provider of the file, which makes it request-scoped
 * too), and classes the module itself instantiates once, at its top level, and does not export
 * (`const registry = new Registry()`, `export default new Registry()`, `module.exports = { store: new Store() }`).
 */
function singletonClasses(w: Walk, sf: TS.SourceFile, classes: TS.ClassDeclaration[], localVars: Map<string, string>): Map<string, string[]> {
  const ts = w.ts;
  const out = new Map<string, string[]>();
  if (!classes.length) return out;
  const scopes = new Map(classes.map((c) => [c, providerScope(w, c)]));
  const providers = classes.filter((c) => scopes.get(c) !== undefined);
  // Request scope bubbles up to whoever injects it (Nest's scope hierarchy); transient scope does not.
  const request = new Set(providers.filter((c) => scopes.get(c) === 'request').map((c) => c.name!.text));
  // Those that inject the request themselves, then, from each request-scoped name, those whose constructor injects it.
  const injectedBy = new Map<string, TS.ClassDeclaration[]>();
  for (const c of providers) {
    for (const t of constructorTypes(ts, c)) {
      const list = injectedBy.get(t);
      if (list) list.push(c);
      else injectedBy.set(t, [c]);
    }
    if (injectsRequestToken(w, c)) request.add(c.name!.text);
  }
  for (const name of request) {
    // A set iterates over what is added while it runs: each name once.
    for (const c of injectedBy.get(name) ?? []) request.add(c.name!.text);
  }
  for (const c of providers) {
    const name = c.name!.text;
    const scope = request.has(name) ? 'request' : scopes.get(c) === 'transient' ? 'transient' : undefined;
    const injects = importedInjects(w, c);
    w.facts.providers.push({ cls: name, ...(scope ? { scope } : {}), ...(injects.length ? { injects } : {}) });
    if (!scope) out.set(name, []);
  }
  const candidates = classes.filter((c) => scopes.get(c) === undefined && !hasModifier(ts, c, ts.SyntaxKind.ExportKeyword));
  if (!candidates.length) return out;
  // Instances made by the module's own top-level code, and the names that keep them: a `const`
  // (`local`), or what the module exports it as (`default`, `queue` for `module.exports = { queue: new Queue() }`).
  const made = new Map<string, { name: string; local: boolean }[]>();
  const note = (e: TS.Expression | undefined, name = '', local = false, exported = false) => {
    const u = e && w.unwrap(e);
    if (!u) return;
    if (ts.isNewExpression(u) && ts.isIdentifier(u.expression)) {
      const list = made.get(u.expression.text);
      if (list) list.push({ name, local });
      else made.set(u.expression.text, [{ name, local }]);
    } else if (ts.isObjectLiteralExpression(u)) {
      for (const p of u.properties) {
        const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : '';
        if (ts.isPropertyAssignment(p)) note(p.initializer, exported ? key : '');
      }
    }
  };
  for (const s of sf.statements) {
    if (ts.isVariableStatement(s)) {
      const isConst = (s.declarationList.flags & ts.NodeFlags.Const) !== 0;
      for (const d of s.declarationList.declarations) note(d.initializer, isConst && ts.isIdentifier(d.name) ? d.name.text : '', true);
    } else if (ts.isExportAssignment(s)) note(s.expression, 'default', false, true);
    else if (ts.isExpressionStatement(s)) {
      const e = w.unwrap(s.expression);
      if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
      const c = exportsChain(w, e.left);
      note(e.right, c?.length === 0 ? 'default' : c?.length === 1 ? c[0] : '', false, c?.length === 0);
    }
  }
  const exp = w.facts.moduleExports;
  const exported = new Set(exp.map((e) => e.local));
  let counts: Map<string, number> | undefined;
  for (const c of candidates) {
    const name = c.name!.text;
    const news = made.get(name);
    if (news?.length !== 1 || exported.has(name)) continue;
    // Made once in the whole file: no per-request `new Registry()` beside it.
    if (newCount(sf.text, name, (counts ??= newCounts(sf.text))) !== 1) continue;
    const { name: keptAs, local } = news[0]!;
    // Exported as an expression (`export default new Registry()`): named, so importers' calls can be followed to it.
    if (keptAs && !local && !exp.some((e) => e.name === keptAs)) exp.push({ name: keptAs, local: keptAs });
    out.set(name, keptAs ? [keptAs] : []);
    if (keptAs && local) localVars.set(keptAs, name);
  }
  return out;
}

/**
 * How many times `new` is followed by each name in the text (`new Registry(`, in code, strings and
 * comments alike), counted in one pass: a file of thousands of classes asks for each.
 */
function newCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const at = /\bnew\s+/g;
  const id = /[\w$]+/y;
  while (at.exec(text)) {
    id.lastIndex = at.lastIndex;
    const m = id.exec(text);
    if (m) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  }
  return counts;
}

/** The times `new name` stands in the text; a name of other than ASCII letters, digits, `_` and `$` is searched for on its own. */
function newCount(text: string, name: string, counts: Map<string, number>): number {
  if (/^[\w$]+$/.test(name)) return counts.get(name) ?? 0;
  return (text.match(new RegExp(`\\bnew\\s+${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g')) ?? []).length;
}

/** Decorators that make a class a provider of a DI container, one instance per process unless scoped otherwise. */
const PROVIDER_DECORATORS = new Set(['Injectable', 'Controller', 'WebSocketGateway', 'Resolver', 'QueryHandler', 'CommandHandler', 'EventsHandler', 'Processor']);

/** The scope of a NestJS provider (controller, gateway, resolver); undefined for a class that is none. */
function providerScope(w: Walk, c: TS.ClassDeclaration): 'default' | 'request' | 'transient' | undefined {
  const ts = w.ts;
  for (const m of c.modifiers ?? []) {
    if (!ts.isDecorator(m) || !ts.isCallExpression(m.expression)) continue;
    const origin = w.resolve(m.expression.expression);
    if (!origin?.module.startsWith('@nestjs/') || !PROVIDER_DECORATORS.has(origin.path[0] ?? '')) continue;
    for (const a of m.expression.arguments) {
      const u = w.unwrap(a);
      // Only an object literal is options: `@Resolver(() => User)`, `@WebSocketGateway(3001, {...})`, `@Controller(PATH)`
      // pass a type, a port or a path; `@Injectable(options)` kept in a variable cannot be read.
      if (!ts.isObjectLiteralExpression(u)) {
        if (origin.path[0] === 'Injectable' && !ts.isStringLiteralLike(u)) return 'request';
        continue;
      }
      for (const p of u.properties) {
        const name = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
        // A scope it cannot read counts as the request scope: no singleton, and it bubbles up.
        if (ts.isSpreadAssignment(p) || (ts.isShorthandPropertyAssignment(p) && p.name.text === 'scope')) return 'request';
        if (name === 'scope' && ts.isPropertyAssignment(p) && !/^Scope\.DEFAULT$/.test(w.text(p.initializer))) return /^Scope\.TRANSIENT$/.test(w.text(p.initializer)) ? 'transient' : 'request';
      }
    }
    return 'default';
  }
  return undefined;
}

/** Tokens that inject the request being served. */
const REQUEST_TOKENS = new Set(['REQUEST', 'CONTEXT', 'INQUIRER']);

/** Does the class inject the request (`@Inject(REQUEST)` on a constructor parameter or a property)? */
function injectsRequestToken(w: Walk, c: TS.ClassDeclaration): boolean {
  const ts = w.ts;
  const requestToken = (d: TS.ModifierLike) => {
    if (!ts.isDecorator(d) || !ts.isCallExpression(d.expression) || w.text(d.expression.expression) !== 'Inject') return false;
    const a = d.expression.arguments[0] && w.unwrap(d.expression.arguments[0]);
    if (!a || !ts.isIdentifier(a)) return false;
    // `import { REQUEST as REQ } from '@nestjs/core'`
    const imp = w.imports.get(a.text);
    return REQUEST_TOKENS.has(imp?.path[0] ?? a.text);
  };
  const ctor = c.members.find((m): m is TS.ConstructorDeclaration => ts.isConstructorDeclaration(m));
  if (ctor?.parameters.some((p) => (p.modifiers ?? []).some(requestToken))) return true;
  return c.members.some((m) => ts.isPropertyDeclaration(m) && (m.modifiers ?? []).some(requestToken));
}

/** The type names of a class's constructor parameters (`constructor(private readonly registry: Registry)` → `Registry`). */
function constructorTypes(ts: Walk['ts'], c: TS.ClassDeclaration): string[] {
  const ctor = c.members.find((m): m is TS.ConstructorDeclaration => ts.isConstructorDeclaration(m));
  return (ctor?.parameters ?? []).map((p) => typeName(ts, p.type) ?? '');
}

/** `Registry` for a parameter typed `Registry` (or `Readonly<Registry>`-free plain references only). */
function typeName(ts: Walk['ts'], t: TS.TypeNode | undefined): string | undefined {
  return t && ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName) ? t.typeName.text : undefined;
}

/** The providers of other modules a class's constructor injects by type. */
function importedInjects(w: Walk, c: TS.ClassDeclaration): { module: string; name: string }[] {
  const ts = w.ts;
  const ctor = c.members.find((m): m is TS.ConstructorDeclaration => ts.isConstructorDeclaration(m));
  const out: { module: string; name: string }[] = [];
  for (const p of ctor?.parameters ?? []) {
    const imp = w.imports.get(typeName(ts, p.type) ?? '');
    if (imp && imp.module.startsWith('.')) out.push({ module: imp.module, name: imp.path[0] ?? 'default' });
  }
  return out;
}

/**
 * The fields of a singleton class that hold containers (`notes = new Map()`, `private queue = []`),
 * as bindings named `Class#field`: one copy per process, like a module-level Map.
 */
function instanceFields(w: Walk, st: FileState, c: TS.ClassDeclaration, vars: string[], add: (b: StateBinding) => void): void {
  const ts = w.ts;
  const fields = new Map<string, TS.PropertyDeclaration>();
  const found = (name: string, node: TS.Node, init: TS.Expression | undefined) => {
    const v = valueOf(w, init);
    if (!isContainer(v) || st.bindings.has(`${c.name!.text}#${name}`)) return;
    st.instances = true;
    add({ name: `${c.name!.text}#${name}`, decl: 'instance', ...v, ...(vars.length ? { vars } : {}), ...promisesOf(ts, fields.get(name)?.type, init && w.unwrap(init)), span: w.span(node) });
  };
  for (const m of c.members) {
    if (!ts.isPropertyDeclaration(m) || hasModifier(ts, m, ts.SyntaxKind.StaticKeyword)) continue;
    if (!ts.isIdentifier(m.name) && !ts.isPrivateIdentifier(m.name)) continue;
    fields.set(m.name.text, m);
    if (m.initializer) found(m.name.text, m.name, m.initializer);
  }
  // `private sessions: Map<...>; constructor() { this.sessions = new Map(); }`: created by the constructor itself.
  const ctor = c.members.find((m): m is TS.ConstructorDeclaration => ts.isConstructorDeclaration(m) && !!m.body);
  for (const s of ctor?.body?.statements ?? []) {
    const e = ts.isExpressionStatement(s) ? w.unwrap(s.expression) : undefined;
    if (!e || !ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    const target = w.unwrap(e.left);
    if (!ts.isPropertyAccessExpression(target) || target.expression.kind !== ts.SyntaxKind.ThisKeyword) continue;
    const name = target.name.text;
    found(name, fields.get(name)?.name ?? target, e.right);
  }
}

/** `module.exports = {...}`, `module.exports = x`, `exports.x = ...`, `module.exports.x = ...`, and a top-level `Object.freeze(x)`. */
function readCommonJsExport(w: Walk, st: FileState, e: TS.Expression, add: (b: StateBinding) => void): void {
  const ts = w.ts;
  const exp = w.facts.moduleExports;
  if (ts.isCallExpression(e) && w.text(e.expression) === 'Object.freeze' && e.arguments[0] && ts.isIdentifier(e.arguments[0])) {
    const name = e.arguments[0].text;
    if (st.bindings.get(name)?.decl === 'const') st.bindings.delete(name);
    return;
  }
  if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  const c = exportsChain(w, e.left);
  if (!c) return;
  const right = w.unwrap(e.right);
  if (c.length === 0) {
    if (ts.isIdentifier(right)) exp.push({ name: 'default', local: right.text });
    else if (ts.isObjectLiteralExpression(right)) exportObject(ts, right, exp);
    return;
  }
  if (c.length !== 1) return;
  const name = c[0]!;
  if (ts.isIdentifier(right)) return void exp.push({ name, local: right.text });
  const v = valueOf(w, right);
  if (v === 'fn') {
    st.fns.add(name);
    exp.push({ name, local: name });
  } else if (typeof v === 'object' || (v === 'value' && isLiteral(ts, right))) {
    add({ name: `exports.${name}`, decl: 'exports', ...(typeof v === 'object' ? v : { value: 'value' }), span: w.span(e.left) });
    exp.push({ name, local: `exports.${name}` });
  }
}

/**
 * The members of an exported object literal (`module.exports = {...}`, `export default {...}`):
 * `{ a }` and `{ b: a }` export the local `a`; a method `{ init() {} }` is the function `default.init`.
 */
function exportObject(ts: Walk['ts'], o: TS.ObjectLiteralExpression, exp: ExportFact[]): void {
  for (const p of o.properties) {
    if (ts.isShorthandPropertyAssignment(p)) exp.push({ name: p.name.text, local: p.name.text });
    else if (!p.name || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) continue;
    else if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.initializer)) exp.push({ name: p.name.text, local: p.initializer.text });
    else if (ts.isMethodDeclaration(p) || (ts.isPropertyAssignment(p) && (ts.isArrowFunction(p.initializer) || ts.isFunctionExpression(p.initializer)))) {
      exp.push({ name: p.name.text, local: `default.${p.name.text}` });
    }
  }
}

/** `Registry` for `const A = Registry` or `const A = global.Registry` (once `global.Registry` is assigned), where `Registry` is a top-level class or function of the file. */
function aliasOf(w: Walk, st: FileState, init: TS.Expression, globals: Set<string>): string | undefined {
  const ts = w.ts;
  const e = w.unwrap(init);
  const c = ts.isIdentifier(e) ? [e.text] : ts.isPropertyAccessExpression(e) ? w.chain(e) : undefined;
  const name = c?.length === 1 ? c[0] : c?.length === 2 && (c[0] === 'global' || c[0] === 'globalThis') && globals.has(c[1]!) ? c[1] : undefined;
  return name && (st.classes.has(name) || st.fns.has(name)) ? name : undefined;
}

/**
 * A declared function type (`static trace?: (fn: Fn) => Promise<void>`, or a local alias of one):
 * with no value yet, the binding is a hook slot that holds a function, not data.
 */
function holdsFunction(ts: Walk['ts'], t: TS.TypeNode | undefined, fnTypes: Set<string>): boolean {
  if (!t) return false;
  if (ts.isParenthesizedTypeNode(t)) return holdsFunction(ts, t.type, fnTypes);
  if (ts.isFunctionTypeNode(t)) return true;
  if (ts.isTypeReferenceNode(t)) return ts.isIdentifier(t.typeName) && fnTypes.has(t.typeName.text);
  const empty = (x: TS.TypeNode) => x.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isLiteralTypeNode(x) && x.literal.kind === ts.SyntaxKind.NullKeyword);
  return ts.isUnionTypeNode(t) && t.types.some((x) => holdsFunction(ts, x, fnTypes)) && t.types.every((x) => holdsFunction(ts, x, fnTypes) || empty(x));
}

/** `module.exports.a` / `exports.a` → `['a']`; `module.exports` → `[]`; anything else → undefined. */
function exportsChain(w: Walk, e: TS.Expression): string[] | undefined {
  const c = w.chain(e);
  if (!c) return undefined;
  if (c[0] === 'module' && c[1] === 'exports') return c.slice(2);
  if (c[0] === 'exports') return c.slice(1);
  return undefined;
}

function readExportDeclaration(ts: Walk['ts'], s: TS.ExportDeclaration, exp: ExportFact[]): void {
  const from = s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier) ? s.moduleSpecifier.text : undefined;
  const clause = s.exportClause;
  if (!clause) {
    if (from) exp.push({ name: '*', from, imported: '*' });
    return;
  }
  if (ts.isNamespaceExport(clause)) {
    if (from) exp.push({ name: clause.name.text, from, imported: '*' });
    return;
  }
  for (const el of clause.elements) {
    const inner = (el.propertyName ?? el.name).text;
    exp.push(from ? { name: el.name.text, from, imported: inner } : { name: el.name.text, local: inner });
  }
}

type Value = { value: ValueKind; lib?: string } | 'value' | 'fn' | 'skip';

/** What an initialiser makes: a container, a function, something frozen or weak (`skip`), or an unknown value. */
function valueOf(w: Walk, init: TS.Expression | undefined): Value {
  const ts = w.ts;
  if (!init) return 'value';
  const e = w.unwrap(init);
  if (ts.isArrayLiteralExpression(e)) return { value: 'array' };
  if (ts.isObjectLiteralExpression(e)) return { value: 'object' };
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e) || ts.isClassExpression(e)) return 'fn';
  if (ts.isNewExpression(e)) {
    const name = ts.isIdentifier(e.expression) ? e.expression.text : undefined;
    if (name === 'Map' || name === 'Set') return { value: name };
    if (name === 'Array') return { value: 'array' };
    if (name === 'WeakMap' || name === 'WeakSet' || name === 'WeakRef' || name === 'Promise') return 'skip';
    const origin = w.resolve(e.expression);
    if (origin && CACHE_LIBS.has(origin.module)) return { value: 'cache', lib: origin.module };
    return 'value';
  }
  if (ts.isCallExpression(e)) {
    const callee = w.text(e.expression, 40);
    // Frozen objects cannot change; a promise chain (`Promise.resolve()`) serialises work, it holds no data.
    if (callee === 'Object.freeze' || callee === 'Promise.resolve' || callee === 'Promise.reject') return 'skip';
    if (callee === 'Object.create') return { value: 'object' };
    if (callee === 'Array.from' || callee === 'Array.of') return { value: 'array' };
    const origin = w.resolve(e.expression);
    if (origin && CACHE_LIBS.has(origin.module)) return { value: 'cache', lib: origin.module };
  }
  return 'value';
}

function isContainer(v: Value): v is { value: ValueKind; lib?: string } {
  return typeof v === 'object';
}

function isLiteral(ts: Walk['ts'], e: TS.Expression): boolean {
  return ts.isNumericLiteral(e) || ts.isStringLiteralLike(e) || e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword;
}

function hasModifier(ts: Walk['ts'], n: TS.Node, kind: TS.SyntaxKind): boolean {
  // The node's own modifier list (decorators included): no filtered copy, as `ts.getModifiers` makes.
  const mods = ts.canHaveModifiers(n) ? (n as { modifiers?: TS.NodeArray<TS.ModifierLike> }).modifiers : undefined;
  if (mods) for (let i = 0; i < mods.length; i++) if (mods[i]!.kind === kind) return true;
  return false;
}

/** The identifier (or `this`) at the root of `a.b[c].d`, found without building the chain. */
function rootOf(w: Walk, e: TS.Expression): string | undefined {
  const ts = w.ts;
  for (let cur = e; ; ) {
    cur = w.unwrap(cur);
    if (ts.isPropertyAccessExpression(cur) || ts.isElementAccessExpression(cur)) cur = cur.expression;
    else if (ts.isIdentifier(cur)) return cur.text;
    else return cur.kind === ts.SyntaxKind.ThisKeyword ? 'this' : undefined;
  }
}

function write(w: Walk, st: FileState, target: TS.Expression, op: StateWrite['op'], method: string | undefined, node: TS.Node): void {
  const ts = w.ts;
  const first = rootOf(w, target);
  if (!first || !((first === 'this' && (st.statics || st.instances)) || first === 'module' || st.roots.has(first) || w.imports.has(first) || st.singletonVars.has(first))) return;
  const chain = w.targetChain(target);
  if (!chain) return;
  let full = chain;
  // `registry.items.push(x)` on the module's one instance: its field `Registry#items`.
  if (st.singletonVars.has(chain[0]!) && chain.length > 1 && !st.roots.has(chain[0]!)) {
    const key = `${st.singletonVars.get(chain[0]!)}#${chain[1]}`;
    if (!st.bindings.has(key) || shadowed(w, chain[0]!)) return;
    full = [key, ...chain.slice(2)];
  } else if (chain[0] === 'this') {
    const cls = st.statics ? staticClass(w) : undefined;
    if (cls) full = [cls, ...chain.slice(1)];
    else {
      // A field of a singleton, written in one of its methods. The constructor (and what it runs on
      // the spot: `keys.forEach((k) => this.names.add(k))`) fills it as the field's initialiser would.
      const inst = st.instances && chain.length > 1 ? instanceClass(w) : undefined;
      if (!inst || runContext(w, false).fn === `${inst.name!.text}.constructor`) return;
      full = [`${inst.name!.text}#${chain[1]}`, ...chain.slice(2)];
    }
  } else if (chain[0] === 'module' && chain[1] === 'exports') full = ['exports', ...chain.slice(2)];
  const root = full[0]!;
  const isImport = !st.roots.has(root) && w.imports.has(root);
  if (!st.roots.has(root) && !isImport) return;
  let binding: string | undefined;
  let path: string[];
  if (isImport) path = full.slice(1);
  else {
    const two = full.length > 1 ? `${root}.${full[1]}` : undefined;
    binding = two && st.bindings.has(two) ? two : st.bindings.has(root) ? root : undefined;
    if (!binding) return;
    path = full.slice(binding.split('.').length);
  }
  if (chain[0] !== 'this' && root !== 'exports' && shadowed(w, root)) return;
  // `registries.npm.delete(req, res)` on `const registries = { npm: { delete: remove } }`: the literal's own function, called.
  if (op === 'call' && path.length && binding && st.bindings.get(binding)!.decl === 'const' && ownMember(w, st.objects.get(binding), path, method!)) return;
  const ctx = runContext(w);
  if (ctx.run === 'top') return;
  if (op === 'lazy' && path.length) op = 'assign';
  if (op === 'assign' && !path.length && isLazyInit(w, chain.join('.'), node as TS.BinaryExpression)) op = 'lazy';
  if (op === 'assign' && !path.length && ts.isBinaryExpression(node) && isNullish(w, node.right)) op = 'reset';
  // `crypto = require('crypto')` hands back the same cached module every time.
  if (op === 'assign' && !path.length && ts.isBinaryExpression(node) && w.requireOf(node.right)) op = 'lazy';
  const cls = enclosingClass(w);
  const right = op === 'assign' && ts.isBinaryExpression(node) ? w.unwrap(node.right) : undefined;
  const bool = right && (right.kind === ts.SyntaxKind.TrueKeyword || right.kind === ts.SyntaxKind.FalseKeyword);
  const args = ts.isCallExpression(node) ? node.arguments : undefined;
  const stored = right ?? (method === 'set' || method === 'put' ? args?.[1] : args?.[0]);
  // `const controller = new AbortController(); inflight.set(id, controller)`: what the name was made as.
  const named = stored && w.unwrap(stored);
  const value = named && ts.isIdentifier(named) ? (constantValue(w, named.text) ?? stored) : stored;
  // Built field by field (in this order) rather than from spreads: this runs for every write.
  const out = (binding ? { binding } : { import: root }) as StateWrite;
  out.path = path;
  out.op = op;
  if (method) out.method = method;
  if (cls) out.cls = cls;
  if (bool) out.bool = true;
  if (op === 'delete' || method === 'delete') {
    if (inFinally(w)) out.transient = true;
    else if (onFailure(w)) out.onFailure = true;
  }
  if (onceGuarded(w, (n) => !!st.bindings.get(n)?.bool, (r) => st.roots.has(r) || w.imports.has(r), chain.join('.'))) out.once = true;
  if (stored && (storesFunction(w, stored) || (value !== stored && storesFunction(w, value!)))) out.fnValue = true;
  if (stored && storesPromise(w, stored)) out.promise = true;
  if (value && (op === 'assign' || method === 'set' || method === 'put' || method === 'push' || method === 'add') && opensHandle(w, value)) out.handle = true;
  if (named && (op === 'assign' || method === 'set' || method === 'put') && storesCount(ts, named)) out.counts = true;
  Object.assign(out, ctx);
  out.span = w.span(node);
  w.facts.writes.push(out);
}

/**
 * Does the object literal, followed down `path` through nested literals, declare a member `name`?
 * Calling it then calls that member, which a plain object holds: no Map or array method.
 */
function ownMember(w: Walk, literal: TS.ObjectLiteralExpression | undefined, path: string[], name: string): boolean {
  const ts = w.ts;
  const member = (o: TS.ObjectLiteralExpression, key: string) =>
    o.properties.find((p) => !ts.isSpreadAssignment(p) && !!p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === key);
  let o = literal;
  for (const key of path) {
    const p = o && member(o, key);
    const next = p && ts.isPropertyAssignment(p) ? w.unwrap(p.initializer) : undefined;
    o = next && ts.isObjectLiteralExpression(next) ? next : undefined;
  }
  const m = o && member(o, name);
  if (!m) return false;
  // A method that writes through `this` (`set(id, s) { this.data[id] = s; }`) changes the object: that is a write.
  const fn = ts.isPropertyAssignment(m) ? w.unwrap(m.initializer) : m;
  const usesThis = (ts.isMethodDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isGetAccessor(fn) || ts.isSetAccessor(fn)) && /\bthis\b/.test(w.text(fn, Infinity));
  return !usesThis;
}

/** `n + 1`, `(counts.get(k) ?? 0) - 1`, or a record that starts counts: `{ successCount: 0, failures: 0 }`. */
function storesCount(ts: Walk['ts'], e: TS.Expression): boolean {
  const one = (x: TS.Expression) => ts.isNumericLiteral(x) && x.text === '1';
  if (ts.isBinaryExpression(e)) return (e.operatorToken.kind === ts.SyntaxKind.PlusToken || e.operatorToken.kind === ts.SyntaxKind.MinusToken) && (one(e.right) || one(e.left));
  if (!ts.isObjectLiteralExpression(e)) return false;
  return e.properties.some((p) => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && /^(?:counts?|totals?|hits)$|[a-z](?:Counts?|Totals?|Hits)$/.test(p.name.text) && ts.isNumericLiteral(p.initializer));
}

/** Receivers whose methods are never the service's own. */
const GLOBALS = new Set(['Object', 'JSON', 'Math', 'Promise', 'Array', 'console', 'process', 'Reflect', 'Number', 'String', 'Date', 'Buffer', 'Symbol', 'Error']);

/**
 * `main()`, `db.connect()`, `api.init()`, `this.loadAll()`: calls of top-level functions, of imported
 * ones, of module-level objects' methods, and of other methods by name, with where they run (`ctx`
 * for a function passed as an argument).
 */
function noteCall(w: Walk, st: FileState, callee: TS.Expression, suffix: string[] = [], ctx?: RunContext, decorator = false, once = false, call?: TS.CallExpression): void {
  const ts = w.ts;
  let name: string | undefined;
  let path: string[] = suffix;
  if (ts.isIdentifier(callee)) name = callee.text;
  else if (ts.isPropertyAccessExpression(callee)) {
    const first = rootOf(w, callee);
    const known = (x: string | undefined) => !!x && (w.imports.has(x) || st.classes.has(x) || st.objects.has(x));
    const c = first && ((first === 'this' && st.classes.size > 0) || known(first)) ? w.chain(callee) : undefined;
    const root = c?.[0] === 'this' ? staticClass(w) : c?.[0];
    const method = callee.name.text;
    const recv = w.unwrap(callee.expression);
    const made = ts.isNewExpression(recv) && ts.isIdentifier(recv.expression) ? recv.expression.text : undefined;
    let own: TS.ClassDeclaration | undefined;
    let injected: string | undefined;
    if (c && known(root)) [name, path] = [root!, c.slice(1)];
    // A singleton's own methods, whatever their names: `this.seed()` in `onModuleInit`, `registry.add()` at start-up.
    else if (st.instances && recv.kind === ts.SyntaxKind.ThisKeyword && (own = instanceClass(w)) && declares(w, own, method)) [name, path] = [`${own.name!.text}#${method}`, []];
    else if (ts.isIdentifier(recv) && st.singletonVars.has(recv.text) && !shadowed(w, recv.text)) [name, path] = [`${st.singletonVars.get(recv.text)}#${method}`, []];
    // `this.registry.add()` on a provider the constructor injects (`constructor(private registry: Registry)`): that class's method.
    else if (st.nest && ts.isPropertyAccessExpression(recv) && recv.expression.kind === ts.SyntaxKind.ThisKeyword && (injected = injectedType(w, st.classes, recv.name.text))) {
      [name, path] = w.imports.has(injected) ? [injected, [`#${method}`]] : [`${injected}#${method}`, []];
    } else if (!CALLED_BY_NAME.test(method) || GLOBALS.has(first ?? '')) return;
    // `this.load()` in a class that has `load`, `new Loader().load()`: that class's method.
    else if (recv.kind === ts.SyntaxKind.ThisKeyword && declares(w, instanceClass(w), method)) [name, path] = [`${instanceClass(w)!.name!.text}#${method}`, []];
    else if (made && st.classes.has(made)) [name, path] = [`${made}#${method}`, []];
    else if (made && w.imports.has(made)) [name, path] = [made, [`#${method}`]];
    else [name, path] = [`.${method}`, []];
  }
  if (!name) return;
  const imp = w.imports.get(name);
  if (!(name.startsWith('.') || name.includes('#') || st.fns.has(name) || st.classes.has(name) || st.objects.has(name) || (imp && !BUILTIN.test(imp.module)))) return;
  let c: RunContext;
  let byName: Map<string, Set<string>>;
  // Calls come function by function: the context and the calls already seen of the function the
  // walk is in are kept at hand (a context depends only on the enclosing function).
  const here = ctx ? undefined : w.enclosingFunction();
  if (here !== undefined && st.current?.fn === here) ({ ctx: c, byName } = st.current);
  else {
    c = ctx ?? runContext(w, false);
    let known = st.byContext.get(c);
    if (!known) {
      // Contexts alike (two callbacks of one function) share their calls.
      const where = `${c.run}|${c.fn ?? ''}`;
      known = st.calls.get(where);
      if (!known) st.calls.set(where, (known = new Map()));
      st.byContext.set(c, known);
    }
    byName = known;
    if (here !== undefined) st.current = { fn: here, ctx: c, byName };
  }
  // Only a call of a function by name (`setup()`), inside a function, can be left to run once by a guard around it.
  const guard = call && !path.length && !decorator && c.run !== 'top' && c.run !== 'startup' && c.run !== 'signal' ? callGuard(w, st, call) : undefined;
  let paths = byName.get(name);
  if (!paths) byName.set(name, (paths = new Set()));
  const p = (path.length ? path.join('.') : '') + (decorator ? '@' : '') + (once ? '!' : '') + (guard ? `?${guard}` : '');
  if (paths.has(p)) return;
  paths.add(p);
  const fact: FnCall = { name, path, run: c.run };
  if (c.fn) fact.fn = c.fn;
  if (decorator) fact.decorator = decorator;
  if (once) fact.once = true;
  if (guard) fact.guard = guard;
  w.facts.fnCalls.push(fact);
}

/** The module-level binding (or imported name) whose being unset the call waits for: `if (!client) await setup()`. */
function callGuard(w: Walk, st: FileState, call: TS.CallExpression): string | undefined {
  return lazyGuard(w, call, (c) => !c.includes('[]') && (st.roots.has(c[0]!) || w.imports.has(c[0]!)) && !shadowed(w, c[0]!));
}

/**
 * `if (S.instance == null) S.instance = new S()`, `instance ??= new S()`: an instance made once per
 * process, kept in a static field or a module-level binding (a lazy singleton).
 */
function madeOnce(w: Walk, st: FileState, node: TS.Node): boolean {
  const ts = w.ts;
  let d = 1;
  let child = node;
  let a = w.parent(d);
  while (a && (ts.isParenthesizedExpression(a) || ts.isAsExpression(a))) [child, a] = [a, w.parent(++d)];
  // `instance = instance || new S()`: the assignment is one up.
  if (a && ts.isBinaryExpression(a) && a.right === child && (a.operatorToken.kind === ts.SyntaxKind.BarBarToken || a.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) [child, a] = [a, w.parent(++d)];
  if (!a || !ts.isBinaryExpression(a) || a.right !== child) return false;
  const op = a.operatorToken.kind;
  const chain = w.targetChain(a.left);
  if (!chain) return false;
  const root = chain[0]!;
  // One slot (`instance`, `S.instance`, `this.instance` in a static method): not a keyed map of them (`rooms[id] ??= new Room()`).
  const kept =
    root === 'this'
      ? chain.length === 2 && chain[1] !== '[]' && !!staticClass(w)
      : (chain.length === 1 || (chain.length === 2 && chain[1] !== '[]' && st.classes.has(root))) && (st.classes.has(root) || st.roots.has(root)) && !shadowed(w, root);
  if (!kept) return false;
  return op === ts.SyntaxKind.QuestionQuestionEqualsToken || op === ts.SyntaxKind.BarBarEqualsToken || (op === ts.SyntaxKind.EqualsToken && isLazyInit(w, chain.join('.'), a));
}

/** The top-level class whose instance method, constructor, accessor or field the walk is in (through arrow functions). */
function instanceClass(w: Walk): TS.ClassDeclaration | undefined {
  const ts = w.ts;
  // All it looks for are scopes: the walk's scopes are asked, not every ancestor.
  for (let i = 0; i < w.scopeCount; i++) {
    const d = w.scopeDepth(i);
    const a = w.parent(d)!;
    if (ts.isSourceFile(a)) return undefined;
    if (ts.isArrowFunction(a)) continue;
    if (ts.isMethodDeclaration(a) || ts.isConstructorDeclaration(a) || ts.isGetAccessor(a) || ts.isSetAccessor(a) || ts.isPropertyDeclaration(a)) {
      const cls = w.parent(d + 1);
      if (hasModifier(ts, a, ts.SyntaxKind.StaticKeyword)) return undefined;
      return cls && ts.isClassDeclaration(cls) && cls.name && w.parent(d + 2) === w.sf ? cls : undefined;
    }
    if (isFunctionLike(ts, a)) return undefined;
  }
  return undefined;
}

const INJECTED = localKey();

/** The class a constructor parameter property of the enclosing class is typed with (`constructor(private readonly registry: Registry)`). */
function injectedType(w: Walk, classes: Set<string>, prop: string): string | undefined {
  const ts = w.ts;
  const cls = instanceClass(w);
  if (!cls) return undefined;
  const byClass = w.local(INJECTED, () => new Map<TS.ClassDeclaration, Map<string, string>>());
  let types = byClass.get(cls);
  if (!types) {
    types = new Map();
    const ctor = cls.members.find((m): m is TS.ConstructorDeclaration => ts.isConstructorDeclaration(m));
    for (const p of ctor?.parameters ?? []) {
      const t = typeName(ts, p.type);
      const isProperty = (p.modifiers ?? []).some((m) => m.kind === ts.SyntaxKind.PrivateKeyword || m.kind === ts.SyntaxKind.PublicKeyword || m.kind === ts.SyntaxKind.ProtectedKeyword || m.kind === ts.SyntaxKind.ReadonlyKeyword);
      if (t && isProperty && ts.isIdentifier(p.name) && (classes.has(t) || w.imports.has(t))) types.set(p.name.text, t);
    }
    byClass.set(cls, types);
  }
  return types.get(prop);
}

/** The names of a class's instance members, listed once per class: a large class calls its own methods hundreds of times. */
const MEMBERS = localKey();

/** Does the class declare an instance member `name` (a method, accessor or field)? */
function declares(w: Walk, cls: TS.ClassDeclaration | undefined, name: string): boolean {
  if (!cls) return false;
  const ts = w.ts;
  const instanceMembers = w.local(MEMBERS, () => new Map<TS.ClassDeclaration, Set<string | undefined>>());
  let names = instanceMembers.get(cls);
  if (!names) {
    names = new Set();
    for (const m of cls.members) if (!ts.isConstructorDeclaration(m) && !hasModifier(ts, m, ts.SyntaxKind.StaticKeyword)) names.add(memberName(ts, m.name));
    instanceMembers.set(cls, names);
  }
  return names.has(name);
}

/** The top-level class whose static method (or static block) the walk is in, for `this.x` writes. */
function staticClass(w: Walk): string | undefined {
  const ts = w.ts;
  for (let i = 0; i < w.scopeCount; i++) {
    const d = w.scopeDepth(i);
    const a = w.parent(d)!;
    if (ts.isSourceFile(a)) return undefined;
    if (ts.isArrowFunction(a)) continue;
    if (ts.isMethodDeclaration(a) || ts.isGetAccessor(a) || ts.isSetAccessor(a) || ts.isClassStaticBlockDeclaration(a)) {
      const cls = w.parent(d + 1);
      const isStatic = ts.isClassStaticBlockDeclaration(a) || hasModifier(ts, a, ts.SyntaxKind.StaticKeyword);
      return isStatic && cls && ts.isClassDeclaration(cls) && cls.name && w.parent(d + 2) === w.sf ? cls.name.text : undefined;
    }
    if (isFunctionLike(ts, a)) return undefined;
  }
  return undefined;
}

/** The name of the innermost class around the walk (classes are scopes of the walk). */
function enclosingClass(w: Walk): string | undefined {
  const ts = w.ts;
  for (let i = 0; i < w.scopeCount; i++) {
    const a = w.parent(w.scopeDepth(i))!;
    if (ts.isSourceFile(a)) return undefined;
    if (ts.isClassDeclaration(a) || ts.isClassExpression(a)) return a.name?.text;
  }
  return undefined;
}

/** Is the walk in a function passed to `.catch()` (or the rejection handler of `.then()`), which runs only when work fails? */
function onFailure(w: Walk): boolean {
  const ts = w.ts;
  if (w.atTopLevel) return false;
  const d = w.functionDepth(0);
  const a = w.parent(d)!;
  const call = w.parent(d + 1);
  if (!call || !ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return false;
  const m = call.expression.name.text;
  return m === 'catch' || (m === 'then' && call.arguments[1] === a);
}

/** `Map<string, Promise<Doc>>`, `Set<Promise<void>>`: a container declared to hold promises, work in progress. */
function promisesOf(ts: Walk['ts'], t: TS.TypeNode | undefined, init?: TS.Expression): { promises?: boolean } {
  // The declared type (`: Map<string, Promise<void>>`), else the constructor's (`new Map<string, Promise<void>>()`).
  let args: readonly TS.TypeNode[] | undefined;
  if (t && ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName) && /^(?:Map|Set)$/.test(t.typeName.text)) args = t.typeArguments;
  else if (!t && init && ts.isNewExpression(init) && ts.isIdentifier(init.expression) && /^(?:Map|Set)$/.test(init.expression.text)) args = init.typeArguments;
  const value = args?.[args.length - 1];
  return value && ts.isTypeReferenceNode(value) && ts.isIdentifier(value.typeName) && /^Promise(?:Like)?$/.test(value.typeName.text) ? { promises: true } : {};
}

/** `let loaded = false` → `{ bool: true }`. */
function boolInit(w: Walk, init: TS.Expression | undefined): { bool?: boolean } {
  const k = init && w.unwrap(init).kind;
  return k === w.ts.SyntaxKind.TrueKeyword || k === w.ts.SyntaxKind.FalseKeyword ? { bool: true } : {};
}
