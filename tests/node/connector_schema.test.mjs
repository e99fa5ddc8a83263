// docs/connector.schema.json against the engine's validator (the real
// WebAssembly module): every example connector passes both, and on each case
// below the two give the same verdict, the engine naming the problem's JSON
// pointer. The last cases are what only the validator can check (templates,
// RE2 patterns, relations between keys), so the schema accepts them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { load } from '../../wasm/connauth.mjs';

const engine = await load();
const root = new URL('../../', import.meta.url);
const schema = JSON.parse(readFileSync(new URL('docs/connector.schema.json', root), 'utf8'));
// Strict about the schema's own keywords, so a typo in it fails here.
const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
const schemaAccepts = ajv.compile(schema);

const examples = ['connectors/examples/', 'connectors/catalog/', 'demo/connectors/'].flatMap((dir) =>
  readdirSync(new URL(dir, root)).filter((f) => f.endsWith('.json')).map((f) => dir + f));

test('there are example connectors to check', () => {
  assert.ok(examples.length >= 10, examples.join(', '));
});

for (const file of examples) {
  test(`${file} passes the schema and the engine`, () => {
    const definition = JSON.parse(readFileSync(new URL(file, root), 'utf8'));
    assert.equal(schemaAccepts(definition), true, JSON.stringify(schemaAccepts.errors, null, 1));
    const result = engine.validate(definition);
    assert.equal(result.ok, true, JSON.stringify(result.errors));
  });
}

const bearer = { apply: [{ headers: { Authorization: 'Bearer {{access_token}}' } }] };
const key = { apply: [{ headers: { 'X-Api-Key': '{{connection.key}}' } }] };
const oauth2 = { type: 'oauth2', authorization_url: 'https://p.example/authorize', token_url: 'https://p.example/token' };
const step = { request: { method: 'POST', url: 'https://p.example/token', form: { grant_type: 'client_credentials' } } };
const connector = (authorization, rest = {}) => ({ name: 'acme', authorization, ...rest });

const valid = {
  'basic_auth with nothing else': connector({ type: 'basic_auth' }),
  'api_key with a header rule': connector({ type: 'api_key', ...key }),
  'oauth2 with the two URLs': connector(oauth2),
  'documentation linking the provider\'s docs': connector({ type: 'basic_auth' }, { documentation: 'https://p.example/docs/auth' }),
  'oauth2 with a revocation_url': connector({ ...oauth2, revocation_url: 'https://p.example/revoke' }),
  'oauth2 with acquire and no refresh instead of token_url': connector({
    type: 'oauth2', authorization_url: 'https://p.example/authorize', acquire: step, refresh: false }),
  'custom_auth with acquire and apply': connector({ type: 'custom_auth', acquire: step, ...bearer }),
  'multi whose api_key option inherits apply': connector({
    type: 'multi', ...key, options: { key: { type: 'api_key', fields: [{ name: 'key', secret: true }] }, oauth: oauth2 } }),
  'null for optional keys': connector({ ...oauth2, pkce: null, refresh: null, apply: null },
    { title: null, test: null, connection: { base_uri: null, fields: null } }),
  'every kind of signal': connector({ ...oauth2, refresh_on: [401, 'expired', { regex: 'invalid_token', flags: 'i' }], detect_on: [] }),
  'rules with conditions': connector({ type: 'api_key', apply: [
    { when: { url: 'contacts', verb: ['post', 'PUT'] }, payload: { api_token: '{{connection.key}}' } },
    { when: { url: { regex: '^https://x\\.example/', flags: 'i' }, verb: 'GET' }, params: { key: '{{connection.key}}' } },
    { basic: { username: '{{connection.user}}', password: '' } }] }),
  'a relative test request under base_uri': connector({ type: 'basic_auth' }, {
    connection: { base_uri: 'https://{{connection.domain}}/api/', fields: [{ name: 'domain', default: 'x.example', optional: true }] },
    test: { url: 'me', headers: { Accept: 'application/json' } } }),
  'a field default that is a number': connector({ type: 'basic_auth' }, { connection: { fields: [{ name: 'port', default: 443 }] } }),
  'custom_auth with a list of named steps': connector({ type: 'custom_auth', ...bearer, acquire: [
    { name: 'nonce', request: { url: 'https://p.example/nonce' } },
    { ...step, request: { ...step.request, headers: { 'X-Nonce': '{{steps.nonce.response.nonce}}' } } }] }),
  'a step that only merges (tokens: false)': connector({ type: 'custom_auth', ...key, acquire: { ...step, tokens: false, merge: { key: '{{response.key}}' } } }),
};

