/**
 * Optional wasm acceleration of list scans (IVF_FLAT, BIN_IVF_FLAT). For one search it takes the
 * column's wasm store (the cache `searchExact` uses, or a temporary copy for small columns), copies
 * the queries and the lists' row ids into the arena, and computes the metric values of one list's
 * rows per call with the `gather` kernel (fast = 0: the float64 reference order, so the scores are
 * bit-identical to the JS kernels and to FLAT). Without wasm (or SEXTANT_WASM=off) `open` gives null
 * and the index scans in JS.
 */
import type { MetricType } from '../../../core/enums.js';
import { assert } from '../../../core/assert.js';
import { CACHE_MIN_BYTES, defaultArena, storeForColumn } from '../../wasm/exact.js';
import { metricCode } from '../../wasm/codes.js';
import { QueryBlock, VectorStore, type WasmColumn } from '../../wasm/store.js';
import type { WasmArena } from '../../wasm/arena.js';
import type { InvertedLists } from './lists.js';

export class WasmGather {
  private readonly arena: WasmArena;
  private readonly store: VectorStore;
  private readonly temporary: boolean;
  private readonly queries: QueryBlock;
  private readonly metric: number;
  private readonly norms: number;
  private readonly idsPtr: number;
  private readonly outPtr: number;
  private closed = false;

  private constructor(arena: WasmArena, column: WasmColumn, numRows: number, queries: WasmColumn, metric: MetricType, lists: InvertedLists) {
    this.arena = arena;
    this.temporary = column.data.byteLength < CACHE_MIN_BYTES;
    this.store = this.temporary ? VectorStore.fromColumn(arena, column, numRows) : storeForColumn(arena, column, numRows);
    this.metric = metricCode(metric);
    this.norms = this.store.normsFor(this.metric, false);
    this.queries = QueryBlock.create(arena, queries.kind, queries.dim, queries.data);
    this.idsPtr = arena.alloc(lists.ids.length * 4);
    arena.i32.set(lists.ids, this.idsPtr >>> 2);
    let longest = 0;
    for (let l = 0; l < lists.nlist; l++) longest = Math.max(longest, lists.offsets[l + 1]! - lists.offsets[l]!);
    this.outPtr = arena.alloc(longest * 4);
  }

  /** A gatherer for one search, or null when the wasm kernels are unavailable. Close it after the search. */
  static open(column: WasmColumn, numRows: number, queries: WasmColumn, metric: MetricType, lists: InvertedLists): WasmGather | null {
    const arena = defaultArena();
    if (arena === null || lists.ids.length === 0) return null;
    return new WasmGather(arena, column, numRows, queries, metric, lists);
  }

  /**
   * Metric values of query `qi` against the rows at list positions [from, to), as float32: the
   * returned array aliases wasm memory, entry i belongs to position from + i; valid until the next call.
   */
  distances(qi: number, from: number, to: number): Float32Array {
    assert(!this.closed, 'gather after close');
    const a = this.arena;
    a.k.gather(this.store.code, this.metric, 0, this.queries.at(qi), this.store.ptr, this.store.dim,
      this.idsPtr + from * 4, to - from, this.norms, this.queries.norm(qi), this.outPtr);
    return a.f32;
  }

  /** Index of entry 0 of `distances` in the array it returns. */
  get outIndex(): number {
    return this.outPtr >>> 2;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.arena.release(this.idsPtr);
    this.arena.release(this.outPtr);
    this.queries.free();
    if (this.temporary) this.store.release();
  }
}
