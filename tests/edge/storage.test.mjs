// Nothing stored holds a secret in plain text (docs/security.md): the
// Durable Objects persist to a temp folder (durableObjectsPersist: SQLite
// files and their WAL, as workerd writes them), and every byte of every file
// is searched for the secrets the test sent — a client secret, a secret app
// setting and a user's API key — in UTF-8 and UTF-16. A positive control (a
// plain app name) proves the search sees the stored data.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startEdge, session, apiKeyConnector } from './fixtures/edge_harness.mjs';

const edge = await startEdge({ persist: true });
after(() => edge.dispose());

const CLIENT_SECRET = 'cs-9f1d2e7a-never-in-storage';
const SETTING_SECRET = 'setting-4b6c-never-in-storage';
const USER_KEY = 'user-key-81aa-never-in-storage';
const APP_NAME = 'Storage probe app 5e3f';
const PLAIN_SETTING = 'plain-region-setting-77d0';

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function storedContains(text) {
  const needles = [Buffer.from(text, 'utf8'), Buffer.from(text, 'utf16le')];
  return filesUnder(edge.persistDir).some((file) => {
    const bytes = readFileSync(file);
    return needles.some((n) => bytes.includes(n));
  });
}

test('secrets are stored only sealed, and never answered', async () => {
  const admin = await session('org-s', 'admin-1', 'admin');
  const user = await session('org-s', 'user-1', 'member');
  const answers = [];
  const call = async (...args) => {
    const r = await edge.api(...args);
    answers.push(r.text);
    return r;
  };

  assert.equal((await call('PUT', '/api/connectors/acme', { token: admin, json: apiKeyConnector() })).status, 201);
  const app = await call('POST', '/api/apps', {
    token: admin,
    json: { name: APP_NAME, prompt: 'p', connector: 'acme', client_id: 'cid', client_secret: CLIENT_SECRET,
      settings: { api_key: SETTING_SECRET, region: PLAIN_SETTING } },
  });
  assert.equal(app.status, 201);
  const id = app.data.id;
  // The app-level key wins over the user's (scope.cpp), so use a second app
  // without it for the user's key.
  const app2 = await call('POST', '/api/apps', { token: admin, json: { name: 'second', prompt: 'p', connector: 'acme' } });
  const id2 = app2.data.id;
  assert.equal((await call('POST', `/api/apps/${id2}/connect`, { token: user, json: { fields: { api_key: USER_KEY, region: 'eu' } } })).status, 200);
  assert.equal((await call('POST', `/api/apps/${id}/connect`, { token: user, json: { fields: { api_key: 'ignored' } } })).status, 200);

  edge.upstream.reset();
  assert.equal((await call('GET', `/proxy/${id2}/me`, { token: user })).status, 200);
  assert.equal(edge.upstream.requests[0].headers['x-api-key'], USER_KEY, 'the sealed key opens for use');
  assert.equal((await call('GET', `/proxy/${id}/me`, { token: user })).status, 200);
  assert.equal(edge.upstream.requests[1].headers['x-api-key'], SETTING_SECRET, 'the sealed setting opens for use');
  await call('GET', `/api/apps/${id}`, { token: admin });
  await call('GET', '/api/apps', { token: user });
  await call('GET', `/api/apps/${id2}/connection`, { token: user });
  await call('PATCH', `/api/apps/${id}`, { token: admin, json: { description: 'changed' } });

  // Positive control: the search does see what is stored.
  assert.ok(filesUnder(edge.persistDir).length > 0);
  assert.ok(storedContains(APP_NAME), 'the app name is stored in plain text');
  assert.ok(storedContains(PLAIN_SETTING), 'a non-secret setting is stored in plain text');
  for (const secret of [CLIENT_SECRET, SETTING_SECRET, USER_KEY]) {
    assert.equal(storedContains(secret), false, `${secret} is not stored in plain text`);
    assert.ok(!answers.join('\n').includes(secret), `${secret} is never answered`);
  }
});
