import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT, lintDir, where } from './helpers.js';

describe('demo shop: shutdown, health, bind address, client timeouts', () => {
  it('finds exactly the real problems of checkout and nothing in the well-behaved catalog', async () => {
    const rules = ['missing-sigterm-handler', 'abrupt-shutdown', 'shell-form-entrypoint', 'missing-health-endpoint', 'listen-on-localhost', 'client-without-timeout'];
    const { findings } = await lintDir(`${FIXTURES}/demo`, { rules });
    assert.deepEqual(where(findings), [
      'shell-form-entrypoint services/checkout/Dockerfile:14',
      'client-without-timeout services/checkout/src/prices.ts:11',
      'missing-health-endpoint services/checkout/src/server.ts:14',
      'missing-sigterm-handler services/checkout/src/server.ts:14',
    ]);
    assert.equal(findings[0]!.hint, 'CMD ["node", "dist/server.js"]');
    assert.match(findings[2]!.message, /POST \/carts, POST \/carts\/:id\/items, POST \/carts\/:id\/checkout/);
    // As `npm start` runs it: from the repository root, where every path starts with fixtures/.
    const fromRoot = await lintDir(ROOT, { paths: ['fixtures/demo'], rules });
    assert.deepEqual(
      where(fromRoot.findings),
      where(findings).map((w) => w.replace(' services/', ' fixtures/demo/services/')),
    );
  });
});
