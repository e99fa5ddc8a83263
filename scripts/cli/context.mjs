// APP.json (the app fields of SPEC §5) -> the `app` part of an engine context.
export function appContext(app) {
  const { client_id, client_secret, scopes, settings, default_expires_in, refresh_buffer, issuer } = app ?? {};
  return { client_id, client_secret, scopes, settings, default_expires_in, refresh_buffer, issuer };
}
