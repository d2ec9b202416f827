import { defineRule } from '../src/rule.js';
import { describeObject, objectLoc, templateSuffix } from '../src/k8s/describe.js';
import { sameNamespace, type Hpa, type Workload } from '../src/k8s/objects.js';

export default defineRule({
  id: 'hpa-missing-target',
  scope: ['manifest'],
  severity: 'warning',
  summary: 'HPA whose scaleTargetRef names no workload in the linted manifests',
  why: 'The autoscaler scales nothing: the workload keeps its fixed replica count under any load. It is usually a typo, a renamed Deployment or the wrong kind.',
  fix: "Point scaleTargetRef at the workload's kind and metadata.name, in the autoscaler's namespace.",
  check({ app, report }) {
    const { objects } = app.manifests;
    for (const hpa of app.manifests.hpas) {
      if (hpa.targets.length) continue;
      const ref = hpa.targetRef;
      if (!ref) {
        report({
          at: hpa.node.at('spec', 'scaleTargetRef')?.loc() ?? objectLoc(hpa),
          message: `${describeObject(hpa)} has no scaleTargetRef kind and name: it scales nothing${templateSuffix(hpa)}`,
          hint: 'set scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: <the Deployment\'s metadata.name> }',
        });
        continue;
      }
      // A target that exists but has no pod template of its own (an Argo Rollout with workloadRef,
      // a custom resource with a scale subresource) is a real target.
      if (objects.some((o) => o.kind === ref.kind && o.name === ref.name && sameNamespace(o, hpa))) continue;
      report({
        at: ref.node.loc(),
        message: `${describeObject(hpa)} targets ${ref.kind} "${ref.name}", which is not in the linted manifests: the autoscaler scales nothing${templateSuffix(hpa)}`,
        hint: nearMiss(hpa, app.manifests.workloads) ?? `fix scaleTargetRef to name the workload's kind and metadata.name, or lint the manifests that define ${ref.kind} "${ref.name}" in the same run`,
      });
    }
  },
});

/** The likely intended target: same name with another kind or namespace, or a name one or two edits away. */
function nearMiss(hpa: Hpa, workloads: Workload[]): string | undefined {
  const ref = hpa.targetRef!;
  const elsewhere = workloads.find((o) => o.name === ref.name && o.kind === ref.kind);
  if (elsewhere) return `${ref.kind} "${ref.name}" is in namespace "${elsewhere.namespace}" but ${describeObject(hpa)} is in "${hpa.namespace}": an autoscaler only scales workloads in its own namespace`;
  const otherKind = workloads.find((o) => o.name === ref.name && sameNamespace(o, hpa));
  if (otherKind) return `"${ref.name}" is a ${otherKind.kind}: set scaleTargetRef.kind: ${otherKind.kind}`;
  const close = workloads.find((o) => o.kind === ref.kind && sameNamespace(o, hpa) && editDistance(o.name, ref.name) <= 2);
  return close ? `did you mean ${close.kind} "${close.name}"? set scaleTargetRef.name: ${close.name}` : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
