import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { VERSION } from '../src/cli.js';
import { defineRule } from '../src/rule.js';
import { lint } from '../src/run.js';
import { FIXTURES, NO_CONFIG, ROOT, runCli, writeProject } from './helpers.js';

// A Deployment that only lacks a readinessProbe (replicas, liveness and resources are in order).
const HEAD = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: api\n';
const REST =
  '          livenessProbe:\n            httpGet: { path: /livez, port: 80 }\n          resources:\n            requests: { cpu: 100m, memory: 128Mi }\n            limits: { memory: 256Mi }\n  replicas: 2\n';
const NO_PROBE = HEAD + REST;
const WITH_PROBE = HEAD + '          readinessProbe:\n            httpGet: { path: /ready, port: 80 }\n' + REST;

describe('JSON report', () => {
  it('has exactly the documented shape, sorted, with relative forward-slash paths', async () => {
    const cwd = writeProject({
      'k8s/b.yaml': NO_PROBE,
      'k8s/a.yaml': NO_PROBE,
      'svc/package.json': '{"name":"svc"}',
      'svc/server.js': "const express = require('express');\nconst a = express();\na.listen(1);\nexpress().listen(2);\n",
    });
    const run = await runCli(['--format', 'json', '--rule', 'missing-readiness-probe,missing-sigterm-handler'], { cwd });
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(report), ['tool', 'findings', 'summary', 'suppressed']);
    assert.deepEqual(report.suppressed, []);
    assert.deepEqual(report.tool, { name: 'replicalint', version: VERSION });
    assert.deepEqual(report.summary, { errors: 3, warnings: 0, infos: 0, files: 4 });
    assert.deepEqual(
      report.findings.map((f: { file: string; line: number }) => `${f.file}:${f.line}`),
      ['k8s/a.yaml:9', 'k8s/b.yaml:9', 'svc/server.js:3'],
    );
    const f = report.findings[2];
    assert.deepEqual(Object.keys(f), ['ruleId', 'severity', 'message', 'file', 'line', 'column', 'endLine', 'endColumn', 'hint', 'related']);
    assert.deepEqual(f.related, [{ file: 'svc/server.js', line: 4, column: 1, message: 'also starts a server' }]);
    assert.deepEqual([f.line, f.column, f.endLine, f.endColumn], [3, 1, 3, 12]);
  });

  it('writes to --output and prints nothing on stdout', async () => {
    const cwd = writeProject({ 'a.yaml': WITH_PROBE });
    const run = await runCli(['-f', 'json', '-o', 'report.json'], { cwd });
    assert.equal(run.code, 0);
    assert.equal(run.stdout, '');
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(cwd, 'report.json'), 'utf8')).summary, { errors: 0, warnings: 0, infos: 0, files: 1 });
  });
});

