// The connectors, contexts and requests the engine benchmarks use (apply,
// signals, cold start), generated so that the same definitions feed the
// WASM runs and the native comparison (bench/native/engine_bench.cpp).

export const BASE_URI = 'https://api.bench.test/v1/';

// Rule i of a connector with n apply rules: a realistic mix of what SPEC §2.4
// allows — unconditional headers, url prefix / contains / regex conditions,
// verb conditions with payload, query params — each with a template.
function rule(i) {
  if (i === 0) return { headers: { Authorization: 'Bearer {{access_token}}', Accept: 'application/json' } };
  switch (i % 4) {
    case 1: return { when: { url: { prefix: `${BASE_URI}items/` } }, headers: { [`X-Tenant-${i}`]: '{{connection.tenant}}' } };
    case 2: return { when: { verb: ['POST', 'PUT', 'PATCH'] }, payload: { [`field_${i}`]: '{{connection.tenant}}' } };
    case 3: return { when: { url: { contains: '/items' } }, params: { [`p${i}`]: '{{connection.tenant}}' } };
    default: return {
      when: { url: { regex: '^https://api\\.bench\\.test/v1/(items|users)/[0-9]+' } },
      headers: { [`X-Region-${i}`]: '{{connection.region | default: "eu"}}' },
    };
  }
}

/** An oauth2 connector with `n` apply rules. */
export function connectorWithRules(n) {
  return {
    name: `bench_rules_${n}`,
    title: `Bench (${n} rules)`,
    connection: { fields: [{ name: 'tenant', label: 'Tenant' }, { name: 'region', label: 'Region', optional: true }], base_uri: BASE_URI },
    authorization: {
      type: 'oauth2',
      authorization_url: 'https://auth.bench.test/authorize',
      token_url: 'https://auth.bench.test/token',
      apply: Array.from({ length: n }, (_, i) => rule(i)),
      refresh_on: [401],
    },
  };
}

/** The context of a connected user with a cached token. */
export const applyContext = {
  connection: { tenant: 'acme corp', access_token: 'at-0123456789abcdef0123456789abcdef', expires_at: 4102444800 },
  app: { client_id: 'bench-client', client_secret: 'bench-secret', scopes: ['read'], settings: {} },
};

/** A typical proxied request: GET on a relative path with a few headers. */
export const applyRequest = {
  method: 'GET',
  url: 'items/42?page=2',
  headers: { accept: 'application/json', 'user-agent': 'bench/1.0', 'x-request-id': 'b7e1c0de' },
  body: '',
};

/**
 * Connectors for signal matching: one `detect_on` regex each (bodies are
 * classified as 200 responses, so detect_on decides: SPEC §2.5 rule 1).
 * `js` is the same pattern for JavaScript's RegExp; `body(size)` builds a
 * body of `size` bytes that does not match until its end (or at all), the
 * worst case for a scanner.
 */
export const signalCases = [
  {
    name: 'typical: literal',
    pattern: 'invalid_token', flags: '',
    body: (size) => filler(size, '{"data":[{"id":1,"name":"x"}],"next":null}'),
  },
  {
    name: 'typical: json error',
    pattern: '"error"\\s*:\\s*"(invalid_token|expired_token)"', flags: 'i',
    body: (size) => filler(size, '{"error": "none", "items": [1, 2, 3]} '),
  },
  {
    name: 'pathological: (a+)+$',
    pattern: '(a+)+$', flags: '',
    body: (size) => 'a'.repeat(size - 1) + '!',
  },
  {
    name: 'pathological: (.*a){12}',
    pattern: '(.*a){12}', flags: '',
    body: (size) => 'a'.repeat(11) + 'b'.repeat(size - 11),
  },
  {
    name: 'pathological: ^(\\w+\\s?)*$',
    pattern: '^(\\w+\\s?)*$', flags: '',
    body: (size) => 'word '.repeat(Math.floor(size / 5)).slice(0, size - 1) + '!',
  },
];

function filler(size, unit) {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/** A connector whose only signal is `detect_on: [{regex, flags}]`. */
export function signalConnector(pattern, flags) {
  return {
    name: 'bench_signals',
    connection: { base_uri: BASE_URI },
    authorization: {
      type: 'api_key',
      apply: [{ headers: { 'X-Api-Key': '{{connection.key}}' } }],
      detect_on: [flags ? { regex: pattern, flags } : { regex: pattern }],
    },
  };
}

/** The same connector with a status-only signal: the body crosses, nothing scans it. */
export const statusOnlyConnector = {
  name: 'bench_status',
  connection: { base_uri: BASE_URI },
  authorization: { type: 'api_key', apply: [{ headers: { 'X-Api-Key': '{{connection.key}}' } }], detect_on: [299] },
};
