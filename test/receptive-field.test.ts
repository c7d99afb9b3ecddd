// Local receptive fields (src/ff/inputs/receptive-field.ts): the masks, exact on small grids (which
// inputs each unit sees, at the edges too); the masked gradient dW = (x̂ᵀ·dZ) ⊙ M against central
// finite differences of the loss of z = x̂·(W ⊙ M) + b in float64 (the library's layer code on
// Float64Array); weights outside the mask stay exactly 0 through real training steps with Adam and
// with smoothed SGD and weight cost; save / load keeps the spec and rebuilds the masks; old models
// (no receptiveField in their config) still load; the spec's mistakes are one-line UserErrors.
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { createJsMatmul } from '../src/linalg/backend.ts';
import { buildNetwork, makeStreams, makeTrainer } from '../src/run/train-run.ts';
import { fieldMask, layerMasks, resolveFields } from '../src/ff/inputs/receptive-field.ts';
import { parseReceptiveField } from '../src/config/receptive-field-spec.ts';
import { layerBackward, layerForward, type LayerActs, type LayerMath, type LayerParams } from '../src/ff/layer/layer.ts';
import { matmulNaive } from '../src/linalg/matmul-naive.ts';
import { makeRng } from '../src/rng.ts';
import { checkConfig, checkConfigAgainstData } from '../src/run/check-config.ts';
import { configFromFlags, parseFlags, TRAIN_FLAGS } from '../apps/cli/flags.ts';
import { encodeModel, MODEL_FORMAT, modelFromSafetensors, networkTensors } from '../src/model/model-format.ts';
import { modelConfig } from '../src/config/stored.ts';
import { decodeSafetensors, encodeSafetensors } from '../src/io/safetensors-bytes.ts';
import { applyPreset } from '../src/config/presets.ts';
import type { Trace } from '../src/trace/schema.ts';
import { traceRun, traceToJson } from '../src/trace/trace.ts';
import { checkSameConfig, type Checkpoint } from '../src/model/checkpoint.ts';
import { assertUserError, centralDifference } from './helpers.ts';

/** The sorted input indices that reach unit j of a (D, H) mask. */
function seenBy(mask: Uint8Array, D: number, H: number, j: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < D; i++) if (mask[i * H + j] === 1) out.push(i);
  return out;
}

test('mask of a 2x2 grid of 3x3 patches over a 4x5 image: each unit sees exactly its patch, edges included', () => {
  // Rows: (4 − 3)/(2 − 1) = stride 1, starts 0, 1. Columns: (5 − 3)/(2 − 1) = stride 2, starts 0, 2.
  // Two channels per location: units 2·loc and 2·loc + 1 see the same patch.
  const [f] = resolveFields(parseReceptiveField('4x5,2x2/3'), [20, 8]);
  assert.deepStrictEqual(f!.rowStarts, [0, 1]);
  assert.deepStrictEqual(f!.colStarts, [0, 2]);
  const mask = new Uint8Array(20 * 8);
  fieldMask(mask, f!);
  const expected = [
    [0, 1, 2, 5, 6, 7, 10, 11, 12], // location (0, 0): rows 0-2, cols 0-2
    [2, 3, 4, 7, 8, 9, 12, 13, 14], // (0, 1): rows 0-2, cols 2-4 (the right edge)
    [5, 6, 7, 10, 11, 12, 15, 16, 17], // (1, 0): rows 1-3 (the bottom edge), cols 0-2
    [7, 8, 9, 12, 13, 14, 17, 18, 19], // (1, 1): the bottom-right corner pixel 19 is seen only here
  ];
  for (let j = 0; j < 8; j++) assert.deepStrictEqual(seenBy(mask, 20, 8, j), expected[j >> 1], `unit ${j}`);
  // With the supervised label pixels (the first 3 inputs) wired to every unit:
  fieldMask(mask, f!, 3);
  for (let j = 0; j < 8; j++) {
    assert.deepStrictEqual(seenBy(mask, 20, 8, j), [...new Set([0, 1, 2, ...expected[j >> 1]!])].sort((a, b) => a - b), `unit ${j} with labels`);
  }
});

