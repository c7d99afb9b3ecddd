// The playground's live views, worker side: what the page draws of a run while it trains, copied
// from the real step's observer (src/ff/step-observer.ts) and the real evaluation (evaluate()'s
// EvalObserver). Nothing here computes FF: a row's goodness is the step's own G, a unit's activity
// the step's y, θ the library's threshold (the report's thresholdsOf), the histograms the report's,
// the per-label goodness the evaluation's. The page asks for a view at most every VIEW_MS (and for
// every single step it asks for); a step without a view gets no observer, and the bits of the run
// are the same either way (an observer only reads).
import {
  histogram, receptiveFieldTiles, signedTilesRgb, thresholdsOf,
  type Config, type Dataset, type Histogram, type LayerView, type RgbPixels, type Split, type StepObserver, type Trainer,
} from './api.ts';

/** The images of a step the views show: the first SHOWN rows of its batch. */
export const SHOWN = 4;
/** Bins of the goodness histograms. */
const BINS = 24;
/** Units per row of layer 1's weight tiles. */
export const TILE_COLUMNS = 20;

/** One image of the step: its positive row and the negative row the step drew for it, and each layer's goodness of both. */
export interface LiveRow {
  index: number; // in the training split
  label: number;
  wrong: number | null; // the wrong label of its negative row (supervised, recurrent), else null
  partner: number | null; // the batch row its negative was made with (hybrid partner, scff pair), else null
  pos: Float32Array; // (D0) the positive row the first layer read (label pixels written in; recurrent: the normalised image)
  neg: Float32Array; // (D0) the negative row
  gPos: number[]; // per layer: G of the positive row
  gNeg: number[]; // per layer: G of the negative row
}

/** One layer of the step. */
export interface LiveLayer {
  H: number;
  theta: number;
  histogram: Histogram; // G of the step's B positive and B negative rows
  yPos: Float32Array; // (SHOWN, H) the activities of the shown positive rows
  yNeg: Float32Array; // (SHOWN, H) and of their negative rows
}

/** Which layer decides: the evaluation of one image, by label. */
export interface Decision {
  row: number; // which shown image (0..SHOWN−1)
  perLayer: number[][] | null; // perLayer[l][c]: layer l's goodness of the image with label c (null: no goodness prediction)
  scores: number[] | null; // the summed scores the prediction takes the argmax of
  probs: number[] | null; // the softmax head's probabilities
}

export interface LiveView {
  step: number; // steps done when the view was taken (the step shown is this one)
  epoch: number;
  imageShape: [number, number];
  rows: LiveRow[];
  layers: LiveLayer[];
  // Layer 1's incoming weights, one tile per unit (in unit order), TILE_COLUMNS per row: W, or (learned) W − W₀, W₀ the
  // weights the run started from, what the steps so far have changed.
  tiles: RgbPixels;
  learned: boolean;
  decision: Decision;
}

/** Copies of the observed step, filled as the step's callbacks come. */
interface Taking {
  indices: number[]; labels: number[]; wrong: number[] | null; partners: number[] | null;
  pos: Float32Array[]; neg: Float32Array[]; layers: (LiveLayer & { gP: number[]; gN: number[] })[]; W1: Float32Array | null;
}

export interface LiveViews {
  /** An observer for the next step (which will be step `step`), copying what the views show. */
  observe(): StepObserver;
  /** The view of the observed step, once it is done, as the page wants it drawn. */
  take(step: number, epoch: number, look: { select: number; learned: boolean }): LiveView | null;
}

