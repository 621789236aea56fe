/**
 * The wasm path of `searchExact` (src/index/flat.ts) for dense and binary columns. Columns of at
 * least CACHE_MIN_BYTES are copied into wasm memory once and kept in a cache keyed by the column's
 * typed array (freed when that array is garbage-collected, or by `forgetColumn`); smaller columns are
 * copied per call into the process arena. Copies of OWN_MEMORY_MIN_BYTES or more get a wasm memory
 * of their own, dropped with the copy (the process arena can only be reused, never shrunk, so a copy
 * kept there would hold its memory for the process's life); searches of such a column run in that
 * memory (`store.arena`). Cached columns must not change in place after being searched (sealed and
 * growing chunks never do); a sample of rows is compared on every hit as a guard.
 */
import type { MetricType } from '../../core/enums.js';
import type { Column } from '../../schema/column.js';
import { errors, MilvusError } from '../../core/errors.js';
import { DIST_BLOCK_ROWS, type ScanContext } from '../scan-window.js';
import { WasmArena } from './arena.js';
import { METRIC, kindCode, metricCode, rowBytesOf } from './codes.js';
import { MAX_PAGES, PAGE_BYTES } from './loader.js';
import { forgetMemory } from './forget.js';
import { QueryBlock, storageCode, VectorStore, type WasmColumn } from './store.js';
import { scanIntoHeaps, type ScanTask } from './task.js';

/** Columns smaller than this are copied per search instead of cached (the copy is cheaper than bookkeeping). */
export const CACHE_MIN_BYTES = 256 * 1024;
/**
 * Cached copies of at least this many bytes live in a wasm memory of their own, given back to the
 * system when the copy is freed; smaller ones share the process arena (a memory per small chunk
 * would cost more than it holds).
 */
export const OWN_MEMORY_MIN_BYTES = 4 * 1024 * 1024;
/** Code of `errors.insufficientMemoryToLoad`, which WasmArena.alloc throws when it cannot grow. */
const ARENA_FULL_CODE = 3;
/** Rows compared between a cached store and its column on every cache hit. */
const GUARD_SAMPLES = 4;

let processArena: WasmArena | null | undefined;

/** The process-wide arena the synchronous path uses, or null when wasm is unavailable. */
export function defaultArena(): WasmArena | null {
  if (processArena === undefined) processArena = WasmArena.create();
  return processArena;
}

interface CacheEntry {
  store: VectorStore;
  /** Bytes of GUARD_SAMPLES source rows spread over the first `sampleRows`, when the store was made or extended. */
  sample: Uint8Array;
  sampleRows: number;
  /** Where the column's rows start in its buffer. */
  byteOffset: number;
  /** Made by `adoptStore` (its owner releases it), not a cached copy. */
  adopted: boolean;
}

/** Live cached copies that have a memory of their own (`ownCopy`), by that memory. */
const ownStores = new Map<WasmArena, VectorStore>();
/**
 * The entry of each such copy by the buffer its column views, shared by every view of that buffer at
 * the same offset: a growing segment's tail hands out a new, longer view after each append, and its
 * copy is extended by the new rows instead of made again (rows below a published view never change).
 */
const byBuffer = new WeakMap<ArrayBufferLike, CacheEntry>();

/** Bytes of the process arena's memory (it never shrinks) and of them allocated now; zeros before it is made. */
export function processArenaBytes(): { size: number; used: number } {
  return processArena ? { size: processArena.sizeBytes, used: processArena.usedBytes } : { size: 0, used: 0 };
}

/** Bytes of rows held by cached copies in memories of their own (a process-wide gauge). */
export function ownCopyBytes(): number {
  let total = 0;
  for (const s of ownStores.values()) total += s.numRows * s.rowBytes;
  return total;
}

/**
 * A copy of `numRows` rows of `column` in a wasm memory of its own, with room for its norms, a
 * search's scratch and, when the column's buffer goes on past its rows (a growing tail), for up to as
 * many rows again (pages of a fresh memory hold nothing until written). The pool's workers drop the
 * memory when the store is freed, and it goes with the last reference. Null when the memory cannot be
 * had (the caller copies into the process arena).
 */
