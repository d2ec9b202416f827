import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, lintDir, lintFiles, where } from '../helpers.js';

const RULE = 'hpa-missing-target';
const dir = `${FIXTURES}/rules/${RULE}`;

describe(RULE, () => {
  it('fires at scaleTargetRef, with the likely intended target in the hint', async () => {
    const { findings } = await lintDir(dir, { paths: ['fire.yaml'], rules: [RULE] });
    assert.deepEqual(where(findings), [`${RULE} fire.yaml:41`, `${RULE} fire.yaml:54`, `${RULE} fire.yaml:68`, `${RULE} fire.yaml:78`]);
    const [typo, kind, namespace, keda] = findings;
    assert.equal(typo!.message, 'HorizontalPodAutoscaler "checkout" targets Deployment "chekout", which is not in the linted manifests: the autoscaler scales nothing');
    assert.equal(typo!.hint, 'did you mean Deployment "checkout"? set scaleTargetRef.name: checkout');
    assert.equal(kind!.hint, '"ledger" is a StatefulSet: set scaleTargetRef.kind: StatefulSet');
    assert.match(namespace!.hint!, /Deployment "checkout" is in namespace "shop" but HorizontalPodAutoscaler "checkout" is in "staging"/);
    assert.match(keda!.message, /^ScaledObject "invoice-worker" targets Deployment "invoice-worker"/);
    assert.deepEqual([typo!.column, typo!.endColumn], [3, 17]);
  });

  it('stays silent for targets in other files, without a namespace, or that are not pod templates themselves', async () => {
    const { findings } = await lintDir(dir, { paths: ['silent'], rules: [RULE] });
    assert.deepEqual(where(findings), []);
  });

  it('reports an autoscaler without a usable scaleTargetRef', async () => {
    const { findings } = await lintFiles(
      { 'hpa.yaml': 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: api }\nspec:\n  scaleTargetRef: { kind: Deployment }\n  maxReplicas: 3\n' },
      { rules: [RULE] },
    );
    assert.deepEqual(where(findings), [`${RULE} hpa.yaml:5`]);
    assert.match(findings[0]!.message, /has no scaleTargetRef kind and name: it scales nothing/);
  });
});
