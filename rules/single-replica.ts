import { defineRule } from '../src/rule.js';
import { describeObject, objectLoc, templateSuffix } from '../src/k8s/describe.js';
import { isHpa } from '../src/k8s/hpa.js';
import type { YNode } from '../src/k8s/yaml.js';

const REPLICATED = new Set(['Deployment', 'StatefulSet', 'Rollout']);

export default defineRule({
  id: 'single-replica',
  scope: ['manifest'],
  severity: 'warning',
  summary: 'Deployment/StatefulSet/Rollout with fewer than 2 replicas and no autoscaler, or an HPA with minReplicas below 2',
  why: 'One pod is a single point of failure: every rollout, node drain or crash is an outage until a new pod is ready.',
  fix: 'Run at least 2 replicas (with a PodDisruptionBudget), or let an HPA with minReplicas: 2 own the count.',
  check({ app, report }) {
    for (const w of app.manifests.workloads) {
      // An autoscaled workload's floor is the autoscaler's; KEDA's minReplicaCount (default 0,
      // scale to zero) is a deliberate choice for event-driven consumers and is not judged.
      if (!REPLICATED.has(w.kind) || w.hpas.length) continue;
      if (count(w.replicas) !== 1) continue;
      report({
        at: w.replicas?.loc() ?? objectLoc(w),
        message: `${describeObject(w)} ${w.replicas ? 'sets replicas: 1' : 'sets no replicas (default 1)'} and has no autoscaler: one pod is a single point of failure, and every rollout or node drain is an outage${templateSuffix(w)}`,
        hint: `set spec.replicas: 2 or more on ${describeObject(w)} (with a PodDisruptionBudget), or attach an HPA with minReplicas: 2`,
      });
    }
    for (const hpa of app.manifests.hpas) {
      if (!isHpa(hpa)) continue;
      if (count(hpa.minReplicas) !== 1) continue;
      report({
        at: hpa.minReplicas?.loc() ?? objectLoc(hpa),
        message: `${describeObject(hpa)} ${hpa.minReplicas ? 'sets minReplicas: 1' : 'sets no minReplicas (default 1)'}: at low load it scales down to one pod, and then every rollout or node drain is an outage${templateSuffix(hpa)}`,
        hint: `set minReplicas: 2 on ${describeObject(hpa)}`,
      });
    }
  },
});

/**
 * The replica count a field asks for: 1 when omitted (the Kubernetes default), undefined when it
 * is not a number (an unrendered template). Only 1 is reported: 0 means the workload was
 * deliberately scaled to zero (parked, or scaled by something outside the manifests), so nothing
 * runs that could be a single point of failure.
 */
function count(field: YNode | undefined): number | undefined {
  return field ? field.num() : 1;
}
