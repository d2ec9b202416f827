import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors.js';
import { GitIgnore } from './gitignore.js';
import { FsProbe } from './probe.js';

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

/**
 * Folders never walked into (explicit file arguments inside them are still read): dependencies,
 * build output, and `.yarn`, where Yarn keeps its own multi-megabyte release and plugins (committed
 * to the repository, so no .gitignore leaves them out) and unplugged dependencies.
 */
export const SKIPPED_DIRS = ['node_modules', 'dist', 'build', 'coverage', '.git', '.yarn'] as const;

const CODE_EXT = /\.(?:ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;
const DECLARATION = /\.d\.(?:ts|mts|cts)$|\.d\.[^/]*\.ts$/;
const YAML_EXT = /\.ya?ml$/;
/** Test code (`*.test.ts`, `*.spec.ts`, Nest's `*.e2e-spec.ts`), bundled code and Yarn's generated loader (`.pnp.cjs`) never run as the service's code, so they are not linted. */
const NOT_SERVICE_CODE = /(?:^|\/)(?:__tests__|__mocks__)\/|\.(?:test|spec|e2e|e2e-spec)\.[cm]?[jt]sx?$|\.min\.js$|(?:^|\/)\.pnp\.(?:c?js|loader\.mjs)$/;

/** Classify a file by name; undefined when replicalint does not read it. */
export function classify(file: string): FileKind | undefined {
  const base = path.basename(file);
  if (base === 'package.json') return 'package-json';
  // `docker build` also takes a lower-case `dockerfile` when there is no `Dockerfile`; `api.dockerfile` is the editors' name.
  if (base === 'Dockerfile' || base === 'dockerfile' || base === 'Containerfile' || base.endsWith('.Dockerfile') || base.endsWith('.dockerfile')) return 'dockerfile';
  // `Dockerfile-prod`, `Dockerfile_dev`: no extension, so never `Dockerfile-generator.js`.
  if (/^(?:Dockerfile|Containerfile)[-_][\w-]+$/.test(base)) return 'dockerfile';
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
  /**
   * Asks every file-system question besides the folder listings themselves (ignore files, `.git`,
   * shebangs) and notes every folder listed, so that `--cache` can tell whether a stored discovery
   * still holds.
   */
  probe?: FsProbe;
}

/**
 * Find the files under each path argument. Directories are walked folder by folder, honouring every
 * `.gitignore` from the repository root down, skipping {@link SKIPPED_DIRS} and never following
 * symlinks; explicit files are always read; `-` reads manifests from stdin.
 */
export async function discover(args: string[], opts: DiscoverOptions): Promise<SourceFile[]> {
  const probe = opts.probe ?? new FsProbe();
  const found = new Map<string, SourceFile>();
  const add = (abs: string, kind: FileKind) => {
    // One key per file however it was named (`C:\\a\\b.ts` on the command line, `C:/a/b.ts` from the walk).
    const key = path.sep === '/' ? abs : abs.split(path.sep).join('/');
    if (!found.has(key)) found.set(key, { kind, path: abs, name: displayName(abs, opts.cwd) });
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
    const stat = probe.statKind(abs);
    if (stat === 'missing') throw new UsageError(`no such file or directory: ${arg}`);
    if (stat === 'file') {
      const kind = classify(abs) ?? guessKind(abs, probe);
      if (kind) add(abs, kind);
      else opts.onSkip?.(displayName(abs, opts.cwd), 'not code, Kubernetes YAML, a Dockerfile or package.json');
      continue;
    }
    for (const { file, kind } of walk(abs, opts.cwd, probe, opts.ignore)) {
      if (!(kind === 'code' && NOT_SERVICE_CODE.test(file))) add(file, kind);
    }
  }
  const files = [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return stdin ? [...files, stdin] : files;
}

/** A Node shebang: `#!/usr/bin/env node`, `#!/usr/local/bin/node`, `#!/usr/bin/env -S node --max-old-space-size=512`. */
const NODE_SHEBANG = /^#![^\n]*[/\s]node(?:js)?(?:\s|$)/;

/**
 * A file without an extension that starts with a Node shebang is JavaScript: express-generator's
 * `bin/www` is where such an app starts its server. Only files in a `bin/` folder (where packages
 * keep their executables) are opened to see, and files named on the command line.
 */
function isNodeScript(file: string, probe: FsProbe): boolean {
  try {
    return NODE_SHEBANG.test(probe.head(file, 256).toString('latin1'));
  } catch {
    return false;
  }
}

/**
 * An explicit file with an unknown name is read as code when it starts with a Node shebang, as
 * YAML when it looks like a manifest (`helm template > rendered`, `manifest.txt`); anything else
 * (a README, a licence) is skipped.
 */
function guessKind(file: string, probe: FsProbe): FileKind | undefined {
  let head: string;
  try {
    head = probe.head(file, 64 * 1024).toString('utf8');
  } catch {
    return 'yaml';
  }
  if (NODE_SHEBANG.test(head)) return 'code';
  return /^(?:apiVersion|kind):/m.test(head) ? 'yaml' : undefined;
}

/** A path as findings print it: relative to the working directory, or absolute when outside it. */
export function displayName(abs: string, cwd: string): string {
  // Fast path for the common case (a file under the working directory), without path.relative.
  if (path.sep === '/' && abs.startsWith(cwd) && abs[cwd.length] === '/') return abs.slice(cwd.length + 1);
  const rel = path.relative(cwd, abs);
  return (rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel).split(path.sep).join('/');
}

/**
 * Every file under `dir` that replicalint reads, as absolute paths with forward slashes, and what
 * it is read as (by its name; a file without an extension in `bin/` by its shebang). One `readdir`
 * per folder; a folder a `.gitignore` excludes is never entered (as git does: nothing inside it can
 * be re-included), {@link SKIPPED_DIRS} are never entered, symlinks are never followed, and an
 * unreadable folder is skipped rather than ending the run.
 */
function walk(dir: string, cwd: string, probe: FsProbe, extra?: DiscoverOptions['ignore']): { file: string; kind: FileKind }[] {
  const base = prefixOf(dir);
  const top = loadIgnores(ignoreFilesAbove(dir, cwd, probe), probe);
  // The config's `ignore` is read last, after every .gitignore (nested ones included).
  const config = extra?.patterns.length ? { prefix: prefixOf(extra.dir), rules: new GitIgnore('').add(extra.patterns) } : undefined;
  const out: { file: string; kind: FileKind }[] = [];
  const skipped = new Set<string>(SKIPPED_DIRS);
  const visit = (folder: string, matchers: IgnoreRules[]): void => {
    let entries: fs.Dirent[];
    probe.listing(folder);
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    if (folder !== base) {
      // A nested repository (a submodule) has rules of its own, and none of the outer ones: the
      // same files are read whether its folder or the outer one is linted.
      if (entries.some((e) => e.name === '.git')) {
        const exclude = excludeFile(folder + '.git', probe);
        matchers = exclude ? loadIgnores([{ file: exclude, dir: folder }], probe) : [];
      }
      // A folder's own .gitignore applies below it (the walked folder's is already among `top`).
      if (entries.some((e) => e.name === '.gitignore' && e.isFile())) {
        matchers = [...matchers, ...loadIgnores([{ file: folder + '.gitignore', dir: folder }], probe)];
      }
    }
    const inBin = folder.endsWith('/bin/');
    for (const e of entries) {
      const abs = folder + e.name;
      if (e.isDirectory()) {
        if (!skipped.has(e.name) && !isIgnored(abs, true, matchers, config)) visit(abs + '/', matchers);
      } else if (e.isFile()) {
        const kind = classify(e.name);
        // Executables live in `bin/`: a name there without a dot is opened, unless something ignores it.
        const script = !kind && inBin && !e.name.includes('.');
        if ((!kind && !script) || isIgnored(abs, false, matchers, config) || (script && !isNodeScript(abs, probe))) continue;
        out.push({ file: abs, kind: kind ?? 'code' });
      }
    }
  };
  if (!underExcludedFolder(base, top, config)) visit(base, top);
  return out;
}

interface IgnoreRules {
  /** The folder, with forward slashes and a trailing slash. */
  prefix: string;
  rules: GitIgnore;
}

/** An ignore file and the folder its patterns are relative to. */
interface IgnoreSource {
  file: string;
  dir: string;
}

/**
 * The ignore files that apply to `dir`, outermost first: the repository's `.git/info/exclude` (git
 * reads it before every `.gitignore`), then the `.gitignore` of every folder from the repository
 * root (the folder holding `.git`) down to `dir`. Outside
 * a repository (a build context, an unpacked archive), those up to the working directory: linting a
 * sub-folder honours what linting the whole folder would.
 */
function ignoreFilesAbove(dir: string, cwd: string, probe: FsProbe): IgnoreSource[] {
  const out: IgnoreSource[] = [];
  let cur = dir;
  for (;;) {
    const file = path.join(cur, '.gitignore');
    if (probe.isPlainFile(file)) out.push({ file, dir: cur });
    const git = path.join(cur, '.git');
    if (probe.exists(git)) {
      const exclude = excludeFile(git, probe);
      if (exclude) out.push({ file: exclude, dir: cur });
      return out.reverse();
    }
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  // No repository: only the folders from `dir` up to the working directory count.
  const within = (folder: string) => {
    const rel = path.relative(cwd, folder);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  };
  return out.filter((f) => f.dir === dir || (within(dir) && within(f.dir))).reverse();
}

/**
 * The repository's `info/exclude`. In a worktree or a submodule `.git` is a file naming the git
 * folder (`gitdir: ...`), whose `commondir` names the folder that holds `info/` for a worktree.
 */
function excludeFile(git: string, probe: FsProbe): string | undefined {
  let dir = git;
  try {
    if (probe.statKind(git) === 'file') {
      const target = /^gitdir:\s*(.+?)\s*$/m.exec(probe.readRaw(git))?.[1];
      if (!target) return undefined;
      dir = path.resolve(path.dirname(git), target);
      const common = path.join(dir, 'commondir');
      if (probe.exists(common)) dir = path.resolve(dir, probe.readRaw(common).trim());
    }
  } catch {
    return undefined;
  }
  // A regular file, not a link: git reads no ignore file that is a symbolic link.
  const file = path.join(dir, 'info', 'exclude');
  return probe.isPlainFile(file) ? file : undefined;
}

/** Ignore files, outermost first (and, in one folder, in the order given), so that later ones override earlier ones, as in git. */
function loadIgnores(sources: IgnoreSource[], probe: FsProbe): IgnoreRules[] {
  const out: IgnoreRules[] = [];
  for (const { file, dir } of sources) {
    let text: string;
    try {
      text = probe.readRaw(file);
    } catch {
      continue; // an unreadable .gitignore ignores nothing
    }
    out.push({ prefix: prefixOf(dir), rules: new GitIgnore(text) });
  }
  // Array.prototype.sort is stable: files of one folder keep their order.
  return out.sort((a, b) => a.prefix.length - b.prefix.length);
}

function prefixOf(dir: string): string {
  return dir.split(path.sep).join('/').replace(/\/?$/, '/');
}

/**
 * Is the walked folder, or a folder between it and the `.gitignore` files above it, excluded? Then
 * so is everything in it, as in git (`replicalint generated/` when `.gitignore` lists `generated`).
 */
function underExcludedFolder(base: string, matchers: IgnoreRules[], last?: IgnoreRules): boolean {
  const roots = [...matchers, ...(last ? [last] : [])].map((m) => m.prefix).filter((p) => base.startsWith(p) && p !== base);
  if (!roots.length) return false;
  let cur = roots.reduce((a, b) => (a.length <= b.length ? a : b));
  for (const part of base.slice(cur.length).split('/')) {
    if (!part) continue;
    cur += part;
    if (isIgnored(cur, true, matchers, last)) return true;
    cur += '/';
  }
  return false;
}

/**
 * Is this entry of a folder the walk entered excluded? Gitignore files shallow first, so that a
 * deeper one overrides its parents, as git does; then `last`. Only the entry's own path is judged:
 * its folders were judged when the walk entered them.
 */
function isIgnored(entry: string, isDir: boolean, matchers: IgnoreRules[], last?: IgnoreRules): boolean {
  let ignored = false;
  for (let i = 0; i <= matchers.length; i++) {
    const m = i < matchers.length ? matchers[i]! : last;
    if (!m || !entry.startsWith(m.prefix)) continue;
    const verdict = m.rules.test(entry.slice(m.prefix.length), isDir);
    if (verdict !== undefined) ignored = verdict;
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
