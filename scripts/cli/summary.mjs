// What `authorize`, `connect` and `request` say about a stored connection:
// never a token or a secret, only whether there is one and when it expires.

/** Seconds since the epoch as an ISO time and "in N s". */
export function describeExpiry(expiresAt, now = Math.floor(Date.now() / 1000)) {
  if (typeof expiresAt !== 'number') return 'expiry unknown (refreshed when the provider signals it)';
  const iso = new Date(expiresAt * 1000).toISOString().replace('.000Z', 'Z');
  const left = expiresAt - now;
  return left >= 0 ? `expires ${iso} (in ${left} s)` : `expired ${iso} (${-left} s ago)`;
}

/**
 * `identity_problem` says why the account is unknown (SPEC §10: the
 * connection is made all the same); `scope` is the scope the provider
 * granted (oauth2); `account_changed` {from, to}: the connection replaced
 * one of another account (the engine's comparison).
 */
export function printConnectionSummary(out, {
  identity, connection, warnings = [], outPath, status = 'connected', scope = null, identity_problem: problem = null,
  account_changed: changed = null,
}) {
  out.result({ ok: true, value: connectionSummary({ identity, connection, warnings, outPath, status, scope, problem, changed }) });
  out.stdout(`${status}${identity ? `: ${identity}` : ''}`);
  if (changed) {
    out.stdout(`account changed: from ${changed.from} to ${changed.to}`);
    out.stderr(`warning: ${outPath} was a connection of ${changed.from}; it now acts as ${changed.to}`);
  }
  if (problem) out.stderr(`warning: the account is unknown: ${problem}`);
  if (typeof scope === 'string') out.stdout(`granted scope: ${scope || '(none)'}`);
  out.stdout(`connection written to ${outPath} (mode 0600: it holds credentials)`);
  if (typeof connection.access_token === 'string') out.stdout(`access token: ${describeExpiry(connection.expires_at)}`);
  if ('refresh_token' in connection || typeof connection.access_token === 'string') {
    out.stdout(`refresh token: ${typeof connection.refresh_token === 'string' ? 'yes' : 'no'}`);
  }
  for (const w of warnings) out.stderr(`warning: ${w}`);
}

/**
 * The summary as the JSON document's value: the connection file's path and
 * facts about its tokens (held, expiry), never the tokens themselves.
 */
function connectionSummary({ identity, connection, warnings, outPath, status, scope, problem, changed }) {
  const hasAccessToken = typeof connection.access_token === 'string';
  return {
    status,
    identity: identity ?? null,
    ...(problem ? { identity_problem: problem } : {}),
    ...(typeof scope === 'string' ? { scope } : {}),
    ...(changed ? { account_changed: changed } : {}),
    connection_file: outPath,
    access_token: hasAccessToken,
    expires_at: hasAccessToken && typeof connection.expires_at === 'number' ? connection.expires_at : null,
    refresh_token: typeof connection.refresh_token === 'string',
    warnings,
  };
}
