// What a trained net does on held-out images, for the report. It listens to the trainer's own
// evaluate() (an EvalObserver), so every number here is the one the evaluation computed: confusion
// matrices of both prediction methods, the error of each layer's goodness alone, goodness
// histograms of positive (true label) and negative (wrong label) rows per layer, and the most
// confidently wrong images. Unsupervised nets score no labels, so their histograms come from a
// forward pass over the images and their hybrids (hybridGoodness). Nothing here trains.
// n = images, C = classes, L = hidden layers.
import type { Config } from '../../src/config/config.ts';
import type { Split } from '../../src/data/dataset.ts';
import { gatherRows } from '../../src/data/batch.ts';
import { thresholdFor } from '../../src/ff/layer/definitions.ts';
import { makeHybridBatch } from '../../src/ff/inputs/masks.ts';
import { drawPairPartners } from '../../src/ff/inputs/pairs.ts';
import { makePairsFirstLayer } from '../../src/ff/first-layer/pairs.ts';
import type { MatmulFn } from '../../src/ff/layer/layer.ts';
import { argmaxRow, forwardAll, makeWorkspace, type Network } from '../../src/ff/network.ts';
import { makeStepContext } from '../../src/ff/context.ts';
import { type EvalObserver, type Method, type TestErrors } from '../../src/ff/trainer.ts';
import { MASK_BLURS } from '../../src/ff/modes/unsupervised.ts';
import type { Rng } from '../../src/rng.ts';

/** Bins of a histogram of goodness, as fractions of each kind of row. */
export interface Histogram {
  layer: number; // 1-based
  theta: number; // the layer's threshold θ
  edges: number[]; // bins + 1 ascending edges
  pos: number[]; // fraction of positive rows in each bin
  neg: number[]; // fraction of negative rows in each bin
  posMean: number;
  negMean: number;
}

/** A misclassified image and the scores that misled the prediction. */
export interface WrongExample {
  index: number; // image index in the split
  label: number;
  predicted: number;
  method: Method; // which prediction was wrong
  margin: number; // score of the predicted label − score of the true label (goodness) or probability gap (softmax)
  scores: number[]; // (C) the per-label scores: goodness, or the head's probabilities
}

export interface HeldOutAnalysis {
  count: number; // images analysed
  confusion: { goodness: number[][] | null; softmax: number[][] | null }; // [true][predicted] counts
  layerErrors: number[] | null; // error of each hidden layer's goodness alone (null: no label scores)
  histograms: Histogram[] | null; // per hidden layer
  wrong: WrongExample[]; // most confident mistakes first
}

/** Goodness samples per layer: positive and negative rows. */
export interface GoodnessSamples {
  pos: number[][];
  neg: number[][];
}

const WRONG_KEPT = 12;
const HISTOGRAM_BINS = 40;

/**
 * An observer for trainer.evaluate(split, count, …) and the function that turns what it saw into
 * the analysis. `thetas` are the layers' thresholds (thresholdsOf).
 */
export function makeHeldOutCollector(split: Split, C: number, L: number, thetas: number[]): {
  observer: EvalObserver;
  finish(extraSamples?: GoodnessSamples): HeldOutAnalysis;
} {
  const zeros = (): number[][] => Array.from({ length: C }, () => new Array<number>(C).fill(0));
  let confGood: number[][] | null = null, confSoft: number[][] | null = null, layerErr: number[] | null = null;
  const samples: GoodnessSamples = { pos: thetas.map(() => []), neg: thetas.map(() => []) };
  const wrong: WrongExample[] = [];
  let count = 0;
  const one = new Float32Array(C);

  const observer: EvalObserver = {
    labelScores(start, n, scores, perLayer) {
      confGood ??= zeros();
      layerErr ??= new Array<number>(L).fill(0);
      for (let r = 0; r < n; r++) {
        const label = split.labels[start + r]!, pred = argmaxRow(scores, r, C);
        confGood[label]![pred]!++;
        if (pred !== label) {
          const row = Array.from(scores.subarray(r * C, (r + 1) * C));
          wrong.push({ index: start + r, label, predicted: pred, method: 'goodness', margin: row[pred]! - row[label]!, scores: row });
        }
        for (let l = 0; l < L; l++) {
          const G = perLayer[l]!;
          for (let c = 0; c < C; c++) {
            one[c] = G[c * n + r]!;
            (c === label ? samples.pos[l]! : samples.neg[l]!).push(one[c]!);
          }
          if (argmaxRow(one, 0, C) !== label) layerErr[l]!++;
        }
      }
      count = Math.max(count, start + n);
    },
    headProbs(start, n, probs) {
      confSoft ??= zeros();
      for (let r = 0; r < n; r++) {
        const label = split.labels[start + r]!, pred = argmaxRow(probs, r, C);
        confSoft[label]![pred]!++;
        if (pred !== label && confGood === null) {
          const row = Array.from(probs.subarray(r * C, (r + 1) * C));
          wrong.push({ index: start + r, label, predicted: pred, method: 'softmax', margin: row[pred]! - row[label]!, scores: row });
        }
      }
      count = Math.max(count, start + n);
    },
  };

  function finish(extraSamples?: GoodnessSamples): HeldOutAnalysis {
    // Goodness mistakes when the net scores labels; softmax ones otherwise (headProbs runs first).
    const kept = confGood !== null ? wrong.filter((w) => w.method === 'goodness') : wrong;
    kept.sort((a, b) => b.margin - a.margin || a.index - b.index);
    const s = extraSamples ?? (confGood !== null ? samples : null);
    return {
      count,
      confusion: { goodness: confGood, softmax: confSoft },
      layerErrors: layerErr ? (layerErr as number[]).map((e) => e / count) : null,
      histograms: s ? s.pos.map((pos, l) => histogram(l + 1, thetas[l]!, pos, s.neg[l]!, HISTOGRAM_BINS)) : null,
      wrong: kept.slice(0, WRONG_KEPT),
    };
  }

  return { observer, finish };
}

