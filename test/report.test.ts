// The report's numbers and its command line, without a browser (report-browser.test.ts opens the
// pages): the held-out analysis agrees with the trainer's own evaluation (confusion matrices give
// evaluate()'s errors, the per-layer errors agree with scoring one layer by hand), histograms are
// fractions that sum to 1, the run record travels in the saved model, --report changes no bit of
// training, and bad paths or models are one-line errors with exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { createJsMatmul } from '../src/linalg/backend.ts';
import { loadModelFile, saveNetwork } from '../src/model/model-io.ts';
import { errorsFromConfusion, histogram, makeHeldOutCollector, thresholdsOf } from '../apps/report/analysis.ts';
import { analyseHeldOut } from '../apps/report/build.ts';
import { buildNetwork, makeTrainer, trainRun } from '../src/run/train-run.ts';
import { tempDir, writeFixtureDataset } from './idx-fixtures.ts';

function run(script: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join('scripts', script), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function oneLineError(r: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code ${r.code}, stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.match(lines[0]!, pattern);
}

test('histogram: fractions of each kind sum to 1, θ lies in the range, out-of-range samples go to the end bins', () => {
  const h = histogram(1, 4, [1, 2, 3, 100], [0, 0.5], 8);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(sum(h.pos) - 1) < 1e-12 && Math.abs(sum(h.neg) - 1) < 1e-12);
  assert.equal(h.edges.length, 9);
  assert.ok(h.edges[0]! <= 0 && h.edges[8]! >= 4);
  assert.equal(h.pos[7], 0.25, 'the outlier 100 lands in the last bin');
  assert.equal(h.posMean, 26.5);
  assert.equal(h.negMean, 0.25);
});

test('the collector: confusion counts, wrong cases by margin, per-layer errors, from a hand-fed observer', () => {
  // Two images with labels 0 and 1 (C = 2, one layer): image 0 scored right, image 1 wrong.
  const split = { labels: Uint8Array.of(0, 1) } as never;
  const c = makeHeldOutCollector(split, 2, 1, [2]);
  const scores = Float32Array.of(5, 1, /* image 1: */ 4, 3);
  const layer = Float32Array.of(5, 4, /* label 1: */ 1, 3); // [c·n + r]
  c.observer.labelScores!(0, 2, scores, [layer]);
  c.observer.headProbs!(0, 2, Float32Array.of(0.75, 0.25, 0.25, 0.75));
  const a = c.finish();
  assert.deepEqual(a.confusion.goodness, [[1, 0], [1, 0]]);
  assert.deepEqual(a.confusion.softmax, [[1, 0], [0, 1]]);
  assert.deepEqual(a.layerErrors, [0.5]);
  assert.deepEqual(a.wrong.map((w) => [w.index, w.label, w.predicted, w.margin, w.method]), [[1, 1, 0, 1, 'goodness']]);
  assert.deepEqual(errorsFromConfusion(a), { goodness: 0.5, softmax: 0 });
  const h = a.histograms![0]!;
  assert.equal(h.posMean, (5 + 3) / 2);
  assert.equal(h.negMean, (1 + 4) / 2);
});

test('the held-out analysis gives evaluate()\'s errors and the per-layer errors of scoring each layer alone', () => {
  const { dir, cleanup } = tempDir('report-analysis');
  try {
    writeFixtureDataset(dir, { trainCount: 200, testCount: 60, rows: 6, cols: 6, gzip: false });
    const data = loadDataset({ dataDir: dir });
    for (const mode of ['supervised', 'unsupervised', 'recurrent'] as const) {
      const cfg: Config = {
        ...DEFAULT_CONFIG, mode, layers: [36, 12, 8], epochs: 1, batchSize: 20, backend: 'js', threads: 1, iterations: 4, scoreIterations: [2, 3],
        quiet: true,
      };
      const backend = createJsMatmul();
      const { net } = trainRun(cfg, data, backend);
      const trainer = makeTrainer(cfg, net, data, backend);
      const errors = trainer.evaluate(data.test, data.test.count);
      const ctx = {
        cfg, net, trainer, data, mm: backend.matmul,
        record: { source: '', trainCount: 0, testCount: 0, epochs: [], test: null, seconds: null, trainSeconds: 0, examplesPerSecond: 0 },
        epochsTotal: 1,
      };
      const a = analyseHeldOut(ctx, data.test, data.test.count);
      assert.deepEqual(errorsFromConfusion(a), errors, `${mode}: the confusion matrices hold evaluate()'s errors`);
      assert.equal(a.count, 60);
      assert.equal(a.histograms?.length, 2, `${mode}: a histogram per layer`);
      if (mode === 'unsupervised') {
        assert.equal(a.layerErrors, null);
        continue;
      }
      // Scoring only layer l must give the analysis's error of layer l alone.
      for (let l = 0; l < 2; l++) {
        const alone = makeTrainer({ ...cfg, scoredLayers: [l + 1] }, { ...net, scored: [l] }, data, backend)
          .evaluate(data.test, data.test.count, ['goodness']);
        assert.equal(a.layerErrors![l], alone.goodness, `${mode}: layer ${l + 1} alone`);
      }
      assert.deepEqual(thresholdsOf(cfg), [12, 8]);
    }
  } finally {
    cleanup();
  }
});

