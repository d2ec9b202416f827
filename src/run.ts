import fs from 'node:fs';
import path from 'node:path';
import { extractFacts } from './code/extract.js';
import type { CodeFacts } from './code/facts.js';
import { ModuleIndex } from './code/modules.js';
import { loadTypeScript } from './code/typescript.js';
import type { Config } from './config.js';
import { jsonError } from './json-error.js';
import { discover, type SourceFile } from './discover.js';
import { parseDockerfile, type Dockerfile } from './docker/dockerfile.js';
import { buildManifests, toObjects, type K8sObject } from './k8s/objects.js';
import { parseYaml } from './k8s/yaml.js';
import { linkServices, toService, type App, type Package, type Problem } from './model.js';
import type { Rule } from './rule.js';
import { compareFindings, type Finding, type Span } from './types.js';


export interface LintOptions {
  cwd: string;
  paths: string[];
  config: Config;
  rules: readonly Rule[];
  stdinName?: string;
  readStdin?: () => Promise<string>;
}

export interface LintResult {
  findings: Finding[];
  /** How many files were read. */
  files: number;
  model: App;
  /** Things the user should know that are not findings (skipped Helm templates). */
  notices: string[];
  /** Rules that threw: an internal failure (exit code 2), reported after the findings. */
  failures: string[];
}

