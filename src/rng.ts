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
  const prng = seedrandom(`${seed}:${stream}`, state ? { state: state as seedrandom.State.Arc4 } : { state: true });
  const uniform = (): number => prng.quick();
  return {
    uniform,
    int: (n: number): number => Math.floor(uniform() * n),
    normal: (): number => {
      // u1 in (0, 1] so that log(u1) is finite.
      const u1 = 1 - uniform();
      const u2 = uniform();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    state: (): object => prng.state(),
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
