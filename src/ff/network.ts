// The FF network shared by the supervised and unsupervised modes: a stack of layers and a linear
// softmax head, their initialisation, and the reusable buffers of a forward pass (Workspace).
// forwardAll runs the bottom-up sweep (each layer sees the previous layer's y, normalised by the
// layer itself); headFeatures gathers the normalised activities of the scored layers.
// L = hidden layers, R = rows of a pass, F = head feature width, C = classes (10).
import { normalizeRows } from './layer/definitions.ts';
import { makeHeadParams, type HeadParams } from './layer/head.ts';
import { layerForward, layerOutput, makeLayerActs, makeLayerParams, type Activation, type LayerActs, type LayerParams } from './layer/layer.ts';
import { maskFanIn } from './inputs/receptive-field.ts';
import type { Rng } from '../rng.ts';
import { rowTask } from '../linalg/row-runner.ts';
import type { StepContext } from './context.ts';
import type { FirstLayerForward } from './first-layer/first-layer.ts';
import { PLAIN_FIRST_LAYER } from './first-layer/plain.ts';
import { sharedFloat32 } from '../linalg/shared-floats.ts';

export interface Network {
  widths: number[]; // [D0, H1, ..., HL]
  layers: LayerParams<Float32Array>[]; // L layers; layer l maps width l to width l+1
  head: HeadParams<Float32Array>; // softmax on the scored layers' normalised activities
  scored: number[]; // 0-based indices of the scored hidden layers, ascending
}

/** Buffers of a pass over up to `rows` rows, owned by a trainer and reused every step. */
export interface Workspace {
  rows: number; // capacity in rows
  input: Float32Array; // (rows, D0) the network's input rows (images with labels written in)
  acts: LayerActs<Float32Array>[]; // per layer
  feats: Float32Array; // (rows, F) head features
  normTmp: Float32Array; // (rows, max H) scratch for normalising a layer's output
  probs: Float32Array; // (rows, C) head probabilities
  dLogits: Float32Array; // (rows, C) head gradient scratch
}

/** How a workspace's layers pass activity up. */
export interface WorkspaceKind {
  act?: Activation; // default 'relu'
}

/** A network's shape: its widths [D0, H1, ..., HL], the scored hidden layers, the classes, and how each layer reads. */
export interface NetworkShape {
  widths: number[];
  scored: number[]; // 1-based hidden layer numbers
  classes: number;
  fanIn?: number[]; // inputs of each layer; default: the width below
  masks?: (Uint8Array | null)[]; // each layer's receptive fields (D, H), or null (dense); default: all dense
  scale?: number; // s of W ~ N(0, s²/fan_in); default 1 (then sd = 1/√fan_in, to the bit)
}

/**
 * W ~ N(0, s²/fan_in) with s = shape.scale (1: Hinton's), b = 0; head W = 0, b = 0, with the normals drawn from rng.
 * Layer l maps fanIn[l] inputs to widths[l + 1] units; fanIn defaults to the width below (the
 * feed-forward net); the recurrent net passes width below + width above. masks[l] (D, H), if
 * given, makes layer l local (receptive-field.ts): W = 0 outside it, and unit j's fan-in is the
 * count of its mask's column (the same normals are drawn either way).
 */
export function initNetwork(shape: NetworkShape, rng: Rng): Network {
  const { widths, scored: scored1, classes, fanIn = widths.slice(0, -1), masks = [], scale = 1 } = shape;
  const layers: LayerParams<Float32Array>[] = [];
  for (let l = 0; l + 1 < widths.length; l++) {
    const D = fanIn[l]!, H = widths[l + 1]!;
    const layer = makeLayerParams(D, H);
    const mask = masks[l] ?? null;
    const sd = Array.from({ length: H }, (_, j) => scale / Math.sqrt(mask ? maskFanIn(mask, D, H, j) : D));
    for (let i = 0; i < layer.W.length; i++) {
      const g = rng.normal();
      layer.W[i] = mask && mask[i] === 0 ? 0 : sd[i % H]! * g;
    }
    if (mask) layer.mask = mask;
    layers.push(layer);
  }
  const scored = scored1.map((s) => s - 1);
  const F = scored.reduce((sum, l) => sum + widths[l + 1]!, 0);
  return { widths: widths.slice(), layers, head: makeHeadParams(F, classes), scored };
}

