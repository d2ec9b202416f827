import { isAutoscaler, toHpa } from './hpa.js';
import type { YNode } from './yaml.js';

/** A Kubernetes object from a manifest: anything with `apiVersion` and `kind`. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  /** `metadata.name`, or `""` when missing. */
  name: string;
  namespace?: string;
  /** The object's map; `node.src` has the file and the Helm template. */
  node: YNode;
}

/** A container of a workload's pod template. */
export interface Container {
  name: string;
  node: YNode;
  /** An init container (including native sidecars). */
  init: boolean;
  /** An init container with `restartPolicy: Always` (a native sidecar). */
  sidecar: boolean;
  workload: Workload;
}

/** An object whose spec reaches a pod template: Deployment, StatefulSet, Job, CronJob, Rollout, ... */
export interface Workload extends K8sObject {
  podSpec: YNode;
  /** Labels of the pods it creates (the template's, or the Pod's own). */
  podLabels: Record<string, string>;
  /** Regular containers. */
  containers: Container[];
  initContainers: Container[];
  /** Jobs, CronJobs, Helm test pods and bare Pods that never restart: no probes expected. */
  runsToCompletion: boolean;
  /** The `spec.replicas` field, when set. */
  replicas?: YNode;
  /** The autoscalers that target it: HPAs and KEDA ScaledObjects. */
  hpas: Hpa[];
  pdbs: K8sObject[];
  services: K8sObject[];
}

/** A resource metric an autoscaler measures against requests (`cpu` or `memory` utilisation). */
export interface ResourceMetric {
  resource: string;
  node: YNode;
  /** A ContainerResource metric: only this container's request counts. */
  container?: string;
  /** No metric is given, so the HPA uses its default: 80% average CPU utilisation. */
  implicit?: boolean;
}

/** A HorizontalPodAutoscaler (autoscaling/v1, v2, v2beta1, v2beta2) or a KEDA ScaledObject (see `hpa.ts`). */
export interface Hpa extends K8sObject {
  targetRef?: { kind: string; name: string; node: YNode };
  /** The workload `scaleTargetRef` names, when the run has it. */
  target?: Workload;
  /**
   * Every workload `scaleTargetRef` may name: with a namespace missing on either side, the same
   * manifests deployed per environment (`staging/`, `prod/`) all match.
   */
  targets: Workload[];
  /** An HPA's `minReplicas`, when set (never for a ScaledObject). */
  minReplicas?: YNode;
  resourceMetrics: ResourceMetric[];
}

/** Every Kubernetes object of one run, and how they refer to each other. */
export interface Manifests {
  objects: K8sObject[];
  workloads: Workload[];
  hpas: Hpa[];
  pdbs: K8sObject[];
  services: K8sObject[];
}

/** Turn parsed YAML documents into Kubernetes objects. Documents without apiVersion and kind are not Kubernetes and are skipped. */
export function toObjects(docs: YNode[]): K8sObject[] {
  const out: K8sObject[] = [];
  const visit = (node: YNode) => {
    const apiVersion = node.get('apiVersion')?.str();
    const kind = node.get('kind')?.str();
    if (!apiVersion || !kind) return;
    const items = node.get('items');
    if (kind.endsWith('List') && items?.isSeq) {
      for (const item of items.items()) visit(item);
      return;
    }
    const meta = node.get('metadata');
    out.push({ apiVersion, kind, name: meta?.get('name')?.str() ?? '', namespace: meta?.get('namespace')?.str(), node });
  };
  for (const doc of docs) visit(doc);
  return out;
}

/** Link workloads, autoscalers, disruption budgets and Services across all files of a run. */
export function buildManifests(objects: K8sObject[]): Manifests {
  const workloads: Workload[] = [];
  const hpas: Hpa[] = [];
  const pdbs: K8sObject[] = [];
  const services: K8sObject[] = [];
  for (const obj of objects) {
    if (isAutoscaler(obj)) hpas.push(toHpa(obj));
    else if (obj.kind === 'PodDisruptionBudget') pdbs.push(obj);
    else if (obj.kind === 'Service' && obj.apiVersion === 'v1') services.push(obj);
    else {
      const w = toWorkload(obj);
      if (w) workloads.push(w);
    }
  }
  const byRef = new Map<string, Workload[]>();
  for (const w of workloads) {
    const key = `${w.kind}/${w.name}`;
    const list = byRef.get(key);
    if (list) list.push(w);
    else byRef.set(key, [w]);
  }
  for (const hpa of hpas) {
    const ref = hpa.targetRef;
    if (!ref) continue;
    hpa.targets = (byRef.get(`${ref.kind}/${ref.name}`) ?? []).filter((w) => sameNamespace(w, hpa));
    hpa.target = hpa.targets[0];
    for (const w of hpa.targets) w.hpas.push(hpa);
  }
  const pdbsOf = selectorIndex(pdbs, (p) => p.node.at('spec', 'selector', 'matchLabels'));
  const servicesOf = selectorIndex(services, (s) => s.node.at('spec', 'selector'));
  for (const w of workloads) {
    if (w.runsToCompletion || !Object.keys(w.podLabels).length) continue;
    w.pdbs = pdbsOf(w);
    w.services = servicesOf(w);
  }
  return { objects, workloads, hpas, pdbs, services };
}

