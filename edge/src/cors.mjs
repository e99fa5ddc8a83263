// Cross-origin access to /api/* for the admin consoles that embed connauth
// (SPEC §8). CONSOLE_ORIGINS lists them, comma-separated, as exact origins
// (scheme://host[:port]). An allowed origin gets its preflight answered and
// its responses readable (Fetch §3.2: Access-Control-Allow-Origin names that
// one origin, with Vary: Origin so no cache hands one console's answer to
// another); any other origin gets no Access-Control-Allow-Origin, so its
// browser shows it nothing. Credentials (cookies) are never allowed: the API
// authenticates by the bearer token alone. /proxy/* gets none of this: it
// is never readable cross-origin (a preflight carries no token and is
// refused there).
import { fail, ok } from './result.mjs';

/** Methods of the API routes (SPEC §7). */
const METHODS = 'GET, POST, PUT, PATCH, DELETE';
/** The request headers consoles send besides the CORS-safelisted ones (if-match: preconditions.mjs). */
const HEADERS = 'authorization, content-type, if-match';
/** How long a browser may reuse a preflight's answer, in seconds. */
const MAX_AGE_SECONDS = 600;

let parsed; // {text, origins: Set | null, error}

/**
 * The allowed console origins from CONSOLE_ORIGINS (a Set, empty when
 * unset), or a `server_misconfigured` failure naming the entry that is not
 * an origin. Parsed once per value.
 */
export function consoleOrigins(env) {
  const text = typeof env.CONSOLE_ORIGINS === 'string' ? env.CONSOLE_ORIGINS : '';
  if (parsed?.text !== text) parsed = { text, ...parseOrigins(text) };
  return parsed.error ? fail('server_misconfigured', parsed.error) : ok(parsed.origins);
}

function parseOrigins(text) {
  const origins = new Set();
  for (const [index, raw] of text.split(',').entries()) {
    const entry = raw.trim();
    if (!entry) continue;
    let url;
    try {
      url = new URL(entry);
    } catch {
      url = null;
    }
    // An origin, exactly: no path, query or credentials, as browsers send it (RFC 6454 §6.2).
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== entry.replace(/\/$/, '')) {
      return { origins: null, error: `CONSOLE_ORIGINS entry ${index + 1} is not an origin like https://console.example.com` };
    }
    origins.add(url.origin);
  }
  return { origins, error: null };
}

/** Whether `origin` (a request's Origin header) may call the API from a browser. */
export function isConsoleOrigin(env, origin) {
  if (typeof origin !== 'string' || !origin) return false;
  const origins = consoleOrigins(env);
  return origins.ok && origins.value.has(origin);
}

/** OPTIONS /api/*: the preflight's answer (Fetch §3.2.2). */
export function preflight(env, origin) {
  if (!isConsoleOrigin(env, origin)) {
    return new Response(null, { status: 204, headers: { vary: 'Origin' } });
  }
  return new Response(null, {
    status: 204,
    headers: {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': METHODS,
      'access-control-allow-headers': HEADERS,
      'access-control-max-age': String(MAX_AGE_SECONDS),
      vary: 'Origin',
    },
  });
}

/**
 * An /api/* answer made readable by `origin` when it is allowed; Vary:
 * Origin either way, as the answer depends on it.
 */
export function withCors(response, env, origin) {
  const allowed = isConsoleOrigin(env, origin);
  let answer = response;
  try {
    answer.headers.append('vary', 'Origin');
  } catch {
    answer = new Response(response.body, response); // immutable headers (a fetched response)
    answer.headers.append('vary', 'Origin');
  }
  if (allowed) {
    answer.headers.set('access-control-allow-origin', origin);
    answer.headers.set('access-control-expose-headers', 'etag, retry-after, www-authenticate');
  }
  return answer;
}

/**
 * The console a connect request comes from, where the consent popup's
 * result will be posted (SPEC §8): the request's Origin when it is this
 * service's own (`ownOrigin`, the standalone console) or an allowed one;
 * `ownOrigin` when there is none (not a browser). Any other origin is
 * refused: no result may reach it.
 */
export function requestConsoleOrigin(request, env, ownOrigin) {
  const origin = request.headers.get('origin');
  if (origin === null || origin === ownOrigin) return ok(ownOrigin);
  if (isConsoleOrigin(env, origin)) return ok(origin);
  return fail('forbidden', 'this console\'s origin may not start connections: it is not in CONSOLE_ORIGINS');
}
