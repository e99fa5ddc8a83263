// The one place that turns failures into HTTP responses (errors are values
// with a code; one function maps them to the wire). Bodies are RFC 9457
// problem details that keep SPEC §7's members: {"type", "title", "status",
// "detail", "error": "<code>", "message": "...", ...extra}.
import { fail } from './result.mjs';

// Wire code -> [HTTP status, RFC 9457 title: the same for every occurrence].
// A code missing here is a bug and answers 500.
const PROBLEMS = {
  invalid_json: [400, 'The request body is not a JSON object'],
  invalid_input: [400, 'The input is not valid'],
  invalid_request: [400, 'The request is not valid'],
  invalid_connector: [400, 'The connector definition is not valid'],
  invalid_app: [400, 'The app is not valid'],
  invalid_fields: [400, 'The connection fields are not valid'],
  invalid_path: [400, 'The path is not valid'],
  unauthorized: [401, 'No valid session'],
  forbidden: [403, 'Not allowed for this session'],
  app_disabled: [403, 'The app is disabled'],
  egress_denied: [403, 'The host is not in the egress list'],
  not_found: [404, 'Not found'],
  method_not_allowed: [405, 'Method not allowed'],
  not_connected: [409, 'Not connected'],
  connection_lost: [409, 'The connection is lost'],
  conflict: [409, 'The app changed during the request'],
  connect_failed: [422, 'The connection could not be made'],
  precondition_failed: [412, 'The object changed since it was read'],
  payload_too_large: [413, 'The body is too large'],
  rate_limited: [429, 'Too many requests'],
  headers_too_large: [431, 'The headers are too large'],
  internal_error: [500, 'Internal error'],
  server_misconfigured: [500, 'The service is misconfigured'],
  not_implemented: [501, 'Not implemented'],
  connector_error: [502, 'The connector could not authorize the request'],
  upstream_unreachable: [502, 'The provider could not be reached'],
  upstream_redirect_refused: [502, 'The provider redirected to this service'],
  connection_degraded: [503, 'The connection is degraded'],
  server_busy: [503, 'The service is busy'],
  provider_unavailable: [503, 'The provider is unavailable'],
  upstream_timeout: [504, 'The provider did not answer in time'],
};

// RFC 9457 §3.1.1: the type identifies the problem; it is not meant to be
// fetched (the scheme is the one the consent popup's messages use).
const problemType = (code) => `connauth:problem:${code}`;

// The header that marks every answer the service makes itself, proxy
// refusals among them, so that a caller tells them from a provider's answer
// (the proxy never passes an upstream header of this name: response_headers.mjs).
export const ERROR_HEADER = 'connauth-error';

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
  return PROBLEMS[code]?.[0] ?? 500;
}

// RFC 9457 §3: application/problem+json, otherwise the API's headers.
const problemHeaders = (code) => ({ ...API_HEADERS, 'content-type': 'application/problem+json', [ERROR_HEADER]: code });

function problem(code, message) {
  const [status, title] = PROBLEMS[code];
  return { type: problemType(code), title, status, detail: message, error: code, message };
}

/**
 * Turns a failed Result's error into the wire response. Only `code`,
 * `message` and the documented extras (details, lost, reason, action, allow) leave the
 * worker; anything else on the error object stays inside.
 */
export function errorResponse(error) {
  if (PROBLEMS[error.code] === undefined) {
    return new Response(JSON.stringify(problem('internal_error', 'internal error')),
      { status: 500, headers: problemHeaders('internal_error') });
  }
  const body = problem(error.code, error.message ?? error.code);
  // The engine's failure shape names them `problems` and `retry_after`.
  const details = error.details ?? error.problems;
  if (details !== undefined) body.details = details;
  if (error.lost !== undefined) body.lost = error.lost;
  // A consent completion's failure (consent_completion.mjs): the popup's reason and what to do.
  if (typeof error.reason === 'string') body.reason = error.reason;
  if (typeof error.action === 'string' && error.action) body.action = error.action;
  const retryAfter = error.retryAfter ?? error.retry_after;
  const headers = problemHeaders(error.code);
  if (error.code === 'method_not_allowed' && error.allow) headers.allow = error.allow.join(', ');
  if (error.code === 'unauthorized') headers['www-authenticate'] = 'Bearer';
  if (Number.isInteger(retryAfter)) headers['retry-after'] = String(retryAfter); // RFC 9110 §10.2.3
  return new Response(JSON.stringify(body), { status: body.status, headers });
}

/** The refusal of an admin route to a member. */
export const forbidden = (message = 'this operation needs the admin role') => fail('forbidden', message);
