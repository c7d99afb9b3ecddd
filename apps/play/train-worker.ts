/// <reference lib="dom" />
// The playground's training worker: everything FF in the browser runs here, off the page's thread,
// through the library's own code (api.ts): the config from train.ts's flags (parseFlags, configFromFlags), the
// MNIST files fetched from the server and decoded by the same IDX parser, trainRunYielding on the
// wasm kernel over Web Workers, evaluate() with an observer for the drawn digit, and the model
// file's bytes (encodeModel / modelFromSafetensors). Between two steps it reads its messages, so
// pause, resume and drawing work during a run. State lives in one object made at start.
import {
  buildNetwork, checkConfig, checkConfigAgainstData, configFromFlags, datasetFromIdx, decodeSafetensors, DEFAULT_CONFIG,
  encodeModel, fnv1a, IDX_NAMES, makeTrainer, modelFromSafetensors, parseIdx, receptiveFieldTiles, signedTilesRgb,
  addEpoch, fieldRows, inPage, newRunRecord, parseFlags, stepCounts, strongestUnits, trainRunYielding, TRAIN_FLAGS, UserError,
  type Config, type Dataset, type MatmulBackend, type Network, type RunRecord, type Split, type Trainer,
} from './api.ts';
import type { Fields, FromWorker, RunSpec, ToWorker } from './messages.ts';
import { recordStep } from './step-observer.ts';
import { createWebWasmMatmul } from './web-threads.ts';

/** Test images measured after every epoch (the final test error uses all of --test-limit). */
const EPOCH_TEST_IMAGES = 1000;
/** Receptive fields shown. */
const FIELDS_SHOWN = 32;
/** Longest stretch of training, in ms, before the worker reads its messages. */
const TURN_MS = 30;

interface Idx { train: { images: Uint8Array; labels: Uint8Array }; test: { images: Uint8Array; labels: Uint8Array }; source: string }