describe('parse errors', () => {
  it('gives one located parse-error per broken file and lints the others', async () => {
    const cwd = writeProject({
      'svc/package.json': '{\n  "name": "svc",\n  "main": \n}\n',
      'svc/src/broken.ts': "import express from 'express';\nconst app = express(;\napp.listen(3000);\n",
      'svc/src/ok.ts': "import express from 'express';\nexpress().listen(1);\n",
      'k8s/broken.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a: b\n',
      'k8s/ok.yaml': NO_PROBE,
      // Not Kubernetes (no apiVersion and kind), so not read at all, broken or not.
      'docker-compose.yaml': 'services:\n  web: { image: nginx\n',
      'pnpm-lock.yaml': "lockfileVersion: '9.0'\npackages:\n  a: b: c\n",
    });
    const run = await runCli(['-f', 'json', '--rule', 'parse-error,missing-readiness-probe', '--rule', 'missing-sigterm-handler'], { cwd });
    assert.equal(run.code, 1);
    const found = JSON.parse(run.stdout).findings.map((f: { ruleId: string; file: string; line: number; column: number }) => `${f.ruleId} ${f.file}:${f.line}:${f.column}`);
    assert.deepEqual(found, [
      'parse-error k8s/broken.yaml:4:9',
      'missing-readiness-probe k8s/ok.yaml:9:11',
      'parse-error svc/package.json:4:1',
      'parse-error svc/src/broken.ts:2:21',
      'missing-sigterm-handler svc/src/ok.ts:2:1',
    ]);
  });

  it('skips unrendered Helm chart templates with a notice instead of parse errors', async () => {
    const cwd = writeProject({
      'chart/Chart.yaml': 'apiVersion: v2\nname: shop\n',
      'chart/templates/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n',
      'chart/values.yaml': 'replicaCount: 1\n',
    });
    const run = await runCli([], { cwd });
    assert.equal(run.code, 0);
    assert.match(run.stderr, /chart: skipped 1 Helm template file; lint the rendered output instead: helm template chart \| replicalint -/);
  });

  it('skips the files a kustomization applies as patches, and lints the rest', async () => {
    // A kubebuilder layout: the base Deployment is whole; the patches hold only what they change.
    const patch = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: kube-rbac-proxy\n          image: proxy\n';
    const cwd = writeProject({
      'config/manager/manager.yaml': WITH_PROBE,
      'config/manager/kustomization.yaml': 'resources:\n  - manager.yaml\n',
      'config/default/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../manager\n  - extra.yaml\npatchesStrategicMerge:\n  - manager_auth_proxy_patch.yaml\npatches:\n  - path: ./patches/webhook.yaml\n  - patch: |-\n      - op: add\n        path: /spec/replicas\n        value: 2\n    target: { kind: Deployment }\npatchesJson6902:\n  - path: json-patch.yaml\n    target: { kind: Deployment, name: api }\n',
      'config/default/manager_auth_proxy_patch.yaml': patch,
      'config/default/patches/webhook.yaml': patch,
      'config/default/json-patch.yaml': '- op: add\n  path: /spec/replicas\n  value: 3\n',
      // Listed as a resource, not a patch: still linted.
      'config/default/extra.yaml': NO_PROBE,
    });
    const run = await runCli(['-f', 'json'], { cwd });
    assert.equal(run.code, 1);
    const found = JSON.parse(run.stdout).findings.map((f: { ruleId: string; file: string; line: number }) => `${f.ruleId} ${f.file}:${f.line}`);
    assert.deepEqual(found, ['missing-readiness-probe config/default/extra.yaml:9']);
    assert.match(run.stderr, /config\/default\/manager_auth_proxy_patch\.yaml: skipped: a kustomize patch \(listed in config\/default\/kustomization\.yaml\); lint the built output instead: kustomize build config\/default \| replicalint -/);
    assert.match(run.stderr, /config\/default\/patches\/webhook\.yaml: skipped: a kustomize patch/);
  });

  it('reads kustomization.yml, paths that leave the folder, resources that are also patches, and broken kustomizations the same with and without --cache', async () => {
    const patch = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n      containers:\n        - name: proxy\n          image: proxy\n';
    const cwd = writeProject({
      // Same bytes as the kustomization below, under a name kustomize does not read: not a kustomization.
      'notes/example.yml': 'patchesStrategicMerge:\n  - ../base/patch.yaml\n',
      'overlay/kustomization.yml': 'patchesStrategicMerge:\n  - ../base/patch.yaml\n',
      'base/patch.yaml': patch,
      'both/kustomization.yaml': 'resources:\n  - whole.yaml\npatches:\n  - path: whole.yaml\n',
      'both/whole.yaml': NO_PROBE,
      // Broken, and without apiVersion and kind: lists nothing, and is no parse error.
      'broken/kustomization.yaml': 'resources:\n  - a.yaml\nresources:\n  - {{ .x }}\n',
    });
    const expected = ['missing-readiness-probe both/whole.yaml:9'];
    for (const args of [[], ['--cache', '--cache-location', path.join(cwd, '.cache')], ['--cache', '--cache-location', path.join(cwd, '.cache')]]) {
      const run = await runCli(['-f', 'json', ...args], { cwd });
      const found = JSON.parse(run.stdout).findings.map((f: { ruleId: string; file: string; line: number }) => `${f.ruleId} ${f.file}:${f.line}`);
      assert.deepEqual(found, expected, args.join(' '));
      assert.match(run.stderr, /base\/patch\.yaml: skipped: a kustomize patch \(listed in overlay\/kustomization\.yml\)/);
      assert.doesNotMatch(run.stderr, /broken\/kustomization\.yaml/);
    }
  });
});

