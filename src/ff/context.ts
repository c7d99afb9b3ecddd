// The step context: what every function of a training step or an evaluation computes WITH, as
// opposed to what it computes ON. Built once per trainer (the products, the row threads, the FF
// math of the run's config) and passed as one argument; a step that has an observer passes a copy
// that carries it (withObserver). Nothing in it changes during a run.
import type { Config } from '../config/config.ts';
import { INLINE_SIDE, type SideWork } from '../linalg/backend.ts';
import { INLINE_ROWS, type RowRunner } from '../linalg/row-runner.ts';
import type { LayerContext, LayerMath, MatmulFn } from './layer/layer.ts';
import type { StepObserver } from './step-observer.ts';

export interface StepContext {
  mm: MatmulFn<Float32Array>; // c = a·b on views (the backend's products)
  // The first layer's two products, x̂·W₁ and x̂ᵀ·dZ (x̂ the input rows: mostly zeros on image data): the
  // backend's matmulSparse with --sparse-input auto (the same bits, fewer flops where it pays), else mm.
  inputMm: MatmulFn<Float32Array>;
  par: RowRunner; // the threads of the row kernels (the backend's rows; INLINE_ROWS = the calling thread)
  math: LayerMath; // the FF math of every layer (a slice of the Config)
  side: SideWork; // serial work beside the coming products (the backend's; INLINE_SIDE = at once): dropout's draws
  obs?: StepObserver; // the step's listener; absent in evaluation and in a step nobody observes
}

/** The FF math options one layer needs, from the run's config. */
export function layerMath(cfg: Config): LayerMath {
  return {
    norm: cfg.norm, goodness: cfg.goodness, threshold: cfg.threshold, thresholdNeg: cfg.thresholdNeg, act: cfg.act,
    peerNorm: cfg.peerNorm, peerMomentum: 0.9,
    loss: cfg.loss, symbaAlpha: cfg.symbaAlpha, dropout: cfg.dropout,
  };
}

/** A trainer's context: the backend's products, row threads and side work (defaults: the calling thread) and cfg's layer math. */
export function makeStepContext(cfg: Config, backend: TrainerBackend): StepContext {
  const { mm, par = INLINE_ROWS, inputMm = mm, side = INLINE_SIDE } = backend;
  return { ...contextOf(mm, layerMath(cfg), par, inputMm), side };
}

/** The context of products `mm` (the first layer's: inputMm) and layer math `math` on row threads `par` (default: the calling thread). */
export function contextOf(mm: MatmulFn<Float32Array>, math: LayerMath, par: RowRunner = INLINE_ROWS, inputMm = mm): StepContext {
  return { mm, inputMm, par, math, side: INLINE_SIDE };
}

/** What the plain layer's functions take as the first layer: ctx with the first layer's products (inputMm) as mm. */
export function inputLayerContext(ctx: StepContext): LayerContext<Float32Array> {
  return { math: ctx.math, mm: ctx.inputMm, par: ctx.par };
}

/** ctx for one step seen by `obs` (ctx itself when there is none). */
export function withObserver(ctx: StepContext, obs: StepObserver | undefined): StepContext {
  return obs ? { ...ctx, obs } : ctx;
}

/** What a trainer computes with: the backend's products and, if it has them, its row threads. */
export interface TrainerBackend {
  mm: MatmulFn<Float32Array>;
  par?: RowRunner;
  inputMm?: MatmulFn<Float32Array>; // the first layer's products (StepContext.inputMm); default mm
  side?: SideWork; // the backend's side work (StepContext.side); default INLINE_SIDE
}
