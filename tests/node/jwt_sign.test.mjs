// The host's JWT signing (wasm/jwt_sign.mjs) against RFC 7515's own
// examples, verified independently with jose; and the JWTs the engine builds
// (core/jwt.h), signed and verified end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { compactVerify, importJWK, jwtVerify, createLocalJWKSet } from 'jose';
import { signJwt, signRequest } from '../../wasm/jwt_sign.mjs';
import { load } from '../../wasm/connauth.mjs';

// RFC 7515 Appendix A.2 (RS256) and A.3 (ES256) keys, as JWKs.
const RFC_RSA = {
  kty: 'RSA',
  n: 'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ',
  e: 'AQAB',
  d: 'Eq5xpGnNCivDflJsRQBXHx1hdR1k6Ulwe2JZD50LpXyWPEAeP88vLNO97IjlA7_GQ5sLKMgvfTeXZx9SE-7YwVol2NXOoAJe46sui395IW_GO-pWJ1O0BkTGoVEn2bKVRUCgu-GjBVaYLU6f3l9kJfFNS3E0QbVdxzubSu3Mkqzjkn439X0M_V51gfpRLI9JYanrC4D4qAdGcopV_0ZHHzQlBjudU2QvXt4ehNYTCBr6XCLQUShb1juUO1ZdiYoFaFQT5Tw8bGUl_x_jTj3ccPDVZFD9pIuhLhBOneufuBiB4cS98l2SR_RQyGWSeWjnczT0QU91p1DhOVRuOopznQ',
  p: '4BzEEOtIpmVdVEZNCqS7baC4crd0pqnRH_5IB3jw3bcxGn6QLvnEtfdUdiYrqBdss1l58BQ3KhooKeQTa9AB0Hw_Py5PJdTJNPY8cQn7ouZ2KKDcmnPGBY5t7yLc1QlQ5xHdwW1VhvKn-nXqhJTBgIPgtldC-KDV5z-y2XDwGUc',
  q: 'uQPEfgmVtjL0Uyyx88GZFF1fOunH3-7cepKmtH4pxhtCoHqpWmT8YAmZxaewHgHAjLYsp1ZSe7zFYHj7C6ul7TjeLQeZD_YwD66t62wDmpe_HlB-TnBA-njbglfIsRLtXlnDzQkv5dTltRJ11BKBBypeeF6689rjcJIDEz9RWdc',
  dp: 'BwKfV3Akq5_MFZDFZCnW-wzl-CCo83WoZvnLQwCTeDv8uzluRSnm71I3QCLdhrqE2e9YkxvuxdBfpT_PI7Yz-FOKnu1R6HsJeDCjn12Sk3vmAktV2zb34MCdy7cpdTh_YVr7tss2u6vneTwrA86rZtu5Mbr1C1XsmvkxHQAdYo0',
  dq: 'h_96-mK1R_7glhsum81dZxjTnYynPbZpHziZjeeHcXYsXaaMwkOlODsWa7I9xXDoRwbKgB719rrmI2oKr6N3Do9U0ajaHF-NKJnwgjMd2w9cjz3_-kyNlxAr2v4IKhGNpmM5iIgOS1VZnOZ68m6_pbLBSp3nssTdlqvd0tIiTHU',
  qi: 'IYd7DHOhrWvxkwPQsRM2tOgrjbcrfvtQJipd-DlcxyVuuM9sQLdgjVk2oy26F0EmpScGLq2MowX7fhd_QJQ3ydy5cY7YIBi87w93IKLEdfnbJtoOPLUW0ITrJReOgo1cq9SbsxYawBgfp_gh6A5603k2-ZQwVK0JKSHuLFkuQ3U',
};
const RFC_EC = {
  kty: 'EC', crv: 'P-256',
  x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
  y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
  d: 'jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI',
};
// A.2.1's payload, with its CRLFs, encoded as the RFC shows.
const RFC_PAYLOAD = 'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ';
const RFC_A2_JWS = `eyJhbGciOiJSUzI1NiJ9.${RFC_PAYLOAD}.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw`;

const pemOf = (jwk) => createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' });
const publicOf = ({ d, p, q, dp, dq, qi, ...pub }) => pub;

test('RS256 over RFC 7515 A.2\'s signing input gives the RFC\'s signature exactly', async () => {
  const signed = await signJwt({ signing_input: `eyJhbGciOiJSUzI1NiJ9.${RFC_PAYLOAD}`, alg: 'RS256',
    key: pemOf(RFC_RSA), key_source: '/app/settings/private_key' });
  assert.equal(signed.ok, true, JSON.stringify(signed));
  assert.equal(signed.value, RFC_A2_JWS);
  const verified = await compactVerify(signed.value, await importJWK(publicOf(RFC_RSA), 'RS256'));
  assert.equal(verified.protectedHeader.alg, 'RS256');
});

