// Twilio SendGrid, as documented at
// https://www.twilio.com/docs/sendgrid/for-developers/sending-email/authentication
// and https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send:
// the API key as a Bearer token, GET /v3/scopes for any key, mail/send answering
// 202 with an empty body, 403 "access forbidden" for a permission the key lacks
// (the caller's error; the connection stays), and 401 "authorization required"
// once the key is deleted: the connection is lost as credentials_rejected.
import assert from 'node:assert/strict';

const KEY = 'SG.fakeKeyId0123456789.fakeSecret-abcdefghijklmnopqrstuvwxyz0123456';
const forbidden = { status: 403, body: { errors: [{ field: null, message: 'access forbidden' }] } };

export default {
  title: 'SendGrid',
  connector: 'sendgrid',
  fields: { api_key: KEY },
  call: { method: 'POST', url: 'mail/send', headers: [['Content-Type', 'application/json']],
    body: JSON.stringify({ personalizations: [{ to: [{ email: 'john@example.com' }] }], from: { email: 'noreply@acme.example' },
      subject: 'Hello', content: [{ type: 'text/plain', value: 'Hi' }] }) },
  refresh: false,
  lostCause: 'credentials_rejected',
  provider: {
    keys: [KEY],
    api: [
      { at: 'api.sendgrid.com/v3/scopes', answer: () => ({ scopes: ['mail.send', 'scopes.read'] }) },
      { at: 'api.sendgrid.com/v3/mail/send', method: 'POST', headers: { 'content-type': 'application/json' },
        answer: (g, r) => (r.json?.personalizations ? { status: 202, body: '' }
          : { status: 400, body: { errors: [{ field: 'personalizations', message: 'The personalizations field is required.' }] } }) },
      // The key has only mail.send and scopes.read.
      { at: 'api.sendgrid.com/v3/user/email', answer: () => forbidden },
    ],
    unauthorized: () => ({ status: 401, body: { errors: [{ field: null, message: 'authorization required' }] } }),
  },

  async called(sim, { response }) {
    assert.equal(response.status, 202);
    assert.equal(response.body, '');
    // A permission the key lacks: the caller gets the 403, the connection is not touched.
    const denied = await sim.session.request({ method: 'GET', url: 'user/email', headers: [], body: '' });
    assert.equal(denied.ok, true, JSON.stringify(denied));
    assert.equal(denied.value.response.status, 403);
    assert.equal(denied.value.classification.action, 'error');
    assert.equal(denied.value.attempt, 1);
  },
  lost(sim, error) {
    assert.equal(sim.sent.at(-1).step, 'test');
    assert.equal(JSON.stringify(error).includes(KEY), false);
  },
};
