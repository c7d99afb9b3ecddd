// The multiply phase of the matmul module, as function definitions: the register-tiled SIMD128
// micro-kernel (an MR×NR tile of C in v128 locals), the macro-kernel that loops it over one packed
// A block × one packed B block, and multiplyTask, which computes one tile of C over all K blocks.
// Plain f32x4.mul then f32x4.add, so every machine gives the same bits; or, in the opt-in 'wasm-fma'
// backend (fma = true), relaxed SIMD's f32x4.relaxed_madd, whose rounding is the machine's.
// Packing is in kernel-pack.ts, task claiming and module assembly in kernel.ts.
import { Code, I32, V128, type FuncDef, type ValType } from './emit.ts';
import { FN, Locals, field } from './kernel-shared.ts';
import { JOB, TOUCH_SLACK, type Blocking } from './layout.ts';

/**
 * micro(c, a, b, kc, ldc, accumulate): one MR×NR tile of C.
 *   c is (MR, NR) at byte address c with row stride ldc bytes;
 *   a is a packed micro-panel (kc, MR): a[k*MR + r] = A[i0 + r, k0 + k];
 *   b is a packed micro-panel (kc, NR): b[k*NR + j] = B[k0 + k, j0 + j].
 * The equivalent scalar loop:
 *   for r < MR, j < NR:  acc[r][j] = accumulate ? c[r][j] : 0
 *   for k < kc:  for r < MR:  for j < NR:  acc[r][j] = acc[r][j] + a[k*MR + r] * b[k*NR + j]
 *   for r < MR, j < NR:  c[r][j] = acc[r][j]
 * Each acc[r][j] is a float32 sum in k order, product rounded then sum rounded (no fusion); as
 * the accumulators are float32 too, storing them in C between K blocks and loading them back
 * loses nothing, so every element of C ends up exactly as in the scalar loop
 *   acc = 0;  for k < K:  acc = f32(acc + f32(A[i, k] * B[k, j]))
 * whatever the block sizes and whichever thread computes it.
 * With fma the inner step is acc[r][j] = relaxed_madd(a, b, acc[r][j]): fused (one rounding) where
 * the machine has FMA, as above where it does not; still the same bits for any thread count.
 * kc must be at least 1. The k loop is deliberately not unrolled: with two or more k steps per
 * iteration V8's TurboFan hoists all the loads to the top of the body and spills accumulators
 * (measured: 41 GFLOP/s at one step, 35 at two, 30 at four).
 * sparse: micro(c, a, b, kc, ldc, accumulate, idx) over a compressed A panel (pack-sparse.ts):
 *   a[s*MR + r] = A[i0 + r, k_s] for the kc kept k_s (in k order), idx[s] = (k_s − k0)·NR·4 bytes, so
 *   for s < kc:  for r, j:  acc[r][j] = acc[r][j] + a[s*MR + r] * b[idx[s]/4 + j]
 * (kc may be 0). The k it skips are those where all MR values of A are zero: their terms are
 * f32(±0·b) = ±0, which leave a float32 sum unchanged (it is never −0: it starts at +0, and +0 + −0
 * = +0), so C's bits are the dense loop's exactly, as long as B is finite (0·∞ is NaN).
 */
