// The record of a training run that outlives the process: where its data came from, the
// per-epoch history, the final test errors, time and speed. train.ts builds it as the run goes;
// `--save` stores it in the model file's metadata (key `history`, JSON), so that scripts/report.ts
// can draw a saved model's curves: without its wall-clock times (timeless), so that the same seed
// and config still give the same model file, byte for byte. Numbers only: no weights, no pictures.
import type { TestErrors } from '../ff/trainer.ts';
import type { EpochReport } from '../run/train-run.ts';

/** An epoch's report as recorded: its times are null in a stored record. */
export type RecordedEpoch = Omit<EpochReport, 'seconds' | 'examplesPerSecond'> & { seconds: number | null; examplesPerSecond: number | null };

/** Whether epoch `e` trained hidden layer l (0-based): only then are its layers[l] statistics measured. */
export function epochTrained(e: Pick<EpochReport, 'trainingLayer'>, l: number): boolean {
  return e.trainingLayer === null || e.trainingLayer === l + 1;
}

export interface RunRecord {
  source: string; // the data set, as train.ts prints it
  trainCount: number; // training images per epoch
  testCount: number; // test images the final errors are over
  epochs: RecordedEpoch[]; // one per finished epoch
  test: TestErrors | null; // final test errors; null while the run is training
  seconds: number | null; // wall time of the whole run; null while training, and when stored
  trainSeconds: number | null; // time inside training steps so far; null when stored
  examplesPerSecond: number | null; // training images per second so far; null when stored
}

/** The record without wall-clock times, as a model file stores it. */
export function timeless(r: RunRecord): RunRecord {
  return {
    ...r, seconds: null, trainSeconds: null, examplesPerSecond: null,
    epochs: r.epochs.map((e) => ({ ...e, seconds: null, examplesPerSecond: null })),
  };
}

/** The record as JSON text, and back; a malformed record is reported by the caller. */
export function recordToJson(r: RunRecord): string {
  return JSON.stringify(r);
}

/** Parse a stored record; returns null (with the reason) if it is not one. */
export function recordFromJson(text: string): { record: RunRecord | null; problem: string | null } {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { record: null, problem: 'not valid JSON' };
  }
  const r = v as Partial<RunRecord>;
  if (typeof r !== 'object' || r === null || !Array.isArray(r.epochs) || typeof r.source !== 'string') {
    return { record: null, problem: "expected an object with 'source' and 'epochs'" };
  }
  for (const e of r.epochs) {
    if (typeof e !== 'object' || e === null || !Array.isArray((e as RecordedEpoch).layers) || typeof (e as RecordedEpoch).epoch !== 'number') {
      return { record: null, problem: "an entry of 'epochs' has no 'epoch' number or 'layers' list" };
    }
  }
  return { record: r as RunRecord, problem: null };
}

/** A run's record before its first epoch; a resumed run starts from its checkpoint's history. */
export function newRunRecord(source: string, trainCount: number, testCount: number, history: RecordedEpoch[] = []): RunRecord {
  return {
    source, trainCount, testCount, epochs: [...history], test: null, seconds: null,
    trainSeconds: history.reduce((t, e) => t + (e.seconds ?? 0), 0), examplesPerSecond: 0,
  };
}

/** Add a finished epoch: its report, and the time and speed so far (examplesPerEpoch = steps × batch). */
export function addEpoch(record: RunRecord, report: EpochReport, examplesPerEpoch: number): void {
  record.epochs.push(report);
  record.trainSeconds = (record.trainSeconds ?? 0) + report.seconds;
  record.examplesPerSecond = (record.epochs.length * examplesPerEpoch) / record.trainSeconds;
}
