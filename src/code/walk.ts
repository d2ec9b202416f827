import type { Arg, CodeFacts, ImportFact } from './facts.js';
import type { TS, Ts } from './typescript.js';
import type { Span } from '../types.js';
import { lineOf } from '../lines.js';
import { composedServer, INSTANCE_MODULES } from './frameworks.js';

/** A binding's origin: the module member it was imported as, or the module call that created it. */
export interface Origin {
  module: string;
  path: string[];
}

/** The key of some per-file state a collector keeps on the walk ({@link Walk.local}). */
export interface LocalKey {
  readonly slot: number;
}

let slots = 0;

/** A new key for per-file state on the walk: a slot of its own, found without a lookup on the hot path. */
export function localKey(): LocalKey {
  return { slot: slots++ };
}

/** What a collector sees: the node, and the walk's context around it. */
export interface Collector {
  /** Names of the syntax kinds the collector wants (`'CallExpression'`); it is called for no others. */
  kinds: (keyof typeof TS.SyntaxKind)[];
  visit(node: TS.Node, w: Walk): void;
}

/**
 * Offsets where lines start. Files with only `\n` line breaks (nearly all) are scanned with the
 * native `indexOf`; anything else uses the compiler's own table, which also counts `\r`,
 * U+2028 and U+2029.
 */
function lineStarts(sf: TS.SourceFile): readonly number[] {
  const text = sf.text;
  if (text.includes('\r') || text.includes('\u2028') || text.includes('\u2029')) return sf.getLineStarts();
  const out = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) out.push(i + 1);
  return out;
}

/**
 * Scope kinds by `SyntaxKind`, built for the compiler in use: 1 for a function, 2 for other syntax
 * that declares names or holds code of its own (the file, blocks, case clauses, loops, catch
 * clauses, classes and their fields and static blocks), 0 for the rest.
 */
let functionKinds: { ts: Ts; kinds: Uint8Array } | undefined;

function functionKindsOf(ts: Ts): Uint8Array {
  if (functionKinds?.ts !== ts) {
    const K = ts.SyntaxKind;
    const kinds = new Uint8Array(K.Count + 1);
    for (const k of [K.FunctionDeclaration, K.FunctionExpression, K.ArrowFunction, K.MethodDeclaration, K.Constructor, K.GetAccessor, K.SetAccessor]) kinds[k] = 1;
    for (const k of [
      K.SourceFile, K.Block, K.ModuleBlock, K.CaseClause, K.DefaultClause, K.ForStatement, K.ForInStatement, K.ForOfStatement, K.CatchClause,
      K.ClassDeclaration, K.ClassExpression, K.PropertyDeclaration, K.ClassStaticBlockDeclaration,
    ]) kinds[k] = 2;
    functionKinds = { ts, kinds };
  }
  return functionKinds.kinds;
}

/** Is this node a function whose body runs on its own (declaration, expression, arrow, method, constructor, accessor)? */
export function isFunctionLike(ts: Ts, n: TS.Node): n is TS.FunctionLikeDeclaration {
  return functionKindsOf(ts)[n.kind] === 1;
}

/**
 * What a chain of calls of these methods is called on: `app.route('/x')` under
 * `app.route('/x').get(a).post(b)`, `router` under `router.get(...).post(...)`; the expression
 * itself when it is no such call. Collectors ask from every link of a chain: the answer is kept for
 * each link (under `key`, one per set of methods), so a chain of thousands of links is walked down
 * once, not once per link.
 */
export function chainBottom(w: Walk, e: TS.Expression, methods: ReadonlySet<string>, key: LocalKey): TS.Expression {
  const ts = w.ts;
  const link = (x: TS.Expression): x is TS.CallExpression & { expression: TS.PropertyAccessExpression } =>
    ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && methods.has(x.expression.name.text);
  let u = w.unwrap(e);
  if (!link(u)) return u;
  const known = w.local(key, () => new Map<TS.Node, TS.Expression>());
  const links: TS.Node[] = [];
  while (link(u)) {
    const bottom = known.get(u);
    if (bottom) {
      u = bottom;
      break;
    }
    links.push(u);
    u = w.unwrap(u.expression.expression);
  }
  for (const l of links) known.set(l, u);
  return u;
}

