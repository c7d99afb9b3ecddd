// Tests of the one-step trace (src/io/trace.ts, scripts/inspect.ts, schema in docs/TRACE.md).
// Determinism: the same seed gives the same JSON text, byte for byte. Consistency: the weights the
// JSON says are "before" and "after" are, to the bit, those of initNetwork and of the real
// makeSupervisedTrainer(...).step(...) on the same seed. Invariants, recomputed from the JSON's own
// arrays: dW = x̂ᵀ·dZ, db = Σ dZ, y = relu(z), G = s·Σy², p in (0, 1), dL/dG from p, the batch
// loss = mean of the row losses, positives and negatives differ only in the label pixels, each
// wrong label follows from its recorded u. Also the CLI: a run, a bad flag (exit 2), the size limit.
// Small: 784 → 16 → 8 (and 784 → 12 → 10 → 6), B = 4, the first 64 training images.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, scoredLayerNumbers, type Config } from '../src/config.ts';
import { UserError } from '../src/errors.ts';
import { epochOrder } from '../src/data/batch.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { initNetwork } from '../src/ff/network.ts';
import { makeSupervisedTrainer } from '../src/ff/supervised.ts';
import { traceSupervisedStep, traceToJson, TRACE_FORMAT, type LayerTrace, type RowsTrace, type SupervisedTrace, type Tensor } from '../src/io/trace.ts';
import { createJsMatmul } from '../src/linalg/backend.ts';
import { lrAt } from '../src/optim/schedule.ts';
import { makeRng } from '../src/rng.ts';
import { assertClose, U32 } from './helpers.ts';

const data = loadDataset({ trainLimit: 64, testLimit: 1 });
// The js backend: the trainer this test compares against is built on createJsMatmul.
const SMALL: Config = { ...DEFAULT_CONFIG, backend: 'js', layers: [784, 16, 8], batchSize: 4, trainLimit: 64, testLimit: 1 };

/** The configs every consistency and invariant test runs on: the default recipe and its opposites. */
const CONFIGS: [string, Config][] = [
  ['adam, hard negatives, rms, sum', SMALL],
  ['sgd, random negatives, l2, mean, peer norm, 3 layers, skip-first', {
    ...SMALL, layers: [784, 12, 10, 6], optimizer: 'sgd', lr: 0.01, headLr: 0.1, negatives: 'random', norm: 'l2',
    goodness: 'mean', peerNorm: 0.03, scoredLayers: 'skip-first', labelStrength: 0.5, seed: 7,
  }],
  ['greedy (the first step trains layer 1 only)', { ...SMALL, greedy: true, seed: 3 }],
];

/** The trace as a reader sees it: the JSON text parsed back. */
function parsedTrace(cfg: Config): SupervisedTrace {
  return JSON.parse(traceToJson(traceSupervisedStep(cfg, data))) as SupervisedTrace;
}

const f32 = (t: Tensor): Float32Array => Float32Array.from(t.data);

/** Bit equality of float32 arrays, with the first differing index on failure. */
function assertSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const i = actual.findIndex((v, k) => !Object.is(v, expected[k]) && !(v === 0 && expected[k] === 0));
  assert.equal(i, -1, `${what}: first difference at [${i}]: ${actual[i]} vs ${expected[i]}`);
}

/** Positive rows on top of negative rows: the (2B, ·) arrays the layer saw. */
function both(l: LayerTrace, key: keyof RowsTrace): number[] {
  return [...l.positive[key].data, ...l.negative[key].data];
}

test('the same seed gives byte-identical JSON, another seed does not', () => {
  const a = traceToJson(traceSupervisedStep(SMALL, data));
  const b = traceToJson(traceSupervisedStep(SMALL, data));
  assert.ok(a === b, 'two traces of the same config differ');
  assert.notEqual(traceToJson(traceSupervisedStep({ ...SMALL, seed: 2 }, data)), a);
  const t = JSON.parse(a) as SupervisedTrace;
  assert.equal(t.format, TRACE_FORMAT);
  assert.deepEqual(t.step.trainedLayers, [1, 2]);
});

