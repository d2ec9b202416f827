import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'unbounded-timer';
const dir = `${FIXTURES}/rules/${RULE}`;

/** An Express service whose routes live in `src/routes.ts`. */
function routes(code: string) {
  return lintFiles(
    {
      'package.json': '{"name":"api","dependencies":{"express":"^4"}}',
      'src/server.ts': "import express from 'express';\nimport { router } from './routes';\nconst app = express();\napp.use(router);\napp.listen(3000);\n",
      'src/routes.ts': `import { Router } from 'express';\nexport const router = Router();\n${code}`,
    },
    { rules: [RULE] },
  );
}

describe(RULE, () => {
  it('reports intervals that are never cleared and loops with no stop path, as errors where they run many times', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire'], rules: [RULE] });
    assert.deepEqual(where(findings), [
      `${RULE} fire/api/src/exports.ts:7`,
      `${RULE} fire/api/src/rates.ts:8`,
      `${RULE} fire/api/src/rates.ts:21`,
      `${RULE} fire/api/src/reconciler.ts:5`,
      `${RULE} fire/api/src/server.ts:13`,
      `${RULE} fire/api/src/server.ts:16`,
    ]);
    const at = (file: string, line: number) => findings.find((f) => f.file === `fire/api/src/${file}` && f.line === line)!;
    assert.deepEqual(
      findings.map((f) => f.severity),
      ['error', 'warning', 'warning', 'warning', 'warning', 'error'],
    );
    assert.equal(
      at('exports.ts', 7).message,
      "setInterval in the exportsRouter.post('/') handler (line 5) is never cleared: every request starts another timer that runs forever and keeps what it references in memory",
    );
    assert.match(at('exports.ts', 7).hint!, /req\.on\('close', \(\) => clearInterval/);
    assert.match(at('rates.ts', 8).message, /^setInterval in startRatePolling\(\) \(line 7\) is never cleared: it keeps the process alive past SIGTERM/);
    assert.match(at('rates.ts', 8).hint!, /clearInterval\(timer\) in the SIGTERM handler/);
    assert.match(at('rates.ts', 21).message, /^setTimeout re-arms syncOutbox\(\) with no stop path/);
    // `new Reconciler().start()` runs once, at start-up: the method is start-up code.
    assert.match(at('reconciler.ts', 5).message, /^setInterval in the Reconciler\.start\(\) method .* is never cleared: it keeps the process alive past SIGTERM/);
    assert.match(at('reconciler.ts', 5).hint!, /clearInterval\(this\.timer\) in the SIGTERM handler/);
    assert.match(at('server.ts', 13).message, /^setInterval at module top level is never cleared/);
    assert.match(at('server.ts', 16).message, /^setInterval in the 'connection' listener \(line 15\) is never cleared: each time it runs/);
  });

  it('stays silent for handles cleared anywhere in the service, unref at start-up, the SSE heartbeat, one-shot timeouts and loops that can stop', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it("finds the demo shop's price polling", async () => {
    const { findings } = await lintDir(`${FIXTURES}/demo`, { rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} services/checkout/src/prices.ts:10`]);
  });

  it('follows a value re-export that comes after a type-only one into a folder outside the source tree', async () => {
    const { findings } = await lintFiles(
      {
        'package.json': '{"name":"api","dependencies":{"express":"^4"}}',
        'src/server.ts': "import express from 'express';\nimport { poll } from './jobs';\npoll();\nexpress().listen(3000);\n",
        'src/jobs.ts': "export type { Job } from '../lib/poll';\nexport { poll } from '../lib/poll';\n",
        'lib/poll.ts': 'export interface Job { id: string }\nexport function poll() {\n  setInterval(() => {}, 1000);\n}\n',
      },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} lib/poll.ts:3`]);
  });

  it('tells a method called once at start-up from one called on every request', async () => {
    const watcher = 'export class Watcher {\n  timer?: NodeJS.Timeout;\n  startWatching() {\n    this.timer = setInterval(() => undefined, 1000);\n  }\n}\n';
    const files = (code: string) =>
      lintFiles(
        {
          'package.json': '{"name":"api","dependencies":{"express":"^4"}}',
          'src/server.ts': "import express from 'express';\nimport './boot';\nexpress().listen(3000);\n",
          'src/watcher.ts': watcher,
          'src/boot.ts': code,
        },
        { rules: [RULE] },
      );
    const atStart = await files("import { Watcher } from './watcher';\nnew Watcher().startWatching();\n");
    assert.deepEqual(where(atStart.findings), [`${RULE} src/watcher.ts:4`]);
    assert.match(atStart.findings[0]!.message, /^setInterval in the Watcher\.startWatching\(\) method \(line 3\) is never cleared: it keeps the process alive past SIGTERM/);
    const perRequest = await files("import { Watcher } from './watcher';\nexport const watch = (req: unknown, res: unknown) => new Watcher().startWatching();\n");
    assert.deepEqual(where(perRequest.findings), [`${RULE} src/watcher.ts:4`]);
    assert.match(perRequest.findings[0]!.message, /^setInterval in the Watcher\.startWatching\(\) method \(line 3\) is never cleared: each call starts another timer/);
    assert.match(perRequest.findings[0]!.hint!, /clearInterval\(this\.timer\) in a stop\(\)\/close\(\)/);
  });

  it('does not accept .unref() as a fix inside a request handler', async () => {
    const { findings } = await routes("router.get('/x', (req, res) => {\n  setInterval(() => res.write('.'), 1000).unref();\n});\n");
    assert.deepEqual(where(findings), [`${RULE} src/routes.ts:4`]);
    assert.equal(findings[0]!.severity, 'error');
  });

  it('fires for the SSE heartbeat when nothing clears it', async () => {
    const open = await routes("router.get('/sse', (req, res) => {\n  const hb = setInterval(() => res.write(':\\n\\n'), 15000);\n});\n");
    assert.deepEqual(where(open.findings), [`${RULE} src/routes.ts:4`]);
    const closed = await routes("router.get('/sse', (req, res) => {\n  const hb = setInterval(() => res.write(':\\n\\n'), 15000);\n  res.on('close', () => clearInterval(hb));\n});\n");
    assert.deepEqual(where(closed.findings), []);
  });

  it('tells a guarded self-rescheduling loop from an endless one', async () => {
    const endless = await routes('export function poll() {\n  void fetch("http://x");\n  setTimeout(poll, 1000);\n}\npoll();\n');
    assert.deepEqual(where(endless.findings), [`${RULE} src/routes.ts:5`]);
    const guarded = await routes('let stopped = false;\nexport const stop = () => { stopped = true; };\nexport function poll() {\n  if (stopped) return;\n  setTimeout(poll, 1000);\n}\npoll();\n');
    assert.deepEqual(where(guarded.findings), []);
  });
});
