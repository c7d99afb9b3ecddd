// Random shifts of training images (src/ff/inputs/shift.ts, --shift K): exact shifts of small images with
// dyadic pixels and zero fill, on any rows × cols; the draws are uniform over −K..K, replayable
// from the 'shift' stream, and the same seed gives the same shifts. In a training step: supervised
// FF writes the label pixels after the shift, the unsupervised and recurrent steps train on the
// shifted images, and evaluation never shifts. Resuming with --shift is in test/resume.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { datasetFromArrays } from '../src/data/from-arrays.ts';
import { gatherRows } from '../src/data/batch.ts';
import { makeShifter, shiftBatch, shiftImage } from '../src/ff/inputs/shift.ts';
import type { StepObserver } from '../src/ff/step-observer.ts';
import { createJsMatmul } from '../src/linalg/backend.ts';
import { makeRng } from '../src/rng.ts';
import { buildNetwork, makeStreams, makeTrainer } from '../src/run/train-run.ts';

// A 3×4 image with pixels k/16, k = 1..12, row-major.
const IMG = Float32Array.from({ length: 12 }, (_, k) => (k + 1) / 16);
const shifted = (dx: number, dy: number, img = IMG, rows = 3, cols = 4): number[] => {
  const out = new Float32Array(rows * cols).fill(NaN);
  shiftImage(out, img, { rows, cols }, dx, dy);
  return Array.from(out, (v) => v * 16);
};

