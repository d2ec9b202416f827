import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerEnv } from '../src/k8s/env.js';
import { buildManifests, toObjects, type Manifests } from '../src/k8s/objects.js';
import { parseYamlFile as parseYaml } from '../src/k8s/yaml-parse.js';
import { linkServices, type LinkConfig, type Service } from '../src/model.js';

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

describe('linking services to containers', () => {
  const svc = (folder: string, name?: string): Service => ({ dir: `/repo/${folder}`, folder, name, files: [], dockerfiles: [], servers: [] });
  const workload = (name: string, ns: string, images: string[]) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name}, namespace: ${ns} }\nspec:\n  template:\n    spec:\n      containers: [${images.map((image, i) => `{ name: c${i}, image: "${image}" }`).join(', ')}]\n`;
  const links = (services: Service[], text: string, explicit: LinkConfig[] = []) =>
    linkServices(services, manifests(text).workloads, explicit).map((l) => `${l.service.folder} -> ${l.workload.namespace}/${l.workload.name}/${l.container.name}: ${l.reason}`);

  it('links by image in the order of the containers, each container once, before names of workloads', () => {
    const api = svc('services/api', '@shop/api-server');
    const copy = svc('legacy/api');
    const web = svc('web');
    const jobs = svc('jobs', 'Jobs');
    const front = svc('front');
    const old = svc('old/api');
    const text = [
      workload('front', 'a', ['reg.io/shop/api-server:1.2', 'sidecar:1']),
      workload('web', 'a', ['nginx', 'API@sha256:abc']),
      workload('jobs', 'a', ['api:2']),
      workload('JOBS', 'b', ['busybox', 'jobs']),
      workload('web', 'b', ['reg.io/web:3']),
      workload('api', 'a', ['pinned']),
    ].join('---\n');
    assert.deepEqual(links([api, copy, web, jobs, front, old], text, [{ service: 'web', workload: 'Deployment/front', container: 'c1' }]), [
      'web -> a/front/c1: config: web → Deployment/front',
      'services/api -> a/front/c0: image "reg.io/shop/api-server:1.2" matches package "@shop/api-server"',
      'services/api -> a/web/c1: image "API@sha256:abc" matches package "@shop/api-server"',
      'services/api -> a/jobs/c0: image "api:2" matches package "@shop/api-server"',
      'web -> b/web/c0: image "reg.io/web:3" matches folder "web"',
      'jobs -> b/JOBS/c1: image "jobs" matches package "Jobs"',
      'legacy/api -> a/api/c0: Deployment "api" matches folder "legacy/api"',
    ]);
  });

  it('links by the container name last, to a container no image or workload name took', () => {
    const named = (name: string, containers: [string, string][]) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: ${name} }\nspec:\n  template:\n    spec:\n      containers: [${containers.map(([n, image]) => `{ name: ${n}, image: "${image}" }`).join(', ')}]\n`;
    const text = [
      named('expiration-depl', [['expiration', 'ticketing-expiration:1']]),
      named('orders-depl', [['Orders', 'ticketing-orders'], ['proxy', 'envoy']]),
      named('payments', [['payments', 'x']]),
    ].join('---\n');
    // A Job's container named like a service runs a task of it (a migration), not the service.
    const job = 'apiVersion: batch/v1\nkind: Job\nmetadata: { name: db-migrate }\nspec:\n  template:\n    spec:\n      containers: [{ name: api, image: "shop/migrate" }]\n';
    assert.deepEqual(links([svc('api')], job), []);
    assert.deepEqual(links([svc('apps/expiration'), svc('apps/orders', '@ticketing/orders'), svc('apps/payments'), svc('apps/proxy-free')], text), [
      'apps/payments -> undefined/payments/payments: Deployment "payments" matches folder "apps/payments"',
      'apps/expiration -> undefined/expiration-depl/expiration: container "expiration" of Deployment "expiration-depl" matches folder "apps/expiration"',
      'apps/orders -> undefined/orders-depl/Orders: container "Orders" of Deployment "orders-depl" matches package "@ticketing/orders"',
    ]);
  });
});

describe('the environment of a container', () => {
  const configMap = (name: string, ns: string, data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name}${ns ? `, namespace: ${ns}` : ''} }\ndata: ${data}\n`;
  const pod = (ns: string, container: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api, namespace: ${ns} }\nspec:\n  template:\n    spec:\n      containers:\n        - ${container}\n`;
  const envOf = (m: Manifests, i: number) => {
    const env = containerEnv(m.workloads[i]!.containers[0]!, m);
    return { opaque: env.opaque, vars: [...env.vars.values()].map((v) => `${v.name}=${v.value ?? '?'} (${v.source}, line ${v.node.loc().line})`) };
  };

  it('reads envFrom ConfigMaps of its namespace in order, then env, which wins', () => {
    const container = '{ name: c, image: x, envFrom: [{ configMapRef: { name: base } }, { configMapRef: { name: extra }, prefix: X_ }, { secretRef: { name: s } }], env: [{ name: PORT, value: "8080" }, { name: KEY, valueFrom: { secretKeyRef: { name: s, key: k } } }] }';
    const m = manifests(
      [
        configMap('base', 'prod', '{ PORT: "1", HOST: prod }'),
        pod('staging', container),
        configMap('base', 'staging', '{ PORT: "2", HOST: staging }'),
        configMap('base', '', '{ HOST: any }'),
        configMap('extra', '', '{ A: "1" }'),
        pod('prod', container),
        configMap('extra', 'prod', '{ A: "2" }'),
        pod('dev', '{ name: c, image: x, envFrom: [{ configMapRef: { name: missing } }] }'),
      ].join('---\n'),
    );
    const staging = {
      opaque: true,
      vars: ['PORT=8080 (env, line 13)', 'HOST=staging (ConfigMap "base", line 18)', 'X_A=1 (ConfigMap "extra", line 28)', 'KEY=? (env, line 13)'],
    };
    assert.deepEqual(envOf(m, 0), staging);
    assert.deepEqual(envOf(m, 1), { opaque: true, vars: ['PORT=8080 (env, line 37)', 'HOST=prod (ConfigMap "base", line 4)', 'X_A=1 (ConfigMap "extra", line 28)', 'KEY=? (env, line 37)'] });
    assert.deepEqual(envOf(m, 2), { opaque: true, vars: [] });
    assert.deepEqual(envOf(m, 0), staging, 'the same when asked again');
  });
});
