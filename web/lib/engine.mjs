// The connauth engine in the browser: the same WebAssembly module the edge
// runs (wasm/dist/connauth.wasm, next to wasm/connauth.mjs), loaded once per
// page. The console validates connectors, previews apply rules and drives the
// consent popup's state machine with it.
import { load } from '../../wasm/connauth.mjs';

let loading = null;
let loaded = null;

/** The engine (a Promise); a failed load is retried on the next call. */
export function getEngine() {
  loading ??= load().then((engine) => {
    loaded = engine;
    return engine;
  }, (error) => {
    loading = null;
    throw error;
  });
  return loading;
}

/** The engine if it has finished loading, else null (click handlers must not wait). */
export const engineNow = () => loaded;