test('shiftImage moves the content by (dx, dy) and fills with 0, exactly', () => {
  assert.deepStrictEqual(shifted(0, 0), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  // dx = 1 (right), dy = −1 (up): out[y][x] = in[y + 1][x − 1]
  assert.deepStrictEqual(shifted(1, -1), [0, 5, 6, 7, 0, 9, 10, 11, 0, 0, 0, 0]);
  // dx = −2 (left), dy = 2 (down): out[y][x] = in[y − 2][x + 2]
  assert.deepStrictEqual(shifted(-2, 2), [0, 0, 0, 0, 0, 0, 0, 0, 3, 4, 0, 0]);
  assert.deepStrictEqual(shifted(0, 1), [0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepStrictEqual(shifted(4, 0), new Array(12).fill(0), 'a shift by the whole width leaves nothing');
  // Any size: the same image read as 4 rows × 3 columns.
  assert.deepStrictEqual(shifted(-1, 1, IMG, 4, 3), [0, 0, 0, 2, 3, 0, 5, 6, 0, 8, 9, 0]);
  // An image at an offset of a batch buffer: its neighbours are untouched.
  const batch = new Float32Array(36).fill(7);
  shiftImage(batch.subarray(12), IMG, { rows: 3, cols: 4 }, 1, 0);
  assert.deepStrictEqual(Array.from(batch.subarray(12, 24), (v) => v * 16), [0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11]);
  assert.ok(batch.subarray(0, 12).every((v) => v === 7) && batch.subarray(24).every((v) => v === 7));
});

test('shiftBatch draws dx then dy per image from the stream, uniform over −K..K, and shifts each image by its draw', () => {
  const K = 2, B = 450, rows = 5, cols = 7, P = rows * cols;
  const images = Float32Array.from({ length: B * P }, (_, i) => ((i * 37) % 64) / 64);
  const original = images.slice();
  const dx = new Int32Array(B), dy = new Int32Array(B);
  shiftBatch(makeShifter(K, makeRng(3, 'shift'), P)!, images, B, { rows, cols }, { dx, dy });
  const replay = makeRng(3, 'shift');
  const counts = new Map<string, number>();
  for (let b = 0; b < B; b++) {
    assert.equal(dx[b], replay.int(5) - K, `image ${b}: dx is the stream's next draw`);
    assert.equal(dy[b], replay.int(5) - K, `image ${b}: dy is the stream's next draw`);
    counts.set(`${dx[b]},${dy[b]}`, (counts.get(`${dx[b]},${dy[b]}`) ?? 0) + 1);
    const want = new Float32Array(P);
    shiftImage(want, original.subarray(b * P), { rows, cols }, dx[b]!, dy[b]!);
    assert.deepStrictEqual(images.subarray(b * P, (b + 1) * P), want, `image ${b}`);
  }
  // 25 (dx, dy) pairs, 18 expected each: every one drawn, none more than 3× as often as expected.
  assert.equal(counts.size, 25);
  for (const [pair, n] of counts) assert.ok(n >= 3 && n <= 54, `pair ${pair} drawn ${n} times of ${B}`);
  // The same seed gives the same shifts; another seed does not.
  const again = original.slice(), other = original.slice();
  shiftBatch(makeShifter(K, makeRng(3, 'shift'), P)!, again, B, { rows, cols });
  shiftBatch(makeShifter(K, makeRng(4, 'shift'), P)!, other, B, { rows, cols });
  assert.deepStrictEqual(again, images);
  assert.notDeepStrictEqual(other, images);
  assert.equal(makeShifter(0, undefined, P), null, '--shift 0 is off');
});

// Images of 8 × 6 pixels (not 28 × 28): label y is a bright column 2 + (y mod 4) over a faint texture.
function smallData() {
  const split = (n: number, first: number) => {
    const images = new Float32Array(n * 48), labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = (first + i) % 10;
      for (let p = 0; p < 48; p++) images[i * 48 + p] = p % 6 === 2 + (labels[i]! % 4) ? 1 : ((first + i + p * 5) % 9) / 36;
    }
    return { images, labels };
  };
  return datasetFromArrays({ train: split(40, 0), test: split(20, 100), rows: 8, cols: 6 });
}

const SMALL: Config = { ...DEFAULT_CONFIG, backend: 'js', layers: [48, 12, 8], batchSize: 10, shift: 2, seed: 5 };

test('a training step shifts its images before anything else (supervised: the label pixels are written on the shifted image), on 8×6 images', () => {
  const data = smallData();
  for (const mode of ['supervised', 'unsupervised', 'recurrent'] as const) {
    const cfg: Config = {
      ...SMALL, mode, ...(mode === 'unsupervised' ? { scoredLayers: 'all' as const } : {}),
      ...(mode === 'recurrent' ? { iterations: 2, scoreIterations: [1, 2] as [number, number] } : {}),
    };
    const trainer = makeTrainer(cfg, buildNetwork(cfg, 10), data, createJsMatmul(), makeStreams(cfg.seed));
    const order = Int32Array.from({ length: 40 }, (_, i) => (i * 7) % 40);
    let draws: { dx: number[]; dy: number[]; images: Float32Array } | null = null, ff: Float32Array | null = null, batch: Float32Array | null = null;
    const obs: StepObserver = {
      onBatch: (_i, _l, images) => { batch = images.slice(); },
      onShift: (dx, dy, images) => { draws = { dx: Array.from(dx), dy: Array.from(dy), images: images.slice() }; },
      onRows: (pass, input, rows) => { if (pass === 'ff') ff = input.slice(0, rows * 48); },
    };
    trainer.step({ split: data.train, order, start: 10, B: 10, lr: 0.001, headLr: 0.01, only: null }, obs);
    assert.ok(draws && batch && ff, `${mode}: the step showed its shifts`);
    const d = draws as { dx: number[]; dy: number[]; images: Float32Array };
    const replay = makeRng(cfg.seed, 'shift');
    const gathered = new Float32Array(10 * 48);
    gatherRows(gathered, data.train, order, 10, 10);
    assert.deepStrictEqual(batch, gathered, `${mode}: onBatch shows the images as gathered`);
    for (let b = 0; b < 10; b++) {
      assert.deepEqual([d.dx[b], d.dy[b]], [replay.int(5) - 2, replay.int(5) - 2], `${mode} image ${b}: the draws`);
      const want = new Float32Array(48);
      shiftImage(want, gathered.subarray(b * 48), { rows: 8, cols: 6 }, d.dx[b]!, d.dy[b]!);
      assert.deepStrictEqual(d.images.subarray(b * 48, (b + 1) * 48), want, `${mode} image ${b}: shifted`);
    }
    const rows = ff as unknown as Float32Array;
    if (mode === 'supervised') {
      // Positive row r: the shifted image with pixels 0..9 replaced by the one-hot of its label.
      const labels = Array.from(order.subarray(10, 20), (i) => data.train.labels[i]!);
      for (let r = 0; r < 10; r++) {
        for (let p = 0; p < 48; p++) {
          const want = p < 10 ? (p === labels[r] ? 1 : 0) : d.images[r * 48 + p]!;
          assert.equal(rows[r * 48 + p], want, `positive row ${r} pixel ${p}`);
        }
      }
    } else if (mode === 'unsupervised') {
      assert.deepStrictEqual(rows.subarray(0, 480), d.images, 'the positive rows are the shifted images');
    }
  }
});

test('evaluation never shifts: the same network scores the same with --shift 2 and without', () => {
  const data = smallData();
  for (const mode of ['supervised', 'unsupervised', 'recurrent'] as const) {
    const cfg: Config = { ...SMALL, mode, ...(mode === 'recurrent' ? { iterations: 2, scoreIterations: [1, 2] as [number, number] } : {}) };
    const net = buildNetwork(cfg, 10);
    const score = (c: Config): number[] => {
      const seen: number[] = [];
      const streams = makeStreams(c.seed), before = JSON.stringify(streams.shift.state());
      const trainer = makeTrainer(c, net, data, createJsMatmul(), streams);
      trainer.evaluate(data.test, 20, undefined, {
        labelScores: (_s, n, s) => seen.push(...s.subarray(0, n * 10)), headProbs: (_s, n, p) => seen.push(...p.subarray(0, n * 10)),
      });
      assert.equal(JSON.stringify(streams.shift.state()), before, `${mode}: evaluation drew from the shift stream`);
      return seen;
    };
    assert.deepStrictEqual(score(cfg), score({ ...cfg, shift: 0 }), mode);
  }
});
