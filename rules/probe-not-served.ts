import { defineRule } from '../src/rule.js';
import { answerFor } from '../src/code/route-match.js';
import { segments, type Route } from '../src/code/routes.js';
import { describeService, linkReason, routesOnPort, servedPorts, type ServedPort } from '../src/cross/link.js';
import { judgePort, type PortProblem } from '../src/cross/probe-port.js';
import { regularContainers } from '../src/k8s/containers.js';
import { describeContainer, templateSuffix } from '../src/k8s/describe.js';
import { httpProbes, type ContainerPort, type ProbeField } from '../src/k8s/probes.js';
import type { Link } from '../src/model.js';
import type { Location, Related } from '../src/types.js';

const EFFECT: Record<ProbeField, string> = {
  readinessProbe: 'the probe can never pass, so the pod never becomes ready and the rollout never finishes',
  livenessProbe: 'the probe can never pass, so Kubernetes restarts the container over and over',
  startupProbe: 'the probe can never pass, so the container is restarted before it ever serves',
};
const HEALTH = /^(?:health|healthz|healthcheck|livez|readyz|live|liveness|ready|readiness|ping|status)$/i;

const ports = (list: ContainerPort[]) => list.map((p) => `${p.port}${p.name ? ` "${p.name}"` : ''}${p.protocol !== 'TCP' ? `/${p.protocol}` : ''}`).join(', ');
const listening = (list: ServedPort[]) => list.map((p) => `${p.port}${p.library ? ` (${p.library})` : ''} at ${p.at.file}:${p.at.line}`).join(', ');
const route = (r: Route) => `${r.method} ${r.path}`;
const relatedTo = (at: Location, message: string): Related => ({ file: at.file, line: at.line, column: at.column, message });

function portMessage(p: PortProblem, l: Link | undefined): string {
  const code = l && 'listen' in p && p.listen.length ? `; ${describeService(l.service)} listens on ${listening(p.listen)}, ${linkReason(l)}` : '';
  if (p.kind === 'unknown-name') {
    const has = p.declared.length ? `its ports: ${ports(p.declared)}` : 'it declares no ports';
    return `uses port "${p.name}", but the container has no TCP port of that name (${p.udp ? `"${p.name}" is UDP, which serves no HTTP probe; ` : ''}${has})`;
  }
  if (p.kind === 'not-listened') return `probes port ${p.port}, but the container declares no ports and ${describeService(l!.service)} listens on ${listening(p.listen)}; ${linkReason(l!)}`;
  const why = p.udp ? `port ${p.port} is declared UDP, which serves no HTTP probe` : `it declares ${ports(p.declared)}`;
  const sibling = p.sibling ? `; ${p.port} is a port of container "${p.sibling.name}" of the same pod, so the probe checks that container, not this one` : '';
  return `probes port ${p.port}, which is not a TCP containerPort of the container (${why})${sibling}${code}`;
}

function portHint(p: PortProblem, field: ProbeField): string {
  const listen = 'listen' in p ? p.listen.find((x) => !x.library) : undefined;
  const tcp = 'declared' in p ? p.declared.filter((x) => x.protocol === 'TCP') : [];
  if (listen) return `set ${field}.httpGet.port to ${listen.port}, the port the service listens on`;
  const only = tcp.length === 1 ? (tcp[0]!.name ?? String(tcp[0]!.port)) : undefined;
  if (only) return `set ${field}.httpGet.port to ${only} (the container's only TCP port), or declare the TCP port the service listens on`;
  if (p.kind === 'unknown-name') return `declare the port under ports: (- name: ${p.name}, containerPort: <port the service listens on>), or give ${field}.httpGet.port as a number`;
  return `point ${field}.httpGet.port at the TCP port the service listens on, and declare it under ports:`;
}

/** Words of a path that suit each probe best. */
const SUITS: Record<ProbeField, RegExp> = { startupProbe: /start/i, readinessProbe: /read/i, livenessProbe: /live|health/i };

/** A health route of the service to suggest instead: one named for this kind of probe when there is one. */
function healthRoute(health: Route[], field: ProbeField): Route | undefined {
  return health.find((r) => SUITS[field].test(segments(r.path!).pop() ?? '')) ?? health[0];
}

