/**
 * Relaxed body canonicalization (RFC 6376 §3.4.4) on a small WebAssembly SIMD module (relaxed-body.wat): sixteen
 * bytes at a time where the canonical form equals the input, which is most of a text body. The JavaScript
 * canonicalizer of body-hash.ts gives the same bytes and is used where WebAssembly SIMD is not available.
 */
import { RELAXED_BODY_WASM } from './relaxed-body-wasm.js';

/**
 * The module's memory layout (relaxed-body.wat): input bytes per call at [0, INPUT_SIZE), the canonical output
 * from OUTPUT_OFFSET on (room for twice the input and the pending empty lines; the module's swizzle table lies
 * above it).
 */
const INPUT_SIZE = 64 * 1024;
const OUTPUT_OFFSET = INPUT_SIZE;

/** The line state between pieces of a body (the module's globals while it runs). */
export interface RelaxedState {
  /** WSP seen since the last content byte (becomes one SP before the next content). */
  space: number;
  /** The current line has content. */
  content: number;
  /** A CR was the last byte (a line end if LF follows, else content). */
  cr: number;
  /** Empty lines not yet written (written before the next content; dropped at the end of the body). */
  blank: number;
}

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
    // No WebAssembly SIMD here (an old engine, --jitless): body-hash.ts canonicalizes in JavaScript.
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
      if (produced > 0) emit(memory.subarray(OUTPUT_OFFSET, OUTPUT_OFFSET + produced));
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
