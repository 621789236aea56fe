/**
 * Loads dist/asm/kernels.wasm (built from asm/kernels.ts by `npm run build`), found relative to this
 * compiled file. Compiled once per thread, synchronously, the first time kernels are needed; a
 * missing file or an engine without SIMD/threads gives `null` and callers use the JS kernels.
 * configureWasm({ enabled: false }) (SEXTANT_WASM=off for the server and CLI) forces the JS path.
 */
import { readFileSync } from 'node:fs';
import { wasmSettings } from './settings.js';

/** The module's exports (see asm/kernels.ts for what each computes). Pointers are byte offsets. */
export interface KernelExports {
  distance(kind: number, metric: number, fast: number, q: number, base: number, row: number, dim: number, qNorm: number, norms: number): number;
  scan(
    kind: number, metric: number, fast: number, q: number, base: number, dim: number, start: number, end: number,
    mask: number, norms: number, qNorm: number, out: number,
  ): void;
  scanBounded(
    kind: number, metric: number, q: number, base: number, dim: number, start: number, end: number,
    mask: number, norms: number, qNorm: number, out: number, thr: number,
  ): void;
  gather(
    kind: number, metric: number, fast: number, q: number, base: number, dim: number, ids: number, n: number,
    norms: number, qNorm: number, out: number,
  ): void;
  gatherBounded(
    kind: number, metric: number, q: number, base: number, dim: number, ids: number, n: number,
    norms: number, qNorm: number, out: number, thr: number,
  ): void;
  listMask(mask: number, valid: number, n: number, out: number, cap: number): number;
  permuteMask(mask: number, ids: number, n: number, out: number): void;
  /** Badness keys (metric value, negated for IP / COSINE) of listed rows; fast = 1 for float32 kernels. */
  gatherKeys(
    kind: number, metric: number, fast: number, q: number, base: number, dim: number, ids: number, n: number,
    norms: number, qNorm: number, out: number,
  ): void;
  /** One HNSW query: descent through the upper layers, then layer 0 (see asm hnswSearch). */
  hnswSearch(
    kind: number, metric: number, q: number, base: number, dim: number, norms: number, qNorm: number,
    links: number, stride0: number, upper: number, upperBase: number, strideU: number, entry: number, maxLevel: number,
    visited: number, epoch: number, ef: number, candKeys: number, candIds: number, resKeys: number, resIds: number,
    scratch: number, mask: number,
  ): number;
  sparseAccumulate(rows: number, vals: number, n: number, w: number, scores: number): void;
  pqScan(codes: number, m: number, ksub: number, from: number, to: number, lut: number, base: number, norms: number, qNorm: number, out: number): void;
  sq8Scan(metric: number, codes: number, dim: number, from: number, to: number, table: number, base: number, norms: number, qNorm: number, out: number, thr: number): void;
  sparseFinish(scores: number, n: number, mask: number, out: number): void;
  normsSq(kind: number, base: number, dim: number, n: number, out: number): void;
  decodeF16(src: number, n: number, dst: number): void;
  /** CRC-32C of len bytes at ptr continuing `seed`, with core/crc32c.ts's table at `table`. */
  crc32c(table: number, ptr: number, len: number, seed: number): number;
}

/*
 * The WebAssembly JS API, typed locally: the project's lib (ES2022, no DOM) does not declare it, and a
 * global declaration here could clash with another one.
 */
/** A compiled module (opaque; structured-cloneable to worker threads). */
export interface WasmModule { readonly __wasmModule?: never }
/** A (shared) linear memory. `buffer` is a SharedArrayBuffer of the current size. */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(deltaPages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (desc: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

function wasmApi(): WasmApi | null {
  const api: unknown = (globalThis as Record<string, unknown>)['WebAssembly'];
  return typeof api === 'object' && api !== null ? (api as WasmApi) : null;
}

/** A new shared memory of `initialPages`, growable to `maxPages`. */
export function newSharedMemory(initialPages: number, maxPages: number): WasmMemory {
  const api = wasmApi();
  if (api === null) throw new Error('WebAssembly is not available');
  return new api.Memory({ initial: initialPages, maximum: maxPages, shared: true });
}

/** `k` as T when the module exports every function in `names` (kernels an older build lacks), else null. */
export function withKernels<T extends KernelExports>(k: KernelExports, names: readonly string[]): T | null {
  const r = k as unknown as Record<string, unknown>;
  return names.every((name) => typeof r[name] === 'function') ? (k as T) : null;
}

const EXPORT_NAMES = ['distance', 'scan', 'scanBounded', 'gather', 'gatherBounded', 'listMask', 'permuteMask', 'gatherKeys', 'hnswSearch', 'sparseAccumulate', 'sparseFinish', 'sq8Scan', 'pqScan', 'normsSq', 'decodeF16', 'crc32c'] as const;

/** Where the build puts the module, relative to dist/src/index/wasm/loader.js. */
export const KERNELS_WASM_URL = new URL('../../../asm/kernels.wasm', import.meta.url);

/** Pages the module declares as its memory maximum (65536 pages = 4 GiB). */
export const MAX_PAGES = 65_536;
export const PAGE_BYTES = 65_536;

let cached: WasmModule | null | undefined;
let loadError: unknown = null;

/** The compiled module, or null when wasm kernels are unavailable (see `wasmLoadError`). */
export function kernelModule(): WasmModule | null {
  if (cached !== undefined) return cached;
  if (!wasmSettings().enabled) return (cached = null);
  const api = wasmApi();
  if (api === null) return (cached = null);
  try {
    cached = new api.Module(readFileSync(KERNELS_WASM_URL));
  } catch (e) {
    loadError = e;
    cached = null;
  }
  return cached;
}

/** Why `kernelModule()` returned null, if it did because of an error. */
export function wasmLoadError(): unknown {
  return loadError;
}

/** Instantiate the module over `memory` (shared, imported) and check its exports. */
export function instantiateKernels(module: WasmModule, memory: WasmMemory): KernelExports {
  const api = wasmApi();
  if (api === null) throw new Error('WebAssembly is not available');
  const instance = new api.Instance(module, { env: { memory } });
  const ex: Record<string, unknown> = instance.exports;
  for (const name of EXPORT_NAMES) {
    if (typeof ex[name] !== 'function') throw new Error(`kernels.wasm lacks export ${name}`);
  }
  return ex as unknown as KernelExports;
}
