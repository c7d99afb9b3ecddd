// The WebAssembly SIMD matmul: the public surface. createWasmMatmul({ threads }) returns a
// synchronous, deterministic MatmulBackend; wasmSimdAvailable() says whether it can run here.
// Everything else in this folder (assembler, kernel bytes, staging, pool) is internal.
export { createWasmMatmul, type WasmMatmulOptions } from './matmul.ts';
export { wasmSimdAvailable } from './simd.ts';
export type { MatmulBackend } from '../backend.ts';
