import path from 'node:path';
import type { Package } from '../model.js';
import type { CodeFacts } from './facts.js';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const JS_TO_TS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

/** Finds the code file a module specifier refers to, among the files of one run. */
export class ModuleIndex {
  private readonly byName = new Map<string, CodeFacts>();
  private readonly packages = new Map<string, Package>();
  private readonly resolved = new Map<string, CodeFacts | undefined>();
  private readonly reached = new Map<Package, CodeFacts[]>();

  constructor(packages: Package[]) {
    for (const p of packages) {
      for (const f of p.files) this.byName.set(f.file, f);
      if (p.name) this.packages.set(p.name, p);
    }
  }

  /** The file `spec` names when imported from `from` (relative specifiers only). */
  resolve(from: string, spec: string): CodeFacts | undefined {
    if (!spec.startsWith('.')) return undefined;
    const dir = path.posix.dirname(from);
    const key = `${dir}\0${spec}`;
    if (this.resolved.has(key)) return this.resolved.get(key);
    const found = this.lookup(path.posix.normalize(path.posix.join(dir, spec)));
    this.resolved.set(key, found);
    return found;
  }

  private lookup(target: string): CodeFacts | undefined {
    const exact = this.byName.get(target);
    if (exact) return exact;
    // A file wins over a folder's index, as in Node's resolution.
    for (const e of EXTENSIONS) {
      const f = this.byName.get(target + e);
      if (f) return f;
    }
    for (const e of EXTENSIONS) {
      const f = this.byName.get(`${target}/index${e}`);
      if (f) return f;
    }
    const ext = path.posix.extname(target);
    for (const alt of JS_TO_TS[ext] ?? []) {
      const f = this.byName.get(target.slice(0, -ext.length) + alt);
      if (f) return f;
    }
    return undefined;
  }

  /** The package of this run that a bare specifier names (`@acme/shutdown`, `@acme/shutdown/http`). */
  workspacePackage(spec: string): Package | undefined {
    if (spec.startsWith('.') || !this.packages.size) return undefined;
    const parts = spec.split('/');
    const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
    return this.packages.get(name);
  }

  /**
   * A package's own files plus every file they reach through imports in this run: relative imports
   * that leave the folder, and workspace packages imported by name.
   */
  reachable(pkg: Package): CodeFacts[] {
    const known = this.reached.get(pkg);
    if (known) return known;
    const out = this.reachableFrom(pkg.files);
    this.reached.set(pkg, out);
    return out;
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