/** Per-kind lookups built once per collector set: who wants a kind, and which kinds hold no code. */
interface DispatchTable {
  byKind: (Collector[] | undefined)[];
  skip: Uint8Array;
}

const tables = new WeakMap<Collector[], DispatchTable>();

function dispatchTable(ts: Ts, collectors: Collector[]): DispatchTable {
  const cached = tables.get(collectors);
  if (cached) return cached;
  const K = ts.SyntaxKind;
  const size = K.Count + 1;
  const byKind: (Collector[] | undefined)[] = new Array(size).fill(undefined);
  for (const c of collectors) {
    for (const name of c.kinds) (byKind[K[name]] ??= []).push(c);
  }
  // Type-only syntax holds no calls, writes or declarations of values: never walked into. Tokens
  // (identifiers, literals, keywords) have no children: unless a collector asks for them, they are
  // not visited at all, which spares the walk almost half of the nodes.
  const skip = new Uint8Array(size);
  for (let k = 0; k < K.FirstNode; k++) if (!byKind[k]) skip[k] = 1;
  for (let k = K.FirstTypeNode; k <= K.LastTypeNode; k++) skip[k] = 1;
  for (const k of [K.InterfaceDeclaration, K.TypeAliasDeclaration, K.ImportDeclaration, K.TypeParameter]) skip[k] = 1;
  const table = { byKind, skip };
  tables.set(collectors, table);
  return table;
}

/**
 * One walk over one file's compiler nodes (`ts.forEachChild`, no ts-morph wrappers), feeding the
 * collectors registered for each syntax kind. It keeps what every collector needs: the imports,
 * the origin of local bindings (`const app = express()`), the ancestors and the enclosing
 * functions. Where a function runs is judged lazily, for the nodes a collector keeps (`context.ts`).
 */
export class Walk {
  readonly imports = new Map<string, Origin>();
  readonly origins = new Map<string, Origin>();
  private readonly ancestors: TS.Node[] = [];
  /** Where the enclosing functions are in {@link ancestors}, outermost first. */
  private readonly functionAt: number[] = [];
  /** Where the enclosing scopes (see {@link scopeDepth}) are in {@link ancestors}, outermost first. */
  private readonly scopeAt: number[] = [];
  private readonly table: DispatchTable;
  /** `visit` bound once: `forEachChild` calls it for every node, so no wrapper per call. */
  private readonly visitChild: (node: TS.Node) => undefined = this.visit.bind(this);
  private readonly locals: unknown[] = [];
  /** {@link isFunctionLike} and scopes as a table (see {@link functionKindsOf}), for the hot loop. */
  private readonly functionKinds: Uint8Array;

  constructor(
    readonly ts: Ts,
    readonly sf: TS.SourceFile,
    readonly facts: CodeFacts,
    collectors: Collector[],
  ) {
    this.table = dispatchTable(ts, collectors);
    this.functionKinds = functionKindsOf(ts);
    this.K = ts.SyntaxKind;
  }

  /** `ts.SyntaxKind`, kept at hand for kind switches on the hot path. */
  readonly K: Ts['SyntaxKind'];

  /**
   * Counts what the walk has learned so far of imports and origins (it only grows): an answer
   * that depends on them, kept by a collector, holds while this has not moved.
   */
  learned = 0;

  run(): void {
    for (const st of this.sf.statements) this.readImports(st);
    this.visit(this.sf);
  }

