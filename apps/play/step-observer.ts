// The Step through view's adapter: what the view shows of one training step (StepRecord), and the
// one function that makes it, recordStep: the trace of scripts/inspect.ts (traceRun, which listens
// to the real step of every mode through its StepObserver) of step K, cut to one image of the
// batch. No number is computed here; formulas are docs/TRACE.md's.
import type { RowsTrace, Tensor, Trace } from '../../src/trace/schema.ts';
import { traceRun } from '../../src/trace/trace.ts';
import type { Config, Dataset, MatmulBackend } from './api.ts';

/** One quantity of the step for the chosen image: its positive row, its negative row, or one tensor for the batch. */
export interface StepPanel {
  name: string; // e.g. 'x̂', 'z', 'dW'
  formula: string; // what it is, e.g. 'z = x̂·W + b'
  shape: number[]; // of one row ([D], [H], [] for a scalar) or of the matrix ([D, H])
  positive: number[]; // the positive row's values, or the matrix when negative is null
  negative: number[] | null;
  image?: [number, number]; // show a row of this length as rows×cols pixels (the input's image shape)
}

/** What the view shows of step K for image r of its batch. */
export interface StepRecord {
  about: string; // one line: mode, step, epoch, image, labels
  label: number; // the image's true label
  wrong: number | null; // the wrong label of its negative row (supervised, recurrent)
  input: StepPanel; // the rows the first layer reads (overlay or hybrid)
  layers: { layer: number; D: number; H: number; theta: number; panels: StepPanel[] }[];
  head: StepPanel[]; // the softmax head's features, probabilities and gradient for the image
}

/** Row r of a (rows, cols) tensor, or element r of a vector. */
const rowOf = (t: Tensor, r: number): number[] => {
  const cols = t.shape.length > 1 ? t.shape[1]! : 1;
  return t.data.slice(r * cols, (r + 1) * cols);
};

/** A (D, H) matrix as (H, D) when D > H, so a wide input reads along the page. */
function matrix(name: string, formula: string, data: number[], D: number, H: number): StepPanel {
  if (D <= H) return { name, formula, shape: [D, H], positive: data, negative: null };
  const t = new Array<number>(D * H);
  for (let i = 0; i < D; i++) for (let j = 0; j < H; j++) t[j * D + i] = data[i * H + j]!;
  return { name, formula: `${formula} (shown transposed: a row per unit)`, shape: [H, D], positive: t, negative: null };
}

