/**
 * The wasm path of `searchExact` (src/index/flat.ts) for dense and binary columns. Columns of at
 * least CACHE_MIN_BYTES are copied into the process arena once and kept in a cache keyed by the
 * column's typed array (freed when that array is garbage-collected, or by `forgetColumn`); smaller
 * columns are copied per call. Cached columns must not change in place after being searched (sealed
 * and growing chunks never do); a sample of rows is compared on every hit as a guard.
 */
import type { MetricType } from '../../core/enums.js';
import { errors, MilvusError } from '../../core/errors.js';
import { DIST_BLOCK_ROWS, type ScanContext } from '../scan-window.js';
import { WasmArena } from './arena.js';
import { METRIC, kindCode, metricCode, rowBytesOf } from './codes.js';
import { QueryBlock, VectorStore, type WasmColumn } from './store.js';
import { scanIntoHeaps, type ScanTask } from './task.js';

/** Columns smaller than this are copied per search instead of cached (the copy is cheaper than bookkeeping). */
export const CACHE_MIN_BYTES = 256 * 1024;
/** Code of `errors.insufficientMemoryToLoad`, which WasmArena.alloc throws when it cannot grow. */
const ARENA_FULL_CODE = 3;
/** Rows compared between a cached store and its column on every cache hit. */
const GUARD_SAMPLES = 4;

let arena: WasmArena | null | undefined;

/** The process-wide arena the synchronous path uses, or null when wasm is unavailable. */
export function defaultArena(): WasmArena | null {
  if (arena === undefined) arena = WasmArena.create();
  return arena;
}

interface CacheEntry {
  store: VectorStore;
  /** Bytes of GUARD_SAMPLES source rows (first to last) when the store was made. */
  sample: Uint8Array;
}

const cache = new WeakMap<object, CacheEntry>();
const finalizer = new FinalizationRegistry<VectorStore>((store) => store.release());

