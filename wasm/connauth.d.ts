// TypeScript declarations for wasm/connauth.mjs, the public JS API of connauth.

export interface Problem {
  /** RFC 6901 JSON pointer into the input the problem concerns ("" = whole input). */
  path: string;
  /** What is wrong and what to change. Never contains a secret. */
  message: string;
}

/**
 * Every failure's one shape. Input the engine cannot use is `invalid_input` with its
 * `problems` (a JSON text over 8 MiB among them); a flow that failed carries its
 * diagnosis cause and the action to take; `engine_fault` is the engine failing
 * (out of memory or a bug): nothing was changed, and the next call runs on a fresh instance.
 */
export interface Failure {
  code: string;
  message: string;
  cause?: 'provider_unavailable' | 'authorization_revoked' | 'credentials_rejected' | 'client_misconfigured' | 'connector_error' | null;
  action?: string;
  detail?: string;
  problems?: Problem[];
  /** The connection's diagnosis, when the failure lost or degraded it. */
  lost?: { cause: string; message: string; action: string; detail: string };
  /** connection_degraded: seconds until the connection is retried. */
  retry_after?: number;
}

/** `errors` repeats `error.problems` for input failures. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure; errors?: Problem[] };

/** A connector definition (SPEC §2) as an object or JSON text. */
export type ConnectorDefinition = string | Record<string, unknown>;

export interface ConnectionField {
  name: string;
  label: string;
  optional: boolean;
  secret: boolean;
  default?: unknown;
  hint?: string;
}

export interface ConnectorDescription {
  name: string;
  title: string;
  type: 'basic_auth' | 'api_key' | 'oauth2' | 'custom_auth' | 'multi';
  fields: ConnectionField[];
  has_test: boolean;
  /** Connection values that sign JWTs (`private_key` for private_key_jwt): hosts keep them sealed like secret fields. */
  signing_keys?: string[];
  options?: { key: string; type: string; fields: ConnectionField[] }[];
}

type AuthorizationType = 'basic_auth' | 'api_key' | 'oauth2' | 'custom_auth';

/** What a user enters to connect (Connauth.connectForm, wasm/core/connector_facts.h). */
export interface ConnectForm {
  /** The authorization type in force for the entered values; null while `selected` picks no option. */
  type: AuthorizationType | null;
  /** `multi`: the key of the option in force. */
  option: string | null;
  /** `multi`: the connection field a form sets to an option's key (null when the user does not choose). */
  choice_field: string | null;
  /** `multi`: every option with the fields the user enters when it is chosen. */
  options: { key: string; label: string; type: AuthorizationType; fields: ConnectionField[]; noopener: boolean }[];
  /** The fields to ask for, for the authorization in force (those the app sets left out). */
  fields: ConnectionField[];
  /** oauth2 in force: open the authorization URL without an opener (SPEC §2.2). */
  noopener: boolean;
  /** The connection hash to start from: the entered values ("" dropped) and the defaults of unfilled fields. */
  values: Record<string, unknown>;
  /** Problems of the entered values, at /fields/<name> (or /fields); empty when they can connect. */
  problems: Problem[];
}

/** The flat, Workato-style connection hash (SPEC §6). */
export type ConnectionHash = Record<string, unknown> & {
  access_token?: string;
  refresh_token?: string;
  expires_at?: number;
};

export interface AppContext {
  client_id?: string;
  client_secret?: string;
  scopes?: string[];
  /** App-level connector field values; they win over the user's. */
  settings?: Record<string, unknown>;
  /** connectForm: names of settings the app sets whose values are not shown (secret). */
  secret_settings?: string[];
}

export interface Context {
  connection?: ConnectionHash;
  app?: AppContext;
  /**
   * The host's clock and randomness for this call (templates' `now`,
   * `now_iso`, `uuid`; signers' timestamp and nonce; JWTs' iat and jti:
   * SPEC §10). apply, testBegin, connectBegin, authorizeCallback,
   * refreshBegin, revokeBegin and connectionStep add one when absent.
   */
  stamp?: Stamp;
}

export interface Stamp {
  /** Epoch seconds. */
  now: number;
  /** 32 bytes from a CSPRNG as 64 hex digits. */
  random?: string;
}

/** Pins the stamp apply adds (tests); by default the clock and the CSPRNG. */
export interface StampOptions {
  now?: number;
  /** 64 hex digits. */
  random?: string;
}

export interface HttpRequest {
  method?: string;
  url: string;
  headers?: Record<string, string> | [string, string][];
  body?: string;
}

