import fs from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { UsageError } from './errors.js';

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

export interface DiscoverOptions {
  cwd: string;
  /** Name to print for stdin (`-`). */
  stdinName?: string;
  readStdin?: () => Promise<string>;
  /** Extra gitignore-style patterns (the config's `ignore`), relative to `dir`. */
  ignore?: { dir: string; patterns: string[] };
  /** Told about explicit files that are not read (a README named on the command line). */
  onSkip?: (name: string, why: string) => void;
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
      if (stdin) continue; // stdin can be read only once
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
      const kind = classify(abs) ?? guessKind(abs);
      if (kind) add(abs, kind);
      else opts.onSkip?.(displayName(abs, opts.cwd), 'not code, Kubernetes YAML, a Dockerfile or package.json');
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

/**
 * An explicit file with an unknown name is read as YAML when it looks like a manifest
 * (`helm template > rendered`, `manifest.txt`); anything else (a README, a licence) is skipped.
 */
function guessKind(file: string): FileKind | undefined {
  let head: string;
  try {
    const fd = fs.openSync(file, 'r');
    const buf = Buffer.alloc(64 * 1024);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    fs.closeSync(fd);
    head = buf.subarray(0, n).toString('utf8');
  } catch {
    return 'yaml';
  }
  return /^(?:apiVersion|kind):/m.test(head) ? 'yaml' : undefined;
}

/** A path as findings print it: relative to the working directory, or absolute when outside it. */
export function displayName(abs: string, cwd: string): string {
  // Fast path for the common case (a file under the working directory), without path.relative.
  if (path.sep === '/' && abs.startsWith(cwd) && abs[cwd.length] === '/') return abs.slice(cwd.length + 1);
  const rel = path.relative(cwd, abs);
  return (rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel).split(path.sep).join('/');
}

async function walk(dir: string, extra?: DiscoverOptions['ignore']): Promise<string[]> {
  const above = ancestorGitignores(dir);
  const skip = [...SKIPPED_DIRS.map((d) => `**/${d}/**`), ...pruneGlobs(above, dir)];
  // One walk: the .gitignore files come back with everything else and are split out here.
  // Relative results joined here: fast-glob's `absolute` costs a path.resolve per entry.
  // Loaded here, so that runs on explicit files never pay for it.
  const { default: fg } = await import('fast-glob');
  // An unreadable sub-folder is skipped rather than ending the run.
  // The synchronous walk is faster than the async one for a local tree, and nothing else runs meanwhile.
  const all = fg.sync('**/*', { cwd: dir, dot: true, followSymbolicLinks: false, onlyFiles: true, ignore: skip, suppressErrors: true });
  const base = prefixOf(dir);
  const gitignores: string[] = [];
  const files: string[] = [];
  for (const rel of all) {
    if (rel.endsWith('.gitignore') && (rel === '.gitignore' || rel.endsWith('/.gitignore'))) {
      if (rel !== '.gitignore') gitignores.push(base + rel);
    } else if (classify(rel)) files.push(base + rel);
  }
  const matchers = loadIgnores([...above, ...gitignores]);
  if (extra?.patterns.length) matchers.push({ prefix: prefixOf(extra.dir), rules: ignore().add(extra.patterns) });
  return matchers.length ? files.filter((f) => !isIgnored(f, matchers)) : files;
}

interface IgnoreFile {
  /** The folder, with forward slashes and a trailing slash. */
  prefix: string;
  rules: Ignore;
}

/** The `.gitignore` of `dir`, and those above it up to the repository root (the folder holding `.git`) when there is one. */
function ancestorGitignores(dir: string): string[] {
  const own = path.join(dir, '.gitignore');
  const out = fs.existsSync(own) ? [own] : [];
  const mine = out.length;
  for (let cur = dir; !fs.existsSync(path.join(cur, '.git')); ) {
    const parent = path.dirname(cur);
    if (parent === cur) return out.slice(0, mine);
    cur = parent;
    const file = path.join(cur, '.gitignore');
    if (fs.existsSync(file)) out.push(file);
  }
  return out;
}

/**
 * Globs for folders that `.gitignore` files at or above the walked folder exclude, so the walk
 * never enters them (a big ignored `.next/` or `tmp/` costs nothing). Only files without
 * negations, and only patterns whose meaning as a glob is certain, are used; the full gitignore
 * filter still runs on what the walk returns.
 */
function pruneGlobs(gitignores: string[], dir: string): string[] {
  const out: string[] = [];
  for (const file of gitignores) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    if (lines.some((l) => l.startsWith('!') || l.includes('\\'))) continue;
    const own = path.dirname(file) === dir;
    for (const l of lines) {
      const name = l.replace(/\/$/, '');
      if (/^[\w.-]+$/.test(name) && name !== '.' && name !== '..') out.push(`**/${name}/**`);
      else if (own && /^\/?[\w.-]+(?:\/[\w.-]+)*$/.test(name) && !/(^|\/)\.\.?($|\/)/.test(name)) out.push(`${name.replace(/^\//, '')}/**`);
    }
  }
  return out;
}

function loadIgnores(files: string[]): IgnoreFile[] {
  const out: IgnoreFile[] = [];
  for (const file of files) {
    try {
      out.push({ prefix: prefixOf(path.dirname(file)), rules: ignore().add(fs.readFileSync(file, 'utf8')) });
    } catch {
      // An unreadable .gitignore ignores nothing.
    }
  }
  // Shallow first, so that a deeper .gitignore overrides its parents, as git does.
  return out.sort((a, b) => a.prefix.length - b.prefix.length);
}

function prefixOf(dir: string): string {
  return dir.split(path.sep).join('/').replace(/\/?$/, '/');
}

function isIgnored(file: string, matchers: IgnoreFile[]): boolean {
  let ignored = false;
  for (const m of matchers) {
    // fast-glob returns absolute paths with forward slashes.
    if (!file.startsWith(m.prefix)) continue;
    const r = m.rules.test(file.slice(m.prefix.length));
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
