// The listener on the traced step: a StepObserver (src/ff/step-observer.ts) that copies what each
// callback of the real step shows into the trace's shapes (schema.ts), and computes only what the
// trainer does not keep: z = x̂·W + b, the logits, p = σ(G − θ), the per-row losses and the hard
// negatives' sampling distribution q. traceRun (trace.ts) hands it to the step it traces.
// B = images of the step, D0 = pixels, D = a layer's input width, H = its width, F = the head's
// feature width, C = classes.
import { scoredLayerNumbers, type Config } from '../config/config.ts';
import { ffLossRows, goodnessScale, sigmoid, softplus, thresholdFor } from '../ff/layer/definitions.ts';
import type { MatmulFn } from '../ff/layer/layer.ts';
import { wrongMass } from '../ff/inputs/negatives.ts';
import { crossEntropyRow } from '../ff/layer/head.ts';
import type { LayerView, Pass, StepObserver } from '../ff/step-observer.ts';
import type { Trainer } from '../ff/trainer.ts';
import { matView } from '../linalg/view.ts';
import { Adam } from '../optim/adam.ts';
import type { Optimizer } from '../optim/optimizer.ts';
import { SmoothedSgd } from '../optim/smoothed-sgd.ts';
import {
  rows32, tensor32, tensor64, type HeadTrace, type LayerPassTrace, type LayerTrace, type NegativesTrace, type OptimizerState, type OptimizerTrace,
  type ParamsTrace, type PassTrace, type RowsTrace, type Trace,
} from './schema.ts';

/** W and b (a layer's also with its peerMean) as a ParamsTrace. */
function params(W: Float32Array, b: Float32Array, wShape: number[], peerMean?: Float32Array): ParamsTrace {
  const out: ParamsTrace = { W: tensor32(W, wShape), b: tensor32(b, [b.length]) };
  if (peerMean) out.peerMean = tensor32(peerMean, [peerMean.length]);
  return out;
}

/** The state() of one of the project's optimizers over [W, b]. */
function optimizerState(opt: Optimizer, wShape: number[]): OptimizerState {
  const pair = (ts: Float32Array[]): ParamsTrace => params(ts[0]!, ts[1]!, wShape);
  if (opt instanceof Adam) {
    const s = opt.state();
    return { kind: 'adam', t: s.t, m: pair(s.m), v: pair(s.v) };
  }
  if (opt instanceof SmoothedSgd) return { kind: 'sgd', smoothed: pair(opt.state().smoothed) };
  throw new Error('trace: unknown optimizer class');
}

/** Where the traced step stands in the run (Trace['step'] without what the step itself shows). */
type StepPlace = Omit<Trace['step'], 'lr' | 'headLr' | 'trainedLayers'>;

export interface StepTracer {
  observer: StepObserver;
  finish(place: StepPlace): Omit<Trace, 'format' | 'about' | 'config' | 'dataset' | 'evaluation'>;
}