export interface AuthorizedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  /**
   * JWTs to sign before sending (SPEC §10, wasm/jwt_sign.mjs signRequest):
   * each `signing_input` stands in the request where its JWT goes. Holds the
   * private key: never log or answer a request that carries it.
   */
  jwts?: JwtToSign[];
}

export interface JwtToSign {
  /** BASE64URL(header) "." BASE64URL(claims) (RFC 7515 §5.1). */
  signing_input: string;
  alg: 'RS256' | 'ES256';
  /** PEM PKCS#8 private key. */
  key: string;
  /** Where the key came from (a JSON pointer), for errors. */
  key_source: string;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string> | [string, string][];
  body?: string;
}

export interface Classification {
  action: 'ok' | 'refresh' | 'error';
  reason: string;
  /** JSON pointer of the signal that decided, if one did. */
  matched?: string;
}

/** A request as a bound connection reads it: what decides apply (SPEC §2.4). */
export interface BoundRequest {
  /** Default GET. */
  method?: string;
  /** Absolute, or relative to connection.base_uri ("./path" as the edge writes it). */
  url: string;
  /** The request's Content-Type header; omit it (or null) when the request has none. */
  contentType?: string | null;
  /** Read only when a payload rule may rewrite it or a rule signs it (readsRequestBody). Bytes are UTF-8. */
  body?: string | Uint8Array | ArrayBuffer | ArrayBufferView;
  /** Pin the stamp of a connection whose rules read `now`/`uuid` or sign (tests). */
  now?: number;
  random?: string;
}

/** What apply changes on a request (SPEC §2.4). */
export interface RequestEdits {
  /** The absolute URL, with the rules' query params set. */
  url: string;
  /**
   * Headers to set, in order: each replaces every header of the request with
   * the same name (case-insensitively). The caller's other headers stay.
   */
  headers: [string, string][];
  /**
   * Present only when a payload rule rewrote the body: send it instead of the
   * original (a Content-Length the request carried no longer holds).
   */
  body?: string;
}

/** A response as a bound connection classifies it: signals read the status and body only. */
export interface BoundResponse {
  status: number;
  /** Only the first 1 MiB is matched (SPEC §2.5); bytes are cheaper to pass than a string. */
  body?: string | Uint8Array | ArrayBuffer | ArrayBufferView;
}

/**
 * A connector bound to one connection's context (Connauth.bind): the edge's
 * request path. The context was resolved and every apply rule rendered once;
 * a value that failed to render fails exactly the requests that need it.
 * Holds module memory: the caller owns it and must dispose() it.
 */
export interface BoundConnection {
  /** Whether any signal looks at response bodies: if not, a host need not read them. */
  readonly readsBody: boolean;
  /** Whether classifying a response with this status may look at its body. */
  readsBodyFor(status: number): boolean;
  /** Whether apply may rewrite a request body (a rule has a payload) or signs it: if not, `body` is never read. */
  readonly readsRequestBody: boolean;
  /** Whether a rule signs requests (SPEC §10): pass the body's exact bytes. */
  readonly signs: boolean;
  apply(request: BoundRequest): Result<RequestEdits>;
  classify(response: BoundResponse): Result<Classification>;
  /** Frees the module memory. A second dispose does nothing; later calls answer an error Result. */
  dispose(): void;
}

/** A flow that failed for a SPEC §4 cause (or a callback the flow refused: cause null). */
export interface FlowError {
  code: string;
  cause: 'provider_unavailable' | 'authorization_revoked' | 'credentials_rejected' | 'client_misconfigured' | 'connector_error' | null;
  message: string;
  action: string;
  detail?: string;
}

export type FlowResult<T> = { ok: true; value: T } | { ok: false; error: FlowError & Failure; errors?: Problem[] };

/** An operation of the connection loop (wasm/core/connection_loop.h). */
export type ConnectionOperation = 'use' | 'renew' | 'check' | 'connect' | 'exchange';

/** One effect of a connection-loop step, for the host to carry out (wasm/connection_loop.mjs does). */
export type ConnectionEffect =
  | { type: 'send'; step: 'acquire' | 'refresh' | 'test' | 'token' | 'identity'; request: AuthorizedRequest }
  | { type: 'send_caller'; attempt: 1 | 2 }
  | { type: 'renew'; force: boolean; reason: string }
  | { type: 'store'; connection: ConnectionHash; identity?: string }
  | { type: 'record'; outcome: 'success' | 'failure'; cause?: string; detail?: string }
  | { type: 'deliver'; attempt: 1 | 2 }
  | { type: 'done'; value: Record<string, unknown> }
  | { type: 'fail'; error: Failure };

