import { sameNamespace, type Container, type K8sObject, type Manifests } from './objects.js';
import type { YNode } from './yaml.js';

/** A variable as a container sets it: a literal value, or one this run cannot read (`valueFrom`, a Secret). */
export interface EnvVar {
  name: string;
  /** Undefined when the value comes from somewhere this run cannot read. */
  value?: string;
  /** The field that sets it: the `value` of an `env` entry (or the entry), or a ConfigMap's `data` key. */
  node: YNode;
  /** `env`, or `ConfigMap "name"` for a variable brought in by `envFrom`. */
  source: string;
}

/** What a container's `env` and `envFrom` set. */
export interface ContainerEnv {
  vars: Map<string, EnvVar>;
  /** Some `envFrom` source is not in this run (a Secret, a ConfigMap of another repository): any variable may come from it. */
  opaque: boolean;
}

/** What a run's manifests have been asked: their ConfigMaps by name, and each container's environment. */
interface Memo {
  configMaps: Map<string, K8sObject[]>;
  envs: Map<Container, ContainerEnv>;
}

const memos = new WeakMap<Manifests, Memo>();

/**
 * The environment a container gets from its manifest: `envFrom` ConfigMaps found in the run (with
 * their `prefix`), then `env`, which wins over `envFrom` as in Kubernetes. Read once per container
 * (rules ask for one variable at a time): the result is shared, and not to be changed.
 * https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/
 */
export function containerEnv(c: Container, manifests: Manifests): ContainerEnv {
  let memo = memos.get(manifests);
  if (!memo) {
    const configMaps = new Map<string, K8sObject[]>();
    for (const o of manifests.objects) {
      if (o.kind !== 'ConfigMap') continue;
      const list = configMaps.get(o.name);
      if (list) list.push(o);
      else configMaps.set(o.name, [o]);
    }
    memo = { configMaps, envs: new Map() };
    memos.set(manifests, memo);
  }
  let env = memo.envs.get(c);
  if (!env) {
    env = readEnv(c, memo.configMaps);
    memo.envs.set(c, env);
  }
  return env;
}

/** {@link containerEnv}, with the run's ConfigMaps by name (the first in the container's namespace is used). */
function readEnv(c: Container, configMaps: Map<string, K8sObject[]>): ContainerEnv {
  const vars = new Map<string, EnvVar>();
  let opaque = false;
  for (const from of c.node.get('envFrom')?.items() ?? []) {
    const name = from.at('configMapRef', 'name')?.str();
    const map = name ? configMaps.get(name)?.find((o) => sameNamespace(o, c.workload)) : undefined;
    if (!map) {
      opaque = true;
      continue;
    }
    const prefix = from.get('prefix')?.str() ?? '';
    for (const [k, v] of map.node.get('data')?.entries() ?? []) vars.set(prefix + k, { name: prefix + k, value: v.str() ?? '', node: v, source: `ConfigMap "${map.name}"` });
  }
  for (const e of c.node.get('env')?.items() ?? []) {
    const name = e.get('name')?.str();
    if (!name) continue;
    const value = e.get('value');
    if (e.has('valueFrom')) vars.set(name, { name, node: e.get('valueFrom')!, source: 'env' });
    else vars.set(name, { name, value: value?.str() ?? '', node: value ?? e, source: 'env' });
  }
  return { vars, opaque };
}
