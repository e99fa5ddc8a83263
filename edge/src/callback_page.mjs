// The small page GET /oauth/callback answers (SPEC §7, §8): it hands
// {type: 'connauth:oauth', state, ok, error, message, callback} to the
// console that opened the consent popup and closes itself. `callback` (with
// ok) is the provider's answer as it came (the query string: the code, never
// a token); that console completes the connection with it, its session and
// its binding (consent_completion.mjs).
//
//  - window.opener.postMessage(result, origin) with the console's EXACT
//    origin — the one recorded when it started connecting (the edge's own, or
//    one of CONSOLE_ORIGINS) — never '*': a page on any other origin never
//    receives it (HTML §9.3.3);
//  - with no opener (a `noopener` connector, or the opener navigated away),
//    when that console is on this origin: new BroadcastChannel('connauth:' +
//    state).postMessage(result), which only reaches pages of the same origin
//    (HTML §9.5); otherwise an answer stays here and the page says nothing
//    was connected;
//  - then window.close().
//
// Its one script runs under a strict CSP: a fresh nonce per response, no
// 'unsafe-inline', nothing else loadable (default-src 'none'). The result is
// embedded as JSON with '<', '>', '&', U+2028 and U+2029 escaped, so no value
// can end the script element. The URL carries a one-time code: the page is
// never cached and sends no Referer.

const TITLE = 'connauth';

function nonce() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

// JSON that can sit inside a <script> element.
function scriptJson(value) {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function html(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Shown when the page has no console to hand the answer to.
const ORPHANED = 'This window is not connected to the console that started connecting, so nothing was connected. '
  + 'Start connecting from the console. If you did not start it, someone may have sent you their link: ignore it.';

// The script, kept free of anything but the embedded values.
function script(result, origin) {
  return `(() => {
  const result = ${scriptJson(result)};
  const origin = ${scriptJson(origin)};
  let posted = false;
  try {
    if (window.opener && window.opener !== window) {
      window.opener.postMessage(result, origin);
      posted = true;
    }
  } catch (e) {}
  if (!posted && origin === window.location.origin && typeof result.state === 'string' && typeof BroadcastChannel === 'function') {
    const channel = new BroadcastChannel('connauth:' + result.state);
    channel.postMessage(result);
    channel.close();
    posted = true;
  }
  if (!posted && result.ok) {
    const heading = document.getElementById('heading');
    const text = document.getElementById('text');
    if (heading) heading.textContent = 'Not connected';
    if (text) text.textContent = ${scriptJson(ORPHANED)};
    return;
  }
  setTimeout(() => window.close(), 50);
})();`;
}

/**
 * The callback page. `origin`: the console's exact origin; the result:
 * {state (string|null), ok, error (code|null), message, action, callback
 * (with ok: the provider's answer, the query string)}. Status 200 for an
 * answer to hand on, 400 for a refused callback (the page is the same
 * either way: it is for the popup, not for a program).
 */
export function callbackPage({ origin, state, ok, error = null, message = '', action = '', callback }) {
  const result = { type: 'connauth:oauth', state: typeof state === 'string' ? state : null, ok: Boolean(ok), error: ok ? null : error, message };
  if (ok) result.callback = String(callback ?? '');
  const n = nonce();
  const heading = ok ? 'Finishing' : 'Not connected';
  const text = ok ? 'The console that opened this window finishes connecting; it closes by itself.' : `${message}${action ? ` ${action}` : ''}`;
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${TITLE}: ${heading}</title>
<style nonce="${n}">body{font:15px/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}</style>
</head><body><h1 id="heading">${html(heading)}</h1><p id="text">${html(text)}</p>
<script nonce="${n}">${script(result, origin)}</script>
</body></html>`;
  return new Response(body, {
    status: ok ? 200 : 400,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': [
        "default-src 'none'",
        `script-src 'nonce-${n}'`,
        `style-src 'nonce-${n}'`,
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
      ].join('; '),
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    },
  });
}
