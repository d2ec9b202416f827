import path from 'node:path';
import type { Package } from '../model.js';
import type { CodeFacts } from './facts.js';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const JS_TO_TS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

/** Finds the code file a module specifier refers to, among the files of one run. */
export class ModuleIndex {
  private readonly byName = new Map<string, CodeFacts>();
  private readonly packages = new Map<string, Package>();

  constructor(packages: Package[]) {
    for (const p of packages) {
      for (const f of p.files) this.byName.set(f.file, f);
      if (p.name) this.packages.set(p.name, p);
    }
  }

  private readonly resolved = new Map<string, CodeFacts | undefined>();

  /** The file `spec` names when imported from `from` (relative specifiers only). */
  resolve(from: string, spec: string): CodeFacts | undefined {
    if (!spec.startsWith('.')) return undefined;
    const key = `${path.posix.dirname(from)}\0${spec}`;
    if (this.resolved.has(key)) return this.resolved.get(key);
    const found = this.lookup(from, spec);
    this.resolved.set(key, found);
    return found;
  }

  private lookup(from: string, spec: string): CodeFacts | undefined {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
    const ext = path.posix.extname(target);
    const candidates = [target, ...EXTENSIONS.map((e) => target + e), ...EXTENSIONS.map((e) => `${target}/index${e}`)];
    for (const alt of JS_TO_TS[ext] ?? []) candidates.push(target.slice(0, -ext.length) + alt);
    for (const c of candidates) {
      const f = this.byName.get(c);
      if (f) return f;
    }
    return undefined;
  }

  /** The package of this run that a bare specifier names (`@acme/shutdown`, `@acme/shutdown/http`). */
  workspacePackage(spec: string): Package | undefined {
    if (spec.startsWith('.')) return undefined;
    const parts = spec.split('/');
    const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
    return this.packages.get(name);
  }

  /**
   * A package's own files plus every file they reach through imports in this run: relative imports
   * that leave the folder, and workspace packages imported by name.
   */
  reachable(pkg: Package): CodeFacts[] {
    return this.reachableFrom(pkg.files);
  }

  /** The given files plus every file they reach through imports in this run. */
  reachableFrom(entries: CodeFacts[]): CodeFacts[] {
    const seen = new Set<CodeFacts>(entries);
    const queue = [...entries];
    while (queue.length) {
      const f = queue.pop()!;
      for (const imp of f.imports) {
        const targets = imp.module.startsWith('.') ? [this.resolve(f.file, imp.module)] : (this.workspacePackage(imp.module)?.files ?? []);
        for (const t of targets) {
          if (t && !seen.has(t)) {
            seen.add(t);
            queue.push(t);
          }
        }
      }
    }
    return [...seen];
  }
}