  /**
   * Per-file state a collector keeps between visits, created on first use and dropped with the
   * walk. (A WeakMap keyed by the walk would keep every file's syntax nodes alive until a full GC.)
   */
  local<T>(key: LocalKey, init: () => T): T {
    let v = this.locals[key.slot] as T | undefined;
    if (v === undefined) this.locals[key.slot] = v = init();
    return v;
  }

  /** The parent of the node being visited (the walk does not set parent pointers, to stay fast). */
  parent(depth = 1): TS.Node | undefined {
    return this.ancestors[this.ancestors.length - depth];
  }

  /** The innermost function around the node being visited (a declaration, expression, arrow, method or accessor), or the file. */
  enclosingFunction(): TS.Node {
    const at = this.functionAt;
    return at.length ? this.ancestors[at[at.length - 1]!]! : this.sf;
  }

  get atTopLevel(): boolean {
    return this.functionAt.length === 0;
  }

  /** How many functions are around the node being visited. */
  get functionCount(): number {
    return this.functionAt.length;
  }

  /**
   * The depth of the `i`-th function around the node being visited, innermost first:
   * `parent(functionDepth(i))` is that function. Questions about the functions around a node are
   * answered from these, not by walking every ancestor: in a chain of thousands of calls, a
   * callback has thousands of ancestors and only a few functions around it.
   */
  functionDepth(i: number): number {
    return this.ancestors.length - this.functionAt[this.functionAt.length - 1 - i]!;
  }

  /** How many scopes are around the node being visited (see {@link scopeDepth}). */
  get scopeCount(): number {
    return this.scopeAt.length;
  }

  /**
   * The depth of the `i`-th scope around the node being visited, innermost first (`parent(depth)`
   * is that scope). Scopes are the ancestors that declare names or hold code of their own: the
   * file, functions, blocks, case clauses, loops, catch clauses, classes, and their fields and
   * static blocks; an ancestor of no such kind never is.
   */
  scopeDepth(i: number): number {
    return this.ancestors.length - this.scopeAt[this.scopeAt.length - 1 - i]!;
  }

  span(node: TS.Node): Span {
    const start = node.getStart(this.sf);
    const end = node.getEnd();
    const lines = (this.lineStarts ??= lineStarts(this.sf));
    const a = lineOf(lines, start);
    const b = lineOf(lines, end);
    return { line: a + 1, column: start - lines[a]! + 1, endLine: b + 1, endColumn: end - lines[b]! + 1 };
  }

  private lineStarts: readonly number[] | undefined;

  /** The 1-based line holding an offset of the file. */
  lineAt(pos: number): number {
    return lineOf((this.lineStarts ??= lineStarts(this.sf)), pos) + 1;
  }

  /** The span between two offsets of the file (a function's head, from its start to its body). */
  spanAt(start: number, end: number): Span {
    const lines = (this.lineStarts ??= lineStarts(this.sf));
    const a = lineOf(lines, start);
    const b = lineOf(lines, end);
    return { line: a + 1, column: start - lines[a]! + 1, endLine: b + 1, endColumn: end - lines[b]! + 1 };
  }

  /** The node's source, whitespace runs as one space, cut to `max` characters (the last one `…` when cut). */
  text(node: TS.Node, max = 80): string {
    const start = node.getStart(this.sf);
    const end = node.getEnd();
    // Only the start of a large node is read (a callback of thousands of lines would otherwise be
    // copied for each step noted inside it): a prefix long enough to give more than `max` characters.
    for (let size = 2 * max; ; size *= 4) {
      const whole = start + size >= end;
      const t = this.sf.text.slice(start, whole ? end : start + size).replace(/\s+/g, ' ');
      if (t.length > max) return t.slice(0, max - 1) + '…';
      if (whole) return t;
    }
  }

  /** `a.b.c` as `['a','b','c']` (with `this` as `'this'`); undefined for anything else. */
  chain(e: TS.Expression): readonly string[] | undefined {
    const known = this.chains.get(e);
    if (known !== undefined) return known ?? undefined;
    const c = this.computeChain(e);
    this.chains.set(e, c ?? null);
    return c;
  }

