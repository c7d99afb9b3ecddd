// The 'hinton-aug' training step (784-1000×3, B = 100, ±1 px shifts, 10% dropout, smoothed SGD)
// with each of its shortcuts on and off: the shared first layer (cfg.shortcuts) and the first
// layer's products over the input's non-zeros (cfg.sparseInput), on each thread count. The four
// variants on every thread count run interleaved, one step each per round on the same batch
// (batches move on from round to round), so that their ratios, and 2 threads ÷ 1, are measured
// under the same load: this VM's speed swings by 2× between runs and within one. Also the densities the sparse products measured.
// Times the project's own trainer and changes none of it. B = images per step.
import { DEFAULT_CONFIG, type Config } from '../../src/config/config.ts';
import { applyPreset } from '../../src/config/presets.ts';
import type { Dataset } from '../../src/data/dataset.ts';
import type { MatmulBackend } from '../../src/linalg/backend.ts';
import { checkConfig } from '../../src/run/check-config.ts';
import { buildNetwork, makeTrainer } from '../../src/run/train-run.ts';
import { timeClean, type GuardOptions } from './guard.ts';
import { median, rowFromBlock, type Row } from './summary.ts';
import { timedBackend } from './timed-backend.ts';

/** One variant: the two shortcuts, on or off. */
export interface ShortcutVariant {
  shortcuts: boolean;
  sparseInput: Config['sparseInput'];
}

export const SHORTCUT_VARIANTS: readonly ShortcutVariant[] = [
  { shortcuts: true, sparseInput: 'auto' }, { shortcuts: true, sparseInput: 'off' },
  { shortcuts: false, sparseInput: 'auto' }, { shortcuts: false, sparseInput: 'off' },
];

/** A variant's row id: 'hinton-aug', then '-plain' without the shared first layer, '-dense' without the sparse products. */
export function variantId(v: ShortcutVariant): string {
  return `hinton-aug${v.shortcuts ? '' : '-plain'}${v.sparseInput === 'auto' ? '' : '-dense'}`;
}

/** The mean density the sparse products measured, by which first-layer product: x̂·W₁ (rows = B) or x̂ᵀ·dZ (rows = pixels). */
export interface SparseDensity {
  threads: number;
  forward: number;
  weightGradient: number;
  sparseShare: number; // of the matmulSparse calls, the share that ran sparse
}

export interface ShortcutBench {
  rows: Row[];
  densities: SparseDensity[];
  ratios: { label: string; value: number | null }[]; // shortcutRatios of the kept rounds
}

/** The four variants of 'hinton-aug' on every backend, all interleaved, `rounds` timed rounds; data.train needs ≥ B images. */
export function benchShortcuts(
  data: Dataset, backends: MatmulBackend[], rounds: number, guard: GuardOptions, progress: (msg: string) => void,
): ShortcutBench {
  for (const be of backends) {
    if (be.threads > 1 && !be.rows.waitUntilShared(60_000)) progress(`warning: the row jobs run on the calling thread only (${be.threads} threads)`);
  }
  progress(`hinton-aug step, each shortcut on and off, on ${backends.map((be) => be.threads).join(' and ')} thread(s), interleaved`);
  const base = applyPreset({ ...DEFAULT_CONFIG, seed: 1, quiet: true }, 'hinton-aug');
  const B = base.batchSize, batches = Math.floor(data.train.count / B);
  const order = new Int32Array(data.train.count).map((_, i) => i);
  const timed = backends.map((be) => timedBackend(be)); // records each backend's sparse products
  const cases = backends.flatMap((be, b) => SHORTCUT_VARIANTS.map((v) => {
    const cfg: Config = { ...base, ...v, threads: be.threads };
    checkConfig(cfg);
    return { be, v, trainer: makeTrainer(cfg, buildNetwork(cfg, data.classes), data, timed[b]!.backend), seconds: [] as number[] };
  }));
  let round = 0;
  // One round: a step of every case on the same batch, in order (the cases of a backend one after another).
  const block = timeClean(() => {
    const start = (round++ % batches) * B;
    for (const c of cases) {
      const t0 = performance.now();
      const s = c.trainer.step({ split: data.train, order, start, B, lr: base.lr, headLr: base.headLr, only: null });
      c.seconds.push((performance.now() - t0) / 1000);
      if (!Number.isFinite(s.layers[0]!.loss)) throw new Error(`bench: the ${variantId(c.v)} step diverged (${c.be.threads} threads)`);
    }
  }, rounds, 2, guard);
  const rows = cases.map(({ be, v, seconds }) => {
    const kept = { ...block, seconds: seconds.slice(-rounds) }; // the kept block is the last `rounds` rounds
    const label = `trainer step 'hinton-aug' 784-1000-1000-1000 B=${B}, shortcuts ${v.shortcuts ? 'on' : 'off'}, sparse input ${v.sparseInput}`;
    return rowFromBlock(kept, B, 1, { section: 'shortcuts', id: variantId(v), label, backend: be.name, threads: be.threads, unit: 'examples/s' });
  });
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const densities = backends.map((be, b) => {
    const all = timed[b]!.sparse;
    // x̂ᵀ·dZ is the product whose a has a row per pixel.
    const byRows = (forward: boolean): number[] =>
      all.filter((s) => s.shape.startsWith(`${data.train.pixels}×`) !== forward).map((s) => s.use.density);
    return {
      threads: be.threads, forward: mean(byRows(true)), weightGradient: mean(byRows(false)),
      sparseShare: all.filter((s) => s.use.sparse).length / all.length,
    };
  });
  const times = new Map(cases.map((c) => [`${variantId(c.v)}@${c.be.threads}`, c.seconds.slice(-rounds)]));
  return { rows, densities, ratios: shortcutRatios(times) };
}

/**
 * Each shortcut's on ÷ off and 2 threads ÷ 1, as the median over the rounds of the ratio of the two
 * steps' speeds in that round (paired: both steps ran one after the other, under the same load).
 * times: the seconds of every kept round by `${variantId}@${threads}`.
 */
export function shortcutRatios(times: Map<string, number[]>): { label: string; value: number | null }[] {
  const over = (a: string, b: string): number | null => {
    const ta = times.get(a), tb = times.get(b);
    return ta && tb ? median(ta.map((t, r) => tb[r]! / t)) : null;
  };
  const threads = [...new Set([...times.keys()].map((k) => Number(k.split('@')[1])))];
  const out: { label: string; value: number | null }[] = [];
  const pairs: [string, string, string][] = [ // label, faster id, slower id
    ['sparse input auto ÷ off, shortcuts on', 'hinton-aug', 'hinton-aug-dense'],
    ['sparse input auto ÷ off, shortcuts off', 'hinton-aug-plain', 'hinton-aug-plain-dense'],
    ['shortcuts on ÷ off, sparse input auto', 'hinton-aug', 'hinton-aug-plain'],
    ['both on ÷ both off', 'hinton-aug', 'hinton-aug-plain-dense'],
  ];
  for (const t of threads) for (const [label, a, b] of pairs) out.push({ label: `${t} thread(s): ${label}`, value: over(`${a}@${t}`, `${b}@${t}`) });
  for (const v of SHORTCUT_VARIANTS) out.push({ label: `2 threads ÷ 1: ${variantId(v)}`, value: over(`${variantId(v)}@2`, `${variantId(v)}@1`) });
  return out;
}
