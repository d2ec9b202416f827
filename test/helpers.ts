import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RULES } from '../rules/index.js';
import type { Config } from '../src/config.js';
import { lint, type LintResult } from '../src/run.js';
import type { Finding } from '../src/types.js';

/** The repository root (tests run from dist/test). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = path.join(ROOT, 'fixtures');
export const BIN = path.join(ROOT, 'bin', 'replicalint.js');

const temporary: string[] = [];
process.on('exit', () => {
  for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test process exits. */
export function tempDir(prefix = 'replicalint-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

/** Write a virtual project (path → contents) into a fresh temporary folder and return the folder. */
export function writeProject(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return dir;
}

export const NO_CONFIG: Config = { rules: {}, ignore: [], links: [] };

/** Lint a folder in-process with every rule (or the given ones), checking every finding's range. */
export async function lintDir(cwd: string, opts: { paths?: string[]; rules?: string[]; config?: Partial<Config>; stdin?: string } = {}): Promise<LintResult> {
  const rules = opts.rules ? RULES.filter((r) => opts.rules!.includes(r.id)) : RULES;
  const result = await lint({
    cwd,
    paths: opts.paths ?? ['.'],
    config: { ...NO_CONFIG, ...opts.config },
    rules,
    knownRules: new Set(RULES.map((r) => r.id)),
    readStdin: async () => opts.stdin ?? '',
  });
  assert.deepEqual(result.failures, []);
  for (const f of result.findings) assertRange(f);
  return result;
}

/** Lint a virtual project. */
export async function lintFiles(files: Record<string, string>, opts: Parameters<typeof lintDir>[1] = {}): Promise<LintResult> {
  return lintDir(writeProject(files), opts);
}

/** Every finding has a full, ordered, 1-based range and a message. */
export function assertRange(f: Finding): void {
  for (const k of ['line', 'column', 'endLine', 'endColumn'] as const) assert.ok(Number.isInteger(f[k]) && f[k] >= 1, `${f.ruleId} ${k}=${f[k]}`);
  assert.ok(f.endLine > f.line || (f.endLine === f.line && f.endColumn >= f.column), `${f.ruleId} range ends before it starts`);
  assert.ok(f.message.length > 10, `${f.ruleId} has a real message`);
}

/** `rule file:line` strings of the findings, for exact assertions. */
export function where(findings: Finding[], ruleId?: string): string[] {
  return findings.filter((f) => !ruleId || f.ruleId === ruleId).map((f) => `${f.ruleId} ${f.file}:${f.line}`);
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the real command line, as a user would. */
export function runCli(args: string[], opts: { cwd?: string; stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.FORCE_COLOR;
    Object.assign(env, opts.env);
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}