/** `W0`: layer 1's weights before the run's first step (the learned tiles are W − W0). */
export function makeLiveViews(cfg: Config, data: Dataset, predictor: Trainer, W0: Float32Array): LiveViews {
  const thetas = thresholdsOf(cfg), D0 = data.train.pixels;
  let t: Taking | null = null;

  const layerOf = (l: number, v: LayerView): void => {
    if (!t || v.pass !== 'ff') return;
    const B = v.positives, H = v.params.H, G = v.acts.G, y = v.acts.y;
    const R = Math.min(SHOWN, B);
    const gP = Array.from(G.subarray(0, B)), gN = Array.from(G.subarray(B, 2 * B));
    const yPos = y.slice(0, R * H), yNeg = y.slice(B * H, (B + R) * H);
    // Recurrent: called once per iteration; the last one (the step's final states) stays.
    t.layers[l] = { H, theta: thetas[l]!, histogram: histogram(l + 1, thetas[l]!, gP, gN, BINS), yPos, yNeg, gP, gN };
    if (l === 0) t.W1 = v.params.W.slice();
  };

  const observer: StepObserver = {
    onBatch(indices, labels) {
      t!.indices = Array.from(indices.subarray(0, SHOWN));
      t!.labels = Array.from(labels.subarray(0, SHOWN));
    },
    onNegatives(_u, wrong) { t!.wrong = Array.from(wrong.subarray(0, SHOWN)); },
    onHybrids(_masks, partners) { t!.partners = Array.from(partners.subarray(0, SHOWN)); },
    onPairs(partners) { t!.partners = Array.from(partners.subarray(0, SHOWN)); },
    onRows(pass, input, rows) {
      if (pass !== 'ff' || !t) return;
      const B = rows / 2, R = Math.min(SHOWN, B), w = D0; // every mode's rows are D0 wide (recurrent: the normalised image)
      t.pos = Array.from({ length: R }, (_, r) => input.slice(r * w, (r + 1) * w));
      t.neg = Array.from({ length: R }, (_, r) => input.slice((B + r) * w, (B + r + 1) * w));
    },
    onLayer(l, phase, v) { if (phase === 'forward') layerOf(l, v); },
  };

  /** Evaluate training image `index` alone: per-label goodness per layer, the scores, the head's probabilities. */
  const decide = (row: number, index: number): Decision => {
    const split: Split = { ...data.train, images: data.train.images.subarray(index * D0, (index + 1) * D0), labels: new Uint8Array(1), count: 1 };
    const C = data.classes;
    const d: Decision = { row, perLayer: null, scores: null, probs: null };
    predictor.evaluate(split, 1, undefined, {
      labelScores: (_s, _n, scores, perLayer) => {
        d.scores = Array.from(scores.subarray(0, C));
        d.perLayer = perLayer.map((g) => Array.from(g.subarray(0, C)));
      },
      headProbs: (_s, _n, probs) => { d.probs = Array.from(probs.subarray(0, C)); },
    });
    return d;
  };

  return {
    observe() {
      t = { indices: [], labels: [], wrong: null, partners: null, pos: [], neg: [], layers: [], W1: null };
      return observer;
    },
    take(step, epoch, { select, learned }) {
      const seen = t;
      t = null;
      if (!seen || seen.layers.length === 0 || !seen.W1) return null; // a readout step: no layer ran
      const { rows: ir, cols: ic } = data.train;
      const blank = cfg.mode === 'supervised' ? data.classes : 0;
      const H1 = seen.layers[0]!.H;
      const units = Array.from({ length: H1 }, (_, j) => j);
      const W = learned ? seen.W1.map((w, i) => w - W0[i]!) : seen.W1;
      const tiles = signedTilesRgb(receptiveFieldTiles(W, H1, units, 0, ir, ic, blank), ir, ic, TILE_COLUMNS);
      const rows: LiveRow[] = seen.pos.map((pos, r) => ({
        index: seen.indices[r]!, label: seen.labels[r]!, wrong: seen.wrong?.[r] ?? null, partner: seen.partners?.[r] ?? null,
        pos, neg: seen.neg[r]!, gPos: seen.layers.map((L) => L.gP[r]!), gNeg: seen.layers.map((L) => L.gN[r]!),
      }));
      const row = Math.min(Math.max(0, select), rows.length - 1);
      return {
        step, epoch, imageShape: [ir, ic], rows,
        layers: seen.layers.map(({ H, theta, histogram: h, yPos, yNeg }) => ({ H, theta, histogram: h, yPos, yNeg })),
        tiles, learned, decision: decide(row, rows[row]!.index),
      };
    },
  };
}