// [definition, the JSON pointer the engine reports]
const invalid = {
  'not an object': [[], ''],
  'no name': [{ authorization: { type: 'basic_auth' } }, ''],
  'a name with capitals': [{ name: 'Acme', authorization: { type: 'basic_auth' } }, '/name'],
  'documentation that is not an https URL': [connector({ type: 'basic_auth' }, { documentation: 'http://p.example/docs' }), '/documentation'],
  'an unknown top-level key': [connector({ type: 'basic_auth' }, { nmae: 'x' }), '/nmae'],
  'no authorization': [{ name: 'acme' }, ''],
  'an unknown type': [connector({ type: 'oauth' }), '/authorization/type'],
  'api_key without apply': [connector({ type: 'api_key' }), '/authorization'],
  'custom_auth without acquire': [connector({ type: 'custom_auth', ...bearer }), '/authorization'],
  'oauth2 without authorization_url': [connector({ type: 'oauth2', token_url: 'https://p.example/token' }), '/authorization'],
  'oauth2 with acquire, no token_url and no refresh': [connector({
    type: 'oauth2', authorization_url: 'https://p.example/authorize', acquire: step }), '/authorization'],
  'refresh: true': [connector({ ...oauth2, refresh: true }), '/authorization/refresh'],
  'a key of another type': [connector({ type: 'api_key', ...key, token_url: 'https://p.example/token' }), '/authorization/token_url'],
  'fields on the authorization': [connector({ type: 'basic_auth', fields: [] }), '/authorization/fields'],
  'multi with no options': [connector({ type: 'multi', options: {} }), '/authorization/options'],
  'a multi option that is multi': [connector({ type: 'multi', options: { a: { type: 'multi', options: { b: oauth2 } } } }), '/authorization/options/a/type'],
  'an api_key option with no apply anywhere': [connector({ type: 'multi', options: { key: { type: 'api_key' } } }), '/authorization/options/key'],
  'an option key with a dash': [connector({ type: 'multi', options: { 'the-key': oauth2 } }), '/authorization/options/the-key'],
  'a status signal out of range': [connector({ ...oauth2, refresh_on: [600] }), '/authorization/refresh_on/0'],
  'a bare status signal': [connector({ ...oauth2, refresh_on: 401 }), '/authorization/refresh_on'],
  'an unknown regex flag': [connector({ ...oauth2, detect_on: [{ regex: 'x', flags: 'g' }] }), '/authorization/detect_on/0/flags'],
  'a signal object without regex': [connector({ ...oauth2, detect_on: [{ flags: 'i' }] }), '/authorization/detect_on/0'],
  'two URL conditions in one': [connector({ type: 'api_key', apply: [{ when: { url: { prefix: 'https://a', contains: 'b' } }, ...key.apply[0] }] }), '/authorization/apply/0/when/url'],
  'flags on a prefix': [connector({ type: 'api_key', apply: [{ when: { url: { prefix: 'https://a', flags: 'i' } }, ...key.apply[0] }] }), '/authorization/apply/0/when/url/flags'],
  'an empty apply': [connector({ type: 'api_key', apply: [] }), '/authorization/apply'],
  'a rule that does nothing': [connector({ type: 'api_key', apply: [{ when: { verb: 'GET' } }] }), '/authorization/apply/0'],
  'an empty verb list': [connector({ type: 'api_key', apply: [{ when: { verb: [] }, ...key.apply[0] }] }), '/authorization/apply/0/when/verb'],
  'a header name with a space': [connector({ type: 'api_key', apply: [{ headers: { 'X Key': 'v' } }] }), '/authorization/apply/0/headers/X Key'],
  'a header value with a line break': [connector({ type: 'api_key', apply: [{ headers: { 'X-Key': 'a\nb' } }] }), '/authorization/apply/0/headers/X-Key'],
  'form and json together': [connector({ type: 'custom_auth', ...bearer, acquire: { request: { method: 'POST', url: 'https://p.example/t', form: {}, json: {} } } }), '/authorization/acquire/request'],
  'a GET with a form': [connector({ type: 'custom_auth', ...bearer, acquire: { request: { url: 'https://p.example/t', form: { a: 'b' } } } }), '/authorization/acquire/request/form'],
  'a token merged as a value': [connector({ type: 'custom_auth', ...bearer, acquire: { ...step, merge: { access_token: '{{response.t}}' } } }), '/authorization/acquire/merge/access_token'],
  'an empty list of steps': [connector({ type: 'custom_auth', ...bearer, acquire: [] }), '/authorization/acquire'],
  'a step name that is not an identifier': [connector({ type: 'custom_auth', ...bearer, acquire: [{ ...step, name: 'Log-In' }] }), '/authorization/acquire/0/name'],
  'tokens: true': [connector({ type: 'custom_auth', ...bearer, acquire: { ...step, tokens: true } }), '/authorization/acquire/tokens'],
  'an unknown token mapping': [connector({ type: 'custom_auth', ...bearer, acquire: { ...step, tokens: { id_token: '{{response.id_token}}' } } }), '/authorization/acquire/tokens/id_token'],
  'a parameter the engine sets (authorization)': [connector({ ...oauth2, authorization_params: { state: 'x' } }), '/authorization/authorization_params/state'],
  'a parameter the engine sets (token)': [connector({ ...oauth2, token_params: { grant_type: 'x' } }), '/authorization/token_params/grant_type'],
  'an unknown client_auth': [connector({ ...oauth2, client_auth: 'jwt' }), '/authorization/client_auth'],
  'pkce as a string': [connector({ ...oauth2, pkce: 'yes' }), '/authorization/pkce'],
  'a revocation_url with another scheme': [connector({ ...oauth2, revocation_url: 'ftp://p.example/revoke' }), '/authorization/revocation_url'],
  'a revocation_url on api_key': [connector({ type: 'api_key', ...key, revocation_url: 'https://p.example/revoke' }), '/authorization/revocation_url'],
  'an empty scope': [connector({ ...oauth2, scopes: ['read', ''] }), '/authorization/scopes/1'],
  'an empty scope separator': [connector({ ...oauth2, scope_separator: '' }), '/authorization/scope_separator'],
  'a field name with capitals': [connector({ type: 'basic_auth' }, { connection: { fields: [{ name: 'Sub' }] } }), '/connection/fields/0/name'],
  'a field default that is an object': [connector({ type: 'basic_auth' }, { connection: { fields: [{ name: 'x', default: {} } ] } }), '/connection/fields/0/default'],
  'a base_uri that is not http(s)': [connector({ type: 'basic_auth' }, { connection: { base_uri: 'ftp://x.example/' } }), '/connection/base_uri'],
  'a relative authorization_url': [connector({ ...oauth2, authorization_url: 'authorize' }), '/authorization/authorization_url'],
  'a request URL with another scheme': [connector({ type: 'basic_auth' }, { test: { url: 'mailto:a@b.example' } }), '/test/url'],
  'an empty request URL': [connector({ type: 'basic_auth' }, { test: { url: '' } }), '/test/url'],
  'basic without a password': [connector({ type: 'api_key', apply: [{ basic: { username: 'u' } }] }), '/authorization/apply/0/basic'],
  'a method that is not a token': [connector({ type: 'basic_auth' }, { test: { method: 'GE T', url: 'https://x.example/' } }), '/test/method'],
};