test('mask of a layer over a grid of channels: a unit sees every channel of its patch of locations', () => {
  // Layer 1: a 2x2 grid of 2x2 patches over a 4x4 image (stride 2), 2 units per location: 8 units,
  // unit (r, c, k) at index (2r + c)·2 + k. Layer 2: a 2x2 grid of 1x1 patches, 3 units per
  // location: each sees only the location below it, both of its channels.
  const fields = resolveFields(parseReceptiveField('4x4,2x2/2,2x2/1'), [16, 8, 12]);
  const mask = new Uint8Array(8 * 12);
  fieldMask(mask, fields[1]!);
  for (let loc = 0; loc < 4; loc++) {
    for (let k = 0; k < 3; k++) assert.deepStrictEqual(seenBy(mask, 8, 12, loc * 3 + k), [2 * loc, 2 * loc + 1], `location ${loc} channel ${k}`);
  }
  // The paper's net: layer 1 sees 100 pixels per unit (stride 6), layers 2 and 3 four locations below.
  const paper = resolveFields(parseReceptiveField('28x28,4x4/10,3x3/2,2x2/2'), [784, 2048, 1980, 2048]);
  assert.deepStrictEqual(paper.map((f) => [f!.grid.channels, f!.rowStarts, f!.patch]), [
    [128, [0, 6, 12, 18], 10], [220, [0, 1, 2], 2], [512, [0, 1], 2],
  ]);
  const masks = layerMasks('28x28,4x4/10,3x3/2,2x2/2', [784, 2048, 1980, 2048], 0);
  const fanIns = masks.map((m, l) => seenBy(m!, [784, 2048, 1980][l]!, [2048, 1980, 2048][l]!, 0).length);
  assert.deepStrictEqual(fanIns, [100, 4 * 128, 4 * 220]);
  assert.deepStrictEqual(layerMasks('28x28,full', [784, 10], 10), [null], 'full: no mask');
});

test('receptive-field mistakes are one-line UserErrors naming the flag and the cause', () => {
  assertUserError(() => parseReceptiveField('4x4/2'), ['--receptive-field', 'image grid']);
  assertUserError(() => parseReceptiveField('28x28'), ['--receptive-field', 'no hidden layer']);
  assertUserError(() => parseReceptiveField('28x28,4x4x10'), ['--receptive-field', "layer 1's entry '4x4x10'"]);
  assertUserError(() => parseReceptiveField('28x28,4x4/10/0'), ['--receptive-field', 'at least 1']);
  assertUserError(() => resolveFields(parseReceptiveField('28x28,4x4/9'), [784, 160]), ['cannot be spread evenly', 'give a stride']);
  assertUserError(() => resolveFields(parseReceptiveField('28x28,4x4/10/7'), [784, 160]), ['need 31 cells', 'has 28']);
  assertUserError(() => resolveFields(parseReceptiveField('28x28,4x4/29'), [784, 160]), ['a patch of 29 does not fit']);
  assertUserError(() => resolveFields(parseReceptiveField('28x28,4x4/10'), [784, 100]), ['width 100', '16 locations']);
  assertUserError(() => resolveFields(parseReceptiveField('28x28,4x4/10'), [784, 160, 10]), ['1 layer entry', '2 hidden layer(s)']);
  assertUserError(() => resolveFields(parseReceptiveField('27x28,4x4/10'), [784, 160]), ['27x28', 'input width (--layers) is 784']);
  assertUserError(() => resolveFields(parseReceptiveField('28x28,full,2x2/2'), [784, 160, 40]), ['layer 2', 'layer 1 is full']);
  const cfg = (argv: string[]): Config => configFromFlags(parseFlags(argv, TRAIN_FLAGS), TRAIN_FLAGS, { ...DEFAULT_CONFIG });
  assertUserError(() => cfg(['--receptive-field', '28x28;4x4/10']), ['--receptive-field', 'image grid']);
  assertUserError(
    () => checkConfig(cfg(['--mode', 'recurrent', '--receptive-field', '28x28,4x4/10,full'])),
    ['--receptive-field applies to --mode supervised and unsupervised'],
  );
  assertUserError(
    () => checkConfigAgainstData(cfg(['--layers', '784,160', '--receptive-field', '14x56,4x4/2/4']), 784, 28, 28, 100),
    ['image grid is 14x56', '28×28'],
  );
  assert.equal(cfg(['--preset', 'hinton-local', '--receptive-field', 'none']).receptiveField, null, 'none turns a preset\'s fields off');
});

