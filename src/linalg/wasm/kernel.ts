// The bytes of the matmul module. Multiply phase: a register-tiled SIMD128 micro-kernel (MR×NR
// tile of C in v128 locals), the macro-kernel looping it over one packed A block × one packed B
// block, and tasks of MC×NC tiles of C. Pack phase: tasks copying the staged operands into the
// packed micro-panel layout. `run(job)` claims tasks of the current phase with an atomic add until
// none are left. Plain f32x4.mul then f32x4.add (no relaxed-SIMD FMA): every machine gives the
// same bits. Knows nothing of threads beyond that counter, nor of the caller's arrays (stage.ts).
import { Code, I32, V128, buildModule, type FuncDef, type ValType } from './emit.ts';
import { JOB, PHASE_PACK, type Blocking } from './layout.ts';

/** Function indices in the module (no imported functions, so definition order). */
const FN = {
  micro: 0, macro: 1, multiplyTask: 2,
  packContigA: 3, packStridedA: 4, packContigB: 5, packStridedB: 6, packTaskA: 7, packTaskB: 8,
  run: 9,
} as const;

/** Byte offset of a job descriptor field. */
const field = (f: number): number => 4 * f;

/** Hands out local indices after the params, remembering their types for the declaration. */
class Locals {
  readonly types: ValType[] = [];
  constructor(private readonly nParams: number) {}
  add(t: ValType): number {
    this.types.push(t);
    return this.nParams + this.types.length - 1;
  }
}

/**
 * micro(c, a, b, kc, ldc, accumulate): one MR×NR tile of C.
 *   c is (MR, NR) at byte address c with row stride ldc bytes;
 *   a is a packed micro-panel (kc, MR): a[k*MR + r] = A[i0 + r, k0 + k];
 *   b is a packed micro-panel (kc, NR): b[k*NR + j] = B[k0 + k, j0 + j].
 * The equivalent scalar loop:
 *   for r < MR, j < NR:  acc[r][j] = accumulate ? c[r][j] : 0
 *   for k < kc:  for r < MR:  for j < NR:  acc[r][j] = acc[r][j] + a[k*MR + r] * b[k*NR + j]
 *   for r < MR, j < NR:  c[r][j] = acc[r][j]
 * Each acc[r][j] is a float32 sum in k order, product rounded then sum rounded (no fusion).
 * kc must be at least 1. The k loop is deliberately not unrolled: with two or more k steps per
 * iteration V8's TurboFan hoists all the loads to the top of the body and spills accumulators
 * (measured: 41 GFLOP/s at one step, 35 at two, 30 at four).
 */
