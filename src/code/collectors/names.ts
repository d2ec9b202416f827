import type { ConstantFact, MountTarget } from '../facts.js';
import type { TS } from '../typescript.js';
import { chainBottom, isFunctionLike, localKey, type Walk } from '../walk.js';

/**
 * Naming functions shared by the route, lifecycle and client collectors. The walk keeps no parent
 * pointers, so each one works on a *lineage*: a node followed by its ancestors, innermost first.
 */

/**
 * A node followed by its ancestors, innermost first: `at(0)` is the node, `at(1)` its parent, and
 * so on up to the file. The ancestors are read from the walk as they are asked for, not copied: a
 * route thousands of calls deep in a chain (`router.get(...).get(...)`) would copy thousands of
 * them for each link. Valid while the walk stands where it was made.
 */
export class Lineage {
  /** `head`, then the walk's ancestors from `parent(depth)` up. */
  constructor(
    private readonly w: Walk,
    private readonly head: readonly TS.Node[],
    private readonly depth: number,
  ) {}

  at(i: number): TS.Node | undefined {
    return i < this.head.length ? this.head[i] : this.w.parent(this.depth + i - this.head.length);
  }

  /** `node` followed by this lineage. */
  under(node: TS.Node): Lineage {
    return new Lineage(this.w, [node, ...this.head], this.depth);
  }

  /** This lineage from its `i`-th node on. */
  slice(i: number): Lineage {
    return i <= this.head.length ? new Lineage(this.w, this.head.slice(i), this.depth) : new Lineage(this.w, [], this.depth + i - this.head.length);
  }

  indexOf(node: TS.Node): number {
    for (let i = 0, a = this.at(0); a; a = this.at(++i)) if (a === node) return i;
    return -1;
  }

  /** The indexes of the functions of the lineage from index `from` on, innermost first: from the walk's functions, not by looking at every ancestor. */
  functions(from = 0): number[] {
    const out: number[] = [];
    const n = this.head.length;
    for (let i = from; i < n; i++) if (isFunctionLike(this.w.ts, this.head[i]!)) out.push(i);
    for (let k = 0; k < this.w.functionCount; k++) {
      const i = n + this.w.functionDepth(k) - this.depth;
      if (i >= n && i >= from) out.push(i);
    }
    return out;
  }
}

/** The node being visited and its ancestors, innermost first. */
export function lineage(w: Walk, node: TS.Node): Lineage {
  return new Lineage(w, [node], 1);
}

/**
 * A name for the function at `lin.at(i)`: its own name, the binding or property it is assigned to,
 * `default` for `export default` and `module.exports =`, or `@line:column` for an inline one.
 * Wrappers keep the name of what they are assigned to: `export default fp(async (app) => ...)` is `default`.
 */
export function functionKey(w: Walk, lin: Lineage, i: number): string {
  const named = functionName(w, lin, i);
  if (named) return named;
  const start = lin.at(i)!.getStart(w.sf);
  const { line, column } = w.spanAt(start, start);
  return `@${line}:${column}`;
}

/** The name {@link functionKey} gives the function at `lin.at(i)`; undefined for an inline one. */
function functionName(w: Walk, lin: Lineage, i: number): string | undefined {
  const ts = w.ts;
  const fn = lin.at(i)!;
  if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) && fn.name && (ts.isIdentifier(fn.name) || ts.isStringLiteral(fn.name))) {
    return fn.name.text;
  }
  if (ts.isFunctionDeclaration(fn)) return 'default';
  if (ts.isConstructorDeclaration(fn)) return 'constructor';
  return valueKey(w, lin, i);
}

