// The divergence guard: a run whose numbers stop being finite (a learning rate far too large)
// stops at once with a DivergedError naming the layer, epoch and step, instead of training on
// and saving garbage. Per step it checks only what the step already computed (each layer's loss
// and goodness means, the head's loss); the weights are scanned where a checkpoint or the final
// model is about to be written, so the guard costs nothing measurable and stays on.
import { DivergedError } from '../errors.ts';
import type { Network } from '../ff/network.ts';
import type { StepStats } from '../ff/trainer.ts';

const HINT = 'lower --lr (or --head-lr)';

/** Throw if a statistic of this step is not finite. epoch and step are 1-based. */
export function checkStepFinite(stats: StepStats, epoch: number, step: number): void {
  stats.layers.forEach((s, l) => {
    for (const [what, v] of [['loss', s.loss], ['goodness of positive rows', s.goodPos], ['goodness of negative rows', s.goodNeg]] as const) {
      if (!Number.isFinite(v)) throw new DivergedError(`layer ${l + 1} has a non-finite ${what} (${v}) at epoch ${epoch}, step ${step}; ${HINT}`);
    }
  });
  if (!Number.isFinite(stats.headLoss)) {
    throw new DivergedError(`the softmax head has a non-finite loss (${stats.headLoss}) at epoch ${epoch}, step ${step}; ${HINT}`);
  }
}

/** The first non-finite value's index in `a`, or -1. */
function firstNonFinite(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}

/** Throw if any weight, bias or peer mean of the network is not finite. */
export function checkWeightsFinite(net: Network, epoch: number, step: number): void {
  const parts: [string, Float32Array][] = [];
  net.layers.forEach((l, i) => parts.push([`layer ${i + 1} weight`, l.W], [`layer ${i + 1} bias`, l.b], [`layer ${i + 1} peer mean`, l.peerMean]));
  parts.push(['the softmax head weight', net.head.W], ['the softmax head bias', net.head.b]);
  for (const [what, a] of parts) {
    const i = firstNonFinite(a);
    if (i >= 0) throw new DivergedError(`${what} ${i} is ${a[i]} at epoch ${epoch}, step ${step}; ${HINT}`);
  }
}
