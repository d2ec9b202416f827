import { defineRule } from '../src/rule.js';
import { containerLoc, describeContainer, describeObject, relatedAt, templateSuffix } from '../src/k8s/describe.js';
import { containerDefaults, fieldList, hasRequest } from '../src/k8s/resources.js';

export default defineRule({
  id: 'hpa-target-without-requests',
  scope: ['manifest'],
  severity: 'error',
  summary: 'HPA measuring cpu/memory utilisation of a workload whose container lacks that request',
  why: 'Utilisation is usage divided by the request; with a container lacking the request the HPA reports FailedGetResourceMetric and does not scale on that metric, however loaded the replicas are.',
  fix: 'Set the measured resource request on every container of the target (or measure AverageValue instead of Utilization).',
  check({ app, report }) {
    const defaults = containerDefaults(app.manifests);
    for (const w of app.manifests.workloads) {
      // The HPA sums the requests of regular containers and native sidecars (restartable init
      // containers) since Kubernetes 1.29; one container without the request fails the metric.
      for (const c of [...w.containers, ...w.initContainers.filter((i) => i.sidecar)]) {
        const measured = w.hpas.flatMap((hpa) => hpa.resourceMetrics.filter((m) => !m.container || m.container === c.name).map((m) => ({ hpa, ...m })));
        const lacking = [...new Set(measured.map((m) => m.resource))].filter((r) => !hasRequest(c, r, defaults));
        if (!lacking.length) continue;
        const failing = measured.filter((m) => lacking.includes(m.resource));
        const hpas = [...new Set(failing.map((m) => describeObject(m.hpa)))];
        const who = hpas.length > 1 ? `${hpas.slice(0, -1).join(', ')} and ${hpas.at(-1)} measure` : `${hpas[0]} measures`;
        report({
          at: containerLoc(c),
          message: `${describeContainer(c)} has no ${fieldList('requests', lacking)}, which ${who}: the autoscaler cannot compute ${lacking.join(' or ')} utilisation (FailedGetResourceMetric) and does not scale on it${templateSuffix(w)}`,
          hint: `add resources.requests.${lacking.join(' and resources.requests.')} to container "${c.name}", sized from the observed usage of one replica: utilisation is usage divided by the request`,
          related: failing.map((m) => relatedAt(m.node, m.implicit ? `${describeObject(m.hpa)} gives no metrics, so it measures 80% CPU utilisation` : `${describeObject(m.hpa)} measures ${m.resource} utilisation here`)),
        });
      }
    }
  },
});
