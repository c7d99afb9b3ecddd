// Re-exports of the optimisers and learning-rate schedules; nothing is defined here.
// Adam and Hinton's smoothed SGD both implement `Optimizer`, so a trainer can hold either.
// The learning rate of each step comes from `lrAt` (schedule.ts), never from an optimiser config.
export type { Optimizer, OptimizerState } from './optimizer.ts';
export { Adam, adamUpdateInPlace, DEFAULT_ADAM, type AdamConfig, type AdamState } from './adam.ts';
export {
  SmoothedSgd,
  smoothedSgdUpdateInPlace,
  HINTON_SGD,
  type SmoothedSgdConfig,
  type SmoothedSgdState,
} from './smoothed-sgd.ts';
export { lrAt, type LrSchedule } from './schedule.ts';
