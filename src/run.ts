import { readText, stripBom } from './read.js';
import fs from 'node:fs';
import path from 'node:path';
import { extractFacts } from './code/extract.js';
import type { CodeFacts } from './code/facts.js';
import { ModuleIndex } from './code/modules.js';
import { loadTypeScript, type Ts } from './code/typescript.js';
import { persistCompileCaches } from './compile-cache.js';
import { sha1 } from './sha1.js';
import { FileCache, type CacheEntry, type RunFiles, type RunMemo, type StoredDiscovery } from './cache.js';
import type { Config } from './config.js';
import { jsonError } from './json-error.js';
import { discover, displayName, SKIPPED_DIRS, type SourceFile } from './discover.js';
import { UsageError } from './errors.js';
import { parseDockerfile, type Dockerfile } from './docker/dockerfile.js';
import { buildManifests, toObjects, type K8sObject } from './k8s/objects.js';
import { readPlainYaml } from './k8s/yaml-fast.js';
import { yamlDocs, type ParsedYaml } from './k8s/yaml.js';
import { isKustomization, kustomizePatches, samePath } from './k8s/kustomize.js';
import { linkServices, toService, type App, type Package, type Problem } from './model.js';
import { linkByPort } from './cross/link.js';
import type { Rule } from './rule.js';
import { applySuppressions, IGNORE_ANNOTATION, parseDirectives, type Directive, type ObjectIgnore, type Suppressed } from './suppress.js';
import { addTime, timed } from './timing.js';
import { FsProbe } from './probe.js';
import { compareFindings, type Finding, type Severity, type Span } from './types.js';


export interface LintOptions {
  cwd: string;
  paths: string[];
  config: Config;
  rules: readonly Rule[];
  /** Every rule id replicalint knows (for suppression comments naming rules that did not run). */
  knownRules?: ReadonlySet<string>;
  stdinName?: string;
  readStdin?: () => Promise<string>;
  /** `--cache`: where the facts cache lives, and the tool version it is valid for. */
  cache?: { location: string; version: string };
}

export interface LintResult {
  findings: Finding[];
  /** How many files were read. */
  files: number;
  /** What the rules read; undefined when the result is one `--cache` stored (nothing it read changed). */
  model?: App;
  /** Things the user should know that are not findings (skipped Helm templates). */
  notices: string[];
  /** Rules that threw: an internal failure (exit code 2), reported after the findings. */
  failures: string[];
  /** Findings silenced by a suppression comment or annotation, with the reason. */
  suppressed: Suppressed[];
}

/** A run under way: its files, and the cache and file system answers it reads them through. */
interface Run {
  files: SourceFile[];
  cache?: FileCache;
  reader: Reader;
  /** Every package.json, tsconfig, `.git` and `Chart.yaml` question the run asks, to store with its result. */
  probe: FsProbe;
  /** What discovery said (skipped files), and what the cache said (a corrupt file, a failed write). */
  discovered: string[];
  cacheNotices: string[];
  /** The result the cache holds for this invocation (with `--cache`). */
  memo?: RunMemo;
  /** This run's discovery, to store with its result: undefined when it cannot be checked later (stdin, a folder changed just now). */
  discovery?: StoredDiscovery;
}

/**
 * A folder changed this recently may change again within the same tick of a coarse clock (one or
 * two seconds on some file systems) without its time moving: its listing is not trusted later.
 */
const RACY_MS = 2000;

