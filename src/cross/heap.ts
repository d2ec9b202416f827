import { finalStage, lastInstruction, type Instruction } from '../docker/dockerfile.js';
import type { YNode } from '../k8s/yaml.js';
import type { App, Link } from '../model.js';
import type { Location } from '../types.js';
import { envOf, serviceDockerfile } from './link.js';

/** A V8 old-space limit and where it is set. */
export interface HeapSetting {
  /** `--max-old-space-size`, in MiB. */
  mib: number;
  /** What sets it: `NODE_OPTIONS in the container env`, `the Dockerfile CMD`, `the start script`, ... */
  source: string;
  at: Location;
}

const FLAG = /--max[-_]old[-_]space[-_]size(?:=|\s+)(\d+(?:\.\d+)?)/g;
const NPM_START = /\b(?:npm|yarn|pnpm)\s+(?:run(?:-script)?\s+)?start\b/;

/** The last `--max-old-space-size` in a text (the one node uses), in MiB. */
export function heapFlag(text: string): number | undefined {
  let mib: number | undefined;
  for (const m of text.matchAll(FLAG)) mib = Number(m[1]);
  return mib;
}

/** A part of the command that starts the container, with where it is written. */
interface Part {
  text: string;
  at: Location;
  source: string;
}

/**
 * The heap limit a linked container's node runs with: a flag on the start command (the container's
 * `command`/`args`, else the final Dockerfile stage's ENTRYPOINT/CMD, and the package's `start`
 * script when that command is `npm start`) beats NODE_OPTIONS; NODE_OPTIONS from the container's
 * env (or an `envFrom` ConfigMap of the run) beats the Dockerfile's ENV. Undefined when none sets it,
 * or when a source this run cannot read (a Secret, `valueFrom`) may override it.
 */
export function effectiveHeap(app: App, l: Link): HeapSetting | undefined {
  const parts = startCommand(l);
  if (!parts) return undefined;
  for (const p of [...parts].reverse()) {
    const mib = heapFlag(p.text);
    if (mib !== undefined) return { mib, source: p.source, at: p.at };
  }
  const env = envOf(app, l, 'NODE_OPTIONS');
  const mib = env.kind === 'set' ? heapFlag(env.value) : undefined;
  if (env.kind !== 'set' || mib === undefined) return undefined;
  const where = env.source === 'dockerfile' ? 'the Dockerfile ENV' : env.source === 'env' ? 'the container env' : `${env.source} (envFrom)`;
  return { mib, source: `NODE_OPTIONS in ${where}`, at: env.at };
}

/**
 * The parts of the command the container runs, as Kubernetes and Docker combine them: `command`
 * replaces ENTRYPOINT and CMD, `args` replaces CMD; a shell-form ENTRYPOINT ignores both. Undefined
 * when the command cannot be read.
 */
function startCommand(l: Link): Part[] | undefined {
  const c = l.container.node;
  const command = c.get('command');
  const args = c.get('args');
  const items = (n: YNode | undefined, what: string): Part[] | undefined => {
    if (!n || n.isNull) return [];
    const list = n.items();
    if (!n.isSeq || list.some((i) => i.str() === undefined)) return undefined;
    return list.map((i) => ({ text: i.str()!, at: i.loc(), source: `the container ${what}` }));
  };
  const fromCommand = items(command, 'command');
  const fromArgs = items(args, 'args');
  if (!fromCommand || !fromArgs) return undefined;
  let parts: Part[];
  if (fromCommand.length) parts = [...fromCommand, ...fromArgs];
  else {
    const df = serviceDockerfile(l.service);
    const stage = df && finalStage(df);
    const entry = stage && lastInstruction(stage, 'ENTRYPOINT');
    const cmd = stage && lastInstruction(stage, 'CMD');
    const ins = (i: Instruction, what: string): Part => ({ text: i.exec ? i.exec.join(' ') : i.args, at: instructionLoc(df!.file, i), source: `the Dockerfile ${what}` });
    parts = entry ? [ins(entry, 'ENTRYPOINT')] : [];
    if (!entry || entry.exec) parts.push(...(fromArgs.length ? fromArgs : cmd ? [ins(cmd, 'CMD')] : []));
  }
  const pkg = l.service;
  if (NPM_START.test(parts.map((p) => p.text).join(' ')) && pkg.startScript !== undefined && pkg.startScriptAt) {
    parts.push({ text: pkg.startScript, at: { file: pkg.folder === '.' ? 'package.json' : `${pkg.folder}/package.json`, ...pkg.startScriptAt }, source: 'the start script in package.json' });
  }
  return parts;
}

function instructionLoc(file: string, i: Instruction): Location {
  return { file, line: i.line, column: i.column, endLine: i.endLine, endColumn: i.endColumn };
}
