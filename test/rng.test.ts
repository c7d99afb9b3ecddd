// src/rng.ts steps seedrandom's ARC4 itself (on a copy of its state) instead of calling its quick():
// the numbers and the saved states must be seedrandom's own, draw for draw, fresh and restored from
// a state (checkpoints store states in seedrandom's format), so that no run and no saved checkpoint
// sees a difference.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import seedrandom from 'seedrandom';
import { makeRng } from '../src/rng.ts';

test('makeRng gives seedrandom quick()\'s numbers and states, fresh and restored', () => {
  for (const [seed, stream] of [[0, 'init'], [7, 'dropout'], [123456789, 'shuffle']] as const) {
    const ours = makeRng(seed, stream);
    const theirs = seedrandom(`${seed}:${stream}`, { state: true });
    for (let n = 0; n < 100_000; n++) assert.equal(ours.uniform(), theirs.quick(), `${seed}:${stream}, draw ${n}`);
    assert.deepStrictEqual(ours.state(), theirs.state());
    const resumed = makeRng(seed, stream, ours.state());
    const theirsResumed = seedrandom('', { state: theirs.state() });
    for (let n = 0; n < 1000; n++) assert.equal(resumed.uniform(), theirsResumed.quick(), `${seed}:${stream} resumed, draw ${n}`);
    assert.equal(ours.int(1000), theirs.quick() * 1000 | 0);
  }
});