/** `key`: the run's key with `--cache`, under which a stored discovery may be found. */
async function start(opts: Omit<LintOptions, 'rules'>, key?: string): Promise<Run> {
  const { cwd, config } = opts;
  const ignore = config.ignore.length ? { dir: config.file ? path.dirname(config.file) : cwd, patterns: config.ignore } : undefined;
  const cacheNotices: string[] = [];
  const cache = opts.cache ? timed('load cache', () => FileCache.open(opts.cache!.location, opts.cache!.version, (m) => cacheNotices.push(m))) : undefined;
  const memo = cache && key ? timed('load stored result', () => cache.memo(key)) : undefined;
  // stdin is read by discovery, and is no file to check later.
  const checkable = !!cache && !opts.paths.includes('-');
  const discoveryKey = checkable ? JSON.stringify([cwd, opts.paths, ignore ?? null]) : undefined;
  const stored = memo?.discovery;
  let files: SourceFile[];
  let discovered: string[];
  let discovery: StoredDiscovery | undefined;
  if (stored && stored.key === discoveryKey && timed('check stored discovery', () => storedDiscoveryHolds(stored))) {
    files = stored.files.map(([kind, name, p]) => ({ kind, name, path: p ?? stored.prefix + name }));
    discovered = [...stored.notices];
    discovery = stored;
  } else {
    discovered = [];
    const probe = new FsProbe();
    const began = Date.now();
    files = await timed('discover', () =>
      discover(opts.paths, { cwd, stdinName: opts.stdinName, readStdin: opts.readStdin, ignore, probe, onSkip: (name, why) => discovered.push(`${name}: skipped: ${why}`) }),
    );
    if (discoveryKey && probe.newestListing < began - RACY_MS) {
      // Most paths are the working folder and the name: stored as the name alone.
      const prefix = cwd.endsWith(path.sep) ? cwd : cwd + path.sep;
      discovery = {
        key: discoveryKey,
        questions: probe.log(),
        files: files.map((f) => (f.path === prefix + f.name ? [f.kind, f.name] : [f.kind, f.name, f.path])),
        prefix,
        notices: [...discovered],
      };
    }
  }
  if (!files.length && !discovered.length) {
    throw new UsageError(
      `no files to lint in ${opts.paths.join(' ') || '.'}: replicalint reads code (.ts .js ...), Kubernetes YAML, Dockerfiles and package.json, and skips ${SKIPPED_DIRS.join(', ')} and gitignored files`,
    );
  }
  return { files, cache, reader: new Reader(cache), probe: new FsProbe(), discovered, cacheNotices, memo, discovery };
}

/** Does a stored discovery still hold? One of an unexpected shape does not. */
function storedDiscoveryHolds(stored: StoredDiscovery): boolean {
  try {
    return Array.isArray(stored.files) && typeof stored.prefix === 'string' && Array.isArray(stored.notices) && FsProbe.stillHolds(stored.questions);
  } catch {
    return false;
  }
}

/** Write the cache (its new entries, and the result when the run stored one), and the code caches (the compiler's, replicalint's own) this run made. */
function finish(run: Run): void {
  persistCompileCaches(undefined, run.reader.parsed);
  const cache = run.cache;
  if (cache) timed('save cache', () => cache.save((m) => run.cacheNotices.push(m)));
}

/** Discover, parse and model the inputs, without running rules. */
export async function buildModel(opts: Omit<LintOptions, 'rules'>): Promise<{ model: App; files: number; notices: string[] }> {
  const run = await start(opts);
  const { model, notices } = await modelOf(run, opts);
  finish(run);
  return { model, files: run.files.length, notices: [...run.discovered, ...notices, ...run.cacheNotices] };
}