/** The name the value at `lin.at(i)` is bound to, through parentheses and one-argument wrappers. */
function valueKey(w: Walk, lin: Lineage, i: number): string | undefined {
  const ts = w.ts;
  const node = lin.at(i)!;
  const parent = lin.at(i + 1);
  if (!parent) return undefined;
  if (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent)) return valueKey(w, lin, i + 1);
  if (ts.isVariableDeclaration(parent) && parent.initializer === node) return ts.isIdentifier(parent.name) ? parent.name.text : undefined;
  if (ts.isPropertyAssignment(parent) && parent.initializer === node) return ts.isIdentifier(parent.name) || ts.isStringLiteral(parent.name) ? parent.name.text : undefined;
  if (ts.isPropertyDeclaration(parent) && parent.initializer === node) return ts.isIdentifier(parent.name) ? parent.name.text : undefined;
  if (ts.isExportAssignment(parent)) return 'default';
  if (ts.isBinaryExpression(parent) && parent.right === node && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return exportedName(w, parent.left);
  if (ts.isCallExpression(parent) && parent.arguments[0] === node && ts.isIdentifier(w.unwrap(parent.expression))) return valueKey(w, lin, i + 1);
  return undefined;
}

/** `module.exports` → `default`; `exports.x`, `module.exports.x` → `x`; any other target → its last name. */
export function exportedName(w: Walk, left: TS.Expression): string | undefined {
  const c = w.chain(left);
  if (!c) return undefined;
  if (c.length === 2 && c[0] === 'module' && c[1] === 'exports') return 'default';
  return c[c.length - 1];
}

/** The innermost *named* function around `lin.at(0)` (inline callbacks are skipped): `shutdown`, `createRouter`. */
export function namedFunction(w: Walk, lin: Lineage): string | undefined {
  for (const i of lin.functions(1)) {
    const name = functionName(w, lin, i);
    if (name) return name;
  }
  return undefined;
}

const NAMES = localKey();
const NONE: readonly string[] = [];

/**
 * The named functions around the node being visited, innermost first (named as {@link namedFunction}
 * does), worked out once per function: everything directly inside one function has the same answer.
 */
export function enclosingNames(w: Walk): readonly string[] {
  const fn = w.enclosingFunction();
  if (fn === w.sf) return NONE;
  const known = w.local(NAMES, () => new Map<TS.Node, readonly string[]>());
  let names = known.get(fn);
  if (!names) {
    // The lineage's first entry stands for the visited node, which is skipped.
    const lin = lineage(w, w.sf);
    const found: string[] = [];
    for (const i of lin.functions(1)) {
      const name = functionName(w, lin, i);
      if (name) found.push(name);
    }
    known.set(fn, (names = found.length ? found : NONE));
  }
  return names;
}

/** The innermost named function around the node being visited (see {@link enclosingNames}). */
export function enclosingName(w: Walk): string | undefined {
  return enclosingNames(w)[0];
}

/**
 * The owner key of a receiver (see `RouteFact.owner`): `fn:<function>` when it is the first parameter
 * of an enclosing function, the binding's name (`app`, `this.router`) otherwise.
 */
export function ownerKey(w: Walk, recv: TS.Expression, lin: Lineage): string {
  const ts = w.ts;
  // Router().use(a).use(b): every call in the chain is on the same router.
  const u = chainBottom(w, recv, CHAINABLE, CHAINS);
  if (ts.isCallExpression(u) || ts.isNewExpression(u)) {
    const bound = chainBinding(w, lin);
    if (bound) return bound;
  }
  if (ts.isIdentifier(u)) {
    for (const i of lin.functions()) {
      const n = lin.at(i) as TS.FunctionLikeDeclaration;
      const idx = n.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === u.text);
      if (idx === 0) return `fn:${functionKey(w, lin, i)}`;
      if (idx > 0) return `fn:${functionKey(w, lin, i)}#${u.text}`;
    }
    return u.text;
  }
  const c = w.chain(u);
  return c ? c.join('.') : w.text(u, 40);
}

