// The matrix-product backend interface, re-exported from src/linalg/backend.ts (the single
// definition) so that the wasm files import it from one place:
//   c (M, N) = a (M, K) · b (K, N), c overwritten, any strides and offsets; close() frees workers.
// Kept as a separate file only until the lead settles where backends are declared.
export type { MatmulBackend } from '../backend.ts';
