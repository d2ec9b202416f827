import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT, lintDir, where } from './helpers.js';

describe('demo shop: shutdown, health, bind address, client timeouts, code against manifests', () => {
  it('finds exactly the real problems of checkout and nothing in the well-behaved catalog', async () => {
    const rules = [
      'missing-sigterm-handler',
      'abrupt-shutdown',
      'shell-form-entrypoint',
      'missing-health-endpoint',
      'listen-on-localhost',
      'client-without-timeout',
      'probe-not-served',
      'liveness-checks-dependencies',
      'heap-exceeds-memory-limit',
      'grace-period-too-short',
    ];
    const { findings } = await lintDir(`${FIXTURES}/demo`, { rules });
    assert.deepEqual(where(findings), [
      'heap-exceeds-memory-limit k8s/checkout.yaml:23',
      'shell-form-entrypoint services/checkout/Dockerfile:14',
      'client-without-timeout services/checkout/src/prices.ts:11',
      'missing-health-endpoint services/checkout/src/server.ts:14',
      'missing-sigterm-handler services/checkout/src/server.ts:14',
    ]);
    assert.match(findings[0]!.message, /^--max-old-space-size=512 \(NODE_OPTIONS in the container env\) .* equal to the 512Mi memory limit of Deployment "checkout" container "checkout"/);
    assert.equal(findings[1]!.hint, 'CMD ["node", "dist/server.js"]');
    assert.match(findings[3]!.message, /POST \/carts, POST \/carts\/:id\/items, POST \/carts\/:id\/checkout/);
    // As `npm start` runs it: from the repository root, where every path starts with fixtures/.
    const fromRoot = await lintDir(ROOT, { paths: ['fixtures/demo'], rules });
    assert.deepEqual(
      where(fromRoot.findings),
      where(findings).map((w) => w.replace(/ (services|k8s)\//, ' fixtures/demo/$1/')),
    );
  });
});
