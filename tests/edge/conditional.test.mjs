// Conditional changes in real workerd (miniflare): apps and connectors carry
// an ETag, and a change sent with If-Match applies only to the version it
// names (RFC 9110 §13.1.1): a stale one is 412 precondition_failed and
// changes nothing, `*` matches any existing object, none keeps the
// unconditional behaviour. The ETag is readable cross-origin by a console.
import { test, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, session, apiKeyConnector } from './fixtures/edge_harness.mjs';

const CONSOLE = 'https://console.example.com';
const edge = await startEdge({ bindings: { CONSOLE_ORIGINS: CONSOLE } });
after(() => edge.dispose());
const { api } = edge;

const admin = await session('org-c', 'alice', 'admin');
const member = await session('org-c', 'bob', 'member');
const appBody = { name: 'Acme', prompt: 'Connect Acme', connector: 'acme', client_id: 'cid', client_secret: 'cs-conditional' };

function assertPreconditionFailed(r, what) {
  assert.equal(r.status, 412, `${what}: ${r.text}`);
  assert.equal(r.data.error, 'precondition_failed');
  assert.equal(r.data.status, 412);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  assert.match(r.data.detail, /changed since it was read|does not exist yet/);
}

const etagOf = (r) => {
  const etag = r.headers.get('etag');
  assert.match(etag ?? '', /^"[^"]+"$/, 'a strong ETag');
  return etag;
};

