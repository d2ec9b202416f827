import { jsonError } from './json-error.js';
import { readText } from './read.js';
import fs from 'node:fs';
import path from 'node:path';
import type { LinkConfig } from './model.js';
import { SEVERITIES, type Severity } from './types.js';

/** A rule's setting: a severity, or `off`. */
export type RuleSetting = Severity | 'off';

/** The project's configuration (`.replicalintrc.json`). JSON only: replicalint never executes a config file. */
export interface Config {
  /** The file it came from, when there was one. */
  file?: string;
  rules: Record<string, RuleSetting>;
  /** Globs (relative to the config file's folder) that discovery skips. */
  ignore: string[];
  links: LinkConfig[];
}

export const CONFIG_NAMES = ['.replicalintrc.json', 'replicalint.config.json'] as const;

import { ConfigError } from './errors.js';

export { ConfigError };

/**
 * Read the config named by `--config`, or the first of {@link CONFIG_NAMES} in `cwd`. A file that
 * cannot be read or does not validate is a {@link ConfigError} naming the file (exit code 2).
 */
export function loadConfig(cwd: string, explicit: string | undefined, knownRules: Set<string>): Config {
  const file = explicit ? path.resolve(cwd, explicit) : CONFIG_NAMES.map((n) => path.join(cwd, n)).find((f) => fs.existsSync(f));
  if (!file) return { rules: {}, ignore: [], links: [] };
  const shown = path.relative(cwd, file) || file;
  let text: string;
  try {
    text = readText(file);
  } catch (e) {
    throw new ConfigError(`${shown}: cannot read config: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const at = jsonError(text);
    if (!at) throw new ConfigError(`${shown}: cannot read config: ${(e as Error).message}`);
    const before = text.slice(0, at.offset);
    const line = before.split('\n').length;
    throw new ConfigError(`${shown}:${line}:${at.offset - before.lastIndexOf('\n')}: cannot read config: ${at.message}`);
  }
  return validate(raw, shown, knownRules, file);
}

function validate(raw: unknown, shown: string, knownRules: Set<string>, file: string): Config {
  const fail = (msg: string): never => {
    throw new ConfigError(`${shown}: ${msg}`);
  };
  if (!isObject(raw)) fail('the config must be a JSON object');
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!['rules', 'ignore', 'links', '$schema'].includes(key)) fail(`unknown key "${key}" (expected rules, ignore, links)`);
  }
  const rules: Record<string, RuleSetting> = {};
  if (obj.rules !== undefined) {
    if (!isObject(obj.rules)) fail('"rules" must be an object of rule id → "error" | "warning" | "info" | "off"');
    for (const [id, v] of Object.entries(obj.rules as Record<string, unknown>)) {
      if (!knownRules.has(id)) fail(`unknown rule "${id}" in "rules" (see replicalint --list-rules)`);
      if (v !== 'off' && !(SEVERITIES as readonly unknown[]).includes(v)) fail(`rule "${id}": expected "error", "warning", "info" or "off", got ${JSON.stringify(v)}`);
      rules[id] = v as RuleSetting;
    }
  }
  const ignore = obj.ignore ?? [];
  if (!Array.isArray(ignore) || !ignore.every((g) => typeof g === 'string')) fail('"ignore" must be a list of glob strings');
  const links = obj.links ?? [];
  if (!Array.isArray(links)) fail('"links" must be a list of { "service", "workload", "container"? }');
  for (const [i, l] of (links as unknown[]).entries()) {
    if (!isObject(l) || typeof l.service !== 'string' || typeof l.workload !== 'string' || (l.container !== undefined && typeof l.container !== 'string')) {
      fail(`links[${i}] must be { "service": string, "workload": string, "container"?: string }`);
    }
  }
  return { file, rules, ignore: ignore as string[], links: links as LinkConfig[] };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