// ---- the gradient: float64, the library's own layer code ----

const mm64 = (c: any, a: any, b: any) => matmulNaive<Float64Array>(c, a, b);

function acts64(N: number, D: number, H: number): LayerActs<Float64Array> {
  return {
    xhat: new Float64Array(N * D), y: new Float64Array(N * H), G: new Float64Array(N), dLdG: new Float64Array(N), dZ: new Float64Array(N * H),
  };
}

for (const peerNorm of [0, 0.3]) {
  test(`masked layer gradient matches finite differences of z = x̂·(W ⊙ M) + b (peer norm ${peerNorm})`, () => {
    // A 3x3 image, a 2x2 grid of 2x2 patches (stride 1), 2 units per location: D = 9, H = 8.
    const N = 6, P = 3, D = 9, H = 8;
    const mask = layerMasks('3x3,2x2/2', [D, H], 0)[0]!;
    const rng = makeRng(5, 'test-lrf');
    const W = new Float64Array(D * H).map((_, i) => (mask[i] ? rng.normal() / 2 : 0));
    const layer: LayerParams<Float64Array> = {
      D, H, W, b: new Float64Array(H).map(() => 0.1 * rng.normal()), dW: new Float64Array(D * H), db: new Float64Array(H),
      peerMean: new Float64Array(H).map(() => rng.uniform()), mask,
    };
    const x = new Float64Array(N * D).map(() => rng.uniform());
    const math: LayerMath = { norm: 'rms', goodness: 'sum', threshold: 1, peerNorm, peerMomentum: 0.9 };
    const acts = acts64(N, D, H);
    layerForward({ math, mm: mm64 }, acts, x, layer, N);
    layerBackward({ math, mm: mm64 }, acts, layer, { N, P });
    const m = layer.peerMean.slice(); // post-update running mean: a constant of the surrogate
    // The objective by its definition: the FF loss of z = x̂·(W ⊙ M) + b (plus, with peer
    // normalisation, the surrogate (λ/N)·Σ_{r<P} Σ_j (m_j − m̄)·z_rj), W taken as it is, any entry.
    const objective = (): number => {
      const masked: LayerParams<Float64Array> = {
        ...layer, W: layer.W.map((w, i) => w * mask[i]!), dW: new Float64Array(D * H), db: new Float64Array(H), peerMean: m.slice(), mask: null,
      };
      const a = acts64(N, D, H);
      layerForward({ math, mm: mm64 }, a, x, masked, N);
      const loss = layerBackward({ math: { ...math, peerNorm: 0 }, mm: mm64 }, a, masked, { N, P });
      if (peerNorm === 0) return loss;
      let mBar = 0;
      for (let j = 0; j < H; j++) mBar += m[j]! / H;
      let peer = 0;
      for (let r = 0; r < P; r++) {
        for (let j = 0; j < H; j++) {
          let z = masked.b[j]!;
          for (let i = 0; i < D; i++) z += a.xhat[r * D + i]! * masked.W[i * H + j]!;
          peer += (m[j]! - mBar) * z;
        }
      }
      return loss + (peerNorm / N) * peer;
    };
    let outside = 0;
    for (const [name, param, grad] of [['W', layer.W, layer.dW], ['b', layer.b, layer.db]] as const) {
      for (let i = 0; i < param.length; i++) {
        const fd = centralDifference(param, i, 1e-6, objective);
        if (name === 'W' && mask[i] === 0) {
          outside++;
          assert.equal(grad[i], 0, `dW[${i}] outside the mask`);
          assert.ok(Math.abs(fd) < 1e-12, `the loss does not depend on W[${i}] outside the mask (fd ${fd})`);
          continue;
        }
        const err = Math.abs(fd - grad[i]!) / Math.max(1e-8, Math.abs(fd) + Math.abs(grad[i]!));
        assert.ok(err < 1e-5 || Math.abs(fd - grad[i]!) < 1e-10, `${name}[${i}]: finite difference ${fd} vs backward ${grad[i]} (rel err ${err})`);
      }
    }
    assert.equal(outside, D * H - 4 * 4 * 2, 'each unit sees 4 of the 9 pixels');
  });
}

