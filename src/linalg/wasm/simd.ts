// Feature detection: can this runtime compile our kernels? They need SIMD128 and a shared
// (threads-proposal) memory, the opt-in FMA kernel relaxed SIMD too; this validates a tiny module
// that uses them. It does not ask for the SharedArrayBuffer constructor: a page that is not
// cross-origin isolated lacks it but still makes shared wasm memories (Chromium), and runs the
// kernel on one thread. It does not check that worker_threads are available (Node always has
// them) nor measure anything.
import { buildProbeModule } from './kernel.ts';
import { wasmApi } from './wasm-api.ts';

/** True when WebAssembly SIMD128 and shared memories are supported (and, with fma, relaxed SIMD's f32x4.relaxed_madd). */
export function wasmSimdAvailable(fma = false): boolean {
  try {
    const wasm = wasmApi();
    if (wasm === undefined) return false;
    return wasm.validate(buildProbeModule(fma));
  } catch {
    return false;
  }
}
