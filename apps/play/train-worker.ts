/// <reference lib="dom" />
// The playground's training worker: everything FF in the browser runs here, off the page's thread,
// through the library's own code (api.ts): the config from train.ts's flags (parseFlags, configFromFlags), the
// MNIST files fetched from the server and decoded by the same IDX parser, trainRunYielding on the
// wasm kernel over Web Workers, evaluate() with an observer for the drawn digit, and the model
// file's bytes (encodeModel / modelFromSafetensors). The live run (one at a time; a new one
// replaces it) feeds the Learn view: every step's statistics, and every VIEW_MS a view of the step
// through its observer (live-view.ts). Between two steps it reads its messages, so pause, one step,
// reset and drawing work during a run. State lives in one object made at start.
import {
  buildNetwork, checkConfig, checkConfigAgainstData, configFromFlags, datasetFromIdx, decodeSafetensors, DEFAULT_CONFIG,
  encodeModel, fnv1a, IDX_NAMES, makeTrainer, modelFromSafetensors, parseIdx, receptiveFieldTiles, signedTilesRgb,
  addEpoch, fieldRows, inPage, newRunRecord, parseFlags, stepCounts, strongestUnits, trainRunYielding, TRAIN_FLAGS, UserError,
  type Config, type Dataset, type MatmulBackend, type Network, type RunRecord, type Split, type Trainer,
} from './api.ts';
import { makeLiveViews, type LiveViews } from './live-view.ts';
import type { Fields, FromWorker, RunSpec, StepPoint, ToWorker } from './messages.ts';
import { recordStep } from './step-observer.ts';
import { createWebWasmMatmul } from './web-threads.ts';

/** The running test error's fixed sample: the first TEST_SAMPLE test images, measured every TEST_MS while training. */
const TEST_SAMPLE = 300;
const TEST_MS = 3000;
/** The live views: a step observed at most every VIEW_MS; the curves' points sent every POINTS_MS. */
const VIEW_MS = 300;
const POINTS_MS = 100;
/** Receptive fields shown. */
const FIELDS_SHOWN = 32;
/** Longest stretch of training, in ms, before the worker reads its messages. */
const TURN_MS = 30;

interface Idx { train: { images: Uint8Array; labels: Uint8Array }; test: { images: Uint8Array; labels: Uint8Array }; source: string }

