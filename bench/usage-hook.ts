import fs from 'node:fs';

/** Loaded with `node --import`: writes the process's CPU time and peak RSS where the benchmark asks. */
const out = process.env.REPLICALINT_BENCH_USAGE;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    fs.writeFileSync(out, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssKiB: u.maxRSS }));
  });
}
