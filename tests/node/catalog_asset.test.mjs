// The console's catalog asset (scripts/catalog-asset.mjs) built with the real
// engine: what each entry carries, the order, and the build refusing a
// catalog file the edge would refuse, saying which file and where.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from '../../wasm/connauth.mjs';
import { buildCatalog } from '../../scripts/catalog-asset.mjs';

const engine = await load();
const example = (name) => JSON.parse(readFileSync(new URL(`../../connectors/examples/${name}.json`, import.meta.url), 'utf8'));

function catalogDir(files) {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

function withDir(files, fn) {
  const dir = catalogDir(files);
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('each entry: the engine\'s type and fields, the scopes, the definition; sorted by title', () => {
  const autodesk = example('autodesk');
  const stripe = example('stripe_multi');
  const key = example('api_key_header');
  const { entries } = withDir({ 'autodesk.json': autodesk, 'stripe.json': stripe, [`${key.name}.json`]: key }, (dir) => buildCatalog(dir, engine));
  assert.deepEqual(entries.map((e) => e.title), [autodesk.title, key.title ?? key.name, stripe.title].sort((a, b) => a.localeCompare(b, 'en')));

  const a = entries.find((e) => e.name === 'autodesk');
  assert.equal(a.type, 'oauth2');
  assert.deepEqual(a.scopes, autodesk.authorization.scopes);
  assert.deepEqual(a.fields.map((f) => f.name), ['region']);
  assert.equal(a.fields[0].label, 'Data region');
  assert.equal(a.description, autodesk.description);
  assert.equal(a.documentation, null, 'no documentation key: null');
  assert.deepEqual(a.definition, autodesk);

  // multi: the options' types, every option's fields once, every option's scopes.
  const s = entries.find((e) => e.name === 'stripe');
  assert.equal(s.type, 'multi');
  assert.deepEqual(s.options.map((o) => o.type).sort(), ['api_key', 'oauth2']);
  assert.deepEqual(s.fields.map((f) => f.name).sort(), ['api_key', 'auth_type', 'stripe_landing']);
  assert.equal(s.fields.find((f) => f.name === 'api_key').secret, true);
  assert.deepEqual(s.scopes, ['read_write']);
});

test('no catalog directory: an empty catalog', () => {
  assert.deepEqual(buildCatalog(join(tmpdir(), 'no-such-catalog-dir-4e1b'), engine), { entries: [] });
});

test('an entry the engine refuses stops the build, naming the file and the JSON pointer', () => {
  const broken = example('autodesk');
  broken.authorization.type = 'oauth3';
  assert.throws(() => withDir({ 'autodesk.json': broken, 'stripe.json': example('stripe_multi') }, (dir) => buildCatalog(dir, engine)),
    (error) => {
      assert.match(error.message, /the connector catalog has 1 problem:/);
      assert.match(error.message, /connectors\/catalog\/autodesk\.json \/authorization\/type: /);
      return true;
    });
});

test('a file that is not JSON, or not named after its connector, is refused', () => {
  assert.throws(() => withDir({ 'a.json': '{"name": ' }, (dir) => buildCatalog(dir, engine)), /connectors\/catalog\/a\.json: not JSON/);
  assert.throws(() => withDir({ 'adsk.json': example('autodesk') }, (dir) => buildCatalog(dir, engine)),
    /connectors\/catalog\/adsk\.json \/name: must be the file's name without \.json \("adsk"\)/);
});

test('suggested app scopes fill an entry whose connector names none; a connector\'s own scopes win; an unknown name stops the build', () => {
  const oauth = example('autodesk');
  const unscoped = { ...oauth, name: 'plain', authorization: { ...oauth.authorization, scopes: undefined } };
  const dir = catalogDir({ 'autodesk.json': oauth, 'plain.json': unscoped });
  try {
    mkdirSync(join(dir, 'meta'));
    writeFileSync(join(dir, 'meta/app_scopes.json'), JSON.stringify({ plain: ['openid', 'email'], autodesk: ['ignored'] }));
    const { entries } = buildCatalog(dir, engine);
    assert.deepEqual(entries.find((e) => e.name === 'plain').scopes, ['openid', 'email']);
    assert.deepEqual(entries.find((e) => e.name === 'autodesk').scopes, oauth.authorization.scopes);
    writeFileSync(join(dir, 'meta/app_scopes.json'), JSON.stringify({ nobody: ['x'], plain: 'openid' }));
    assert.throws(() => buildCatalog(dir, engine), (error) => {
      assert.match(error.message, /meta\/app_scopes\.json \/nobody: no catalog entry has this name/);
      assert.match(error.message, /meta\/app_scopes\.json \/plain: must be a list of scope names/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the shipped catalog: every OAuth entry that names no scopes of its own starts from suggested ones where its provider needs them', () => {
  const { entries } = buildCatalog(new URL('../../connectors/catalog/', import.meta.url).pathname, engine);
  for (const name of ['google', 'microsoft', 'salesforce', 'xero', 'atlassian', 'okta']) {
    const entry = entries.find((e) => e.name === name);
    assert.ok(entry.scopes.length > 0, name);
    assert.equal(entry.definition.authorization.scopes, undefined, `${name}: the connector leaves scopes to the app`);
  }
});