/** Parse (or take from the cache) every file of a run and model them. */
async function modelOf(run: Run, opts: Omit<LintOptions, 'rules'>): Promise<{ model: App; notices: string[] }> {
  const { cwd, config } = opts;
  const { files, reader, probe } = run;
  const notices: string[] = [];
  const problems: Problem[] = [];
  const objects: K8sObject[] = [];
  const code: { file: SourceFile; facts: CodeFacts }[] = [];
  const dockerfiles: { file: SourceFile; df: Dockerfile }[] = [];
  const helmSkipped = new Map<string, number>();
  const yamlObjects: { file: SourceFile; objects: K8sObject[] }[] = [];
  /** Files kustomizations apply as patches, to the kustomization that lists them (one a kustomization lists as a resource is whole). */
  const patches = new Map<string, string>();
  const resources = new Set<string>();
  const directives = new Map<string, Directive[]>();
  const moduleTypes = { dirs: new Map<string, string>(), types: new Map<string, boolean>() };

  for (const file of files) {
    if (file.kind === 'yaml') {
      const chart = helmChartOf(file.path, cwd, probe);
      if (chart) {
        helmSkipped.set(chart, (helmSkipped.get(chart) ?? 0) + 1);
        continue;
      }
    }
    let entry: CacheEntry | { text: string };
    try {
      entry = await reader.read(file);
    } catch (e) {
      problems.push({ file: file.name, message: (e as NodeJS.ErrnoException).code ?? (e as Error).message, unreadable: true, ...FIRST });
      continue;
    }
    if ('code' in entry) {
      const facts = entry.code.file === file.name ? entry.code : { ...entry.code, file: file.name };
      const error = facts.parseError ?? (facts.strictOnlyError && isEsModule(file.path, cwd, moduleTypes, probe) ? facts.strictOnlyError : undefined);
      if (error) {
        const { message, ...span } = error;
        problems.push({ file: file.name, message, ...span });
      } else {
        code.push({ file, facts });
        if (facts.directives.length) directives.set(file.name, facts.directives);
      }
    } else if ('yaml' in entry) {
      const y = entry.yaml;
      if (y.problem) {
        const { message, ...span } = y.problem;
        if (y.templated) notices.push(`${file.name}: skipped: looks like an unrendered template (${message} at line ${span.line})`);
        else problems.push({ file: file.name, message, ...span });
      } else {
        const docs = yamlDocs(file.name, y);
        if (isKustomization(file.path)) {
          const listed = kustomizePatches(file.path, docs);
          for (const p of listed.patches) patches.set(p, file.name);
          for (const r of listed.resources) resources.add(r);
        }
        yamlObjects.push({ file, objects: timed('kubernetes objects', () => toObjects(docs)) });
        if (y.directives?.length) directives.set(file.name, y.directives);
      }
    } else if (file.kind === 'dockerfile') {
      dockerfiles.push({ file, df: timed('parse dockerfiles', () => parseDockerfile(file.name, entry.text)) });
      const found = timed('read suppressions', () => parseDirectives(entry.text));
      if (found.length) directives.set(file.name, found);
    } else {
      const err = jsonProblem(entry.text);
      if (err) problems.push({ file: file.name, ...err });
    }
  }
  persistCompileCaches('typescript', reader.parsed);
  // A kustomize patch is a fragment of an object defined elsewhere: only the built output is whole.
  for (const { file, objects: found } of yamlObjects) {
    const at = samePath(file.path);
    const by = resources.has(at) ? undefined : patches.get(at);
    if (!by) {
      objects.push(...found);
      continue;
    }
    directives.delete(file.name);
    notices.push(`${file.name}: skipped: a kustomize patch (listed in ${by}); lint the built output instead: kustomize build ${path.posix.dirname(by)} | replicalint -`);
  }
  for (const [chart, n] of helmSkipped) {
    notices.push(`${chart}: skipped ${n} Helm template file${n === 1 ? '' : 's'}; lint the rendered output instead: helm template ${chart} | replicalint -`);
  }

  const packages = timed('packages', () => groupPackages(cwd, code, dockerfiles, probe));
  const services = packages.map(toService).filter((s) => s !== undefined);
  // Two services with one package.json name (a copied package.json) are told apart by their folders.
  const named = new Map<string, number>();
  for (const s of services) if (s.name) named.set(s.name, (named.get(s.name) ?? 0) + 1);
  for (const s of services) if (s.name && named.get(s.name)! > 1) s.label = `${s.name} (${s.folder})`;
  const manifests = buildManifests(objects);
  const links = timed('link services', () => linkServices(services, manifests.workloads, config.links, (m) => notices.push(m)));
  const model: App = {
    cwd,
    modules: new ModuleIndex(packages, probe),
    packages,
    services,
    manifests,
    dockerfiles: dockerfiles.map((d) => d.df),
    links,
    problems,
    directives,
    objectIgnores: objectIgnores(objects),
  };
  timed('link services', () => linkByPort(model));
  return { model, notices };
}

/**
 * Reads files, through the cache when there is one: code becomes facts and YAML becomes plain
 * documents (both cacheable); Dockerfiles and package.json come back as text. The TypeScript
 * compiler and the YAML library are loaded only when a file actually needs parsing.
 */
class Reader {
  private ts: Ts | undefined;
  private yaml: typeof import('./k8s/yaml-parse.js') | undefined;

  constructor(private readonly cache: FileCache | undefined) {}

  /** What the cache knows or was told of each file: its content hash, and its text when it had to be read. */
  private readonly contents = new Map<SourceFile, { hash?: string; text?: string }>();

  /**
   * The file's content hash (with a cache), reading it only when its stat changed since it was
   * last hashed; Dockerfiles and package.json, which are not cached, are read and hashed. Throws
   * when the file cannot be read.
   */
  hashOf(file: SourceFile): string | undefined {
    return this.content(file).hash;
  }

