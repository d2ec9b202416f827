import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discover } from '../src/discover.js';
import { DEFAULT_CORPUS, writeCorpus, type CorpusOptions } from './corpus.js';

/**
 * `npm run bench [-- <path>] [--runs N] [--no-eslint] [--services N] [--baseline <checkout>]`: on the generated corpus (and
 * on a path, when given) measure, on the same files, replicalint cold, replicalint with a warm
 * cache after touching one file (a comment appended), after editing one (a line inserted: its facts
 * change) and with nothing changed, the parse floor (alone, and with a walk
 * over every node), and ESLint with the typescript-eslint parser and three cheap rules. Each is a separate process, run in rounds (each tool once per round); wall
 * time is the median of the runs, CPU and peak RSS come from the process itself. `--baseline` also
 * runs another built checkout of replicalint cold in the same rounds, to compare two versions on a
 * machine whose speed drifts.
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const HOOK = path.join(HERE, 'usage-hook.cjs');

interface Sample {
  wallMs: number;
  cpuMs: number;
  maxRssMiB: number;
}

interface Args {
  paths: string[];
  runs: number;
  eslint: boolean;
  services: number;
  /** Another built checkout of replicalint, measured cold in the same rounds. */
  baseline?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { paths: [], runs: 3, eslint: true, services: DEFAULT_CORPUS.services };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i]!;
    if (v === '--runs') a.runs = Number(argv[++i]);
    else if (v === '--no-eslint') a.eslint = false;
    else if (v === '--services') a.services = Number(argv[++i]);
    else if (v === '--baseline') {
      const dir = argv[++i];
      if (!dir) throw new Error('--baseline needs the folder of another built checkout');
      a.baseline = path.resolve(dir);
    }
    else a.paths.push(path.resolve(v));
  }
  return a;
}

/** Scratch space of this benchmark run (reports, usage samples, cache), removed on exit. */
const SCRATCH = fs.mkdtempSync(path.join(os.tmpdir(), 'replicalint-bench-'));
process.on('exit', () => fs.rmSync(SCRATCH, { recursive: true, force: true }));

