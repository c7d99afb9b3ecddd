// The blocking constants and the memory layout shared by the emitted kernel, the staging code and
// the thread pool. Names: M = rows of A and C, K = inner dimension, N = columns of B and C;
// Mp, Np = M and N rounded up to whole register tiles (MR rows, NR columns).
// No constant here changes a bit of C: every element is the float32 sum of its K products in
// k order (see kernel-multiply.ts), whatever the blocking and the thread count. Numbers only, plus
// the arithmetic that places the operands in memory.

/** The register tile and the cache blocks. All sizes in float32 elements. */
export interface Blocking {
  /** Rows of the register tile: rows of A broadcast per k. */
  readonly MR: number;
  /** Columns of the register tile, a multiple of 4 (NR/4 v128 loads of packed B per k). */
  readonly NR: number;
  /** Depth of a K block: a packed A micro-panel is KC·MR floats, a B micro-panel KC·NR. */
  readonly KC: number;
  /** Most rows of C per task: the A block (MC·KC floats) is reused from L2 across the task's columns. */
  readonly MC: number;
  /** Most columns of C per task: the B block streamed per K block is KC·NC floats. */
  readonly NC: number;
  /** Most micro-panels per packing task (of A: PACK_PANELS·MR rows; of B: PACK_PANELS·NR columns). */
  readonly PACK_PANELS: number;
}

/**
 * The defaults, tuned on a 2-core Sapphire Rapids (48 KiB L1d, 2 MiB L2 per core):
 * 4×8 tile = 8 v128 accumulators + 2 B vectors + 1 broadcast A, within x64's 16 xmm registers;
 * KC = 256 keeps a B micro-panel (8 KiB) in L1 while the A block (MC·KC·4 = 128 KiB) sits in L2.
 * MC, NC and PACK_PANELS bound how the work is split (plan.ts shrinks the tasks of small products
 * so that every thread gets several).
 */
export const BLOCKING: Blocking = { MR: 4, NR: 8, KC: 256, MC: 128, NC: 512, PACK_PANELS: 32 };

// --- Memory layout (byte addresses in the shared wasm memory) ---------------------------------
// [0, 64)      control words for the thread pool (Int32, see CTRL)
// [64, 192)    the job descriptor read by the emitted `run` function (Int32, see JOB)
// [DATA_BASE, ...)  staged A, staged B (compact copies of the caller's views), packed A
//              (Mp·K floats), packed B (Np·K floats), C (Mp·Np floats), each on a 64-byte line,
//              then TOUCH_SLACK bytes that are only ever read.

/** Int32 indices of the pool's control words (byte address = 4 · index). */
export const CTRL = {
  /** Job generation: bumped by the main thread to start a job; workers wait on it. */
  GEN: 0,
  /** Workers inside the current job, plus ACTIVE_CLOSED once the main thread has closed it. */
  ACTIVE: 1,
  /** Non-zero: workers exit at the next GEN. */
  STOP: 2,
  /** Non-zero: a worker threw (1) or failed to start (2); it leaves the job / reports ready anyway. */
  ERROR: 3,
  /** Workers that have instantiated the module and entered their wait loop. */
  READY: 4,
  /** Workers that have also loaded the row tasks (src/run/row-tasks.ts) and can run row jobs. */
  ROWS_READY: 5,
  /** Jobs entered by a worker, summed over the workers: how often the pool took part (none on one thread). */
  ENTERED: 6,
} as const;

/** The bit of CTRL.ACTIVE that says "closed: no worker may enter this job any more". */
export const ACTIVE_CLOSED = 1 << 30;

/** Byte address of the job descriptor. */
export const JOB_ADDR = 64;