/** θ of every hidden layer of cfg's net. */
export function thresholdsOf(cfg: Config): number[] {
  return cfg.layers.slice(1).map((H) => thresholdFor(cfg.goodness, H, cfg.threshold));
}

/**
 * Histogram of positive and negative samples over one shared range: from the smallest sample to
 * the 99.5th percentile of all of them (so one huge value does not squash the rest), widened to
 * include θ; samples past the range fall into the end bins.
 */
export function histogram(layer: number, theta: number, pos: number[], neg: number[], bins: number): Histogram {
  const all = Float64Array.from([...pos, ...neg]).sort();
  const lo = Math.min(all.length ? all[0]! : 0, theta);
  let hi = all.length ? all[Math.min(all.length - 1, Math.floor(0.995 * all.length))]! : 1;
  hi = Math.max(hi, theta * 1.05, lo + 1e-6);
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const count = (xs: number[]): number[] => {
    const h = new Array<number>(bins).fill(0);
    for (const x of xs) h[Math.min(bins - 1, Math.max(0, Math.floor((x - lo) / width)))]! += 1 / xs.length;
    return h;
  };
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
  return { layer, theta, edges, pos: count(pos), neg: count(neg), posMean: mean(pos), negMean: mean(neg) };
}

/**
 * Unsupervised FF's positive and negative rows on held-out images: the first `count` images of
 * `split` (positives) and their hybrids (negatives, made by makeHybridBatch exactly as training
 * makes them, from `rng`; Self-Contrastive FF: the image beside itself and beside another image),
 * through the net; returns each layer's goodness of both kinds.
 */
export function hybridGoodness(
  cfg: Config, net: Network, split: Split, count: number, rows: number, cols: number, mm: MatmulFn<Float32Array>, rng: Rng,
): GoodnessSamples {
  const n0 = Math.min(count, cfg.batchSize), D0 = net.widths[0]!;
  const scff = cfg.contrast === 'scff';
  const ws = makeWorkspace(net, 2 * n0, { act: cfg.act });
  const masks = new Float32Array(n0 * D0), scratch = new Float32Array(D0), partners = new Int32Array(n0);
  const order = new Int32Array(count).map((_, i) => i);
  const out: GoodnessSamples = { pos: net.layers.map(() => []), neg: net.layers.map(() => []) };
  const ctx = makeStepContext(cfg, { mm });
  const pairs = scff ? makePairsFirstLayer(2 * n0, D0, partners, null) : null;
  for (let start = 0; start + 2 <= count; start += n0) {
    const n = Math.min(n0, count - start);
    if (n < 2) break;
    gatherRows(ws.input, split, order, start, n);
    if (scff) {
      // Self-Contrastive FF: each image beside itself, then beside another image (pairs.ts), as training makes them.
      drawPairPartners(partners, n, rng);
      forwardAll(ctx, ws, net, 2 * n, { first: pairs!.step });
    } else {
      makeHybridBatch(
        ws.input.subarray(n * D0, 2 * n * D0), masks.subarray(0, n * D0), scratch, ws.input.subarray(0, n * D0), n, rows, cols, MASK_BLURS, rng,
      );
      forwardAll(ctx, ws, net, 2 * n);
    }
    net.layers.forEach((_, l) => {
      const G = ws.acts[l]!.G;
      for (let r = 0; r < n; r++) {
        out.pos[l]!.push(G[r]!);
        out.neg[l]!.push(G[n + r]!);
      }
    });
  }
  return out;
}

/** Error fractions from the collected confusion matrices (they equal what evaluate() returned). */
export function errorsFromConfusion(a: HeldOutAnalysis): TestErrors {
  const err = (m: number[][] | null): number | null => {
    if (m === null) return null;
    let wrong = 0, all = 0;
    m.forEach((row, t) => row.forEach((v, p) => { all += v; if (p !== t) wrong += v; }));
    return wrong / Math.max(all, 1);
  };
  return { goodness: err(a.confusion.goodness), softmax: err(a.confusion.softmax) };
}
