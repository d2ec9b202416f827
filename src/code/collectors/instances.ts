import type { Collector, Origin, Walk } from '../walk.js';
import type { TS } from '../typescript.js';
import type { Arg } from '../facts.js';
import { composedServer, INSTANCE_MODULES } from '../frameworks.js';
import { fromImport, property } from './names.js';

/**
 * Locals created by a framework, router or adapter (`const app = Fastify()`, `this.server = Hapi.server({ port })`),
 * and server handles (`const server = app.listen(3000)`), with the creation's arguments.
 */
export const instances: Collector = {
  kinds: ['VariableDeclaration', 'BinaryExpression', 'CallExpression'],
  visit(node, w) {
    const ts = w.ts;
    if (node.kind === ts.SyntaxKind.CallExpression) composeCallback(w, node as TS.CallExpression);
    else if (ts.isVariableDeclaration(node)) {
      if (ts.isIdentifier(node.name) && node.initializer) record(w, node.name.text, node.initializer);
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && (ts.isCallExpression(node.right) || ts.isNewExpression(node.right) || ts.isAwaitExpression(node.right))) {
      const left = w.chain(node.left);
      if (left && (left.length === 1 || (left.length === 2 && left[0] === 'this'))) record(w, left.join('.'), node.right);
    }
  },
};

function record(w: Walk, local: string, init: TS.Expression): void {
  const ts = w.ts;
  const u = w.unwrap(init);
  if (!ts.isCallExpression(u) && !ts.isNewExpression(u)) return;
  const callee = w.unwrap(u.expression);
  let origin: Origin | undefined;
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'listen') {
    origin = { module: w.originOf(callee.expression)?.module ?? '', path: ['listen'] };
  } else {
    if (!fromImport(w, callee)) return;
    origin = w.resolve(callee);
    const composed = origin && composedServer(origin.module, origin.path);
    if (composed) {
      // `await Glue.compose(manifest)`: a server created with the manifest's `server` options.
      w.facts.instances.push({ local, module: composed, path: ['server'], args: serverOptions(w, u.arguments?.[0]), span: w.span(u) });
      return;
    }
    if (!origin || !INSTANCE_MODULES.has(origin.module)) return;
  }
  w.facts.instances.push({ local, module: origin.module, path: origin.path, args: (u.arguments ?? []).map((a) => w.arg(a)), span: w.span(u) });
}

/** `Glue.compose(manifest, options, (err, server) => ...)` (hapi 16): the callback's `server` is the server the manifest describes. */
function composeCallback(w: Walk, call: TS.CallExpression): void {
  // Every call comes here: files that do not import Glue are passed over at once.
  if (!w.importsModule('@hapi/glue') && !w.importsModule('glue')) return;
  const ts = w.ts;
  const args = call.arguments;
  const fn = args.length >= 2 ? w.unwrap(args[args.length - 1]!) : undefined;
  if (!fn || (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn))) return;
  const server = fn.parameters[1];
  if (!server || !ts.isIdentifier(server.name) || !fromImport(w, call.expression)) return;
  const origin = w.resolve(call.expression);
  const composed = origin && composedServer(origin.module, origin.path);
  if (composed) w.facts.instances.push({ local: server.name.text, module: composed, path: ['server'], args: serverOptions(w, args[0]), span: w.span(call) });
}

/**
 * The options of the server a Glue manifest describes: its `server`, with the port and address of
 * hapi 16's first `connections` entry when `server` sets neither.
 */
function serverOptions(w: Walk, manifest: TS.Expression | undefined): Arg[] {
  const m = manifestObject(w, manifest);
  const server = property(w, m, 'server');
  const opts = server ? w.arg(server) : undefined;
  const list = property(w, m, 'connections');
  const u = list && w.unwrap(list);
  const first = u && w.ts.isArrayLiteralExpression(u) ? u.elements[0] : undefined;
  if (!first || (opts && (opts.t !== 'obj' || opts.props.port || opts.props.address || opts.props.host))) return opts ? [opts] : [];
  const conn = w.arg(first);
  if (conn.t !== 'obj') return opts ? [opts] : [];
  const props: Record<string, Arg> = opts?.t === 'obj' ? { ...opts.props } : {};
  for (const k of ['port', 'address', 'host']) if (conn.props[k]) props[k] = conn.props[k]!;
  return [{ t: 'obj', props, spread: !!opts?.spread || conn.spread }];
}

/** A manifest written inline, or a `const` of this file holding an object literal (declared in an enclosing function or at top level). */
function manifestObject(w: Walk, e: TS.Expression | undefined): TS.Expression | undefined {
  const ts = w.ts;
  const u = e && w.unwrap(e);
  if (!u || !ts.isIdentifier(u)) return u;
  const lists: (readonly TS.Statement[])[] = [];
  for (let i = 0; i < w.functionCount; i++) {
    const body = (w.parent(w.functionDepth(i)) as TS.FunctionLikeDeclaration).body;
    if (body && ts.isBlock(body)) lists.push(body.statements);
  }
  lists.push(w.sf.statements);
  for (const list of lists) {
    for (const st of list) {
      if (!ts.isVariableStatement(st) || !(st.declarationList.flags & ts.NodeFlags.Const)) continue;
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === u.text && d.initializer) return d.initializer;
    }
  }
  return undefined;
}
