import { finalStage, lastInstruction, shellWords, type Dockerfile, type Instruction } from './dockerfile.js';

/**
 * Why SIGTERM would not reach node: it runs as a child of a shell (`CMD node server.js`, or
 * `sh -c "... && node server.js"` without `exec`), or under a package manager (`npm start`).
 */
export interface SignalProblem {
  kind: 'shell-form' | 'shell-without-exec' | 'package-manager';
  /** The command as written: `npm start`, `sh -c "npx prisma migrate deploy && node dist/main.js"`. */
  command: string;
  /** For `shell-without-exec`: the command that runs node, to put `exec` before. */
  last?: string;
  /** The steps of the script before the faulty last command, as written (`npm run migrate &&`): a fix must keep them. */
  before?: string;
}

const SHELL = /^(?:sh|bash|ash|dash|zsh)$/;
const PACKAGE_MANAGER = /^(?:npm|yarn|pnpm)$/;
/** What runs a Node process (or a watcher around one) in a shell script. */
const NODE_LIKE = /^(?:node|nodejs|ts-node|ts-node-dev|tsx|nodemon|npx)$/;
/** Wrappers that hand their arguments on with `exec`, so what follows them decides. */
const TRANSPARENT = /^(?:docker-entrypoint\.sh|env)$/;

/**
 * The problem, if any, of a command given as an argument vector (exec form, or a container's
 * `command` + `args`). dumb-init forwards signals to the whole process group, so nothing under it
 * is a problem; tini only with `-g`.
 */
export function argvProblem(argv: string[]): SignalProblem | undefined {
  let i = 0;
  while (i < argv.length) {
    const b = base(argv[i]!);
    if (b === 'dumb-init') return undefined;
    if (b === 'tini' || b === 'tini-static') {
      i++;
      while (i < argv.length && argv[i]!.startsWith('-')) {
        const flag = argv[i++]!;
        if (flag === '-g') return undefined;
        if (flag === '--') break;
      }
      continue;
    }
    if (TRANSPARENT.test(b) || /^\w+=/.test(argv[i]!)) {
      i++;
      continue;
    }
    break;
  }
  const rest = argv.slice(i);
  const b = base(rest[0] ?? '');
  if (SHELL.test(b)) {
    const c = rest.findIndex((a, k) => k > 0 && /^-[a-z]*c[a-z]*$/.test(a));
    const script = c > 0 ? rest[c + 1] : undefined;
    return script === undefined ? undefined : scriptProblem(script, 'shell-without-exec', `${rest.slice(0, c + 1).join(' ')} "${script}"`);
  }
  return packageManager(rest);
}

/**
 * The problem of a shell script (a shell-form `CMD`, or the script of `sh -c`). Only the last
 * command runs for the container's life: `npm run build && exec node dist/main.js` is fine, and so is
 * a script that runs no node at all (this linter cannot see inside `./start.sh`).
 */
export function scriptProblem(script: string, kind: 'shell-form' | 'shell-without-exec', command = script): SignalProblem | undefined {
  const commands = script.split(/&&|\|\||;|\n|\|/).map((c) => c.trim()).filter(Boolean);
  const last = commands[commands.length - 1];
  if (!last) return undefined;
  let words = shellWords(last);
  while (words.length && /^\w+=/.test(words[0]!)) words = words.slice(1);
  if (words[0] === 'exec') return packageManager(words.slice(1));
  const pm = packageManager(words);
  if (pm) {
    const before = commands.length > 1 ? script.slice(0, script.lastIndexOf(last)).trim() : '';
    return before ? { ...pm, before } : pm;
  }
  // `sh -c "node server.js"`: a second shell, so the first is the one that gets SIGTERM, even when
  // the inner script ends in `exec node`. It matters when the inner script runs node at all.
  if (SHELL.test(base(words[0] ?? ''))) {
    const c = words.findIndex((a, k) => k > 0 && /^-[a-z]*c[a-z]*$/.test(a));
    const inner = c > 0 ? words[c + 1] : undefined;
    return inner !== undefined && runsNode(inner) ? { kind, command, last } : undefined;
  }
  return NODE_LIKE.test(base(words[0] ?? '')) ? { kind, command, last } : undefined;
}

/** Does a shell script end by running node (or a package manager that runs it), with or without exec? */
function runsNode(script: string): boolean {
  if (scriptProblem(script, 'shell-without-exec')) return true;
  const commands = script.split(/&&|\|\||;|\n|\|/).map((c) => c.trim()).filter(Boolean);
  const words = shellWords(commands[commands.length - 1] ?? '');
  return words[0] === 'exec' && NODE_LIKE.test(base(words[1] ?? ''));
}

/** `npm start`, `npm run serve`, `yarn start`, `pnpm run start:prod`: npm does not hand SIGTERM to node. */
function packageManager(words: string[]): SignalProblem | undefined {
  const pm = base(words[0] ?? '');
  if (!PACKAGE_MANAGER.test(pm)) return undefined;
  const sub = words.slice(1).find((w) => !w.startsWith('-'));
  const runs = pm === 'npm' ? /^(?:start|run|run-script|restart)$/ : /^(?:start|run)$/;
  return sub && runs.test(sub) ? { kind: 'package-manager', command: words.join(' ') } : undefined;
}

function base(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** The faulty start instruction of a Dockerfile's final stage, and whether it is the ENTRYPOINT or the CMD. */
export interface DockerStart {
  instruction: Instruction;
  part: 'ENTRYPOINT' | 'CMD';
  problem: SignalProblem;
}

/**
 * Read the final stage's ENTRYPOINT and CMD as Docker combines them (a shell-form ENTRYPOINT
 * ignores CMD; an exec-form one gets CMD appended, a shell-form CMD as `/bin/sh -c`).
 */
export function dockerStartProblem(df: Dockerfile): DockerStart | undefined {
  const stage = finalStage(df);
  if (!stage) return undefined;
  const entry = lastInstruction(stage, 'ENTRYPOINT');
  const cmd = lastInstruction(stage, 'CMD');
  if (entry && !entry.exec) {
    const problem = scriptProblem(entry.args, 'shell-form');
    return problem && { instruction: entry, part: 'ENTRYPOINT', problem };
  }
  if (entry?.exec) {
    const alone = argvProblem(entry.exec);
    if (alone) return { instruction: entry, part: 'ENTRYPOINT', problem: alone };
  }
  if (!cmd) return undefined;
  const argv = [...(entry?.exec ?? []), ...(cmd.exec ?? ['/bin/sh', '-c', cmd.args])];
  let problem = argvProblem(argv);
  if (problem && !cmd.exec && problem.kind === 'shell-without-exec') problem = { ...problem, kind: 'shell-form', command: cmd.args };
  return problem && { instruction: cmd, part: 'CMD', problem };
}