export type ConnectionStep = Result<{ state: Record<string, unknown>; effects: ConnectionEffect[] }>;

/** SPEC §10: a reconnect that landed on another account (the identity, else the owner id, before and now). */
export interface AccountChange {
  from: string;
  to: string;
}

/**
 * The `done` value of the `exchange` and `connect` operations: the new
 * connection and its account. Their start event may carry `previous`:
 * {identity, owner_id} of the connection being replaced.
 */
export interface Connected {
  connection: ConnectionHash;
  warnings: string[];
  /** The account (SPEC §2.2, §10); absent or null when unknown, with `identity_problem` saying why. */
  identity?: string | null;
  identity_problem?: string;
  owner_id?: string;
  /** exchange: the scope granted (the token response's, else the one requested; RFC 6749 §5.1, §3.3). */
  scope?: string;
  account_changed?: AccountChange;
  /** connect: whether the connector's test ran. */
  tested?: boolean;
}

/** What the host stores server-side between authorizeBegin and the callback (bound to org, user, app). */
export interface PendingAuthorization {
  state: string;
  verifier?: string;
  expires_at: number;
  redirect_uri: string;
}

/** A response the host received, or why it got none. */
export type HostResponse = HttpResponse | { network_error: string };

/** The connection's status record (wasm/core/connection_state.h). */
export interface ConnectionState {
  status: 'not_connected' | 'connected' | 'degraded' | 'lost';
  cause: FlowError['cause'];
  detail: string;
  failure_streak: number;
  next_retry_at: number | null;
  last_success_at: number | null;
  last_working_version: number | null;
  history: { at: number; from: string; to: string; cause: string | null; detail: string }[];
}

/** Flow contexts add the authorization flow's values and the stored state. */
export interface FlowContext extends Context {
  app?: AppContext & { default_expires_in?: number; refresh_buffer?: number; issuer?: string };
  flow?: { redirect_uri?: string; code?: string; state?: string; verifier?: string; callback?: Record<string, string> };
  state?: Partial<ConnectionState>;
  /**
   * The step run a *Finish call answered while an acquire or refresh of several steps has
   * steps left (SPEC §10), passed back as it was. It holds earlier answers: keep it in memory
   * for the one operation; never store or log it.
   */
  steps?: StepRun;
}

/** The engine's state between the steps of a list (wasm/core/step_run.h); opaque to hosts. */
export interface StepRun {
  next: number;
  answers: Record<string, { response: unknown; response_headers: Record<string, string> }>;
  yielded: Record<string, unknown>;
}

/** A *Finish answer while steps remain: send `request`, then call the same *Finish with its response and context.steps = `steps`. */
export interface NextStep {
  step: 'acquire' | 'refresh' | 'token';
  request: AuthorizedRequest;
  steps: StepRun;
}

/** `now`: epoch seconds, to pin the clock (default: the host's clock). */
export interface Clock {
  now?: number;
}

export interface Connauth {
  validate(definition: ConnectorDefinition): Result<ConnectorDescription>;
  describe(definition: ConnectorDefinition): Result<ConnectorDescription>;
  apply(definition: ConnectorDefinition, context: Context, request: HttpRequest, options?: StampOptions): Result<AuthorizedRequest>;
  classify(definition: ConnectorDefinition, context: Context, response: HttpResponse): Result<Classification>;
  /**
   * Binds the connector to one connection's context for many requests (the
   * edge caches one per connection and credentials version). Problems of the
   * definition or of the context (e.g. a `multi` option that does not exist).
   */
  bind(definition: ConnectorDefinition, context: Context): Result<BoundConnection>;
  /** What a user enters to connect, for the values entered so far (context.connection). */
  connectForm(definition: ConnectorDefinition, context: Context): Result<ConnectForm>;
  /** Hosts the connector may reach when the app lists none (SPEC §5), from the app's values only. */
  egress(definition: ConnectorDefinition, context: Context): Result<{ hosts: string[]; unresolved: string[] }>;
  /** SPEC §2.2 `identity` for a connection: the rendered template, or null. */
  identity(definition: ConnectorDefinition, context: Context): Result<string | null>;
  /** Frees every cached compiled connector (not the BoundConnections: their owners dispose them). */
  dispose(): void;

