/**
 * Relaxed body canonicalization (RFC 6376 §3.4.4) on a small WebAssembly SIMD module (relaxed-body.wat): sixteen
 * bytes at a time where the canonical form equals the input, which is most of a text body. The plain byte loop of
 * relaxed-body-loop.ts is its reference: it gives the same bytes, with the same line state and contract, and runs
 * where WebAssembly SIMD is not available.
 */
import type { RelaxedState } from './relaxed-body-loop.js';
import { RELAXED_BODY_WASM } from './relaxed-body-wasm.js';

/*
 * The module's memory layout: the same numbers as the constant globals of relaxed-body.wat, which the module also
 * exports under these names (a test checks that they match).
 */

/** Input bytes per call: the module's input area is memory [0, INPUT_SIZE). */
export const INPUT_SIZE = 65536;
/** Where the module writes canonical bytes: at most twice the input plus {@link MAX_BLANKS} empty lines. */
export const OUTPUT_BASE = 65536;
/** The most pending empty lines the module writes itself; for more, `relax` stops and the caller writes them. */
export const MAX_BLANKS = 16384;
/** Where the module keeps its swizzle table: 8 lane indices for each of the 256 byte masks (2,048 bytes). */
export const SWIZZLE_TABLE = 262144;

interface WasmGlobal {
  value: number;
}

interface KernelExports {
  memory: { buffer: ArrayBuffer };
  relax(start: number, end: number): number;
  space: WasmGlobal;
  content: WasmGlobal;
  cr: WasmGlobal;
  blank: WasmGlobal;
  out: WasmGlobal;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { exports: unknown };
}

let loaded: KernelExports | null | undefined;

function kernel(): KernelExports | null {
  if (loaded !== undefined) return loaded;
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  try {
    loaded = api
      ? (new api.Instance(new api.Module(Buffer.from(RELAXED_BODY_WASM, 'base64'))).exports as KernelExports)
      : null;
  } catch {
    // No WebAssembly SIMD here (an old engine, --jitless): body-hash.ts runs the byte loop instead.
    loaded = null;
  }
  return loaded;
}

let view: Uint8Array | undefined;

/** A byte view of the module's memory, made once (the memory never grows, so its buffer stays the same). */
function memoryView(k: KernelExports): Uint8Array {
  if (view === undefined || view.buffer !== k.memory.buffer) view = new Uint8Array(k.memory.buffer);
  return view;
}

/** True when the WebAssembly canonicalizer can run in this process. */
export function relaxedKernelAvailable(): boolean {
  return kernel() !== null;
}

/**
 * Canonicalizes `input` from `state` on, updating `state`. Canonical bytes go to `emit` (a view of the module's
 * memory, valid only during the call: copy or hash it at once); `blanks(n)` is called when `n` pending empty lines
 * must be written before the content that follows. The module's globals are loaded from and saved to `state`, so
 * any number of bodies can be canonicalized interleaved. Requires {@link relaxedKernelAvailable}.
 */
export function relaxChunk(
  state: RelaxedState,
  input: Uint8Array,
  emit: (bytes: Uint8Array) => void,
  blanks: (count: number) => void,
): void {
  const k = kernel();
  if (!k) throw new Error('relaxChunk: WebAssembly SIMD is not available');
  const memory = memoryView(k);
  k.space.value = state.space;
  k.content.value = state.content;
  k.cr.value = state.cr;
  k.blank.value = state.blank;
  for (let start = 0; start < input.length; start += INPUT_SIZE) {
    const length = Math.min(INPUT_SIZE, input.length - start);
    memory.set(input.subarray(start, start + length), 0);
    let at = 0;
    for (;;) {
      k.out.value = 0;
      at = k.relax(at, length);
      const produced = k.out.value;
      if (produced > 0) emit(memory.subarray(OUTPUT_BASE, OUTPUT_BASE + produced));
      if (at >= length) break;
      // Content after empty lines: they are not trailing, so they are written now.
      blanks(k.blank.value);
      k.blank.value = 0;
    }
  }
  state.space = k.space.value;
  state.content = k.content.value;
  state.cr = k.cr.value;
  state.blank = k.blank.value;
}