for (const [name, cfg] of CONFIGS) {
  test(`before/after weights equal initNetwork and the trainer's step, to the bit: ${name}`, () => {
    const t = parsedTrace(cfg);
    const fresh = initNetwork(cfg.layers, scoredLayerNumbers(cfg), data.classes, makeRng(cfg.seed, 'init'));
    const net = initNetwork(cfg.layers, scoredLayerNumbers(cfg), data.classes, makeRng(cfg.seed, 'init'));
    const mm = createJsMatmul();
    const trainer = makeSupervisedTrainer(cfg, net, data.classes, mm.matmul.bind(mm), makeRng(cfg.seed, 'negatives'));
    const order = new Int32Array(data.train.count);
    epochOrder(order, makeRng(cfg.seed, 'shuffle'));
    const total = cfg.epochs * Math.floor(data.train.count / cfg.batchSize);
    const stats = trainer.step(data.train, order, 0, cfg.batchSize, lrAt(cfg.schedule, cfg.lr, 0, total), lrAt(cfg.schedule, cfg.headLr, 0, total), cfg.greedy ? 0 : null);

    assert.deepEqual(t.batch.indices, Array.from(order.subarray(0, cfg.batchSize)));
    assert.deepEqual(t.step.trainedLayers, cfg.greedy ? [1] : cfg.layers.slice(1).map((_, i) => i + 1));
    for (const l of t.layers) {
      const i = l.layer - 1;
      assertSameBits(f32(l.before.W), fresh.layers[i]!.W, `layer ${l.layer} W before`);
      assertSameBits(f32(l.after.W), net.layers[i]!.W, `layer ${l.layer} W after`);
      assertSameBits(f32(l.after.b), net.layers[i]!.b, `layer ${l.layer} b after`);
      assertSameBits(f32(l.after.peerMean!), net.layers[i]!.peerMean, `layer ${l.layer} peerMean after`);
      assert.equal(l.loss, stats.layers[i]!.loss, `layer ${l.layer} loss`);
    }
    assertSameBits(f32(t.head.after.W), net.head.W, 'head W after');
    assertSameBits(f32(t.head.after.b), net.head.b, 'head b after');
    assert.equal(t.head.loss, stats.headLoss);
  });

  test(`invariants recomputed from the JSON's own arrays: ${name}`, () => {
    const t = parsedTrace(cfg);
    const B = cfg.batchSize, C = t.dataset.classes, R = 2 * B;
    const labels = t.batch.labels, wrong = t.negatives.wrong;
    for (const l of t.layers) {
      const { D, H } = l, what = `layer ${l.layer}`;
      const xhat = both(l, 'xhat'), dZ = both(l, 'dZ'), z = both(l, 'z'), y = both(l, 'y');
      const G = both(l, 'G'), p = both(l, 'p'), rowLoss = both(l, 'loss'), dLdG = both(l, 'dLdG');
      // dW = x̂ᵀ·dZ (D, H) and db = Σ_rows dZ (H), in float64, against the float32 results.
      const dW = new Float64Array(D * H), dWAbs = new Float64Array(D * H), db = new Float64Array(H), dbAbs = new Float64Array(H);
      for (let r = 0; r < R; r++) {
        for (let j = 0; j < H; j++) {
          db[j] += dZ[r * H + j]!;
          dbAbs[j] += Math.abs(dZ[r * H + j]!);
          for (let d = 0; d < D; d++) {
            dW[d * H + j] += xhat[r * D + d]! * dZ[r * H + j]!;
            dWAbs[d * H + j] += Math.abs(xhat[r * D + d]! * dZ[r * H + j]!);
          }
        }
      }
      assertClose(l.grads.dW.data, dW, (i) => 4 * U32 * dWAbs[i]! + 1e-30, `${what} dW = x̂ᵀ·dZ`);
      assertClose(l.grads.db.data, db, (i) => 4 * U32 * dbAbs[i]! + 1e-30, `${what} db = Σ dZ`);
      // y = relu(z) exactly; G = s·Σ_j y_j²; p = σ(G − θ) in (0, 1); dL/dG from p.
      assert.deepEqual(y.map((v) => v + 0), z.map((v) => (v > 0 ? v : 0)), `${what} y = relu(z)`);
      for (let r = 0; r < R; r++) {
        let ss = 0;
        for (let j = 0; j < H; j++) ss += y[r * H + j]! ** 2;
        assertClose([G[r]!], [ss * l.goodnessScale], 4 * H * U32 * ss * l.goodnessScale + 1e-30, `${what} G row ${r}`);
        assert.ok(p[r]! > 0 && p[r]! < 1, `${what} p row ${r} = ${p[r]} is not in (0, 1)`);
        const expected = (r < B ? -(1 - p[r]!) : p[r]!) / R;
        assertClose([dLdG[r]!], [expected], 2 * U32 * Math.abs(expected) + 1e-12 / R, `${what} dL/dG row ${r}`);
      }
      assertClose([l.loss], [rowLoss.reduce((a, b) => a + b, 0) / R], 1e-12, `${what} loss = mean of the row losses`);
    }
    // Layer l+1's input rows are layer l's y.
    for (let i = 1; i < t.layers.length; i++) {
      assert.deepEqual(both(t.layers[i]!, 'input'), both(t.layers[i - 1]!, 'y'), `layer ${i + 1} input = layer ${i} y`);
    }
    // Positives and negatives differ only in the label pixels 0..C-1: true label vs wrong label.
    const { D } = t.layers[0]!, pos = t.layers[0]!.positive.input.data, neg = t.layers[0]!.negative.input.data;
    const images = t.batch.images.data, s = Math.fround(cfg.labelStrength);
    for (let r = 0; r < B; r++) {
      assert.notEqual(wrong[r], labels[r], `row ${r}: the wrong label is the true one`);
      for (let j = 0; j < D; j++) {
        const k = r * D + j;
        if (j >= C) {
          assert.equal(pos[k], neg[k], `row ${r} pixel ${j}: positive and negative differ outside the label`);
          assert.equal(pos[k], images[k], `row ${r} pixel ${j}: not the image`);
        } else {
          assert.equal(pos[k], j === labels[r] ? s : 0, `row ${r} label pixel ${j} (positive)`);
          assert.equal(neg[k], j === wrong[r] ? s : 0, `row ${r} label pixel ${j} (negative)`);
        }
      }
    }
    // Each wrong label follows from its recorded u, as the trace's rule says.
    const neg2 = t.negatives;
    for (let r = 0; r < B; r++) {
      const u = neg2.u[r]!;
      assert.ok(u >= 0 && u < 1);
      if (neg2.mode === 'random') {
        assert.equal(wrong[r], (labels[r]! + 1 + neg2.offset[r]!) % C);
        continue;
      }
      const probs = t.head.probs.data.slice(r * C, (r + 1) * C);
      let target = u * neg2.wrongMass[r]!, pick = -1;
      for (let c = 0; c < C; c++) {
        if (c === labels[r]) continue;
        pick = c;
        target -= probs[c]!;
        if (target < 0) break;
      }
      assert.equal(wrong[r], pick, `row ${r}: wrong label ${wrong[r]} does not follow from u = ${u}`);
      assertClose([neg2.q.data.slice(r * C, (r + 1) * C).reduce((a, b) => a + b, 0)], [1], 1e-6, `row ${r}: q sums to 1`);
    }
  });
}

