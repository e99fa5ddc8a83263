// Stripe Connect OAuth (the stripe connector's connect option), as documented
// at https://docs.stripe.com/connect/oauth-reference: the consent page at
// connect.stripe.com/oauth/authorize with scope read_write and no PKCE, the
// code exchanged with the platform's secret key as client_secret, an answer
// with stripe_user_id and a non-expiring access token, a refresh that rolls the
// access token and keeps the refresh token, 401 from the API once the access
// token is rolled, and invalid_grant once the account disconnects the platform.
import assert from 'node:assert/strict';

const CLIENT = { id: 'ca_FkyHCg7X8mlvCUdMDao4mMxagUfhIwXb', secret: 'sk_test_fakePlatformKey4eC39HqLyjWDarjtT1zdp7dc' };

export default {
  title: 'Stripe (Connect OAuth)',
  connector: 'stripe',
  fields: { auth_type: 'connect' },
  app: { scopes: ['read_write'] },
  call: { method: 'GET', url: 'charges?limit=3' },
  provider: {
    client: CLIENT,
    authorize: { at: 'connect.stripe.com/oauth/authorize', require: { scope: 'read_write' }, pkce: false },
    token: {
      at: 'connect.stripe.com/oauth/token',
      clientAuth: 'body',
      answer: (t) => ({ access_token: t.access_token, livemode: false, refresh_token: t.refresh_token, token_type: 'bearer',
        stripe_publishable_key: 'pk_test_fake', stripe_user_id: 'acct_1Nv0FGQ9RKHgCVdK', scope: 'read_write' }),
      // A refresh rolls the access token; the refresh token stays.
      refreshAnswer: (t) => ({ access_token: t.access_token, livemode: false, token_type: 'bearer',
        stripe_publishable_key: 'pk_test_fake', stripe_user_id: 'acct_1Nv0FGQ9RKHgCVdK', scope: 'read_write' }),
    },
    api: [
      { at: 'api.stripe.com/v1/account', answer: () => ({ id: 'acct_1Nv0FGQ9RKHgCVdK', object: 'account' }) },
      { at: 'api.stripe.com/v1/charges', answer: () => ({ object: 'list', data: [], has_more: false, url: '/v1/charges' }) },
    ],
    unauthorized: () => ({ status: 401, body: { error: { type: 'invalid_request_error',
      message: 'Expired API Key provided. Application access may have been revoked.' } } }),
  },

  connected(sim, connected) {
    assert.equal(sim.authorizationUrl.searchParams.get('code_challenge'), null, 'no PKCE');
    assert.equal(connected.identity, 'acct_1Nv0FGQ9RKHgCVdK');
    assert.equal(connected.connection.expires_at, undefined, 'Connect access tokens do not expire');
    const exchange = sim.fake.requestsTo('connect.stripe.com/oauth/token')[0];
    assert.equal(exchange.form.client_secret, CLIENT.secret, "the platform's secret key is the client secret");
  },
  refreshed(sim, { requests }) {
    const refresh = requests.find((r) => r.path === '/oauth/token');
    assert.equal(refresh.form.grant_type, 'refresh_token');
    assert.equal(sim.connection.refresh_token, refresh.form.refresh_token, 'the refresh token stays');
  },
};
