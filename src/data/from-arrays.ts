// A Dataset from arrays a program already holds, for training on data that is not in IDX files:
// images as a Float32Array of pixels in [0, 1], a Uint8Array of 0..255, or an ndarray of either
// (any strides: ndarray-ops copies it to row-major), and labels as integers 0..9.
// Pixels are stored as bytes, as an IDX file stores them (dataset.ts), so float pixels are rounded
// to the nearest multiple of 1/255; batch.ts turns them back into pixel/255.
// Every check fails with one UserError naming the array, the index and what was expected.
import ndarray, { type NdArray } from 'ndarray';
import { assign } from 'ndarray-ops';
import { UserError } from '../errors.ts';
import type { Dataset, Split } from './dataset.ts';

/** What a split is made from: N images (flat (N, rows·cols), or an ndarray (N, rows, cols)) and N labels. */
export interface ArraySplit {
  images: Float32Array | Uint8Array | NdArray<Float32Array> | NdArray<Uint8Array>;
  labels: ArrayLike<number> | NdArray;
}

export interface ArrayDatasetOptions {
  train: ArraySplit;
  test: ArraySplit;
  validation?: ArraySplit; // held-out images whose error is printed every epoch (optional)
  rows?: number; // image height; may be left out when the images are an ndarray (N, rows, cols)
  cols?: number; // image width; likewise
  source?: string; // how logs and reports name the data (default 'arrays')
}

/** The classes every mode predicts (labels 0..9), as for MNIST. */
export const ARRAY_CLASSES = 10;

/** A Dataset of the project's shape (dataset.ts) from in-memory images and labels. */
export function datasetFromArrays(opts: ArrayDatasetOptions): Dataset {
  const [rows, cols] = imageSize(opts);
  return {
    train: splitFromArrays('train', opts.train, rows, cols),
    validation: opts.validation ? splitFromArrays('validation', opts.validation, rows, cols) : null,
    test: splitFromArrays('test', opts.test, rows, cols),
    source: opts.source ?? 'arrays',
    classes: ARRAY_CLASSES,
  };
}

/** One split from arrays; `name` ('train', 'test', ...) names it in errors. */
export function splitFromArrays(name: string, s: ArraySplit, rows: number, cols: number): Split {
  const P = rows * cols;
  const flat = denseImages(name, s.images, P);
  if (flat.length % P !== 0) throw new UserError(`${name}.images: ${flat.length} pixels are not a whole number of ${rows}×${cols} images`);
  const count = flat.length / P;
  if (count === 0) throw new UserError(`${name}.images: no images`);
  const images = flat instanceof Uint8Array ? flat.slice() : toBytes(name, flat);
  const labels = labelBytes(name, s.labels, count);
  return { images, labels, count, rows, cols, pixels: P };
}

function imageSize(opts: ArrayDatasetOptions): [number, number] {
  const img = opts.train.images;
  let rows = opts.rows, cols = opts.cols;
  if ((rows === undefined || cols === undefined) && !ArrayBuffer.isView(img)) {
    if (img.shape.length !== 3) {
      throw new UserError(`train.images: an ndarray of shape [${img.shape.join(', ')}]; give rows and cols, or shape (N, rows, cols)`);
    }
    rows ??= img.shape[1]!;
    cols ??= img.shape[2]!;
  }
  if (rows === undefined || cols === undefined) throw new UserError('rows and cols: needed when the images are a flat array');
  for (const [k, v] of [['rows', rows], ['cols', cols]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new UserError(`${k}: expected a positive integer, got ${v}`);
  }
  return [rows, cols];
}

/** The images as one row-major typed array; an ndarray is copied (any strides) by ndarray-ops. */
function denseImages(name: string, images: ArraySplit['images'], P: number): Float32Array | Uint8Array {
  if (images instanceof Float32Array || images instanceof Uint8Array) return images;
  if (ArrayBuffer.isView(images)) throw new UserError(`${name}.images: expected a Float32Array or Uint8Array, got ${images.constructor.name}`);
  const data = images.data as unknown;
  if (!(data instanceof Float32Array || data instanceof Uint8Array)) {
    throw new UserError(`${name}.images: expected an ndarray over a Float32Array or Uint8Array`);
  }
  const shape = images.shape;
  if (shape.slice(1).reduce((a, b) => a * b, 1) !== P) {
    throw new UserError(`${name}.images: shape [${shape.join(', ')}] does not hold ${P}-pixel images`);
  }
  const out = new (data.constructor as Float32ArrayConstructor | Uint8ArrayConstructor)(images.size);
  assign(ndarray(out, shape), images);
  return out;
}

/** Float pixels in [0, 1] → bytes round(255·x); anything else is named with its index. */
function toBytes(name: string, x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!(v >= 0 && v <= 1)) throw new UserError(`${name}.images: pixel ${i} is ${v}, expected a number in [0, 1]`);
    out[i] = Math.round(255 * v);
  }
  return out;
}

function labelBytes(name: string, labels: ArraySplit['labels'], count: number): Uint8Array {
  const nd = !ArrayBuffer.isView(labels) && 'shape' in labels ? labels : null;
  if (nd && nd.shape.length !== 1) throw new UserError(`${name}.labels: expected a 1-D array, got shape [${nd.shape.join(', ')}]`);
  const n = nd ? nd.shape[0]! : (labels as ArrayLike<number>).length;
  if (n !== count) throw new UserError(`${name}.labels: ${n} labels for ${count} images`);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const y = nd ? nd.get(i) : (labels as ArrayLike<number>)[i]!;
    if (!(Number.isInteger(y) && y >= 0 && y < ARRAY_CLASSES)) {
      throw new UserError(`${name}.labels: label ${i} is ${y}, expected an integer in 0..${ARRAY_CLASSES - 1}`);
    }
    out[i] = y;
  }
  return out;
}