// ---- training keeps W zero outside the mask ----

const small = (over: Partial<Config>): Config => ({
  ...DEFAULT_CONFIG, layers: [784, 32, 8], receptiveField: '28x28,4x4/10/6,2x2/3', batchSize: 20, backend: 'js', threads: 1, ...over,
});

const MASK_CASES = [
  ['supervised', 'adam', true], ['supervised', 'sgd', false], ['unsupervised', 'adam', true], ['unsupervised', 'sgd', true],
] as const;
for (const [mode, optimizer, shortcuts] of MASK_CASES) {
  const path = mode === 'supervised' ? (shortcuts ? ', shared first layer' : ', plain step') : '';
  test(`weights outside the mask stay exactly 0 through training steps: ${mode}, ${optimizer}${path}`, () => {
    const cfg = small({ mode, optimizer, shortcuts, weightCost: 0.01, peerNorm: 0.03, lr: 0.01 });
    const data = loadDataset({ trainLimit: 60, testLimit: 20 });
    checkConfig(cfg);
    checkConfigAgainstData(cfg, 784, data.train.rows, data.train.cols, 60);
    const net = buildNetwork(cfg, data.classes);
    const masks = net.layers.map((l) => l.mask!);
    assert.ok(masks.every((m) => m instanceof Uint8Array), 'every layer is local');
    const before = net.layers.map((l) => Float32Array.from(l.W));
    for (const [l, layer] of net.layers.entries()) {
      for (let i = 0; i < layer.W.length; i++) if (masks[l]![i] === 0) assert.equal(layer.W[i], 0, `initial W${l + 1}[${i}]`);
    }
    const trainer = makeTrainer(cfg, net, data, createJsMatmul(), makeStreams(cfg.seed));
    const order = Int32Array.from({ length: 60 }, (_, i) => i);
    for (let s = 0; s < 3; s++) trainer.step({ split: data.train, order, start: 20 * s, B: 20, lr: cfg.lr, headLr: cfg.headLr, only: null });
    for (const [l, layer] of net.layers.entries()) {
      let inside = 0, moved = 0;
      for (let i = 0; i < layer.W.length; i++) {
        if (masks[l]![i] === 0) assert.ok(Object.is(layer.W[i], 0), `W${l + 1}[${i}] outside the mask is ${layer.W[i]}`);
        else {
          inside++;
          if (layer.W[i] !== before[l]![i]) moved++;
        }
      }
      assert.ok(moved > inside / 2, `layer ${l + 1}: ${moved} of ${inside} weights inside the mask moved`);
    }
    if (mode === 'supervised') {
      // The label pixels (inputs 0..9) reach every unit of layer 1, and those weights learn.
      const { H } = net.layers[0]!;
      for (let c = 0; c < 10; c++) for (let j = 0; j < H; j++) assert.equal(masks[0]![c * H + j], 1);
      assert.ok(net.layers[0]!.W.subarray(0, 10 * H).some((w, i) => w !== before[0]![i]), 'the label weights moved');
    }
  });
}

// ---- save / load ----

test('a model with local fields round-trips: the spec is stored in its config, the masks are rebuilt, no mask tensor', () => {
  const cfg = small({ mode: 'supervised' });
  const data = loadDataset({ trainLimit: 40, testLimit: 20 });
  const net = buildNetwork(cfg, data.classes);
  const trainer = makeTrainer(cfg, net, data, createJsMatmul(), makeStreams(cfg.seed));
  const order = Int32Array.from({ length: 40 }, (_, i) => i);
  trainer.step({ split: data.train, order, start: 0, B: 20, lr: cfg.lr, headLr: cfg.headLr, only: null });
  const file = decodeSafetensors(encodeModel(net, cfg), 'm.safetensors');
  const names = ['head.bias', 'head.weight', 'layer1.bias', 'layer1.weight', 'layer2.bias', 'layer2.weight'];
  assert.deepStrictEqual([...file.tensors.keys()].sort(), names);
  const stored = modelFromSafetensors(file);
  assert.equal(stored.cfg.receptiveField, '28x28,4x4/10/6,2x2/3');
  const loaded = buildNetwork(stored.cfg, data.classes);
  stored.fill(loaded);
  for (const [l, layer] of loaded.layers.entries()) {
    assert.deepStrictEqual(layer.mask, net.layers[l]!.mask, `mask ${l + 1} rebuilt`);
    assert.deepStrictEqual(layer.W, net.layers[l]!.W, `W${l + 1}`);
  }
  const again = makeTrainer(stored.cfg, loaded, data, createJsMatmul(), makeStreams(cfg.seed));
  assert.deepStrictEqual(again.evaluate(data.test, 20), trainer.evaluate(data.test, 20), 'the same errors after loading');
});

