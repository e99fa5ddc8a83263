// A provider whose login takes two requests (an acquire of two steps), shared
// by the CLI's and the edge's step tests. It checks what connauth sends with
// node:crypto only, never with connauth:
//   GET  /nonce  -> {"nonce"} (single use) and an X-Request-Id header;
//   POST /login  -> JSON {user, nonce} with X-Signature = hex HMAC-SHA256 of the
//                   nonce keyed with the password: {"access_token", "user": {"id"}},
//                   or {"status": "ok"} without a token while `tokenless`;
//   GET  /me     -> 200 for the latest token, 401 for any other.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';

export const USER = 'ann';
export const PASSWORD = 'correct horse battery';

export function twoStepLogin() {
  const nonces = new Set();
  const provider = {
    tokenless: false,
    logins: 0,
    refused: 0,
    token: null,
    seen: [], // "METHOD /path" of every request
    /** The latest token stops working: the next call through it answers 401. */
    expire() {
      provider.token = `revoked-${provider.logins}`;
    },
    answer({ method, path, headers, body }) {
      provider.seen.push(`${method} ${path}`);
      if (method === 'GET' && path === '/nonce') {
        const nonce = randomBytes(12).toString('hex');
        nonces.add(nonce);
        return { status: 200, headers: { 'content-type': 'application/json', 'x-request-id': `req-${nonces.size}` }, body: JSON.stringify({ nonce }) };
      }
      if (method === 'POST' && path === '/login') {
        let sent = {};
        try {
          sent = JSON.parse(body);
        } catch { /* refused below */ }
        const expected = createHmac('sha256', PASSWORD).update(String(sent.nonce ?? '')).digest('hex');
        const signature = Buffer.from(String(headers['x-signature'] ?? ''));
        const fresh = nonces.delete(sent.nonce);
        if (!fresh || sent.user !== USER || signature.length !== expected.length
          || !timingSafeEqual(signature, Buffer.from(expected))) {
          provider.refused += 1;
          return json(401, { error: 'bad_signature' });
        }
        provider.logins += 1;
        if (provider.tokenless) return json(200, { status: 'ok' });
        provider.token = `tok-${provider.logins}`;
        return json(200, { access_token: provider.token, user: { id: 'u-ann' } });
      }
      if (method === 'GET' && path === '/me') {
        const ok = provider.token && headers.authorization === `Bearer ${provider.token}`;
        return ok ? json(200, { id: 'u-ann', token: provider.token }) : json(401, { error: 'invalid_token' });
      }
      return json(404, { error: 'not_found' });
    },
  };
  return provider;
}

const json = (status, value) => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) });

/** The connector: nonce, then the signed login; the token by the standard names. */
export function twoStepConnector(baseUri, name = 'two_step') {
  return {
    name,
    connection: {
      fields: [{ name: 'user', label: 'User' }, { name: 'password', label: 'Password', secret: true }],
      base_uri: baseUri,
    },
    authorization: {
      type: 'custom_auth',
      acquire: [
        { name: 'nonce', request: { method: 'GET', url: 'nonce' } },
        {
          name: 'login',
          request: {
            method: 'POST', url: 'login',
            headers: { 'X-Signature': '{{steps.nonce.response.nonce | hmac_sha256: connection.password}}' },
            json: { user: '{{connection.user}}', nonce: '{{steps.nonce.response.nonce}}' },
          },
          owner_id: '{{steps.login.response.user.id}}',
        },
      ],
      apply: [{ headers: { Authorization: 'Bearer {{access_token}}' } }],
      refresh_on: [401],
    },
    test: { method: 'GET', url: 'me' },
  };
}

/** The provider on a loopback port: {url, close}. */
export async function serve(provider) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d) => { body += d; }).on('end', () => {
      const answer = provider.answer({ method: req.method, path: new URL(req.url, 'http://x').pathname, headers: req.headers, body });
      res.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
