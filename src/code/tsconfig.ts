import path from 'node:path';
import { FsProbe } from '../probe.js';

/** Import aliases from a tsconfig/jsconfig: `paths` patterns and `baseUrl`, as absolute folders. */
export interface Aliases {
  /** `@server/*` → `['/repo/server/*']`, longest prefix first. */
  paths: { prefix: string; suffix: string; wildcard: boolean; targets: string[] }[];
  /** Absolute `baseUrl`, when set: bare specifiers may name files under it. */
  baseUrl?: string;
}

const CONFIG_NAMES = ['tsconfig.json', 'jsconfig.json'];

/**
 * Reads the import aliases that apply to files in a folder: the nearest tsconfig.json or
 * jsconfig.json at or above it (not crossing a repository root), with `extends` followed for
 * relative paths. Results are cached per folder; unreadable configs count as none.
 */
export class AliasReader {
  private readonly byDir = new Map<string, Aliases | null>();

  constructor(private readonly fs: FsProbe = new FsProbe()) {}

  forDir(dir: string): Aliases | undefined {
    const known = this.byDir.get(dir);
    if (known !== undefined) return known ?? undefined;
    let found: Aliases | null = null;
    const config = CONFIG_NAMES.map((n) => path.join(dir, n)).find((f) => this.fs.exists(f));
    if (config) found = readConfig(this.fs, config, 0) ?? null;
    else if (!this.fs.exists(path.join(dir, '.git'))) {
      const up = path.dirname(dir);
      if (up !== dir) found = this.forDir(up) ?? null;
    }
    this.byDir.set(dir, found);
    return found ?? undefined;
  }
}

interface Raw {
  paths?: { value: Record<string, string[]>; base: string };
  baseUrl?: string;
}

function readConfig(fs: FsProbe, file: string, depth: number): Aliases | undefined {
  const raw = readRaw(fs, file, depth);
  if (!raw) return undefined;
  const base = raw.baseUrl ?? raw.paths?.base;
  const paths: Aliases['paths'] = [];
  for (const [pattern, targets] of Object.entries(raw.paths?.value ?? {})) {
    if (!Array.isArray(targets)) continue;
    const star = pattern.indexOf('*');
    const abs = targets.filter((t) => typeof t === 'string').map((t) => path.resolve(base!, t));
    paths.push({ prefix: star < 0 ? pattern : pattern.slice(0, star), suffix: star < 0 ? '' : pattern.slice(star + 1), wildcard: star >= 0, targets: abs });
  }
  paths.sort((a, b) => b.prefix.length - a.prefix.length);
  return paths.length || raw.baseUrl ? { paths, baseUrl: raw.baseUrl } : undefined;
}

/** compilerOptions.paths/baseUrl of one config merged over what it extends; paths resolve against baseUrl, else the config that declares them. */
function readRaw(fs: FsProbe, file: string, depth: number): Raw | undefined {
  if (depth > 5) return undefined;
  let json: { extends?: unknown; compilerOptions?: { paths?: unknown; baseUrl?: unknown } };
  try {
    json = parseJsonc(fs.read(file)) as typeof json;
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object') return undefined;
  const dir = path.dirname(file);
  let out: Raw = {};
  const parents = Array.isArray(json.extends) ? json.extends : [json.extends];
  for (const p of parents) {
    if (typeof p !== 'string' || !p.startsWith('.')) continue;
    const target = path.resolve(dir, p);
    const parent = readRaw(fs, fs.exists(target) ? target : `${target}.json`, depth + 1);
    if (parent) out = { ...out, ...parent };
  }
  const co = json.compilerOptions ?? {};
  if (typeof co.baseUrl === 'string') out.baseUrl = path.resolve(dir, co.baseUrl);
  if (co.paths && typeof co.paths === 'object') out.paths = { value: co.paths as Record<string, string[]>, base: out.baseUrl ?? dir };
  else if (out.paths && out.baseUrl) out.paths = { ...out.paths, base: out.baseUrl };
  return out;
}

/** JSON with comments and trailing commas, as tsconfig allows. */
export function parseJsonc(text: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}