export function microKernel(blk: Blocking, fma = false, sparse = false): FuncDef {
  const { MR, NR } = blk;
  const NV = NR / 4; // v128 vectors per row of the tile
  const [c, a, b, kc, ldc, accumulate, idx] = [0, 1, 2, 3, 4, 5, 6];
  const L = new Locals(sparse ? 7 : 6);
  const acc: number[][] = []; // acc[r][v] holds C[r, 4v .. 4v+3]
  for (let r = 0; r < MR; r++) acc.push(Array.from({ length: NV }, () => L.add(V128)));
  const bv = Array.from({ length: NV }, () => L.add(V128)); // b[k*NR + 4v .. 4v+3]
  const av = L.add(V128); // a[k*MR + r] in all four lanes
  const row = L.add(I32); // byte address of the current row of C
  const end = L.add(I32); // dense: b + kc*NR*4, one past the micro-panel; sparse: idx + kc*4, one past the kept k
  const bRow = sparse ? L.add(I32) : b; // the row of the B micro-panel this k step reads (sparse: b + idx[s])

  const code = new Code();
  // for each row r of the tile: `row` walks c, c + ldc, c + 2·ldc, ...
  const forEachRowOfC = (each: (r: number) => void): void => {
    code.localGet(c).localSet(row);
    for (let r = 0; r < MR; r++) {
      each(r);
      if (r < MR - 1) code.localGet(row).localGet(ldc).i32Add().localSet(row);
    }
  };
  // One k step: the B row at bRow, A's MR values at a; then a += MR*4.
  const kStep = (): void => {
    // bv[v] = bRow[4v .. 4v+3]
    for (let v = 0; v < NV; v++) code.localGet(bRow).v128Load(16 * v).localSet(bv[v]!);
    for (let r = 0; r < MR; r++) {
      // av = splat(a[r]);  acc[r][v] = acc[r][v] + av * bv[v]
      code.localGet(a).v128Load32Splat(4 * r).localSet(av);
      for (let v = 0; v < NV; v++) {
        if (fma) code.localGet(av).localGet(bv[v]!).localGet(acc[r]![v]!).f32x4RelaxedMadd().localSet(acc[r]![v]!);
        else code.localGet(acc[r]![v]!).localGet(av).localGet(bv[v]!).f32x4Mul().f32x4Add().localSet(acc[r]![v]!);
      }
    }
    code.localGet(a).i32Const(4 * MR).i32Add().localSet(a);
  };

  // acc = accumulate ? c : 0  (locals start at zero, so only the load needs code)
  code.localGet(accumulate).if(() => {
    forEachRowOfC((r) => {
      for (let v = 0; v < NV; v++) code.localGet(row).v128Load(16 * v).localSet(acc[r]![v]!);
    });
  });

  if (sparse) {
    // if (kc != 0) { end = idx + kc*4; do { bRow = b + idx[0]; one k step; idx += 4 } while (idx < end) }
    code.localGet(kc).if(() => {
      code.localGet(idx).localGet(kc).i32Const(4).i32Mul().i32Add().localSet(end);
      code.loop(() => {
        code.localGet(b).localGet(idx).i32Load().i32Add().localSet(bRow);
        kStep();
        code.localGet(idx).i32Const(4).i32Add().localTee(idx).localGet(end).i32LtU().brIf(0);
      });
    });
  } else {
    // end = b + kc*NR*4;  do { one k step; b += NR*4 } while (b < end)
    code.localGet(b).localGet(kc).i32Const(4 * NR).i32Mul().i32Add().localSet(end);
    code.loop(() => {
      kStep();
      code.localGet(b).i32Const(4 * NR).i32Add().localTee(b).localGet(end).i32LtU().brIf(0);
    });
  }

  // c = acc
  forEachRowOfC((r) => {
    for (let v = 0; v < NV; v++) code.localGet(row).localGet(acc[r]![v]!).v128Store(16 * v);
  });

  return { params: Array<ValType>(sparse ? 7 : 6).fill(I32), results: [], locals: L.types, body: code };
}

/** Bytes per cache line, the granularity of the touch-ahead loads below. */
const LINE = 64;