/** Step `step` (1-based) of the run `cfg` on `data`, seen through the step's observer, for image `row` of its batch. */
export function recordStep(cfg: Config, data: Dataset, backend: MatmulBackend, step: number, row: number): StepRecord {
  const t: Trace = traceRun(cfg, data, { step, evalImages: 0 }, undefined, backend);
  const B = t.batch.labels.length, r = row, img: [number, number] = [t.dataset.rows, t.dataset.cols];
  const D0 = img[0] * img[1];
  const norm = { rms: 'x̂ = x / (1e-8 + √(mean x²))', l2: 'x̂ = x / (1e-4 + ‖x‖₂)', std: 'x̂ = (x − mean x) / (ε + std x)' }[cfg.norm];
  const wrong = t.negatives ? t.negatives.wrong[r]! : null;
  const inputFormula = cfg.mode === 'supervised'
    ? `the image with its first ${t.dataset.classes} pixels a one-hot label ×${cfg.labelStrength}: ` +
      `positive the true label ${t.batch.labels[r]}, negative the wrong label ${wrong}`
    : t.pairs
      ? `a pair through the same weights, x̂ = â + b̂: positive the image beside itself${cfg.views === 2 ? ' (its second view)' : ''}, ` +
        `negative beside image ${t.pairs.partners[r]} of the batch (offset ${t.pairs.k})`
      : t.hybrids
        ? `positive the image; negative the hybrid image·mask + partner·(1 − mask), partner image ${t.hybrids.partners[r]} of the batch`
        : cfg.mode === 'recurrent'
          ? 'the normalised image (the label layer is clamped above the top layer: true label on the positive row, wrong label on the negative)'
          : 'the image alone: this step trains the head on frozen layers, with no negatives';
  const side = (rows: RowsTrace, key: keyof RowsTrace, at: number): number[] | null => {
    const v = rows[key] as Tensor | undefined;
    return v ? rowOf(v, at) : null;
  };
  const layers = t.layers.map((l) => {
    const pass = l.positive && l.negative ? l : l.iterations?.[l.iterations.length - 1];
    const s = l.goodnessScale === 1 ? '' : `${l.goodnessScale.toPrecision(3)}·`;
    const it = l.iterations ? ` (iteration t = ${l.iterations.length - 1})` : '';
    const panels: StepPanel[] = [];
    const row2 = (name: string, formula: string, key: keyof RowsTrace, width: number): void => {
      if (!pass?.positive || !pass.negative) return;
      const pos = side(pass.positive, key, r), neg = side(pass.negative, key, r);
      if (pos === null || neg === null) return;
      panels.push({
        name, formula: formula + it, shape: width === 0 ? [] : [width], positive: pos, negative: neg, ...(width === D0 ? { image: img } : {}),
      });
    };
    row2('x', 'the layer\'s input: layer 1 the rows above, else the layer below\'s y', 'input', l.D);
    row2('x̂', norm, 'xhat', l.D);
    row2('z', 'z = x̂·W + b', 'z', l.H);
    const P = cfg.dropout, a = cfg.symbaAlpha, symba = cfg.loss === 'symba';
    row2('y', P > 0 ? `ỹ = relu(z)·keep/(1 − ${P}) (dropout)` : 'y = relu(z)', 'y', l.H);
    if (P > 0) row2('keep', `the dropout mask: 1 kept, 0 dropped (each unit with probability ${P})`, 'keep', l.H);
    row2('G', `G = ${s}Σ y²`, 'G', 0);
    row2('p', `p = σ(G − θ), θ = ${l.theta}`, 'p', 0);
    if (symba) {
      const pair = pass?.positive ? side(pass.positive, 'loss', r) : null;
      if (pair !== null) {
        panels.push({
          name: 'L', formula: `the pair's SymBa loss softplus(α·(G⁻ − G⁺)), α = ${a}${it}`, shape: [], positive: pair, negative: null,
        });
      }
      row2('dL/dG', `positive −(α/B)·σ(α·(G⁻ − G⁺)), negative +(α/B)·σ(α·(G⁻ − G⁺)) (B = ${B} pairs)`, 'dLdG', 0);
    } else {
      row2('L', 'positive softplus(θ − G) = −log p; negative softplus(G − θ) = −log(1 − p)', 'loss', 0);
      row2('dL/dG', `positive −(1 − p)/2B, negative p/2B (2B = ${2 * B} rows)`, 'dLdG', 0);
    }
    const peerTerm = cfg.peerNorm > 0 ? ' (+ the peer term on positive rows)' : '';
    row2('dZ', `dL/dz = dL/dG · 2·${s}${P > 0 ? `ỹ/(1 − ${P})` : 'y'}${peerTerm}`, 'dZ', l.H);
    if (l.optimizer) {
      panels.push(matrix('dW', 'dL/dW = x̂ᵀ·dZ over all 2B rows of the batch', l.optimizer.grads.dW.data, l.D, l.H));
      const delta = l.after.W.data.map((w, i) => w - l.before.W.data[i]!);
      const rule = cfg.optimizer === 'adam'
        ? `W ← W − lr·m̂/(√v̂ + 1e-8), lr = ${t.step.lr}`
        : `W ← W − lr·(g̃ + wc·W), g̃ smoothed dW, lr = ${t.step.lr}`;
      panels.push(matrix('ΔW', `the update: ${rule}`, delta, l.D, l.H));
    }
    return { layer: l.layer, D: l.D, H: l.H, theta: l.theta, panels };
  });
  const h = t.head, C = t.dataset.classes;
  const head: StepPanel[] = [
    {
      name: 'features', formula: `[norm(y) of the scored layers ${h.scoredLayers.join(', ')}] (constants: no gradient reaches the layers)`,
      shape: [h.features.shape[1]!], positive: rowOf(h.features, r), negative: null,
    },
    { name: 'probs', formula: 'softmax(features·W + b)', shape: [C], positive: rowOf(h.probs, r), negative: null },
    { name: 'dLogits', formula: '(probs − onehot(label)) / B', shape: [C], positive: rowOf(h.dLogits, r), negative: null },
  ];
  return {
    about: `${cfg.mode} step ${t.step.number} (epoch ${t.step.epoch}, step ${t.step.stepInEpoch} of ${t.step.stepsPerEpoch}): ` +
      `image ${t.batch.indices[r]} of the training set, row ${r} of ${B} in the batch, label ${t.batch.labels[r]}` +
      (wrong !== null ? `, wrong label ${wrong}` : ''),
    label: t.batch.labels[r]!,
    wrong,
    input: { name: 'rows', formula: inputFormula, shape: [D0], positive: rowOf(t.ff.input, r), negative: rowOf(t.ff.input, B + r), image: img },
    layers,
    head,
  };
}