/** Discover, parse and model the inputs, without running rules. */
export async function buildModel(opts: Omit<LintOptions, 'rules'>): Promise<{ model: App; files: number; notices: string[] }> {
  const { cwd, config } = opts;
  const ignore = config.ignore.length ? { dir: config.file ? path.dirname(config.file) : cwd, patterns: config.ignore } : undefined;
  const files = await discover(opts.paths, { cwd, stdinName: opts.stdinName, readStdin: opts.readStdin, ignore });
  const problems: Problem[] = [];
  const notices: string[] = [];
  const objects: K8sObject[] = [];
  const code: { file: SourceFile; facts: CodeFacts }[] = [];
  const dockerfiles: { file: SourceFile; df: Dockerfile }[] = [];
  const helmSkipped = new Map<string, number>();
  const ts = files.some((f) => f.kind === 'code') ? await loadTypeScript() : undefined;

  for (const file of files) {
    let text: string;
    try {
      text = file.text ?? fs.readFileSync(file.path, 'utf8');
    } catch (e) {
      problems.push({ file: file.name, message: `cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, ...FIRST });
      continue;
    }
    if (file.kind === 'code') {
      const facts = extractFacts(ts!, file.name, text);
      if (facts.parseError) {
        const { message, ...span } = facts.parseError;
        problems.push({ file: file.name, message, ...span });
      } else code.push({ file, facts });
    } else if (file.kind === 'yaml') {
      const chart = helmChartOf(file.path, cwd);
      if (chart) {
        helmSkipped.set(chart, (helmSkipped.get(chart) ?? 0) + 1);
        continue;
      }
      const y = parseYaml(file.name, text);
      if (y.problem) {
        const { message, ...span } = y.problem;
        if (/\{\{/.test(text)) notices.push(`${file.name}: skipped: looks like an unrendered template (${message} at line ${span.line})`);
        else problems.push({ file: file.name, message, ...span });
      } else objects.push(...toObjects(y.docs));
    } else if (file.kind === 'dockerfile') {
      dockerfiles.push({ file, df: parseDockerfile(file.name, text) });
    } else {
      const err = jsonProblem(text);
      if (err) problems.push({ file: file.name, ...err });
    }
  }
  for (const [chart, n] of helmSkipped) {
    notices.push(`${chart}: skipped ${n} Helm template file${n === 1 ? '' : 's'}; lint the rendered output instead: helm template ${chart} | replicalint -`);
  }

  const packages = groupPackages(cwd, code, dockerfiles);
  const services = packages.map(toService).filter((s) => s !== undefined);
  const manifests = buildManifests(objects);
  const model: App = {
    cwd,
    modules: new ModuleIndex(packages),
    packages,
    services,
    manifests,
    dockerfiles: dockerfiles.map((d) => d.df),
    links: linkServices(services, manifests.workloads, config.links),
    problems,
  };
  return { model, files: files.length, notices };
}

/** Run the whole pipeline: discover → parse → model → rules → sorted findings. */
export async function lint(opts: LintOptions): Promise<LintResult> {
  const { model, files, notices } = await buildModel(opts);
  const findings: Finding[] = [];
  const failures: string[] = [];
  for (const rule of opts.rules) {
    const setting = opts.config.rules[rule.id];
    if (setting === 'off') continue;
    const severity = setting ?? rule.severity;
    try {
      rule.check({
        app: model,
        report: (r) =>
          findings.push({
            ruleId: rule.id,
            severity: setting ?? r.severity ?? severity,
            message: r.message,
            ...r.at,
            ...(r.hint !== undefined || rule.fix ? { hint: r.hint ?? rule.fix } : {}),
            ...(r.related?.length ? { related: r.related } : {}),
          }),
      });
    } catch (e) {
      failures.push(`rule ${rule.id} failed: ${(e as Error).stack ?? String(e)}`);
    }
  }
  const broken = new Set(model.problems.map((p) => p.file));
  const kept = findings.filter((f) => f.ruleId === 'parse-error' || !broken.has(f.file));
  return { findings: kept.sort(compareFindings), files, model, notices, failures };
}

const FIRST: Span = { line: 1, column: 1, endLine: 1, endColumn: 1 };

/** A YAML file inside a Helm chart's `templates/` folder: the chart folder, else undefined. */
function helmChartOf(file: string, cwd: string): string | undefined {
  if (file === '-') return undefined;
  let dir = path.dirname(file);
  while (path.basename(dir) !== 'templates') {
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  const chart = path.dirname(dir);
  return fs.existsSync(path.join(chart, 'Chart.yaml')) ? path.relative(cwd, chart).split(path.sep).join('/') || '.' : undefined;
}

/** A package.json that is not strict JSON, located. */
function jsonProblem(text: string): (Span & { message: string }) | undefined {
  const err = jsonError(text);
  if (!err) return undefined;
  const before = text.slice(0, err.offset);
  const line = before.split('\n').length;
  const column = err.offset - before.lastIndexOf('\n');
  return { message: err.message, line, column, endLine: line, endColumn: column + 1 };
}

/** Group code files and Dockerfiles by the nearest folder with a package.json (or the working directory). */
function groupPackages(cwd: string, code: { file: SourceFile; facts: CodeFacts }[], dockerfiles: { file: SourceFile; df: Dockerfile }[]): Package[] {
  const byDir = new Map<string, Package>();
  const lookup = new Map<string, string>();
  const pkgOf = (file: string): Package => {
    const dir = packageDir(path.dirname(file), cwd, lookup);
    let pkg = byDir.get(dir);
    if (!pkg) {
      pkg = { dir, folder: path.relative(cwd, dir).split(path.sep).join('/') || '.', files: [], dockerfiles: [], ...readPackageJson(dir) };
      byDir.set(dir, pkg);
    }
    return pkg;
  };
  for (const c of code) pkgOf(c.file.path).files.push(c.facts);
  for (const d of dockerfiles) if (d.file.path !== '-') pkgOf(d.file.path).dockerfiles.push(d.df);
  return [...byDir.values()].sort((a, b) => (a.folder < b.folder ? -1 : a.folder > b.folder ? 1 : 0));
}

/** The nearest folder at or above `dir` with a package.json, not crossing a repository root; else `cwd`. */
function packageDir(dir: string, cwd: string, memo: Map<string, string>): string {
  const seen: string[] = [];
  let found = '';
  for (let cur = dir; ; ) {
    const known = memo.get(cur);
    if (known !== undefined) {
      found = known;
      break;
    }
    seen.push(cur);
    if (fs.existsSync(path.join(cur, 'package.json'))) {
      found = cur;
      break;
    }
    const up = path.dirname(cur);
    if (up === cur || fs.existsSync(path.join(cur, '.git'))) break;
    cur = up;
  }
  for (const s of seen) memo.set(s, found);
  return found || (dir === cwd || dir.startsWith(cwd + path.sep) ? cwd : dir);
}

function readPackageJson(dir: string): Pick<Package, 'name' | 'main' | 'startScript'> {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    const scripts = (json.scripts ?? {}) as Record<string, unknown>;
    return {
      name: typeof json.name === 'string' ? json.name : undefined,
      main: typeof json.main === 'string' ? json.main : undefined,
      startScript: typeof scripts.start === 'string' ? scripts.start : undefined,
    };
  } catch {
    return {};
  }
}
