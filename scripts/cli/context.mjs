// The engine context the CLI builds from its files.

// APP.json (the app fields of SPEC §5) -> the `app` part of an engine context.
export function appContext(app) {
  const { client_id, client_secret, scopes, settings, default_expires_in, refresh_buffer, issuer } = app ?? {};
  return { client_id, client_secret, scopes, settings, default_expires_in, refresh_buffer, issuer };
}

/**
 * FIELDS.json completed as a connect form would be: a field left out takes
 * the `default` its connector declares (SPEC §2 connection.fields), including
 * the fields of `multi` options. The engine reads the connection hash as
 * given, so without this a connector whose `selected` reads a defaulted
 * field (connectors/examples/stripe_multi.json) could not connect.
 */
export function withFieldDefaults(engine, definition, fields) {
  const described = engine.describe(definition);
  if (!described.ok) return fields; // the flow itself reports the connector's problems
  const out = { ...fields };
  const lists = [described.value.fields, ...(described.value.options ?? []).map((o) => o.fields)];
  for (const field of lists.flat()) {
    if (field && out[field.name] === undefined && field.default !== undefined && field.default !== null) {
      out[field.name] = field.default;
    }
  }
  return out;
}
