// Test helpers shared by the test files (not a test file itself): a tolerance comparison that
// prints the max difference and the first differing pairs, a central finite difference in float64,
// the check that a call fails with a one-line UserError, and the list of a folder's source files.
// Exact (Tier A) checks use assert.deepStrictEqual instead.
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../src/errors.ts';

/** float32 unit roundoff: |fl(x) − x| <= U32·|x| for round-to-nearest (2^-24 ≈ 6.0e-8). */
export const U32 = 2 ** -24;

/**
 * Assert |actual[i] − expected[i]| <= tol(i) for every i (NaN always fails); on failure the
 * message gives the max difference and the first differing pairs with their tolerances.
 * `tol` is one number for all elements, or a per-element function of the index.
 */
export function assertClose(
  actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number | ((i: number) => number), what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  let maxDiff = 0;
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    const diff = Math.abs(a - e);
    const t = typeof tol === 'number' ? tol : tol(i);
    if (!(diff <= t)) {
      if (Number.isNaN(diff)) maxDiff = NaN;
      else if (!Number.isNaN(maxDiff)) maxDiff = Math.max(maxDiff, diff);
      if (bad.length < 5) bad.push(`[${i}] ${a} vs ${e} (|diff| ${diff} > tol ${t})`);
    } else if (!Number.isNaN(maxDiff)) {
      maxDiff = Math.max(maxDiff, diff);
    }
  }
  assert.ok(bad.length === 0, `${what}: max |diff| ${maxDiff}; first differing (actual vs expected): ${bad.join('; ')}`);
}

/** (f(v + h) − f(v − h)) / 2h after setting arr[i] = v ± h; arr[i] is restored. */
export function centralDifference(arr: Float64Array, i: number, h: number, f: () => number): number {
  const keep = arr[i]!;
  arr[i] = keep + h;
  const up = f();
  arr[i] = keep - h;
  const down = f();
  arr[i] = keep;
  return (up - down) / (2 * h);
}

/** Assert that fn throws a one-line UserError whose message contains every string in `parts`. */
export function assertUserError(fn: () => unknown, parts: string[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), `message is not one line: ${JSON.stringify(err.message)}`);
    for (const part of parts) {
      assert.ok(err.message.includes(part), `message ${JSON.stringify(err.message)} lacks ${JSON.stringify(part)}`);
    }
    return true;
  });
}

/** Every .ts and .js file below `dir` of the repository at `repo`, as repository paths ('src/ff/network.ts'). */
export function sourceFiles(repo: string, dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(repo, dir))) {
    const path = `${dir}/${name}`;
    if (statSync(join(repo, path)).isDirectory()) out.push(...sourceFiles(repo, path));
    else if (/\.(ts|js)$/.test(name)) out.push(path);
  }
  return out;
}