// Beyond the schema: the validator reads templates, patterns and relations.
const validatorOnly = {
  'a template path typo': [connector({ type: 'api_key', apply: [{ headers: { 'X-Key': '{{conection.key}}' } }] }), '/authorization/apply/0/headers/X-Key'],
  'an RE2 pattern that does not compile': [connector({ ...oauth2, refresh_on: [{ regex: '(unclosed' }] }), '/authorization/refresh_on/0/regex'],
  'a relative URL without base_uri': [connector({ type: 'basic_auth' }, { test: { url: 'me' } }), '/test/url'],
  'a field defined twice': [connector({ type: 'multi', options: { a: { ...oauth2, fields: [{ name: 'x' }] } } },
    { connection: { fields: [{ name: 'x' }] } }), '/authorization/options/a/fields/0/name'],
  'a step reading a later step': [connector({ type: 'custom_auth', ...bearer, acquire: [
    { ...step, request: { ...step.request, headers: { 'X-Sig': '{{steps.nonce.response.nonce}}' } } },
    { name: 'nonce', request: { url: 'https://p.example/nonce' } }] }), '/authorization/acquire/0/request/headers/X-Sig'],
  'two steps of the same name': [connector({ type: 'custom_auth', ...bearer, acquire: [{ ...step, name: 'a' }, { ...step, name: 'a' }] }),
    '/authorization/acquire/1/name'],
  'basic beside an Authorization header': [connector({ type: 'api_key', apply: [{ headers: { authorization: 'x' }, basic: { username: 'u', password: 'p' } }] }), '/authorization/apply/0'],
};

const engineProblems = (definition) => {
  const result = engine.validate(definition);
  return result.ok ? [] : result.errors;
};

for (const [name, definition] of Object.entries(valid)) {
  test(`valid for both: ${name}`, () => {
    assert.equal(schemaAccepts(definition), true, JSON.stringify(schemaAccepts.errors, null, 1));
    assert.deepEqual(engineProblems(definition), []);
  });
}

for (const [name, [definition, at]] of Object.entries(invalid)) {
  test(`invalid for both: ${name}`, () => {
    assert.equal(schemaAccepts(definition), false, 'the schema accepts it');
    const problems = engineProblems(definition);
    assert.ok(problems.some((p) => p.path === at), `the engine reports ${at}: ${JSON.stringify(problems)}`);
  });
}

for (const [name, [definition, at]] of Object.entries(validatorOnly)) {
  test(`only the validator refuses: ${name}`, () => {
    assert.equal(schemaAccepts(definition), true, JSON.stringify(schemaAccepts.errors, null, 1));
    const problems = engineProblems(definition);
    assert.ok(problems.some((p) => p.path === at), `the engine reports ${at}: ${JSON.stringify(problems)}`);
  });
}