function ownCopy(column: WasmColumn, numRows: number): VectorStore | null {
  const srcRowBytes = rowBytesOf(kindCode(column.kind), column.dim);
  const inBuffer = Math.floor((column.data.buffer.byteLength - column.data.byteOffset) / srcRowBytes);
  const capacity = Math.max(numRows, Math.min(inBuffer, 2 * numRows));
  const bytes = capacity * rowBytesOf(storageCode(column.kind), column.dim);
  // Rows, their norms (8 B a row), a search's mask (1 B a row) and queries / distances.
  const pages = Math.ceil((bytes + capacity * 9) / PAGE_BYTES) + 32;
  if (pages > MAX_PAGES) return null;
  let made: WasmArena | null;
  try {
    made = WasmArena.create(pages, Math.min(MAX_PAGES, pages * 2 + 256));
  } catch (e) {
    if (e instanceof RangeError) return null; // no memory for another wasm memory
    throw e;
  }
  if (made === null) return null;
  const a = made;
  const store = VectorStore.fromColumn(a, column, numRows, capacity);
  ownStores.set(a, store);
  store.onFreed(() => {
    ownStores.delete(a);
    forgetMemory(a.memory);
  });
  return store;
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

/**
 * The cached store holding at least `numRows` rows of `column`, creating, extending or renewing it:
 * in `a`, or, when `a` is the process arena and the copy is OWN_MEMORY_MIN_BYTES or more, in a memory
 * of its own. Search in `store.arena`, which need not be `a`.
 */
export function storeForColumn(a: WasmArena, column: WasmColumn, numRows: number): VectorStore {
  const hit = cache.get(column.data) ?? ownEntryOf(a, column);
  if (hit !== undefined) {
    const s = hit.store;
    const here = s.arena === a || (a === processArena && ownStores.get(s.arena) === s);
    if (!s.isReleased && here && sameBytes(hit.sample, sampleOf(column, hit.sampleRows))) {
      if (s.numRows >= numRows || s.extend(column, numRows)) {
        if (hit.sampleRows < numRows) {
          hit.sample = sampleOf(column, numRows);
          hit.sampleRows = numRows;
        }
        cache.set(column.data, hit);
        return s;
      }
    }
    drop(hit);
  }
  const own = a === processArena && numRows * rowBytesOf(storageCode(column.kind), column.dim) >= OWN_MEMORY_MIN_BYTES;
  const owned = own ? ownCopy(column, numRows) : null;
  const store = owned ?? VectorStore.fromColumn(a, column, numRows);
  const entry: CacheEntry = { store, sample: sampleOf(column, numRows), sampleRows: numRows, byteOffset: column.data.byteOffset, adopted: false };
  cache.set(column.data, entry);
  if (owned !== null) byBuffer.set(column.data.buffer, entry);
  // A copy shared by the views of one buffer lives as long as the buffer; others as long as their view.
  finalizer.register(owned !== null ? column.data.buffer : column.data, store, store);
  return store;
}

/** The own-memory copy made for another view of `column`'s buffer at the same offset and shape, if any. */
function ownEntryOf(a: WasmArena, column: WasmColumn): CacheEntry | undefined {
  if (a !== processArena) return undefined;
  const e = byBuffer.get(column.data.buffer);
  const s = e?.store;
  return s !== undefined && s.kind === column.kind && s.dim === column.dim && e!.byteOffset === column.data.byteOffset ? e : undefined;
}

/** Release a cached copy that is stale (its source changed, or it cannot hold the rows asked for). */
function drop(entry: CacheEntry): void {
  finalizer.unregister(entry.store);
  entry.store.release();
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
  cache.set(column.data, { store, sample: sampleOf(column, store.numRows), sampleRows: store.numRows, byteOffset: column.data.byteOffset, adopted: true });
}

/**
 * The arena of the live store adopted by `column` (a resident column's own memory) or of its cached
 * copy (its own memory, or the process arena), or null.
 */
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

/** The live store adopted for `column` (not a cached copy) holding at least `numRows` rows, or null. */
export function adoptedStore(column: WasmColumn, numRows: number): VectorStore | null {
  const hit = cache.get(column.data);
  const s = hit?.store;
  return s !== undefined && hit!.adopted && !s.isReleased && s.numRows >= numRows ? s : null;
}

/** Drop the cached copy of a column now (e.g. on release) instead of waiting for GC. */
export function forgetColumn(column: WasmColumn): void {
  const hit = cache.get(column.data);
  if (hit === undefined) return;
  cache.delete(column.data);
  if (byBuffer.get(column.data.buffer) === hit) byBuffer.delete(column.data.buffer);
  finalizer.unregister(hit.store);
  hit.store.release();
}

/** `forgetColumn` for each of `columns` (a released segment's) that has a cached copy: it goes now, not at GC. */
export function forgetCopies(columns: Iterable<Column>): void {
  // Only vector columns' arrays are ever keys of the cache.
  for (const c of columns) if (cache.has(c.data)) forgetColumn(c as WasmColumn);
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
  // A resident column (see resident.ts) or a big cached copy is searched in its own memory; others in
  // the process arena.
  const home = residentArena(column) ?? defaultArena();
  if (home === null) return false;
  const cached = column.data.byteLength >= CACHE_MIN_BYTES || home !== defaultArena();
  let store: VectorStore;
  try {
    store = cached ? storeForColumn(home, column, numRows) : VectorStore.fromColumn(home, column, numRows);
  } catch (e) {
    if (e instanceof MilvusError && e.code === ARENA_FULL_CODE) return false; // the 4 GiB arena is full: scan in JS
    throw e;
  }
  const a = store.arena;
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
