/**
 * Optional wasm acceleration of list scans (IVF_FLAT, BIN_IVF_FLAT). For one search it takes the
 * column's wasm store (its resident memory when loaded, else the cache `searchExact` uses, or a
 * temporary copy for small columns), copies
 * the queries and the lists' row ids into the arena, and computes the metric values of one list's
 * rows per call with the `gather` kernel (fast = 0: the float64 reference order, so the scores are
 * bit-identical to the JS kernels and to FLAT). Without wasm (or SEXTANT_WASM=off) `open` gives null
 * and the index scans in JS.
 */
import type { MetricType } from '../../../core/enums.js';
import { assert } from '../../../core/assert.js';
import { MilvusError } from '../../../core/errors.js';
import { CACHE_MIN_BYTES, defaultArena, residentArena, storeForColumn } from '../../wasm/exact.js';
import { KIND, kindCode, metricCode, rowBytesOf } from '../../wasm/codes.js';
import { QueryBlock, VectorStore, type WasmColumn } from '../../wasm/store.js';
import { WasmArena } from '../../wasm/arena.js';
import type { InvertedLists } from './lists.js';
import { WasmCoarse } from './wasm-coarse.js';

/** Code of `errors.insufficientMemoryToLoad`, which WasmArena.alloc throws when it cannot grow. */
const ARENA_FULL_CODE = 3;

interface Parts {
  store: VectorStore;
  temporary: boolean;
  queries: QueryBlock;
  idsPtr: number;
  outPtr: number;
  /** Metric code and the store's norms pointer it needs (COSINE), or 0. */
  metric: number;
  norms: number;
}

export class WasmGather implements ListScorer {
  private closed = false;

  private constructor(private readonly arena: WasmArena, private readonly p: Parts) {}

  /**
   * A gatherer for one search, or null when the wasm kernels are unavailable or the arena is full
   * (the index then scans in JS, like searchExact). Close it after the search.
   */
  static open(column: WasmColumn, numRows: number, queries: WasmColumn, metric: MetricType, lists: InvertedLists): WasmGather | null {
    // A resident column (a loaded segment) or a big cached copy is read in its own memory, where the
    // queries and ids go too; asking the process arena for it would make a second copy.
    const resident = residentArena(column);
    const home = resident ?? defaultArena();
    if (home === null || lists.ids.length === 0) return null;
    const temporary = resident === null && column.data.byteLength < CACHE_MIN_BYTES;
    const m = metricCode(metric);
    let store: VectorStore;
    try {
      store = temporary ? VectorStore.fromColumn(home, column, numRows) : storeForColumn(home, column, numRows);
    } catch (e) {
      if (e instanceof MilvusError && e.code === ARENA_FULL_CODE) return null;
      throw e;
    }
    const arena = store.arena;
    let block: QueryBlock | null = null, idsPtr = 0, outPtr = 0;
    try {
      block = QueryBlock.create(arena, queries.kind, queries.dim, queries.data);
      idsPtr = arena.alloc(lists.ids.length * 4);
      arena.i32.set(lists.ids, idsPtr >>> 2);
      let longest = 0;
      for (let l = 0; l < lists.nlist; l++) longest = Math.max(longest, lists.offsets[l + 1]! - lists.offsets[l]!);
      outPtr = arena.alloc(longest * 4);
      const norms = store.normsFor(m, false);
      return new WasmGather(arena, { store, temporary, queries: block, idsPtr, outPtr, metric: m, norms });
    } catch (e) {
      if (outPtr !== 0) arena.release(outPtr);
      if (idsPtr !== 0) arena.release(idsPtr);
      block?.free();
      if (temporary) store.release();
      if (e instanceof MilvusError && e.code === ARENA_FULL_CODE) return null;
      throw e;
    }
  }

  /**
   * Metric values of query `qi` against the rows at list positions [from, to), as float32: the
   * returned array aliases wasm memory, entry i belongs to position from + i; valid until the next call.
   */
  distances(qi: number, from: number, to: number, _thr = Infinity): Float32Array {
    assert(!this.closed, 'gather after close');
    const { store, queries } = this.p;
    this.arena.k.gather(store.code, this.p.metric, 0, queries.at(qi), store.ptr, store.dim,
      this.p.idsPtr + from * 4, to - from, this.p.norms, queries.norm(qi), this.p.outPtr);
    return this.arena.f32;
  }

  /** Index of entry 0 of `distances` in the array it returns. */
  get outIndex(): number {
    return this.p.outPtr >>> 2;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.arena.release(this.p.idsPtr);
    this.arena.release(this.p.outPtr);
    this.p.queries.free();
    if (this.p.temporary) this.p.store.release();
  }
}

/** What a list scan reads its scores from: a gather over the column, or a contiguous list copy. */
export interface ListScorer {
  /**
   * Metric values of query `qi` against the rows at list positions [from, to), as float32 (NaN for a
   * row that provably cannot beat `thr`, the heap's worst badness key; +Inf prunes nothing). The
   * returned array aliases wasm memory, entry i belongs to position from + i; valid until the next call.
   */
  distances(qi: number, from: number, to: number, thr: number): Float32Array;
  /** Index of entry 0 of `distances` in the array it returns. */
  readonly outIndex: number;
  close(): void;
}

/**
 * IVF_FLAT's rows copied once, contiguously in list order, into a wasm memory owned by the index
 * (as Milvus's IVF_FLAT keeps its own copy of the vectors). A probed list is then one sequential,
 * bounded scan (`scanBounded`: float32 pruning against the heap threshold, exact values for the rows
 * that can still enter), about 5x faster than gathering rows scattered over the column. Scores are
 * the exact kernels', identical to `gather` and FLAT.
 */
