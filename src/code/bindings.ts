import type { CodeFacts } from './facts.js';
import type { ModuleIndex } from './modules.js';

/** A binding in a file of the run: the file, and the local name the binding has there (undefined for an anonymous default export). */
export interface Binding {
  file: CodeFacts;
  local?: string;
}

/**
 * The local a module export refers to: `export default router` → `router`, `module.exports = routes`
 * → `routes`; a named export is its own local; an anonymous default export has none.
 */
export function exportedLocal(file: CodeFacts, member: string): string | undefined {
  const e = file.moduleExports.find((x) => x.name === member && x.local !== undefined);
  if (e?.local && e.local !== 'default' && !e.local.startsWith('exports.')) return e.local;
  return member === 'default' ? undefined : member;
}

/** `member` of the module `spec` imported from `from`, when `spec` is a file of this run. */
export function resolveMember(modules: ModuleIndex, from: CodeFacts, spec: string, member: string): Binding | undefined {
  const file = modules.resolve(from.file, spec);
  return file && { file, local: exportedLocal(file, member) };
}

/** What a local of `from` refers to when it is imported from another file of this run. */
export function importedBinding(modules: ModuleIndex, from: CodeFacts, local: string): Binding | undefined {
  const imp = from.imports.find((i) => i.local === local);
  if (!imp) return undefined;
  const path = imp.path[0] === 'default' ? imp.path.slice(1) : imp.path;
  return resolveMember(modules, from, imp.module, path[0] ?? 'default');
}
