// The WebAssembly SIMD matmul backend: c (M, N) = a (M, K) · b (K, N) on `threads` threads (the
// main thread and threads-1 workers), synchronous. Per product the threads stage a and b into the
// shared memory (stage.ts: row jobs; the main thread alone if a or b is not in shared memory),
// pack them (kernel-pack.ts), compute tiles of C (kernel-multiply.ts) and copy C out. Deterministic on any machine and thread
// count: c[i][j] is the float32 sum of its products in k order. Not bit-equal to matmulNaive
// (float64 sums); no fused bias/activation. c may share storage with a or b.
import type { MatmulBackend, SideWork, SparseProduct } from '../backend.ts';
import type { RowTaskTable } from '../row-runner.ts';
import { buildMatmulModule, MAX_PAGES } from './kernel.ts';
import {
  BLOCKING, JOB, JOB_ADDR, PHASE_MULTIPLY, PHASE_MULTIPLY_SPARSE, PHASE_PACK, PHASE_ROWS, placeOperands, placeSparseIndex, type Placement,
} from './layout.ts';
import { keptShare, PACK_SPARSE_PANELS } from './pack-sparse.ts';
import { makePoolRows, ROW_JOB_BYTES } from './row-jobs.ts';
import { planTasks } from './plan.ts';
import { startPool, type SpawnThread } from './pool.ts';
import { wasmSimdAvailable } from './simd.ts';
import { wasmApi } from './wasm-api.ts';
import { stageA, stageB, unstageC } from './stage.ts';
import { checkMatmulShapes, type Mat } from '../view.ts';

export interface WasmMatmulOptions {
  /** Threads to compute on, including the calling thread (1 = no workers). */
  threads: number;
  /**
   * The micro-kernel's multiply-add as relaxed SIMD's f32x4.relaxed_madd (fused where the machine
   * can) instead of f32x4.mul then f32x4.add: faster where it fuses, other bits (and bits that may
   * differ between machines); still the same bits for any thread count. Default false.
   */
  fma?: boolean;
  /**
   * The row tasks the workers load to share the row jobs (the caller's table: src/run/row-tasks.ts's);
   * without it, and where workers cannot load them (a browser), every row job runs on the calling thread.
   */
  rowTasks?: RowTaskTable;
}

/** The runtime's way of starting the pool's threads (pool-node.ts, or Web Workers in a browser). */
export interface WasmThreads {
  spawn: SpawnThread;
}

/**
 * Products smaller than this many flops (2·M·N·K) run on the main thread alone: waking the
 * workers costs tens of microseconds, about what 2^21 flops take on one core.
 */
const MIN_FLOPS_TO_SHARE = 2 ** 21;

/**
 * matmulSparse multiplies over the compressed A when at most this share of A's (panel, k) pairs
 * (a panel = MR rows) hold a non-zero, densely above it. Its k steps cost a little more than the
 * dense kernel's (an index load each) and the compressed pack is a scan of A, so it pays below
 * about this density. Measured at the first layer's shapes (100×784·784×1000 and its dW,
 * 784×100·100×1000; 2026-12-02, AMD EPYC VM): at 0.7 the sparse product is 1.15-1.2× the dense
 * one on 1 thread and even on 2; at 0.8 it loses on 2. MNIST's batches keep 0.40 and 0.28.
 * It changes no bit: both paths give the dense product's bits.
 */
export const SPARSE_MAX_DENSITY = 0.7;

/**
 * A held side fn (SideWork) runs beside a product of at least this many flops, so that the workers
 * have that much to do while the calling thread runs it: a layer's dropout draws of a hinton-aug
 * step take ~3 ms, a 2^26-flop product ~2 ms on one core. Smaller products leave it held.
 */
export const SIDE_MIN_FLOPS = 2 ** 26;

const PAGE = 65536;

