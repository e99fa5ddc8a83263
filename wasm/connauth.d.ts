// TypeScript declarations for wasm/connauth.mjs, the public JS API of connauth.

export interface Problem {
  /** RFC 6901 JSON pointer into the input the problem concerns ("" = whole input). */
  path: string;
  /** What is wrong and what to change. Never contains a secret. */
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; errors: Problem[] };

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
  options?: { key: string; type: string; fields: ConnectionField[] }[];
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
}

export interface Context {
  connection?: ConnectionHash;
  app?: AppContext;
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

export interface Connauth {
  validate(definition: ConnectorDefinition): Result<ConnectorDescription>;
  describe(definition: ConnectorDefinition): Result<ConnectorDescription>;
  apply(definition: ConnectorDefinition, context: Context, request: HttpRequest): Result<AuthorizedRequest>;
  classify(definition: ConnectorDefinition, context: Context, response: HttpResponse): Result<Classification>;
  dispose(): void;
}

export interface LoadOptions {
  /** The module: a compiled WebAssembly.Module (workerd), bytes, a Response or a URL. Default: next to connauth.mjs. */
  wasm?: WebAssembly.Module | BufferSource | Response | URL | string;
  /** How many compiled connectors to keep (default 64). */
  cacheSize?: number;
}

export function load(options?: LoadOptions): Promise<Connauth>;
