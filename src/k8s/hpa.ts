import type { Hpa, K8sObject, ResourceMetric } from './objects.js';
import type { YNode } from './yaml.js';

/**
 * Objects that own a workload's replica count: a HorizontalPodAutoscaler (autoscaling/v1, v2,
 * v2beta2, v2beta1), or a KEDA ScaledObject, which creates and drives an HPA for its target
 * (https://keda.sh/docs/latest/reference/scaledobject-spec/).
 */
export function isAutoscaler(o: K8sObject): boolean {
  return o.kind === 'HorizontalPodAutoscaler' || (o.kind === 'ScaledObject' && o.apiVersion.startsWith('keda.sh/'));
}

/** True for a HorizontalPodAutoscaler itself (not a KEDA ScaledObject). */
export function isHpa(o: K8sObject): boolean {
  return o.kind === 'HorizontalPodAutoscaler';
}

/** Read an autoscaler's target and the resource utilisation metrics it computes against requests. */
export function toHpa(obj: K8sObject): Hpa {
  const spec = obj.node.get('spec');
  const ref = spec?.get('scaleTargetRef');
  const keda = !isHpa(obj);
  // KEDA's scaleTargetRef.kind is optional and defaults to Deployment.
  const kind = ref?.get('kind')?.str() ?? (keda ? 'Deployment' : undefined);
  const name = ref?.get('name')?.str();
  return {
    ...obj,
    targetRef: ref && kind && name ? { kind, name, node: ref } : undefined,
    targets: [],
    minReplicas: keda ? undefined : present(spec?.get('minReplicas')),
    resourceMetrics: spec ? (keda ? kedaMetrics(spec) : hpaMetrics(spec)) : [],
  };
}

function hpaMetrics(spec: YNode): ResourceMetric[] {
  const out: ResourceMetric[] = [];
  const v1 = present(spec.get('targetCPUUtilizationPercentage'));
  if (v1) out.push({ resource: 'cpu', node: v1 });
  const metrics = spec.get('metrics');
  for (const m of metrics?.items() ?? []) {
    const type = m.get('type')?.str();
    const res = type === 'ContainerResource' ? m.get('containerResource') : type === 'Resource' ? m.get('resource') : undefined;
    const resource = res?.get('name')?.str();
    if (!res || !resource) continue;
    // v2/v2beta2: target.type Utilization; v2beta1: targetAverageUtilization. AverageValue needs no requests.
    const utilization = res.at('target', 'type')?.str() === 'Utilization' || res.has('targetAverageUtilization');
    // A ContainerResource metric sums the requests of the named container only.
    const container = type === 'ContainerResource' ? res.get('container')?.str() : undefined;
    if (utilization) out.push({ resource, node: m, ...(container ? { container } : {}) });
  }
  // With no target at all, every autoscaling version falls back to 80% average CPU utilisation.
  // https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/
  if (!v1 && !metrics?.items().length) out.push({ resource: 'cpu', node: spec, implicit: true });
  return out;
}

/** KEDA's `cpu` and `memory` triggers with a Utilization metric type become HPA Resource metrics. */
function kedaMetrics(spec: YNode): ResourceMetric[] {
  const out: ResourceMetric[] = [];
  for (const t of spec.get('triggers')?.items() ?? []) {
    const resource = t.get('type')?.str();
    if (resource !== 'cpu' && resource !== 'memory') continue;
    const metricType = t.get('metricType')?.str() ?? t.at('metadata', 'type')?.str();
    if (metricType !== 'Utilization') continue;
    const container = t.at('metadata', 'containerName')?.str();
    out.push({ resource, node: t, ...(container ? { container } : {}) });
  }
  return out;
}

function present(n: YNode | undefined): YNode | undefined {
  return n && !n.isNull ? n : undefined;
}