test('a trace that could exceed the limit is a UserError naming the flags', () => {
  assert.throws(() => traceSupervisedStep({ ...SMALL, layers: [784, 2000, 2000], batchSize: 60 }, data), (e: unknown) =>
    e instanceof UserError && /MB/.test(e.message) && /--layers/.test(e.message) && /--batch-size/.test(e.message));
  assert.throws(() => traceSupervisedStep(SMALL, data, 1e5), UserError);
  assert.throws(() => traceSupervisedStep({ ...SMALL, mode: 'unsupervised' }, data), UserError);
});

test('scripts/inspect.ts writes the trace; a bad flag is one line and exit 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ff-inspect-'));
  try {
    const out = join(dir, 'trace.json');
    const script = join(import.meta.dirname, '..', 'scripts', 'inspect.ts');
    const ok = spawnSync(process.execPath, ['--import', 'tsx', script, '--backend', 'js', '--layers', '784,16,8', '--batch-size', '4', '--seed', '1', '--train-limit', '64', '--test-limit', '1', '--out', out], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const text = readFileSync(out, 'utf8');
    const expected = traceToJson(traceSupervisedStep({ ...SMALL, seed: 1 }, data));
    const at = [...expected].findIndex((ch, i) => ch !== text[i]);
    assert.ok(text === expected, `the CLI's file and traceSupervisedStep differ from character ${at}`);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', script, '--layers', '784,x'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^error: --layers: .*\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