export class ListRows {
  /** The list offsets, row ids and centroids, copied next to the rows (pool tasks read them there). */
  readonly offsetsPtr: number;
  readonly idsPtr: number;
  readonly centroidsPtr: number;

  private constructor(readonly store: VectorStore, readonly longest: number, lists: InvertedLists, centroids: Float32Array) {
    const a = store.arena;
    this.offsetsPtr = a.alloc(lists.offsets.byteLength);
    a.i32.set(lists.offsets, this.offsetsPtr >>> 2);
    this.idsPtr = a.alloc(lists.ids.byteLength);
    a.i32.set(lists.ids, this.idsPtr >>> 2);
    this.centroidsPtr = a.alloc(Math.max(4, centroids.byteLength));
    a.f32.set(centroids, this.centroidsPtr >>> 2);
  }

  private coarseKeys: WasmCoarse | undefined;

  /** The index's coarse keys over the centroids copied here (scratch made on first use). */
  coarse(nlist: number, ip: boolean): WasmCoarse {
    this.coarseKeys ??= new WasmCoarse(this.store.arena, this.centroidsPtr, nlist, this.store.dim, ip);
    return this.coarseKeys;
  }

  /** The copy, or null without the wasm kernels (the index then gathers or scans in JS). */
  static create(column: WasmColumn, lists: InvertedLists, centroids: Float32Array): ListRows | null {
    const m = lists.ids.length;
    if (m === 0) return null;
    const code = kindCode(column.kind);
    const rb = rowBytesOf(code, column.dim);
    const src = new Uint8Array(column.data.buffer, column.data.byteOffset, column.data.byteLength);
    const bytes = new Uint8Array(m * rb);
    for (let j = 0; j < m; j++) {
      const row = lists.ids[j]!;
      bytes.set(src.subarray(row * rb, (row + 1) * rb), j * rb);
    }
    const data = typedLike(column, bytes);
    // float16 rows are held decoded (float32), and norms (8 bytes a row) come on first IP / COSINE search.
    const stored = code === KIND.float16 ? m * column.dim * 4 : m * rb;
    let longest = 0;
    for (let l = 0; l < lists.nlist; l++) longest = Math.max(longest, lists.offsets[l + 1]! - lists.offsets[l]!);
    const reordered = { kind: column.kind, dim: column.dim, data, valid: null } as WasmColumn;
    return WasmArena.owned(stored + m * 12 + centroids.byteLength,
      (arena) => new ListRows(VectorStore.fromColumn(arena, reordered, m), longest, lists, centroids));
  }

  /**
   * A scorer for one search's queries (close it after the search). With a `filter` (row-id order,
   * numRows bytes), rows it excludes are skipped inside the scans (`positionMask`).
   */
  open(queries: WasmColumn, metric: MetricType, filter: Uint8Array | null, numRows: number): ListScorer {
    const store = this.store, arena = store.arena;
    const m = store.metric(metric);
    const bounded = store.code <= KIND.bfloat16;
    const norms = store.normsFor(m, bounded);
    const block = store.query(queries.data);
    return listScorer(arena, block, this.longest, filter === null ? 0 : positionMask(arena, filter, numRows, this.idsPtr, store.numRows),
      (qi, from, to, thr, outPtr, mask) => {
        if (bounded) arena.k.scanBounded(store.code, m, block.at(qi), store.ptr, store.dim, from, to, mask, norms, block.norm(qi), outPtr, thr);
        else arena.k.scan(store.code, m, 0, block.at(qi), store.ptr, store.dim, from, to, mask, norms, block.norm(qi), outPtr);
      });
  }
}

/**
 * A ListScorer over list positions: `score(qi, from, to, thr, outPtr, mask)` writes the metric values
 * of positions [from, to) from outPtr on; closing frees the query block, the output and the mask.
 */
export function listScorer(
  arena: WasmArena, block: QueryBlock, longest: number, mask: number,
  score: (qi: number, from: number, to: number, thr: number, outPtr: number, mask: number) => void,
): ListScorer {
  let outPtr: number;
  try {
    outPtr = arena.alloc(Math.max(1, longest) * 4);
  } catch (e) {
    block.free();
    if (mask !== 0) arena.release(mask);
    throw e;
  }
  let closed = false;
  return {
    outIndex: outPtr >>> 2,
    distances(qi: number, from: number, to: number, thr: number): Float32Array {
      assert(!closed, 'scan after close');
      score(qi, from, to, thr, outPtr, mask);
      return arena.f32;
    },
    close(): void {
      if (closed) return;
      closed = true;
      block.free();
      arena.release(outPtr);
      if (mask !== 0) arena.release(mask);
    },
  };
}

/** `filter` (row-id order) permuted into the list-position order of the `listed` row ids at idsPtr; release it when done. */
export function positionMask(arena: WasmArena, filter: Uint8Array, numRows: number, idsPtr: number, listed: number): number {
  const rowMask = arena.alloc(Math.max(1, numRows));
  try {
    arena.u8.set(filter.subarray(0, numRows), rowMask);
    const out = arena.alloc(Math.max(1, listed));
    arena.k.permuteMask(rowMask, idsPtr, listed, out);
    return out;
  } finally {
    arena.release(rowMask);
  }
}

/** `bytes` viewed as the typed array a column of `column`'s kind holds. */
function typedLike(column: WasmColumn, bytes: Uint8Array): WasmColumn['data'] {
  switch (column.kind) {
    case 'floatVector': return new Float32Array(bytes.buffer);
    case 'float16Vector': case 'bfloat16Vector': return new Uint16Array(bytes.buffer);
    case 'int8Vector': return new Int8Array(bytes.buffer);
    case 'binaryVector': return bytes;
  }
}