/** Router methods that return the router, so calls chain: `Router().use(a).get('/x', h)`. */
const CHAINABLE = new Set(['use', 'get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'all', 'register']);
/** Key of the per-file bottoms of router chains (see `chainBottom`). */
const CHAINS = localKey();

/** Key of the per-file answers of {@link chainBinding}: for each call, property access, `await` or parentheses of a chain, what holds the whole chain. */
const ABOVE_CHAIN = localKey();

/**
 * The name an anonymous router gets from what its call chain is bound to: `const api = Router().use(a)`
 * is `api`; `export default Router().use('/api', api)` and `module.exports = ...` are `default`.
 */
function chainBinding(w: Walk, lin: Lineage): string | undefined {
  const ts = w.ts;
  // Each link of a chain asks: what holds each link is kept, so a chain of thousands is climbed once.
  const above = w.local(ABOVE_CHAIN, () => new Map<TS.Node, TS.Node | undefined>());
  const links: TS.Node[] = [];
  let parent: TS.Node | undefined;
  for (let i = 1; ; i++) {
    const a = lin.at(i);
    if (a && above.has(a)) {
      parent = above.get(a);
      break;
    }
    if (!a || !(ts.isCallExpression(a) || ts.isPropertyAccessExpression(a) || ts.isAwaitExpression(a) || ts.isParenthesizedExpression(a))) {
      parent = a;
      break;
    }
    links.push(a);
  }
  for (const l of links) above.set(l, parent);
  if (!parent) return undefined;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isExportAssignment(parent)) return 'default';
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return exportedName(w, parent.left);
  return undefined;
}

/**
 * What `app.use('/api', X)` or `app.register(X)` mounts: an owner of this file, an imported module
 * member, what a function returns, or an inline plugin. Undefined for anything else (`cors()`).
 */
export function mountTarget(w: Walk, e: TS.Expression, lin: Lineage): MountTarget | undefined {
  const ts = w.ts;
  const u = w.unwrap(e);
  if (ts.isArrowFunction(u) || ts.isFunctionExpression(u)) return { owner: `fn:${functionKey(w, lin.under(u), 0)}` };
  if (ts.isIdentifier(u)) {
    const imp = w.imports.get(u.text);
    if (imp) return relative(imp.module) ? { module: imp.module, member: member(imp.path) } : undefined;
    return { owner: ownerKey(w, u, lin) };
  }
  if (ts.isCallExpression(u)) {
    const callee = w.unwrap(u.expression);
    const mod = w.requireOf(u) ?? (callee.kind === ts.SyntaxKind.ImportKeyword && u.arguments[0] && ts.isStringLiteralLike(u.arguments[0]) ? u.arguments[0].text : undefined);
    if (mod) return relative(mod) ? { module: mod, member: 'default' } : undefined;
    // router.routes(), router.middleware(): the router itself.
    if (ts.isPropertyAccessExpression(callee) && /^(?:routes|middleware)$/.test(callee.name.text)) return mountTarget(w, callee.expression, lin);
    if (ts.isIdentifier(callee)) {
      const imp = w.imports.get(callee.text);
      if (imp) return relative(imp.module) ? { module: imp.module, member: member(imp.path), call: true } : undefined;
      return { member: callee.text, call: true };
    }
    return undefined;
  }
  if (ts.isPropertyAccessExpression(u)) {
    const inner = w.unwrap(u.expression);
    const mod = w.requireOf(inner);
    if (mod) return relative(mod) ? { module: mod, member: u.name.text } : undefined;
    const c = w.chain(u);
    const imp = c && c.length === 2 ? w.imports.get(c[0]!) : undefined;
    if (imp && !imp.path.length) return relative(imp.module) ? { module: imp.module, member: c![1]! } : undefined;
    if (c) return { owner: c.join('.') };
  }
  return undefined;
}

function relative(spec: string): boolean {
  return spec.startsWith('.');
}

function member(path: string[]): string {
  const p = path[0] === 'default' ? path.slice(1) : path;
  return p[0] ?? 'default';
}

/** A string literal, or a template with its substitutions as `{…}`; undefined for anything else. */
export function literalText(w: Walk, e: TS.Expression | undefined): string | undefined {
  if (!e) return undefined;
  const ts = w.ts;
  const u = w.unwrap(e);
  if (ts.isStringLiteralLike(u)) return u.text;
  if (ts.isTemplateExpression(u)) return u.head.text + u.templateSpans.map((s) => '{…}' + s.literal.text).join('');
  if (ts.isIdentifier(u)) {
    const c = constantInScope(w, u.text);
    if (c?.value.t === 'str') return c.value.v;
  }
  return undefined;
}

const CONSTANTS = localKey();

/** The constants of the file recorded so far, by name (kept up to date as the walk records more). */
function constantsNamed(w: Walk, name: string): ConstantFact[] | undefined {
  const index = w.local(CONSTANTS, () => ({ seen: 0, byName: new Map<string, ConstantFact[]>() }));
  const all = w.facts.constants;
  for (; index.seen < all.length; index.seen++) {
    const c = all[index.seen]!;
    const list = index.byName.get(c.name);
    if (list) list.push(c);
    else index.byName.set(c.name, [c]);
  }
  return index.byName.get(name);
}

/** The constant a name refers to at the node being visited: declared in an enclosing function (innermost first) or at top level. */
export function constantInScope(w: Walk, name: string): ConstantFact | undefined {
  const found = constantsNamed(w, name);
  if (!found) return undefined;
  const scopes: number[] = [];
  for (let i = 0; i < w.functionCount; i++) scopes.push(w.parent(w.functionDepth(i))!.pos);
  scopes.push(-1);
  for (const s of scopes) {
    const here = found.filter((k) => k.in === s);
    if (here.length) return here.length === 1 ? here[0] : undefined;
  }
  return undefined;
}

/** The initializer of a property of an object literal, by name. */
export function property(w: Walk, obj: TS.Expression | undefined, name: string): TS.Expression | undefined {
  const ts = w.ts;
  const u = obj && w.unwrap(obj);
  if (!u || !ts.isObjectLiteralExpression(u)) return undefined;
  for (const p of u.properties) {
    const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name)) ? p.name.text : undefined;
    if (key !== name) continue;
    if (ts.isPropertyAssignment(p)) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p)) return p.name;
    if (ts.isMethodDeclaration(p)) return p as unknown as TS.Expression;
  }
  return undefined;
}