  private content(file: SourceFile): { hash?: string; text?: string } {
    let known = this.contents.get(file);
    if (known) return known;
    const cache = this.cache;
    if (file.kind !== 'code' && file.kind !== 'yaml') {
      const text = file.text ?? timed('read files', () => readText(file.path));
      known = { text, hash: cache ? FileCache.hash(file, text) : undefined };
    } else if (!cache || file.path === '-') {
      const text = file.text !== undefined ? textOf(file) : timed('read files', () => textOf(file));
      known = { text, hash: cache ? FileCache.hash(file, text) : undefined };
    } else {
      const stat = fs.statSync(file.path);
      const hash = cache.knownHash(file.path, stat);
      if (hash) known = { hash };
      else {
        const text = timed('read files', () => readText(file.path));
        known = { hash: FileCache.hash(file, text), text };
        cache.noteHash(file.path, stat, known.hash!);
      }
    }
    this.contents.set(file, known);
    return known;
  }

  async read(file: SourceFile): Promise<CacheEntry | { text: string }> {
    const known = this.content(file);
    if (file.kind !== 'code' && file.kind !== 'yaml') return { text: known.text! };
    // Code and YAML are read once: what they reduce to is kept, and the text no longer held here.
    // Code facts keep none of it (see `compactFacts`): about 4 MiB of heap on a corpus of 5,000
    // files that would otherwise stay to the end of the run. (YAML documents still refer to theirs.)
    const text = known.text;
    known.text = undefined;
    const hit = known.hash ? this.cache!.get(known.hash) : undefined;
    if (hit) return hit;
    // Known by its stat, but its entry is gone: read now, and kept under the hash of what was read.
    const read = text ?? textOf(file);
    const entry = await this.parse(file, read);
    if (known.hash) this.cache!.set(text === undefined ? FileCache.hash(file, read) : known.hash, entry);
    return entry;
  }

  /** Long strings of the run's facts, each kept once (see `compactFacts`). */
  private readonly strings = new Map<string, string>();

  /** How many code files this run parsed: a code cache written by a run that parsed far fewer is written again. */
  parsed = 0;

  private async parse(file: SourceFile, text: string): Promise<CacheEntry> {
    if (file.kind === 'code') {
      this.parsed++;
      this.ts ??= await timed('load typescript', loadTypeScript);
      return { code: extractFacts(this.ts, file.name, text, this.strings) };
    }
    // Every Kubernetes object names both keys: YAML without them (CI workflows, compose files,
    // lock files, API specs) is not Kubernetes, is ignored silently, and is not even parsed. A
    // kustomization need not name them, and is read for the patches it lists (silently: broken,
    // it only lists none).
    if (!text.includes('apiVersion') || !text.includes('kind')) {
      if (!isKustomization(file.path)) return { yaml: { docs: [] } };
      const read = await this.parseYaml(text);
      return { yaml: read.problem ? { docs: [] } : read };
    }
    return { yaml: await this.parseYaml(text) };
  }

  /** Documents and suppression comments of a YAML text; only the problem when it does not parse. */
  private async parseYaml(text: string): Promise<ParsedYaml> {
    // Plain block YAML (nearly every manifest) is read without the YAML library, which then never loads.
    let read = timed('parse yaml', () => readPlainYaml(text));
    if (!read) {
      this.yaml ??= await timed('load yaml', () => import('./k8s/yaml-parse.js'));
      const parse = this.yaml.parseYamlWithLibrary;
      read = timed('parse yaml', () => parse(text));
    }
    if (read.problem) return read;
    const directives = timed('read suppressions', () => parseDirectives(text));
    return directives.length ? { ...read, directives } : read;
  }
}

/** A code or YAML file's text: what was piped in for stdin, else read from disk. */
function textOf(file: SourceFile): string {
  return file.text !== undefined ? stripBom(file.text) : readText(file.path);
}

/**
 * Does Node load this JavaScript file as an ES module, by its package (`"type": "module"` in the
 * package.json of its package) rather than by its syntax? `.js` and extensionless files only: `.cjs`
 * is always CommonJS, and `.mjs` or `import`/`export` already make a module.
 */
