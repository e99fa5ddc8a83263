// Pending OAuth authorizations in real workerd (SPEC §3, docs/security.md):
// one per (org, user, app) — a new connect replaces the last, whose
// completion then finds nothing — and a per-user rate of connects, answered
// 429 with Retry-After beyond it. The provider here is the harness's
// upstream: a replaced attempt never reaches its token endpoint.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, session } from './fixtures/edge_harness.mjs';
import { CONNECT_BURST, CONNECT_REFILL_MS } from '../../edge/src/connect_limit.mjs';

const edge = await startEdge();
after(() => edge.dispose());
const { api, upstream } = edge;

const admin = await session('org-pa', 'admin-pa', 'admin');
const oauthConnector = {
  name: 'oauthy',
  connection: { base_uri: 'https://api.oauthy.test/' },
  authorization: { type: 'oauth2', authorization_url: 'https://auth.oauthy.test/authorize', token_url: 'https://auth.oauthy.test/token' },
};

async function newApp() {
  const r = await api('POST', '/api/apps', { token: admin, json: { name: 'O', prompt: 'p', connector: 'oauthy', client_id: 'cid', client_secret: 's' } });
  assert.equal(r.status, 201, r.text);
  return r.data.id;
}

async function connect(app, token) {
  return api('POST', `/api/apps/${app}/connect`, { token, json: {} });
}

// The console's completion of an attempt with the provider's answer (a code).
async function complete(app, token, started, code) {
  const { state, binding } = started.data;
  return api('POST', `/api/apps/${app}/connect/complete`, { token, json: { state, callback: `?code=${code}&state=${state}`, binding } });
}

let app;
before(async () => {
  assert.equal((await api('PUT', '/api/connectors/oauthy', { token: admin, json: oauthConnector })).status, 201);
  app = await newApp();
});

describe('one pending authorization per user and app', () => {
  test('a new connect replaces the last: the earlier state is refused at completion, with no token request', async () => {
    const user = await session('org-pa', 'replaced-user', 'member');
    const first = await connect(app, user);
    assert.equal(first.status, 200, first.text);
    const second = await connect(app, user);
    assert.equal(second.status, 200);
    assert.notEqual(second.data.state, first.data.state);
    upstream.reset();
    const stale = await complete(app, user, first, 'c1');
    assert.notEqual(stale.status, 200);
    assert.equal(stale.data.reason, 'state_mismatch', stale.text);
    assert.equal(upstream.requests.length, 0, 'no token request for the replaced attempt');
    // The latest one is still pending: its completion goes on to the token request.
    upstream.handler = () => Response.json({ error: 'invalid_grant' }, { status: 400 });
    const current = await complete(app, user, second, 'c2');
    assert.notEqual(current.data?.reason, 'state_mismatch', current.text);
    assert.equal(upstream.requests.length, 1);
    assert.equal(upstream.requests[0].url, 'https://auth.oauthy.test/token');
  });

  test('another app, or another user, does not replace it', async () => {
    const other = await newApp();
    const ann = await session('org-pa', 'ann', 'member');
    const ben = await session('org-pa', 'ben', 'member');
    const annHere = await connect(app, ann);
    assert.equal((await connect(other, ann)).status, 200);
    assert.equal((await connect(app, ben)).status, 200);
    upstream.reset();
    upstream.handler = () => Response.json({ error: 'invalid_grant' }, { status: 400 });
    const completion = await complete(app, ann, annHere, 'c');
    assert.notEqual(completion.data?.reason, 'state_mismatch', completion.text);
    assert.equal(upstream.requests.length, 1);
  });
});

describe('rate of connects', () => {
  test(`beyond ${CONNECT_BURST} starts at once: 429 rate_limited with Retry-After; other users are not affected`, async () => {
    const eager = await session('org-pa', 'eager', 'member');
    const answers = [];
    for (let i = 0; i < CONNECT_BURST + 5; i++) answers.push(await connect(app, eager));
    const admitted = answers.filter((r) => r.status === 200).length;
    assert.ok(admitted >= CONNECT_BURST && admitted <= CONNECT_BURST + 1, `${admitted} admitted`);
    const refused = answers.at(-1);
    assert.equal(refused.status, 429);
    assert.equal(refused.data.error, 'rate_limited');
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= Math.ceil(CONNECT_REFILL_MS / 1000), String(retryAfter));
    assert.equal((await connect(app, await session('org-pa', 'patient', 'member'))).status, 200);
  });
});
