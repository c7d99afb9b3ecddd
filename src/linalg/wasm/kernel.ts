// The bytes of the matmul module: the multiply phases, dense and over a compressed A (kernel-multiply.ts), the pack phase
// (kernel-pack.ts) and `run(job)`, the one export, which claims tasks of the current phase with
// an atomic add on the shared job descriptor until none are left. It imports one shared memory.
// It knows nothing of threads beyond that counter, nor of the caller's arrays (stage.ts).
// Also the tiny probe module used for feature detection.
import { Code, I32, V128, buildModule, type FuncDef } from './emit.ts';
import { microKernel, macroKernel, multiplyTask } from './kernel-multiply.ts';
import { packContig, packStrided, packTask } from './kernel-pack.ts';
import { FN, Locals, field } from './kernel-shared.ts';
import { JOB, PHASE_MULTIPLY_SPARSE, PHASE_PACK, type Blocking } from './layout.ts';

/**
 * run(job): claim tasks of the current phase until none are left.
 *   while ((t = atomic job.NEXT++) < job.TASKS):
 *     if job.PHASE == PACK:  t < PACK_TASKS_A ? packTaskA(job, t) : packTaskB(job, t - PACK_TASKS_A)
 *     else if PHASE == MULTIPLY_SPARSE:  multiplySparseTask(job, t)
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
        () => {
          code.localGet(job).i32Load(field(JOB.PHASE)).i32Const(PHASE_MULTIPLY_SPARSE).i32Eq().ifElse(
            () => code.localGet(job).localGet(t).call(FN.multiplySparseTask),
            () => code.localGet(job).localGet(t).call(FN.multiplyTask),
          );
        },
      );
      code.br(0); // next task
    });
  });
  return { params: [I32], results: [], locals: L.types, body: code };
}

/** Memory limits in 64 KiB pages: the module imports env.memory, shared, with this maximum. */
export const MAX_PAGES = 32768; // 2 GiB: keeps every byte address a positive i32

/** The module's bytes for a given blocking (the defaults are layout.ts BLOCKING); fma: relaxed_madd in the micro-kernel. */
export function buildMatmulModule(blk: Blocking, fma = false): Uint8Array {
  if (blk.MR % 4 !== 0 || blk.NR % 4 !== 0 || blk.MC % blk.MR !== 0 || blk.NC % blk.NR !== 0) {
    throw new Error(`buildMatmulModule: inconsistent blocking ${JSON.stringify(blk)}`);
  }
  const memory = { module: 'env', field: 'memory', initialPages: 1, maximumPages: MAX_PAGES, shared: true };
  const fieldsA = { dst: JOB.A, Pp: JOB.MP, src: JOB.STAGE_A, sK: JOB.STAGE_A_SK, sP: JOB.STAGE_A_SP };
  const fieldsB = { dst: JOB.B, Pp: JOB.NP, src: JOB.STAGE_B, sK: JOB.STAGE_B_SK, sP: JOB.STAGE_B_SP };
  const funcs: FuncDef[] = [];
  funcs[FN.micro] = microKernel(blk, fma);
  funcs[FN.macro] = macroKernel(blk);
  funcs[FN.multiplyTask] = multiplyTask(blk);
  funcs[FN.packContigA] = packContig(blk.MR);
  funcs[FN.packStridedA] = packStrided(blk.MR);
  funcs[FN.packContigB] = packContig(blk.NR);
  funcs[FN.packStridedB] = packStrided(blk.NR);
  funcs[FN.packTaskA] = packTask(blk, blk.MR, fieldsA, FN.packContigA, FN.packStridedA);
  funcs[FN.packTaskB] = packTask(blk, blk.NR, fieldsB, FN.packContigB, FN.packStridedB);
  funcs[FN.run] = { ...runTasks(), exportName: 'run' };
  funcs[FN.microSparse] = microKernel(blk, fma, true);
  funcs[FN.macroSparse] = macroKernel(blk, true);
  funcs[FN.multiplySparseTask] = multiplyTask(blk, true);
  return buildModule(memory, funcs);
}

/**
 * A minimal module that needs SIMD128 and a shared memory, for feature detection:
 *   (func $probe (local v128)  local.set 0 (f32x4.add (v128.load32_splat (i32.const 0))
 *                                                     (f32x4.splat (f32.load (i32.const 0)))))
 * With fma it also needs relaxed SIMD: the sum goes through (f32x4.relaxed_madd sum local0 local0).
 */
export function buildProbeModule(fma = false): Uint8Array {
  const code = new Code();
  code.i32Const(0).v128Load32Splat().i32Const(0).f32Load().f32x4Splat().f32x4Add();
  if (fma) code.localGet(0).localGet(0).f32x4RelaxedMadd(); // (relaxed_madd x local0 local0)
  code.localSet(0);
  const probe: FuncDef = { params: [], results: [], locals: [V128], body: code, exportName: 'probe' };
  const memory = { module: 'env', field: 'memory', initialPages: 1, maximumPages: 1, shared: true };
  return buildModule(memory, [probe]);
}