describe('connectors', () => {
  test('PUT and rollback honour If-Match; GET and every new version carry the ETag', async () => {
    // A connector that does not exist yet has no current version: no tag matches it, not even *.
    assertPreconditionFailed(await api('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector(), headers: { 'if-match': '*' } }), 'new, *');
    assert.equal((await api('GET', '/api/connectors/acme', { token: admin })).status, 404, 'the refused PUT stored nothing');

    const v1 = await api('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector() });
    assert.equal(v1.status, 201);
    const tag1 = etagOf(v1);
    const read = await api('GET', '/api/connectors/acme', { token: admin });
    assert.equal(etagOf(read), tag1, 'GET answers the ETag the PUT did');

    const v2 = await api('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector({ title: 'Acme 2' }), headers: { 'if-match': tag1 } });
    assert.equal(v2.status, 201);
    assert.equal(v2.data.version, 2);
    const tag2 = etagOf(v2);
    assert.notEqual(tag2, tag1);

    // Another admin still holding version 1 is refused; nothing changes.
    const stale = await api('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector({ title: 'Lost update' }), headers: { 'if-match': tag1 } });
    assertPreconditionFailed(stale, 'stale PUT');
    assert.ok(stale.data.detail.includes(tag2), 'the detail names the current ETag');
    const after2 = await api('GET', '/api/connectors/acme', { token: admin });
    assert.equal(after2.data.current, 2);
    assert.equal(after2.data.definition.title, 'Acme 2');
    assert.equal(etagOf(after2), tag2);
    // Reading an older version still answers the connector's current ETag.
    assert.equal(etagOf(await api('GET', '/api/connectors/acme?version=1', { token: admin })), tag2);

    assertPreconditionFailed(await api('POST', '/api/connectors/acme/rollback', { token: admin, json: { version: 1 }, headers: { 'if-match': tag1 } }), 'stale rollback');
    const rolled = await api('POST', '/api/connectors/acme/rollback', { token: admin, json: { version: 1 }, headers: { 'if-match': `"nope", ${tag2}` } });
    assert.equal(rolled.status, 201, 'one of the listed tags is current');
    const tag3 = etagOf(rolled);
    assert.ok(![tag1, tag2].includes(tag3));

    // A weak tag never matches (If-Match compares strongly).
    assertPreconditionFailed(await api('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector(), headers: { 'if-match': `W/${tag3}` } }), 'weak');
    const any = await api('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector(), headers: { 'if-match': '*' } });
    assert.equal(any.status, 201, '* matches an existing connector');
    assert.equal(any.data.version, 4);
  });

  test('an If-Match that is not a list of entity tags is 400, and nothing is stored', async () => {
    for (const value of ['r1', '"unterminated', '"a" b', ',']) {
      const r = await api('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector({ title: 'Never' }), headers: { 'if-match': value } });
      assert.equal(r.status, 400, value);
      assert.equal(r.data.error, 'invalid_request');
      assert.deepEqual(r.data.details.map((d) => d.path), ['/headers/if-match']);
    }
    assert.notEqual((await api('GET', '/api/connectors/acme', { token: admin })).data.definition.title, 'Never');
  });
});

describe('apps', () => {
  test('every change answers a new ETag; a stale If-Match is 412 and changes nothing', async () => {
    const created = await api('POST', '/api/apps', { token: admin, json: appBody });
    assert.equal(created.status, 201);
    assert.equal(created.data.etag, undefined, 'the ETag is a header, not a field');
    const id = created.data.id;
    const seen = [etagOf(created)];
    assert.equal(etagOf(await api('GET', `/api/apps/${id}`, { token: admin })), seen[0]);
    assert.equal(etagOf(await api('GET', `/api/apps/${id}`, { token: member })), seen[0], 'members read it too');

    const patched = await api('PATCH', `/api/apps/${id}`, { token: admin, json: { description: 'one' }, headers: { 'if-match': seen[0] } });
    assert.equal(patched.status, 200);
    seen.push(etagOf(patched));
    // A second admin's edit from the first read is refused, whatever it changes.
    const stale = await api('PATCH', `/api/apps/${id}`, { token: admin, json: { description: 'lost update', client_secret: 'cs-2' }, headers: { 'if-match': seen[0] } });
    assertPreconditionFailed(stale, 'stale PATCH');
    const now = await api('GET', `/api/apps/${id}`, { token: admin });
    assert.equal(now.data.description, 'one');
    assert.equal(etagOf(now), seen[1]);

    for (const action of ['disable', 'enable', 'reset']) {
      assertPreconditionFailed(await api('POST', `/api/apps/${id}/${action}`, { token: admin, headers: { 'if-match': seen[0] } }), `stale ${action}`);
      const done = await api('POST', `/api/apps/${id}/${action}`, { token: admin, headers: { 'if-match': seen.at(-1) } });
      assert.equal(done.status, 200, action);
      seen.push(etagOf(done));
    }
    assert.equal((await api('GET', `/api/apps/${id}`, { token: admin })).data.enabled, true);
    // Unconditional changes keep working as they always did, and move the ETag too.
    const plain = await api('PATCH', `/api/apps/${id}`, { token: admin, json: { description: 'two' } });
    assert.equal(plain.status, 200);
    seen.push(etagOf(plain));
    const star = await api('PATCH', `/api/apps/${id}`, { token: admin, json: { description: 'three' }, headers: { 'if-match': '*' } });
    assert.equal(star.status, 200);
    seen.push(etagOf(star));
    assert.equal(new Set(seen).size, seen.length, `every change has its own ETag: ${seen.join(' ')}`);

    // DELETE: stale → 412 and the app stays; current → 204.
    assertPreconditionFailed(await api('DELETE', `/api/apps/${id}`, { token: admin, headers: { 'if-match': seen.at(-2) } }), 'stale DELETE');
    assert.equal((await api('GET', `/api/apps/${id}`, { token: admin })).status, 200);
    assert.equal((await api('DELETE', `/api/apps/${id}`, { token: admin, headers: { 'if-match': seen.at(-1) } })).status, 204);
    // A missing app stays 404 whatever the condition (RFC 9110 §13.2.1).
    assert.equal((await api('DELETE', `/api/apps/${id}`, { token: admin, headers: { 'if-match': '*' } })).status, 404);
  });

  test('concurrent PATCHes with the same If-Match: exactly one applies', async () => {
    const created = await api('POST', '/api/apps', { token: admin, json: appBody });
    const id = created.data.id;
    const tag = etagOf(created);
    const answers = await Promise.all(['a', 'b', 'c', 'd'].map((d) => api('PATCH', `/api/apps/${id}`,
      { token: admin, json: { description: d }, headers: { 'if-match': tag } })));
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 412, 412, 412]);
    const winner = answers.find((r) => r.status === 200);
    assert.equal((await api('GET', `/api/apps/${id}`, { token: admin })).data.description, winner.data.description);
  });
});

test('a console on an allowed origin may send If-Match and read the ETag', async () => {
  const preflight = await api('OPTIONS', '/api/apps/x', {
    headers: { origin: CONSOLE, 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'authorization, content-type, if-match' },
  });
  assert.match(preflight.headers.get('access-control-allow-headers'), /\bif-match\b/);
  const listed = await api('GET', '/api/connectors/acme', { token: admin, headers: { origin: CONSOLE } });
  assert.equal(listed.headers.get('access-control-allow-origin'), CONSOLE);
  assert.match(listed.headers.get('access-control-expose-headers'), /\betag\b/);
});