function isEsModule(file: string, cwd: string, memo: { dirs: Map<string, string>; types: Map<string, boolean> }, probe: FsProbe): boolean {
  if (!/\.js$|(?:^|[/\\])[^./\\]+$/.test(file)) return false;
  const dir = packageDir(path.dirname(file), cwd, memo.dirs, probe);
  let esm = memo.types.get(dir);
  if (esm === undefined) {
    try {
      esm = (JSON.parse(probe.read(path.join(dir, 'package.json'))) as { type?: unknown } | null)?.type === 'module';
    } catch {
      esm = false;
    }
    memo.types.set(dir, esm);
  }
  return esm;
}

/** Kubernetes objects that opted out of rules with `ignore.replicalint.io/<rule>` annotations. */
function objectIgnores(objects: K8sObject[]): ObjectIgnore[] {
  const out: ObjectIgnore[] = [];
  for (const o of objects) {
    const rules = new Map<string, string>();
    for (const [k, v] of o.node.at('metadata', 'annotations')?.entries() ?? []) {
      if (k.startsWith(IGNORE_ANNOTATION)) rules.set(k.slice(IGNORE_ANNOTATION.length), v.str() ?? '');
    }
    if (rules.size) {
      const span = o.node.valueSpan();
      out.push({ file: o.node.src.file, from: span.line, to: span.endLine, rules });
    }
  }
  return out;
}

/**
 * Run the whole pipeline: discover → parse → model → rules → sorted findings. Rules marked `after`
 * run last and see the others' findings; findings in files that do not parse are dropped; then
 * suppressions move findings aside (kept, with their reason). With `--cache`, a result stored by
 * the same invocation is given again while nothing it read has changed (see {@link RunMemo}).
 */
export async function lint(opts: LintOptions): Promise<LintResult> {
  const enabled = opts.rules.filter((r) => opts.config.rules[r.id] !== 'off');
  const knownRules = opts.knownRules ?? new Set(opts.rules.map((r) => r.id));
  // With a cache, the last result of the same invocation is given again while everything it read is unchanged.
  const key = opts.cache ? runKey(opts, enabled, knownRules) : undefined;
  const run = await start(opts, key);
  const inputs = key ? timed('check stored result', () => fingerprint(run, opts.cwd)) : undefined;
  if (key && inputs) {
    const memo = run.memo;
    if (memo && (await stillHolds(run, memo, inputs))) {
      for (const h of inputs.hashes) run.cache!.keep(h);
      // The same result, from a discovery made again (the stored one no longer held, or there was none): kept for the next run.
      if (run.discovery && run.discovery !== memo.discovery) run.cache!.setMemo(key, { ...memo, discovery: run.discovery });
      finish(run);
      return {
        findings: memo.findings,
        suppressed: memo.suppressed,
        files: run.files.length,
        notices: [...run.discovered, ...memo.notices, ...run.cacheNotices],
        failures: [],
      };
    }
  }
  const { model, notices } = await modelOf(run, opts);
  const findings: Finding[] = [];
  const failures: string[] = [];
  const broken = new Set(model.problems.map((p) => p.file));
  const ordered = [...enabled.filter((r) => !r.after), ...enabled.filter((r) => r.after)];
  const enabledRules = new Set(enabled.map((r) => r.id));
  for (const rule of ordered) {
    // `off` rules were filtered out above; a configured severity overrides the rule's, even per finding.
    const setting = opts.config.rules[rule.id] as Severity | undefined;
    const start = performance.now();
    try {
      rule.check({
        app: model,
        findings,
        knownRules,
        enabledRules,
        report: (r) =>
          !(broken.has(r.at.file) && rule.id !== 'parse-error') &&
          findings.push({
            ruleId: rule.id,
            severity: setting ?? r.severity ?? rule.severity,
            message: r.message,
            ...r.at,
            ...(r.hint !== undefined || rule.fix ? { hint: r.hint ?? rule.fix } : {}),
            ...(r.related?.length ? { related: r.related } : {}),
          }),
      });
    } catch (e) {
      failures.push(`rule ${rule.id} failed: ${(e as Error).stack ?? String(e)}`);
    }
    addTime(`rule ${rule.id}`, performance.now() - start);
  }
  const { kept, suppressed } = timed('apply suppressions', () => applySuppressions(findings, model.directives, model.objectIgnores));
  kept.sort(compareFindings);
  suppressed.sort(compareFindings);
  if (key && inputs && !failures.length) {
    run.cache!.setMemo(key, { files: inputs, probes: run.probe.log(), findings: kept, suppressed, notices, ...(run.discovery ? { discovery: run.discovery } : {}) });
  }
  finish(run);
  return { findings: kept, suppressed, files: run.files.length, model, notices: [...run.discovered, ...notices, ...run.cacheNotices], failures };
}