test('ES256 with RFC 7515 A.3\'s key verifies with its public key (R || S, 64 bytes)', async () => {
  const input = `eyJhbGciOiJFUzI1NiJ9.${RFC_PAYLOAD}`;
  const signed = await signJwt({ signing_input: input, alg: 'ES256', key: pemOf(RFC_EC), key_source: '/x' });
  assert.equal(signed.ok, true, JSON.stringify(signed));
  assert.ok(signed.value.startsWith(`${input}.`));
  assert.equal(Buffer.from(signed.value.split('.')[2], 'base64url').length, 64);
  const verified = await compactVerify(signed.value, await importJWK(publicOf(RFC_EC), 'ES256'));
  assert.equal(new TextDecoder().decode(verified.payload), Buffer.from(RFC_PAYLOAD, 'base64url').toString());
});

test('a key that cannot sign with its alg is client_misconfigured, naming the source, never the key', async () => {
  const rsaPem = pemOf(RFC_RSA);
  const wrong = await signJwt({ signing_input: 'a.b', alg: 'ES256', key: rsaPem, key_source: '/app/settings/private_key' });
  assert.equal(wrong.ok, false);
  assert.equal(wrong.error.code, 'client_misconfigured');
  assert.match(wrong.error.message, /\/app\/settings\/private_key/);
  assert.match(wrong.error.message, /P-256/);
  const body = rsaPem.split('\n')[1];
  assert.ok(!JSON.stringify(wrong).includes(body.slice(0, 20)), 'the key is not in the error');
  const garbage = await signJwt({ signing_input: 'a.b', alg: 'RS256',
    key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', key_source: '/k' });
  assert.equal(garbage.error.code, 'client_misconfigured');
});

test('signRequest puts each signed JWT where its signing input stood and drops jwts', async () => {
  const plain = { method: 'GET', url: 'https://x.example/', headers: { a: 'b' }, body: '' };
  assert.equal(signRequest(plain).value, plain, 'no JWTs: answered as is, synchronously');

  const engine = await load();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  const connector = {
    name: 'svc',
    authorization: {
      type: 'custom_auth',
      acquire: {
        request: {
          method: 'POST', url: 'https://svc.example/session',
          headers: { 'X-Assertion': { jwt: { alg: 'ES256', key: '{{connection.key}}', claims: { where: 'header' } } } },
          json: { nested: [{ token: { jwt: { alg: 'ES256', key: '{{connection.key}}', kid: 'k-{{connection.kid}}',
            claims: { sub: '{{connection.user}}', aud: 'svc' } } } }] },
        },
      },
      apply: [{ headers: { Authorization: 'Bearer {{access_token}}' } }],
    },
  };
  const begun = engine.connectBegin(connector, { connection: { key: pem, kid: '7', user: 'ann' } }, { now: 1700000000 });
  assert.equal(begun.ok, true, JSON.stringify(begun.error ?? begun.errors));
  const { request } = begun.value;
  assert.equal(request.jwts.length, 2);
  const signed = await signRequest(request);
  assert.equal(signed.ok, true);
  assert.equal(signed.value.jwts, undefined);
  assert.ok(!JSON.stringify(signed.value).includes('PRIVATE KEY'));
  const header = signed.value.headers['X-Assertion'];
  const body = JSON.parse(signed.value.body).nested[0].token;
  const jwks = createLocalJWKSet({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k-7' }] });
  const key = publicKey;
  const fromHeader = await jwtVerify(header, key, { currentDate: new Date(1700000000 * 1000) });
  assert.deepEqual(fromHeader.payload.where, 'header');
  assert.equal(fromHeader.payload.exp, 1700000300);
  const fromBody = await jwtVerify(body, jwks, { audience: 'svc', subject: 'ann', currentDate: new Date(1700000000 * 1000) });
  assert.equal(fromBody.protectedHeader.kid, 'k-7');
  assert.equal(fromBody.protectedHeader.typ, 'JWT');
  // Each JWT of the request has its own jti: the stamp's uuid, numbered.
  assert.match(fromBody.payload.jti, /^[0-9a-f-]{36}-2$/);
  assert.equal(fromHeader.payload.jti, fromBody.payload.jti.replace(/-2$/, '-1'));
  engine.dispose();
});
