// The WebAssembly SIMD matmul backend: c (M, N) = a (M, K) · b (K, N) on `threads` threads (the
// main thread plus threads-1 workers), synchronous. Per product: the main thread stages a and b
// into the shared memory (stage.ts), all threads pack them into micro-panels, all threads compute
// tiles of C (kernel.ts), the main thread copies C out. Deterministic: the same bits for any
// thread count and on every run (block sizes in layout.ts fix the summation order). It does not
// fuse bias/activation, and it is not bit-equal to matmulNaive (float32 sums in blocked order).
import type { MatmulBackend } from './backend.ts';
import { buildMatmulModule, MAX_PAGES } from './kernel.ts';
import { BLOCKING, JOB, JOB_ADDR, PHASE_MULTIPLY, PHASE_PACK, placeOperands, roundUp } from './layout.ts';
import { startPool } from './pool.ts';
import { wasmSimdAvailable } from './simd.ts';
import { wasmApi } from './wasm-api.ts';
import { stageA, stageB, unstageC } from './stage.ts';
import { checkMatmulShapes, type Mat } from '../view.ts';

export interface WasmMatmulOptions {
  /** Threads to compute on, including the calling thread (1 = no workers). */
  threads: number;
}

/**
 * Products smaller than this many flops (2·M·N·K) run on the main thread alone: waking the
 * workers costs tens of microseconds, about what 2^21 flops take on one core.
 */
const MIN_FLOPS_TO_SHARE = 2 ** 21;

const PAGE = 65536;

export function createWasmMatmul(opts: WasmMatmulOptions): MatmulBackend {
  const { threads } = opts;
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`createWasmMatmul: threads must be an integer >= 1, got ${threads}`);
  const wasm = wasmApi();
  if (wasm === undefined || !wasmSimdAvailable()) throw new Error('createWasmMatmul: this runtime lacks WebAssembly SIMD128 or shared memory');
  const blk = { ...BLOCKING, ...JSON.parse(process.env.BLK ?? '{}') };
  const module = new wasm.Module(buildMatmulModule(blk));
  const memory = new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const run = new wasm.Instance(module, { env: { memory } }).exports['run'] as (job: number) => void;
  const pool = startPool(module, memory, threads - 1);
  const runOnMain = (): void => run(JOB_ADDR);
  let f32 = new Float32Array(memory.buffer); // refreshed after every grow
  let i32 = new Int32Array(memory.buffer);
  let closed = false;

  /** Grow the memory to at least `bytes`. */
  const reserve = (bytes: number): void => {
    const pages = Math.ceil(bytes / PAGE);
    if (pages > MAX_PAGES) throw new Error(`wasm matmul: the product needs ${bytes} bytes, over the ${MAX_PAGES * PAGE}-byte limit`);
    const have = memory.buffer.byteLength / PAGE;
    if (pages > have) {
      memory.grow(pages - have);
      f32 = new Float32Array(memory.buffer);
      i32 = new Int32Array(memory.buffer);
    }
  };

  const matmul = (c: Mat, a: Mat, b: Mat): void => {
    checkMatmulShapes('wasmMatmul', c, a, b);
    if (closed) throw new Error('wasm matmul: the backend is closed');
    const [M, K] = a.shape as [number, number];
    const N = b.shape[1]!;
    if (M === 0 || N === 0) return;
    if (K === 0) {
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) c.set(i, j, 0);
      return;
    }
    const T0 = performance.now();
    const at = placeOperands(M, K, N, blk);
    reserve(at.end);
    const sa = stageA(f32, at.stageA / 4, a, at.Mp);
    const sb = stageB(f32, at.stageB / 4, b, at.Np);
    const share = 2 * M * N * K >= MIN_FLOPS_TO_SHARE;
    const runJob = (): void => (share ? pool.runJob(runOnMain) : runOnMain());

    // The job descriptor (layout.ts JOB), then the pack phase.
    const job = JOB_ADDR / 4;
    i32[job + JOB.A] = at.packedA;
    i32[job + JOB.B] = at.packedB;
    i32[job + JOB.C] = at.c;
    i32[job + JOB.MP] = at.Mp;
    i32[job + JOB.NP] = at.Np;
    i32[job + JOB.K] = K;
    i32[job + JOB.STAGE_A] = at.stageA;
    i32[job + JOB.STAGE_A_SK] = sa.sK;
    i32[job + JOB.STAGE_A_SP] = sa.sP;
    i32[job + JOB.STAGE_B] = at.stageB;
    i32[job + JOB.STAGE_B_SK] = sb.sK;
    i32[job + JOB.STAGE_B_SP] = sb.sP;
    const packTasksA = Math.ceil(at.Mp / blk.MR / blk.PACK_PANELS);
    const packTasksB = Math.ceil(at.Np / blk.NR / blk.PACK_PANELS);
    i32[job + JOB.PHASE] = PHASE_PACK;
    i32[job + JOB.PACK_TASKS_A] = packTasksA;
    i32[job + JOB.TASKS] = packTasksA + packTasksB;
    i32[job + JOB.NEXT] = 0;
    const T1 = performance.now();
    runJob();
    const T2 = performance.now();

    // The multiply phase: one task per MC×NC tile of C.
    const tasksN = roundUp(at.Np, blk.NC) / blk.NC;
    i32[job + JOB.PHASE] = PHASE_MULTIPLY;
    i32[job + JOB.TASKS_N] = tasksN;
    i32[job + JOB.TASKS] = (roundUp(at.Mp, blk.MC) / blk.MC) * tasksN;
    i32[job + JOB.NEXT] = 0;
    runJob();

    const T3 = performance.now();
    unstageC(c, f32, at.c / 4, at.Np);
    if (process.env.PHASES) console.log(`stage ${(T1-T0).toFixed(2)} pack ${(T2-T1).toFixed(2)} mul ${(T3-T2).toFixed(2)} = ${(2*M*N*K/(T3-T2)/1e6).toFixed(1)} unstage ${(performance.now()-T3).toFixed(2)}`);
  };

  return {
    name: 'wasm',
    threads,
    matmul,
    close(): void {
      closed = true;
      pool.close();
    },
  };
}
