// The pack phase of the matmul module, as function definitions: packTask copies a group of
// micro-panels of one staged operand (stage.ts) into the packed layout the micro-kernel reads
// (layout.ts), K block by K block, with v128 copies when the panel's elements are adjacent in the
// staged copy and one f32 at a time otherwise (a transpose). Copies only: no arithmetic.
import { Code, I32, type FuncDef } from './emit.ts';
import { Locals, field } from './kernel-shared.ts';
import { JOB, type Blocking } from './layout.ts';

/**
 * packContig(dst, src, sK, kc) for panels W wide whose W source elements are adjacent:
 *   for k < kc:  for w < W:  dst[k*W + w] = src[k*sK/4 + w]      (sK in bytes)
 * as W/4 v128 copies per k.
 */
export function packContig(W: number): FuncDef {
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
export function packStrided(W: number): FuncDef {
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
 * block k0 (kc deep), Pp/W micro-panels of kc·W floats. Task g packs panels [p0, p1)
 * (PACK_PANELS read from the job):
 *   p0 = g*PACK_PANELS;  p1 = min(p0 + PACK_PANELS, Pp/W)
 *   for k0 = 0; k0 < K; k0 += KC:  kc = min(KC, K - k0)
 *     for p in [p0, p1):
 *       d = dst + (k0*Pp + p*W*kc)*4;  s = src + k0*sK + p*W*sP
 *       sP == 4 ? packContig(d, s, sK, kc) : packStrided(d, s, sK, sP, kc)
 */
export function packTask(blk: Blocking, W: number, f: { dst: number; Pp: number; src: number; sK: number; sP: number },
  contigFn: number, stridedFn: number): FuncDef {
  const { KC } = blk;
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
  code.localGet(g).localGet(job).i32Load(field(JOB.PACK_PANELS)).i32Mul().localSet(p0);
  code.localGet(p0).localGet(job).i32Load(field(JOB.PACK_PANELS)).i32Add().localSet(p1);
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
      code.localGet(dst)
        .localGet(k0).localGet(Pp).i32Mul().localGet(p).i32Const(W).i32Mul().localGet(kc).i32Mul().i32Add().i32Const(4).i32Mul().i32Add().localSet(d);
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