const scope = self as unknown as {
  postMessage(m: FromWorker, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
};
const post = (m: FromWorker, transfer?: Transferable[]): void => scope.postMessage(m, transfer);

/** The run that trains: how the page steers it (pause, one step, stop), and what the views need. */
interface Live {
  stop: boolean;
  paused: boolean;
  resume: (() => void) | null;
  stepsLeft: number | null; // a single step asked for: steps until paused again
  steps: number; // steps done
  pausedMs: number;
  views: boolean;
  select: number; // the shown image the decision view evaluates
  learned: boolean; // layer 1's tiles as W − W₀
  ended: Promise<void>;
  flush(): void; // send the curves' pending points
}

const state = {
  idx: null as Idx | null,
  live: null as Live | null,
  requests: 0, // 'train' requests so far (train: the newest one wins)
  backend: null as MatmulBackend | null,
  threads: 0,
  cfg: null as Config | null,
  data: null as Dataset | null,
  net: null as Network | null,
  predictor: null as Trainer | null, // its own workspace: predicting never touches the training's buffers
  record: null as RunRecord | null,
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

/** Thrown between two steps of a run that a new run (or a load) has stopped. */
const STOPPED = Symbol('stopped');

/**
 * Between two steps: read messages every TURN_MS, wait while paused, end a single step's turn
 * paused, and stop the run if it was told to.
 */
function makeTurn(live: Live): () => Promise<void> {
  const channel = new MessageChannel();
  let last = performance.now();
  const yieldOnce = (): Promise<void> => new Promise<void>((resolve) => {
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(0);
  });
  return async () => {
    if (live.stepsLeft !== null && --live.stepsLeft <= 0) {
      live.stepsLeft = null;
      live.paused = true;
      live.flush();
      post({ type: 'paused', paused: true, step: live.steps });
    }
    if (performance.now() - last < TURN_MS && !live.paused && !live.stop) return;
    await yieldOnce();
    if (live.paused) {
      const t0 = performance.now();
      while (live.paused && !live.stop) await new Promise<void>((resolve) => { live.resume = resolve; });
      live.pausedMs += performance.now() - t0;
    }
    if (live.stop) throw STOPPED;
    last = performance.now();
  };
}

/** Stop the run that trains, if any, and wait until it has. */
async function stopRun(): Promise<void> {
  const live = state.live;
  if (!live) return;
  live.stop = true;
  live.resume?.();
  await live.ended;
}

/**
 * Start a run, replacing the one that trains. Requests are numbered: a request that a newer one
 * overtakes while it waits (for the data, the backend, the old run to stop) gives up, so that the
 * page's last request is the one that trains and its outcome (a run, or an error) is the last word.
 */
async function train(run: RunSpec, threads: number, look: { views: boolean; learned: boolean }): Promise<void> {
  const request = ++state.requests;
  await stopRun();
  const cfg = runConfig(run, threads);
  const idx = await mnist();
  const data = dataset(idx, cfg);
  const backend = await backendFor(threads);
  await stopRun(); // a run that an overtaken request started meanwhile
  if (request !== state.requests) return;
  const { perEpoch, epochs: epochsTotal, total } = stepCounts(cfg, data.train.count);
  let endRun = (): void => {};
  const live: Live = {
    stop: false, paused: false, resume: null, stepsLeft: null, steps: 0, pausedMs: 0, ...look, select: 0,
    ended: new Promise<void>((resolve) => { endRun = resolve; }), flush: () => {},
  };
  state.live = live;
  post({
    type: 'started', cfg, threads, backend: backend.name, trainCount: data.train.count, testCount: data.test.count,
    stepsPerEpoch: perEpoch, epochsTotal,
  });
  // The record as train.ts builds it, so the saved file is the same.
  const record = newRunRecord(data.source, data.train.count, data.test.count);
  const t0 = performance.now(), jobs0 = backend.workerJobs?.() ?? 0;
  let predictor: Trainer | null = null, views_: LiveViews | null = null, observed = false;
  let points: StepPoint[] = [], lastPoints = 0, lastView = -Infinity, lastTest = -Infinity, epoch = 1;
  const testImages = Math.min(TEST_SAMPLE, data.test.count);
  live.flush = () => {
    if (points.length > 0) post({ type: 'points', points });
    points = [];
    lastPoints = performance.now();
  };
  /** The running test error on the fixed sample (the first testImages test images), through the predictor. */
  const testNow = (): void => {
    post({ type: 'test', step: live.steps, errors: predictor!.evaluate(data.test, testImages), images: testImages });
    lastTest = performance.now();
  };
  try {
    const result = await trainRunYielding(cfg, data, backend, {
      observeStep: (_at, trainer) => {
        if (!predictor) {
          predictor = makeTrainer(cfg, trainer.net, data, backend); // its own workspace: never the training's buffers
          views_ = makeLiveViews(cfg, data, predictor, trainer.net.layers[0]!.W.slice()); // before the first step: W₀
          Object.assign(state, { cfg, data, net: trainer.net, predictor, record });
          if (live.views) testNow(); // the untrained net: chance
        }
        const now = performance.now();
        observed = live.views && (live.stepsLeft !== null || now - lastView >= VIEW_MS);
        return observed ? views_!.observe() : undefined;
      },
      onStep: (_done, _total, stats) => {
        live.steps++;
        points.push({
          step: live.steps, headLoss: stats.headLoss,
          layers: stats.layers.map((l) => ({ loss: l.loss, goodPos: l.goodPos, goodNeg: l.goodNeg, pairError: l.pairErrors / stats.rows })),
        });
        const now = performance.now();
        if (now - lastPoints >= POINTS_MS || live.stepsLeft !== null) {
          live.flush();
          const secs = (now - t0 - live.pausedMs) / 1000;
          post({ type: 'progress', epoch, step: live.steps, steps: total, examplesPerSecond: secs > 0 ? (live.steps * cfg.batchSize) / secs : 0 });
        }
        if (observed) {
          const view = views_!.take(live.steps, epoch, live);
          if (view) post({ type: 'view', view }, [view.tiles.rgb.buffer]);
          lastView = performance.now();
          observed = false;
        }
        if (live.views && performance.now() - lastTest >= TEST_MS) testNow();
      },
      onEpoch: (r) => {
        addEpoch(record, r, perEpoch * cfg.batchSize);
        post({ type: 'epoch', report: r });
        epoch = r.epoch + 1;
      },
    }, undefined, makeTurn(live));
    live.flush();
    const seconds = (performance.now() - t0) / 1000;
    Object.assign(record, { test: result.test, seconds, trainSeconds: result.trainSeconds, examplesPerSecond: result.examplesPerSecond });
    Object.assign(state, { cfg, data, net: result.net, predictor: predictor ?? makeTrainer(cfg, result.net, data, backend), record });
    if (live.views) testNow();
    post({
      type: 'done', test: result.test, testImages: data.test.count, examplesPerSecond: result.examplesPerSecond, seconds,
      wallExamplesPerSecond: (live.steps * cfg.batchSize) / Math.max(1e-9, seconds - live.pausedMs / 1000),
      threads: backend.threads, workerJobs: (backend.workerJobs?.() ?? 0) - jobs0, fields: fields(cfg, result.net, data),
    });
  } catch (err) {
    if (err !== STOPPED) throw err;
  } finally {
    if (state.live === live) state.live = null;
    endRun();
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
  await stopRun();
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
// A live run goes on: this replay runs between two of its steps, on its own trainer and network.
async function stepThrough(run: RunSpec, threads: number, step: number, row: number): Promise<void> {
  const cfg = runConfig(run, threads);
  const data = dataset(await mnist(), cfg);
  if (!Number.isInteger(row) || row < 0 || row >= cfg.batchSize) {
    throw new UserError(`image in the batch: expected 0 to ${cfg.batchSize - 1}, got ${row}`);
  }
  const record = recordStep(cfg, data, await backendFor(threads), step, row);
  post({ type: 'step', record });
}

const fail = (err: unknown, about?: 'step' | 'train'): void => {
  const message = err instanceof UserError ? `error: ${err.message}` : `error: ${err instanceof Error ? err.message : String(err)}`;
  post({ type: 'error', message, ...(about ? { about } : {}) });
};

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const m = e.data, live = state.live;
  try {
    switch (m.type) {
      case 'train': train(m.run, m.threads, { views: m.views, learned: m.learned }).catch((err) => fail(err, 'train')); break;
      case 'pause':
        if (live) { live.paused = true; live.flush(); }
        post({ type: 'paused', paused: !!live, step: live?.steps ?? 0 });
        break;
      case 'resume':
        if (live) { live.paused = false; live.resume?.(); live.resume = null; }
        post({ type: 'paused', paused: false, step: live?.steps ?? 0 });
        break;
      case 'step-once': if (live?.paused) { live.stepsLeft = 1; live.paused = false; live.resume?.(); live.resume = null; } break;
      case 'views': if (live) live.views = m.on; break;
      case 'select': if (live) live.select = m.row; break;
      case 'tiles': if (live) live.learned = m.learned; break;
      case 'predict': predict(m.pixels); break;
      case 'save': save(); break;
      case 'load': load(m.bytes, m.name).catch(fail); break;
      case 'step': stepThrough(m.run, m.threads, m.step, m.row).catch((err) => fail(err, 'step')); break;
    }
  } catch (err) {
    fail(err);
  }
};
