import { defineRule } from '../src/rule.js';
import { containerLoc, describeContainer, templateSuffix } from '../src/k8s/describe.js';
import { regularContainers } from '../src/k8s/containers.js';
import { containerDefaults, misplacedHint, fieldList, hasRequest, zeroField } from '../src/k8s/resources.js';

const EXAMPLE: Record<string, string> = { cpu: '100m', memory: '256Mi' };

export default defineRule({
  id: 'missing-resource-requests',
  scope: ['manifest'],
  severity: 'error',
  summary: 'Container without resources.requests.cpu or resources.requests.memory',
  why: "An HPA's Utilization target is computed against requests, so without them it cannot scale; and the scheduler packs pods onto nodes blind, so replicas land where there is no room.",
  fix: 'Set resources.requests.cpu and resources.requests.memory from the observed usage of one replica.',
  check({ app, report }) {
    const defaults = containerDefaults(app.manifests);
    for (const c of regularContainers(app.manifests.workloads)) {
      const missing = ['cpu', 'memory'].filter((r) => !hasRequest(c, r, defaults));
      if (!missing.length) continue;
      const autoscaling = c.workload.runsToCompletion ? '' : ' and an HPA cannot compute utilisation';
      // A request written as 0 is the field at fault; with nothing written, the finding is on the container.
      const zeros = missing.filter((r) => zeroField(c, 'requests', r));
      const zeroNote = zeros.length ? ` (${zeros.map((r) => `${r}: 0`).join(' and ')} reserve${zeros.length > 1 ? '' : 's'} nothing)` : '';
      const example = missing.map((r) => `${r}: ${EXAMPLE[r]}`).join(', ');
      report({
        at: missing.length === 1 && zeros.length === 1 ? zeroField(c, 'requests', zeros[0]!)!.loc() : containerLoc(c),
        message: `${describeContainer(c)} has no ${fieldList('requests', missing)}${zeroNote}: the scheduler packs pods blind${autoscaling}${templateSuffix(c.workload)}`,
        hint: misplacedHint(c, ['requests', 'limits']) ??
          (zeros.length
            ? `set ${missing.map((r) => `resources.requests.${r}`).join(' and ')} of container "${c.name}" above 0 (e.g. ${example}), sized from the observed usage of one replica`
            : `add resources: { requests: { ${example} } } to container "${c.name}", sized from the observed usage of one replica`),
      });
    }
  },
});
