import fs from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, UsageError } from './errors.js';
import type { Reporter } from './report/report.js';
import { SEVERITIES, type Severity } from './types.js';

export const VERSION: string = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const FORMATS = ['stylish', 'json', 'sarif', 'github'] as const;

/** Where the CLI writes; tests pass their own. */
export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  readStdin?: () => Promise<string>;
}

interface Options {
  format: (typeof FORMATS)[number];
  output?: string;
  config?: string;
  failOn: Severity;
  maxWarnings?: number;
  quiet?: boolean;
  listRules?: boolean;
  printLinks?: boolean;
  rule?: string[];
  stdinFilename?: string;
  color?: boolean;
  cache?: boolean;
  cacheLocation: string;
}

function program(io: Io): Command {
  return new Command()
    .name('replicalint')
    .description('Is this Node.js service safe to scale out, scale in and be killed at any moment? Lints code, Kubernetes YAML and Dockerfiles together.')
    .version(VERSION, '-V, --version')
    .argument('[paths...]', 'files or folders to lint; - reads manifests from stdin', ['.'])
    .addOption(new Option('-f, --format <name>', 'output format').choices(FORMATS).default('stylish'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-c, --config <file>', 'config file (default: .replicalintrc.json or replicalint.config.json in the working directory)')
    .addOption(new Option('--fail-on <severity>', 'lowest severity that fails the run (exit code 1)').choices(SEVERITIES).default('error'))
    .option('--max-warnings <n>', 'fail when there are more than n warnings', parseCount)
    .option('--quiet', 'report errors only')
    .option('--rule <ids>', 'run only these rules (comma-separated, or repeat the option)', collectRules)
    .option('--list-rules', 'list every rule with its scope, severity and summary, then exit')
    .option('--print-links', 'print the services, workloads and the links between them, with reasons, then exit')
    .option('--cache', 'reuse the facts of unchanged files, and the previous result while nothing it read changed (for pre-commit hooks and CI)')
    .option('--cache-location <path>', 'cache file, or a folder to hold it', '.replicalintcache')
    .option('--stdin-filename <name>', 'name to print for manifests read from stdin', '<stdin>')
    .option('--color', 'force coloured output')
    .option('--no-color', 'disable coloured output')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showSuggestionAfterError();
}

/** Rule ids are checked once the rules are loaded (after parsing, so `--version` never loads them). */
function collectRules(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of 0 or more');
  return n;
}

/** Run the CLI; resolves to the exit code (0 clean, 1 findings, 2 usage or internal failure). */
export async function main(argv: string[], io: Io): Promise<number> {
  const cmd = program(io);
  try {
    cmd.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  const opts = cmd.opts<Options>();
  if (cmd.getOptionValueSource('color') !== 'cli') delete opts.color;
  try {
    const { RULE_IDS } = await import('../rules/index.js');
    const unknown = (opts.rule ?? []).filter((id) => !RULE_IDS.includes(id));
    if (unknown.length) {
      cmd.error(`error: option '--rule <ids>' argument '${unknown.join(',')}' is invalid. unknown rule ${unknown.map((u) => `"${u}"`).join(', ')} (see replicalint --list-rules)`, { exitCode: 2, code: 'commander.invalidArgument' });
    }
  } catch (e) {
    if (e instanceof CommanderError) return 2;
    throw e;
  }
  try {
    return await execute(cmd.processedArgs[0] as string[], opts, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError) {
      io.stderr(`replicalint: ${e.message}\n`);
      return 2;
    }
    io.stderr(`replicalint: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 2;
  }
}

async function execute(paths: string[], opts: Options, io: Io): Promise<number> {
  const emit = (text: string) => (opts.output ? writeOutput(path.resolve(io.cwd, opts.output), text) : io.stdout(text));
  if ((opts.listRules || opts.printLinks) && opts.format !== 'stylish' && opts.format !== 'json') {
    throw new UsageError(`${opts.listRules ? '--list-rules' : '--print-links'} prints stylish or json, not ${opts.format}`);
  }
  const { RULES, RULE_IDS } = await import('../rules/index.js');
  if (opts.listRules) {
    const { formatRuleList } = await import('./report/rule-list.js');
    emit(formatRuleList(RULES, opts.format));
    return 0;
  }
  const { loadConfig } = await import('./config.js');
  const config = loadConfig(io.cwd, opts.config, new Set(RULE_IDS));
  const rules = opts.rule ? RULES.filter((r) => opts.rule!.includes(r.id)) : RULES;
  const { buildModel, lint } = await import('./run.js');
  // path.resolve drops a trailing slash, which says the location is a folder.
  const cacheAt = path.resolve(io.cwd, opts.cacheLocation) + (/[\\/]$/.test(opts.cacheLocation) ? path.sep : '');
  const cache = opts.cache ? { location: cacheAt, version: VERSION } : undefined;
  const lintOptions = { cwd: io.cwd, paths, config, rules, knownRules: new Set(RULE_IDS), stdinName: opts.stdinFilename, readStdin: io.readStdin, cache };
  if (opts.printLinks) {
    const { model, notices } = await buildModel(lintOptions);
    for (const n of notices) io.stderr(`replicalint: ${n}\n`);
    const { formatLinks } = await import('./report/links.js');
    emit(formatLinks(model, opts.format));
    return 0;
  }
  const result = await lint(lintOptions);
  for (const n of result.notices) io.stderr(`replicalint: ${n}\n`);
  const findings = opts.quiet ? result.findings.filter((f) => f.severity === 'error') : result.findings;
  const reporter = (await import(`./report/${opts.format}.js`)) as { default: Reporter };
  emit(reporter.default({ version: VERSION, findings, suppressed: result.suppressed, files: result.files, rules: RULES, color: !opts.output && useColor(opts, io) }));
  for (const f of result.failures) io.stderr(`replicalint: internal error: ${f}\n`);
  if (io.env.REPLICALINT_TIMING) io.stderr((await import('./timing.js')).formatTimings());
  if (result.failures.length) return 2;
  // --quiet only hides warnings and infos; they still count for --fail-on and --max-warnings.
  const { exitCode } = await import('./exit-code.js');
  return exitCode(result.findings, { failOn: opts.failOn, maxWarnings: opts.maxWarnings });
}

function writeOutput(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(`cannot write --output ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** --color/--no-color win (per-run flags override NO_COLOR, as no-color.org asks), then FORCE_COLOR, then NO_COLOR, then a terminal. */
function useColor(opts: Options, io: Io): boolean {
  if (opts.color !== undefined) return opts.color;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (io.env.NO_COLOR) return false;
  return io.isTTY;
}
