// The few members of the WebAssembly JavaScript API this folder uses, typed locally: the project
// compiles with lib ES2022 and @types/node 20, neither of which declares the WebAssembly global,
// and a global .d.ts here would collide with whichever of them gains it later. Types only, plus
// the one lookup of globalThis.WebAssembly; no behaviour of its own.

/** A compiled module: opaque here; it can be posted to worker threads. */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** A WebAssembly.Memory; `buffer` is a SharedArrayBuffer when the memory is shared. */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  /** Add `deltaPages` 64 KiB pages; returns the previous size in pages. */
  grow(deltaPages: number): number;
}

export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: true }) => WasmMemory;
}

/** globalThis.WebAssembly, or undefined in a runtime without it. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
}
