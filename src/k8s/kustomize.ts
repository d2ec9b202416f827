import path from 'node:path';
import type { YNode } from './yaml.js';

/** The names kustomize reads a kustomization from. */
const KUSTOMIZATION = new Set(['kustomization.yaml', 'kustomization.yml']);

export function isKustomization(file: string): boolean {
  return KUSTOMIZATION.has(path.basename(file));
}

/**
 * The files a kustomization applies as patches (`patchesStrategicMerge`, and the `path` of
 * `patches` and `patchesJson6902` entries), and the files it lists as `resources`, as absolute
 * paths ({@link samePath}); `file` is the kustomization's.
 * A patch holds only the fields it changes: a Deployment patch that adds a sidecar has no
 * replicas, probes or resources of its own, so it is not a workload to lint. Inline patches (a
 * string holding YAML) name no file.
 */
export function kustomizePatches(file: string, docs: YNode[]): { patches: string[]; resources: string[] } {
  const dir = path.dirname(file);
  const patches: string[] = [];
  const resources: string[] = [];
  const add = (list: string[], p: string | undefined) => {
    if (p && !p.includes('\n') && !/^[a-z][\w+.-]*:\/\//i.test(p)) list.push(samePath(path.resolve(dir, p)));
  };
  for (const doc of docs) {
    for (const item of doc.get('patchesStrategicMerge')?.items() ?? []) add(patches, item.str());
    for (const key of ['patches', 'patchesJson6902']) {
      for (const item of doc.get(key)?.items() ?? []) add(patches, item.isMap ? item.get('path')?.str() : undefined);
    }
    for (const item of doc.get('resources')?.items() ?? []) add(resources, item.str());
  }
  return { patches, resources };
}

/** An absolute path as the folder walk writes it (forward slashes, also on Windows), to compare paths from both. */
export function samePath(abs: string): string {
  return path.resolve(abs).split(path.sep).join('/');
}