/** What makes two runs the same invocation: the folder, the configuration and the rules. */
function runKey(opts: LintOptions, enabled: readonly Rule[], knownRules: ReadonlySet<string>): string {
  const what = JSON.stringify([opts.cwd, opts.config, enabled.map((r) => r.id), [...knownRules]]);
  return sha1(what);
}

/**
 * The files of the run (see {@link RunFiles}): the content hash of each, or why it could not be
 * read. A Helm template is skipped unread, whatever it says (the `Chart.yaml` that makes it one is
 * a question the run records).
 */
function fingerprint(run: Run, cwd: string): RunFiles {
  const hashes: string[] = [];
  for (const f of run.files) {
    let hash: string;
    try {
      hash = f.kind === 'yaml' && helmChartOf(f.path, cwd, run.probe) ? 'helm template' : run.reader.hashOf(f)!;
    } catch (e) {
      hash = `error:${(e as NodeJS.ErrnoException).code ?? 'unknown'}`;
    }
    hashes.push(hash);
  }
  // Whether a file is stdin is part of the list: stdin is never a Helm template or a kustomize
  // patch, whatever its name.
  const list = sha1(JSON.stringify(run.files.map((f) => [f.name, f.kind, f.path === '-' ? '-' : ''])));
  return { list, hashes };
}

/** Does a stored result still hold: the same files, and the same answers from the file system? */
async function stillHolds(run: Run, memo: RunMemo, inputs: RunFiles): Promise<boolean> {
  try {
    return (await sameInputs(run, memo.files, inputs)) && timed('check stored probes', () => FsProbe.stillHolds(memo.probes));
  } catch {
    // A stored result of an unexpected shape is not trusted: the rules run.
    return false;
  }
}

/**
 * Are the files those of the stored run? The same names and kinds in the same order (the same list
 * hash), each with the same content, or with content that reduces to the same facts or documents
 * (an edited comment); a file changed that way is parsed here, as the run would have.
 */
async function sameInputs(run: Run, stored: RunFiles, now: RunFiles): Promise<boolean> {
  if (stored.list !== now.list || stored.hashes.length !== now.hashes.length) return false;
  for (let i = 0; i < now.hashes.length; i++) {
    const before = stored.hashes[i]!;
    const after = now.hashes[i]!;
    if (before === after) continue;
    const file = run.files[i]!;
    if (typeof before !== 'string' || (file.kind !== 'code' && file.kind !== 'yaml')) return false;
    if (/^(?:error:|helm template$)/.test(before) || /^(?:error:|helm template$)/.test(after)) return false;
    await run.reader.read(file);
    if (!run.cache!.sameEntry(before, after)) return false;
    // The stored result names the entry it was computed from: kept while the result is.
    run.cache!.keep(before);
  }
  return true;
}

const FIRST: Span = { line: 1, column: 1, endLine: 1, endColumn: 1 };

/** A YAML file inside a Helm chart's `templates/` folder: the chart folder, else undefined. */
function helmChartOf(file: string, cwd: string, probe: FsProbe): string | undefined {
  if (file === '-') return undefined;
  let dir = path.dirname(file);
  while (path.basename(dir) !== 'templates') {
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  const chart = path.dirname(dir);
  return probe.exists(path.join(chart, 'Chart.yaml')) ? path.relative(cwd, chart).split(path.sep).join('/') || '.' : undefined;
}

/** A package.json that is not strict JSON, located. */
function jsonProblem(text: string): (Span & { message: string }) | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch {
    // Fall through to the scanner, which says where.
  }
  const err = jsonError(text);
  if (!err) return undefined;
  const before = text.slice(0, err.offset);
  const line = before.split('\n').length;
  const column = err.offset - before.lastIndexOf('\n');
  return { message: err.message, line, column, endLine: line, endColumn: column + 1 };
}

