// Every RowTask by name: the table a worker thread of the wasm backend loads (worker.js) to run
// the row jobs the calling thread sends it (linalg/wasm/row-jobs.ts). Each task is defined beside
// its kernel; this file only collects them, so a worker runs the very code the calling thread
// runs. A task missing here fails the first job that uses it (test/row-jobs.test.ts runs them all).
// linalg imports nothing above it: the backend gets this table from its maker (ROW_TASK_TABLE,
// passed by backend.ts makeBackend).
import { ADAM_UPDATE } from '../optim/adam.ts';
import { SMOOTHED_SGD_UPDATE } from '../optim/smoothed-sgd.ts';
import { BIAS_RELU_ROWS, COLUMN_SUMS, NORMALIZE_ROWS, SCALE_ROWS, SUM_HALVES, SUM_SQUARES_ROWS } from '../linalg/rows.ts';
import type { RowTask, RowTaskTable } from '../linalg/row-runner.ts';
import { COPY_COMPACT, UNSTAGE_ROWS } from '../linalg/wasm/stage.ts';
import { PACK_SPARSE_PANELS } from '../linalg/wasm/pack-sparse.ts';
import { ADD_PEER_ROWS, PEER_MEAN_COLUMNS } from '../ff/layer/layer.ts';
import { FIRST_LAYER_ROWS, LABEL_GRAD_COLUMNS, LABEL_KAPPA } from '../ff/label-passes.ts';
import { COPY_COLUMNS_INTO } from '../ff/network.ts';
import { APPLY_MASK } from '../ff/inputs/dropout.ts';

const ALL: RowTask[] = [
  NORMALIZE_ROWS, BIAS_RELU_ROWS, SUM_SQUARES_ROWS, COLUMN_SUMS, SCALE_ROWS, SUM_HALVES, COPY_COMPACT, UNSTAGE_ROWS, PACK_SPARSE_PANELS,
  ADD_PEER_ROWS, PEER_MEAN_COLUMNS, FIRST_LAYER_ROWS, LABEL_GRAD_COLUMNS, LABEL_KAPPA, COPY_COLUMNS_INTO,
  APPLY_MASK, ADAM_UPDATE, SMOOTHED_SGD_UPDATE,
];

export const ROW_TASKS: Readonly<Record<string, RowTask>> = Object.fromEntries(ALL.map((t) => [t.name, t]));

/** The table as a backend takes it: this module, which a worker loads by URL, and ROW_TASKS for the calling thread. */
export const ROW_TASK_TABLE: RowTaskTable = { url: import.meta.url, tasks: ROW_TASKS };
