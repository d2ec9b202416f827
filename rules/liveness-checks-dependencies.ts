import { defineRule } from '../src/rule.js';
import { handlerDependencies, type HandlerCall } from '../src/code/dependencies.js';
import { answerFor, surelyAnswers } from '../src/code/route-match.js';
import type { Route } from '../src/code/routes.js';
import { describeService, linkReason, routesOnPort, servedPorts } from '../src/cross/link.js';
import { judgePort } from '../src/cross/probe-port.js';
import { describeContainer, relatedAt } from '../src/k8s/describe.js';
import { httpProbes } from '../src/k8s/probes.js';
import type { Link } from '../src/model.js';
import type { Location, Related } from '../src/types.js';

const KIND: Record<HandlerCall['call']['kind'], string> = { database: 'a database', cache: 'a cache', broker: 'a message broker', http: 'another HTTP service' };

function what(calls: HandlerCall[]): string {
  const kinds = [...new Set(calls.map((c) => KIND[c.call.kind]))];
  const names = [...new Set(calls.map((c) => (c.via ? `${c.call.text} via ${c.via}()` : c.call.text)))];
  return `${kinds.join(' and ')} (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''})`;
}

function hintFor(r: Route, path: string): string {
  if (r.library === '@godaddy/terminus') return `keep the dependency checks in the readiness path and give ${path} a healthChecks function that only resolves (async () => {}), or point the livenessProbe at a path that does not check them`;
  if (r.library === '@nestjs/terminus') return 'leave pingCheck and other dependency indicators to the readiness endpoint; let the liveness endpoint check only the process (e.g. memory heap) or answer 200 at once';
  return `answer ${path} without calling out (res.send('ok') while the event loop runs), and move the dependency checks to the readiness probe's path (e.g. /ready)`;
}

interface Finding {
  at: Location;
  route: Route;
  calls: HandlerCall[];
  probes: { link: Link; path: string; related: Related }[];
}

export default defineRule({
  id: 'liveness-checks-dependencies',
  scope: ['cross'],
  severity: 'warning',
  summary: 'Liveness probe answered by a handler that waits for a database, cache or HTTP call',
  why: 'A database blip or a slow dependency fails liveness on every replica at once, and Kubernetes restarts them all, turning a short outage into a long one; liveness should only say "this process can answer".',
  fix: 'Let the liveness endpoint answer without calling out; check databases, caches and other services in the readiness endpoint instead.',
  check({ app, report }) {
    const found = new Map<string, Finding>();
    for (const l of app.links) {
      if (l.container.init || l.workload.runsToCompletion) continue;
      const probe = httpProbes(l.container).find((p) => p.field === 'livenessProbe');
      if (!probe || probe.host || (probe.pathNode && probe.pathNode.str() === undefined)) continue;
      const served = servedPorts(app, l);
      const port = judgePort(l.container, probe, served);
      if (port.problem) continue;
      const answer = answerFor(app, l.service, probe.path, routesOnPort(served, port.port));
      if (answer.kind !== 'served' || answer.route.mounted || !surelyAnswers(answer.route, probe.path)) continue;
      const deps = handlerDependencies(app, l.service, answer.route);
      if (!deps?.calls.length) continue;
      const key = `${deps.head.file}:${deps.head.line}:${deps.head.column}`;
      const f = found.get(key) ?? { at: deps.head, route: answer.route, calls: deps.calls, probes: [] };
      f.probes.push({ link: l, path: probe.path, related: relatedAt(probe.pathNode ?? probe.httpGet, `the livenessProbe of ${describeContainer(l.container)} that calls it`) });
      found.set(key, f);
    }
    for (const f of found.values()) {
      const [first] = f.probes;
      const { link, path } = first!;
      const more = f.probes.length > 1 ? ` and ${f.probes.length - 1} more container${f.probes.length > 2 ? 's' : ''}` : '';
      report({
        at: f.at,
        message: `the handler of GET ${path} (the livenessProbe of ${describeContainer(link.container)}${more}) waits for ${what(f.calls)}: when that dependency is slow or down, every replica of ${describeService(link.service)} fails liveness at once and Kubernetes restarts them all (${linkReason(link)})`,
        hint: hintFor(f.route, path),
        related: [
          ...f.probes.map((p) => p.related),
          ...f.calls.slice(0, 3).map((c) => ({ file: c.file, line: c.call.span.line, column: c.call.span.column, message: `${KIND[c.call.kind]} call${c.via ? ` in ${c.via}()` : ''}: ${c.call.text}` })),
        ],
      });
    }
  },
});
