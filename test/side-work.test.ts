// SideWork (src/linalg/backend.ts): serial work of the calling thread run beside the next product
// the workers share. The wasm backend on 2 threads holds a fn until a product of SIDE_MIN_FLOPS or
// more (or flush), in order; on 1 thread it runs at once. --dropout queues a training pass's mask draws there
// (src/ff/inputs/dropout.ts queueMasks): 1 and 2 threads must still train the same weights, to
// the bit, and the draws must really have moved beside the products on 2 threads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CONFIG, type Config } from '../src/config/config.ts';
import { loadDataset } from '../src/data/dataset.ts';
import type { MatmulBackend } from '../src/linalg/backend.ts';
import { sharedFloat32 } from '../src/linalg/shared-floats.ts';
import { matView } from '../src/linalg/view.ts';
import { SIDE_MIN_FLOPS } from '../src/linalg/wasm/matmul.ts';
import { makeBackend } from '../src/run/backend.ts';
import { trainRun } from '../src/run/train-run.ts';

test(`beside(fn): held until the next product of ≥ SIDE_MIN_FLOPS on 2 threads, in order; at once on 1 thread; flush runs the rest`, () => {
  const [one, two] = [makeBackend('wasm', 1, () => {}), makeBackend('wasm', 2, () => {})];
  try {
    const ran: string[] = [];
    one.side!.beside(() => ran.push('one'));
    assert.deepStrictEqual(ran, ['one']);
    // 2·256·512·256 = SIDE_MIN_FLOPS; with K = 511 one row of B short of it.
    assert.equal(SIDE_MIN_FLOPS, 2 * 256 * 512 * 256);
    const mat = (r: number, c: number) => matView(sharedFloat32(r * c), r, c);
    const [c, a, b, bShort] = [mat(256, 256), mat(256, 512), mat(512, 256), mat(511, 256)];
    const aShort = a.hi(256, 511);
    two.side!.beside(() => ran.push('a'));
    two.side!.beside(() => ran.push('b'));
    two.side!.beside(() => ran.push('c'));
    two.matmul(c, aShort, bShort); // under SIDE_MIN_FLOPS: holds on
    assert.deepStrictEqual(ran, ['one']);
    two.matmul(c, a, b); // runs one
    assert.deepStrictEqual(ran, ['one', 'a']);
    two.matmul(c, a, b);
    assert.deepStrictEqual(ran, ['one', 'a', 'b']);
    two.side!.flush();
    assert.deepStrictEqual(ran, ['one', 'a', 'b', 'c']);
    two.matmul(c, a, b);
    assert.equal(ran.length, 4);
  } finally {
    one.close();
    two.close();
  }
});

/** A backend whose side work records whether each fn ran inside a product (beside it) or at flush. */
function watching(be: MatmulBackend, where: string[]): MatmulBackend {
  let inProduct = false;
  const side = be.side!;
  const inside = <T>(product: () => T): T => {
    inProduct = true;
    try {
      return product();
    } finally {
      inProduct = false;
    }
  };
  return {
    ...be,
    matmul: (c, a, b) => inside(() => be.matmul(c, a, b)),
    matmulSparse: (c, a, b) => inside(() => be.matmulSparse!(c, a, b)),
    side: { beside: (fn) => side.beside(() => (where.push(inProduct ? 'product' : 'flush'), fn())), flush: () => side.flush() },
  };
}

const data = loadDataset({ trainLimit: 300, testLimit: 100 });
// Layers of 1000: the products above the first are over SIDE_MIN_FLOPS, so a draw can go beside them.
const BASE: Config = {
  ...DEFAULT_CONFIG, layers: [784, 1000, 1000], epochs: 1, batchSize: 50, trainLimit: 300, testLimit: 100, seed: 13, quiet: true, backend: 'wasm',
  dropout: 0.1, shift: 1,
};

for (const [name, over] of [['supervised', {}], ['unsupervised', { mode: 'unsupervised', scoredLayers: 'all' }]] as const) {
  test(`--dropout on 1 and 2 threads trains the same weights, its draws beside the products on 2 (${name})`, () => {
    const weights: Float32Array[][] = [], where: string[] = [];
    for (const threads of [1, 2]) {
      const be = makeBackend('wasm', threads, () => {});
      try {
        if (threads > 1) assert.ok(be.rows.waitUntilShared(60_000), 'the workers did not load the row tasks');
        const r = trainRun({ ...BASE, ...over, threads }, data, threads > 1 ? watching(be, where) : be);
        weights.push([...r.net.layers.flatMap((l) => [l.W, l.b]), r.net.head.W, r.net.head.b].map((t) => t.slice()));
      } finally {
        be.close();
      }
    }
    assert.deepStrictEqual(weights[1], weights[0]);
    assert.ok(where.includes('product'), `where the draws ran: ${where.join(' ')}`);
  });
}
