// A tiny WebAssembly assembler: LEB128, sections, and a function-body builder whose methods are
// named after the instructions they append (`i32Add`, `v128Load`, `f32x4Mul`, `loop`, `brIf`).
// It knows just the opcodes the matmul module needs (i32, f32, v128/SIMD128, a few atomics) and
// checks nothing beyond what it must: WebAssembly.validate / new WebAssembly.Module are the
// verifier. It never builds code from source strings; every byte comes from a typed helper call.
// Spec: https://webassembly.github.io/spec/core/binary/ (opcodes) and the threads/SIMD proposals.

/** Value types, as they appear in signatures and local declarations. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;

/** Section ids, in the order they must appear in a module. */
const SECTION = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const;

/** Unsigned LEB128: 7 bits per byte, low group first, high bit = "more bytes follow". */
export function uleb(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`uleb: bad value ${n}`);
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (for i32.const): stop once the remaining bits are all copies of the sign bit. */
export function sleb(n: number): number[] {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) throw new Error(`sleb: bad value ${n}`);
  n |= 0; // i32 view: 0xffffffff and -1 are the same constant
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A name: its UTF-8 length, then its bytes. */
function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

/** A vector: element count, then the concatenated elements. */
function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** A section: id, byte size, contents. */
function section(id: number, contents: number[]): number[] {
  return [id, ...uleb(contents.length), ...contents];
}

/** Block type for blocks/loops/ifs that take and leave nothing on the stack. */
const BLOCK_EMPTY = 0x40;

/**
 * One function body under construction. Each method appends one instruction (or a structured
 * block around a callback) and returns `this`, so code reads like the wasm text format.
 * Memory offsets are in bytes; `align` is log2 of the alignment hint (the natural one by default).
 */
export class Code {
  readonly bytes: number[] = [];

