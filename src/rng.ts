// The one source of randomness: seedrandom's ARC4 generator, seeded explicitly.
// Each use draws from its own named sub-stream (init, shuffle, negatives, masks, shift, dropout), seeded by
// the string `${seed}:${stream}`, so adding a random draw in one place does not shift the others.
// There is no default seed and no global state: a missing seed is a bug, and JavaScript's
// unseeded built-in generator is never used. The state of a stream can be saved and restored for checkpoints.
import seedrandom from 'seedrandom';

export interface Rng {
  /** Uniform in [0, 1), 32 bits of randomness (seedrandom's `double()` would be 53 bits). */
  uniform(): number;
  /** Integer uniform in [0, n). */
  int(n: number): number;
  /** Standard normal N(0, 1) by Box-Muller (one draw per call; the pair's second half is dropped). */
  normal(): number;
  /** The generator's state, for a checkpoint. */
  state(): object;
}

/** A named sub-stream of `seed`. The seed must be a non-negative safe integer. */
export function makeRng(seed: number, stream: string, state?: object): Rng {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`makeRng: seed must be a non-negative integer, got ${seed}`);
  }
  // seedrandom keys the stream (or restores a saved state); the steps are taken here, on a copy of its
  // ARC4 state, by the very algorithm of its quick(): four ARC4 output bytes b0..b3 (seedrandom.js
  // ARC4's g(4)), (((b0·256 + b1)·256 + b2)·256 + b3) / 2³². The same numbers, about 4× faster than
  // through seedrandom's closure (dropout draws N·H of them per layer and step, on the calling thread).
  const start = seedrandom(`${seed}:${stream}`, state ? { state: state as seedrandom.State.Arc4 } : { state: true }).state();
  const S = Uint8Array.from(start.S);
  let i = start.i, j = start.j;
  const uniform = (): number => {
    let a = i, b = j, r = 0; // locals for the four steps: closure variables are slower to update
    for (let n = 0; n < 4; n++) {
      a = (a + 1) & 255;
      const t = S[a]!;
      b = (b + t) & 255;
      S[a] = S[b]!;
      S[b] = t;
      r = r * 256 + S[(S[a]! + t) & 255]!;
    }
    i = a;
    j = b;
    return r / 0x100000000;
  };
  return {
    uniform,
    int: (n: number): number => Math.floor(uniform() * n),
    normal: (): number => {
      // u1 in (0, 1] so that log(u1) is finite.
      const u1 = 1 - uniform();
      const u2 = uniform();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    state: (): object => ({ i, j, S: Array.from(S) }), // seedrandom's state format (checkpoints store it)
  };
}

/** Fisher-Yates shuffle of `out` in place, drawing from `rng`. */
export function shuffleInPlace(out: Int32Array | Uint32Array | number[], rng: Rng): void {
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = out[i]!;
    out[i] = out[j]!;
    out[j] = t;
  }
}