test('--report changes no bit of training, and the saved model carries the run record the report drew', () => {
  const { dir, cleanup } = tempDir('report-cli');
  try {
    writeFixtureDataset(dir, { trainCount: 120, testCount: 40, rows: 5, cols: 5, gzip: false });
    const base = ['--data-dir', dir, '--test-limit', '40', '--layers', '25,8,6', '--epochs', '2', '--batch-size', '20', '--quiet', '--threads', '1'];
    const a = run('train.ts', [...base, '--save', join(dir, 'a.safetensors')]);
    const b = run('train.ts', [...base, '--save', join(dir, 'b.safetensors'), '--report', join(dir, 'rep')]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const ma = loadModelFile(join(dir, 'a.safetensors')), mb = loadModelFile(join(dir, 'b.safetensors'));
    assert.deepEqual(ma.cfg, mb.cfg);
    // Same weights: the files differ only in the history's timings, so compare the tensors.
    const net = (m: typeof ma): Float32Array[] => {
      const out: Float32Array[] = [];
      const fake = {
        layers: [{ D: 25, H: 8, W: new Float32Array(200), b: new Float32Array(8) }, { D: 8, H: 6, W: new Float32Array(48), b: new Float32Array(6) }],
        head: { F: 14, C: 10, W: new Float32Array(140), b: new Float32Array(10) },
      };
      m.fill(fake as never);
      fake.layers.forEach((l) => out.push(l.W, l.b));
      out.push(fake.head.W, fake.head.b);
      return out;
    };
    assert.deepEqual(net(ma), net(mb));
    assert.ok(existsSync(join(dir, 'rep', 'index.html')));
    assert.match(b.stdout, /report .*index\.html \(\d+\.\d\d MB\)/);
    const rec = mb.record!;
    assert.equal(rec.epochs.length, 2);
    assert.equal(rec.testCount, 40);
    assert.ok(rec.test !== null && rec.test.goodness !== null);
    assert.match(b.stdout, new RegExp(`goodness ${(100 * rec.test.goodness).toFixed(2)}%`), 'the record holds the printed test error');

    // report.ts rebuilds the page from the file; the curves come from the stored record.
    const r = run('report.ts', ['--model', join(dir, 'b.safetensors'), '--out', join(dir, 'rep2'), '--data-dir', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /2 epochs of history/);
    const html = readFileSync(join(dir, 'rep2', 'index.html'), 'utf8');
    for (const id of ['run', 'curves', 'histograms', 'fields', 'trained-on', 'confusion', 'wrong', 'layers']) {
      assert.match(html, new RegExp(`<section id="${id}">`));
    }
    assert.match(html, /"id":"chart-loss"/);
    assert.doesNotMatch(html, /<script src=|<link /, 'nothing is loaded from elsewhere');
  } finally {
    cleanup();
  }
});

test('the curves leave a gap, not a 0, where an epoch trained no layer (a readout) or another layer (greedy)', () => {
  const { dir, cleanup } = tempDir('report-gaps');
  try {
    const small = ['--layers', '784,12,10', '--epochs', '2', '--train-limit', '200', '--test-limit', '40', '--quiet'];
    const charts = (args: string[], out: string): Record<string, (number | null)[][]> => {
      const r = run('train.ts', [...small, ...args, '--report', join(dir, out)]);
      assert.equal(r.code, 0, r.stderr);
      const html = readFileSync(join(dir, out, 'index.html'), 'utf8');
      const data = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!;
      const specs = (JSON.parse(data) as { charts: { id: string; series: { values: (number | null)[] }[] }[] }).charts;
      return Object.fromEntries(specs.map((c) => [c.id, c.series.map((s) => s.values)]));
    };
    const readout = charts(['--mode', 'unsupervised', '--layers', '784,12,10,8', '--readout-epochs', '1'], 'readout');
    for (const id of ['chart-loss', 'chart-pairerr']) {
      for (const values of readout[id]!) {
        assert.deepEqual(values.map((v) => v === null), [false, false, true], `${id}: epochs 1-2 train the layers, epoch 3 the head alone`);
      }
    }
    assert.ok(readout['chart-head']![0]!.every((v) => v !== null), 'the head trains in every epoch');
    const greedy = charts(['--greedy'], 'greedy');
    assert.deepEqual(greedy['chart-loss']!.map((values) => values.map((v) => v === null)), [[false, false, true, true], [true, true, false, false]],
      'greedy: layer 1 in epochs 1-2, layer 2 in epochs 3-4');
  } finally {
    cleanup();
  }
});

test('bad report paths and models are one-line errors with exit code 2, before any training', () => {
  const { dir, cleanup } = tempDir('report-bad');
  try {
    oneLineError(run('train.ts', ['--report', 'README.md/r']), /^error: --report README\.md\/r: cannot create the folder/);
    writeFileSync(join(dir, 'bad.safetensors'), 'not a model at all');
    oneLineError(run('report.ts', ['--model', join(dir, 'bad.safetensors'), '--out', join(dir, 'o')]),
      /^error: .*bad\.safetensors: not a safetensors file/);
    oneLineError(run('report.ts', ['--out', join(dir, 'o')]), /^error: --model PATH is required/);
    oneLineError(run('report.ts', ['--model', join(dir, 'missing.safetensors'), '--out', join(dir, 'o')]),
      /^error: .*missing\.safetensors: cannot read file/);
    oneLineError(run('report.ts', ['--model', join(dir, 'bad.safetensors'), '--out', join(dir, 'o'), '--curves-png', join(dir, 'c.jpg')]),
      /^error: --curves-png expects a file name ending in \.png, got '.*c\.jpg'/);
    const bare: Config = { ...DEFAULT_CONFIG, layers: [784, 6, 4] };
    saveNetwork(join(dir, 'bare.safetensors'), buildNetwork(bare, 10), bare);
    oneLineError(run('report.ts', ['--model', join(dir, 'bare.safetensors'), '--out', join(dir, 'o'), '--curves-png', join(dir, 'c.png')]),
      /^error: --curves-png: .*bare\.safetensors was saved without a run record/);
    assert.ok(!existsSync(join(dir, 'c.png')), 'no picture from a model without curves');
    assert.ok(!existsSync(join(dir, 'o', 'index.html')), 'no report from a bad model');
  } finally {
    cleanup();
  }
});

test('a long run can be watched: the report is on disk after the first epoch, saying how far the run is', async () => {
  const { dir, cleanup } = tempDir('report-watch');
  writeFixtureDataset(dir, { trainCount: 120, testCount: 40, rows: 5, cols: 5, gzip: false });
  const child = spawn(process.execPath, ['--import', 'tsx', join('scripts', 'train.ts'), '--data-dir', dir, '--layers', '25,8,6', '--epochs', '500',
    '--batch-size', '20', '--quiet', '--threads', '1', '--report', join(dir, 'rep')], { stdio: 'ignore' });
  try {
    const page = join(dir, 'rep', 'index.html');
    const t0 = performance.now();
    while (!existsSync(page) && performance.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(page), 'no report 30 s after the start');
    assert.match(readFileSync(page, 'utf8'), /training: \d+ of 500 epochs done \(reload to update\)/);
    assert.equal(child.exitCode, null, 'the run is still going');
  } finally {
    child.kill('SIGKILL');
    cleanup();
  }
});
