import type { App, Service } from '../model.js';
import type { Location, Span } from '../types.js';
import { importedBinding } from './bindings.js';
import type { CodeFacts, DependencyCall, EnclosingFn } from './facts.js';
import type { Route } from './routes.js';
import { runtimeFiles } from './scope.js';

/** A dependency call a handler waits for, where it is, and the function followed to reach it. */
export interface HandlerCall {
  call: DependencyCall;
  file: string;
  /** The function of the handler's file (or imported into it) that makes the call, when it is not the handler itself. */
  via?: string;
}

/** What a route's handler waits for, and where its head is (the place a finding points). */
export interface HandlerDependencies {
  head: Location;
  calls: HandlerCall[];
}

/** A function: an inline one by its span, or a named one (a declaration, a method, a `const` arrow). */
interface FnRef {
  file: CodeFacts;
  span?: Span;
  name?: string;
}

/**
 * The database, cache, broker and HTTP calls a route's handler waits for: its own, and those of
 * the functions it awaits, followed one level into the same file or the file they are imported
 * from. Undefined when the handler cannot be found in the service's code.
 */
export function handlerDependencies(app: App, service: Service, route: Route): HandlerDependencies | undefined {
  const h = route.handler;
  if (!h) return undefined;
  const files = new Map(runtimeFiles(app, service).map((f) => [f.file, f]));
  const file = files.get(h.file);
  if (!file) return undefined;
  const ref = h.name ? named(app, file, h.name) : { file, span: h };
  if (!ref) return undefined;
  const calls: HandlerCall[] = ref.file.dependencyCalls.filter((d) => contains(ref, d)).map((call) => ({ call, file: ref.file.file }));
  const locals = ref.file.localCalls.filter((l) => contains(ref, l));
  for (const l of locals) {
    const target = named(app, ref.file, l.callee);
    if (!target || (target.file === ref.file && target.name === ref.name)) continue;
    for (const call of target.file.dependencyCalls.filter((d) => contains(target, d))) calls.push({ call, file: target.file.file, via: l.callee });
  }
  const fns = [...ref.file.dependencyCalls, ...locals].filter((x) => contains(ref, x)).flatMap((x) => x.fns);
  const own = ref.span ? fns.filter((f) => within(f.head, ref.span!)).sort((a, b) => a.head.line - b.head.line || a.head.column - b.head.column)[0] : fns.find((f) => f.name === ref.name);
  const head: Location = own ? { file: ref.file.file, ...own.head } : { file: h.file, line: h.line, column: h.column, endLine: h.line, endColumn: h.column + 1 };
  return { head, calls };
}

/** The function a name refers to in `file`: `health`, `controller.health`, or a function imported from another file of the run. */
function named(app: App, file: CodeFacts, name: string): FnRef | undefined {
  const parts = name.split('.');
  const last = parts[parts.length - 1]!;
  if (parts[0] !== 'this' && file.imports.some((i) => i.local === parts[0])) {
    const b = importedBinding(app.modules, file, parts[0]!);
    if (!b) return undefined;
    return { file: b.file, name: parts.length > 1 ? last : (b.local ?? last) };
  }
  return { file, name: last };
}

function contains(ref: FnRef, x: { span: Span; fns: EnclosingFn[] }): boolean {
  return ref.span ? within(x.span, ref.span) : x.fns.some((f) => f.name === ref.name);
}

function within(inner: Span, outer: Span): boolean {
  const starts = inner.line > outer.line || (inner.line === outer.line && inner.column >= outer.column);
  const ends = inner.endLine < outer.endLine || (inner.endLine === outer.endLine && inner.endColumn <= outer.endColumn);
  return starts && ends;
}
