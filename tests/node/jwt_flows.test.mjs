// JWTs the engine builds and the host signs (SPEC §10), through the CLI
// (scripts/connauth) against real servers: oidc-provider with clients that
// authenticate by private_key_jwt (RFC 7523 §2.2; RSA and EC keys generated
// here, registered as the clients' jwks), and a loopback token server that
// verifies an RFC 7523 §2.1 JWT bearer assertion with jose before issuing a
// token. The private key must never reach the CLI's output.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPair, exportPKCS8, exportJWK, jwtVerify } from 'jose';
import { startProvider } from '../../demo/provider.mjs';
import { startDemoApi } from '../../demo/api.mjs';
import { completeConsent } from '../../demo/consent.mjs';
import { demoApps, loadConnector } from '../../demo/catalog.mjs';
import { webClient } from '../../demo/provider-config.mjs';
import { startCli, runCli } from './fixtures/cli_process.mjs';

const dir = mkdtempSync(join(tmpdir(), 'connauth-jwt-'));
const file = (name, value) => {
  writeFileSync(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return name;
};
const readJson = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
after(() => rmSync(dir, { recursive: true, force: true }));

const start = (args) => startCli(dir, args);
const run = (args) => runCli(dir, args);

// A line of the key's base64 body: what would show if the key leaked.
const keyLine = (pem) => pem.split('\n')[1];
const assertNoKey = (text, pem) => assert.equal(text.includes(keyLine(pem)), false, 'the private key is never printed');

async function keyPair(alg, kid) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { pem: await exportPKCS8(privateKey), jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, publicKey };
}

