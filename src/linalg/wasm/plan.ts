// How one product is split into tasks: the multiply phase's C tiles (at most MC×NC, whole
// register tiles) and the pack phase's groups of micro-panels. Small products get smaller tasks so
// that every thread has several to claim (dynamic claiming then evens out the load). The split
// never changes a bit of C: every element is still summed over the same K blocks in the same
// order (layout.ts). Pure arithmetic; the caller writes the result into the job descriptor.
import type { Blocking } from './layout.ts';

/** Tasks wanted per thread in each phase, so that the last task to finish is a small part of the work. */
export const MIN_TASKS_PER_THREAD = 4;

export interface TaskPlan {
  /** Rows and columns of C per multiply task (multiples of MR, NR). */
  taskM: number;
  taskN: number;
  /** Multiply tasks per row of tasks, and in all. */
  tasksN: number;
  tasks: number;
  /** Micro-panels per pack task; pack tasks for A and for B. */
  packPanels: number;
  packTasksA: number;
  packTasksB: number;
}

/** The split of an (Mp, K)·(K, Np) product (Mp, Np whole tiles) for `threads` threads. */
export function planTasks(Mp: number, Np: number, threads: number, blk: Blocking): TaskPlan {
  const { MR, NR, MC, NC, PACK_PANELS } = blk;
  const want = MIN_TASKS_PER_THREAD * threads;
  const count = (tm: number, tn: number): number => Math.ceil(Mp / tm) * Math.ceil(Np / tn);
  let taskM = Math.min(MC, Mp);
  let taskN = Math.min(NC, Np);
  // Halve the longer side (counted in micro-panels) until there are enough tasks, keeping at
  // least 4 micro-panels per side so that a task still reuses its panels.
  while (count(taskM, taskN) < want) {
    if (taskN / NR >= taskM / MR && taskN > 4 * NR) taskN = Math.ceil(taskN / 2 / NR) * NR;
    else if (taskM > 4 * MR) taskM = Math.ceil(taskM / 2 / MR) * MR;
    else break;
  }
  const tasksN = Math.ceil(Np / taskN);
  const panelsA = Mp / MR;
  const panelsB = Np / NR;
  const packPanels = Math.max(1, Math.min(PACK_PANELS, Math.floor((panelsA + panelsB) / want)));
  return {
    taskM, taskN, tasksN, tasks: Math.ceil(Mp / taskM) * tasksN,
    packPanels, packTasksA: Math.ceil(panelsA / packPanels), packTasksB: Math.ceil(panelsB / packPanels),
  };
}
