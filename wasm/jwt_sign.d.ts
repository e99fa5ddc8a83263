// Types for wasm/jwt_sign.mjs: the host signs the JWTs of engine-built requests.
import type { AuthorizedRequest, Failure, JwtToSign } from './connauth';

type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

/** The request with every JWT signed in place and no `jwts`; synchronous when it has none. */
export function signRequest(request: AuthorizedRequest): Result<AuthorizedRequest> | Promise<Result<AuthorizedRequest>>;
/** One compact JWT (RFC 7515 §7.1), or client_misconfigured when the key cannot sign with its alg. */
export function signJwt(jwt: JwtToSign): Promise<Result<string>>;
