import path from 'node:path';
import type { Package } from '../model.js';
import type { CodeFacts } from './facts.js';
import { AliasReader, type Aliases } from './tsconfig.js';
import { FsProbe } from '../probe.js';

const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const JS_TO_TS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

/** Finds the code file a module specifier refers to, among the files of one run. */
export class ModuleIndex {
  private readonly byName = new Map<string, CodeFacts>();
  private readonly packages = new Map<string, Package>();
  private readonly pkgOf = new Map<string, Package>();
  private readonly aliases: AliasReader;
  private readonly resolved = new Map<string, CodeFacts | undefined>();
  private readonly byFile = new Map<string, Map<string, CodeFacts | null>>();
  private readonly folderAliases = new Map<string, Aliases | null>();

  /** Files by their path without the extension, the first of {@link EXTENSIONS} winning: `src/db` → `src/db.ts`. */
  private readonly byStem = new Map<string, { file: CodeFacts; rank: number }>();

  /** `fs` answers the tsconfig lookups (and remembers them, for `--cache`). */
  constructor(packages: Package[], fs: FsProbe = new FsProbe()) {
    this.aliases = new AliasReader(fs);
    for (const p of packages) {
      for (const f of p.files) {
        this.byName.set(f.file, f);
        this.pkgOf.set(f.file, p);
        const ext = path.posix.extname(f.file);
        const rank = EXTENSIONS.indexOf(ext);
        if (rank < 0) continue;
        const stem = f.file.slice(0, -ext.length);
        const known = this.byStem.get(stem);
        if (!known || rank < known.rank) this.byStem.set(stem, { file: f, rank });
      }
      if (p.name) this.packages.set(p.name, p);
    }
  }

  /** Every code file of the run. */
  files(): IterableIterator<CodeFacts> {
    return this.byName.values();
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

  /**
   * Like {@link resolve}, and also through the tsconfig/jsconfig `paths` and `baseUrl` that apply
   * to `from`, and through workspace packages imported by name (their `main`, or `src/index`).
   */
  resolveImport(from: string, spec: string): CodeFacts | undefined {
    // Asked once per importing file and specifier (both strings the facts already hold, so no key is
    // built). A relative specifier is answered once per importing folder.
    let mine = this.byFile.get(from);
    if (!mine) this.byFile.set(from, (mine = new Map()));
    const hit = mine.get(spec);
    if (hit !== undefined) return hit ?? undefined;
    let found: CodeFacts | null | undefined;
    if (spec.startsWith('.')) found = this.resolve(from, spec) ?? null;
    else {
      // A bare specifier means the same in every folder of a package under one tsconfig: answered
      // once per package and tsconfig aliases (once for the whole run where no aliases apply).
      const pkg = this.pkgOf.get(from);
      const aliases = pkg && this.aliasesOf(pkg, from);
      let byPkg = this.bareAnswers.get(aliases ?? this);
      if (!byPkg) this.bareAnswers.set(aliases ?? this, (byPkg = new Map()));
      const scope = aliases ? pkg! : this;
      let answers = byPkg.get(scope);
      if (!answers) byPkg.set(scope, (answers = new Map()));
      found = answers.get(spec);
      if (found === undefined) answers.set(spec, (found = this.resolveBare(pkg, aliases, spec) ?? null));
    }
    mine.set(spec, found);
    return found ?? undefined;
  }

  /** Answers for bare specifiers, by tsconfig aliases and package (by this index alone where no aliases apply). */
  private readonly bareAnswers = new Map<object, Map<object, Map<string, CodeFacts | null>>>();

  private resolveBare(pkg: Package | undefined, aliases: Aliases | undefined, spec: string): CodeFacts | undefined {
    if (pkg && aliases) {
      for (const p of aliases.paths) {
        const hit = p.wildcard ? spec.length >= p.prefix.length + p.suffix.length && spec.startsWith(p.prefix) && spec.endsWith(p.suffix) : spec === p.prefix;
        if (!hit) continue;
        const mid = p.wildcard ? spec.slice(p.prefix.length, spec.length - p.suffix.length) : '';
        for (const t of p.targets) {
          const f = this.lookupAbsolute(pkg, t.replace('*', mid));
          if (f) return f;
        }
      }
      const f = aliases.baseUrl ? this.lookupAbsolute(pkg, path.join(aliases.baseUrl, spec)) : undefined;
      if (f) return f;
    }
    const ws = this.workspacePackage(spec);
    if (!ws) return undefined;
    const sub = spec.split('/').slice(spec.startsWith('@') ? 2 : 1).join('/');
    const join = (...parts: string[]) => path.posix.join(ws.folder, ...parts);
    const main = ws.main?.replace(/^\.\//, '');
    const candidates = sub
      ? [join(sub), join('src', sub)]
      : [...(main ? [join(main), join(main.replace(/^(?:dist|lib|build|out)\//, 'src/'))] : []), join('src', 'index'), join('index')];
    for (const c of candidates) {
      const f = this.lookup(c.replace(/\.(?:[cm]?js|d\.ts)$/, '')) ?? this.lookup(c);
      if (f) return f;
    }
    return undefined;
  }

  /** The tsconfig aliases that apply to a file, looked up once per folder. */
  private aliasesOf(pkg: Package, from: string): ReturnType<AliasReader['forDir']> {
    const dir = path.posix.dirname(from);
    let known = this.folderAliases.get(dir);
    if (known === undefined) {
      known = this.aliases.forDir(path.dirname(path.join(pkg.dir, path.posix.relative(pkg.folder, from)))) ?? null;
      this.folderAliases.set(dir, known);
    }
    return known ?? undefined;
  }

  private lookupAbsolute(pkg: Package, abs: string): CodeFacts | undefined {
    return this.lookup(path.posix.join(pkg.folder, path.relative(pkg.dir, abs).split(path.sep).join('/')));
  }

  /** A printed path with or without its extension, or a folder with an index file. */
  private lookup(target: string): CodeFacts | undefined {
    const exact = this.byName.get(target);
    if (exact) return exact;
    // A file wins over a folder's index, as in Node's resolution.
    const f = this.byStem.get(target) ?? this.byStem.get(`${target}/index`);
    if (f) return f.file;
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
}