function measure(cmd: string[], cwd: string, before?: () => void): Sample {
  const usage = path.join(SCRATCH, 'usage.json');
  before?.();
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', HOOK, ...cmd], {
    cwd,
    env: { ...process.env, REPLICALINT_BENCH_USAGE: usage, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd.join(' ')} exited ${r.status}: ${r.stderr.toString().slice(0, 2000)}`);
  const u = JSON.parse(fs.readFileSync(usage, 'utf8')) as { cpuMs: number; maxRssKiB: number };
  return { wallMs, cpuMs: u.cpuMs, maxRssMiB: u.maxRssKiB / 1024 };
}

function median(samples: Sample[]): Sample {
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { wallMs: mid(samples.map((s) => s.wallMs)), cpuMs: mid(samples.map((s) => s.cpuMs)), maxRssMiB: mid(samples.map((s) => s.maxRssMiB)) };
}

async function bench(target: string, args: Args): Promise<void> {
  const files = await discover(['.'], { cwd: target });
  const code = files.filter((f) => f.kind === 'code').map((f) => f.path);
  const yaml = files.filter((f) => f.kind === 'yaml').length;
  const tmp = fs.mkdtempSync(path.join(SCRATCH, 'run-'));
  const list = path.join(tmp, 'files.txt');
  fs.writeFileSync(list, code.join('\n'));
  const cache = path.join(tmp, 'cache');
  const bin = path.join(ROOT, 'bin', 'replicalint.js');
  const baseBin = args.baseline ? path.join(args.baseline, 'bin', 'replicalint.js') : undefined;
  if (baseBin && !fs.existsSync(baseBin)) throw new Error(`--baseline: no ${baseBin}`);
  const lint = ['--format', 'json', '--output', path.join(tmp, 'report.json')];
  console.log(`\n${target}\n  ${code.length} code files, ${yaml} YAML files, ${files.length} files in all; median of ${args.runs} run(s)\n`);

  const cacheSupported = spawnSync(process.execPath, [bin, '--help']).stdout.toString().includes('--cache');
  const touched = cacheSupported ? code[Math.floor(code.length / 2)] : undefined;
  const original = touched ? fs.readFileSync(touched, 'utf8') : '';
  let eslintCmd: string[] | undefined;
  if (args.eslint) {
    const config = path.join(tmp, 'eslint.config.mjs');
    const parser = pathToImport(path.join(ROOT, 'node_modules', '@typescript-eslint', 'parser', 'dist', 'index.js'));
    fs.writeFileSync(
      config,
      `import * as parser from ${JSON.stringify(parser)};
export default [{
  files: ['**/*.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
  languageOptions: { parser, ecmaVersion: 'latest', sourceType: 'module', parserOptions: { ecmaFeatures: { jsx: true } } },
  linterOptions: { reportUnusedDisableDirectives: 'off' },
  rules: { 'no-var': 'error', 'prefer-const': 'error', 'no-restricted-syntax': ['error', "CallExpression[callee.name='setInterval']"] },
}];
`,
    );
    const eslintBin = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');
    const targets = code.join(' ').length < 1_000_000 ? code : ['.'];
    eslintCmd = [eslintBin, '--config', config, '--no-warn-ignored', '--format', 'json', '--output-file', path.join(tmp, 'eslint.json'), ...targets];
  }
  if (touched) measure([bin, '.', '--cache', '--cache-location', cache, ...lint], target, () => fs.rmSync(cache, { force: true }));

  // Round after round, each tool once per round: a machine that slows down or speeds up during the
  // benchmark shifts every tool alike, so the ratios stay fair.
  const samples = { floor: [] as Sample[], walk: [] as Sample[], cold: [] as Sample[], baseline: [] as Sample[], warm: [] as Sample[], unchanged: [] as Sample[], edited: [] as Sample[], eslint: [] as Sample[] };
  let n = 0;
  try {
    for (let r = 0; r < args.runs; r++) {
      samples.floor.push(measure([path.join(HERE, 'floor.js'), list], target));
      samples.walk.push(measure([path.join(HERE, 'floor.js'), list, '--walk'], target));
      // With a baseline, the two take turns at going first.
      const baseRun = () => baseBin && samples.baseline.push(measure([baseBin, '.', '--format', 'json', '--output', path.join(tmp, 'baseline.json')], target));
      if (r % 2) baseRun();
      samples.cold.push(measure([bin, '.', ...lint], target));
      if (!(r % 2)) baseRun();
      if (touched) {
        const warmRun = [bin, '.', '--cache', '--cache-location', cache, ...lint];
        // A comment appended: the file is read and parsed again, and its facts are those it had.
        samples.warm.push(measure(warmRun, target, () => fs.writeFileSync(touched, `${original}\n// touched ${++n}\n`)));
        // The same again, with nothing changed since: what every warm run pays before any file is parsed.
        samples.unchanged.push(measure(warmRun, target));
        // A line inserted at the top moves everything in the file: its facts change, and the rules run again.
        samples.edited.push(measure(warmRun, target, () => fs.writeFileSync(touched, `// edited ${n}\n${original}`)));
        // Back to the file as it was, so that the next round's comment is again the only change.
        measure(warmRun, target, () => fs.writeFileSync(touched, original));
      }
      if (eslintCmd) samples.eslint.push(measure(eslintCmd, target));
    }
  } finally {
    if (touched) fs.writeFileSync(touched, original);
  }
  const [floor, walk, cold] = [median(samples.floor), median(samples.walk), median(samples.cold)];
  const warm = touched ? median(samples.warm) : undefined;
  const unchanged = touched ? median(samples.unchanged) : undefined;
  const edited = touched ? median(samples.edited) : undefined;
  const eslint = eslintCmd ? median(samples.eslint) : undefined;
  const baseline = baseBin ? median(samples.baseline) : undefined;
  const rows: [string, Sample][] = [['floor (read + parse)', floor], ['floor + walk of every node', walk], ['replicalint', cold]];
  if (baseline) rows.push(['baseline replicalint', baseline]);
  if (warm) rows.push(['replicalint --cache, 1 file touched', warm]);
  if (unchanged) rows.push(['replicalint --cache, nothing changed', unchanged]);
  if (edited) rows.push(['replicalint --cache, 1 file edited', edited]);
  if (eslint) rows.push(['eslint + typescript-eslint (3 rules)', eslint]);

  console.log('  ' + 'what'.padEnd(38) + 'wall s'.padStart(9) + 'cpu s'.padStart(9) + 'peak RSS MiB'.padStart(14));
  for (const [name, s] of rows) {
    console.log('  ' + name.padEnd(38) + (s.wallMs / 1000).toFixed(2).padStart(9) + (s.cpuMs / 1000).toFixed(2).padStart(9) + s.maxRssMiB.toFixed(0).padStart(14));
  }
  console.log(`\n  replicalint / floor: wall ${(cold.wallMs / floor.wallMs).toFixed(2)}×, peak RSS ${(cold.maxRssMiB / floor.maxRssMiB).toFixed(2)}×`);
  console.log(`  floor + walk / floor: wall ${(walk.wallMs / floor.wallMs).toFixed(2)}×`);
  if (baseline) console.log(`  baseline (${args.baseline}) / floor: wall ${(baseline.wallMs / floor.wallMs).toFixed(2)}×; replicalint / baseline: ${(cold.wallMs / baseline.wallMs).toFixed(2)}×`);
  if (warm) console.log(`  warm cache / cold: ${((warm.wallMs / cold.wallMs) * 100).toFixed(1)} % of the cold wall time`);
  if (unchanged) console.log(`  warm cache, nothing changed / cold: ${((unchanged.wallMs / cold.wallMs) * 100).toFixed(1)} %`);
  if (edited) console.log(`  warm cache, 1 file edited (its facts change) / cold: ${((edited.wallMs / cold.wallMs) * 100).toFixed(1)} %`);
  if (eslint) console.log(`  eslint / replicalint: ${(eslint.wallMs / cold.wallMs).toFixed(1)}× the wall time`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

function pathToImport(p: string): string {
  return new URL(`file://${p}`).href;
}

function corpusDir(opts: CorpusOptions): string {
  const dir = path.join(os.tmpdir(), `replicalint-corpus-s${opts.services}-e${opts.entitiesPerService}-p${opts.sharedPackages}-seed${opts.seed}`);
  const marker = path.join(dir, '.complete');
  if (!fs.existsSync(marker)) {
    fs.rmSync(dir, { recursive: true, force: true });
    const n = writeCorpus(dir, opts);
    fs.writeFileSync(marker, String(n));
  }
  return dir;
}

/**
 * Peak RSS of a cold run on growing corpora, beside the floor's on the same files: with trees
 * dropped, what grows is the facts kept for cross-file rules and the findings (about 10 KiB of
 * peak RSS per code file on the generated corpus).
 */
async function scaling(args: Args): Promise<void> {
  console.log('\npeak RSS as the corpus grows (trees are dropped after their facts are out):');
  console.log('  ' + ''.padEnd(30) + 'replicalint'.padStart(18) + 'floor'.padStart(18));
  const sizes: { files: number; rss: number }[] = [];
  for (const services of [Math.max(1, Math.round(args.services / 4)), Math.max(1, Math.round(args.services / 2)), args.services]) {
    const dir = corpusDir({ ...DEFAULT_CORPUS, services });
    const code = (await discover(['.'], { cwd: dir })).filter((f) => f.kind === 'code').map((f) => f.path);
    const list = path.join(SCRATCH, 'scaling-files.txt');
    fs.writeFileSync(list, code.join('\n'));
    const s = measure([path.join(ROOT, 'bin', 'replicalint.js'), '.', '--format', 'json', '--output', path.join(SCRATCH, 'scaling.json')], dir);
    const f = measure([path.join(HERE, 'floor.js'), list], dir);
    const cell = (x: Sample) => `${(x.wallMs / 1000).toFixed(2)} s ${x.maxRssMiB.toFixed(0).padStart(4)} MiB`.padStart(18);
    console.log(`  ${String(services).padStart(3)} services, ${String(code.length).padStart(5)} code files` + cell(s) + cell(f));
    sizes.push({ files: code.length, rss: s.maxRssMiB });
  }
  const [a, b] = [sizes[0]!, sizes[sizes.length - 1]!];
  if (b.files > a.files) console.log(`  replicalint grows by ${(((b.rss - a.rss) * 1024) / (b.files - a.files)).toFixed(1)} KiB of peak RSS per code file`);
}

const args = parseArgs(process.argv.slice(2));
if (!args.paths.length) {
  await bench(corpusDir({ ...DEFAULT_CORPUS, services: args.services }), args);
  await scaling(args);
}
for (const p of args.paths) await bench(p, args);
