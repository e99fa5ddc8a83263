// The connector catalog (connectors/catalog/): every entry validates, passes
// the schema's basics and is listed in the catalog's README, and every entry
// lives through its provider simulation (tests/catalog/NAME.sim.mjs) against
// a fake of the provider built from its documentation
// (tests/catalog/fixtures/): connect, a proxied call, a refresh, and the
// lost connection the engine diagnoses. The engine is the real module; the
// host is the CLI's (scripts/cli/session.mjs), in process, so the whole
// catalog runs in seconds.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { load } from '../../wasm/connauth.mjs';
import { startSimulation } from '../catalog/fixtures/simulate.mjs';

const engine = await load();
const root = new URL('../../', import.meta.url);
const entries = readdirSync(new URL('connectors/catalog/', root)).filter((f) => f.endsWith('.json')).sort();
const simulations = readdirSync(new URL('tests/catalog/', root)).filter((f) => f.endsWith('.sim.mjs')).sort();
const readme = readFileSync(new URL('connectors/catalog/README.md', root), 'utf8');

describe('catalog entries', () => {
  for (const file of entries) {
    test(`${file} validates and is documented`, () => {
      const definition = JSON.parse(readFileSync(new URL(`connectors/catalog/${file}`, root), 'utf8'));
      const valid = engine.validate(definition);
      assert.equal(valid.ok, true, JSON.stringify(valid.errors));
      assert.equal(`${definition.name}.json`, file, 'the file is named after the connector');
      assert.match(definition.documentation ?? '', /^https:\/\//, 'it names the documentation it was written from');
      assert.ok((definition.description ?? '').length > 40, 'it describes what an admin must set up');
      assert.ok(readme.includes(`[\`${file}\`](${file})`), 'the README table lists it');
      assert.ok(readme.includes(definition.documentation), 'the README links its documentation');
      assert.ok(simulations.includes(`${definition.name}.sim.mjs`), `tests/catalog/${definition.name}.sim.mjs simulates it`);
    });
  }
});

for (const file of simulations) {
  const { default: spec } = await import(new URL(`tests/catalog/${file}`, root));
  describe(`simulation: ${spec.title ?? file}`, () => {
    let sim;
    before(async () => { sim = await startSimulation(spec); });
    after(async () => { await sim?.close(); });

    test('connects (consent, code exchange or acquire, Check connection)', async () => {
      const connected = await sim.connect();
      await spec.connected?.(sim, connected);
    });
    test('a proxied call carries the credentials the provider checks', async () => {
      const used = await sim.call();
      assert.equal(used.attempt, 1);
      await spec.called?.(sim, used);
    });
    if (spec.refresh !== false) {
      test('an expired access token: one refresh, one retry', async () => {
        const refreshed = await sim.refresh();
        await spec.refreshed?.(sim, refreshed);
      });
    }
    test(`a revoked grant: the connection is lost (${spec.lostCause ?? 'authorization_revoked'})`, async () => {
      const error = await sim.lost(spec.lostCause);
      await spec.lost?.(sim, error);
    });
    test('disconnecting tells the revocation endpoint, if the connector names one (RFC 7009)', async () => {
      const revoked = await sim.revoke();
      assert.equal(revoked !== null, Boolean(spec.provider.revoke), 'a revocation_url exactly when the provider has an RFC 7009 endpoint');
      if (!revoked) return;
      assert.equal(revoked.response.status, 200, revoked.response.body);
      assert.ok([sim.connection.refresh_token, sim.connection.access_token].includes(revoked.request.form.token));
      await spec.revoked?.(sim, revoked);
    });
    test(`the app's egress list (${spec.egress ? 'the one the catalog names' : 'derived'}) covers every host reached`, () => {
      assert.deepEqual(sim.egressRefusals(), []);
    });
  });
}