/** Group code files and Dockerfiles by the nearest folder with a package.json (or the working directory). */
function groupPackages(cwd: string, code: { file: SourceFile; facts: CodeFacts }[], dockerfiles: { file: SourceFile; df: Dockerfile }[], probe: FsProbe): Package[] {
  const byDir = new Map<string, Package>();
  const lookup = new Map<string, string>();
  const pkgOf = (file: string): Package => {
    const dir = packageDir(path.dirname(file), cwd, lookup, probe);
    let pkg = byDir.get(dir);
    if (!pkg) {
      // Printed as its files are (absolute when outside the working directory), so their paths inside it can be told.
      pkg = { dir, folder: path.resolve(dir) === path.resolve(cwd) ? '.' : displayName(dir, cwd), files: [], dockerfiles: [], ...readPackageJson(dir, probe) };
      byDir.set(dir, pkg);
    }
    return pkg;
  };
  for (const c of code) pkgOf(c.file.path).files.push(c.facts);
  for (const d of dockerfiles) if (d.file.path !== '-') pkgOf(d.file.path).dockerfiles.push(d.df);
  return [...byDir.values()].sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0));
}

/** The nearest folder at or above `dir` with a package.json, not crossing a repository root; else `cwd`. */
function packageDir(dir: string, cwd: string, memo: Map<string, string>, probe: FsProbe): string {
  const seen: string[] = [];
  let found = '';
  for (let cur = dir; ; ) {
    const known = memo.get(cur);
    if (known !== undefined) {
      found = known;
      break;
    }
    seen.push(cur);
    if (probe.exists(path.join(cur, 'package.json'))) {
      found = cur;
      break;
    }
    const up = path.dirname(cur);
    if (up === cur || probe.exists(path.join(cur, '.git'))) break;
    cur = up;
  }
  for (const s of seen) memo.set(s, found);
  return found || (dir === cwd || dir.startsWith(cwd + path.sep) ? cwd : dir);
}

function readPackageJson(dir: string, probe: FsProbe): Pick<Package, 'name' | 'main' | 'startScript' | 'startScriptAt' | 'scriptFiles'> {
  try {
    const text = probe.read(path.join(dir, 'package.json'));
    const json = JSON.parse(text) as Record<string, unknown>;
    const scripts = (json.scripts ?? {}) as Record<string, unknown>;
    const startScript = typeof scripts.start === 'string' ? scripts.start : undefined;
    return {
      name: typeof json.name === 'string' ? json.name : undefined,
      main: typeof json.main === 'string' ? json.main : undefined,
      startScript,
      ...(startScript !== undefined ? { startScriptAt: startScriptSpan(text), scriptFiles: scriptFiles(scripts) } : {}),
    };
  } catch {
    return {};
  }
}

/** Where `"start": "..."` is in the `scripts` of a package.json text. */
/** The code files package.json scripts name, split into those `start` runs and those only other scripts run. */
function scriptFiles(scripts: Record<string, unknown>): { start: string[]; other: string[] } {
  const filesOf = (script: string) =>
    script
      .split(/[\s;&|()]+/)
      .map((w) => w.replace(/^['"]|['"]$/g, ''))
      .filter((w) => /\.[cm]?[jt]sx?$/.test(w) && !w.includes('*') && !path.posix.isAbsolute(w))
      .map((w) => path.posix.normalize(w));
  // `start`, what it runs with `npm run x` / `yarn x` / `pnpm x`, and their pre- and post- scripts.
  const started = new Set<string>();
  const queue = ['start'];
  while (queue.length) {
    const name = queue.pop()!;
    const script = scripts[name];
    if (started.has(name) || typeof script !== 'string') continue;
    started.add(name);
    queue.push(`pre${name}`, `post${name}`);
    for (const m of script.matchAll(/\b(?:npm run(?:-script)?|yarn(?: run)?|pnpm(?: run)?)\s+([\w:.-]+)/g)) queue.push(m[1]!);
  }
  const start = new Set<string>();
  const other = new Set<string>();
  for (const [name, script] of Object.entries(scripts)) {
    if (typeof script !== 'string') continue;
    for (const f of filesOf(script)) (started.has(name) ? start : other).add(f);
  }
  return { start: [...start], other: [...other].filter((f) => !start.has(f)) };
}

function startScriptSpan(text: string): Span | undefined {
  const scripts = text.search(/"scripts"\s*:/);
  const re = /"start"\s*:\s*"(?:[^"\\]|\\.)*"/g;
  re.lastIndex = Math.max(scripts, 0);
  const m = re.exec(text);
  if (!m) return undefined;
  const before = text.slice(0, m.index);
  const line = before.split('\n').length;
  const column = m.index - before.lastIndexOf('\n');
  return { line, column, endLine: line, endColumn: column + m[0].length };
}
