// Everything a report shows, computed from a network, its trainer and the data: the held-out
// analysis (analysis.ts, through the trainer's own evaluate()), the receptive fields and label
// weights, the rows the layers are trained on (made by the training code's own overlay, negative
// sampler and hybrid maker, from a 'report' random stream so training's streams are untouched),
// and, for the recurrent net, goodness and error per layer and iteration. render.ts turns it into
// HTML. Reading the net and running evaluate() between epochs changes no bit of training.
// C = classes, L = hidden layers, P = pixels of an image.
import type { Config } from '../../src/config/config.ts';
import { sliceSplit, type Dataset, type Split } from '../../src/data/dataset.ts';
import { gatherLabels, gatherRows } from '../../src/data/batch.ts';
import type { MatmulFn } from '../../src/ff/layer/layer.ts';
import { makeHybridBatch } from '../../src/ff/inputs/masks.ts';
import { drawPairPartners, pairInputRows } from '../../src/ff/inputs/pairs.ts';
import { drawWrongLabels } from '../../src/ff/inputs/negatives.ts';
import type { Network } from '../../src/ff/network.ts';
import { overlayPositiveNegative } from '../../src/ff/inputs/overlay.ts';
import { recurrentDiagnostics, type RecurrentDiagnostics } from '../../src/ff/modes/recurrent-diagnostics.ts';
import type { Trainer } from '../../src/ff/trainer.ts';
import { MASK_BLURS } from '../../src/ff/modes/unsupervised.ts';
import { modelConfig } from '../../src/config/stored.ts';
import { makeRng } from '../../src/rng.ts';
import { hybridGoodness, makeHeldOutCollector, thresholdsOf, type HeldOutAnalysis } from './analysis.ts';
import { grayGrid, labelWeights, receptiveFields, strongestUnits, type Picture } from './pictures.ts';
import type { RunRecord } from '../../src/model/run-record.ts';

/** What the report needs to look at a run. */
export interface ReportContext {
  cfg: Config;
  net: Network;
  trainer: Trainer;
  data: Dataset;
  mm: MatmulFn<Float32Array>;
  record: RunRecord;
  epochsTotal: number; // epochs the run will have (greedy: per layer times layers)
}

/** One training example as the layers see it: the true-label row and the negative row. */
export interface TrainedOnRow {
  index: number; // training image
  label: number;
  negative: string; // what the negative row is: 'label 3', 'hybrid with image 12'
  goodPos: number[] | null; // goodness per layer of the positive row (held-out style scoring); null where not computed
  goodNeg: number[] | null;
}

export interface ReportContent {
  config: ReturnType<typeof modelConfig>;
  record: RunRecord;
  epochsTotal: number;
  finished: boolean;
  classes: number;
  widths: number[];
  thetas: number[];
  analysis: HeldOutAnalysis | null;
  analysisNote: string; // which images the analysis is over
  fields: { picture: Picture; units: number[]; note: string };
  labelWeights: { picture: Picture; note: string } | null;
  trainedOn: { picture: Picture; columns: string[]; rows: TrainedOnRow[]; note: string };
  wrongPictures: Picture[]; // one per analysis.wrong entry
  byIteration: RecurrentDiagnostics | null;
}

const FIELDS_SHOWN = 64;
const EXAMPLES_SHOWN = 8;
/** Images the recurrent by-iteration diagnostics run over (they run the C label runs again). */
export const BY_ITERATION_IMAGES = 1000;

/** The analysis of the first `count` images of `split`, through the trainer's evaluate(). */
export function analyseHeldOut(ctx: ReportContext, split: Split, count: number): HeldOutAnalysis {
  const { cfg, net, trainer, data } = ctx;
  const collector = makeHeldOutCollector(split, data.classes, net.layers.length, thresholdsOf(cfg));
  trainer.evaluate(split, count, undefined, collector.observer);
  return finishAnalysis(ctx, collector, split, count);
}

/** Ends a collector's analysis; unsupervised nets add their image-versus-hybrid goodness. */
export function finishAnalysis(ctx: ReportContext, collector: ReturnType<typeof makeHeldOutCollector>, split: Split, count: number): HeldOutAnalysis {
  const { cfg, net, data, mm } = ctx;
  if (cfg.mode !== 'unsupervised') return collector.finish();
  const n = Math.min(count, 2000);
  return collector.finish(hybridGoodness(cfg, net, split, n, data.train.rows, data.train.cols, mm, makeRng(cfg.seed, 'report')));
}

