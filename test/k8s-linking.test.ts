import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildManifests, toObjects } from '../src/k8s/objects.js';
import { parseYamlFile as parseYaml } from '../src/k8s/yaml-parse.js';

const manifests = (text: string) => buildManifests(toObjects(parseYaml('m.yaml', text).docs));

const deploy = (name: string, ns: string, labels: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name}, namespace: ${ns} }\nspec:\n  template:\n    metadata:\n      labels: ${labels}\n    spec:\n      containers: [{ name: c, image: x }]\n`;
const service = (name: string, selector: string, ns = '') =>
  `apiVersion: v1\nkind: Service\nmetadata: { name: ${name}${ns ? `, namespace: ${ns}` : ''} }\nspec:\n  selector: ${selector}\n`;
const pdb = (name: string, matchLabels: string) => `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: { name: ${name} }\nspec:\n  selector:\n    matchLabels: ${matchLabels}\n`;

describe('linking Services, PDBs and autoscalers to workloads', () => {
  it('matches every selector label, by namespace, keeping the order of the manifests', () => {
    const m = manifests(
      [
        deploy('api', 'shop', '{ app: api, tier: web }'),
        deploy('api', 'staging', '{ app: api, tier: web }'),
        service('by-tier', '{ tier: web }', 'shop'),
        service('by-app', '{ app: api }'),
        service('too-narrow', '{ app: api, tier: db }'),
        service('other-ns', '{ app: api }', 'prod'),
        service('empty', '{}'),
        service('odd', '{ app: [api] }'),
        pdb('api', '{ tier: web, app: api }'),
      ].join('---\n'),
    );
    const [shop, staging] = m.workloads;
    assert.deepEqual(shop!.services.map((s) => s.name), ['by-tier', 'by-app']);
    assert.deepEqual(staging!.services.map((s) => s.name), ['by-app']);
    assert.deepEqual(shop!.pdbs.map((p) => p.name), ['api']);
  });

  it('attaches an autoscaler without a namespace to every workload it may name', () => {
    const hpa = 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: api }\nspec:\n  scaleTargetRef: { kind: Deployment, name: api }\n';
    const m = manifests([deploy('api', 'shop', '{ app: api }'), deploy('api', 'staging', '{ app: api }'), deploy('web', 'shop', '{ app: web }'), hpa].join('---\n'));
    assert.deepEqual(m.hpas[0]!.targets.map((w) => `${w.namespace}/${w.name}`), ['shop/api', 'staging/api']);
    assert.deepEqual(m.workloads.map((w) => w.hpas.length), [1, 1, 0]);
  });
});