  // Many collectors ask for the chain and origin of the same callee: answer each once per node.
  private readonly chains = new Map<TS.Expression, string[] | null>();
  private readonly resolvedCallees = new Map<TS.Expression, Origin | null>();

  /** `a.b[k].c` → `['a', 'b', '[]', 'c']`: like {@link chain}, with `'[]'` for a computed key. */
  targetChain(e: TS.Expression): string[] | undefined {
    return this.computeChain(e, true);
  }

  private computeChain(e: TS.Expression, computedKeys = false): string[] | undefined {
    const ts = this.ts;
    const out: string[] = [];
    let cur: TS.Expression = e;
    for (;;) {
      cur = this.unwrap(cur);
      if (ts.isPropertyAccessExpression(cur)) {
        out.push(cur.name.text);
        cur = cur.expression;
      } else if (ts.isElementAccessExpression(cur) && (computedKeys || ts.isStringLiteralLike(cur.argumentExpression))) {
        out.push(ts.isStringLiteralLike(cur.argumentExpression) ? cur.argumentExpression.text : '[]');
        cur = cur.expression;
      } else if (ts.isIdentifier(cur)) {
        out.push(cur.text);
        return out.reverse();
      } else if (cur.kind === ts.SyntaxKind.ThisKeyword) {
        out.push('this');
        return out.reverse();
      } else return undefined;
    }
  }

  /** Strip parentheses, `as`, `satisfies`, `!` and `await`. */
  unwrap(e: TS.Expression): TS.Expression {
    const K = this.K;
    for (;;) {
      switch (e.kind) {
        case K.ParenthesizedExpression:
        case K.AsExpression:
        case K.NonNullExpression:
        case K.AwaitExpression:
        case K.SatisfiesExpression:
        case K.TypeAssertionExpression:
          e = (e as TS.ParenthesizedExpression).expression;
          break;
        default:
          return e;
      }
    }
  }

  /**
   * What a callee refers to, through imports: `session` → express-session `[]`,
   * `cron.schedule` → node-cron `['schedule']`, `require('fastify')` → fastify `[]`.
   */
  resolve(callee: TS.Expression): Origin | undefined {
    const known = this.resolvedCallees.get(callee);
    if (known !== undefined) return known ?? undefined;
    const r = this.computeResolve(callee);
    this.resolvedCallees.set(callee, r ?? null);
    return r;
  }

  private computeResolve(callee: TS.Expression): Origin | undefined {
    const ts = this.ts;
    const e = this.unwrap(callee);
    if (ts.isCallExpression(e)) {
      const mod = this.requireOf(e);
      if (mod) return { module: mod, path: [] };
    }
    if (ts.isPropertyAccessExpression(e)) {
      const inner = this.unwrap(e.expression);
      if (ts.isCallExpression(inner)) {
        const mod = this.requireOf(inner);
        if (mod) return { module: mod, path: [e.name.text] };
      }
    }
    const chain = this.chain(e);
    if (!chain) return undefined;
    const imp = this.imports.get(chain[0]!);
    return imp ? { module: imp.module, path: [...imp.path, ...chain.slice(1)] } : undefined;
  }

  /** The origin of a receiver: an imported binding, or a local created by an imported factory. */
  originOf(e: TS.Expression): Origin | undefined {
    const ts = this.ts;
    const u = this.unwrap(e);
    if (ts.isIdentifier(u)) return this.origins.get(u.text) ?? this.imports.get(u.text);
    if (ts.isCallExpression(u) || ts.isNewExpression(u)) return this.resolve(u.expression);
    if (ts.isPropertyAccessExpression(u) && u.expression.kind === ts.SyntaxKind.ThisKeyword) return this.origins.get(`this.${u.name.text}`);
    return undefined;
  }

