import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import ignore, { type Ignore } from 'ignore';

/** What a discovered file is read as. */
export type FileKind = 'code' | 'yaml' | 'dockerfile' | 'package-json';

/** A file to lint. `path` is absolute (or `-` for stdin); `name` is what findings print. */
export interface SourceFile {
  kind: FileKind;
  path: string;
  name: string;
  /** Set for stdin, which is read before discovery returns. */
  text?: string;
}

/** Folders never walked into (explicit file arguments inside them are still read). */
export const SKIPPED_DIRS = ['node_modules', 'dist', 'build', 'coverage', '.git'] as const;

const CODE_EXT = /\.(?:ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const DECLARATION = /\.d\.(?:ts|mts|cts)$|\.d\.[^/]*\.ts$/;
const YAML_EXT = /\.ya?ml$/;
/** Test and bundled code never runs in a replica, so it is not linted. */
const NOT_SERVICE_CODE = /(?:^|\/)(?:__tests__|__mocks__)\/|\.(?:test|spec)\.[cm]?[jt]sx?$|\.min\.js$/;

/** Classify a file by name; undefined when replicalint does not read it. */
export function classify(file: string): FileKind | undefined {
  const base = path.basename(file);
  if (base === 'package.json') return 'package-json';
  if (base === 'Dockerfile' || base === 'Containerfile' || base.endsWith('.Dockerfile')) return 'dockerfile';
  if (/^(?:Dockerfile|Containerfile)\.[\w.-]+$/.test(base) && !/\.(?:md|txt|dockerignore|orig|bak)$/.test(base)) {
    return 'dockerfile';
  }
  if (YAML_EXT.test(base)) return 'yaml';
  if (CODE_EXT.test(base) && !DECLARATION.test(base)) return 'code';
  return undefined;
}

export class UsageError extends Error {}

export interface DiscoverOptions {
  cwd: string;
  /** Name to print for stdin (`-`). */
  stdinName?: string;
  readStdin?: () => Promise<string>;
  /** Extra gitignore-style patterns (the config's `ignore`), relative to `dir`. */
  ignore?: { dir: string; patterns: string[] };
}

/**
 * Find the files under each path argument. Directories are walked with fast-glob, honouring every
 * `.gitignore` from the repository root down, skipping {@link SKIPPED_DIRS} and never following
 * symlinks; explicit files are always read; `-` reads manifests from stdin.
 */
export async function discover(args: string[], opts: DiscoverOptions): Promise<SourceFile[]> {
  const found = new Map<string, SourceFile>();
  const add = (abs: string, kind: FileKind) => {
    if (!found.has(abs)) found.set(abs, { kind, path: abs, name: displayName(abs, opts.cwd) });
  };
  let stdin: SourceFile | undefined;

  for (const arg of args.length ? args : ['.']) {
    if (arg === '-') {
      const text = await (opts.readStdin ?? readAllStdin)();
      stdin = { kind: 'yaml', path: '-', name: opts.stdinName ?? '<stdin>', text };
      continue;
    }
    const abs = path.resolve(opts.cwd, arg);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(abs);
    } catch {
      throw new UsageError(`no such file or directory: ${arg}`);
    }
    if (stat.isFile()) {
      add(abs, classify(abs) ?? guessKind(abs));
      continue;
    }
    for (const file of await walk(abs, opts.ignore)) {
      const kind = classify(file);
      if (kind && !(kind === 'code' && NOT_SERVICE_CODE.test(file))) add(file, kind);
    }
  }
  const files = [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return stdin ? [...files, stdin] : files;
}

/** An explicit file with an unknown name is read as YAML (e.g. `manifest.txt` rendered by a tool). */
function guessKind(file: string): FileKind {
  return CODE_EXT.test(file) ? 'code' : 'yaml';
}

function displayName(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return (rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel).split(path.sep).join('/');
}

async function walk(dir: string, extra?: DiscoverOptions['ignore']): Promise<string[]> {
  const skip = SKIPPED_DIRS.map((d) => `**/${d}/**`);
  const common = { cwd: dir, dot: true, followSymbolicLinks: false, onlyFiles: true, ignore: skip, absolute: true };
  const [gitignores, files] = await Promise.all([
    fg('**/.gitignore', common),
    fg(['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,yaml,yml}', '**/package.json', '**/{Dockerfile,Containerfile}{,.*}', '**/*.Dockerfile'], common),
  ]);
  const matchers = loadIgnores([...ancestorGitignores(dir), ...gitignores]);
  if (extra?.patterns.length) matchers.push({ dir: extra.dir, rules: ignore().add(extra.patterns) });
  return matchers.length ? files.filter((f) => !isIgnored(f, matchers)) : files;
}

interface IgnoreFile {
  dir: string;
  rules: Ignore;
}

/** `.gitignore` files above `dir`, up to the repository root (the folder holding `.git`). */
function ancestorGitignores(dir: string): string[] {
  const out: string[] = [];
  let cur = dir;
  while (!fs.existsSync(path.join(cur, '.git'))) {
    const parent = path.dirname(cur);
    if (parent === cur) return [];
    cur = parent;
    const file = path.join(cur, '.gitignore');
    if (fs.existsSync(file)) out.push(file);
  }
  return out;
}

function loadIgnores(files: string[]): IgnoreFile[] {
  const out: IgnoreFile[] = [];
  for (const file of files) {
    try {
      out.push({ dir: path.dirname(file), rules: ignore().add(fs.readFileSync(file, 'utf8')) });
    } catch {
      // An unreadable .gitignore ignores nothing.
    }
  }
  // Shallow first, so that a deeper .gitignore overrides its parents, as git does.
  return out.sort((a, b) => a.dir.length - b.dir.length);
}

function isIgnored(file: string, matchers: IgnoreFile[]): boolean {
  let ignored = false;
  for (const m of matchers) {
    const rel = path.relative(m.dir, file);
    if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
    const r = m.rules.test(rel.split(path.sep).join('/'));
    if (r.ignored) ignored = true;
    else if (r.unignored) ignored = false;
  }
  return ignored;
}

function readAllStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}
