// Trello, as documented at
// https://developer.atlassian.com/cloud/trello/guides/rest-api/authorization/:
// OAuth 1.0a requests signed with HMAC-SHA1 by the API key (consumer key),
// its OAuth secret and the user's token and token secret, the signature
// checked by the `oauth-1.0a` library over the URL Trello sees, its query
// and form fields; 401 "invalid token" (plain text) once the user revokes
// the token, which loses the connection (credentials_rejected).
import assert from 'node:assert/strict';
import { oauth1Check, oauthHeaderParams } from './fixtures/signatures.mjs';

const CONSUMER = { key: 'fake0trello0api0key0000000000001', secret: 'fake-trello-oauth-secret-0000000000000000000000000000000000000000' };
const TOKEN = 'ATTAfake0token0000000000000000000000000000000000000000000000000001';
const TOKEN_SECRET = 'fake-trello-token-secret';
const refused = [];
const signed = oauth1Check({ consumer: CONSUMER, tokenSecrets: { [TOKEN]: TOKEN_SECRET }, problems: refused });

export default {
  title: 'Trello',
  connector: 'trello',
  fields: { oauth_token: TOKEN, oauth_token_secret: TOKEN_SECRET },
  // A form body and a query, both covered by the signature (RFC 5849 §3.4.1.3).
  call: { method: 'POST', url: 'cards?idList=5abbe4b7ddc1b351ef961414', headers: [['Content-Type', 'application/x-www-form-urlencoded']],
    body: 'name=Buy%20milk&desc=2%25%20fat%2C%20one%20litre' },
  refresh: false,
  lostCause: 'credentials_rejected',
  provider: {
    client: { id: CONSUMER.key, secret: CONSUMER.secret },
    keys: [TOKEN],
    api: [
      { at: 'api.trello.com/1/members/me', credential: signed, answer: () => ({ id: '5abbe4b7ddc1b351ef961414', username: 'bobloblaw', fullName: 'Bob Loblaw' }) },
      { at: 'api.trello.com/1/cards', method: 'POST', credential: signed,
        answer: (g, r) => ({ id: '5abbe4b7ddc1b351ef961415', name: r.form?.name, desc: r.form?.desc, idList: r.query.idList }) },
    ],
    unauthorized: () => ({ status: 401, body: 'invalid token' }),
  },

  connected(sim, connected) {
    assert.equal(connected.identity, 'bobloblaw');
    assert.deepEqual(refused, [], 'every signature checked out');
  },
  called(sim, { sent, response }) {
    const params = oauthHeaderParams(new Map(Object.entries(sent.headers).map(([k, v]) => [k.toLowerCase(), v])).get('authorization'));
    assert.equal(params.oauth_consumer_key, CONSUMER.key);
    assert.equal(params.oauth_token, TOKEN);
    assert.equal(params.oauth_signature_method, 'HMAC-SHA1');
    assert.equal(JSON.parse(response.body).desc, '2% fat, one litre');
    assert.deepEqual(refused, []);
    // The signature covers the form: a fresh checker accepts the request as sent and
    // refuses it with one form field changed; sent again, the nonce is refused.
    const received = sim.fake.requestsTo('api.trello.com/1/cards').at(-1);
    const why = [];
    const fresh = oauth1Check({ consumer: CONSUMER, tokenSecrets: { [TOKEN]: TOKEN_SECRET }, problems: why });
    assert.equal(fresh({ ...received, form: { ...received.form, name: 'Buy beer' } }), null);
    assert.equal(fresh(received), TOKEN);
    assert.equal(fresh(received), null);
    assert.deepEqual(why, ['oauth_signature does not match', 'missing or reused oauth_nonce']);
  },
  lost(sim, error) {
    assert.equal(sim.sent.at(-1).step, 'test');
    const said = JSON.stringify(error);
    assert.equal(said.includes(TOKEN) || said.includes(TOKEN_SECRET), false);
  },
};