  /** `require('x')` → `'x'`. */
  requireOf(e: TS.Expression): string | undefined {
    const ts = this.ts;
    const u = this.unwrap(e);
    if (!ts.isCallExpression(u) || !ts.isIdentifier(u.expression) || u.expression.text !== 'require') return undefined;
    const a = u.arguments[0];
    return a && ts.isStringLiteralLike(a) ? a.text : undefined;
  }

  /** A literal summary of an expression (see {@link Arg}). */
  arg(e: TS.Expression | undefined, depth = 0): Arg {
    const ts = this.ts;
    if (!e) return { t: 'other', text: '' };
    const u = this.unwrap(e);
    if (ts.isStringLiteralLike(u)) return { t: 'str', v: u.text };
    // `1e999` is no number a timer or a port can use (Node takes such a delay as 1 ms), and JSON cannot hold it.
    if (ts.isNumericLiteral(u)) return Number.isFinite(Number(u.text)) ? { t: 'num', v: Number(u.text) } : { t: 'other', text: u.text };
    if (ts.isPrefixUnaryExpression(u) && u.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(u.operand) && Number.isFinite(Number(u.operand.text))) {
      return { t: 'num', v: -Number(u.operand.text) };
    }
    if (u.kind === ts.SyntaxKind.TrueKeyword) return { t: 'bool', v: true };
    if (u.kind === ts.SyntaxKind.FalseKeyword) return { t: 'bool', v: false };
    if (ts.isArrowFunction(u) || ts.isFunctionExpression(u)) return { t: 'fn', span: this.span(u) };
    if (ts.isIdentifier(u)) return { t: 'id', name: u.text };
    const env = this.envName(u);
    if (env) return { t: 'env', name: env };
    if (ts.isBinaryExpression(u) && (u.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || u.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      const left = this.arg(u.left, depth + 1);
      if (left.t === 'env' && !left.fallback) return { ...left, fallback: this.arg(u.right, depth + 1) };
    }
    // Number(process.env.PORT), parseInt(x, 10), String(x): the value is the argument's.
    if (ts.isCallExpression(u) && ts.isIdentifier(u.expression) && /^(?:Number|parseInt|parseFloat|String)$/.test(u.expression.text) && u.arguments[0]) {
      return this.arg(u.arguments[0], depth);
    }
    if (depth < 4 && ts.isObjectLiteralExpression(u)) {
      const props: Record<string, Arg> = {};
      let spread = false;
      for (const p of u.properties) {
        const name = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name) || ts.isNumericLiteral(p.name)) ? p.name.text : undefined;
        if (ts.isPropertyAssignment(p) && name !== undefined) props[name] = this.arg(p.initializer, depth + 1);
        else if (ts.isShorthandPropertyAssignment(p)) props[p.name.text] = { t: 'id', name: p.name.text };
        else if ((ts.isMethodDeclaration(p) || ts.isGetAccessor(p)) && name !== undefined) props[name] = { t: 'fn', span: this.span(p) };
        else spread = true;
      }
      return { t: 'obj', props, spread };
    }
    if (depth < 4 && ts.isArrayLiteralExpression(u)) return { t: 'arr', items: u.elements.map((x) => this.arg(x, depth + 1)) };
    return { t: 'other', text: this.text(u, 60) };
  }

  /** `process.env.X` or `process.env['X']` → `'X'`. */
  envName(e: TS.Expression): string | undefined {
    const c = this.chain(e);
    return c && c.length === 3 && c[0] === 'process' && c[1] === 'env' ? c[2] : undefined;
  }

  private readImports(st: TS.Node): void {
    const ts = this.ts;
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const module = st.moduleSpecifier.text;
      const clause = st.importClause;
      if (!clause) return this.addImport('', module, [], 'esm', st);
      const typeOnly = clause.isTypeOnly;
      if (clause.name) this.addImport(clause.name.text, module, [], 'esm', clause.name, typeOnly);
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) this.addImport(nb.name.text, module, [], 'esm', nb.name, typeOnly);
      if (nb && ts.isNamedImports(nb)) {
        for (const el of nb.elements) {
          const imported = (el.propertyName ?? el.name).text;
          this.addImport(el.name.text, module, imported === 'default' ? [] : [imported], 'esm', el, typeOnly || el.isTypeOnly);
        }
      }
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
      this.addImport('', st.moduleSpecifier.text, [], 'esm', st, st.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference)) {
      const ex = st.moduleReference.expression;
      if (ts.isStringLiteral(ex)) this.addImport(st.name.text, ex.text, [], 'cjs', st);
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) this.readRequire(d);
    }
  }

  /**
   * `const x = require('m')`, `const { a, b: c } = require('m')`, `const y = require('m').y`; and
   * `const m = await import('m')`, whose namespace object holds the module's exports as a static
   * `import * as m` would.
   */
  private readRequire(d: TS.VariableDeclaration): void {
    const ts = this.ts;
    if (!d.initializer) return;
    const init = this.unwrap(d.initializer);
    let module = this.requireOf(init);
    let path: string[] = [];
    if (!module && ts.isPropertyAccessExpression(init)) {
      module = this.requireOf(init.expression);
      path = [init.name.text];
    }
    if (module) this.bindImport(d.name, module, path, 'cjs', d);
    else if (d.initializer.kind === ts.SyntaxKind.AwaitExpression && (module = this.dynamicImportOf(init))) this.bindImport(d.name, module, [], 'esm', d);
  }

  /** The names a declaration or parameter binds to a loaded module: the whole of it, or members destructured from it. */
  private bindImport(name: TS.BindingName, module: string, path: string[], kind: 'esm' | 'cjs', node: TS.Node): void {
    const ts = this.ts;
    if (ts.isIdentifier(name)) this.addImport(name.text, module, path, kind, node);
    else if (ts.isObjectBindingPattern(name)) {
      for (const el of name.elements) {
        if (!ts.isIdentifier(el.name)) continue;
        const prop = el.propertyName && (ts.isIdentifier(el.propertyName) || ts.isStringLiteral(el.propertyName)) ? el.propertyName.text : el.name.text;
        // An ES module's `default` is what a default import names.
        this.addImport(el.name.text, module, kind === 'esm' && prop === 'default' ? path : [...path, prop], kind, el);
      }
    }
  }

  /** `import('m')` → `'m'`. */
  private dynamicImportOf(e: TS.Expression): string | undefined {
    const ts = this.ts;
    const u = this.unwrap(e);
    if (!ts.isCallExpression(u) || u.expression.kind !== ts.SyntaxKind.ImportKeyword) return undefined;
    const a = u.arguments[0];
    return a && ts.isStringLiteralLike(a) ? a.text : undefined;
  }

  /** Record an import; `local` is `''` for side-effect imports, re-exports and unbound `require()`/`import()`. */
  private addImport(local: string, module: string, path: string[], kind: 'esm' | 'cjs', node: TS.Node, typeOnly = false): void {
    if (local) {
      if (this.imports.has(local)) return;
      this.imports.set(local, { module, path });
      this.learned++;
    } else if (this.importedModules.get(module) === 'value' || (typeOnly && this.importedModules.has(module))) return;
    const fact: ImportFact = { local, module, path, kind, line: this.lineAt(node.getStart(this.sf)) };
    if (typeOnly) fact.typeOnly = true;
    this.facts.imports.push(fact);
    if (!typeOnly) this.importedModules.set(module, 'value');
    else if (!this.importedModules.has(module)) this.importedModules.set(module, 'type');
  }

  /** Modules imported so far: `value` once any import of one is not type-only (a file may `require()` a module thousands of times). */
  private readonly importedModules = new Map<string, 'value' | 'type'>();

  /** Does the file import this module for its value (not `import type` alone), as far as the walk has read? */
  importsModule(module: string): boolean {
    return this.importedModules.get(module) === 'value';
  }

  private visit(node: TS.Node): undefined {
    if (this.enter(node)) {
      this.ts.forEachChild(node, this.visitChild);
      this.leave(node);
    }
    return undefined;
  }

  /**
   * {@link run} without recursion, for trees deeper than the call stack allows (a concatenation of
   * thousands of strings, a long `.then()` chain, as generated code has): the same visits in the
   * same order, the nodes still to visit kept on a stack of their own. Throws a `RangeError` past
   * 10,000 levels.
   */
  runWithoutRecursion(): void {
    for (const st of this.sf.statements) this.readImports(st);
    // Collectors look at the ancestors of what they keep, so each level costs more than the last:
    // past this depth a file (generated code) is left out rather than read for minutes.
    const maxDepth = 10_000;
    // Each node is on the stack twice: to enter it (then its children go on top), and to leave it.
    const nodes: TS.Node[] = [this.sf];
    const leaving: boolean[] = [false];
    const children: TS.Node[] = [];
    const collect = (child: TS.Node) => void children.push(child);
    while (nodes.length) {
      const node = nodes.pop()!;
      if (leaving.pop()) {
        this.leave(node);
        continue;
      }
      if (!this.enter(node)) continue;
      if (this.ancestors.length > maxDepth) throw new RangeError(`deeper than ${maxDepth} levels`);
      nodes.push(node);
      leaving.push(true);
      children.length = 0;
      this.ts.forEachChild(node, collect);
      for (let i = children.length - 1; i >= 0; i--) {
        nodes.push(children[i]!);
        leaving.push(false);
      }
    }
  }

  /** Visit a node before its children: false for syntax never walked into. */
  private enter(node: TS.Node): boolean {
    const kind = node.kind;
    const t = this.table;
    if (t.skip[kind]) return false;
    const list = t.byKind[kind];
    if (list !== undefined) for (const c of list) c.visit(node, this);

    const K = this.K;
    if (kind === K.VariableDeclaration) this.noteOrigin(node as TS.VariableDeclaration);
    else if (kind === K.BinaryExpression && (node as TS.BinaryExpression).operatorToken.kind === K.EqualsToken) this.noteAssignedOrigin(node as TS.BinaryExpression);
    else if (kind === K.CallExpression) {
      this.noteCall(node as TS.CallExpression);
      this.noteCallbackOrigin(node as TS.CallExpression);
    }

    const scope = this.functionKinds[kind];
    if (scope !== 0) {
      this.scopeAt.push(this.ancestors.length);
      if (scope === 1) this.functionAt.push(this.ancestors.length);
    }
    this.ancestors.push(node);
    return true;
  }

  /** Done with a node and its children. */
  private leave(node: TS.Node): void {
    this.ancestors.pop();
    const scope = this.functionKinds[node.kind];
    if (scope !== 0) {
      this.scopeAt.pop();
      if (scope === 1) this.functionAt.pop();
    }
  }

  /** `const app = express()`: remember that `app` came from express, for `app.listen()` and routes. */
  private noteOrigin(d: TS.VariableDeclaration): void {
    const ts = this.ts;
    if (!ts.isIdentifier(d.name) || !d.initializer) return;
    if (!this.atTopLevel) this.readRequire(d);
    const o = this.createdBy(d.initializer);
    if (o && !this.origins.has(d.name.text)) {
      this.origins.set(d.name.text, o);
      this.learned++;
    }
  }

  /**
   * `this.server = Hapi.server()`; and `server = Hapi.server()` into a binding declared before
   * (`let server;`), which then holds the server as if declared with it. For a plain name only a
   * server or router counts, and only when the name has no origin yet: the first one wins, as for
   * declarations.
   */
  private noteAssignedOrigin(b: TS.BinaryExpression): void {
    const ts = this.ts;
    const l = b.left;
    if (ts.isIdentifier(l)) {
      if (this.origins.has(l.text)) return;
      const o = this.createdBy(b.right);
      if (!o || !INSTANCE_MODULES.has(o.module)) return;
      this.origins.set(l.text, o);
      this.learned++;
      return;
    }
    if (!ts.isPropertyAccessExpression(l) || l.expression.kind !== ts.SyntaxKind.ThisKeyword) return;
    const o = this.createdBy(b.right);
    if (!o) return;
    this.origins.set(`this.${l.name.text}`, o);
    this.learned++;
  }

  private createdBy(init: TS.Expression): Origin | undefined {
    const ts = this.ts;
    let u = this.unwrap(init);
    // `const app = module.exports = new Koa()`: the value is what the last assignment of the chain makes.
    while (ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.EqualsToken) u = this.unwrap(u.right);
    const o = ts.isCallExpression(u) || ts.isNewExpression(u) ? this.resolve(u.expression) : undefined;
    // `await Glue.compose(manifest)` resolves to the server the manifest describes.
    const composed = o && composedServer(o.module, o.path);
    return composed ? { module: composed, path: ['server'] } : o;
  }

  /**
   * A callback's parameter that receives what a call makes: `buildServer().then((app) => ...)`
   * holds what `const app = await buildServer()` would, `import('m').then((m) => ...)` the
   * module's namespace object, and `Glue.compose(manifest, options,
   * (err, server) => ...)` (hapi 16) the server the manifest describes. The first origin of a name
   * wins, as for declarations.
   */
  private noteCallbackOrigin(call: TS.CallExpression): void {
    const args = call.arguments;
    const n = args.length;
    if (n === 0) return;
    const K = this.K;
    const isFn = (e: TS.Expression) => e.kind === K.ArrowFunction || e.kind === K.FunctionExpression;
    const callee = this.unwrap(call.expression);
    let p: TS.ParameterDeclaration | undefined;
    let o: Origin | undefined;
    if (isFn(args[0]!) && callee.kind === K.PropertyAccessExpression && (callee as TS.PropertyAccessExpression).name.text === 'then') {
      p = (args[0] as TS.ArrowFunction).parameters[0];
      const made = (callee as TS.PropertyAccessExpression).expression;
      // `import('m').then((m) => m.start())`: the parameter is the module's namespace object.
      const module = p && this.dynamicImportOf(made);
      if (module) return this.bindImport(p!.name, module, [], 'esm', made);
      o = p && this.createdBy(made);
    } else if (n >= 2 && isFn(args[n - 1]!) && (this.importsModule('@hapi/glue') || this.importsModule('glue'))) {
      // `Glue.compose(manifest, options, (err, server) => ...)`: looked for only where Glue is imported.
      const r = this.resolve(callee);
      const composed = r && composedServer(r.module, r.path);
      p = composed ? (args[n - 1] as TS.ArrowFunction).parameters[1] : undefined;
      o = composed ? { module: composed, path: ['server'] } : undefined;
    }
    if (!o || !p || !this.ts.isIdentifier(p.name) || this.origins.has(p.name.text)) return;
    this.origins.set(p.name.text, o);
    this.learned++;
  }

  /** Unbound `require('m')` and `import('m')` count as imports (`app.register(require('plugin'))`). */
  private noteCall(call: TS.CallExpression): void {
    const ts = this.ts;
    const callee = this.unwrap(call.expression);
    const first = call.arguments[0];
    if (!first || !ts.isStringLiteralLike(first)) return;
    if (callee.kind === ts.SyntaxKind.ImportKeyword) this.addImport('', first.text, [], 'esm', call);
    else if (ts.isIdentifier(callee) && callee.text === 'require') this.addImport('', first.text, [], 'cjs', call);
  }
}
