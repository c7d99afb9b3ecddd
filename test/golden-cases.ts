// The short seeded runs behind test/golden.test.ts, what is pinned of each, and the comparison
// that names the fault. scripts/make-golden.ts writes their values to test/golden.json; the test
// compares a fresh run with them. Not a test file itself.
// Pinned per run: a summary of every tensor after the second step and at the end (each layer's W,
// b and peer-normalisation mean, the head's W and b: the sum and sum of squares in float64, 8
// elements at fixed positions and an FNV-1a checksum of the bits), every epoch's per-layer statistics and head loss, layer 1's first losses, the
// test errors of both methods, and the goodness error of each hidden layer scored alone and of
// all layers together (from the final evaluation's own per-layer goodness).
// On a mismatch, goldenDrift lists the drifting values in the order the run computes them
// (tensors layer by layer, then statistics, then evaluation), with the size of each drift, after
// llm.c's check_tensor: the first item is where to look.
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { fnv1a } from '../src/io/checksum.ts';
import { makeBackend } from '../src/run/backend.ts';
import type { Network } from '../src/ff/network.ts';
import type { EvalObserver } from '../src/ff/trainer.ts';
import { trainRun } from '../src/run/train-run.ts';

export interface TensorSummary {
  sum: number; // Σ x over the tensor, in float64
  sumSq: number; // Σ x²
  at: number[]; // the elements at SAMPLE_POSITIONS of the length
  fnv: string; // fnv1a of the bits
}

export interface GoldenValues {
  // After the second step: the first where Adam's bias correction, the smoothed SGD's history, a
  // weight cost on the biases (zero at the start) and a trained head (hard negatives) all act,
  // and before the tensors' drifts mix, so the first drifting tensor names the faulty update.
  early: Record<string, TensorSummary>;
  // at the end of the run // 'layer1.weight', 'layer1.bias', 'layer1.peer_mean', ..., 'head.weight', 'head.bias'
  tensors: Record<string, TensorSummary>;
  epochs: number[][][]; // [epoch][layer] = [loss, goodPos, goodNeg, pairError], 6 significant digits
  headLosses: number[]; // the head's mean loss of each epoch, 6 significant digits
  firstLosses: number[]; // layer 1's FF loss at the first 6 steps, 6 significant digits
  testErrors: [number | null, number | null]; // goodness and softmax error on the test subset (null: the mode has no such method)
  errorByLayers: Record<string, number> | null; // goodness error scoring 'L1', 'L2', ... alone and 'all' layers; null without goodness
}

/** Fractions of a tensor's length whose elements are pinned (first, last and six between). */
const SAMPLE_POSITIONS = [0, 1 / 7, 2 / 7, 3 / 7, 4 / 7, 5 / 7, 6 / 7, 1];

export const GOLDEN_CASES: Record<string, Partial<Config>> = {
  'adam-hard-rms-sum': {
    layers: [784, 24, 16], epochs: 2, batchSize: 50, trainLimit: 400, testLimit: 200, optimizer: 'adam', lr: 0.003, negatives: 'hard',
  },
  // The same run on the plain step (no shared first layer): the supervised cases above pin the
  // default step (cfg.shortcuts on); this one pins the plain path, whose values are the ones the
  // case above had before the shortcut existed.
  'adam-hard-rms-sum-plain': {
    layers: [784, 24, 16], epochs: 2, batchSize: 50, trainLimit: 400, testLimit: 200, optimizer: 'adam', lr: 0.003, negatives: 'hard',
    shortcuts: false,
  },
  'sgd-random-rms-mean-peer': {
    layers: [784, 20, 20, 12], epochs: 2, batchSize: 40, trainLimit: 400, testLimit: 200, optimizer: 'sgd', lr: 2,
    headLr: 0.1, norm: 'rms', goodness: 'mean', negatives: 'random', peerNorm: 0.03, scoredLayers: 'skip-first',
  },
  'unsupervised-hybrids': {
    mode: 'unsupervised', layers: [784, 20, 20, 20], epochs: 2, batchSize: 50, trainLimit: 400, testLimit: 200, lr: 0.003, scoredLayers: 'last-3',
  },
  'recurrent-top-down': {
    mode: 'recurrent', layers: [784, 24, 16], epochs: 1, batchSize: 50, trainLimit: 300, testLimit: 100, iterations: 4, scoreIterations: [2, 3],
    lr: 0.003, labelStrength: 15,
  },
  // The three training options together (--shift, --dropout, --loss symba): their streams and math.
  'shift-dropout-symba': {
    layers: [784, 24, 16], epochs: 2, batchSize: 50, trainLimit: 400, testLimit: 200, lr: 0.003, shift: 1, dropout: 0.1, loss: 'symba',
    symbaAlpha: 0.5,
  },
  'greedy-reference-like': {
    layers: [784, 16, 16], epochs: 2, batchSize: 100, trainLimit: 300, testLimit: 200, lr: 0.03, norm: 'l2', goodness: 'mean', negatives: 'random',
    greedy: true, schedule: 'constant',
  },
  // A run that must learn (its error is also bounded far from chance in golden.test.ts), scored
  // without layer 1: its goodness error differs from the one scoring all layers. On wasm only
  // (3 s there, 5× that on js).
  'learns-skip-first': {
    layers: [784, 200, 200], epochs: 3, batchSize: 25, trainLimit: 4000, testLimit: 1000, lr: 0.003, negatives: 'random', scoredLayers: 'skip-first',
  },
};