  private op(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  /** memarg: alignment exponent, then constant byte offset added to the address operand. */
  private memarg(align: number, offset: number): number[] {
    return [...uleb(align), ...uleb(offset)];
  }
  /** A SIMD (0xfd-prefixed) instruction; its sub-opcode is a LEB128 u32. */
  private simd(sub: number, ...rest: number[]): this {
    return this.op(0xfd, ...uleb(sub), ...rest);
  }
  /** A threads (0xfe-prefixed) instruction. */
  private atomic(sub: number, ...rest: number[]): this {
    return this.op(0xfe, ...uleb(sub), ...rest);
  }

  // --- control ---------------------------------------------------------------------------
  /** `block ... end`: `br 0` inside jumps to after the end (a forward exit). */
  block(body: (c: this) => void): this {
    this.op(0x02, BLOCK_EMPTY);
    body(this);
    return this.op(0x0b);
  }
  /** `loop ... end`: `br 0` inside jumps back to the start (the loop does not repeat by itself). */
  loop(body: (c: this) => void): this {
    this.op(0x03, BLOCK_EMPTY);
    body(this);
    return this.op(0x0b);
  }
  /** `if ... end` on the i32 popped from the stack (non-zero = taken). */
  if(body: (c: this) => void): this {
    this.op(0x04, BLOCK_EMPTY);
    body(this);
    return this.op(0x0b);
  }
  /** `if ... else ... end` on the i32 popped from the stack. */
  ifElse(then: (c: this) => void, otherwise: (c: this) => void): this {
    this.op(0x04, BLOCK_EMPTY);
    then(this);
    this.op(0x05);
    otherwise(this);
    return this.op(0x0b);
  }
  /** Branch to the `depth`-th enclosing block/loop (0 = innermost). */
  br(depth: number): this {
    return this.op(0x0c, ...uleb(depth));
  }
  /** Branch if the popped i32 is non-zero. */
  brIf(depth: number): this {
    return this.op(0x0d, ...uleb(depth));
  }
  call(funcIndex: number): this {
    return this.op(0x10, ...uleb(funcIndex));
  }

  // --- locals ----------------------------------------------------------------------------
  localGet(i: number): this {
    return this.op(0x20, ...uleb(i));
  }
  localSet(i: number): this {
    return this.op(0x21, ...uleb(i));
  }
  /** Set and keep the value on the stack. */
  localTee(i: number): this {
    return this.op(0x22, ...uleb(i));
  }

  // --- i32 -------------------------------------------------------------------------------
  i32Const(n: number): this {
    return this.op(0x41, ...sleb(n));
  }
  i32Load(offset = 0, align = 2): this {
    return this.op(0x28, ...this.memarg(align, offset));
  }
  i32Store(offset = 0, align = 2): this {
    return this.op(0x36, ...this.memarg(align, offset));
  }
  i32Eqz(): this {
    return this.op(0x45);
  }
  i32Eq(): this {
    return this.op(0x46);
  }
  i32Ne(): this {
    return this.op(0x47);
  }
  i32LtU(): this {
    return this.op(0x49);
  }
  i32GtU(): this {
    return this.op(0x4b);
  }
  i32LeU(): this {
    return this.op(0x4d);
  }
  i32GeU(): this {
    return this.op(0x4f);
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32DivU(): this {
    return this.op(0x6e);
  }
  i32RemU(): this {
    return this.op(0x70);
  }
  /** Discard the top of the stack. */
  drop(): this {
    return this.op(0x1a);
  }

  // --- f32 (scalar, for the feature probe) -----------------------------------------------
  f32Load(offset = 0, align = 2): this {
    return this.op(0x2a, ...this.memarg(align, offset));
  }

  /** Store the popped f32 at memory[addr + offset] (addr is pushed before the value). */
  f32Store(offset = 0, align = 2): this {
    return this.op(0x38, ...this.memarg(align, offset));
  }

  // --- v128 / f32x4 ----------------------------------------------------------------------
  /** Push 16 bytes from memory[addr + offset]. */
  v128Load(offset = 0, align = 4): this {
    return this.simd(0x00, ...this.memarg(align, offset));
  }
  /** Push one f32 from memory[addr + offset], copied into all four lanes. */
  v128Load32Splat(offset = 0, align = 2): this {
    return this.simd(0x09, ...this.memarg(align, offset));
  }
  /** Store the popped v128 at memory[addr + offset] (addr is pushed before the value). */
  v128Store(offset = 0, align = 4): this {
    return this.simd(0x0b, ...this.memarg(align, offset));
  }
  /** All-zero v128. */
  v128Zero(): this {
    return this.simd(0x0c, ...new Array<number>(16).fill(0));
  }
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  /** Lane-wise IEEE single add, round to nearest even; the same bits on every machine. */
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  /** Lane-wise IEEE single multiply, rounded; deliberately not fused with the add. */
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  /**
   * Relaxed SIMD: pops a, b, c, pushes a·b + c, fused (one rounding) or not, as the machine does
   * it; so its bits may differ between machines. Only the opt-in 'wasm-fma' backend emits it.
   */
  f32x4RelaxedMadd(): this {
    return this.simd(0x105);
  }

  // --- atomics (shared memory) -----------------------------------------------------------
  /** Atomically add the popped i32 to memory[addr + offset]; push the old value. */
  i32AtomicRmwAdd(offset = 0): this {
    return this.atomic(0x1e, ...this.memarg(2, offset));
  }
}

/** A function: its signature, its extra locals (beyond the params), its body, an optional export. */
export interface FuncDef {
  params: ValType[];
  results: ValType[];
  locals: ValType[];
  body: Code;
  exportName?: string;
}

/** Limits of the imported memory, in 64 KiB pages. */
export interface MemoryImport {
  module: string;
  field: string;
  initialPages: number;
  maximumPages: number;
  shared: boolean;
}

/**
 * The bytes of a module that imports one memory and defines `funcs` (function i has index i:
 * there are no imported functions). Each function gets its own type entry, for simplicity.
 */
export function buildModule(memory: MemoryImport, funcs: FuncDef[]): Uint8Array {
  const magicVersion = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]; // "\0asm", version 1
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  // Limits flags: bit 0 = has maximum, bit 1 = shared (shared memories must have a maximum).
  const limits = memory.shared
    ? [0x03, ...uleb(memory.initialPages), ...uleb(memory.maximumPages)]
    : [0x01, ...uleb(memory.initialPages), ...uleb(memory.maximumPages)];
  const memImport = [...name(memory.module), ...name(memory.field), 0x02, ...limits]; // 0x02 = memory
  const exports = funcs.flatMap((f, i) => (f.exportName === undefined ? [] : [[...name(f.exportName), 0x00, ...uleb(i)]]));
  const bodies = funcs.map((f) => {
    // Locals are declared as runs of (count, type); one run per local keeps this simple.
    const locals = vec(f.locals.map((t) => [1, t]));
    const body = [...locals, ...f.body.bytes, 0x0b]; // 0x0b = end of the function
    return [...uleb(body.length), ...body];
  });
  return new Uint8Array([
    ...magicVersion,
    ...section(SECTION.type, vec(types)),
    ...section(SECTION.import, vec([memImport])),
    ...section(SECTION.function, vec(funcs.map((_, i) => uleb(i)))),
    ...section(SECTION.export, vec(exports)),
    ...section(SECTION.code, vec(bodies)),
  ]);
}
