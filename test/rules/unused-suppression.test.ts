import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, runCli, where } from '../helpers.js';

const RULE = 'unused-suppression';
const dir = `${FIXTURES}/rules/${RULE}`;
const rules = [RULE, 'missing-readiness-probe', 'missing-sigterm-handler'];

describe(RULE, () => {
  it('reports stale suppressions and unknown rule ids, and keeps suppressed findings with their reason', async () => {
    const { findings, suppressed } = await lintDir(dir, { rules });
    assert.deepEqual(where(findings), [
      `${RULE} k8s/billing.yaml:17`,
      `missing-readiness-probe k8s/billing.yaml:18`,
      `${RULE} k8s/billing.yaml:22`,
      `${RULE} svc/src/invoices.ts:5`,
    ]);
    assert.equal(findings[0]!.message, 'replicalint-disable-next-line names unknown rule "missing-readines-probe"');
    assert.equal(findings[2]!.message, 'replicalint-disable-next-line suppresses nothing: no finding of missing-readiness-probe on line 23');
    assert.deepEqual(
      suppressed.map((s) => [s.ruleId, `${s.file}:${s.line}`, s.suppression]),
      [
        ['missing-readiness-probe', 'k8s/annotated.yaml:11', { kind: 'annotation', reason: 'pulls from Kafka; no Service sends it traffic' }],
        ['missing-readiness-probe', 'k8s/billing.yaml:15', { kind: 'directive', reason: 'consumes a queue, takes no traffic' }],
        ['missing-sigterm-handler', 'svc/src/server.ts:9', { kind: 'directive', reason: 'drained by the mesh sidecar' }],
      ],
    );
  });

  it('stays silent for suppressions that are used, and for rules that did not run', async () => {
    const { findings } = await lintDir(dir, { rules, paths: ['svc/src/server.ts', 'k8s/annotated.yaml'] });
    assert.deepEqual(where(findings), []);
    const onlyProbes = await lintDir(dir, { rules: [RULE, 'missing-readiness-probe'], paths: ['svc'] });
    assert.deepEqual(where(onlyProbes.findings), []);
  });

  it('honours -line and -file directives, with or without rule ids, in code and Dockerfiles', async () => {
    const files = {
      'package.json': '{"name":"api"}',
      'server.js': "/* replicalint-disable-file missing-sigterm-handler -- a sidecar drains us */\nrequire('express')().listen(1);\n",
      'other/package.json': '{"name":"other"}',
      'other/server.js': "require('express')().listen(1); // replicalint-disable-line\n",
      'Dockerfile': 'FROM node:20\n# replicalint-disable-next-line\nCMD ["node", "server.js"]\n',
    };
    const { findings, suppressed } = await lintFiles(files, { rules });
    // A comment without rule ids covers every rule: judged only when every rule ran.
    assert.deepEqual(where(findings), []);
    assert.deepEqual(suppressed.map((s) => `${s.ruleId} ${s.file}:${s.line}`), ['missing-sigterm-handler other/server.js:1', 'missing-sigterm-handler server.js:2']);
    const all = await lintFiles(files);
    assert.deepEqual(where(all.findings, RULE), [`${RULE} Dockerfile:2`]);
  });

  it('judges each directive by the findings before it, its own included, and takes the reason of the first that covers a finding', async () => {
    const listen = "require('express')().listen(1);";
    const { findings, suppressed } = await lintFiles(
      {
        'a/package.json': '{"name":"a"}',
        'a/server.js': [
          '// replicalint-disable-next-line missing-sigterm-handler -- first',
          `${listen} // replicalint-disable-line missing-sigterm-handler -- second`,
          '// replicalint-disable-next-line missing-readiness-probe',
        ].join('\n'),
        'b/package.json': '{"name":"b"}',
        'b/server.js': ['// replicalint-disable-next-line missing-readiness-probe', listen, '/* replicalint-disable-file unused-suppression -- covers the stale one above */'].join('\n'),
        'c/package.json': '{"name":"c"}',
        'c/server.js': ['/* replicalint-disable-file missing-sigterm-handler -- whole file, first */', `${listen} // replicalint-disable-line missing-sigterm-handler -- line, second`].join('\n'),
      },
      { rules },
    );
    assert.deepEqual(where(findings), [`${RULE} a/server.js:3`, 'missing-sigterm-handler b/server.js:2']);
    assert.deepEqual(
      suppressed.map((s) => `${s.ruleId} ${s.file}:${s.line}:${s.column} (${s.suppression.reason})`),
      [
        'missing-sigterm-handler a/server.js:2:1 (first)',
        `${RULE} b/server.js:1:1 (covers the stale one above)`,
        'missing-sigterm-handler c/server.js:2:1 (whole file, first)',
      ],
    );
  });

  it('does not take prose, strings or block comments that mention a directive for one', async () => {
    const { findings, suppressed } = await lintFiles(
      {
        'package.json': '{"name":"api"}',
        'server.ts': [
          '/**',
          ' * To silence it, put `// replicalint-disable-file` at the top of the file.',
          ' */',
          "const help = '// replicalint-disable-next-line missing-sigterm-handler';",
          "// see replicalint-disable-line docs: it covers its own line",
          "require('express')().listen(1);",
          '',
        ].join('\n'),
      },
      { rules },
    );
    assert.deepEqual(where(findings), ['missing-sigterm-handler server.ts:6']);
    assert.deepEqual(suppressed, []);
  });

  it('lists suppressed findings in the JSON report and marks them in SARIF', async () => {
    const json = JSON.parse((await runCli(['-f', 'json', 'svc', '--rule', rules.join(',')], { cwd: dir })).stdout);
    assert.deepEqual(Object.keys(json), ['tool', 'findings', 'summary', 'suppressed']);
    assert.deepEqual(json.suppressed.map((s: { ruleId: string; suppression: unknown }) => [s.ruleId, s.suppression]), [
      ['missing-sigterm-handler', { kind: 'directive', reason: 'drained by the mesh sidecar' }],
    ]);
    const sarif = JSON.parse((await runCli(['-f', 'sarif', 'svc', '--rule', rules.join(',')], { cwd: dir })).stdout);
    const results = sarif.runs[0].results;
    assert.deepEqual(results.map((r: { ruleId: string; suppressions?: unknown }) => [r.ruleId, r.suppressions]), [
      ['unused-suppression', undefined],
      ['missing-sigterm-handler', [{ kind: 'inSource', justification: 'drained by the mesh sidecar' }]],
    ]);
    const stylish = await runCli(['svc', '--rule', rules.join(',')], { cwd: dir });
    assert.match(stylish.stdout, /✖ 1 problem \(0 errors, 1 warning\) in 1 file; 3 files checked, 1 suppressed/);
  });
});