/** A missing namespace matches any. */
export function sameNamespace(a: K8sObject, b: K8sObject): boolean {
  return !a.namespace || !b.namespace || a.namespace === b.namespace;
}

/**
 * Which of `objects` select a workload's pods by label, in their original order. Selectors are read
 * once and indexed by their first label, so linking stays linear in the number of objects.
 */
function selectorIndex(objects: K8sObject[], selectorOf: (o: K8sObject) => YNode | undefined): (w: Workload) => K8sObject[] {
  const index = new Map<string, { i: number; obj: K8sObject; wanted: [string, string][] }[]>();
  objects.forEach((obj, i) => {
    const wanted = (selectorOf(obj)?.entries() ?? []).map(([k, v]) => [k, v.str()] as const);
    if (!wanted.length || wanted.some(([, v]) => v === undefined)) return;
    const key = `${wanted[0]![0]}=${wanted[0]![1]}`;
    const entry = { i, obj, wanted: wanted as [string, string][] };
    const list = index.get(key);
    if (list) list.push(entry);
    else index.set(key, [entry]);
  });
  return (w) =>
    Object.entries(w.podLabels)
      .flatMap(([k, v]) => index.get(`${k}=${v}`) ?? [])
      .filter((c) => sameNamespace(w, c.obj) && c.wanted.every(([k, v]) => w.podLabels[k] === v))
      .sort((a, b) => a.i - b.i)
      .map((c) => c.obj);
}

const JOB_LIKE = /^(?:Job|CronJob|ScaledJob|Workflow|CronWorkflow|WorkflowTemplate)$/;

/** Find the pod spec generically: `spec` itself (Pod), or through `template`/`jobTemplate`/`spec` hops. */
function findPodSpec(spec: YNode | undefined, depth = 0): { pod: YNode; template?: YNode; viaJob: boolean } | undefined {
  if (!spec?.isMap) return undefined;
  if (spec.get('containers')?.isSeq) return { pod: spec, viaJob: false };
  if (depth > 4) return undefined;
  for (const key of ['template', 'jobTemplate', 'jobTargetRef'] as const) {
    const t = spec.get(key);
    if (!t?.isMap) continue;
    const inner = t.get('spec');
    if (inner?.get('containers')?.isSeq) return { pod: inner, template: t, viaJob: key !== 'template' };
    const deeper = findPodSpec(inner ?? t, depth + 1);
    if (deeper) return { ...deeper, viaJob: deeper.viaJob || key !== 'template' };
  }
  return undefined;
}

function toWorkload(obj: K8sObject): Workload | undefined {
  const found = findPodSpec(obj.node.get('spec'));
  if (!found) return undefined;
  const { pod, template, viaJob } = found;
  const restart = pod.get('restartPolicy')?.str();
  const hook = obj.node.at('metadata', 'annotations', 'helm.sh/hook')?.str() ?? '';
  const runsToCompletion =
    viaJob ||
    JOB_LIKE.test(obj.kind) ||
    /\btest(?:-success|-failure)?\b/.test(hook) ||
    (!template && (restart === 'Never' || restart === 'OnFailure'));
  const labelsNode = template ? template.at('metadata', 'labels') : obj.node.at('metadata', 'labels');
  const podLabels: Record<string, string> = {};
  for (const [k, v] of labelsNode?.entries() ?? []) {
    const s = v.str();
    if (s !== undefined) podLabels[k] = s;
  }
  const replicas = obj.node.at('spec', 'replicas');
  const w: Workload = {
    ...obj,
    podSpec: pod,
    podLabels,
    containers: [],
    initContainers: [],
    runsToCompletion,
    replicas: replicas && !replicas.isNull ? replicas : undefined,
    hpas: [],
    pdbs: [],
    services: [],
  };
  w.containers = containersOf(w, pod.get('containers'), false);
  w.initContainers = containersOf(w, pod.get('initContainers'), true);
  return w;
}

function containersOf(w: Workload, list: YNode | undefined, init: boolean): Container[] {
  return (list?.items() ?? [])
    .filter((c) => c.isMap)
    .map((node, i) => ({
      name: node.get('name')?.str() ?? `#${i + 1}`,
      node,
      init,
      sidecar: init && node.get('restartPolicy')?.str() === 'Always',
      workload: w,
    }));
}
