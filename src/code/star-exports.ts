import type { CodeFacts, ExportFact } from './facts.js';
import type { ModuleIndex } from './modules.js';

/** A file's exports by name, and its `export * from` list. */
export interface ExportIndex {
  byName: Map<string, ExportFact[]>;
  stars: ExportFact[];
}

/** Built once per file (barrels are asked for every name). */
const exportIndexes = new WeakMap<CodeFacts, ExportIndex>();

export function exportIndex(file: CodeFacts): ExportIndex {
  let ix = exportIndexes.get(file);
  if (ix) return ix;
  ix = { byName: new Map(), stars: [] };
  for (const e of file.moduleExports) {
    const list = ix.byName.get(e.name);
    if (list) list.push(e);
    else ix.byName.set(e.name, [e]);
    if (e.name === '*' && e.from) ix.stars.push(e);
  }
  exportIndexes.set(file, ix);
  return ix;
}

/**
 * The `export * from` links of one run, to tell which of a barrel's stars lead to a name: those
 * naming a file that exports it, itself or through further stars. Following any other star cannot
 * find the name, in a cycle of stars too. Each name is answered once for the whole run, by walking
 * back from the files that export it: a barrel of thousands of modules, or a chain of thousands of
 * stars, costs in proportion to its size rather than its size times the names asked, and no walk
 * recurses.
 */
export class StarExports {
  /** The files each file's stars name, in order (`undefined` where a star names no file of the run); files without stars are left out. */
  private readonly targets = new Map<CodeFacts, (CodeFacts | undefined)[]>();
  /** For each file some star names: the files whose stars name it, and which of their stars. */
  private readonly starredBy = new Map<CodeFacts, { file: CodeFacts; star: number }[]>();
  /** Among the files stars name: which export each name themselves (`*` is no name). */
  private readonly owners = new Map<string, CodeFacts[]>();
  /** For each name asked: the files whose stars lead to it, with those stars in order. */
  private readonly byName = new Map<string, Map<CodeFacts, number[]>>();

  constructor(modules: ModuleIndex) {
    for (const file of modules.files()) {
      // Most files have no star: they are passed over without indexing their exports.
      if (!file.moduleExports.some((e) => e.name === '*' && e.from)) continue;
      const stars = exportIndex(file).stars;
      if (!stars.length) continue;
      const targets = stars.map((e) => modules.resolveImport(file.file, e.from!));
      this.targets.set(file, targets);
      targets.forEach((t, star) => {
        if (!t) return;
        let by = this.starredBy.get(t);
        if (!by) {
          this.starredBy.set(t, (by = []));
          for (const name of exportIndex(t).byName.keys()) {
            if (name === '*') continue;
            const list = this.owners.get(name);
            if (list) list.push(t);
            else this.owners.set(name, [t]);
          }
        }
        by.push({ file, star });
      });
    }
  }

  /** The files `file`'s stars name that export `name`, themselves or through further stars, in the order of the stars. */
  leadingTo(file: CodeFacts, name: string): CodeFacts[] {
    const targets = this.targets.get(file);
    const stars = targets && this.starsTo(name).get(file);
    return stars ? stars.map((star) => targets[star]!) : [];
  }

  /** The stars leading to a file that exports `name` itself: walked back from those files, breadth first. */
  private starsTo(name: string): Map<CodeFacts, number[]> {
    let out = this.byName.get(name);
    if (out) return out;
    out = new Map();
    const owners = this.owners.get(name) ?? [];
    const seen = new Set(owners);
    const queue = [...owners];
    for (let i = 0; i < queue.length; i++) {
      for (const { file, star } of this.starredBy.get(queue[i]!) ?? []) {
        const list = out.get(file);
        if (list) list.push(star);
        else out.set(file, [star]);
        if (!seen.has(file)) {
          seen.add(file);
          queue.push(file);
        }
      }
    }
    // Walked back from several files, a barrel's stars are met out of order.
    for (const list of out.values()) list.sort((a, b) => a - b);
    this.byName.set(name, out);
    return out;
  }
}