/** What a message says of the GET routes a service has: the routes seen, and the health route to suggest to each kind of probe. */
interface Summary {
  seen: string;
  suggest: Record<ProbeField, Route | undefined>;
}

const summaries = new WeakMap<Route[], Summary>();

/** The summary of a list of routes, made once: answerFor gives the same list for every probe of a service on one port (thousands of probes may point at one service). */
function summary(list: Route[]): Summary {
  let s = summaries.get(list);
  if (!s) {
    const routes = list.filter((r) => r.path !== undefined);
    const listed = [...new Set(routes.map(route))];
    const seen = listed.length ? `routes seen: ${listed.slice(0, 4).join(', ')}${listed.length > 4 ? ` and ${listed.length - 4} more` : ''}` : 'no GET routes seen';
    const health = routes.filter((r) => segments(r.path!).some((s) => HEALTH.test(s.replace(/[-_]/g, ''))));
    const suggest = { readinessProbe: healthRoute(health, 'readinessProbe'), livenessProbe: healthRoute(health, 'livenessProbe'), startupProbe: healthRoute(health, 'startupProbe') };
    s = { seen, suggest };
    summaries.set(list, s);
  }
  return s;
}

export default defineRule({
  id: 'probe-not-served',
  scope: ['cross'],
  severity: 'error',
  summary: 'httpGet probe on a path the linked service does not serve, or on a port that is neither a containerPort nor where the code listens',
  why: 'The probe can never pass: a readiness probe keeps the pod out of the Service and the rollout never finishes; a liveness or startup probe makes Kubernetes restart the container forever.',
  fix: 'Point the probe at a path the service serves (GET) and at the port it listens on, declared as a TCP containerPort.',
  check({ app, report }) {
    const links = new Map(app.links.map((l) => [l.container, l]));
    for (const c of regularContainers(app.manifests.workloads, { longRunning: true })) {
      const l = links.get(c);
      const served = l && servedPorts(app, l);
      for (const probe of httpProbes(c)) {
        // Another host, or a path or port that is not a plain value: nothing this rule can judge.
        if (probe.host || (probe.pathNode && probe.pathNode.str() === undefined) || (probe.port && probe.port.str() === undefined)) continue;
        const port = judgePort(c, probe, served);
        const subject = `${probe.field} of ${describeContainer(c)}`;
        if (port.problem) {
          report({
            at: (probe.port ?? probe.httpGet).loc(),
            message: `${subject} ${portMessage(port.problem, l)}: ${EFFECT[probe.field]}${templateSuffix(c.workload)}`,
            hint: portHint(port.problem, probe.field),
            related: l ? served!.ports.slice(0, 2).map((p) => relatedTo(p.at, `${describeService(l.service)} listens on ${p.port} here`)) : undefined,
          });
          continue;
        }
        if (!l) continue;
        const answer = answerFor(app, l.service, probe.path, routesOnPort(served!, port.port));
        if (answer.kind !== 'not-served') continue;
        const s = summary(answer.routes);
        const others = [...new Set(answer.otherMethods.map((r) => r.method))];
        const methodsNote = others.length ? `it answers ${probe.path} only for ${others.join(', ')}; ` : '';
        const suggestion = s.suggest[probe.field];
        const start = l.service.servers[0]!;
        const related: Related[] = suggestion
          ? [relatedTo(suggestion.at, `${route(suggestion)} is served here`)]
          : [relatedTo({ file: start.file, ...start.start.span }, `${describeService(l.service)} starts its server here`)];
        report({
          at: (probe.pathNode ?? probe.httpGet).loc(),
          message: `${subject} calls GET ${probe.path}, which ${describeService(l.service)} does not serve (${methodsNote}${s.seen}; ${linkReason(l)}): ${EFFECT[probe.field]}${templateSuffix(c.workload)}`,
          hint: suggestion
            ? `point ${probe.field}.httpGet.path at ${suggestion.path!.replaceAll('{…}', '<prefix>')}, which the service serves, or add a GET ${probe.path} route`
            : `add a GET ${probe.path} route to ${describeService(l.service)}, or point the probe at a path it serves`,
          related,
        });
      }
    }
  },
});