/** The source bytes of GUARD_SAMPLES rows spread over [0, numRows). */
function sampleOf(column: WasmColumn, numRows: number): Uint8Array {
  const rb = rowBytesOf(kindCode(column.kind), column.dim);
  const src = new Uint8Array(column.data.buffer, column.data.byteOffset, numRows * rb);
  const out = new Uint8Array(numRows === 0 ? 0 : GUARD_SAMPLES * rb);
  if (numRows === 0) return out;
  for (let s = 0; s < GUARD_SAMPLES; s++) {
    const row = Math.floor(((numRows - 1) * s) / (GUARD_SAMPLES - 1));
    out.set(src.subarray(row * rb, (row + 1) * rb), s * rb);
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The cached store holding at least `numRows` rows of `column`, creating or renewing it. */
export function storeForColumn(a: WasmArena, column: WasmColumn, numRows: number): VectorStore {
  const hit = cache.get(column.data);
  if (hit !== undefined) {
    const s = hit.store;
    if (!s.isReleased && s.arena === a && s.numRows >= numRows && sameBytes(hit.sample, sampleOf(column, s.numRows))) return s;
    finalizer.unregister(s);
    s.release();
  }
  const store = VectorStore.fromColumn(a, column, numRows);
  cache.set(column.data, { store, sample: sampleOf(column, numRows) });
  finalizer.register(column.data, store, store);
  return store;
}

/**
 * Make `store` the cached copy of `column` without copying, typically with `column.data =
 * store.rows()` (a view of wasm memory) so a loaded segment exists once. The store's owner keeps
 * responsibility for releasing it, and must not search the column after that (its data would be
 * freed memory). float16 stores hold float32, so they cannot back a float16 column.
 */
export function adoptStore(column: WasmColumn, store: VectorStore): void {
  if (store.kind !== column.kind || store.dim !== column.dim) {
    throw errors.invalidParameter('store does not match the column', { expected: `${store.kind}/${store.dim}`, actual: `${column.kind}/${column.dim}` });
  }
  cache.set(column.data, { store, sample: sampleOf(column, store.numRows) });
}

/** The arena of the live store adopted by `column` (a resident column's own memory), or null. */
export function residentArena(column: WasmColumn): WasmArena | null {
  const adopted = cache.get(column.data)?.store;
  return adopted !== undefined && !adopted.isReleased ? adopted.arena : null;
}

/**
 * The store a search of `numRows` rows of `column` reads: its resident store when it has one,
 * otherwise the cached copy in `fallback` (made on first use). Throws code 3 when that arena is full.
 */
export function storeToSearch(fallback: WasmArena, column: WasmColumn, numRows: number): VectorStore {
  return storeForColumn(residentArena(column) ?? fallback, column, numRows);
}

/** The live store adopted for (or cached from) `column` holding at least `numRows` rows, or null. */
export function adoptedStore(column: WasmColumn, numRows: number): VectorStore | null {
  const s = cache.get(column.data)?.store;
  return s !== undefined && !s.isReleased && s.numRows >= numRows ? s : null;
}

/** Drop the cached copy of a column now (e.g. on release) instead of waiting for GC. */
export function forgetColumn(column: WasmColumn): void {
  const hit = cache.get(column.data);
  if (hit === undefined) return;
  cache.delete(column.data);
  finalizer.unregister(hit.store);
  hit.store.release();
}

/** Fill `mask` (numRows bytes at ptr) with filter AND valid; returns 0 when neither is given. */
function writeMask(a: WasmArena, filter: Uint8Array | null, valid: Uint8Array | null, numRows: number): number {
  if (filter === null && valid === null) return 0;
  const ptr = a.alloc(numRows);
  const u8 = a.u8;
  if (filter !== null && valid !== null) {
    for (let i = 0; i < numRows; i++) u8[ptr + i] = filter[i] !== 0 && valid[i] !== 0 ? 1 : 0;
  } else {
    u8.set((filter ?? valid)!.subarray(0, numRows), ptr);
  }
  return ptr;
}

/**
 * Exact scan of `numRows` rows of `column` for `queries` (same kind/dim, validated by the caller) into
 * `ctx.heaps`, exactly like scanDense / scanBinary. Returns false (and does nothing) without wasm.
 */
export function wasmScanExact(
  column: WasmColumn, queries: WasmColumn, metric: MetricType, numRows: number, ctx: ScanContext,
): boolean {
  // A resident column (see resident.ts) is searched in its own memory; others in the process arena.
  const a = residentArena(column) ?? defaultArena();
  if (a === null) return false;
  const cached = column.data.byteLength >= CACHE_MIN_BYTES || a !== defaultArena();
  let store: VectorStore;
  try {
    store = cached ? storeForColumn(a, column, numRows) : VectorStore.fromColumn(a, column, numRows);
  } catch (e) {
    if (e instanceof MilvusError && e.code === ARENA_FULL_CODE) return false; // the 4 GiB arena is full: scan in JS
    throw e;
  }
  const m = metricCode(metric);
  const q = QueryBlock.create(a, queries.kind, queries.dim, queries.data);
  const mask = writeMask(a, ctx.filter, ctx.valid, numRows);
  const dists = a.alloc(DIST_BLOCK_ROWS * 4);
  try {
    const task: ScanTask = {
      // Pruning needs row norms for IP: worth it only when they are kept (cached stores).
      kind: store.code, metric: m, fast: 0, bounded: cached || m !== METRIC.IP ? 1 : 0, dim: store.dim, base: store.ptr,
      norms: store.normsFor(m, cached),
      queries: q.ptr, qNorms: q.normsPtr, nq: q.nq, start: 0, end: numRows, mask, dists,
    };
    scanIntoHeaps(a, task, ctx);
  } finally {
    a.release(dists);
    if (mask !== 0) a.release(mask);
    q.free();
    if (!cached) store.release();
  }
  return true;
}
