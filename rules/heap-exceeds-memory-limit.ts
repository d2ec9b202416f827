import { defineRule } from '../src/rule.js';
import { effectiveHeap } from '../src/cross/heap.js';
import { describeService, linkReason } from '../src/cross/link.js';
import { describeContainer, relatedAt } from '../src/k8s/describe.js';
import { memoryLimit } from '../src/k8s/resources.js';

const MiB = 2 ** 20;

export default defineRule({
  id: 'heap-exceeds-memory-limit',
  scope: ['cross'],
  severity: 'error',
  summary: '--max-old-space-size at or above the container memory limit',
  why: 'V8 lets the heap grow to --max-old-space-size before it collects hard, but the process also needs memory outside the old space (young generation, code, stacks, buffers); the container reaches its limit first and is OOMKilled instead of collecting garbage, under exactly the load the HPA scales for.',
  fix: 'Set --max-old-space-size to about 75 % of the container memory limit, or raise the limit.',
  check({ app, report }) {
    const seen = new Set<string>();
    for (const l of app.links) {
      if (l.container.init) continue;
      const limit = memoryLimit(l.container);
      const heap = limit && effectiveHeap(app, l);
      if (!limit || !heap || heap.mib * MiB < limit.bytes) continue;
      const key = `${heap.at.file}:${heap.at.line}:${heap.at.column}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const limitMiB = limit.bytes / MiB;
      const written = limit.node.str()!;
      const limitText = /Mi$/.test(written) ? written : `${written} (${Math.floor(limitMiB)} MiB)`;
      const advice = Math.floor(limitMiB * 0.75);
      const same = heap.mib * MiB === limit.bytes ? 'equal to' : 'above';
      report({
        at: heap.at,
        message: `--max-old-space-size=${heap.mib} (${heap.source}) lets the V8 heap of ${describeService(l.service)} grow to ${heap.mib} MiB, ${same} the ${limitText} memory limit of ${describeContainer(l.container)} (${linkReason(l)}): V8 also needs room outside the old space, so the container is OOMKilled before the garbage collector catches up; a heap near 75 % of the limit is the usual advice`,
        hint: advice > 0 ? `set --max-old-space-size=${advice} (75 % of ${written}), or raise resources.limits.memory to at least ${Math.ceil(heap.mib / 0.75)}Mi` : `raise resources.limits.memory well above ${heap.mib}Mi`,
        related: [relatedAt(limit.node, `the memory limit of ${describeContainer(l.container)}`)],
      });
    }
  },
});