describe('exit codes', () => {
  const cwd = writeProject({ 'bad.yaml': NO_PROBE, 'good.yaml': WITH_PROBE });

  it('0 when clean, 1 with findings at or above --fail-on', async () => {
    assert.equal((await runCli(['good.yaml'], { cwd })).code, 0);
    assert.equal((await runCli(['bad.yaml'], { cwd })).code, 1);
  });

  it('2 for a usage error: unknown option, bad choice, missing path', async () => {
    for (const args of [['--nope'], ['--format', 'xml'], ['--fail-on', 'fatal'], ['--max-warnings', '-1'], ['missing/'], ['--rule', 'no-such-rule']]) {
      const run = await runCli(args, { cwd });
      assert.equal(run.code, 2, args.join(' '));
      assert.notEqual(run.stderr, '');
    }
  });

  it('2, with what to do, when the launcher finds no built bundle (a checkout never built)', () => {
    const copy = writeProject({});
    fs.cpSync(path.join(ROOT, 'bin'), path.join(copy, 'bin'), { recursive: true });
    const run = spawnSync(process.execPath, [path.join(copy, 'bin', 'replicalint.js'), '--version'], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /dist[\\/]bundle is missing; in a checkout, run `npm run build`/);
  });

  it('2 for an unreadable or invalid config, naming the file', async () => {
    const broken = writeProject({ '.replicalintrc.json': '{ rules: }', 'a.yaml': WITH_PROBE });
    const run = await runCli([], { cwd: broken });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /\.replicalintrc\.json:1:3: cannot read config: expected a property name, found .r./);
    const unknown = writeProject({ '.replicalintrc.json': '{"rules":{"missing-readines-probe":"off"}}' });
    assert.match((await runCli([], { cwd: unknown })).stderr, /unknown rule "missing-readines-probe"/);
  });

  it('a config can turn a rule off or change its severity', async () => {
    const off = writeProject({ '.replicalintrc.json': '{"rules":{"missing-readiness-probe":"off"}}', 'a.yaml': NO_PROBE });
    assert.equal((await runCli([], { cwd: off })).code, 0);
    const warn = writeProject({ '.replicalintrc.json': '{"rules":{"missing-readiness-probe":"warning"}}', 'a.yaml': NO_PROBE });
    assert.equal((await runCli([], { cwd: warn })).code, 0);
    assert.equal((await runCli(['--fail-on', 'warning'], { cwd: warn })).code, 1);
    assert.equal((await runCli(['--max-warnings', '0'], { cwd: warn })).code, 1);
    assert.equal((await runCli(['--max-warnings', '1'], { cwd: warn })).code, 0);
    const quiet = await runCli(['--quiet'], { cwd: warn });
    assert.equal(quiet.code, 0);
    assert.match(quiet.stdout, /no problems/);
  });

  it('2 when a rule fails internally, after reporting what the others found', async () => {
    const boom = defineRule({ id: 'boom', scope: ['manifest'], severity: 'error', summary: 's', why: 'w', fix: 'f', check: () => { throw new Error('kaput'); } });
    const result = await lint({ cwd, paths: ['.'], config: NO_CONFIG, rules: [boom] });
    assert.equal(result.failures.length, 1);
    assert.match(result.failures[0]!, /rule boom failed: Error: kaput/);
  });

  it('0 for --version, --help and --list-rules', async () => {
    const v = await runCli(['--version'], { cwd });
    assert.deepEqual([v.code, v.stdout.trim()], [0, VERSION]);
    const h = await runCli(['--help'], { cwd });
    assert.equal(h.code, 0);
    assert.match(h.stdout, /--fail-on <severity>/);
    const l = await runCli(['--list-rules'], { cwd });
    assert.equal(l.code, 0);
    assert.match(l.stdout, /^missing-readiness-probe\s+manifest\s+error\s+Container of a long-running workload without a readinessProbe$/m);
    const lj = JSON.parse((await runCli(['--list-rules', '-f', 'json'], { cwd })).stdout);
    assert.ok(lj.some((r: { id: string; why: string }) => r.id === 'missing-sigterm-handler' && r.why.includes('SIGTERM')));
  });
});