function microKernel(blk: Blocking): FuncDef {
  const { MR, NR } = blk;
  const NV = NR / 4; // v128 vectors per row of the tile
  const [c, a, b, kc, ldc, accumulate] = [0, 1, 2, 3, 4, 5];
  const L = new Locals(6);
  const acc: number[][] = []; // acc[r][v] holds C[r, 4v .. 4v+3]
  for (let r = 0; r < MR; r++) acc.push(Array.from({ length: NV }, () => L.add(V128)));
  const bv = Array.from({ length: NV }, () => L.add(V128)); // b[k*NR + 4v .. 4v+3]
  const av = L.add(V128); // a[k*MR + r] in all four lanes
  const row = L.add(I32); // byte address of the current row of C
  const bEnd = L.add(I32); // b + kc*NR*4: one past the micro-panel

  const code = new Code();
  // for each row r of the tile: `row` walks c, c + ldc, c + 2·ldc, ...
  const forEachRowOfC = (each: (r: number) => void): void => {
    code.localGet(c).localSet(row);
    for (let r = 0; r < MR; r++) {
      each(r);
      if (r < MR - 1) code.localGet(row).localGet(ldc).i32Add().localSet(row);
    }
  };

  // acc = accumulate ? c : 0  (locals start at zero, so only the load needs code)
  if (process.env.NOC) code.i32Const(0).localSet(accumulate);
  code.localGet(accumulate).if(() => {
    forEachRowOfC((r) => {
      for (let v = 0; v < NV; v++) code.localGet(row).v128Load(16 * v).localSet(acc[r]![v]!);
    });
  });

  // bEnd = b + kc*NR*4
  code.localGet(b).localGet(kc).i32Const(4 * NR).i32Mul().i32Add().localSet(bEnd);
  // do { one k step } while (b < bEnd)
  code.loop(() => {
    // bv[v] = b[4v .. 4v+3]
    for (let v = 0; v < NV; v++) code.localGet(b).v128Load(16 * v).localSet(bv[v]!);
    for (let r = 0; r < MR; r++) {
      // av = splat(a[r]);  acc[r][v] = acc[r][v] + av * bv[v]
      code.localGet(a).v128Load32Splat(4 * r).localSet(av);
      for (let v = 0; v < NV; v++) {
        code.localGet(acc[r]![v]!).localGet(av).localGet(bv[v]!).f32x4Mul().f32x4Add().localSet(acc[r]![v]!);
      }
    }
    // a += MR*4; b += NR*4
    code.localGet(a).i32Const(4 * MR).i32Add().localSet(a);
    code.localGet(b).i32Const(4 * NR).i32Add().localTee(b).localGet(bEnd).i32LtU().brIf(0);
  });

  // c = acc
  if (process.env.NOC) { code.i32Const(0).localSet(c); code.i32Const(0).localSet(ldc); }
  forEachRowOfC((r) => {
    for (let v = 0; v < NV; v++) code.localGet(row).localGet(acc[r]![v]!).v128Store(16 * v);
  });

  return { params: [I32, I32, I32, I32, I32, I32], results: [], locals: L.types, body: code };
}

/**
 * macro(c, a, b, ldc, mPanels, nPanels, kc, accumulate): a (mPanels·MR)×(nPanels·NR) block of C
 * from one packed A block (mPanels micro-panels of kc·MR floats, one after another) and one
 * packed B block (nPanels micro-panels of kc·NR floats). ldc is C's row stride in bytes.
 *   for jp < nPanels:      // the B micro-panel (kc·NR floats) stays in L1 across the ip loop
 *     for ip < mPanels:    // A micro-panels stream from L2
 *       micro(c + ip*MR*ldc + jp*NR*4, a + ip*kc*MR*4, b + jp*kc*NR*4, kc, ldc, accumulate)
 */