const scope = self as unknown as {
  postMessage(m: FromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};
const post = (m: FromWorker, transfer?: Transferable[]): void => scope.postMessage(m, transfer);

const state = {
  idx: null as Idx | null,
  backend: null as MatmulBackend | null,
  threads: 0,
  cfg: null as Config | null,
  data: null as Dataset | null,
  net: null as Network | null,
  predictor: null as Trainer | null, // its own workspace: predicting never touches the training's buffers
  record: null as RunRecord | null,
  training: false,
  paused: false,
  resume: null as (() => void) | null,
};

async function fetchBytes(name: string): Promise<Uint8Array> {
  const res = await fetch(`mnist/${name}`);
  if (!res.ok) throw new Error(`mnist/${name}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The four MNIST files, fetched once and decoded by the library's IDX parser. */
async function mnist(): Promise<Idx> {
  if (state.idx) return state.idx;
  post({ type: 'status', text: 'fetching MNIST…' });
  const info = (await (await fetch('play.json')).json()) as { source: string };
  const [ti, tl, si, sl] = await Promise.all(
    [IDX_NAMES.trainImages, IDX_NAMES.trainLabels, IDX_NAMES.testImages, IDX_NAMES.testLabels].map(fetchBytes),
  );
  state.idx = {
    train: { images: ti!, labels: tl! }, test: { images: si!, labels: sl! }, source: info.source,
  };
  return state.idx;
}

function dataset(idx: Idx, cfg: Config): Dataset {
  const pair = (p: { images: Uint8Array; labels: Uint8Array }, im: string, lb: string) => ({
    images: parseIdx(p.images, 3, im), labels: parseIdx(p.labels, 1, lb), imagesName: im, labelsName: lb,
  });
  const data = datasetFromIdx(
    pair(idx.train, IDX_NAMES.trainImages, IDX_NAMES.trainLabels), pair(idx.test, IDX_NAMES.testImages, IDX_NAMES.testLabels),
    { validation: cfg.validation, trainLimit: cfg.trainLimit ?? undefined, testLimit: cfg.testLimit ?? undefined }, idx.source,
  );
  checkConfigAgainstData(cfg, data.train.pixels, data.train.rows, data.train.cols, data.train.count);
  return data;
}

async function backendFor(threads: number): Promise<MatmulBackend> {
  if (state.backend && state.threads === threads) return state.backend;
  state.backend?.close();
  state.backend = null;
  state.backend = await createWebWasmMatmul(threads, 'matmul-worker.js');
  state.threads = threads;
  return state.backend;
}

function fields(cfg: Config, net: Network, data: Dataset): Fields {
  const first = net.layers[0]!, { rows, cols, pixels: P } = data.train;
  const blank = cfg.mode === 'supervised' ? data.classes : 0;
  const units = strongestUnits(first.W, first.H, blank, P, FIELDS_SHOWN);
  const px = signedTilesRgb(receptiveFieldTiles(first.W, first.H, units, 0, rows, cols, blank), rows, cols, 8);
  return { ...px, units };
}

/** train.ts flags that have no meaning in a page (the table of fields says which: files, terminal output, the machine's threads and backend). */
const TERMINAL_ONLY = new Set(['help', ...fieldRows().filter(([, f]) => f.flag !== null && !inPage(f)).map(([, f]) => f.flag!)]);

/**
 * The run's config: the page's boxes, then the "more flags" box parsed by train.ts's own parser.
 * A flag of the more box that a box above already sets, or that only a terminal run can honour,
 * is a UserError naming it.
 */
function runConfig(run: RunSpec, threads: number): Config {
  const more = parseFlags(run.more.split(/\s+/).filter(Boolean), TRAIN_FLAGS);
  for (const name of Object.keys(more)) {
    if (TERMINAL_ONLY.has(name)) throw new UserError(`more flags: --${name} is for train.ts in a terminal, not the playground`);
    if (name in run.flags) throw new UserError(`more flags: --${name} has its own box above`);
  }
  const cfg = configFromFlags({ ...run.flags, ...more, threads: String(threads) }, TRAIN_FLAGS, { ...DEFAULT_CONFIG });
  checkConfig(cfg);
  return cfg;
}

/** Between two steps: read messages every TURN_MS, and wait while paused. */
function makeTurn(): () => Promise<void> {
  const channel = new MessageChannel();
  let last = performance.now();
  const yieldOnce = (): Promise<void> => new Promise<void>((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });
  return async () => {
    if (performance.now() - last < TURN_MS && !state.paused) return;
    await yieldOnce();
    while (state.paused) await new Promise<void>((resolve) => { state.resume = resolve; });
    last = performance.now();
  };
}

async function train(run: RunSpec, threads: number): Promise<void> {
  if (state.training) throw new UserError('a run is already training: pause it or wait for it to end');
  const cfg = runConfig(run, threads);
  const idx = await mnist();
  const data = dataset(idx, cfg);
  const backend = await backendFor(threads);
  const { perEpoch, epochs: epochsTotal } = stepCounts(cfg, data.train.count);
  state.training = true;
  state.paused = false;
  post({
    type: 'started', cfg, threads, backend: backend.name, trainCount: data.train.count, testCount: data.test.count,
    stepsPerEpoch: perEpoch, epochsTotal,
  });
  // The record as train.ts builds it, so the saved file is the same.
  const record = newRunRecord(data.source, data.train.count, data.test.count);
  let epoch = 1, predictor: Trainer | null = null;
  const t0 = performance.now(), jobs0 = backend.workerJobs?.() ?? 0;
  try {
    const result = await trainRunYielding(cfg, data, backend, {
      onStep: (done, total) => {
        const secs = record.trainSeconds ?? 0;
        post({ type: 'progress', epoch, done, total, examplesPerSecond: secs > 0 ? (record.epochs.length * total) / secs : 0 });
      },
      onEpoch: (r, trainer) => {
        addEpoch(record, r, perEpoch * cfg.batchSize);
        if (!predictor) {
          predictor = makeTrainer(cfg, trainer.net, data, backend);
          Object.assign(state, { cfg, data, net: trainer.net, predictor, record });
        }
        const n = Math.min(EPOCH_TEST_IMAGES, data.test.count);
        post({ type: 'epoch', report: r, testError: predictor.evaluate(data.test, n), testImages: n, fields: fields(cfg, trainer.net, data) });
        epoch = r.epoch + 1;
      },
    }, undefined, makeTurn());
    const seconds = (performance.now() - t0) / 1000;
    Object.assign(record, { test: result.test, seconds, trainSeconds: result.trainSeconds, examplesPerSecond: result.examplesPerSecond });
    Object.assign(state, { cfg, data, net: result.net, predictor: predictor ?? makeTrainer(cfg, result.net, data, backend), record });
    post({
      type: 'done', test: result.test, testImages: data.test.count, examplesPerSecond: result.examplesPerSecond, seconds,
      threads: backend.threads, workerJobs: (backend.workerJobs?.() ?? 0) - jobs0,
      fields: fields(cfg, result.net, data),
    });
  } finally {
    state.training = false;
    state.paused = false;
  }
}

/** Goodness of every label in every layer, and the head's probabilities, for one drawn image. */
function predict(pixels: Uint8Array): void {
  const { predictor, data } = state;
  if (!predictor || !data) throw new UserError('no model yet: train one or load one first');
  const P = data.train.pixels;
  if (pixels.length !== P) throw new UserError(`the drawing has ${pixels.length} pixels, the model reads ${P}`);
  const split: Split = { images: pixels, labels: new Uint8Array(1), count: 1, rows: data.train.rows, cols: data.train.cols, pixels: P };
  let perLayer: number[][] | null = null, probs: number[] | null = null, scores: number[] | null = null;
  predictor.evaluate(split, 1, undefined, {
    // n = 1 image: scores and probabilities are (1, C), layer l's goodness of label c is at [c].
    labelScores: (_start, n, s, layers) => {
      scores = [...s.subarray(0, n * data.classes)];
      perLayer = layers.map((g) => [...g.subarray(0, n * data.classes)]);
    },
    headProbs: (_start, n, p) => { probs = [...p.subarray(0, n * data.classes)]; },
  });
  const best = (v: number[] | null): number | null => (v ? v.indexOf(Math.max(...v)) : null);
  post({ type: 'prediction', perLayer, probs, scores, prediction: best(scores) ?? best(probs) });
}

function save(): void {
  const { net, cfg, record } = state;
  if (!net || !cfg) throw new UserError('no model yet: train one or load one first');
  const bytes = encodeModel(net, cfg, record ?? undefined);
  const name = `ff-${cfg.mode}-${cfg.layers.join('-')}-seed${cfg.seed}.safetensors`;
  post({ type: 'model', bytes, checksum: fnv1a([bytes]), name }, [bytes.buffer]);
}

async function load(bytes: Uint8Array, name: string): Promise<void> {
  if (state.training) throw new UserError('a run is training: wait for it to end before loading a model');
  const model = modelFromSafetensors(decodeSafetensors(bytes, name));
  const cfg = model.cfg;
  const data = dataset(await mnist(), { ...cfg, validation: 0 });
  const net = buildNetwork(cfg, data.classes);
  model.fill(net);
  const backend = await backendFor(state.threads || 1);
  Object.assign(state, { cfg, data, net, predictor: makeTrainer(cfg, net, data, backend), record: model.record });
  post({ type: 'loaded', cfg, record: model.record, name, checksum: fnv1a([bytes]), fields: fields(cfg, net, data) });
}

/** Step `step` of the run the flags describe, through the step's observer (step-observer.ts), for image `row` of its batch. */
async function stepThrough(run: RunSpec, threads: number, step: number, row: number): Promise<void> {
  if (state.training) throw new UserError('a run is training: pause is not enough, wait for it to end before stepping through');
  const cfg = runConfig(run, threads);
  const data = dataset(await mnist(), cfg);
  if (!Number.isInteger(row) || row < 0 || row >= cfg.batchSize) {
    throw new UserError(`image in the batch: expected 0 to ${cfg.batchSize - 1}, got ${row}`);
  }
  const record = recordStep(cfg, data, await backendFor(threads), step, row);
  post({ type: 'step', record });
}

const fail = (err: unknown, about?: 'step'): void => {
  const message = err instanceof UserError ? `error: ${err.message}` : `error: ${err instanceof Error ? err.message : String(err)}`;
  post({ type: 'error', message, ...(about ? { about } : {}) });
};

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  try {
    switch (m.type) {
      case 'train': train(m.run, m.threads).catch(fail); break;
      case 'pause': state.paused = state.training; post({ type: 'paused', paused: state.paused }); break;
      case 'resume': state.paused = false; state.resume?.(); state.resume = null; post({ type: 'paused', paused: false }); break;
      case 'predict': predict(m.pixels); break;
      case 'save': save(); break;
      case 'load': load(m.bytes, m.name).catch(fail); break;
      case 'step': stepThrough(m.run, m.threads, m.step, m.row).catch((err) => fail(err, 'step')); break;
    }
  } catch (err) {
    fail(err);
  }
};