describe('stdin and output', () => {
  it('lints Helm output from stdin and names the template', async () => {
    const cwd = writeProject({});
    const run = await runCli(['-', '-f', 'json'], { cwd, stdin: '---\n# Source: shop/templates/api.yaml\n' + NO_PROBE });
    assert.equal(run.code, 1);
    const [f] = JSON.parse(run.stdout).findings;
    assert.deepEqual([f.file, f.line], ['<stdin>', 11]);
    assert.match(f.message, /\(from shop\/templates\/api\.yaml\)/);
  });

  it('stylish groups by file with position, severity, rule, fix and a summary; colour follows FORCE_COLOR and NO_COLOR', async () => {
    const cwd = writeProject({ 'k8s/a.yaml': NO_PROBE });
    const plain = await runCli([], { cwd });
    assert.equal(
      plain.stdout,
      [
        'k8s/a.yaml',
        '  9:11  error    Deployment "api" container "api" has no readinessProbe: new replicas get traffic before they can serve  missing-readiness-probe',
        '                 fix: add a readinessProbe beside the livenessProbe (httpGet /livez port 80); point it at an endpoint that fails while the service cannot serve, e.g. httpGet /ready',
        '',
        '✖ 1 problem (1 error, 0 warnings) in 1 file; 1 file checked',
        '',
      ].join('\n'),
    );
    const colored = await runCli([], { cwd, env: { FORCE_COLOR: '1' } });
    assert.match(colored.stdout, /\u001b\[31merror/);
    const forcedOff = await runCli(['--color'], { cwd, env: { NO_COLOR: '1' } });
    assert.match(forcedOff.stdout, /\u001b\[/);
  });

  it('--print-links shows services, workloads and why they are linked', async () => {
    const cwd = writeProject({
      'services/checkout/package.json': '{"name":"@shop/checkout"}',
      'services/checkout/server.js': "require('express')().listen(8080);\n",
      'k8s/checkout.yaml': NO_PROBE.replace('image: api', 'image: ghcr.io/shop/checkout:1.2').replace('name: api\nspec', 'name: web\nspec'),
    });
    const run = await runCli(['--print-links'], { cwd });
    assert.equal(run.code, 0);
    assert.match(run.stdout, /services:\n {2}services\/checkout \(@shop\/checkout\) {2}listens at services\/checkout\/server\.js:1/);
    assert.match(run.stdout, /links:\n {2}services\/checkout → Deployment\/web container "api" {2}because image "ghcr\.io\/shop\/checkout:1\.2" matches package "@shop\/checkout"/);
  });
});

/** A Deployment whose pod runs these containers (YAML lines of the `containers` list). */
function podOf(name: string, containers: string[]): string {
  const head = ['apiVersion: apps/v1', 'kind: Deployment', `metadata: { name: ${name} }`, 'spec:', '  template:', '    spec:', '      containers:'];
  return [...head, ...containers.map((l) => `      ${l}`), ''].join('\n');
}

describe('linking by port', () => {
  it('links the only service to the container that declares the port its code listens on, not a proxy listed first', async () => {
    const deployment = podOf('esp-echo', [
      '- name: esp',
      '  image: gcr.io/endpoints-release/endpoints-runtime:1',
      '  args: ["--http_port=8081", "--backend=127.0.0.1:8080", "--healthz=healthz"]',
      '  ports: [{ containerPort: 8081 }]',
      '  readinessProbe: { httpGet: { path: /healthz, port: 8081 } }',
      '- name: echo',
      '  image: gcr.io/google-samples/echo-node:1.0',
      '  ports: [{ containerPort: 8080 }]',
    ]);
    const cwd = writeProject({
      'package.json': '{"name":"endpoints"}',
      'app.js': "const app = require('express')();\napp.get('/echo', (req, res) => res.json(req.body));\nconst PORT = parseInt(process.env.PORT) || 8080;\napp.listen(PORT);\n",
      'k8s/deployment.yaml': deployment,
    });
    const links = await runCli(['--print-links'], { cwd });
    assert.match(links.stdout, /\. → Deployment\/esp-echo container "echo" {2}because the only service and the only long-running workload \(its container that declares port 8080, where the code listens\)/);
    const run = await runCli(['-f', 'json', '--rule', 'probe-not-served'], { cwd });
    assert.deepEqual(JSON.parse(run.stdout).findings, []);
  });

  it('reads the port as each container would run the code: its env first, and the constant the listen call sees', async () => {
    const deployment = podOf('web', [
      '- name: agent',
      '  image: grafana/agent:v0.40',
      '  ports: [{ containerPort: 9102 }]',
      '- name: app',
      '  image: shop/web:1',
      '  env: [{ name: PORT, value: "3000" }]',
      '  ports: [{ containerPort: 3000 }]',
    ]);
    const cwd = writeProject({
      'package.json': '{"name":"api","dependencies":{"express":"^4"}}',
      'server.js': "const app = require('express')();\nfunction metricsUrl() {\n  const PORT = 9102;\n  return `http://localhost:${PORT}/metrics`;\n}\nconst PORT = process.env.PORT || 8080;\napp.listen(PORT);\n",
      'k8s/deployment.yaml': deployment,
    });
    const links = await runCli(['--print-links'], { cwd });
    assert.match(links.stdout, /\. → Deployment\/web container "app" {2}because the only service and the only long-running workload \(its container that declares port 3000, where the code listens\)/);
  });
});

describe('odd invocations and inputs', () => {
  it('finds the same problems in a folder outside the working directory, printed with absolute paths', async () => {
    // The demo lives under a `fixtures/` folder: only its path inside each package may be judged, never the whole path.
    const demo = path.join(FIXTURES, 'demo');
    const found = (stdout: string, root: string) =>
      JSON.parse(stdout).findings.map((f: { ruleId: string; file: string; line: number }) => `${f.ruleId} ${path.relative(root, path.resolve(root, f.file))}:${f.line}`);
    const inside = await runCli(['-f', 'json', '.'], { cwd: demo });
    const outside = await runCli(['-f', 'json', demo], { cwd: writeProject({}) });
    assert.ok(JSON.parse(outside.stdout).findings.every((f: { file: string }) => path.isAbsolute(f.file)));
    assert.ok(found(inside.stdout, demo).some((f: string) => f.startsWith('module-state services/checkout/src/cart-store.ts')));
    assert.deepEqual(found(outside.stdout, demo), found(inside.stdout, demo));
  });

  it('reads stdin once even when - is given twice', async () => {
    const run = await runCli(['-', '-', '-f', 'json'], { cwd: writeProject({}), stdin: NO_PROBE });
    assert.equal(run.code, 1);
    assert.equal(JSON.parse(run.stdout).findings.filter((f: { ruleId: string }) => f.ruleId === 'missing-readiness-probe').length, 1);
  });

  it('--quiet hides warnings but they still count for --fail-on and --max-warnings', async () => {
    const cwd = writeProject({ '.replicalintrc.json': '{"rules":{"missing-readiness-probe":"warning"}}', 'a.yaml': NO_PROBE });
    assert.equal((await runCli(['--quiet', '--rule', 'missing-readiness-probe', '--fail-on', 'warning'], { cwd })).code, 1);
    assert.equal((await runCli(['--quiet', '--rule', 'missing-readiness-probe', '--max-warnings', '0'], { cwd })).code, 1);
  });

  it('exits 2 when there is nothing to lint, and skips explicit files it cannot read as anything', async () => {
    const empty = await runCli([], { cwd: writeProject({ 'notes.md': '# notes\n' }) });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no files to lint in \./);
    const cwd = writeProject({ 'README.md': '# shop\n- item: one\n', rendered: NO_PROBE });
    const run = await runCli(['README.md', 'rendered', '-f', 'json'], { cwd });
    assert.match(run.stderr, /README\.md: skipped: not code, Kubernetes YAML, a Dockerfile or package\.json/);
    assert.deepEqual(JSON.parse(run.stdout).findings.map((f: { ruleId: string; file: string }) => `${f.ruleId} ${f.file}`), ['missing-readiness-probe rendered']);
  });

  it('treats a --cache-location ending in / as a folder, and writes --list-rules to --output', async () => {
    const cwd = writeProject({ 'a.yaml': WITH_PROBE });
    await runCli(['--cache', '--cache-location', 'cache-dir/'], { cwd });
    assert.ok(fs.statSync(path.join(cwd, 'cache-dir', '.replicalintcache')).isFile());
    const list = await runCli(['--list-rules', '-o', 'rules.txt'], { cwd });
    assert.equal(list.stdout, '');
    assert.match(fs.readFileSync(path.join(cwd, 'rules.txt'), 'utf8'), /^parse-error /m);
    assert.equal((await runCli(['--list-rules', '-f', 'sarif'], { cwd })).code, 2);
  });

  it('ignores a byte-order mark in package.json, code and config', async () => {
    const cwd = writeProject({
      '.replicalintrc.json': '\uFEFF{"rules":{"missing-liveness-probe":"off"}}',
      'svc/package.json': '\uFEFF{"name":"checkout"}',
      'svc/server.ts': "\uFEFFimport express from 'express';\nexpress().listen(8080);\n",
      'k8s/web.yaml': NO_PROBE.replace('image: api', 'image: ghcr.io/shop/checkout:1'),
    });
    const links = await runCli(['--print-links'], { cwd });
    assert.equal(links.code, 0);
    assert.match(links.stdout, /svc → Deployment\/api container "api" {2}because image "ghcr\.io\/shop\/checkout:1" matches package "checkout"/);
    const run = await runCli(['-f', 'json', '--rule', 'missing-sigterm-handler'], { cwd });
    assert.deepEqual(JSON.parse(run.stdout).findings.map((f: { line: number; column: number }) => [f.line, f.column]), [[2, 1]]);
  });

  it('says when a links entry of the config matches nothing', async () => {
    const cwd = writeProject({ '.replicalintrc.json': '{"links":[{"service":"svc","workload":"Deployment/webb"}]}', 'a.yaml': WITH_PROBE });
    const run = await runCli(['--print-links'], { cwd });
    assert.match(run.stderr, /config links entry \{"service":"svc","workload":"Deployment\/webb"\} matches nothing: no service "svc"/);
  });

  it('refuses a YAML document that aliases expand without bound, quickly', async () => {
    const levels = ['  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (const [prev, name] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e'], ['e', 'f'], ['f', 'g'], ['g', 'h']]) {
      levels.push(`  ${name}: &${name} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    }
    const cwd = writeProject({ 'bomb.yaml': ['apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: x }', 'data:', ...levels, ''].join('\n') });
    const run = await runCli(['-f', 'json'], { cwd });
    assert.equal(run.code, 1);
    const [f] = JSON.parse(run.stdout).findings;
    assert.equal(f.ruleId, 'parse-error');
    assert.match(f.message, /aliases expand this document beyond 200000 nodes/);
  });
});
