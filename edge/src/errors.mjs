// The one place that turns failures into HTTP responses (errors are values
// with a code; one function maps them to the wire). Bodies are always
// JSON {"error": "<code>", "message": "...", ...extra} (SPEC §7).
import { fail } from './result.mjs';

// Wire code -> HTTP status. A code missing here is a bug and answers 500.
const STATUS = {
  invalid_json: 400,
  invalid_input: 400,
  invalid_request: 400,
  invalid_connector: 400,
  invalid_app: 400,
  invalid_fields: 400,
  invalid_path: 400,
  unauthorized: 401,
  forbidden: 403,
  app_disabled: 403,
  egress_denied: 403,
  not_found: 404,
  method_not_allowed: 405,
  not_connected: 409,
  connection_lost: 409,
  conflict: 409,
  connect_failed: 422,
  payload_too_large: 413,
  rate_limited: 429,
  headers_too_large: 431,
  internal_error: 500,
  server_misconfigured: 500,
  not_implemented: 501,
  connector_error: 502,
  upstream_unreachable: 502,
  upstream_redirect_refused: 502,
  connection_degraded: 503,
  server_busy: 503,
  provider_unavailable: 503,
  upstream_timeout: 504,
};

// Headers every API answer carries: API bodies are per-user and must not be
// cached by anything in between; nosniff keeps browsers from guessing types.
const API_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** A JSON response with the API headers. */
export function json(status, body, headers = {}) {
  return new Response(JSON.stringify(body), { status, headers: { ...API_HEADERS, ...headers } });
}

/** The HTTP status a wire code answers with. */
export function statusOf(code) {
  return STATUS[code] ?? 500;
}

/**
 * Turns a failed Result's error into the wire response. Only `code`,
 * `message` and the documented extras (details, lost, reason, action, allow) leave the
 * worker; anything else on the error object stays inside.
 */
export function errorResponse(error) {
  const status = STATUS[error.code];
  if (status === undefined) {
    return json(500, { error: 'internal_error', message: 'internal error' });
  }
  const body = { error: error.code, message: error.message ?? error.code };
  // The engine's failure shape names them `problems` and `retry_after`.
  const details = error.details ?? error.problems;
  if (details !== undefined) body.details = details;
  if (error.lost !== undefined) body.lost = error.lost;
  // A consent completion's failure (consent_completion.mjs): the popup's reason and what to do.
  if (typeof error.reason === 'string') body.reason = error.reason;
  if (typeof error.action === 'string' && error.action) body.action = error.action;
  const retryAfter = error.retryAfter ?? error.retry_after;
  const headers = {};
  if (error.code === 'method_not_allowed' && error.allow) headers.allow = error.allow.join(', ');
  if (error.code === 'unauthorized') headers['www-authenticate'] = 'Bearer';
  if (Number.isInteger(retryAfter)) headers['retry-after'] = String(retryAfter); // RFC 9110 §10.2.3
  return json(status, body, headers);
}

/** The refusal of an admin route to a member. */
export const forbidden = (message = 'this operation needs the admin role') => fail('forbidden', message);
