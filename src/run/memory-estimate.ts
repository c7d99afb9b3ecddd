// What a run's buffers will take, computed from its config before anything is allocated, so a
// config that cannot fit (a batch of 60000 rows on 4×2000 layers) is refused in its first second
// instead of dying in an allocation. Counts the float32 arrays the trainers allocate (parameters,
// gradients, optimizer state, the workspace of 2B or 1000 rows with each layer's x̂, y, dZ) and,
// for the wasm backend, the shared memory of the largest matrix product (staged and packed copies
// of both operands and the result), which has its own 2 GiB limit. Estimates, not measurements.
import { workspaceRows } from '../ff/trainer.ts';
import { recurrentFanIn } from '../ff/modes/recurrent.ts';
import { BLOCKING, placeOperands } from '../linalg/wasm/layout.ts';
import { MAX_PAGES } from '../linalg/wasm/kernel.ts';
import { scoredLayerNumbers, type Config } from '../config/config.ts';

export interface MemoryEstimate {
  buffers: number; // bytes of the JS float arrays
  wasm: number; // bytes of the wasm backend's memory (0 for the js backend)
  wasmLimit: number; // the wasm memory's maximum in bytes
}

export function estimateMemory(cfg: Config, classes = 10): MemoryEstimate {
  const widths = cfg.layers, L = widths.length - 1, C = classes, B = cfg.batchSize;
  const R = workspaceRows(cfg);
  const recurrent = cfg.mode === 'recurrent';
  const fanIn = recurrent ? recurrentFanIn(widths, C) : widths.slice(0, L);
  const H = widths.slice(1);
  const F = scoredLayerNumbers(cfg).reduce((s, l) => s + (widths[l] ?? 0), 0);
  const optCopies = cfg.optimizer === 'adam' ? 2 : 1;
  let floats = 0;
  for (let l = 0; l < L; l++) {
    const params = fanIn[l]! * H[l]! + H[l]!;
    floats += params * (2 + optCopies + (recurrent ? 1 : 0)) + H[l]!; // W, b, dW, db, optimizer state, (summed gradients), peer mean
    floats += R * (fanIn[l]! + 2 * H[l]! + 2); // x̂, y, dZ, G, dL/dG
    if (recurrent) floats += 3 * R * H[l]!; // h, next h, normalised h
  }
  // the byte masks of local layers (receptive-field.ts)
  if (cfg.receptiveField !== null) for (let l = 0; l < L; l++) floats += (fanIn[l]! * H[l]!) / 4;
  floats += (F * C + C) * (2 + optCopies); // the head
  floats += R * (widths[0]! + F + Math.max(...H) + 4 * C) + 2 * B * widths[0]!; // input, features, scratch, probabilities, scores, images
  if (cfg.dropout > 0) floats += (2 * B * H.reduce((a, h) => a + h, 0)) / 4; // dropout masks, one byte per unit (dropout.ts)
  if (cfg.shift > 0) floats += widths[0]!; // the shift's scratch image
  if (cfg.mode === 'supervised' && cfg.shortcuts) floats += B * (H[0]! + 4) + (2 * C + 1) * 2 * H[0]!; // the shared first layer (label-passes.ts)
  let wasm = 0;
  if (cfg.backend !== 'js') {
    const end = (M: number, K: number, N: number): number => placeOperands(M, K, N, BLOCKING).end;
    for (let l = 0; l < L; l++) wasm = Math.max(wasm, end(R, fanIn[l]!, H[l]!), end(fanIn[l]!, R, H[l]!));
    wasm = Math.max(wasm, end(R, F, C), end(F, R, C));
  }
  return { buffers: 4 * floats, wasm, wasmLimit: MAX_PAGES * 65536 };
}
