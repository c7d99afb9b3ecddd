// What the kernel-building files share: the function index of every function in the matmul
// module, the byte offset of a job descriptor field, and a helper that numbers a function's
// locals. No code is emitted here.
import type { ValType } from './emit.ts';

/** Function indices in the module (no imported functions, so definition order). */
export const FN = {
  micro: 0, macro: 1, multiplyTask: 2,
  packContigA: 3, packStridedA: 4, packContigB: 5, packStridedB: 6, packTaskA: 7, packTaskB: 8,
  run: 9,
  microSparse: 10, macroSparse: 11, multiplySparseTask: 12,
} as const;

/** Byte offset of a job descriptor field (layout.ts JOB) from the descriptor's address. */
export const field = (f: number): number => 4 * f;

/** Hands out local indices after the params, remembering their types for the declaration. */
export class Locals {
  readonly types: ValType[] = [];
  constructor(private readonly nParams: number) {}
  add(t: ValType): number {
    this.types.push(t);
    return this.nParams + this.types.length - 1;
  }
}

