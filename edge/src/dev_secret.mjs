// The session secret scripts/dev and the CLI's `token` command use by
// default. It is published (in this repository), so the worker refuses it
// unless scripts/dev started it (session_keys.mjs).
export const DEV_SESSION_SECRET = 'connauth-dev-session-secret-DO-NOT-USE-IN-PRODUCTION';
