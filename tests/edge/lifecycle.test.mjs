// The app's lifecycle policy at the edge (SPEC §4 "lost only after a long
// streak (app setting)"), all real: an app with lost_after_failures: 1 loses
// a connection at the first provider outage, while an app with the defaults
// only degrades it and retries.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { session } from './fixtures/edge_harness.mjs';
import { startWorld, createApp, connectOAuth } from './fixtures/demo_world.mjs';

const world = await startWorld();
after(() => world.stop());
const { edge, provider, demoApi, admin, appId } = world;
const alice = await session('org-demo', 'alice', 'member');

test('lost_after_failures: 1 loses the connection at the first outage; the default degrades it', async () => {
  const strictId = await createApp(edge, admin, {
    providerUrl: provider.issuer, apiUrl: demoApi.url, name: 'No patience', lost_after_failures: 1, backoff_base_seconds: 5, backoff_cap_seconds: 60,
  });
  const strict = (await edge.api('GET', `/api/apps/${strictId}`, { token: admin })).data;
  assert.deepEqual([strict.lost_after_failures, strict.backoff_base_seconds, strict.backoff_cap_seconds], [1, 5, 60]);
  await connectOAuth(edge, appId, alice, { login: 'alice' });
  await connectOAuth(edge, strictId, alice, { login: 'alice' });

  await provider.stop();
  let checks;
  try {
    checks = await Promise.all([appId, strictId].map((id) => edge.api('POST', `/api/apps/${id}/check`, { token: alice })));
  } finally {
    await provider.start();
  }
  const [byDefault, byPolicy] = checks.map((c) => c.data);
  assert.equal(byDefault.status, 'degraded');
  assert.equal(byDefault.lost.cause, 'provider_unavailable');
  assert.equal(byPolicy.status, 'lost');
  assert.equal(byPolicy.lost.cause, 'provider_unavailable');
  assert.deepEqual(byPolicy.history.slice(-1).map((h) => [h.from, h.to]), [['connected', 'lost']]);
  // The lost connection waits for the user: the proxy refuses it.
  const proxied = await edge.api('GET', `/proxy/${strictId}/me`, { token: alice });
  assert.equal(proxied.status, 409);
  assert.equal(proxied.data.error, 'connection_lost');
});
