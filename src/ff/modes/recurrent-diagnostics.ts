// Where the recurrent net decides: per iteration t = 0..T and per hidden layer, over labelled
// images, the mean goodness with the true label clamped, the mean over the wrong labels, and the
// error of that layer's goodness alone at that iteration (argmax over the C clamped labels). Also
// the error of the scored prediction (the goodness evaluation of recurrent.ts: scored layers,
// goodness averaged over the score iterations), computed in the same order, so it equals what
// trainer.evaluate() reports. t = 0 is the initial bottom-up pass. Read-only: no learning.
// n = images per chunk, C = classes, T = iterations.
import type { Config } from '../../config/config.ts';
import type { Split } from '../../data/dataset.ts';
import { gatherLabels, gatherRows } from '../../data/batch.ts';
import { normalizeRows } from '../layer/definitions.ts';
import type { MatmulFn } from '../layer/layer.ts';
import { argmaxRow, type Network } from '../network.ts';
import { labelClamp, makeState, runAllLabels } from './recurrent.ts';
import { workspaceRows } from '../trainer.ts';
import { makeStepContext } from '../context.ts';

export interface LayerAtIteration {
  goodTrue: number; // mean goodness with the true label clamped
  goodWrong: number; // mean goodness over the C − 1 wrong labels
  error: number; // fraction of images whose argmax over labels of this layer's goodness is wrong
}

export interface RecurrentDiagnostics {
  iterations: LayerAtIteration[][]; // [t][l], t = 0..T
  scoredError: number; // the goodness evaluation's error
  count: number; // images
}

export function recurrentDiagnostics(
  cfg: Config, net: Network, classes: number, split: Split, count: number, mm: MatmulFn<Float32Array>,
): RecurrentDiagnostics {
  const C = classes, L = net.layers.length, T = cfg.iterations, D0 = net.widths[0]!;
  const ctx = makeStepContext(cfg, { mm }), math = ctx.math, clamp = labelClamp(cfg, C);
  const n0 = Math.floor(workspaceRows(cfg) / C);
  const st = makeState(net, C * n0, C);
  const [scoreFrom, scoreTo] = cfg.scoreIterations;
  const inScore = scoreTo - scoreFrom + 1;
  const order = new Int32Array(count).map((_, i) => i);
  const labels = new Int32Array(n0), rowLabels = new Int32Array(C * n0);
  const scores = new Float32Array(n0 * C), layerScores = new Float32Array(n0 * C);
  const sums = Array.from({ length: T + 1 }, () => Array.from({ length: L }, () => ({ goodTrue: 0, goodWrong: 0, error: 0 })));
  let scoredErrors = 0;

  // Adds iteration t's goodness of every layer (st.acts[l].G over the C·n rows) to the sums.
  const record = (t: number, n: number): void => {
    for (let l = 0; l < L; l++) {
      const G = st.acts[l]!.G, s = sums[t]![l]!;
      for (let r = 0; r < n; r++) {
        for (let c = 0; c < C; c++) {
          const g = G[c * n + r]!;
          layerScores[r * C + c] = g;
          if (c === labels[r]) s.goodTrue += g;
          else s.goodWrong += g / (C - 1);
        }
        if (argmaxRow(layerScores, r, C) !== labels[r]) s.error++;
      }
    }
  };

  for (let start = 0; start < count; start += n0) {
    const n = Math.min(n0, count - start);
    gatherLabels(labels, split, order, start, n);
    gatherRows(st.imageHat, split, order, start, n);
    normalizeRows(st.imageHat, st.imageHat, n, D0, math.norm);
    scores.fill(0);
    runAllLabels(ctx, st, net, { n, iterations: T, damping: cfg.damping, clamp, rowLabels }, (t) => {
      record(t, n);
      if (t < scoreFrom || t > scoreTo) return;
      for (const l of net.scored) {
        const G = st.acts[l]!.G;
        for (let c = 0; c < C; c++) for (let r = 0; r < n; r++) scores[r * C + c]! += G[c * n + r]! / inScore;
      }
    });
    for (let r = 0; r < n; r++) if (argmaxRow(scores, r, C) !== labels[r]) scoredErrors++;
  }
  const iterations = sums.map((row) => row.map((s) => ({ goodTrue: s.goodTrue / count, goodWrong: s.goodWrong / count, error: s.error / count })));
  return { iterations, scoredError: scoredErrors / count, count };
}
