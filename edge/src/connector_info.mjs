// Host-side facts about a stored connector definition that the edge needs
// for its own policy (egress). The engine remains the authority on what a
// definition means; these only locate values in the JSON. Parsed once per
// definition text.

const CACHE_SIZE = 32;
const cache = new Map(); // definition text -> info (insertion order = LRU)

/** {json, requestUrls: [{path, url}]} for a definition text. */
export function connectorInfo(text) {
  let info = cache.get(text);
  if (info) {
    cache.delete(text);
  } else {
    const json = JSON.parse(text);
    info = { json, requestUrls: requestUrls(json) };
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value);
  }
  cache.set(text, info);
  return info;
}

// Every URL the edge itself may request for this connector (SPEC §2, §2.3):
// connection.base_uri (the proxy's base), token_url, and the url of the
// acquire, refresh and test requests, in the authorization and in each
// `multi` option. authorization_url is left out: the user's browser
// navigates there, the edge never fetches it.
function requestUrls(def) {
  const out = [];
  const add = (path, url) => {
    if (typeof url === 'string') out.push({ path, url });
  };
  add('/connection/base_uri', def?.connection?.base_uri);
  add('/test/url', def?.test?.url);
  const auth = (a, at) => {
    if (!a || typeof a !== 'object') return;
    add(`${at}/token_url`, a.token_url);
    for (const key of ['acquire', 'refresh']) {
      const request = a[key]?.request;
      if (request && typeof request === 'object') add(`${at}/${key}/request/url`, request.url);
    }
    if (a.options && typeof a.options === 'object') {
      for (const [name, option] of Object.entries(a.options)) auth(option, `${at}/options/${name}`);
    }
  };
  auth(def?.authorization, '/authorization');
  return out;
}
