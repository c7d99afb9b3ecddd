// Feature detection: can this runtime compile our kernels? They need SIMD128 and a shared
// (threads-proposal) memory; this validates a tiny module that uses both. It does not check that
// worker_threads are available (Node always has them) nor measure anything.
import { buildProbeModule } from './kernel.ts';
import { wasmApi } from './wasm-api.ts';

/** True when WebAssembly SIMD128 and shared memories are supported. */
export function wasmSimdAvailable(): boolean {
  try {
    const wasm = wasmApi();
    if (wasm === undefined || typeof SharedArrayBuffer !== 'function') return false;
    return wasm.validate(buildProbeModule());
  } catch {
    return false;
  }
}
