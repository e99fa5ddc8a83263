// Token revocation (SPEC §9, RFC 7009): after a connection's tokens are
// deleted (disconnect, app reset, app delete), the provider is asked to
// revoke them, so a copy of a deleted token stops working at the provider
// too. Best effort: the deletion has already happened and is never undone
// or delayed by this; a failure is one structured log line, never an error
// to the caller. The engine decides whether there is anything to revoke and
// builds the request (revokeBegin: the connector's revocation_url, the
// refresh token else the access token, the client authenticated as at the
// token endpoint); this file signs its JWTs (jwt_sign.mjs: a private_key_jwt
// client assertion) and sends it through the app's egress list.
import { getEngine } from './engine.mjs';
import { engineContext, sender } from './flows.mjs';
import { log } from './log.mjs';
import { signRequest } from '../../wasm/jwt_sign.mjs';

/**
 * Revokes the tokens of `hash` (the deleted connection hash) for `use`
 * (OrgStore.appForUse's shape). `ref` names the connection in the log line.
 * Never throws. Answers 'revoked', 'nothing' (no revocation_url, no token)
 * or 'failed'.
 */
export async function revokeTokens(use, hash, ref) {
  const failed = (fields) => {
    log('revocation_failed', { org: ref.org, app: ref.app, user: ref.user, ...fields }, 'error');
    return 'failed';
  };
  try {
    const engine = await getEngine();
    const begun = engine.revokeBegin(use.connector.definition, engineContext(hash, use));
    if (!begun.ok) return failed({ error: begun.error?.detail || 'the connector cannot build the revocation request' });
    const { request } = begun.value;
    if (!request) return 'nothing';
    const signed = await signRequest(request);
    if (!signed.ok) return failed({ error: signed.error.detail });
    const sent = await sender(engine, use)(signed.value);
    if (!sent.ok) return failed({ error: sent.error.code });
    if (sent.value.network_error !== undefined) return failed({ error: sent.value.network_error });
    // RFC 7009 §2.2: 200 whether or not the token was still valid.
    if (sent.value.status < 200 || sent.value.status > 299) {
      return failed({ http_status: sent.value.status, error: oauthErrorCode(sent.value.body) });
    }
    return 'revoked';
  } catch (err) {
    return failed({ error: `internal error: ${err?.name ?? 'unknown'}` });
  }
}

// The RFC 6749 §5.2 `error` code of an error answer (RFC 7009 §2.2.1), only
// when it is a registered one: anything else a provider sends could echo what
// it was sent, and the token must never reach a log.
const ERROR_CODES = new Set(['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client',
  'unsupported_grant_type', 'unsupported_token_type', 'invalid_token', 'access_denied', 'server_error',
  'temporarily_unavailable']);

function oauthErrorCode(body) {
  let code;
  try {
    code = JSON.parse(body)?.error;
  } catch { /* not JSON */ }
  return ERROR_CODES.has(code) ? code : 'no registered error code';
}