test('a model saved before receptiveField existed still loads, dense', () => {
  const cfg: Config = { ...DEFAULT_CONFIG, layers: [784, 16, 8] };
  const net = buildNetwork(cfg, 10);
  const { receptiveField: _dropped, ...old } = modelConfig(cfg);
  const bytes = encodeSafetensors(networkTensors(net), { format: MODEL_FORMAT, config: JSON.stringify(old), scored: '1,2' });
  const stored = modelFromSafetensors(decodeSafetensors(bytes, 'old.safetensors'));
  assert.equal(stored.cfg.receptiveField, null);
  const loaded = buildNetwork(stored.cfg, 10);
  stored.fill(loaded);
  assert.ok(loaded.layers.every((l) => l.mask === undefined), 'dense layers carry no mask');
  assert.deepStrictEqual(loaded.layers[0]!.W, net.layers[0]!.W);
});

test('the hinton-local preset is the paper\'s grid: 4x4x128, 3x3x220, 2x2x512, valid as it stands', () => {
  const cfg = applyPreset({ ...DEFAULT_CONFIG }, 'hinton-local');
  checkConfig(cfg);
  checkConfigAgainstData(cfg, 784, 28, 28, 60000);
  assert.deepStrictEqual(cfg.layers, [784, 4 * 4 * 128, 3 * 3 * 220, 2 * 2 * 512]);
  assert.equal(cfg.mode, 'unsupervised');
  assert.equal(cfg.epochs, 60);
  assert.ok(cfg.peerNorm > 0, 'peer normalisation, as the paper says');
});

test('the trace shows each local layer\'s mask, and its dW and W are 0 wherever the mask is', () => {
  const cfg = small({ mode: 'supervised', batchSize: 4, trainLimit: 16, testLimit: 4 });
  const t = JSON.parse(traceToJson(traceRun(cfg, loadDataset({ trainLimit: 16, testLimit: 4 }), { step: 2, evalImages: 0 }))) as Trace;
  const masks = layerMasks(cfg.receptiveField, cfg.layers, 10);
  for (const [l, e] of t.layers.entries()) {
    assert.deepStrictEqual(e.mask!.shape, [cfg.layers[l], cfg.layers[l + 1]]);
    assert.deepStrictEqual(e.mask!.data, Array.from(masks[l]!), `layer ${l + 1}'s mask`);
    const dW = e.optimizer!.grads.dW.data, W = e.after.W.data;
    assert.ok(e.mask!.data.every((m, i) => m === 1 || (dW[i] === 0 && W[i] === 0)), `layer ${l + 1}: dW and W are 0 outside the mask`);
    assert.ok(dW.some((g) => g !== 0), `layer ${l + 1} has a gradient`);
  }
});

test('a checkpoint written before receptiveField existed resumes a dense run, and refuses a local one', () => {
  const cfg: Config = { ...DEFAULT_CONFIG, layers: [784, 160, 8] };
  const { receptiveField: _dropped, ...old } = modelConfig(cfg);
  const ck = { where: 'ck', config: old as Record<string, unknown> } as Checkpoint;
  checkSameConfig(ck, cfg);
  assertUserError(
    () => checkSameConfig(ck, { ...cfg, receptiveField: '28x28,4x4/10,full' }), ['--receptive-field (absent)', "this run has \"28x28,4x4/10,full\""],
  );
});

test('train.ts: a spec that does not fit is one line on stderr and exit code 2', () => {
  const argv = ['--import', 'tsx', 'scripts/train.ts', '--receptive-field', '28x28,4x4/10'];
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 2, `exit ${r.status}, stderr ${r.stderr}`);
  assert.match(r.stderr, /^error: --receptive-field: 1 layer entry after the image grid, but --layers has 2 hidden layer\(s\)\n$/);
});
