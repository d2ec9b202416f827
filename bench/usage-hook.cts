import fs = require('node:fs');

/**
 * Loaded with `node --require`: writes the process's CPU time and peak RSS where the benchmark
 * asks. CommonJS, so that measuring a run does not start Node's ES module loader, which the
 * launcher itself never starts (`--import` would add its start-up to every run measured).
 */
const out = process.env.REPLICALINT_BENCH_USAGE;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    fs.writeFileSync(out, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssKiB: u.maxRSS }));
  });
}