/**
 * macro(c, a, b, ldc, mPanels, nPanels, kc, accumulate, aNext): a (mPanels·MR)×(nPanels·NR) block
 * of C from one packed A block (mPanels micro-panels of kc·MR floats, one after another) and one
 * packed B block (nPanels micro-panels of kc·NR floats). ldc is C's row stride in bytes.
 *   for jp < nPanels:      // the B micro-panel (kc·NR floats) stays in L1 across the ip loop
 *     for ip < mPanels:    // A micro-panels come from L2
 *       touch the next lines of B micro-panel jp+1 and of the next K block's A block (aNext)
 *       micro(c + ip*MR*ldc + jp*NR*4, a + ip*kc*MR*4, b + jp*kc*NR*4, kc, ldc, accumulate)
 * The operands are packed up front for the whole product, so a panel is cold (in DRAM) when first
 * used; wasm has no prefetch instruction, so the loop reads one i32 per line ahead of use and
 * drops it ("touch"): bLines lines of the next B panel per call cover it by the end of the ip
 * loop, aLines lines of the next A block per call cover it by the end of the jp loop. V8 cannot
 * remove these loads (a load may trap). Measured: +6% on (1000×2000)·(2000×2000), one thread.
 * Touches only read, but must stay inside the memory (checked below): the B touches of the last
 * panel run at most (MC/MR)·bLines lines past the end of packed B, into C and TOUCH_SLACK; the A
 * touches of one macro call span at most (mPanels·nPanels)·aLines lines from aNext, which is inside
 * packed A, and (Mp/MR)·(Np/NR)·aLines lines fit in C whenever aLines·LINE <= 4·MR·NR.
 * sparse: macro(c, a, b, ldc, mPanels, nPanels, kc, accumulate, aNext, idx, cnt) over a compressed A
 * (pack-sparse.ts; layout.ts SparseIndex): A panel ip keeps cnt[ip] of the block's kc k, listed at
 * idx + ip*kc*4, and the micro call is micro(..., cnt[ip], ldc, accumulate, idx + ip*kc*4).
 */
export function macroKernel(blk: Blocking, sparse = false): FuncDef {
  const { MR, NR, KC, MC, NC } = blk;
  // Lines touched per micro call: a full panel's (block's) lines spread over the calls before its use.
  const bLines = Math.ceil((KC * NR * 4) / LINE / (MC / MR));
  const aLines = Math.ceil((KC * MR * 4) / LINE / (NC / NR));
  if ((MC / MR) * bLines * LINE > TOUCH_SLACK || aLines * LINE > 4 * MR * NR) {
    throw new Error(`macroKernel: touch-ahead would leave the memory with blocking ${JSON.stringify(blk)}`);
  }
  const [c, a, b, ldc, mPanels, nPanels, kc, accumulate, aNext, idx, cnt] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const L = new Locals(sparse ? 11 : 9);
  const jp = L.add(I32);
  const ip = L.add(I32);
  const cRow = L.add(I32); // c + ip*MR*ldc + jp*NR*4
  const aPanel = L.add(I32); // a + ip*kc*MR*4
  const bPanel = L.add(I32); // b + jp*kc*NR*4
  const cCol = L.add(I32); // c + jp*NR*4
  const bTouch = L.add(I32); // next line to touch in B micro-panel jp+1
  const aTouch = L.add(I32); // next line to touch in the next K block of A
  const idxPanel = sparse ? L.add(I32) : -1; // sparse: idx + ip*kc*4
  const cntPanel = sparse ? L.add(I32) : -1; // sparse: cnt + ip*4

  const code = new Code();
  code.localGet(aNext).localSet(aTouch);
  code.localGet(c).localSet(cCol);
  code.localGet(b).localSet(bPanel);
  code.i32Const(0).localSet(jp);
  code.loop(() => {
    code.localGet(cCol).localSet(cRow);
    code.localGet(a).localSet(aPanel);
    // bTouch = bPanel + kc*NR*4, the start of micro-panel jp+1
    code.localGet(bPanel).localGet(kc).i32Const(4 * NR).i32Mul().i32Add().localSet(bTouch);
    code.i32Const(0).localSet(ip);
    if (sparse) code.localGet(idx).localSet(idxPanel).localGet(cnt).localSet(cntPanel);
    code.loop(() => {
      for (let q = 0; q < bLines; q++) code.localGet(bTouch).i32Load(q * LINE).drop();
      code.localGet(bTouch).i32Const(bLines * LINE).i32Add().localSet(bTouch);
      for (let q = 0; q < aLines; q++) code.localGet(aTouch).i32Load(q * LINE).drop();
      code.localGet(aTouch).i32Const(aLines * LINE).i32Add().localSet(aTouch);
      if (sparse) {
        code.localGet(cRow).localGet(aPanel).localGet(bPanel).localGet(cntPanel).i32Load().localGet(ldc).localGet(accumulate);
        code.localGet(idxPanel).call(FN.microSparse);
        // idxPanel += kc*4; cntPanel += 4
        code.localGet(idxPanel).localGet(kc).i32Const(4).i32Mul().i32Add().localSet(idxPanel);
        code.localGet(cntPanel).i32Const(4).i32Add().localSet(cntPanel);
      } else {
        code.localGet(cRow).localGet(aPanel).localGet(bPanel).localGet(kc).localGet(ldc).localGet(accumulate).call(FN.micro);
      }
      // cRow += MR*ldc; aPanel += kc*MR*4; ip += 1; repeat while ip < mPanels
      code.localGet(cRow).localGet(ldc).i32Const(MR).i32Mul().i32Add().localSet(cRow);
      code.localGet(aPanel).localGet(kc).i32Const(4 * MR).i32Mul().i32Add().localSet(aPanel);
      code.localGet(ip).i32Const(1).i32Add().localTee(ip).localGet(mPanels).i32LtU().brIf(0);
    });
    // cCol += NR*4; bPanel += kc*NR*4; jp += 1; repeat while jp < nPanels
    code.localGet(cCol).i32Const(4 * NR).i32Add().localSet(cCol);
    code.localGet(bPanel).localGet(kc).i32Const(4 * NR).i32Mul().i32Add().localSet(bPanel);
    code.localGet(jp).i32Const(1).i32Add().localTee(jp).localGet(nPanels).i32LtU().brIf(0);
  });
  return { params: Array<ValType>(sparse ? 11 : 9).fill(I32), results: [], locals: L.types, body: code };
}