/** test/golden.json: the values of every case on the js backend, and of some on wasm. */
export interface GoldenFile {
  js: Record<string, GoldenValues>;
  wasm: Record<string, GoldenValues>;
}

/** The backends each case is pinned on (wasm: float32 sums in k order, other bits than js). */
export function goldenBackends(name: string): ('js' | 'wasm')[] {
  return name === 'adam-hard-rms-sum' ? ['js', 'wasm'] : name === 'learns-skip-first' ? ['wasm'] : ['js'];
}

const sig6 = (x: number): number => Number(x.toPrecision(6));

export function summarise(t: Float32Array): TensorSummary {
  let sum = 0, sumSq = 0;
  for (const x of t) {
    sum += x;
    sumSq += x * x;
  }
  const at = SAMPLE_POSITIONS.map((f) => t[Math.round(f * (t.length - 1))]!);
  return { sum, sumSq, at, fnv: fnv1a([t]) };
}

/** Every tensor of a network, named as in a saved model (model-io.ts), in the order a step computes them. */
function summariseNetwork(net: Network): Record<string, TensorSummary> {
  const out: Record<string, TensorSummary> = {};
  net.layers.forEach((l, i) => {
    out[`layer${i + 1}.weight`] = summarise(l.W);
    out[`layer${i + 1}.bias`] = summarise(l.b);
    out[`layer${i + 1}.peer_mean`] = summarise(l.peerMean);
  });
  out['head.weight'] = summarise(net.head.W);
  out['head.bias'] = summarise(net.head.b);
  return out;
}

export function runGolden(name: string, backend: 'js' | 'wasm' = 'js', threads = 1): GoldenValues {
  const cfg: Config = { ...DEFAULT_CONFIG, seed: 7, backend, threads, quiet: true, ...GOLDEN_CASES[name]! };
  const data = loadDataset({ trainLimit: cfg.trainLimit ?? undefined, testLimit: cfg.testLimit ?? undefined });
  const mm = makeBackend(cfg.backend, cfg.threads, () => {});
  const L = cfg.layers.length - 1, C = data.classes;
  // Goodness errors of each layer alone and of all layers, from the final evaluation's per-layer goodness.
  const wrong = new Array<number>(L + 1).fill(0);
  let seen = 0;
  const observer: EvalObserver = {
    labelScores(start, n, _scores, perLayer) {
      seen += n;
      for (let r = 0; r < n; r++) {
        const label = data.test.labels[start + r]!;
        const best = new Array<number>(L + 1).fill(0), top = new Array<number>(L + 1).fill(-Infinity);
        for (let c = 0; c < C; c++) {
          let all = 0;
          for (let l = 0; l <= L; l++) {
            const g = l < L ? perLayer[l]![c * n + r]! : all;
            if (l < L) all += g;
            if (g > top[l]!) { top[l] = g; best[l] = c; }
          }
        }
        for (let l = 0; l <= L; l++) if (best[l] !== label) wrong[l]!++;
      }
    },
  };
  let early: Record<string, TensorSummary> = {};
  try {
    const r = trainRun(cfg, data, mm, {
      testObserver: observer,
      betweenSteps: (at, snapshot) => {
        if (at.stepsDone === 2 && !at.epochEnded) early = summariseNetwork(snapshot().net);
      },
    });
    return {
      early,
      tensors: summariseNetwork(r.net),
      epochs: r.epochs.map((e) => e.layers.map((s) => [s.loss, s.goodPos, s.goodNeg, s.pairError].map(sig6))),
      headLosses: r.epochs.map((e) => sig6(e.headLoss)),
      firstLosses: r.firstLosses.slice(0, 6).map(sig6),
      testErrors: [r.test.goodness, r.test.softmax],
      errorByLayers: seen === 0 ? null : Object.fromEntries(wrong.map((w, l) => [l < L ? `L${l + 1}` : 'all', w / seen])),
    };
  } finally {
    mm.close();
  }
}

