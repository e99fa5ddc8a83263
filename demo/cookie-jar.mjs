// A minimal cookie jar for driving the provider's pages without a browser:
// oidc-provider keeps the interaction and session in cookies scoped to paths
// such as /interaction/<uid> and /auth/<uid> (RFC 6265 §5.1.4 path-match),
// and expires them with Max-Age=0 / a past Expires when done.
export class CookieJar {
  #cookies = new Map(); // `${path}\n${name}` -> { name, value, path }

  // Stores every Set-Cookie of a response to `requestUrl`.
  store(requestUrl, response) {
    const lines = response.headers.getSetCookie?.() ?? [];
    for (const line of lines) this.#storeOne(new URL(requestUrl), line);
  }

  #storeOne(url, line) {
    const [pair, ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    // RFC 6265 §5.1.4 default-path: the request path up to its last "/".
    let path = url.pathname.slice(0, url.pathname.lastIndexOf('/')) || '/';
    let expired = false;
    for (const attribute of attributes) {
      const [rawKey, ...rest] = attribute.split('=');
      const key = rawKey.trim().toLowerCase();
      const attr = rest.join('=').trim();
      if (key === 'path' && attr.startsWith('/')) path = attr;
      if (key === 'max-age' && Number(attr) <= 0) expired = true;
      if (key === 'expires' && Date.parse(attr) <= Date.now()) expired = true;
    }
    const key = `${path}\n${name}`;
    if (expired) this.#cookies.delete(key);
    else this.#cookies.set(key, { name, value, path });
  }

  // The Cookie header for a request to `requestUrl`, or undefined.
  header(requestUrl) {
    const { pathname } = new URL(requestUrl);
    const matches = [...this.#cookies.values()].filter(({ path }) => pathname === path
      || (pathname.startsWith(path) && (path.endsWith('/') || pathname[path.length] === '/')));
    // RFC 6265 §5.4: longer paths first.
    matches.sort((a, b) => b.path.length - a.path.length);
    return matches.length ? matches.map(({ name, value }) => `${name}=${value}`).join('; ') : undefined;
  }
}
