import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildManifests, toObjects } from '../src/k8s/objects.js';
import { parseYamlFile as parseYaml } from '../src/k8s/yaml-parse.js';

const objects = (text: string) => {
  const y = parseYaml('m.yaml', text);
  assert.equal(y.problem, undefined);
  return toObjects(y.docs);
};
const manifests = (text: string) => buildManifests(objects(text));

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  template:
    metadata:
      labels: { app: api }
    spec:
      initContainers:
        - name: migrate
          image: api
        - name: proxy
          image: envoy
          restartPolicy: Always
      containers:
        - name: api
          image: api
          ports:
            - containerPort: 8080
`;

describe('YAML positions', () => {
  it('locates any field: its key, its value, and containers by their name entry', () => {
    const [doc] = parseYaml('m.yaml', DEPLOY).docs;
    const replicas = doc!.at('spec', 'replicas')!;
    assert.deepEqual(replicas.loc(), { file: 'm.yaml', line: 6, column: 3, endLine: 6, endColumn: 14 });
    assert.deepEqual(replicas.valueLoc(), { file: 'm.yaml', line: 6, column: 13, endLine: 6, endColumn: 14 });
    const port = doc!.at('spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort')!;
    assert.equal(port.num(), 8080);
    assert.deepEqual(port.valueLoc(), { file: 'm.yaml', line: 21, column: 30, endLine: 21, endColumn: 34 });
    const name = doc!.at('spec', 'template', 'spec', 'containers', 0, 'name')!;
    assert.equal(name.loc().line, 18);
    assert.equal(name.loc().column, 11);
  });

  it('never throws on the wrong shape: a list where a map belongs, a scalar, a missing key', () => {
    const [doc] = parseYaml('m.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: [1, 2]\nspec: 5\n').docs;
    assert.equal(doc!.at('metadata', 'name'), undefined);
    assert.equal(doc!.at('spec', 'containers', 0, 'name'), undefined);
    assert.deepEqual(doc!.get('spec')!.items(), []);
    assert.deepEqual(doc!.get('metadata')!.entries(), []);
  });

  it('resolves aliases and merge keys', () => {
    const [doc] = parseYaml('m.yaml', 'base: &b\n  cpu: 100m\nreq:\n  <<: *b\n  memory: 1Gi\nalias: *b\n').docs;
    assert.equal(doc!.at('req', 'cpu')?.str(), '100m');
    assert.equal(doc!.at('alias', 'cpu')?.str(), '100m');
  });

  it('reports the position of a syntax error', () => {
    const y = parseYaml('bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a: b\n');
    assert.equal(y.docs.length, 0);
    assert.deepEqual(y.problem, { message: 'Nested mappings are not allowed in compact mappings', line: 4, column: 9, endLine: 4, endColumn: 10 });
  });

  it('keeps the Helm template name from # Source: comments', () => {
    const y = parseYaml('<stdin>', '---\n# Source: shop/templates/api.yaml\napiVersion: v1\nkind: Service\n---\n# Source: shop/templates/hpa.yaml\napiVersion: v2\nkind: X\n');
    assert.deepEqual(y.docs.map((d) => d.src.template), ['shop/templates/api.yaml', 'shop/templates/hpa.yaml']);
  });
});

describe('Kubernetes objects', () => {
  it('reads every document, expands Lists, and skips YAML that is not Kubernetes', () => {
    const text = `name: CI
on: [push]
jobs: {}
---
version: "3"
services:
  web: { image: nginx }
---
# only a comment
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: { name: a }
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: b }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: c }
`;
    assert.deepEqual(objects(text).map((o) => `${o.kind}/${o.name}`), ['Service/a', 'Deployment/b', 'ConfigMap/c']);
  });

  it('finds workloads generically through their pod template', () => {
    const kinds = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'];
    const withTemplate = kinds.map((k) => `apiVersion: apps/v1\nkind: ${k}\nmetadata: { name: ${k.toLowerCase()} }\nspec:\n  template:\n    spec:\n      containers: [{ name: c, image: x }]\n`);
    const others = [
      'apiVersion: v1\nkind: Pod\nmetadata: { name: pod }\nspec:\n  containers: [{ name: c, image: x }]\n',
      'apiVersion: batch/v1\nkind: CronJob\nmetadata: { name: cron }\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{ name: c, image: x }]\n',
      'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: rollout }\nspec:\n  template:\n    spec:\n      containers: [{ name: c, image: x }]\n',
      'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: { name: knative }\nspec:\n  template:\n    spec:\n      containers: [{ image: x }]\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cm }\ndata: { a: b }\n',
    ];
    const m = manifests([...withTemplate, ...others].join('---\n'));
    assert.deepEqual(
      m.workloads.map((w) => `${w.kind}/${w.name}${w.runsToCompletion ? ' (runs to completion)' : ''}`),
      ['Deployment/deployment', 'StatefulSet/statefulset', 'DaemonSet/daemonset', 'ReplicaSet/replicaset', 'Job/job (runs to completion)', 'Pod/pod', 'CronJob/cron (runs to completion)', 'Rollout/rollout', 'Service/knative'],
    );
    assert.equal(m.workloads.at(-1)!.containers[0]!.name, '#1');
  });

  it('tells regular containers from init containers and native sidecars', () => {
    const [w] = manifests(DEPLOY).workloads;
    assert.deepEqual(w!.containers.map((c) => c.name), ['api']);
    assert.deepEqual(w!.initContainers.map((c) => [c.name, c.sidecar]), [['migrate', false], ['proxy', true]]);
  });

  it('treats Helm test pods and never-restarting Pods as run-to-completion', () => {
    const m = manifests(
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations: { "helm.sh/hook": test }\nspec:\n  containers: [{ name: c }]\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: once }\nspec:\n  restartPolicy: Never\n  containers: [{ name: c }]\n',
    );
    assert.deepEqual(m.workloads.map((w) => w.runsToCompletion), [true, true]);
  });

  it('attaches HPAs by kind, name and namespace, and Services and PDBs by selector', () => {
    const m = manifests(`${DEPLOY}---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: api, namespace: prod }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: api }
  metrics:
    - type: Resource
      resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } }
    - type: Resource
      resource: { name: memory, target: { type: AverageValue, averageValue: 500Mi } }
---
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: { name: other }
spec:
  scaleTargetRef: { kind: StatefulSet, name: api }
  targetCPUUtilizationPercentage: 60
---
apiVersion: v1
kind: Service
metadata: { name: api }
spec: { selector: { app: api } }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: api }
spec: { selector: { matchLabels: { app: web } } }
`);
    const [w] = m.workloads;
    assert.deepEqual(w!.hpas.map((h) => h.name), ['api']);
    assert.deepEqual(m.hpas.map((h) => [h.name, h.target?.name, h.resourceMetrics.map((r) => r.resource)]), [
      ['api', 'api', ['cpu']],
      ['other', undefined, ['cpu']],
    ]);
    assert.deepEqual(w!.services.map((s) => s.name), ['api']);
    assert.deepEqual(w!.pdbs, []);
  });

  it('survives odd but real input', () => {
    const m = manifests(`apiVersion: v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: a
          resources: [cpu, memory]
        - just-a-string
---
---
apiVersion: apps/v1
kind: StatefulSet
metadata: null
spec: { template: { spec: { containers: [] } } }
`);
    assert.deepEqual(m.workloads.map((w) => [w.kind, w.name, w.containers.length]), [
      ['Deployment', '', 1],
      ['StatefulSet', '', 0],
    ]);
  });
});