function macroKernel(blk: Blocking): FuncDef {
  const { MR, NR } = blk;
  const [c, a, b, ldc, mPanels, nPanels, kc, accumulate, aNext] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const L = new Locals(9);
  const aPf = L.add(I32);
  const jp = L.add(I32);
  const ip = L.add(I32);
  const cRow = L.add(I32); // c + ip*MR*ldc + jp*NR*4
  const aPanel = L.add(I32); // a + ip*kc*MR*4
  const bPanel = L.add(I32); // b + jp*kc*NR*4
  const cCol = L.add(I32); // c + jp*NR*4

  const code = new Code();
  code.localGet(aNext).localSet(aPf);
  code.localGet(c).localSet(cCol);
  code.localGet(b).localSet(bPanel);
  code.i32Const(0).localSet(jp);
  code.loop(() => {
    code.localGet(cCol).localSet(cRow);
    code.localGet(a).localSet(aPanel);
    code.i32Const(0).localSet(ip);
    code.loop(() => {
      if (process.env.PF) {
        const lines = Number(process.env.PF);
        for (let q = 0; q < lines; q++) {
          code.localGet(bPanel).localGet(kc).i32Const(4 * NR).i32Mul().i32Add().localGet(ip).i32Const(64 * lines).i32Mul().i32Add().i32Load(64 * q).drop();
        }
      }
      if (process.env.PFA) {
        code.localGet(aPf).i32Load().drop();
        code.localGet(aPf).i32Const(64).i32Add().localSet(aPf);
      }
      code.localGet(cRow).localGet(aPanel).localGet(bPanel).localGet(kc).localGet(ldc).localGet(accumulate).call(FN.micro);
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
  return { params: [I32, I32, I32, I32, I32, I32, I32, I32, I32], results: [], locals: L.types, body: code };
}

/**
 * multiplyTask(job, t): task t of the multiply phase (descriptor fields: layout.ts JOB) is the C
 * tile rows [i0, i0+mc), columns [j0, j0+nc), i0 = (t / TASKS_N)·MC, j0 = (t % TASKS_N)·NC,
 * computed K block by K block:
 *   for k0 = 0; k0 < K; k0 += KC:
 *     kc = min(KC, K - k0)
 *     macro(C + (i0*Np + j0)*4, A + (k0*Mp + i0*kc)*4, B + (k0*Np + j0*kc)*4,
 *           Np*4, mc/MR, nc/NR, kc, k0 > 0)
 * The K blocks of one tile always run in order on one thread, so every element of C gets the same
 * sequence of float32 operations whichever thread claims its task.
 */
function multiplyTask(blk: Blocking): FuncDef {
  const { MR, NR, KC, MC, NC } = blk;
  const [job, t] = [0, 1];
  const L = new Locals(2);
  const i0 = L.add(I32);
  const j0 = L.add(I32);
  const mc = L.add(I32);
  const nc = L.add(I32);
  const k0 = L.add(I32);
  const kc = L.add(I32);
  const Mp = L.add(I32);
  const Np = L.add(I32);
  const K = L.add(I32);

  const code = new Code();
  code.localGet(job).i32Load(field(JOB.MP)).localSet(Mp);
  code.localGet(job).i32Load(field(JOB.NP)).localSet(Np);
  code.localGet(job).i32Load(field(JOB.K)).localSet(K);
  // i0 = (t / TASKS_N)*MC;  j0 = (t % TASKS_N)*NC
  code.localGet(t).localGet(job).i32Load(field(JOB.TASKS_N)).i32DivU().i32Const(MC).i32Mul().localSet(i0);
  code.localGet(t).localGet(job).i32Load(field(JOB.TASKS_N)).i32RemU().i32Const(NC).i32Mul().localSet(j0);
  // mc = min(MC, Mp - i0);  nc = min(NC, Np - j0)
  code.localGet(Mp).localGet(i0).i32Sub().localSet(mc);
  code.localGet(mc).i32Const(MC).i32GtU().if(() => code.i32Const(MC).localSet(mc));
  code.localGet(Np).localGet(j0).i32Sub().localSet(nc);
  code.localGet(nc).i32Const(NC).i32GtU().if(() => code.i32Const(NC).localSet(nc));
  code.i32Const(0).localSet(k0);
  code.loop(() => {
    // kc = min(KC, K - k0)
    code.localGet(K).localGet(k0).i32Sub().localSet(kc);
    code.localGet(kc).i32Const(KC).i32GtU().if(() => code.i32Const(KC).localSet(kc));
    // c = C + (i0*Np + j0)*4
    code.localGet(job).i32Load(field(JOB.C)).localGet(i0).localGet(Np).i32Mul().localGet(j0).i32Add().i32Const(4).i32Mul().i32Add();
    // a = A + (k0*Mp + i0*kc)*4
    code.localGet(job).i32Load(field(JOB.A)).localGet(k0).localGet(Mp).i32Mul().localGet(i0).localGet(kc).i32Mul().i32Add().i32Const(4).i32Mul().i32Add();
    // b = B + (k0*Np + j0*kc)*4
    code.localGet(job).i32Load(field(JOB.B)).localGet(k0).localGet(Np).i32Mul().localGet(j0).localGet(kc).i32Mul().i32Add().i32Const(4).i32Mul().i32Add();
    // ldc = Np*4, mPanels = mc/MR, nPanels = nc/NR, kc, accumulate = k0 != 0
    code.localGet(Np).i32Const(4).i32Mul();
    code.localGet(mc).i32Const(MR).i32DivU();
    code.localGet(nc).i32Const(NR).i32DivU();
    code.localGet(kc);
    code.localGet(k0).i32Const(0).i32Ne();
    code.localGet(job).i32Load(field(JOB.A)).localGet(k0).i32Const(KC).i32Add().localGet(Mp).i32Mul().localGet(i0).localGet(kc).i32Mul().i32Add().i32Const(4).i32Mul().i32Add();
    code.call(FN.macro);
    // k0 += KC; repeat while k0 < K
    code.localGet(k0).i32Const(KC).i32Add().localTee(k0).localGet(K).i32LtU().brIf(0);
  });
  return { params: [I32, I32], results: [], locals: L.types, body: code };
}

/**
 * packContig(dst, src, sK, kc) for panels W wide whose W source elements are adjacent:
 *   for k < kc:  for w < W:  dst[k*W + w] = src[k*sK/4 + w]      (sK in bytes)
 * as W/4 v128 copies per k.
 */
function packContig(W: number): FuncDef {
  const [dst, src, sK, kc] = [0, 1, 2, 3];
  const L = new Locals(4);
  const dEnd = L.add(I32);
  const code = new Code();
  // dEnd = dst + kc*W*4
  code.localGet(dst).localGet(kc).i32Const(4 * W).i32Mul().i32Add().localSet(dEnd);
  code.loop(() => {
    for (let v = 0; v < W / 4; v++) code.localGet(dst).localGet(src).v128Load(16 * v).v128Store(16 * v);
    code.localGet(src).localGet(sK).i32Add().localSet(src);
    code.localGet(dst).i32Const(4 * W).i32Add().localTee(dst).localGet(dEnd).i32LtU().brIf(0);
  });
  return { params: [I32, I32, I32, I32], results: [], locals: L.types, body: code };
}

/**
 * packStrided(dst, src, sK, sP, kc) for panels W wide with any source strides (sK, sP in bytes):
 *   for k < kc:  for w < W:  dst[k*W + w] = src[(k*sK + w*sP)/4]
 * one f32 at a time (used when the staged operand runs along k, i.e. a transpose is needed).
 */
function packStrided(W: number): FuncDef {
  const [dst, src, sK, sP, kc] = [0, 1, 2, 3, 4];
  const L = new Locals(5);
  const dEnd = L.add(I32);
  const q = L.add(I32); // src + w*sP
  const code = new Code();
  code.localGet(dst).localGet(kc).i32Const(4 * W).i32Mul().i32Add().localSet(dEnd);
  code.loop(() => {
    code.localGet(src).localSet(q);
    for (let w = 0; w < W; w++) {
      code.localGet(dst).localGet(q).f32Load().f32Store(4 * w);
      if (w < W - 1) code.localGet(q).localGet(sP).i32Add().localSet(q);
    }
    code.localGet(src).localGet(sK).i32Add().localSet(src);
    code.localGet(dst).i32Const(4 * W).i32Add().localTee(dst).localGet(dEnd).i32LtU().brIf(0);
  });
  return { params: [I32, I32, I32, I32, I32], results: [], locals: L.types, body: code };
}

/**
 * packTask(job, g) for one operand (A: W = MR, panels along rows; B: W = NR, along columns).
 * Staged element (k, p) is at src + k*sK + p*sP (bytes); the packed operand at dst holds, per K
 * block k0 (kc deep), Pp/W micro-panels of kc·W floats. Task g packs panels [p0, p1):
 *   p0 = g*PACK_PANELS;  p1 = min(p0 + PACK_PANELS, Pp/W)
 *   for k0 = 0; k0 < K; k0 += KC:  kc = min(KC, K - k0)
 *     for p in [p0, p1):
 *       d = dst + (k0*Pp + p*W*kc)*4;  s = src + k0*sK + p*W*sP
 *       sP == 4 ? packContig(d, s, sK, kc) : packStrided(d, s, sK, sP, kc)
 */
function packTask(blk: Blocking, W: number, f: { dst: number; Pp: number; src: number; sK: number; sP: number },
  contigFn: number, stridedFn: number): FuncDef {
  const { KC, PACK_PANELS } = blk;
  const [job, g] = [0, 1];
  const L = new Locals(2);
  const [dst, Pp, src, sK, sP, K] = [L.add(I32), L.add(I32), L.add(I32), L.add(I32), L.add(I32), L.add(I32)];
  const [p0, p1, p, k0, kc, d, s] = [L.add(I32), L.add(I32), L.add(I32), L.add(I32), L.add(I32), L.add(I32), L.add(I32)];
  const code = new Code();
  code.localGet(job).i32Load(field(f.dst)).localSet(dst);
  code.localGet(job).i32Load(field(f.Pp)).localSet(Pp);
  code.localGet(job).i32Load(field(f.src)).localSet(src);
  code.localGet(job).i32Load(field(f.sK)).localSet(sK);
  code.localGet(job).i32Load(field(f.sP)).localSet(sP);
  code.localGet(job).i32Load(field(JOB.K)).localSet(K);
  // p0 = g*PACK_PANELS;  p1 = min(p0 + PACK_PANELS, Pp/W)
  code.localGet(g).i32Const(PACK_PANELS).i32Mul().localSet(p0);
  code.localGet(p0).i32Const(PACK_PANELS).i32Add().localSet(p1);
  code.localGet(p1).localGet(Pp).i32Const(W).i32DivU().i32GtU().if(() => {
    code.localGet(Pp).i32Const(W).i32DivU().localSet(p1);
  });
  code.i32Const(0).localSet(k0);
  code.loop(() => {
    // kc = min(KC, K - k0)
    code.localGet(K).localGet(k0).i32Sub().localSet(kc);
    code.localGet(kc).i32Const(KC).i32GtU().if(() => code.i32Const(KC).localSet(kc));
    code.localGet(p0).localSet(p);
    code.loop(() => {
      // d = dst + (k0*Pp + p*W*kc)*4
      code.localGet(dst).localGet(k0).localGet(Pp).i32Mul().localGet(p).i32Const(W).i32Mul().localGet(kc).i32Mul().i32Add().i32Const(4).i32Mul().i32Add().localSet(d);
      // s = src + k0*sK + p*W*sP
      code.localGet(src).localGet(k0).localGet(sK).i32Mul().i32Add().localGet(p).i32Const(W).i32Mul().localGet(sP).i32Mul().i32Add().localSet(s);
      code.localGet(sP).i32Const(4).i32Eq().ifElse(
        () => code.localGet(d).localGet(s).localGet(sK).localGet(kc).call(contigFn),
        () => code.localGet(d).localGet(s).localGet(sK).localGet(sP).localGet(kc).call(stridedFn),
      );
      // p += 1; repeat while p < p1
      code.localGet(p).i32Const(1).i32Add().localTee(p).localGet(p1).i32LtU().brIf(0);
    });
    // k0 += KC; repeat while k0 < K
    code.localGet(k0).i32Const(KC).i32Add().localTee(k0).localGet(K).i32LtU().brIf(0);
  });
  return { params: [I32, I32], results: [], locals: L.types, body: code };
}

/**
 * run(job): claim tasks of the current phase until none are left.
 *   while ((t = atomic job.NEXT++) < job.TASKS):
 *     if job.PHASE == PACK:  t < PACK_TASKS_A ? packTaskA(job, t) : packTaskB(job, t - PACK_TASKS_A)
 *     else:                  multiplyTask(job, t)
 */
function runTasks(): FuncDef {
  const job = 0;
  const L = new Locals(1);
  const t = L.add(I32);
  const code = new Code();
  code.block(() => {
    code.loop(() => {
      // t = atomic job.NEXT++; if (t >= job.TASKS) break
      code.localGet(job).i32Const(1).i32AtomicRmwAdd(field(JOB.NEXT)).localTee(t);
      code.localGet(job).i32Load(field(JOB.TASKS)).i32GeU().brIf(1);
      code.localGet(job).i32Load(field(JOB.PHASE)).i32Const(PHASE_PACK).i32Eq().ifElse(
        () => {
          code.localGet(t).localGet(job).i32Load(field(JOB.PACK_TASKS_A)).i32LtU().ifElse(
            () => code.localGet(job).localGet(t).call(FN.packTaskA),
            () => code.localGet(job).localGet(t).localGet(job).i32Load(field(JOB.PACK_TASKS_A)).i32Sub().call(FN.packTaskB),
          );
        },
        () => code.localGet(job).localGet(t).call(FN.multiplyTask),
      );
      code.br(0); // next task
    });
  });
  return { params: [I32], results: [], locals: L.types, body: code };
}

/** Memory limits in 64 KiB pages: the module imports env.memory, shared, with this maximum. */
export const MAX_PAGES = 32768; // 2 GiB: keeps every byte address a positive i32

/** The module's bytes for a given blocking (the defaults are layout.ts BLOCKING). */
export function buildMatmulModule(blk: Blocking): Uint8Array {
  if (blk.NR % 4 !== 0 || blk.MC % blk.MR !== 0 || blk.NC % blk.NR !== 0) {
    throw new Error(`buildMatmulModule: inconsistent blocking ${JSON.stringify(blk)}`);
  }
  const memory = { module: 'env', field: 'memory', initialPages: 1, maximumPages: MAX_PAGES, shared: true };
  const fieldsA = { dst: JOB.A, Pp: JOB.MP, src: JOB.STAGE_A, sK: JOB.STAGE_A_SK, sP: JOB.STAGE_A_SP };
  const fieldsB = { dst: JOB.B, Pp: JOB.NP, src: JOB.STAGE_B, sK: JOB.STAGE_B_SK, sP: JOB.STAGE_B_SP };
  const funcs: FuncDef[] = [];
  funcs[FN.micro] = microKernel(blk);
  funcs[FN.macro] = macroKernel(blk);
  funcs[FN.multiplyTask] = multiplyTask(blk);
  funcs[FN.packContigA] = packContig(blk.MR);
  funcs[FN.packStridedA] = packStrided(blk.MR);
  funcs[FN.packContigB] = packContig(blk.NR);
  funcs[FN.packStridedB] = packStrided(blk.NR);
  funcs[FN.packTaskA] = packTask(blk, blk.MR, fieldsA, FN.packContigA, FN.packStridedA);
  funcs[FN.packTaskB] = packTask(blk, blk.NR, fieldsB, FN.packContigB, FN.packStridedB);
  funcs[FN.run] = { ...runTasks(), exportName: 'run' };
  return buildModule(memory, funcs);
}

/**
 * A minimal module that needs SIMD128 and a shared memory, for feature detection:
 *   (func $probe (local v128)  local.set 0 (f32x4.add (v128.load32_splat (i32.const 0))
 *                                                     (f32x4.splat (f32.load (i32.const 0)))))
 */
export function buildProbeModule(): Uint8Array {
  const code = new Code();
  code.i32Const(0).v128Load32Splat().i32Const(0).f32Load().f32x4Splat().f32x4Add().localSet(0);
  const probe: FuncDef = { params: [], results: [], locals: [V128], body: code, exportName: 'probe' };
  const memory = { module: 'env', field: 'memory', initialPages: 1, maximumPages: 1, shared: true };
  return buildModule(memory, [probe]);
}