/**
 * multiplyTask(job, t): task t of the multiply phase (descriptor fields: layout.ts JOB) is the C
 * tile rows [i0, i0+mc), columns [j0, j0+nc), i0 = (t / TASKS_N)·TASK_M, j0 = (t % TASKS_N)·TASK_N,
 * mc = min(TASK_M, Mp - i0), nc = min(TASK_N, Np - j0),
 * computed K block by K block:
 *   for k0 = 0; k0 < K; k0 += KC:
 *     kc = min(KC, K - k0)
 *     macro(C + (i0*Np + j0)*4, A + (k0*Mp + i0*kc)*4, B + (k0*Np + j0*kc)*4,
 *           Np*4, mc/MR, nc/NR, kc, k0 > 0, A + ((k0+KC)*Mp + i0*kcNext)*4)
 * The K blocks of one tile run in order on one thread, so every element of C gets its products
 * added in k order whichever thread claims its task.
 * sparse (PHASE_MULTIPLY_SPARSE, A compressed: layout.ts SparseIndex): the macro call also gets
 *   idx = A_IDX + (k0*Mp + i0*kc)*4/MR  (the K block's index list of the tile's first A panel)
 *   cnt = A_CNT + ((k0/KC)*(Mp/MR) + i0/MR)*4
 */
