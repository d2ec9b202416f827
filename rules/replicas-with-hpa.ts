import { defineRule } from '../src/rule.js';
import { describeObject, relatedAt, templateSuffix } from '../src/k8s/describe.js';

export default defineRule({
  id: 'replicas-with-hpa',
  scope: ['manifest'],
  severity: 'warning',
  summary: 'Workload that sets spec.replicas while an autoscaler targets it',
  why: 'Every kubectl apply (or GitOps sync) resets the replica count to the manifest value, undoing what the HPA chose: under load that scales a busy service down.',
  fix: 'Remove spec.replicas and let the autoscaler own the count.',
  check({ app, report }) {
    for (const w of app.manifests.workloads) {
      const [hpa] = w.hpas;
      if (!w.replicas || !hpa) continue;
      const value = w.replicas.str() ?? '';
      report({
        at: w.replicas.loc(),
        message: `${describeObject(w)} sets replicas: ${value} while ${describeObject(hpa)} scales it: every apply resets the count to ${value}${templateSuffix(w)}`,
        hint: `remove spec.replicas from ${describeObject(w)}; first drop it from the last-applied state (kubectl apply edit-last-applied ${w.kind.toLowerCase()}/${w.name}), or the next apply scales it to 1`,
        related: w.hpas.map((h) => relatedAt(h.targetRef!.node, `${describeObject(h)} targets it here`)),
      });
    }
  },
});
