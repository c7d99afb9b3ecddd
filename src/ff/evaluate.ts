// Evaluation in chunks, the same walk for every mode: the first `count` images of a split, n at a
// time (n = what the mode's buffers hold), each chunk's true labels gathered, then the mode's
// scorers (the softmax head's probabilities, the goodness of each label), their argmax counted
// against the labels and shown to the EvalObserver. Returns the error fraction of each method.
// C = classes.
import { gatherLabels } from '../data/batch.ts';
import type { Split } from '../data/dataset.ts';
import { argmaxRow } from './network.ts';
import type { EvalObserver, Method, TestErrors } from './trainer.ts';

/** Images start..start+n-1 (in `order`) of a split: the chunk a scorer is called on. */
export interface Chunk {
  split: Split;
  order: Int32Array;
  start: number;
  n: number;
}

/** A mode's per-chunk scorers. */
export interface ChunkScorer {
  n: number; // images per chunk
  C: number;
  labels: Int32Array; // (≥ n) where the chunk's true labels are gathered
  prepare?(chunk: Chunk): void; // before the methods (e.g. gather and normalise the images once for both)
  softmax?(chunk: Chunk): Float32Array; // (n, C) the head's probabilities
  /** (n, C) scores whose argmax is the prediction; with layers, also each layer's goodness (C·n, at [c·n + r]) for an observer. */
  goodness?(chunk: Chunk, layers: boolean): { scores: Float32Array; perLayer: Float32Array[] | null };
}

/** The error of each of `methods` (those the scorer has) on the first `count` images of split; null for the others. */
export function evaluateInChunks(
  scorer: ChunkScorer, split: Split, count: number, methods: readonly Method[], observer?: EvalObserver,
): TestErrors {
  const { n: n0, C, labels } = scorer;
  const soft = methods.includes('softmax') ? scorer.softmax : undefined;
  const good = methods.includes('goodness') ? scorer.goodness : undefined;
  const order = new Int32Array(count).map((_, i) => i);
  let errGood = 0, errSoft = 0;
  for (let start = 0; start < count; start += n0) {
    const n = Math.min(n0, count - start), chunk: Chunk = { split, order, start, n };
    gatherLabels(labels, split, order, start, n);
    scorer.prepare?.(chunk);
    if (soft) {
      const probs = soft(chunk);
      for (let r = 0; r < n; r++) if (argmaxRow(probs, r, C) !== labels[r]) errSoft++;
      observer?.headProbs?.(start, n, probs);
    }
    if (!good) continue;
    const { scores, perLayer } = good(chunk, observer?.labelScores !== undefined);
    for (let r = 0; r < n; r++) if (argmaxRow(scores, r, C) !== labels[r]) errGood++;
    if (perLayer) observer?.labelScores?.(start, n, scores, perLayer);
  }
  return { goodness: good ? errGood / count : null, softmax: soft ? errSoft / count : null };
}