/** Everything the page shows, given the held-out analysis (or null before there is one). */
export function collectReport(ctx: ReportContext, analysis: HeldOutAnalysis | null, analysisNote: string, finished: boolean): ReportContent {
  const { cfg, net, data } = ctx;
  const C = data.classes, { rows, cols, pixels: P } = data.train;
  const first = net.layers[0]!;
  const labelPixels = cfg.mode === 'supervised' ? C : 0;

  const units = strongestUnits(first.W, first.H, labelPixels, P, FIELDS_SHOWN);
  const fields = {
    picture: receptiveFields(first.W, first.H, units, 0, rows, cols, labelPixels),
    units,
    note: `layer 1: the ${units.length} units whose weights from the ${P} image pixels have the largest norm, strongest first; ` +
      'red = positive weight, blue = negative, each tile on its own scale' +
      (labelPixels ? `; the ${C} label pixels (top left) are left blank and shown below` : ''),
  };

  let labels: ReportContent['labelWeights'] = null;
  if (cfg.mode === 'supervised') {
    labels = {
      picture: labelWeights(first.W, first.H, units, 0, C),
      note: `weights from the ${C} label pixels (rows: label 0 to ${C - 1}) to the same ${units.length} layer-1 units (columns), one colour scale`,
    };
  } else if (cfg.mode === 'recurrent') {
    const top = net.layers[net.layers.length - 1]!, below = top.D - C;
    const topUnits = strongestUnits(top.W, top.H, below, top.D, FIELDS_SHOWN);
    labels = {
      picture: labelWeights(top.W, top.H, topUnits, below, C),
      note: `weights from the ${C} clamped label units (rows) to the ${topUnits.length} units of the top layer ` +
        `(layer ${net.layers.length}) they drive most (columns)`,
    };
  }

  const wrongPictures = (analysis?.wrong ?? []).map((w) => {
    const img = new Float32Array(P);
    for (let p = 0; p < P; p++) img[p] = data.test.images[w.index * P + p]! / 255;
    return grayGrid([img], rows, cols, 1, 3);
  });

  return {
    config: modelConfig(cfg),
    record: ctx.record,
    epochsTotal: ctx.epochsTotal,
    finished,
    classes: C,
    widths: net.widths,
    thetas: thresholdsOf(cfg),
    analysis,
    analysisNote,
    fields,
    labelWeights: labels,
    trainedOn: trainedOn(ctx),
    wrongPictures,
    byIteration: cfg.mode === 'recurrent' && analysis
      ? recurrentDiagnostics(cfg, net, C, data.test, Math.min(BY_ITERATION_IMAGES, data.test.count), ctx.mm)
      : null,
  };
}

