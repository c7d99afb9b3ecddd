// The messages between the playground's page (page.ts) and its training worker (train-worker.ts).
// Types only. The page never computes FF; the worker never touches the DOM.
import type { Config, EpochReport, RunRecord, TestErrors } from './api.ts';
import type { LiveView } from './live-view.ts';
import type { StepRecord } from './step-observer.ts';

/** A run as train.ts flags would give it: flag name → value (e.g. { preset: 'default', epochs: '2' }). */
export type RunFlags = Record<string, string>;

/** A run: the page's boxes as flags, and the "more flags" box as typed (train.ts's other flags, e.g. '--shift 1 --dropout 0.1'). */
export interface RunSpec { flags: RunFlags; more: string }

export type ToWorker =
  | { type: 'train'; run: RunSpec; threads: number; views: boolean; learned: boolean } // start a run (stopping the one that trains)
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step-once' } // while paused: one step, then paused again
  | { type: 'views'; on: boolean } // whether the live views are taken (the bits do not depend on it)
  | { type: 'select'; row: number } // which shown image the decision view evaluates
  | { type: 'tiles'; learned: boolean } // layer 1's tiles as W − W₀ (learned) or W
  | { type: 'predict'; pixels: Uint8Array } // rows·cols gray levels 0..255, as in the IDX files
  | { type: 'save' }
  | { type: 'load'; bytes: Uint8Array; name: string }
  | { type: 'step'; run: RunSpec; threads: number; step: number; row: number };

/** One training step's statistics, as the curves plot them (StepStats per layer, pair error as a fraction). */
export interface StepPoint {
  step: number; // steps done, counting this one
  layers: { loss: number; goodPos: number; goodNeg: number; pairError: number }[];
  headLoss: number;
}

/** Sign-coloured receptive fields of layer 1 (RGB pixels) and which units they are. */
export interface Fields {
  width: number;
  height: number;
  rgb: Uint8Array;
  units: number[];
}

export type FromWorker =
  | { type: 'status'; text: string }
  | {
    type: 'started'; cfg: Config; threads: number; backend: string; trainCount: number; testCount: number; stepsPerEpoch: number; epochsTotal: number;
  }
  | { type: 'progress'; epoch: number; step: number; steps: number; examplesPerSecond: number }
  | { type: 'points'; points: StepPoint[] } // the steps taken since the last message
  | { type: 'view'; view: LiveView }
  | { type: 'test'; step: number; errors: TestErrors; images: number } // the running test error on a fixed sample
  | { type: 'epoch'; report: EpochReport }
  | { type: 'paused'; paused: boolean; step: number }
  | {
    // threads: the backend's; workerJobs: the products' jobs the pool's workers took part in during the run (0 on one thread);
    // wallExamplesPerSecond: examples over the run's wall time while not paused, views included.
    type: 'done'; test: TestErrors; testImages: number; examplesPerSecond: number; wallExamplesPerSecond: number; seconds: number;
    threads: number; workerJobs: number; fields: Fields;
  }
  | { type: 'prediction'; perLayer: number[][] | null; probs: number[] | null; scores: number[] | null; prediction: number | null }
  | { type: 'model'; bytes: Uint8Array; checksum: string; name: string }
  | { type: 'loaded'; cfg: Config; record: RunRecord | null; name: string; checksum: string; fields: Fields }
  | { type: 'step'; record: StepRecord }
  | { type: 'error'; message: string; about?: 'step' | 'train' };
