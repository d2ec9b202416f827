import path from 'node:path';
import type { YNode } from './yaml.js';

/** The names kustomize reads a kustomization from. */
const KUSTOMIZATION = new Set(['kustomization.yaml', 'kustomization.yml']);

export function isKustomization(file: string): boolean {
  return KUSTOMIZATION.has(path.basename(file));
}

/**
 * The files a kustomization applies as patches (`patchesStrategicMerge`, and the `path` of
 * `patches` and `patchesJson6902` entries), as absolute paths; `file` is the kustomization's.
 * A patch holds only the fields it changes: a Deployment patch that adds a sidecar has no
 * replicas, probes or resources of its own, so it is not a workload to lint. Inline patches (a
 * string holding YAML) name no file.
 */
export function kustomizePatches(file: string, docs: YNode[]): string[] {
  const dir = path.dirname(file);
  const out: string[] = [];
  const add = (p: string | undefined) => {
    if (p && !p.includes('\n') && !/^[a-z][\w+.-]*:\/\//i.test(p)) out.push(path.resolve(dir, p));
  };
  for (const doc of docs) {
    for (const item of doc.get('patchesStrategicMerge')?.items() ?? []) add(item.str());
    for (const key of ['patches', 'patchesJson6902']) {
      for (const item of doc.get(key)?.items() ?? []) add(item.isMap ? item.get('path')?.str() : undefined);
    }
  }
  return out;
}