// The first EXAMPLES_SHOWN training images as the layers are shown them. Supervised and recurrent:
// the true label and a wrong one drawn the way training draws it (hard: from the head's
// probabilities), with the goodness each layer gives both rows. Unsupervised: image, partner,
// mask and hybrid, made by the training code's makeHybridBatch.
function trainedOn(ctx: ReportContext): ReportContent['trainedOn'] {
  const { cfg, trainer, data } = ctx;
  const C = data.classes, { rows, cols, pixels: P } = data.train;
  const n = Math.min(EXAMPLES_SHOWN, data.train.count);
  const split = sliceSplit(data.train, 0, n);
  const order = new Int32Array(n).map((_, i) => i);
  const images = new Float32Array(n * P), labels = new Int32Array(n);
  gatherRows(images, split, order, 0, n);
  gatherLabels(labels, split, order, 0, n);
  const rng = makeRng(cfg.seed, 'report');
  const tile = (buf: Float32Array, i: number): Float32Array => buf.subarray(i * P, (i + 1) * P);

  if (cfg.mode === 'unsupervised' && cfg.contrast === 'scff') {
    // Self-Contrastive FF: the first layer sees each pair as x̂ = â + b̂ (pairs.ts); shown rescaled to [0, 1].
    const partners = new Int32Array(n), self = new Int32Array(n).map((_, i) => i), scratch = new Float32Array(2 * P);
    const k = drawPairPartners(partners, n, rng);
    const pos = new Float32Array(n * P), neg = new Float32Array(n * P);
    pairInputRows(pos, images, images, self, n, P, cfg.norm, scratch);
    pairInputRows(neg, images, images, partners, n, P, cfg.norm, scratch);
    const rescaled = (t: Float32Array): Float32Array => {
      let lo = Infinity, hi = -Infinity;
      for (const v of t) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      return t.map((v) => (hi > lo ? (v - lo) / (hi - lo) : 0));
    };
    const tiles: Float32Array[] = [];
    for (let i = 0; i < n; i++) tiles.push(tile(images, i), rescaled(tile(pos, i)), tile(images, partners[i]!), rescaled(tile(neg, i)));
    return {
      picture: grayGrid(tiles, rows, cols, 4, 3),
      columns: ['image a', 'positive: x̂ of a beside a', 'image b', 'negative: x̂ of a beside b'],
      rows: Array.from({ length: n }, (_, i) => ({
        index: i, label: labels[i]!, negative: `image ${i} beside image ${partners[i]}`, goodPos: null, goodNeg: null,
      })),
      note: 'the first training images as Self-Contrastive FF pairs: layer 1 sees the pair [a | b] as x̂ = â + b̂ ' +
        '(each image standardised, the pair normalised as one row; shown rescaled to black..white); ' +
        `negative pair i takes image (i + ${k}) mod ${n} of these, one offset for the batch as a training step draws it`,
    };
  }

  if (cfg.mode === 'unsupervised') {
    const hybrids = new Float32Array(n * P), masks = new Float32Array(n * P), partners = new Int32Array(n);
    makeHybridBatch(hybrids, masks, new Float32Array(P), images, n, rows, cols, MASK_BLURS, rng, partners);
    const tiles: Float32Array[] = [];
    for (let i = 0; i < n; i++) tiles.push(tile(images, i), tile(images, partners[i]!), tile(masks, i), tile(hybrids, i));
    return {
      picture: grayGrid(tiles, rows, cols, 4, 3),
      columns: ['positive: image a', 'image b', 'mask (white = from a)', 'negative: hybrid'],
      rows: Array.from({ length: n }, (_, i) => ({
        index: i, label: labels[i]!, negative: `hybrid of image ${i} and image ${partners[i]}`, goodPos: null, goodNeg: null,
      })),
      note: 'the first training images and the hybrid negatives made from them, exactly as a training step makes them ' +
        '(a fresh blurred mask and a partner from the same batch)',
    };
  }

  // The net's own label scores and head probabilities for these images, from evaluate().
  const perLayer: Float32Array[] = [];
  const probs = new Float32Array(n * C);
  trainer.evaluate(split, n, undefined, {
    labelScores: (_s, _n, _scores, layers) => layers.forEach((G, l) => { perLayer[l] = Float32Array.from(G.subarray(0, C * n)); }),
    headProbs: (_s, _n, p) => probs.set(p.subarray(0, n * C)),
  });
  const wrong = new Int32Array(n);
  drawWrongLabels(cfg.negatives, wrong, labels, probs, n, C, rng);
  const goodOf = (r: number, c: number): number[] => perLayer.map((G) => G[c * n + r]!);
  const rowsOut: TrainedOnRow[] = Array.from({ length: n }, (_, i) => ({
    index: i, label: labels[i]!, negative: `label ${wrong[i]}`, goodPos: goodOf(i, labels[i]!), goodNeg: goodOf(i, wrong[i]!),
  }));

  if (cfg.mode === 'supervised') {
    const ff = new Float32Array(2 * n * P); // rows 0..n−1 positive, n..2n−1 negative, as the step makes them
    overlayPositiveNegative(ff, images, labels, wrong, n, P, C, cfg.labelStrength);
    const tiles: Float32Array[] = [];
    for (let i = 0; i < n; i++) tiles.push(tile(ff, i), tile(ff, n + i));
    return {
      picture: grayGrid(tiles, rows, cols, 2, 3),
      columns: ['positive: true label written in', 'negative: a wrong label'],
      rows: rowsOut,
      note: `the first training images with the label written into the first ${C} pixels (top left, value ${cfg.labelStrength}); ` +
        'the wrong label is drawn as training draws it ' +
        `(${cfg.negatives === 'hard' ? "hard: in proportion to the head's probabilities" : 'uniformly'}); ` +
        'goodness per layer as the evaluation scores it',
    };
  }
  // Recurrent: the image is the bottom layer; the label is clamped at the top, not drawn in.
  return {
    picture: grayGrid(Array.from({ length: n }, (_, i) => tile(images, i)), rows, cols, 1, 3),
    columns: ['image (bottom layer)'],
    rows: rowsOut,
    note: 'the first training images; the label layer above the top hidden layer is clamped to the one-hot label, ' +
      `normalised and ×${cfg.labelStrength}; ` +
      'positive = true label clamped, negative = a wrong label drawn as training draws it; ' +
      `goodness per layer averaged over iterations ${cfg.scoreIterations.join('–')}`,
  };
}