/** One line per drifting value, in the order the run computes them; empty when all agree. */
export function goldenDrift(got: GoldenValues, want: GoldenValues): string[] {
  const out: string[] = [];
  tensorDrift(out, 'after step 2', got.early, want.early ?? {});
  tensorDrift(out, 'at the end', got.tensors, want.tensors);
  statDrift(out, got, want);
  return out;
}

/** A line per tensor of `got` whose summary differs from `want`'s, with the sizes of the drift. */
function tensorDrift(out: string[], when: string, got: Record<string, TensorSummary>, want: Record<string, TensorSummary>): void {
  for (const name of [...new Set([...Object.keys(want), ...Object.keys(got)])]) {
    const g = got[name], w = want[name];
    if (!g || !w) { out.push(`${name} ${when}: ${g ? 'not in the golden values' : 'missing from the run'}`); continue; }
    if (g.fnv === w.fnv && g.sum === w.sum && g.sumSq === w.sumSq) continue;
    let maxAt = 0, first = -1;
    g.at.forEach((x, i) => {
      const d = Math.abs(x - w.at[i]!);
      if (d > maxAt || Number.isNaN(d)) maxAt = Number.isNaN(d) ? NaN : d;
      if (x !== w.at[i] && first < 0) first = i;
    });
    out.push(
      `${name} ${when}: bits differ (fnv ${g.fnv}, expected ${w.fnv}); ` +
        `sum ${g.sum} vs ${w.sum} (|Δ| ${Math.abs(g.sum - w.sum).toExponential(2)}), ` +
        `Σx² ${g.sumSq} vs ${w.sumSq} (|Δ| ${Math.abs(g.sumSq - w.sumSq).toExponential(2)}); ` +
        `sampled elements: max |Δ| ${maxAt.toExponential(2)}` +
        (first < 0
          ? ', all equal'
          : `, first differing at position ${SAMPLE_POSITIONS[first]!.toFixed(3)} of the tensor (${g.at[first]} vs ${w.at[first]})`),
    );
  }
}

function statDrift(out: string[], got: GoldenValues, want: GoldenValues): void {
  const stat = ['loss', 'G+', 'G-', 'pair error'];
  want.epochs.forEach((layers, e) => layers.forEach((vals, l) => vals.forEach((v, k) => {
    const x = got.epochs[e]?.[l]?.[k];
    if (x !== v) {
      out.push(`epoch ${e + 1} layer ${l + 1} ${stat[k]}: ${x} vs ${v}${x === undefined ? '' : ` (|Δ| ${Math.abs(x - v).toExponential(2)})`}`);
    }
  })));
  if (got.epochs.length !== want.epochs.length) out.push(`epochs: ${got.epochs.length} vs ${want.epochs.length}`);
  (want.headLosses ?? []).forEach((v, e) => {
    if (got.headLosses[e] !== v) out.push(`epoch ${e + 1} head loss: ${got.headLosses[e]} vs ${v}`);
  });
  want.firstLosses.forEach((v, i) => {
    if (got.firstLosses[i] !== v) out.push(`layer 1 loss at step ${i + 1}: ${got.firstLosses[i]} vs ${v}`);
  });
  (['goodness', 'softmax'] as const).forEach((m, i) => {
    if (got.testErrors[i] !== want.testErrors[i]) out.push(`test error (${m}): ${got.testErrors[i]} vs ${want.testErrors[i]}`);
  });
  for (const k of new Set([...Object.keys(want.errorByLayers ?? {}), ...Object.keys(got.errorByLayers ?? {})])) {
    const x = got.errorByLayers?.[k], v = want.errorByLayers?.[k];
    if (x !== v) out.push(`goodness error scoring ${k === 'all' ? 'all layers' : `${k} alone`}: ${x} vs ${v}`);
  }
}
