// The connector catalog: ready-made connectors for well-known providers
// (connectors/catalog/), built into the console as one asset,
// web/catalog.json (scripts/catalog-asset.mjs). It is fetched the first time
// an admin starts from the catalog, never with the console itself, and from
// the edge that served this module (the asset sits next to it).

const CATALOG_URL = new URL('../catalog.json', import.meta.url);

let loading = null; // the one fetch of this page; forgotten when it fails, so Retry fetches again

/** Result {ok: true, value: entries} | {ok: false, error: {code, message}}; never throws. */
export function loadCatalog() {
  loading ??= fetchCatalog().then((answer) => {
    if (!answer.ok) loading = null;
    return answer;
  });
  return loading;
}

async function fetchCatalog() {
  let response;
  try {
    response = await fetch(CATALOG_URL, { credentials: 'omit', referrerPolicy: 'no-referrer' });
  } catch {
    return failure('network_error', 'The connector catalog could not be reached. Check your network and try again.');
  }
  if (!response.ok) {
    return failure('catalog_unavailable', `The connector catalog is not available from this service (HTTP ${response.status} for ${CATALOG_URL.pathname}).`);
  }
  try {
    const body = await response.json();
    if (!Array.isArray(body?.entries)) throw new TypeError('no entries');
    return { ok: true, value: body.entries };
  } catch {
    return failure('catalog_unreadable', `The connector catalog at ${CATALOG_URL.pathname} is not a catalog (expected {"entries": [...]}).`);
  }
}

const failure = (code, message) => ({ ok: false, error: { code, message } });

/**
 * The entries whose name or title contain every word of `query` (any case),
 * those whose name or title starts with the query first; all of them for an
 * empty query. The catalog's own order (by title) otherwise.
 */
export function searchCatalog(entries, query) {
  const words = String(query ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return entries;
  const whole = words.join(' ');
  const matches = entries.filter((e) => {
    const text = `${e.name} ${e.title}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
  const leading = (e) => e.name.toLowerCase().startsWith(whole) || e.title.toLowerCase().startsWith(whole);
  return [...matches.filter(leading), ...matches.filter((e) => !leading(e))];
}

const TYPE_LABELS = {
  oauth2: 'OAuth 2.0',
  api_key: 'API key',
  basic_auth: 'Basic auth',
  custom_auth: 'Custom',
};

/** "OAuth 2.0", "API key", ... ; a `multi` entry: its options' ("OAuth 2.0 or API key"). */
export function authLabel(entry) {
  if (entry.type !== 'multi') return TYPE_LABELS[entry.type] ?? entry.type;
  const labels = [...new Set((entry.options ?? []).map((o) => TYPE_LABELS[o.type] ?? o.type))];
  return labels.length ? labels.join(' or ') : 'Multiple';
}

/** Whether the app needs the provider's client id and secret (an OAuth 2.0 entry, or an option of one). */
export function usesOAuth(entry) {
  return entry.type === 'oauth2' || (entry.options ?? []).some((o) => o.type === 'oauth2');
}

/** The entry's documentation link, if it is an https URL (nothing else becomes a link). */
export function documentationUrl(entry) {
  try {
    const url = new URL(entry.documentation);
    return url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** The entry's definition as the editor shows it and PUT /api/connectors/{name} stores it. */
export function definitionText(entry) {
  return `${JSON.stringify(entry.definition, null, 2)}\n`;
}