export function multiplyTask(blk: Blocking, sparse = false): FuncDef {
  const { MR, NR, KC } = blk;
  const [job, t] = [0, 1];
  const L = new Locals(2);
  const i0 = L.add(I32);
  const j0 = L.add(I32);
  const mc = L.add(I32);
  const nc = L.add(I32);
  const k0 = L.add(I32);
  const kc = L.add(I32);
  const kcNext = L.add(I32);
  const taskM = L.add(I32);
  const taskN = L.add(I32);
  const a = L.add(I32);
  const aNext = L.add(I32);
  const Mp = L.add(I32);
  const Np = L.add(I32);
  const K = L.add(I32);

  const code = new Code();
  code.localGet(job).i32Load(field(JOB.MP)).localSet(Mp);
  code.localGet(job).i32Load(field(JOB.NP)).localSet(Np);
  code.localGet(job).i32Load(field(JOB.K)).localSet(K);
  code.localGet(job).i32Load(field(JOB.TASK_M)).localSet(taskM);
  code.localGet(job).i32Load(field(JOB.TASK_N)).localSet(taskN);
  // i0 = (t / TASKS_N)*TASK_M;  j0 = (t % TASKS_N)*TASK_N
  code.localGet(t).localGet(job).i32Load(field(JOB.TASKS_N)).i32DivU().localGet(taskM).i32Mul().localSet(i0);
  code.localGet(t).localGet(job).i32Load(field(JOB.TASKS_N)).i32RemU().localGet(taskN).i32Mul().localSet(j0);
  // mc = min(TASK_M, Mp - i0);  nc = min(TASK_N, Np - j0)
  code.localGet(Mp).localGet(i0).i32Sub().localSet(mc);
  code.localGet(mc).localGet(taskM).i32GtU().if(() => code.localGet(taskM).localSet(mc));
  code.localGet(Np).localGet(j0).i32Sub().localSet(nc);
  code.localGet(nc).localGet(taskN).i32GtU().if(() => code.localGet(taskN).localSet(nc));
  code.i32Const(0).localSet(k0);
  code.loop(() => {
    // kc = min(KC, K - k0)
    code.localGet(K).localGet(k0).i32Sub().localSet(kc);
    code.localGet(kc).i32Const(KC).i32GtU().if(() => code.i32Const(KC).localSet(kc));
    // a = A + (k0*Mp + i0*kc)*4
    code.localGet(job).i32Load(field(JOB.A))
      .localGet(k0).localGet(Mp).i32Mul().localGet(i0).localGet(kc).i32Mul().i32Add().i32Const(4).i32Mul().i32Add().localSet(a);
    // c = C + (i0*Np + j0)*4
    code.localGet(job).i32Load(field(JOB.C)).localGet(i0).localGet(Np).i32Mul().localGet(j0).i32Add().i32Const(4).i32Mul().i32Add();
    code.localGet(a);
    // b = B + (k0*Np + j0*kc)*4
    code.localGet(job).i32Load(field(JOB.B))
      .localGet(k0).localGet(Np).i32Mul().localGet(j0).localGet(kc).i32Mul().i32Add().i32Const(4).i32Mul().i32Add();
    // ldc = Np*4, mPanels = mc/MR, nPanels = nc/NR, kc, accumulate = k0 != 0
    code.localGet(Np).i32Const(4).i32Mul();
    code.localGet(mc).i32Const(MR).i32DivU();
    code.localGet(nc).i32Const(NR).i32DivU();
    code.localGet(kc);
    code.localGet(k0).i32Const(0).i32Ne();
    // aNext = this tile's A block in the next K block (for touching ahead), or a itself after the last:
    //   k0 + KC < K ? A + ((k0 + KC)*Mp + i0*min(KC, K - k0 - KC))*4 : a
    code.localGet(k0).i32Const(KC).i32Add().localGet(K).i32LtU().ifElse(
      () => {
        code.localGet(K).localGet(k0).i32Sub().i32Const(KC).i32Sub().localSet(kcNext);
        code.localGet(kcNext).i32Const(KC).i32GtU().if(() => code.i32Const(KC).localSet(kcNext));
        code.localGet(job).i32Load(field(JOB.A));
        code.localGet(k0).i32Const(KC).i32Add().localGet(Mp).i32Mul().localGet(i0).localGet(kcNext).i32Mul().i32Add();
        code.i32Const(4).i32Mul().i32Add().localSet(aNext);
      },
      () => code.localGet(a).localSet(aNext),
    );
    code.localGet(aNext);
    if (sparse) {
      // idx = A_IDX + (a - A)/MR;  cnt = A_CNT + ((k0/KC)*(Mp/MR) + i0/MR)*4
      code.localGet(job).i32Load(field(JOB.A_IDX)).localGet(a).localGet(job).i32Load(field(JOB.A)).i32Sub().i32Const(MR).i32DivU().i32Add();
      code.localGet(job).i32Load(field(JOB.A_CNT));
      code.localGet(k0).i32Const(KC).i32DivU().localGet(Mp).i32Const(MR).i32DivU().i32Mul().localGet(i0).i32Const(MR).i32DivU().i32Add();
      code.i32Const(4).i32Mul().i32Add();
    }
    code.call(sparse ? FN.macroSparse : FN.macro);
    // k0 += KC; repeat while k0 < K
    code.localGet(k0).i32Const(KC).i32Add().localTee(k0).localGet(K).i32LtU().brIf(0);
  });
  return { params: [I32, I32], results: [], locals: L.types, body: code };
}

