import { defineRule } from '../src/rule.js';
import { containerLoc, describeContainer, templateSuffix } from '../src/k8s/describe.js';
import { regularContainers } from '../src/k8s/containers.js';
import { containerDefaults, hasLimit, misplacedHint, resourceField, zeroField } from '../src/k8s/resources.js';

export default defineRule({
  id: 'missing-memory-limit',
  scope: ['manifest'],
  severity: 'warning',
  summary: 'Container without resources.limits.memory',
  why: 'One leaking replica keeps growing until its node is under memory pressure: pods beside it are OOM-killed or evicted with it, and the leak surfaces as a node problem instead of one restarted container.',
  fix: 'Set resources.limits.memory above the observed peak of one replica (and size the V8 heap below it).',
  check({ app, report }) {
    const defaults = containerDefaults(app.manifests);
    for (const c of regularContainers(app.manifests.workloads)) {
      if (hasLimit(c, 'memory', defaults)) continue;
      // A limit written as 0 sets no limit at all: the field is at fault.
      const zero = zeroField(c, 'limits', 'memory');
      const note = zero ? ' (a limit of 0 sets no limit)' : resourceField(c, 'limits', 'cpu') ? ' (it limits cpu only)' : '';
      const request = resourceField(c, 'requests', 'memory')?.str();
      const hint = zero
        ? `set resources.limits.memory of container "${c.name}" to ${request ? `at least its request of ${request}` : 'the observed peak of one replica plus headroom (e.g. 512Mi)'}; 0 means unlimited`
        : request
          ? `add resources.limits.memory to container "${c.name}", at least its request of ${request}; setting it equal to the request makes memory use predictable`
          : `add resources.limits.memory (e.g. 512Mi) to container "${c.name}", above the observed peak of one replica`;
      report({
        at: zero?.loc() ?? containerLoc(c),
        message: `${describeContainer(c)} has no resources.limits.memory${note}: one leaking ${c.workload.runsToCompletion ? 'pod' : 'replica'} can starve its node${templateSuffix(c.workload)}`,
        hint: misplacedHint(c, ['limits']) ?? hint,
      });
    }
  },
});
