// A TypeScript consumer of the whole public JS API, type-checked with
// `tsc --noEmit` (tests/node/types.test.mjs): every export and method is
// called the way its documentation says, and every answer is narrowed and
// read, so a declaration that drifts from the documented use fails to compile.
import { load, type Connauth, type ConnectorDefinition, type FlowContext, type Result } from '@connauth/engine';
import { runConnection, refreshState, lifecycleSettings } from '@connauth/engine/connection_loop';
import { signRequest, signJwt } from '@connauth/engine/jwt_sign';

const connector: ConnectorDefinition = {
  name: 'acme',
  connection: { base_uri: 'https://api.acme.example/v1/' },
  authorization: { type: 'api_key', apply: [{ headers: { 'X-Key': '{{connection.api_key}}' } }] },
};

function message<T>(result: Result<T>): string {
  return result.ok ? 'ok' : `${result.error.code}: ${result.error.message} ${result.error.problems?.map((p) => p.path).join(',') ?? ''}`;
}

export async function everything(): Promise<string[]> {
  const engine: Connauth = await load({ cacheSize: 8 });
  const seen: string[] = [];

  const described = engine.describe(connector);
  if (described.ok) {
    const { name, type, fields, has_test, signing_keys, options } = described.value;
    seen.push(name, type, String(has_test), ...fields.map((f) => `${f.name}:${f.secret}:${f.optional}`), ...(signing_keys ?? []));
    for (const warning of described.value.warnings ?? []) seen.push(warning.path);
    for (const applied of described.value.secret_fields_applied ?? []) seen.push(`${applied.field} at ${applied.path}`);
    for (const option of options ?? []) seen.push(option.key, option.type);
  }
  seen.push(message(engine.validate(JSON.stringify(connector))));

  const context = { connection: { api_key: 'k' }, app: { client_id: 'id', scopes: ['a'], settings: {} } };
  const applied = engine.apply(connector, context, { method: 'GET', url: 'me', headers: [['Accept', 'application/json']] }, { now: 1 });
  if (applied.ok) seen.push(applied.value.url, applied.value.method, applied.value.headers['X-Key'] ?? '', String(applied.value.jwts?.length ?? 0));
  const classified = engine.classify(connector, context, { status: 401, body: '' });
  if (classified.ok) {
    const action: 'ok' | 'refresh' | 'error' = classified.value.action;
    seen.push(action, classified.value.reason, classified.value.matched ?? '');
  }

  const bound = engine.bind(connector, context);
  if (bound.ok) {
    const connection = bound.value;
    seen.push(String(connection.readsBody), String(connection.readsRequestBody), String(connection.signs), String(connection.readsBodyFor(200)));
    const edits = connection.apply({ url: './items', contentType: null, body: new Uint8Array(0) });
    if (edits.ok) seen.push(edits.value.url, ...edits.value.headers.map(([name]) => name), edits.value.body ?? '');
    const verdict = connection.classify({ status: 200, body: new ArrayBuffer(0) });
    if (verdict.ok) seen.push(verdict.value.action);
    connection.dispose();
  }

  const form = engine.connectForm(connector, context);
  if (form.ok) seen.push(String(form.value.type), String(form.value.option), ...form.value.problems.map((p) => p.message));
  const egress = engine.egress(connector, { app: {} });
  if (egress.ok) seen.push(...egress.value.hosts, ...egress.value.unresolved);
  const identity = engine.identity(connector, context);
  if (identity.ok) seen.push(identity.value ?? 'unknown');

  const flow: FlowContext = { ...context, app: { ...context.app, refresh_buffer: 60 }, flow: { redirect_uri: 'https://edge.example/cb' } };
  const begun = engine.authorizeBegin(connector, flow, { now: 1 });
  if (!begun.ok) seen.push(begun.error.cause ?? 'no cause', begun.error.action ?? 'no action');
  const needed = engine.refreshNeeded(flow, { now: 1 });
  if (needed.ok) seen.push(String(needed.value));
  const deadline = engine.refreshDeadline(flow);
  if (deadline.ok) seen.push(String(deadline.value ?? 'never'));
  const refresh = engine.refreshBegin(connector, flow, { now: 1 });
  if (refresh.ok) seen.push(refresh.value.request.url);
  const refreshed = engine.refreshFinish(connector, flow, { network_error: 'ECONNREFUSED' });
  if (!refreshed.ok) seen.push(refreshed.error.cause ?? '');
  const next = engine.requestNextStep('refresh', false);
  if (next.ok) {
    const step: 'deliver' | 'refresh_and_retry' = next.value.next;
    seen.push(step);
  }
  const tested = engine.testBegin(connector, flow);
  if (tested.ok) seen.push(tested.value.request?.url ?? 'no test');
  const testAnswer = engine.testFinish(connector, flow, { status: 200, headers: {}, body: '{}' }, { refreshed: false });
  if (testAnswer.ok) seen.push(testAnswer.value.outcome);
  const revoke = engine.revokeBegin(connector, flow);
  if (revoke.ok) seen.push(revoke.value.request === null ? 'nothing to revoke' : revoke.value.request.url);
  const connectBegun = engine.connectBegin(connector, flow);
  if (connectBegun.ok) seen.push(Object.keys(connectBegun.value).join(','));

  const failed = engine.stateFailure(null, 'provider_unavailable', 'HTTP 503', { now: 10, randomFraction: 0.5, settings: { lost_after_failures: 3 } });
  if (failed.ok) {
    const view = engine.stateView(failed.value, true);
    if (view.ok) {
      // Every status a connection can show, degraded and disabled among them.
      const shown: 'not_connected' | 'connected' | 'degraded' | 'lost' | 'disabled' = view.value.status;
      seen.push(shown, view.value.lost?.action ?? '', String(view.value.next_retry_at), ...view.value.history.map((h) => `${h.from}->${h.to}`));
    }
  }
  const ok = engine.stateSuccess(null, { now: 11, version: 2 });
  if (ok.ok) seen.push(ok.value.status, String(ok.value.last_working_version));
  const off = engine.stateDisconnect(null, 'by the user', { now: 12 });
  if (off.ok) seen.push(off.value.status);

  const step = engine.connectionStep(connector, flow, null, { type: 'start', operation: 'check' }, { now: 1 });
  if (step.ok) {
    for (const effect of step.value.effects) {
      if (effect.type === 'send') seen.push(effect.step, effect.request.url);
      else if (effect.type === 'fail') seen.push(effect.error.code);
      else if (effect.type === 'done') seen.push(Object.keys(effect.value).join(','));
    }
  }
  const use = engine.useStep(null, { type: 'start' });
  if (use.ok) seen.push(String(use.value.effects.length));
  const consent = engine.consentStep(null, { type: 'open' });
  if (consent.ok) seen.push(...consent.value.effects.map((e) => e.type));

  const ran = await runConnection(engine, connector, 'check', {}, {
    context: () => context,
    now: () => 1,
    send: async () => ({ ok: true, value: { status: 200, headers: [], body: '{}' } }),
    record: () => undefined,
  });
  seen.push(ran.ok ? Object.keys(ran.value).join(',') : ran.error.code);
  const due = refreshState(engine, context, 1);
  seen.push(String(due.due), String(due.expired));
  const policy = lifecycleSettings({ settings: { lost_after_failures: 2 } });
  seen.push(String(policy.lost_after_failures));

  if (applied.ok) {
    const signed = await signRequest(applied.value);
    seen.push(signed.ok ? signed.value.url : signed.error.message);
  }
  const jwt = await signJwt({ signing_input: 'e30.e30', alg: 'ES256', key: '-----BEGIN PRIVATE KEY-----', key_source: '/app/settings/private_key' });
  seen.push(jwt.ok ? jwt.value : jwt.error.code);

  engine.dispose();
  return seen;
}
