// Drives the demo provider's login and consent pages (oidc-provider
// devInteractions) over plain HTTP, as a user in the consent popup would:
// follow redirects by hand, keep cookies, read each page's form and submit it.
// Node tests use it to finish the authorization-code flow without a browser.
//
//   const redirect = await completeConsent(authorizationUrl, { login: 'alice' });
//   new URL(redirect).searchParams.get('code')
import { CookieJar } from './cookie-jar.mjs';

const MAX_STEPS = 20;

function decodeEntities(text) {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

// The interaction page's form: its action, hidden inputs and which prompt
// (login or consent) it answers; and the page's cancel (abort) link.
function readPage(html, pageUrl) {
  const form = /<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  const abort = /<a\b[^>]*\bhref="([^"]*\/abort)"/i.exec(html);
  if (!form) return undefined;
  const fields = {};
  for (const input of form[2].matchAll(/<input\b[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(input[0]);
    const value = /\bvalue="([^"]*)"/i.exec(input[0]);
    if (name) fields[decodeEntities(name[1])] = value ? decodeEntities(value[1]) : '';
  }
  return {
    action: new URL(decodeEntities(form[1]), pageUrl).href,
    abortUrl: abort ? new URL(decodeEntities(abort[1]), pageUrl).href : undefined,
    prompt: fields.prompt,
    fields,
  };
}

function pageText(html) {
  return html.replace(/<style[\s\S]*?<\/style>/gi, '').replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ').trim().slice(0, 300);
}

// options:
//   login     account name to sign in as (any name works; it becomes the account id). Default 'alice'
//   password  any string (devInteractions accepts any). Default 'demo'
//   deny      true: press Cancel on the first page → redirect with error=access_denied
//   fetch     fetch implementation (default globalThis.fetch)
// Resolves to the URL the provider redirects to outside itself: the client's
// redirect_uri with code & state (and iss, RFC 9207), or with error=...
export async function completeConsent(authorizationUrl, options = {}) {
  const { login = 'alice', password = 'demo', deny = false } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const providerOrigin = new URL(authorizationUrl).origin;
  const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri');
  const jar = new CookieJar();

  let request = { url: authorizationUrl, method: 'GET' };
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const headers = { accept: 'text/html' };
    const cookie = jar.header(request.url);
    if (cookie) headers.cookie = cookie;
    if (request.body) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await fetchImpl(request.url, {
      method: request.method, headers, body: request.body, redirect: 'manual',
    });
    jar.store(request.url, res);

    if (res.status >= 300 && res.status < 400) {
      await res.arrayBuffer();
      const location = new URL(res.headers.get('location'), request.url).href;
      // Leaving the provider means the authorization response (RFC 6749 §4.1.2).
      if (new URL(location).origin !== providerOrigin
        || (redirectUri && location.startsWith(redirectUri))) return location;
      request = { url: location, method: 'GET' };
      continue;
    }

    const html = await res.text();
    const page = res.ok ? readPage(html, request.url) : undefined;
    if (!page) {
      throw new Error(`consent: unexpected page at ${request.url} (HTTP ${res.status}): ${pageText(html)}`);
    }
    if (deny) {
      if (!page.abortUrl) throw new Error(`consent: no cancel link on ${request.url}`);
      request = { url: page.abortUrl, method: 'GET' };
      continue;
    }
    const fields = { ...page.fields };
    if (page.prompt === 'login') Object.assign(fields, { login, password });
    request = { url: page.action, method: 'POST', body: new URLSearchParams(fields).toString() };
  }
  throw new Error(`consent: no redirect back to the client after ${MAX_STEPS} steps`);
}
