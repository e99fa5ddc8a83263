// The engine as the benchmarks need it: the public JS API (wasm/connauth.mjs
// load()) and, beside it, a second instance of the same module with its raw
// Embind handles, so that a call can be timed without the wrapper's JSON
// work (apply section: the share of a call spent crossing the boundary).
import { readFileSync } from 'node:fs';
import { load } from '../../wasm/connauth.mjs';
import createConnauthModule from '../../wasm/dist/connauth.mjs';

export const WASM_PATH = new URL('../../wasm/dist/connauth.wasm', import.meta.url);

export async function loadEngines() {
  const module = await WebAssembly.compile(readFileSync(WASM_PATH));
  const engine = await load({ wasm: module });
  const raw = await createConnauthModule({
    instantiateWasm(imports, done) {
      WebAssembly.instantiate(module, imports).then((instance) => done(instance, module));
      return {};
    },
    print: () => {},
    printErr: () => {},
  });
  return { module, engine, raw };
}