// The listener on one step: copies what each callback shows into the trace's shape.
export function makeStepTracer(cfg: Config, net: Trainer['net'], C: number, mm: MatmulFn<Float32Array>): StepTracer {
  const D0 = net.widths[0]!, recurrent = cfg.mode === 'recurrent';
  const layers: LayerTrace[] = [];
  let B = 0, batch: Trace['batch'] | null = null, negatives: NegativesTrace | undefined;
  let hybrids: Trace['hybrids'], shift: Trace['shift'], pairs: Trace['pairs'];
  const passes: Partial<Record<Pass, PassTrace>> = {};
  let head: Partial<HeadTrace> = {};
  let lr = NaN, headLr = NaN;

  function layerPass(v: LayerView, theta: number, thetaNeg: number): LayerPassTrace {
    const { D, H } = v.params, P = v.rows / 2;
    // z as the step computed it: the step's own when its path has one (the shared first layer),
    // else x̂·W + b, the same product the layer took, plus b, without the ReLU.
    let z = v.z ?? null;
    if (!z) {
      z = new Float32Array(v.rows * H);
      mm(matView(z, v.rows, H), matView(v.acts.xhat, v.rows, D), matView(v.params.W, D, H));
      for (let r = 0; r < v.rows; r++) for (let j = 0; j < H; j++) z[r * H + j] = z[r * H + j]! + v.params.b[j]!;
    }
    const side = (r0: number): RowsTrace => {
      const p = Array.from(v.acts.G.subarray(r0, r0 + P), (G) => sigmoid(G - (r0 === 0 ? theta : thetaNeg)));
      return {
        ...(v.x ? { input: rows32(v.x, r0, P, D) } : {}),
        xhat: rows32(v.acts.xhat, r0, P, D), z: rows32(z, r0, P, H), y: rows32(v.acts.y, r0, P, H),
        ...(v.keep ? { keep: tensor64(v.keep.subarray(r0 * H, (r0 + P) * H), [P, H]) } : {}),
        G: rows32(v.acts.G, r0, P, null), p: tensor64(p, [P]),
      };
    };
    return { ...(recurrent ? { t: v.t } : {}), positive: side(0), negative: side(P) };
  }

  // After the backward: the per-row losses (the library's ffLossRows on each single row; with
  // --loss symba each pair's softplus(α·(G⁻ − G⁺)), on the positive side), dL/dG, dZ, the peer term.
  function addBackward(e: LayerPassTrace, v: LayerView, theta: number, thetaNeg: number): void {
    const H = v.params.H, P = v.positives, scratch = new Float64Array(1), G = v.acts.G;
    const rowLoss = (r: number, positive: boolean): number => ffLossRows(scratch, G.subarray(r, r + 1), 1, positive ? 1 : 0, theta, thetaNeg);
    const symba = cfg.loss === 'symba';
    for (const [side, r0] of [[e.positive, 0], [e.negative, P]] as const) {
      if (symba && r0 === 0) side.loss = tensor64(Array.from({ length: P }, (_, i) => softplus(cfg.symbaAlpha * (G[P + i]! - G[i]!))), [P]);
      else if (!symba) side.loss = tensor64(Array.from({ length: P }, (_, i) => rowLoss(r0 + i, r0 === 0)), [P]);
      side.dLdG = rows32(v.acts.dLdG, r0, P, null);
      side.dZ = rows32(v.acts.dZ, r0, P, H);
    }
    e.loss = v.loss;
    e.peer = v.peer ? tensor64(v.peer, [H]) : null;
    if (recurrent) e.grads = { dW: tensor32(v.params.dW, [v.params.D, H]), db: tensor32(v.params.db, [H]) };
  }

  const observer: StepObserver = {
    onBatch(indices, labels, images) {
      B = labels.length;
      batch = { indices: Array.from(indices), labels: Array.from(labels), images: tensor32(images, [B, D0]) };
    },
    onShift(dx, dy, images, view) {
      const s = { dx: Array.from(dx), dy: Array.from(dy), images: tensor32(images, [B, D0]) };
      if (view === 1) shift = s;
      else shift!.view2 = s;
    },
    onRows(pass, input, rows, labelLayer) {
      passes[pass] = { input: tensor32(input, [rows, D0]), ...(labelLayer ? { labelLayer: tensor32(labelLayer, [rows, C]) } : {}) };
    },
    onIteration(pass, t, states, rows, damping) {
      const p = passes[pass]!;
      (p.iterations ??= []).push({ t, damping, states: states.map((h, l) => tensor32(h, [rows, net.layers[l]!.H])) });
    },
    onLayer(l, phase, v) {
      if (v.pass !== 'ff') return; // the neutral pass's layers: only the head's features and (recurrent) the states are kept
      const { D, H } = v.params;
      const theta = thresholdFor(cfg.goodness, H, cfg.threshold), thetaNeg = cfg.thresholdNeg ?? theta;
      const before = (): ParamsTrace => params(v.params.W, v.params.b, [D, H], v.params.peerMean);
      layers[l] ??= {
        layer: l + 1, D, H, theta, thetaNeg, goodnessScale: goodnessScale(cfg.goodness, H),
        ...(v.params.mask ? { mask: tensor32(Float32Array.from(v.params.mask), [D, H]) } : {}), before: before(), after: before(),
      };
      const e = layers[l]!;
      if (phase === 'forward') {
        const pass = layerPass(v, theta, thetaNeg);
        if (recurrent) (e.iterations ??= []).push(pass);
        else Object.assign(e, pass);
      } else {
        addBackward(recurrent ? e.iterations![e.iterations!.length - 1]! : (e as LayerPassTrace), v, theta, thetaNeg);
        e.after = params(v.params.W, v.params.b, [D, H], v.params.peerMean); // peerMean moved in the backward
      }
    },
    onHead(phase, v) {
      const { F } = v.params;
      if (phase === 'forward') {
        const logits = new Float32Array(v.rows * C);
        mm(matView(logits, v.rows, C), matView(v.feats, v.rows, F), matView(v.params.W, F, C));
        for (let r = 0; r < v.rows; r++) for (let c = 0; c < C; c++) logits[r * C + c] = logits[r * C + c]! + v.params.b[c]!;
        head = {
          scoredLayers: scoredLayerNumbers(cfg), features: tensor32(v.feats, [v.rows, F]), before: params(v.params.W, v.params.b, [F, C]),
          logits: tensor32(logits, [v.rows, C]), probs: tensor32(v.probs, [v.rows, C]),
          rowLoss: tensor64(Array.from({ length: v.rows }, (_, r) => crossEntropyRow(v.probs, r * C, v.labels[r]!)), [v.rows]),
        };
      } else {
        head.loss = v.loss;
        head.dLogits = tensor32(v.dLogits, [v.rows, C]);
      }
    },
    onNegatives(u, wrong, probs) {
      const labels = batch!.labels, uu = Array.from(u), w = Array.from(wrong);
      if (cfg.negatives === 'random') {
        negatives = {
          mode: 'random', rule: 'wrong = (label + 1 + offset) mod C, offset = floor(u·(C − 1))',
          u: uu, offset: uu.map((x) => Math.floor(x * (C - 1))), wrong: w,
        };
        return;
      }
      const mass = labels.map((t, r) => wrongMass(probs, r, t, C));
      const q = new Float64Array(B * C);
      for (let r = 0; r < B; r++) for (let c = 0; c < C; c++) q[r * C + c] = c === labels[r] || !(mass[r]! > 0) ? 0 : probs[r * C + c]! / mass[r]!;
      negatives = {
        mode: 'hard',
        rule: 'wrong = the first c ≠ label with u·wrongMass < Σ_{k ≤ c, k ≠ label} probs[k] '
          + '(uniform over the wrong labels, as random, if wrongMass = 0)',
        u: uu, wrongMass: mass, q: tensor64(q, [B, C]), wrong: w,
      };
    },
    onHybrids(masks, partners) {
      hybrids = { masks: tensor32(masks, [B, D0]), partners: Array.from(partners) };
    },
    onPairs(partners, k) {
      pairs = { k, partners: Array.from(partners) };
    },
    onOptimizer(target, phase, opt, ps, grads, rate) {
      const wShape = target === 'head' ? [net.head.F, C] : [net.layers[target]!.D, net.layers[target]!.H];
      if (phase === 'before') {
        const grad = { dW: tensor32(grads[0]!, wShape), db: tensor32(grads[1]!, [grads[1]!.length]) };
        const o = { lr: rate, grads: grad, before: optimizerState(opt, wShape) } as OptimizerTrace;
        if (target === 'head') { head.optimizer = o; headLr = rate; } else { layers[target]!.optimizer = o; lr = rate; }
        return;
      }
      if (target === 'head') {
        head.optimizer!.after = optimizerState(opt, wShape);
        head.after = params(ps[0]!, ps[1]!, wShape);
      } else {
        const e = layers[target]!;
        e.optimizer!.after = optimizerState(opt, wShape);
        e.after = params(ps[0]!, ps[1]!, wShape, net.layers[target]!.peerMean);
      }
    },
  };

  return {
    observer,
    finish(place) {
      if (batch === null || passes.ff === undefined) throw new Error('trace: the step showed no batch');
      const b: Trace['batch'] = batch;
      const h = head as HeadTrace;
      return {
        step: { ...place, lr, headLr, trainedLayers: layers.filter((l) => l.optimizer).map((l) => l.layer) },
        batch: b,
        ...(passes.neutral ? { neutral: passes.neutral } : {}),
        ...(negatives ? { negatives } : {}),
        ...(hybrids ? { hybrids } : {}),
        ...(shift ? { shift } : {}),
        ...(pairs ? { pairs } : {}),
        ff: passes.ff,
        head: {
          scoredLayers: h.scoredLayers, features: h.features, before: h.before, logits: h.logits, probs: h.probs, rowLoss: h.rowLoss,
          loss: h.loss, dLogits: h.dLogits, optimizer: h.optimizer, after: h.after,
        },
        layers: layers.map(inOrder),
      };
    },
  };
}

/** A layer's fields in the order of docs/TRACE.md (they were filled in the order the step ran). */
function inOrder(e: LayerTrace): LayerTrace {
  const {
    layer, D, H, theta, thetaNeg, goodnessScale: s, mask, before, t: _t, positive, negative, loss, peer, grads, iterations, optimizer, after,
  } = e;
  const defined = Object.entries({ positive, negative, loss, peer, grads, iterations, optimizer }).filter(([, v]) => v !== undefined);
  return { layer, D, H, theta, thetaNeg, goodnessScale: s, ...(mask ? { mask } : {}), before, ...Object.fromEntries(defined), after } as LayerTrace;
}
