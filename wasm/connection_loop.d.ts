// Types for wasm/connection_loop.mjs: the host side of the connection loop.
import type { Connauth, ConnectionHash, ConnectionOperation, ConnectorDefinition, Failure } from './connauth';

type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

/** What a host gives the loop: its I/O, storage and lock. Each member is needed only by the operations that use it. */
export interface ConnectionHost {
  context?(): Record<string, unknown>;
  now?(): number;
  /** The connector's own request (`step`: acquire, refresh, token, test); once per step of a list of steps. */
  send?(request: { method: string; url: string; headers: Record<string, string>; body: string }, step: string):
    Promise<Result<{ status: number; headers: [string, string][]; body: string } | { network_error: string }>>;
  sendCaller?(attempt: 1 | 2): Promise<Result<{ classification: 'ok' | 'refresh' | 'error' }>>;
  renew?(request: { force: boolean; reason: string }): Promise<Result<{ changed: boolean }>>;
  /** New credentials to write; `scope` the granted scope when a refresh answered one, else null (unchanged). */
  store?(credentials: { connection: ConnectionHash; identity: string | null; scope: string | null }): unknown;
  record?(outcome: { outcome: 'success' | 'failure'; cause?: string; detail?: string }): unknown;
}

/** Runs one operation to its end: the `done` value, or for `use` the attempt whose answer goes to the caller. */
export function runConnection(engine: Connauth, definition: ConnectorDefinition | null, op: ConnectionOperation,
  start: Record<string, unknown>, host: ConnectionHost): Promise<Result<Record<string, unknown>>>;

/** Where credentials stand against the engine's refresh deadline: the start of `use` and `check`. */
export function refreshState(engine: Connauth, context: Record<string, unknown>, now?: number): { due: boolean; expired: boolean };

/** An app's lifecycle policy as stateFailure reads it (`settings`); null: the engine's default. */
export function lifecycleSettings(app: Record<string, unknown> | null | undefined): {
  lost_after_failures: number | null; backoff_base_seconds: number | null; backoff_cap_seconds: number | null;
};
