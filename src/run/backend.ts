// The matrix-product backend a run computes on, by the name its config gives: createBackend
// (src/linalg/create-backend.ts: js, wasm or wasm-fma, with its fallbacks) handed this project's
// row tasks (row-tasks.ts), which the wasm backend's worker threads load. linalg imports nothing
// above it, so every program, script and test that opens a backend by name comes through here.
import type { Backend } from '../config/config.ts';
import type { MatmulBackend } from '../linalg/backend.ts';
import { createBackend } from '../linalg/create-backend.ts';
import { ROW_TASK_TABLE } from './row-tasks.ts';

/** The backend `name` on `threads` threads; `notice` gets the one-line notice of a fallback. */
export function makeBackend(name: Backend, threads: number, notice: (msg: string) => void): MatmulBackend {
  return createBackend(name, threads, ROW_TASK_TABLE, notice);
}
