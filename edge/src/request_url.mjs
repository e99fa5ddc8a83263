// The path and query of a request, read from the URL string the runtime
// hands the worker (request.url) instead of parsing it again: the router
// and the proxy need only these two, and `new URL()` with its getters would
// cost every request a parse. A handler that needs more of the
// URL (searchParams, origin) parses it on demand (router.mjs `ctx.url`).
//
// request.url is the WHATWG URL serialization of an absolute URL. For http
// and https it is scheme "://" authority, then the path from the first "/"
// (the serialized authority holds no "/", "?" or "#": userinfo is
// percent-encoded, and the path always starts with "/"), then "?query" and
// "#fragment". The answers equal URL's `pathname` and `search` for the same
// string (an empty query gives "", as URL's does); anything else is parsed
// by URL itself.

/** {pathname, search} of a serialized URL (request.url). */
export function requestTarget(href) {
  const authority = href.startsWith('https://') ? 8 : href.startsWith('http://') ? 7 : -1;
  const slash = authority < 0 ? -1 : href.indexOf('/', authority);
  if (slash < 0) {
    const url = new URL(href);
    return { pathname: url.pathname, search: url.search };
  }
  const hash = href.indexOf('#', slash);
  const end = hash < 0 ? href.length : hash;
  const question = href.indexOf('?', slash);
  if (question < 0 || question > end) return { pathname: href.slice(slash, end), search: '' };
  return { pathname: href.slice(slash, question), search: question + 1 < end ? href.slice(question, end) : '' };
}
