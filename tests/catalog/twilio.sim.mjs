// Twilio, as documented at https://www.twilio.com/docs/usage/requests-to-twilio
// and https://www.twilio.com/docs/errors/20003: HTTP Basic with the Account
// SID and Auth Token, the Account SID in every resource URL (the fake refuses
// credentials for another account's URL), form-encoded bodies, and 401 with
// error 20003 once the Auth Token is rotated: nothing to refresh, so the
// engine checks the connection and loses it as credentials_rejected.
import assert from 'node:assert/strict';
import { parseBasic } from './fixtures/fake_provider.mjs';

const SID = 'ACa1b2c3d4e5f60718293a4b5c6d7e8f90';
const TOKEN = 'fake0twilio0auth0token00000000ab';

// The presented credential is "SID:token"; it must also be for the account in the URL.
const basicFor = (r) => {
  const basic = parseBasic(r.headers.authorization);
  if (!basic || !r.path.startsWith(`/2010-04-01/Accounts/${basic.id}`)) return null;
  return `${basic.id}:${basic.secret}`;
};

export default {
  title: 'Twilio',
  connector: 'twilio',
  // The egress list the entry tells the admin to set.
  egress: ['api.twilio.com'],
  fields: { account_sid: SID, auth_token: TOKEN },
  call: { method: 'POST', url: 'Messages.json', headers: [['Content-Type', 'application/x-www-form-urlencoded']],
    body: 'To=%2B15558675310&From=%2B15017122661&Body=Hi' },
  refresh: false,
  lostCause: 'credentials_rejected',
  provider: {
    keys: [`${SID}:${TOKEN}`],
    api: [
      { at: `api.twilio.com/2010-04-01/Accounts/${SID}.json`, credential: basicFor,
        answer: () => ({ sid: SID, friendly_name: 'Acme Support', status: 'active', type: 'Full' }) },
      { at: `api.twilio.com/2010-04-01/Accounts/${SID}/Messages.json`, method: 'POST', credential: basicFor,
        answer: (g, r) => ({ status: 201, body: { sid: 'SM1f0e8ae6ade43cb3c0ce4525424e404f', account_sid: SID, to: r.form?.To,
          from: r.form?.From, body: r.form?.Body, status: 'queued' } }) },
    ],
    unauthorized: () => ({ status: 401, headers: { 'www-authenticate': 'Basic realm="Twilio API"' },
      body: { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 } }),
  },

  connected(sim, connected) {
    assert.equal(connected.identity, `Acme Support (${SID})`);
  },
  called(sim, { sent, response }) {
    assert.equal(sent.url, `https://api.twilio.com/2010-04-01/Accounts/${SID}/Messages.json`);
    assert.equal(response.status, 201);
    assert.equal(JSON.parse(response.body).to, '+15558675310');
  },
  lost(sim, error) {
    assert.equal(sim.sent.at(-1).step, 'test');
    assert.equal(JSON.stringify(error).includes(TOKEN), false);
  },
};