describe('JWTs through the CLI', () => {
  let op;
  let api;
  let apps;
  let rsa;
  let ec;

  before(async () => {
    rsa = await keyPair('RS256', 'rsa-1');
    ec = await keyPair('ES256', 'ec-1');
    const jwtClient = (id, key) => {
      const { client_secret: _none, ...client } = webClient(id, { authMethod: 'private_key_jwt' });
      return { ...client, jwks: { keys: [key.jwk] }, token_endpoint_auth_signing_alg: key.jwk.alg };
    };
    op = await startProvider({ accessTokenTTL: 600, clients: [jwtClient('jwt-rsa', rsa), jwtClient('jwt-ec', ec)] });
    api = await startDemoApi({ provider: op });
    apps = demoApps({ providerUrl: op.issuer, apiUrl: api.url });
  });
  after(async () => {
    await api.stop();
    await op.stop();
  });

  test('private_key_jwt (RS256, kid): authorization code, then a refresh, authenticated by the signed assertion', async () => {
    const oauth = loadConnector('demo_oauth');
    file('pkjwt.json', { ...oauth, authorization: { ...oauth.authorization, client_auth: 'private_key_jwt' } });
    const app = { ...apps.demo_oauth, client_id: 'jwt-rsa', client_secret: null,
      settings: { ...apps.demo_oauth.settings, private_key: rsa.pem, key_id: 'rsa-1' } };
    file('app-rsa.json', app);

    const running = start(['authorize', 'pkjwt.json', '--app', 'app-rsa.json', '--out', 'conn-rsa.json', '--no-open']);
    while (!running.result.stdout.includes('\n')) {
      if (running.child.exitCode !== null) throw new Error(running.result.stderr);
      await sleep(20);
    }
    const url = running.result.stdout.split('\n')[0].slice('open: '.length);
    const redirect = await completeConsent(url, { login: 'alice' });
    assert.equal((await fetch(redirect)).status, 200);
    const done = await running.done;
    assert.equal(done.code, 0, done.stderr);
    assertNoKey(done.stdout + done.stderr, rsa.pem);
    assert.deepEqual(op.tokenRequests.at(-1), { grant_type: 'authorization_code', client_id: 'jwt-rsa', status: 200, error: undefined });
    const first = readJson('conn-rsa.json');
    assert.ok(first.access_token && first.refresh_token);

    // A refresh buffer longer than the token's life: the request refreshes first (refresh_token grant).
    file('app-rsa-refresh.json', { ...app, refresh_buffer: 100000 });
    const used = await run(['request', 'pkjwt.json', '--app', 'app-rsa-refresh.json', '--connection', 'conn-rsa.json',
      '--method', 'GET', '--url', 'me']);
    assert.equal(used.code, 0, used.stderr);
    assert.equal(used.stdout.split('\n')[0], 'HTTP 200');
    assertNoKey(used.stdout + used.stderr, rsa.pem);
    assert.deepEqual(op.tokenRequests.at(-1), { grant_type: 'refresh_token', client_id: 'jwt-rsa', status: 200, error: undefined });
    assert.notEqual(readJson('conn-rsa.json').access_token, first.access_token);
  });

  test('private_key_jwt with the wrong key is refused by the provider (the assertion is really checked)', async () => {
    const oauth = loadConnector('demo_oauth');
    const app = { ...apps.demo_oauth, client_id: 'jwt-rsa', client_secret: null, refresh_buffer: 100000,
      settings: { ...apps.demo_oauth.settings, private_key: (await keyPair('RS256', 'x')).pem, key_id: 'rsa-1' } };
    file('app-wrong.json', app);
    file('conn-wrong.json', { access_token: 'a', refresh_token: 'r', expires_at: 1 });
    const used = await run(['request', 'pkjwt.json', '--app', 'app-wrong.json', '--connection', 'conn-wrong.json',
      '--method', 'GET', '--url', 'me']);
    assert.equal(used.code, 1);
    assert.equal(op.tokenRequests.at(-1).error, 'invalid_client');
    assert.match(used.stderr, /client_misconfigured/);
    assert.ok(oauth);
  });

  test('a {"jwt": …} client assertion (ES256) in a custom_auth client credentials acquire', async () => {
    file('cc-jwt.json', {
      name: 'cc_jwt',
      connection: { fields: [{ name: 'provider_url' }, { name: 'api_url' }], base_uri: '{{connection.api_url}}/api/' },
      authorization: {
        type: 'custom_auth',
        acquire: {
          request: {
            method: 'POST', url: '{{connection.provider_url}}/token',
            form: {
              grant_type: 'client_credentials', scope: 'contacts:read',
              client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
              client_assertion: { jwt: { alg: 'ES256', key: '{{connection.private_key}}', kid: 'ec-1',
                claims: { iss: '{{client_id}}', sub: '{{client_id}}', aud: '{{connection.provider_url}}/token' } } },
            },
          },
        },
        apply: [{ headers: { Authorization: 'Bearer {{access_token}}' } }],
      },
      test: { method: 'GET', url: 'me' },
    });
    file('app-ec.json', { client_id: 'jwt-ec', settings: { ...apps.demo_oauth.settings, private_key: ec.pem } });
    file('none.json', {});
    const r = await run(['connect', 'cc-jwt.json', '--app', 'app-ec.json', '--fields', 'none.json', '--out', 'conn-ec.json']);
    assert.equal(r.code, 0, r.stderr);
    assertNoKey(r.stdout + r.stderr, ec.pem);
    assert.deepEqual(op.tokenRequests.at(-1), { grant_type: 'client_credentials', client_id: 'jwt-ec', status: 200, error: undefined });
    assert.ok(readJson('conn-ec.json').access_token);
  });

  test('an RFC 7523 §2.1 JWT bearer grant, verified by the token server with jose', async () => {
    const seen = [];
    const server = http.createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      const form = Object.fromEntries(new URLSearchParams(body));
      const answer = (status, value) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.url === '/v1/me') return answer(req.headers.authorization === 'Bearer svc-token' ? 200 : 401, { id: 'svc' });
      if (form.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return answer(400, { error: 'unsupported_grant_type' });
      try {
        const { payload, protectedHeader } = await jwtVerify(form.assertion, rsa.publicKey, {
          issuer: 'svc@example.com', audience: `http://127.0.0.1:${server.address().port}/token`, algorithms: ['RS256'],
          maxTokenAge: 300,
        });
        seen.push({ payload, protectedHeader });
        return answer(200, { access_token: 'svc-token', expires_in: 3600, token_type: 'Bearer' });
      } catch (err) {
        return answer(400, { error: 'invalid_grant', error_description: err.code });
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${server.address().port}`;
    try {
      file('bearer.json', {
        name: 'svc_account',
        connection: {
          fields: [{ name: 'client_email' }, { name: 'private_key', secret: true }],
          base_uri: `${base}/v1/`,
        },
        authorization: {
          type: 'custom_auth',
          acquire: {
            request: {
              method: 'POST', url: `${base}/token`,
              form: {
                grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
                assertion: { jwt: { alg: 'RS256', key: '{{connection.private_key}}',
                  claims: { iss: '{{connection.client_email}}', scope: 'read', aud: `${base}/token` } } },
              },
            },
          },
          apply: [{ headers: { Authorization: 'Bearer {{access_token}}' } }],
        },
        test: { method: 'GET', url: 'me' },
      });
      file('svc-fields.json', { client_email: 'svc@example.com', private_key: rsa.pem });
      file('empty-app.json', {});
      const r = await run(['connect', 'bearer.json', '--app', 'empty-app.json', '--fields', 'svc-fields.json', '--out', 'svc.json']);
      assert.equal(r.code, 0, r.stderr);
      assertNoKey(r.stdout + r.stderr, rsa.pem);
      assert.equal(seen.length, 1);
      const { payload, protectedHeader } = seen[0];
      assert.deepEqual(protectedHeader, { alg: 'RS256', typ: 'JWT' });
      assert.equal(payload.scope, 'read');
      assert.equal(payload.exp - payload.iat, 300);
      assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 60);
      // The stamp's UUID (RFC 9562 v4), numbered: the request's first {"jwt"} value.
      assert.match(payload.jti, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-1$/);
      assert.equal(readJson('svc.json').access_token, 'svc-token');

      // An EC key where the connector says RS256: the host cannot sign; the error names the key's place, not the key.
      file('svc-ec-fields.json', { client_email: 'svc@example.com', private_key: ec.pem });
      const wrong = await run(['connect', 'bearer.json', '--app', 'empty-app.json', '--fields', 'svc-ec-fields.json', '--out', 'svc2.json']);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /client_misconfigured/);
      assert.match(wrong.stderr, /\/authorization\/acquire\/request\/form\/assertion\/jwt\/key/);
      assertNoKey(wrong.stdout + wrong.stderr, ec.pem);
      assert.equal(seen.length, 1, 'nothing unsigned was sent');
    } finally {
      server.close();
    }
  });
});