/** What {@link importsAnyOf} found so far, per set of modules asked about. */
const ANY_OF = localKey();

/**
 * Does the file import one of `modules`, among the imports the walk has seen so far, or does the
 * `callee` require one itself? A `require()` inside a function is recorded when the walk reaches
 * it, so the answer is brought up to date whenever the imports have grown (and stays true once true).
 */
export function importsAnyOf(w: Walk, modules: ReadonlySet<string>, callee?: TS.Expression): boolean {
  const memos = w.local(ANY_OF, () => new Map<ReadonlySet<string>, { seen: number; found: boolean }>());
  let memo = memos.get(modules);
  if (!memo) memos.set(modules, (memo = { seen: 0, found: false }));
  const all = w.facts.imports;
  if (!memo.found) for (; memo.seen < all.length; memo.seen++) if (modules.has(all[memo.seen]!.module)) memo.found = true;
  if (memo.found || !callee) return memo.found;
  // `require('socket.io')(server)`, `require('node-cron').schedule(...)`: the walk notes that
  // require as an import only after it has visited the call around it, which is this one.
  const e = w.unwrap(callee);
  const module = w.requireOf(e) ?? (w.ts.isPropertyAccessExpression(e) ? w.requireOf(e.expression) : undefined);
  return module !== undefined && modules.has(module);
}

const FROM_IMPORT = localKey();

/**
 * A cheap test before `w.resolve()`: does the callee start at an imported binding or a `require()`?
 * (`axios.get`, `Router`, `require('x').y`; not `res.send` or `console.log`.) Several collectors ask
 * about the same callee: answered once per node, like `Walk.chain` and `Walk.resolve`.
 */
export function fromImport(w: Walk, callee: TS.Expression): boolean {
  const known = w.local(FROM_IMPORT, () => new Map<TS.Expression, boolean>());
  let r = known.get(callee);
  if (r === undefined) known.set(callee, (r = startsAtImport(w, callee)));
  return r;
}

function startsAtImport(w: Walk, callee: TS.Expression): boolean {
  const ts = w.ts;
  let e = callee;
  for (;;) {
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isAsExpression(e)) e = e.expression;
    else if (ts.isAwaitExpression(e)) e = e.expression;
    else break;
  }
  if (ts.isIdentifier(e)) return w.imports.has(e.text);
  return ts.isCallExpression(e);
}
