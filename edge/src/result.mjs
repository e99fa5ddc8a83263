// Result values: every fallible step
// returns {ok: true, value} | {ok: false, error}, never throws on the request
// path. `error` is {code, message, ...extra}: `code` is the wire code of
// errors.mjs (which alone maps it to an HTTP status), `message` is safe to
// show (never a token or secret), extra members (details, lost) go on the wire.

export const ok = (value) => ({ ok: true, value });

export const fail = (code, message, extra = {}) => ({ ok: false, error: { code, message, ...extra } });

/** True for a failed Result (as opposed to a Response or a value). */
export const isFailure = (x) => x !== null && typeof x === 'object' && x.ok === false && typeof x.error === 'object';
