import { defineRule } from '../src/rule.js';
import { isDevDockerfile } from '../src/code/paths.js';
import { argvProblem, dockerStartProblem, type SignalProblem } from '../src/docker/entrypoint.js';
import { shellWords } from '../src/docker/dockerfile.js';
import { describeContainer } from '../src/k8s/describe.js';
import { regularContainers } from '../src/k8s/containers.js';
import type { Container } from '../src/k8s/objects.js';
import type { YNode } from '../src/k8s/yaml.js';

function why(p: SignalProblem): string {
  if (p.kind === 'package-manager') return `runs "${p.command}": the package manager gets SIGTERM and does not pass it on to node`;
  // A command with quotes of its own (`sh -c "node x.js"`) is not quoted again.
  if (p.kind === 'shell-form') return `runs ${p.command.includes('"') ? p.command : `"${p.command}"`} in shell form: /bin/sh gets SIGTERM, not node`;
  return `runs node through ${p.command} without exec: the shell gets SIGTERM, not node`;
}

/** The words of the script, when it is one plain node command (also inside `sh -c "..."`). */
function nodeCommand(script: string | undefined): string[] | undefined {
  if (!script || /[;&|$`<>]/.test(script)) return undefined;
  const words = shellWords(script);
  if (/^(?:\/(?:usr\/)?bin\/)?(?:sh|bash|ash|dash)$/.test(words[0] ?? '') && words[1] === '-c' && words.length === 3) return nodeCommand(words[2]);
  return words[0] === 'node' ? words : undefined;
}

function hintFor(p: SignalProblem, keyword: string, startScript: string | undefined): string {
  if (p.kind === 'shell-without-exec') return `put exec before the command that runs node (... && exec ${p.last}), so node replaces the shell`;
  const words = nodeCommand(p.kind === 'package-manager' ? (/^(?:npm|yarn|pnpm) start$/.test(p.command) ? startScript : undefined) : p.command);
  // `npm run migrate && npm start`: the steps before still run, and exec makes node replace the shell.
  if (p.before) return `keep the steps before it and exec node in place of the package manager: ${keyword} ${p.before} exec ${(words ?? ['node', 'dist/server.js']).join(' ')}`;
  return words ? `${keyword} ${JSON.stringify(words).replace(/","/g, '", "')}` : `run node directly in exec form, e.g. ${keyword} ["node", "dist/server.js"]`;
}

function strings(n: YNode | undefined): string[] | undefined {
  if (!n?.isSeq) return undefined;
  const items = n.items().map((i) => i.str());
  return items.every((s) => s !== undefined) ? (items as string[]) : undefined;
}

/** Does the container replace the faulty part of the image's start command? `command` replaces ENTRYPOINT (and CMD); `args` replaces CMD. */
function overrides(c: Container, part: 'ENTRYPOINT' | 'CMD'): boolean {
  const set = (k: string) => !!c.node.get(k) && !c.node.get(k)!.isNull;
  return set('command') || (part === 'CMD' && set('args'));
}

export default defineRule({
  id: 'shell-form-entrypoint',
  scope: ['docker', 'manifest'],
  severity: 'warning',
  summary: 'Start command that keeps SIGTERM from reaching node (shell form, npm start, sh -c without exec)',
  why: 'Kubernetes sends SIGTERM to PID 1; when that is a shell or npm, node never hears it, the graceful shutdown code never runs, and the pod is SIGKILLed at the end of the grace period.',
  fix: 'Start node itself as PID 1: exec form (CMD ["node", "server.js"]), no npm start, and exec before node inside sh -c.',
  check({ app, report }) {
    for (const df of app.dockerfiles) {
      const start = isDevDockerfile(df.file) ? undefined : dockerStartProblem(df);
      if (!start) continue;
      const pkg = app.packages.find((p) => p.dockerfiles.includes(df));
      const links = pkg ? app.links.filter((l) => l.service.dir === pkg.dir) : [];
      if (links.length && links.every((l) => overrides(l.container, start.part))) continue;
      const { instruction: ins, part, problem } = start;
      report({
        at: { file: df.file, line: ins.line, column: ins.column, endLine: ins.endLine, endColumn: ins.endColumn },
        message: `${part} ${why(problem)}, so the graceful shutdown code never runs`,
        hint: hintFor(problem, part, pkg?.startScript),
      });
    }
    for (const c of regularContainers(app.manifests.workloads, { longRunning: true })) {
      const command = strings(c.node.get('command'));
      const args = strings(c.node.get('args'));
      const argv = command ? [...command, ...(args ?? [])] : args;
      const problem = argv && argvProblem(argv);
      if (!problem) continue;
      const field = (command ? c.node.get('command') : c.node.get('args'))!;
      report({
        at: field.loc(),
        message: `${describeContainer(c)} ${why(problem)}, so the graceful shutdown code never runs`,
        hint:
          problem.kind === 'shell-without-exec'
            ? hintFor(problem, 'command:', undefined)
            : problem.before
              ? `keep the steps before it and exec node in place of the package manager: command: ["sh", "-c", ${JSON.stringify(`${problem.before} exec node dist/server.js`)}]`
              : 'command: ["node", "dist/server.js"] (node itself as PID 1, not the package manager)',
      });
    }
  },
});