/** Int32 field indices of the job descriptor, relative to JOB_ADDR. Pointers are byte addresses. */
export const JOB = {
  /** PHASE_PACK, PHASE_MULTIPLY, or PHASE_ROWS (a row job: its descriptor is elsewhere, row-jobs.ts). */
  PHASE: 0,
  /** Next unclaimed task (claimed with an atomic add by every thread). */
  NEXT: 1,
  /** Number of tasks in this phase. */
  TASKS: 2,
  /** Multiply phase: tasks per row of tasks, ceil(Np/TASK_N); task t is the TASK_M×TASK_N tile of C
   * at rows (t / TASKS_N)·TASK_M, columns (t % TASKS_N)·TASK_N (clipped to Mp, Np). */
  TASKS_N: 3,
  TASK_M: 17,
  TASK_N: 18,
  /** Packed A: K blocks one after another; block at k0 holds Mp/MR micro-panels of kc·MR floats. */
  A: 4,
  /** Packed B: K blocks one after another; block at k0 holds Np/NR micro-panels of kc·NR floats. */
  B: 5,
  /** C, row-major (Mp, Np). */
  C: 6,
  MP: 7,
  NP: 8,
  K: 9,
  /** Pack phase: tasks [0, PACK_TASKS_A) pack A, the rest pack B, PACK_PANELS micro-panels each. */
  PACK_TASKS_A: 10,
  PACK_PANELS: 19,
  /** Staged A: element (i, k) at STAGE_A + k·STAGE_A_SK + i·STAGE_A_SP (strides in bytes). */
  STAGE_A: 11,
  STAGE_A_SK: 12,
  STAGE_A_SP: 13,
  /** Staged B: element (k, j) at STAGE_B + k·STAGE_B_SK + j·STAGE_B_SP (strides in bytes). */
  STAGE_B: 14,
  STAGE_B_SK: 15,
  STAGE_B_SP: 16,
  /** Sparse multiply phase (PHASE_MULTIPLY_SPARSE): A's k indices and counts, see SparseIndex. */
  A_IDX: 20,
  A_CNT: 21,
} as const;

export const PHASE_PACK = 0;
export const PHASE_MULTIPLY = 1;
export const PHASE_ROWS = 2;
/** The multiply phase over a compressed A (pack-sparse.ts): each A micro-panel keeps only its k with a non-zero. */
export const PHASE_MULTIPLY_SPARSE = 3;

/**
 * Bytes left readable after C: the macro-kernel reads cache lines ahead of use ("touches") up to
 * about one B micro-panel (KC·NR·4 bytes) past packed B (kernel-multiply.ts macroKernel checks it).
 */
export const TOUCH_SLACK = 65536;

/** First byte of the operands. */
export const DATA_BASE = 192;

/** Round n up to a multiple of m. */
export function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** Byte addresses of the five regions for an (M, K)·(K, N) product, and the bytes needed. */
export interface Placement {
  Mp: number;
  Np: number;
  stageA: number; // Mp·K floats
  stageB: number; // K·Np floats
  packedA: number; // Mp·K floats
  packedB: number; // K·Np floats
  c: number; // Mp·Np floats
  end: number;
}

export function placeOperands(M: number, K: number, N: number, blk: Blocking): Placement {
  const Mp = roundUp(M, blk.MR);
  const Np = roundUp(N, blk.NR);
  const after = (start: number, floats: number): number => roundUp(start + 4 * floats, 64);
  const stageA = DATA_BASE;
  const stageB = after(stageA, Mp * K);
  const packedA = after(stageB, K * Np);
  const packedB = after(packedA, Mp * K);
  const c = after(packedB, K * Np);
  const end = c + 4 * Mp * Np + TOUCH_SLACK;
  return { Mp, Np, stageA, stageB, packedA, packedB, c, end };
}

/**
 * Where a compressed A (pack-sparse.ts) keeps what the sparse multiply phase reads besides the values
 * (which sit in packed A at the dense layout's places, each micro-panel's kept k first): per K block
 * k0 and A micro-panel ip, cnt[kb·Mp/MR + ip] = how many k of the block the panel keeps, and
 * idx[k0·Mp/MR + ip·kc + s] = (k − k0)·NR·4, the byte offset of kept k number s in a packed B
 * micro-panel. Both i32, placed after the dense operands (and their touch slack).
 */
export interface SparseIndex {
  idx: number; // byte address: (Mp/MR)·K i32
  cnt: number; // byte address: (Mp/MR)·ceil(K/KC) i32
  end: number;
}

export function placeSparseIndex(p: Placement, K: number, blk: Blocking): SparseIndex {
  const panels = p.Mp / blk.MR;
  const idx = roundUp(p.end, 64);
  const cnt = roundUp(idx + 4 * panels * K, 64);
  return { idx, cnt, end: cnt + 4 * panels * Math.ceil(K / blk.KC) };
}
