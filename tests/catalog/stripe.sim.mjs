// Stripe with a secret key (the connector's secret_key option), as documented
// at https://docs.stripe.com/keys and https://docs.stripe.com/api/authentication:
// the key as a Bearer token, and a rolled or deleted key answered with 401
// {"error": {"type": "invalid_request_error", "message": "Invalid API Key
// provided: sk_test_****...1234"}}; nothing to refresh with, so the engine
// checks the connection and loses it as credentials_rejected.
import assert from 'node:assert/strict';

const KEY = 'sk_test_fake51Hh2cNtVXxG0aQyDm0vQ0Yy7u9T';

export default {
  title: 'Stripe (secret key)',
  connector: 'stripe',
  fields: { auth_type: 'secret_key', api_key: KEY },
  call: { method: 'POST', url: 'customers', headers: [['Content-Type', 'application/x-www-form-urlencoded']], body: 'email=jenny%40example.com' },
  refresh: false,
  lostCause: 'credentials_rejected',
  provider: {
    keys: [KEY],
    api: [
      { at: 'api.stripe.com/v1/account', answer: () => ({ id: 'acct_1032D82eZvKYlo2C', object: 'account', email: 'site@stripe.com' }) },
      { at: 'api.stripe.com/v1/customers', method: 'POST',
        answer: (g, r) => ({ id: 'cus_NffrFeUfNV2Hib', object: 'customer', email: r.form?.email }) },
    ],
    unauthorized: (r) => ({ status: 401, body: { error: { type: 'invalid_request_error',
      message: `Invalid API Key provided: ${String(/^Bearer (\S+)/.exec(r.headers.authorization ?? '')?.[1] ?? '').replace(/^(sk_test_).*(.{4})$/, '$1****************$2')}` } } }),
  },

  connected(sim, connected) {
    assert.equal(connected.identity, 'acct_1032D82eZvKYlo2C');
  },
  called(sim, { response }) {
    assert.equal(JSON.parse(response.body).email, 'jenny@example.com');
  },
  lost(sim, error) {
    assert.equal(sim.sent.at(-1).step, 'test', 'Check connection confirmed the key is refused');
    assert.equal(JSON.stringify(error).includes(KEY), false, 'the key is not in the diagnosis');
  },
};
