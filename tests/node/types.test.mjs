// The TypeScript declarations of the JS API (wasm/*.d.ts) against the code:
//  - tests/types/consumer.ts, which uses the whole API, compiles with
//    `tsc --noEmit` under strict settings;
//  - what the real module answers has the declared shape: for each method
//    the return type is read from wasm/connauth.d.ts with the TypeScript
//    compiler's type checker, and every answer below is walked against it
//    (members present, no undeclared member, literal values among the
//    declared ones, unions matched by one of their members).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { load } from '../../wasm/connauth.mjs';
import { loadConnector } from '../../demo/catalog.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const declarations = `${root}wasm/connauth.d.ts`;

test('a consumer of the whole API type-checks (tsc --noEmit, strict)', () => {
  const tsc = spawnSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${root}tests/types/tsconfig.json`], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
});

// ---- the declared shapes, read with the type checker -----------------------

const program = ts.createProgram([declarations], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022 });
const checker = program.getTypeChecker();
const source = program.getSourceFile(declarations);
const exported = new Map(checker.getExportsOfModule(checker.getSymbolAtLocation(source)).map((s) => [s.name, s]));
const connauthType = checker.getDeclaredTypeOfSymbol(exported.get('Connauth'));
const boundType = checker.getDeclaredTypeOfSymbol(exported.get('BoundConnection'));

function returnType(type, method) {
  const member = type.getProperty(method);
  assert.ok(member, `${method} is declared`);
  return checker.getTypeOfSymbolAtLocation(member, source).getCallSignatures()[0].getReturnType();
}

const is = (type, flag) => (type.flags & flag) !== 0;

// Where `value` differs from `type`: a list of "path: what" (empty: it fits).
function mismatches(value, type, path = '') {
  if (is(type, ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return [];
  if (type.isUnion()) {
    let best = null;
    for (const member of type.types) {
      const found = mismatches(value, member, path);
      if (found.length === 0) return [];
      if (!best || found.length < best.length) best = found;
    }
    return best;
  }
  const describe = () => checker.typeToString(type);
  if (type.isStringLiteral() || type.isNumberLiteral()) return value === type.value ? [] : [`${path}: ${JSON.stringify(value)} is not ${describe()}`];
  if (is(type, ts.TypeFlags.BooleanLiteral)) return value === (type.intrinsicName === 'true') ? [] : [`${path}: ${value} is not ${describe()}`];
  if (is(type, ts.TypeFlags.String)) return typeof value === 'string' ? [] : [`${path}: ${typeof value} is not string`];
  if (is(type, ts.TypeFlags.Number)) return typeof value === 'number' ? [] : [`${path}: ${typeof value} is not number`];
  if (is(type, ts.TypeFlags.Boolean)) return typeof value === 'boolean' ? [] : [`${path}: ${typeof value} is not boolean`];
  if (is(type, ts.TypeFlags.Null)) return value === null ? [] : [`${path}: ${JSON.stringify(value)} is not null`];
  if (is(type, ts.TypeFlags.Undefined | ts.TypeFlags.Void)) return value === undefined ? [] : [`${path}: present, declared absent`];
  if (type.getCallSignatures().length > 0) return typeof value === 'function' ? [] : [`${path}: not a function`];
  if (value === null || typeof value !== 'object') return [`${path}: ${JSON.stringify(value)} is not ${describe()}`];
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    if (!Array.isArray(value)) return [`${path}: not an array`];
    const elements = checker.getTypeArguments(type);
    return value.flatMap((item, i) => mismatches(item, checker.isTupleType(type) ? elements[i] : elements[0], `${path}/${i}`));
  }
  const out = [];
  const declared = new Set();
  for (const member of type.getProperties()) {
    declared.add(member.name);
    const memberType = checker.getTypeOfSymbolAtLocation(member, source);
    if (memberType.getCallSignatures().length > 0) {
      if (typeof value[member.name] !== 'function') out.push(`${path}/${member.name}: method missing`);
      continue;
    }
    const optional = (member.flags & ts.SymbolFlags.Optional) !== 0;
    if (value[member.name] === undefined) {
      if (!optional) out.push(`${path}/${member.name}: missing`);
      continue;
    }
    out.push(...mismatches(value[member.name], memberType, `${path}/${member.name}`));
  }
  const index = checker.getIndexTypeOfType(type, ts.IndexKind.String);
  for (const key of Object.keys(value)) {
    if (declared.has(key)) continue;
    if (index) out.push(...mismatches(value[key], index, `${path}/${key}`));
    else out.push(`${path}/${key}: not declared in ${describe()}`);
  }
  return out;
}

function assertShape(value, type, what) {
  const found = mismatches(value, type);
  assert.deepEqual(found, [], `${what}: ${JSON.stringify(value).slice(0, 400)}`);
}

// ---- the module's answers ----------------------------------------------------

const engine = await load();
const answers = (method, ...args) => assertShape(engine[method](...args), returnType(connauthType, method), method);

const apiKey = {
  name: 'acme',
  connection: { fields: [{ name: 'api_key', label: 'Key', secret: true }], base_uri: 'https://api.acme.example/v1/' },
  authorization: { type: 'api_key', apply: [{ headers: { 'X-Key': '{{connection.api_key}}' } }], refresh_on: [401], detect_on: [{ regex: '"error"' }] },
  test: { url: 'me' },
};
const oauth = loadConnector('demo_oauth');
const multi = JSON.parse(readFileSync(`${root}connectors/examples/stripe_multi.json`, 'utf8'));
const context = { connection: { api_key: 'k' } };
const oauthContext = {
  connection: { access_token: 'at', refresh_token: 'rt', expires_at: 100 },
  app: { client_id: 'id', client_secret: 'secret', scopes: ['openid'], refresh_buffer: 60,
    settings: { provider_url: 'https://login.example', api_url: 'https://api.example' } },
  flow: { redirect_uri: 'https://edge.example/oauth/callback' },
};

test('what the module answers has the declared shape: definitions and requests', () => {
  for (const definition of [apiKey, oauth, multi, { name: 'Bad!' }, '{not json']) {
    answers('validate', definition);
    answers('describe', definition);
    answers('connectForm', definition, { connection: {} });
    answers('egress', definition, { app: {} });
  }
  answers('apply', apiKey, context, { method: 'GET', url: 'me' });
  answers('apply', apiKey, { connection: {} }, { method: 'GET', url: 'me' });
  answers('apply', oauth, oauthContext, { method: 'POST', url: 'contacts', headers: [['Content-Type', 'application/json']], body: '{}' });
  for (const response of [{ status: 200, body: '{"error":1}' }, { status: 401 }, { status: 500, body: 'x' }]) answers('classify', apiKey, context, response);
  answers('identity', oauth, { connection: { id_token: 'x.y.z' } });
  answers('requestNextStep', 'refresh', false);
  answers('requestNextStep', 'nonsense', false);
});

test('what the module answers has the declared shape: bound connections', () => {
  const bound = engine.bind(apiKey, context);
  assert.equal(bound.ok, true);
  assertShape(bound.value, boundType, 'bind');
  assertShape(bound.value.apply({ url: './items' }), returnType(boundType, 'apply'), 'bound.apply');
  assertShape(bound.value.apply({ url: 'https://elsewhere.example/' }), returnType(boundType, 'apply'), 'bound.apply elsewhere');
  assertShape(bound.value.classify({ status: 200, body: '{"error":1}' }), returnType(boundType, 'classify'), 'bound.classify');
  bound.value.dispose();
  assertShape(bound.value.apply({ url: './items' }), returnType(boundType, 'apply'), 'bound.apply after dispose');
});

test('what the module answers has the declared shape: flows and connection states', () => {
  const now = { now: 50 };
  answers('authorizeBegin', oauth, oauthContext, now);
  answers('authorizeBegin', apiKey, context, now);
  const begun = engine.authorizeBegin(oauth, oauthContext, now);
  assert.equal(begun.ok, true, JSON.stringify(begun));
  const pending = begun.value.pending;
  answers('authorizeCallback', oauth, oauthContext, pending, { state: pending.state, code: 'c' }, now);
  answers('authorizeCallback', oauth, oauthContext, pending, { state: 'other', code: 'c' }, now);
  const tokens = { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ access_token: 'a', refresh_token: 'r', expires_in: 60, scope: 'openid' }) };
  for (const response of [tokens, { status: 400, body: '{"error":"invalid_grant"}' }, { network_error: 'ECONNREFUSED' }]) {
    answers('authorizeFinish', oauth, { ...oauthContext, flow: { ...oauthContext.flow, code: 'c', verifier: pending.verifier } }, response, now);
    answers('refreshFinish', oauth, oauthContext, response, now);
    answers('testFinish', oauth, oauthContext, response);
  }
  answers('refreshNeeded', oauthContext, now);
  answers('refreshDeadline', oauthContext);
  answers('refreshBegin', oauth, oauthContext, now);
  answers('refreshBegin', apiKey, context, now);
  answers('testBegin', oauth, oauthContext, now);
  answers('revokeBegin', oauth, oauthContext, now);
  answers('connectBegin', apiKey, context, now);
  answers('connectFinish', apiKey, context, { status: 200, body: '{}' }, now);

  let state = engine.stateSuccess(null, { now: 40 }).value;
  const statuses = new Set();
  for (const cause of ['provider_unavailable', 'provider_unavailable', 'provider_unavailable', 'authorization_revoked']) {
    const failed = engine.stateFailure(state, cause, 'HTTP 503', { now: 60, randomFraction: 0.5 });
    assertShape(failed, returnType(connauthType, 'stateFailure'), `stateFailure ${cause}`);
    state = failed.value;
    statuses.add(state.status);
    // degraded, then lost: every status the view can show.
    answers('stateView', state, true);
    answers('stateView', state, false);
  }
  assert.deepEqual([...statuses].sort(), ['degraded', 'lost']);
  answers('stateSuccess', state, { now: 70, version: 3 });
  answers('stateDisconnect', state, 'by the user', { now: 80 });
  answers('stateView', null);
});

test('what the module answers has the declared shape: loop and consent steps', () => {
  answers('connectionStep', apiKey, context, null, { type: 'start', operation: 'check' }, { now: 1 });
  answers('connectionStep', oauth, oauthContext, null, { type: 'start', operation: 'renew', force: true, reason: 'test' }, { now: 1 });
  answers('connectionStep', apiKey, context, null, { type: 'nonsense' }, { now: 1 });
  answers('useStep', null, { type: 'start' });
  answers('consentStep', null, { type: 'open' });
  answers('consentStep', null, { type: 'nonsense' });
});
