/** Shared by scripts/build-wasm.mjs and the test that checks its output: WebAssembly text → module bytes. */
import { URL, fileURLToPath } from 'node:url';
import wabt from 'wabt';

export const WAT_PATH = fileURLToPath(new URL('../src/core/dkim/relaxed-body.wat', import.meta.url));
export const WASM_TS_PATH = fileURLToPath(new URL('../src/core/dkim/relaxed-body-wasm.ts', import.meta.url));

/** The binary module of a .wat text (SIMD enabled). */
export async function compileWat(text) {
  const toolkit = await wabt();
  const module = toolkit.parseWat('relaxed-body.wat', text, { simd: true });
  try {
    module.resolveNames();
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
