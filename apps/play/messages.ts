// The messages between the playground's page (page.ts) and its training worker (train-worker.ts).
// Types only. The page never computes FF; the worker never touches the DOM.
import type { Config, EpochReport, RunRecord, TestErrors } from './api.ts';
import type { StepRecord } from './step-observer.ts';

/** A run as train.ts flags would give it: flag name → value (e.g. { preset: 'default', epochs: '2' }). */
export type RunFlags = Record<string, string>;

/** A run: the page's boxes as flags, and the "more flags" box as typed (train.ts's other flags, e.g. '--shift 1 --dropout 0.1'). */
export interface RunSpec { flags: RunFlags; more: string }

export type ToWorker =
  | { type: 'train'; run: RunSpec; threads: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'predict'; pixels: Uint8Array } // rows·cols gray levels 0..255, as in the IDX files
  | { type: 'save' }
  | { type: 'load'; bytes: Uint8Array; name: string }
  | { type: 'step'; run: RunSpec; threads: number; step: number; row: number };

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
  | { type: 'progress'; epoch: number; done: number; total: number; examplesPerSecond: number }
  | { type: 'epoch'; report: EpochReport; testError: TestErrors; testImages: number; fields: Fields }
  | { type: 'paused'; paused: boolean }
  | {
    // threads: the backend's; workerJobs: the products' jobs the pool's workers took part in during the run (0 on one thread).
    type: 'done'; test: TestErrors; testImages: number; examplesPerSecond: number; seconds: number; threads: number; workerJobs: number;
    fields: Fields;
  }
  | { type: 'prediction'; perLayer: number[][] | null; probs: number[] | null; scores: number[] | null; prediction: number | null }
  | { type: 'model'; bytes: Uint8Array; checksum: string; name: string }
  | { type: 'loaded'; cfg: Config; record: RunRecord | null; name: string; checksum: string; fields: Fields }
  | { type: 'step'; record: StepRecord }
  | { type: 'error'; message: string; about?: 'step' };