export function makeWasmMatmul(opts: WasmMatmulOptions, runtime: WasmThreads): MatmulBackend {
  const { threads } = opts, fma = opts.fma ?? false;
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`createWasmMatmul: threads must be an integer >= 1, got ${threads}`);
  const wasm = wasmApi();
  if (wasm === undefined || !wasmSimdAvailable()) throw new Error('createWasmMatmul: this runtime lacks WebAssembly SIMD128 or shared memory');
  if (fma && !wasmSimdAvailable(true)) throw new Error('createWasmMatmul: this runtime lacks relaxed SIMD (f32x4.relaxed_madd)');
  const blk = BLOCKING;
  const module = new wasm.Module(buildMatmulModule(blk, fma));
  const memory = new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
  const run = new wasm.Instance(module, { env: { memory } }).exports['run'] as (job: number) => void;
  const pool = startPool(module, memory, threads - 1, runtime.spawn, ROW_JOB_BYTES);
  const runOnMain = (): void => run(JOB_ADDR);
  let f32 = new Float32Array(memory.buffer); // refreshed after every grow
  let i32 = new Int32Array(memory.buffer);
  let closed = false;
  const rows = makePoolRows(pool, threads, () => void (i32[JOB_ADDR / 4 + JOB.PHASE] = PHASE_ROWS), opts.rowTasks?.tasks);
  // SideWork: the calling thread runs one held fn at the start of each shared multiply phase.
  const held: (() => void)[] = [];
  const side: SideWork = {
    beside: (fn) => (threads > 1 ? void held.push(fn) : fn()),
    flush: () => {
      while (held.length > 0) held.shift()!();
    },
  };

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

  /** The checks every product makes; false when there is nothing to multiply (c is then done). */
  const begin = (name: string, c: Mat, a: Mat, b: Mat): boolean => {
    checkMatmulShapes(name, c, a, b);
    if (closed) throw new Error('wasm matmul: the backend is closed');
    const [M, K] = a.shape as [number, number];
    const N = b.shape[1]!;
    if (M === 0 || N === 0) return false;
    if (K === 0) {
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) c.set(i, j, 0);
      return false;
    }
    return true;
  };

  /**
   * A product whose operands are placed (`at`) and whose A is already packed or, sparse, packed
   * compressed (pack-sparse.ts): stage and pack B (and, dense, A), multiply, copy C out into c.
   * flops: the product's (2·M·N·K, times the kept share when sparse), which decide whether the pool's
   * threads join (MIN_FLOPS_TO_SHARE) and whether a held side fn runs beside it (SIDE_MIN_FLOPS).
   */
  const multiply = (c: Mat, a: Mat | null, b: Mat, at: Placement, K: number, flops: number): void => {
    const share = flops >= MIN_FLOPS_TO_SHARE;
    const sa = a === null ? null : stageA(f32, at.stageA / 4, a, at.Mp, rows);
    const sb = stageB(f32, at.stageB / 4, b, at.Np, rows);
    const runJob = (): void => (share ? pool.runJob(runOnMain) : runOnMain());

    // The job descriptor (layout.ts JOB), then the pack phase (of B alone when A is packed compressed).
    const job = JOB_ADDR / 4;
    i32[job + JOB.A] = at.packedA;
    i32[job + JOB.B] = at.packedB;
    i32[job + JOB.C] = at.c;
    i32[job + JOB.MP] = at.Mp;
    i32[job + JOB.NP] = at.Np;
    i32[job + JOB.K] = K;
    i32[job + JOB.STAGE_A] = at.stageA;
    i32[job + JOB.STAGE_A_SK] = sa?.sK ?? 0;
    i32[job + JOB.STAGE_A_SP] = sa?.sP ?? 0;
    i32[job + JOB.STAGE_B] = at.stageB;
    i32[job + JOB.STAGE_B_SK] = sb.sK;
    i32[job + JOB.STAGE_B_SP] = sb.sP;
    const plan = planTasks(at.Mp, at.Np, share ? threads : 1, blk);
    const packTasksA = sa === null ? 0 : plan.packTasksA;
    i32[job + JOB.PHASE] = PHASE_PACK;
    i32[job + JOB.PACK_PANELS] = plan.packPanels;
    i32[job + JOB.PACK_TASKS_A] = packTasksA;
    i32[job + JOB.TASKS] = packTasksA + plan.packTasksB;
    i32[job + JOB.NEXT] = 0;
    runJob();

    // The multiply phase: one task per tile of C; a held side fn first (SideWork), while the workers start.
    i32[job + JOB.PHASE] = sa === null ? PHASE_MULTIPLY_SPARSE : PHASE_MULTIPLY;
    i32[job + JOB.TASK_M] = plan.taskM;
    i32[job + JOB.TASK_N] = plan.taskN;
    i32[job + JOB.TASKS_N] = plan.tasksN;
    i32[job + JOB.TASKS] = plan.tasks;
    i32[job + JOB.NEXT] = 0;
    const fn = flops >= SIDE_MIN_FLOPS ? held.shift() : undefined;
    if (fn === undefined) runJob();
    else {
      pool.runJob(() => {
        try {
          fn();
        } finally {
          runOnMain(); // the job's tasks are done even if fn throws
        }
      });
    }

    unstageC(c, f32, at.c / 4, at.Np, rows);
  };

  const matmul = (c: Mat, a: Mat, b: Mat): void => {
    if (!begin('wasmMatmul', c, a, b)) return;
    const [M, K] = a.shape as [number, number];
    const N = b.shape[1]!;
    const at = placeOperands(M, K, N, blk);
    reserve(at.end);
    multiply(c, a, b, at, K, 2 * M * N * K);
  };

  // A packed compressed (pack-sparse.ts) and measured; if the kept share is at most SPARSE_MAX_DENSITY,
  // the sparse multiply phase on it, else the dense product (which packs A again, densely).
  const matmulSparse = (c: Mat, a: Mat, b: Mat): SparseProduct => {
    if (!begin('wasmMatmulSparse', c, a, b)) return { density: 0, sparse: false };
    const [M, K] = a.shape as [number, number];
    const N = b.shape[1]!;
    const at = placeOperands(M, K, N, blk);
    const sp = placeSparseIndex(at, K, blk);
    reserve(sp.end);
    const panels = at.Mp / blk.MR;
    rows.run(PACK_SPARSE_PANELS, [f32, i32, at.packedA / 4, sp.idx / 4, sp.cnt / 4, at.Mp, blk.MR, blk.NR, blk.KC,
      a.data, a.offset, a.stride[0]!, a.stride[1]!, M, K], panels, at.Mp * K);
    const density = keptShare(i32, sp.cnt / 4, at.Mp, K, blk);
    const sparse = density <= SPARSE_MAX_DENSITY;
    i32[JOB_ADDR / 4 + JOB.A_IDX] = sp.idx;
    i32[JOB_ADDR / 4 + JOB.A_CNT] = sp.cnt;
    multiply(c, sparse ? null : a, b, at, K, 2 * M * N * K * (sparse ? density : 1));
    return { density, sparse };
  };

  return {
    name: fma ? 'wasm-fma' : 'wasm',
    threads,
    matmul,
    matmulSparse,
    rows,
    workerJobs: () => pool.entered(),
    side,
    close(): void {
      closed = true;
      pool.close();
    },
  };
}