  // Flows (SPEC §3–§4); wasm/core/flow_api.h documents each shape.
  authorizeBegin(definition: ConnectorDefinition, context: FlowContext, options?: Clock):
    FlowResult<{ url: string; pending: PendingAuthorization; noopener: boolean }>;
  authorizeCallback(definition: ConnectorDefinition, context: FlowContext, pending: PendingAuthorization,
    params: string | Record<string, string> | [string, string][], options?: Clock & StampOptions):
    FlowResult<{ request: AuthorizedRequest; flow: FlowContext['flow'] }>;
  authorizeFinish(definition: ConnectorDefinition, context: FlowContext, response: HostResponse, options?: StampOptions):
    FlowResult<{ connection: ConnectionHash; warnings: string[]; scope: string; identity?: string; identity_problem?: string; owner_id?: string } | NextStep>;
  refreshNeeded(context: FlowContext, options?: Clock): Result<boolean>;
  /** Epoch seconds from which refreshNeeded is true, or null when the expiry is unknown. */
  refreshDeadline(context: FlowContext): Result<number | null>;
  refreshBegin(definition: ConnectorDefinition, context: FlowContext, options?: StampOptions): FlowResult<{ request: AuthorizedRequest }>;
  refreshFinish(definition: ConnectorDefinition, context: FlowContext, response: HostResponse, options?: StampOptions):
    FlowResult<{ connection: ConnectionHash; warnings: string[]; owner_id?: string } | NextStep>;
  requestNextStep(classification: Classification['action'], refreshed: boolean): Result<{ next: 'deliver' | 'refresh_and_retry' }>;
  connectBegin(definition: ConnectorDefinition, context: FlowContext, options?: Clock):
    FlowResult<{ step: 'acquire' | 'test' | 'done'; request?: AuthorizedRequest }>;
  connectFinish(definition: ConnectorDefinition, context: FlowContext, response: HostResponse, options?: StampOptions):
    FlowResult<{ connection: ConnectionHash; warnings: string[]; identity?: string; owner_id?: string } | NextStep>;
  testBegin(definition: ConnectorDefinition, context: FlowContext, options?: StampOptions): FlowResult<{ request: AuthorizedRequest | null }>;
  testFinish(definition: ConnectorDefinition, context: FlowContext, response: HostResponse, options?: { refreshed?: boolean }):
    FlowResult<{ outcome: 'ok' | 'refresh'; identity?: string }>;
  /** RFC 7009: the revocation request for a connection's tokens, or null when there is nothing to revoke. */
  revokeBegin(definition: ConnectorDefinition, context: FlowContext, options?: StampOptions): FlowResult<{ request: AuthorizedRequest | null }>;
  stateSuccess(state: Partial<ConnectionState> | null, options?: Clock & { version?: number | null }): Result<ConnectionState>;
  stateFailure(state: Partial<ConnectionState> | null, cause: NonNullable<FlowError['cause']>, detail: string,
    options?: Clock & { randomFraction?: number; settings?: { lost_after_failures?: number; backoff_base_seconds?: number; backoff_cap_seconds?: number } }):
    Result<ConnectionState>;
  stateDisconnect(state: Partial<ConnectionState> | null, detail: string, options?: Clock): Result<ConnectionState>;
  stateView(state: Partial<ConnectionState> | null, appEnabled?: boolean): Result<{
    status: ConnectionState['status'] | 'disabled';
    lost?: { cause: string; message: string; action: string; detail: string };
    next_retry_at: number | null; last_success_at: number | null; history: ConnectionState['history'];
  }>;

  /** One transition of the connection loop (wasm/core/connection_loop.h): renew, check, connect, exchange. */
  connectionStep(definition: ConnectorDefinition, context: FlowContext | string, state: Record<string, unknown> | null,
    event: { type: string; [key: string]: unknown }, options?: Clock): ConnectionStep;
  /** One transition of the connection loop's `use` operation (reads no connector). */
  useStep(state: Record<string, unknown> | null, event: { type: string; [key: string]: unknown }): ConnectionStep;

  /** One transition of the consent popup's state machine (wasm/core/consent_flow.h). */
  consentStep(state: Record<string, unknown> | null, event: { type: string; [key: string]: unknown }):
    Result<{ state: Record<string, unknown>; effects: { type: string; [key: string]: unknown }[] }>;
}

export interface LoadOptions {
  /** The module: a compiled WebAssembly.Module (workerd), bytes, a Response or a URL. Default: next to connauth.mjs. */
  wasm?: WebAssembly.Module | BufferSource | Response | URL | string;
  /** How many compiled connectors to keep (default 64). */
  cacheSize?: number;
}

export function load(options?: LoadOptions): Promise<Connauth>;
