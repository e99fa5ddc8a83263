// The connauth engine, loaded once per isolate (the worker and its Durable
// Objects share the isolate, so they share the instance). workerd imports
// the .wasm as a compiled WebAssembly.Module (wrangler.toml rule
// CompiledWasm); the glue never fetches it (TOOLCHAIN.md).
import wasm from '../../wasm/dist/connauth.wasm';
import { load } from '../../wasm/connauth.mjs';

let loading; // Promise<Connauth>

/** The engine; a failed load is retried on the next call instead of cached. */
export function getEngine() {
  loading ??= load({ wasm }).catch((error) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
