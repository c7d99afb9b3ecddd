// The splits of a dataset from decoded IDX arrays, wherever their bytes came from (files in Node:
// dataset.ts; fetched in a browser: the playground). Checks images against labels and train
// against test, holds out the LAST N training images as validation and keeps the FIRST K with the
// limits. Splits are views over the IDX bytes, kept as uint8: no scaling, shuffling or copying.
// Letters: N = images in a split, P = pixels per image = rows*cols; images are (N, P) row-major.
import { UserError } from '../errors.ts';
import type { IdxArray } from './idx-bytes.ts';

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

/** How to cut the splits: validation hold-out and limits. */
export interface CutOptions {
  /** Hold out the last N training images as the validation split; default 0 (no validation). */
  validation?: number;
  /** Keep only the first K training images (after the validation hold-out); default all. */
  trainLimit?: number;
  /** Keep only the first K test images; default all. */
  testLimit?: number;
}

/** An images file and its labels file, decoded, with the names used in error messages. */
export interface IdxPair {
  images: IdxArray;
  labels: IdxArray;
  imagesName: string;
  labelsName: string;
}

/** The four standard MNIST file names (Fashion-MNIST uses the same). */
export const IDX_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

const CLASSES = 10;

/** The dataset from the decoded train and test files: checked, then validation and limits cut. */
export function datasetFromIdx(train: IdxPair, test: IdxPair, opts: CutOptions, source: string): Dataset {
  const fullTrain = checkedSplit(train);
  const fullTest = checkedSplit(test);
  if (fullTrain.rows !== fullTest.rows || fullTrain.cols !== fullTest.cols) {
    throw new UserError(
      `${test.imagesName}: test images are ${fullTest.rows}×${fullTest.cols} ` +
        `but training images in ${train.imagesName} are ${fullTrain.rows}×${fullTrain.cols}`,
    );
  }

  const n = fullTrain.count;
  const validation = opts.validation ?? 0;
  if (!Number.isInteger(validation) || validation < 0 || validation >= n) {
    throw new UserError(
      `validation must be an integer in 0..${n - 1} (the training set has ${n} images), got ${validation}`,
    );
  }
  const kept = n - validation;
  const trainLimit = checkLimit('trainLimit', opts.trainLimit, kept, 'training images left after validation');
  const testLimit = checkLimit('testLimit', opts.testLimit, fullTest.count, 'test images');

  return {
    train: sliceSplit(fullTrain, 0, trainLimit),
    validation: validation > 0 ? sliceSplit(fullTrain, kept, n) : null,
    test: sliceSplit(fullTest, 0, testLimit),
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
function checkedSplit({ images: im, labels: lb, imagesName, labelsName }: IdxPair): Split {
  const images = { data: im.data, count: im.dims[0]!, rows: im.dims[1]!, cols: im.dims[2]! };
  const labels = { data: lb.data, count: lb.dims[0]! };
  if (images.count !== labels.count) {
    throw new UserError(
      `${labelsName}: has ${labels.count} labels but ${imagesName} has ${images.count} images`,
    );
  }
  if (images.count === 0) throw new UserError(`${imagesName}: contains no images`);
  if (images.rows === 0 || images.cols === 0) {
    throw new UserError(`${imagesName}: images are ${images.rows}×${images.cols}, expected a non-empty size`);
  }
  const y = labels.data;
  for (let i = 0; i < y.length; i++) {
    if (y[i]! >= CLASSES) {
      throw new UserError(`${labelsName}: label ${y[i]} at index ${i} is not a class in 0..${CLASSES - 1}`);
    }
  }
  return {
    images: images.data,
    labels: labels.data,
    count: images.count,
    rows: images.rows,
    cols: images.cols,
    pixels: images.rows * images.cols,
  };
}