export function makeWorkspace(net: Network, rows: number, kind: WorkspaceKind = {}): Workspace {
  const maxH = Math.max(...net.widths.slice(1));
  return {
    rows,
    input: sharedFloat32(rows * net.widths[0]!),
    acts: net.layers.map((l) => makeLayerActs(rows, l.D, l.H, kind.act)),
    feats: sharedFloat32(rows * net.head.F),
    normTmp: sharedFloat32(rows * maxH),
    probs: sharedFloat32(rows * net.head.C),
    dLogits: sharedFloat32(rows * net.head.C),
  };
}

/** Which layers a sweep runs, and how its first layer reads the rows. */
export interface Sweep {
  first?: FirstLayerForward; // layer 0 (src/ff/first-layer/); default: the plain layer
  from?: number; // > 0: start at that layer, reading what the layer below already holds (greedy training); default 0
  upTo?: number; // run layers from..upTo-1; default: all
}

// The bottom-up sweep over R rows of ws.input, through layers 0..upTo-1 (default: all).
// Leaves each layer's x̂, y and G in ws.acts; each layer reads what the one below passes up
// (layerOutput: y, or its triangle activity).
export function forwardAll(ctx: StepContext, ws: Workspace, net: Network, R: number, sweep: Sweep = {}): void {
  const { first = PLAIN_FIRST_LAYER, from = 0, upTo = net.layers.length } = sweep;
  if (from === 0 && upTo > 0) first.forward(ctx, net.layers[0]!, ws.acts[0]!, ws.input, R);
  let x = layerOutput(ws.acts[Math.max(from, 1) - 1]!);
  for (let l = Math.max(from, 1); l < upTo; l++) {
    layerForward(ctx, ws.acts[l]!, x, net.layers[l]!, R);
    x = layerOutput(ws.acts[l]!);
  }
}

// feats (R, F) = [norm(a_s1) | norm(a_s2) | ...] over the scored layers s, where a_l is layer l's
// activity: by default what it passes up after forwardAll; the recurrent net passes its states instead.
export function headFeatures(ctx: StepContext, ws: Workspace, net: Network, R: number, activity: Float32Array[] = ws.acts.map(layerOutput)): void {
  const { math, par } = ctx, F = net.head.F;
  let col = 0;
  for (const l of net.scored) {
    const H = net.layers[l]!.H;
    normalizeRows(ws.normTmp, activity[l]!, R, H, math.norm, par);
    par.run(COPY_COLUMNS_INTO, [ws.feats, ws.normTmp, F, col, H], R, R * H);
    col += H;
  }
}

// dst (R, F), columns col..col+H-1 = src (R, H).
function copyColumnsInto(dst: Float32Array, src: Float32Array, F: number, col: number, H: number, r0: number, r1: number): void {
  for (let r = r0; r < r1; r++) {
    for (let j = 0; j < H; j++) dst[r * F + col + j] = src[r * H + j]!;
  }
}

/** [dst, src, F, col, H]: copyColumnsInto. */
export const COPY_COLUMNS_INTO = rowTask<[dst: Float32Array, src: Float32Array, F: number, col: number, H: number]>('copyColumnsInto', (a, lo, hi) =>
  copyColumnsInto(...a, lo, hi));

/** Index of the largest of row r's C values (the first on ties). */
export function argmaxRow(m: Float32Array, r: number, C: number): number {
  let best = 0;
  for (let c = 1; c < C; c++) if (m[r * C + c]! > m[r * C + best]!) best = c;
  return best;
}
