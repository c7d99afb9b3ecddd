// What the browser bundle gets for `node:v8` (the playground's bundler maps the import here): the
// V8 flag that turns relaxed SIMD on under Node 20 (wasm/index.ts) has no meaning in a page, whose
// browser has relaxed SIMD on by default; the page never asks for the wasm-fma backend anyway.

export function setFlagsFromString(): void {}
