/**
 * Read mechanics over chunks: which rows a filter selects (minus deleted rows), exact vector search
 * with per-chunk top-k merged into a global top-k, and gathering output columns for hits.
 * Milvus rules (limits, output field names, load checks) are the service's.
 */
import { assert } from '../core/assert.js';
import type { MetricType } from '../core/enums.js';
import type { FilterPlan } from '../expr/index.js';
import { evaluateFilter, indexedFilterRowIds } from '../expr/index.js';
import { mergeTopK, searchExactParallel } from '../index/flat.js';
import type { ExactSearchRequest, ExactSearchResult } from '../index/flat.js';
import type { IndexParams, VectorIndex } from '../index/descriptor.js';
import type { WasmPool } from '../index/wasm/pool.js';
import type { Bitset, Column, RowSource } from '../schema/column.js';
import type { Analyzer } from '../analyzer/analyzer.js';
import type { TextIndex, TextIndexSource } from '../expr/text-index.js';
import type { ScalarIndexEntry, ScalarIndexSource } from '../expr/scalar-index.js';
import { WindowedTopK } from '../index/exact-windows.js';
import type { MappedColumn } from './mmap-column.js';
import { concatColumns, takeRows, emptyColumn } from '../schema/ops.js';
import type { FieldSchema } from '../schema/types.js';
import type { Chunk } from './chunk.js';
import type { PartitionRuntime } from './partition.js';

export interface ScopedChunk {
  partition: PartitionRuntime;
  chunk: Chunk;
}

/** The rows of a chunk a filter selects (kept by the chunk when the plan has a cache key); shared, read-only. */
function filterBits(chunk: Chunk, filter: FilterPlan): Bitset {
  const key = filter.cacheKey;
  const rows = rowSourceOf(chunk);
  return key === null ? evaluateFilter(filter, rows) : chunk.filterResult(key, () => evaluateFilter(filter, rows));
}

/**
 * A chunk with mapped (mmap.enabled) columns as the filter evaluator reads it: a mapped column the
 * filter names is read whole through the page cache for this evaluation only (fixed-width scalars:
 * at most 8 bytes a row), then dropped; the result is cached by the chunk as always.
 */
/** What a filter reads a chunk through: the chunk, or a MappedRows over it when columns are mapped. */
function rowSourceOf(chunk: Chunk): RowSource {
  return chunk.mapped.size === 0 ? chunk : new MappedRows(chunk);
}

class MappedRows implements RowSource, TextIndexSource, ScalarIndexSource {
  private readonly copies = new Map<string, Column>();
  constructor(private readonly chunk: Chunk) {}

  get numRows(): number {
    return this.chunk.numRows;
  }

  column(fieldName: string): Column | undefined {
    const col = this.chunk.column(fieldName) ?? this.copies.get(fieldName);
    if (col !== undefined) return col;
    const m = this.chunk.mapped.get(fieldName);
    if (m === undefined) return undefined;
    const copy = m.materialize();
    this.copies.set(fieldName, copy);
    return copy;
  }

  textIndex(field: string, analyzer: Analyzer, analyzerKey: string): TextIndex {
    return this.chunk.textIndex(field, analyzer, analyzerKey);
  }

  /** A field's validity: a mapped column keeps it resident, so the index planner reads no page for it. */
  validOf(field: string): Uint8Array | null {
    const col = this.chunk.column(field) ?? this.copies.get(field);
    if (col !== undefined) return col.valid;
    return this.chunk.mapped.get(field)?.valid ?? null;
  }

  /** The chunk's scalar indexes: they answer filters on mapped columns without reading them. */
  scalarIndexes(field: string): readonly ScalarIndexEntry[] {
    return this.chunk.scalarIndexes(field);
  }
}

/** A mapped vector column searched exactly, window by window (same hits and scores as one scan). */
function searchMapped(m: MappedColumn, numRows: number, a: VectorSearchArgs, filter: Bitset | null): ExactSearchResult {
  const top = new WindowedTopK({ metric: a.metric, queries: a.queries, topK: a.topK, range: a.range });
  const w = m.windowRows;
  for (let from = 0; from < numRows; from += w) {
    const count = Math.min(w, numRows - from);
    top.add(m.window(from, count), count, filter === null ? null : filter.subarray(from, from + count), from, null);
  }
  return top.result(a.nq);
}

/** Rows of one chunk a read may see: filter result minus deleted rows; null = every row. Read-only. */
export function visibleRows(s: ScopedChunk, filter: FilterPlan | null): Bitset | null {
  const bits = filter ? filterBits(s.chunk, filter) : null;
  const del = s.partition.deletedMask(s.chunk);
  if (!del) return bits;
  const out = bits === null ? new Uint8Array(s.chunk.numRows).fill(1) : bits.slice();
  for (let i = 0; i < out.length; i++) if (del[i] === 1) out[i] = 0;
  return out;
}

/**
 * Rows of one chunk a read may see as ascending ids, when the chunk's scalar indexes answer the
 * filter (no byte per row: expr/index-plan.ts, IndexPlanner.rowIds); null: take `visibleRows`.
 */
function indexedVisibleRowIds(s: ScopedChunk, filter: FilterPlan | null): Int32Array | null {
  if (filter === null || s.chunk.scalarIndexesById.size === 0) return null;
  const ids = indexedFilterRowIds(filter, rowSourceOf(s.chunk));
  const del = ids === null ? null : s.partition.deletedMask(s.chunk);
  if (ids === null || !del) return ids;
  let w = 0;
  for (let j = 0; j < ids.length; j++) if (del[ids[j]!] !== 1) ids[w++] = ids[j]!;
  return w === ids.length ? ids : ids.slice(0, w);
}

/** Hits addressed by (chunk index, row). */
export interface RowRefs {
  chunk: Int32Array;
  row: Int32Array;
}

/** Every visible row matching the filter. */
export function matchRows(scope: readonly ScopedChunk[], filter: FilterPlan | null): RowRefs {
  const chunkIdx: number[] = [];
  const rowIdx: number[] = [];
  for (let ci = 0; ci < scope.length; ci++) {
    const s = scope[ci]!;
    const ids = indexedVisibleRowIds(s, filter);
    if (ids !== null) {
      for (let j = 0; j < ids.length; j++) { chunkIdx.push(ci); rowIdx.push(ids[j]!); }
      continue;
    }
    const bits = visibleRows(s, filter);
    const n = s.chunk.numRows;
    for (let r = 0; r < n; r++) {
      if (bits === null || bits[r] === 1) {
        chunkIdx.push(ci);
        rowIdx.push(r);
      }
    }
  }
  return { chunk: Int32Array.from(chunkIdx), row: Int32Array.from(rowIdx) };
}

export function countRows(scope: readonly ScopedChunk[], filter: FilterPlan | null): number {
  let total = 0;
  for (const s of scope) {
    const ids = indexedVisibleRowIds(s, filter);
    if (ids !== null) { total += ids.length; continue; }
    const bits = visibleRows(s, filter);
    if (bits === null) total += s.chunk.numRows;
    else for (let r = 0; r < bits.length; r++) total += bits[r]!;
  }
  return total;
}

export interface VectorSearchArgs {
  fieldName: string;
  metric: MetricType;
  queries: Column;
  nq: number;
  topK: number;
  filter: FilterPlan | null;
  range: { radius: number; rangeFilter?: number } | null;
  /** Search params validated for the field's index type (ef, nprobe, ...). */
  indexParams: IndexParams;
  /**
   * Other searches are in flight (SearchThreads.crowded): walk even one query on one indexed
   * segment on the pool, so that concurrent searches use every core instead of this thread alone.
   */
  spread?: boolean;
}

export interface VectorHits extends RowRefs {
  scores: Float32Array;
  /** Hits per query; query i's hits start at i * topK. */
  counts: Int32Array;
  topK: number;
}

/**
 * Top-k of every query over the chunks in scope, merged. Chunks without a built index are scanned
 * exactly: on `pool`'s worker threads when the work is big enough (split by chunk and by row ranges,
 * see WasmPool), inline otherwise, with the same hits and scores either way. Chunks with a built
 * index walk it on the pool too when there are several of them, several queries, or other searches
 * in flight (`spread`; HNSW: each task has scratch of its own in the segment's shared memory);
 * otherwise, and for indexes that cannot, on this thread while the workers run (synchronous calls,
 * so per-instance scratch is never shared).
 */
export async function searchVectors(scope: readonly ScopedChunk[], a: VectorSearchArgs, pool: WasmPool | null = null): Promise<VectorHits> {
  const results: (ExactSearchResult | null)[] = new Array<ExactSearchResult | null>(scope.length).fill(null);
  const exact: ExactSearchRequest[] = [];
  const exactChunk: number[] = [];
  const indexed: { ci: number; index: VectorIndex; filter: Bitset | null }[] = [];
  const onMapped: { ci: number; m: MappedColumn; filter: Bitset | null }[] = [];
  for (let ci = 0; ci < scope.length; ci++) {
    const s = scope[ci]!;
    const column = s.chunk.column(a.fieldName);
    const mapped = column === undefined ? s.chunk.mapped.get(a.fieldName) : undefined;
    if ((!column && !mapped) || s.chunk.numRows === 0) continue;
    const filter = visibleRows(s, a.filter);
    const built = s.chunk.indexes.get(a.fieldName);
    if (built) {
      indexed.push({ ci, index: built.index, filter });
      continue;
    }
    if (!column) {
      onMapped.push({ ci, m: mapped!, filter });
      continue;
    }
    exact.push({ metric: a.metric, column, numRows: s.chunk.numRows, queries: a.queries, topK: a.topK, filter, range: a.range });
    exactChunk.push(ci);
  }
  // Tasks are posted (and their stores pinned) before this returns its promise; indexes run meanwhile.
  const exactDone = exact.length === 0 ? null : searchExactParallel(pool, exact);
  // Several indexed segments, batched queries, or searches in flight next to this one walk on the pool
  // too (one query on one segment of a lone search would only pay the thread hop); what an index
  // cannot run there is searched on this thread.
  const onPool = pool !== null && (indexed.length > 1 || a.nq > 1 || a.spread === true) ? pool : null;
  const walks: Promise<void>[] = [];
  try {
    const inline: typeof indexed = [];
    for (const x of indexed) {
      const req = { queries: a.queries, topK: a.topK, filter: x.filter, range: a.range, params: a.indexParams };
      const walk = onPool === null ? null : x.index.searchOnPool?.(onPool, req) ?? null;
      if (walk === null) inline.push(x);
      else walks.push(walk.then((r) => { results[x.ci] = r; }));
    }
    for (const x of inline) {
      results[x.ci] = x.index.search({ queries: a.queries, topK: a.topK, filter: x.filter, range: a.range, params: a.indexParams });
    }
    for (const x of onMapped) results[x.ci] = searchMapped(x.m, scope[x.ci]!.chunk.numRows, a, x.filter);
  } catch (e) {
    await Promise.allSettled([exactDone, ...walks]);
    throw e;
  }
  // A lone search on one indexed segment has nothing to wait for: no promise hop then.
  const settled = walks.length === 0 ? [] : await Promise.allSettled(walks);
  for (const r of settled) if (r.status === 'rejected') {
    await exactDone?.catch(() => undefined);
    throw r.reason;
  }
  const exactResults = exactDone === null ? [] : await exactDone;
  for (let i = 0; i < exactResults.length; i++) results[exactChunk[i]!] = exactResults[i]!;
  return mergeHits(results, a);
}

/** Merge per-chunk results (in chunk order, so ties break the same way on every path). */
function mergeHits(results: readonly (ExactSearchResult | null)[], a: VectorSearchArgs): VectorHits {
  const parts: { result: ExactSearchResult; segmentIndex: number }[] = [];
  for (let ci = 0; ci < results.length; ci++) {
    const result = results[ci];
    if (result) parts.push({ result, segmentIndex: ci });
  }
  // mergeTopK needs at least the query count when there were no parts.
  if (parts.length === 0) {
    return {
      chunk: new Int32Array(a.nq * a.topK).fill(-1),
      row: new Int32Array(a.nq * a.topK).fill(-1),
      scores: new Float32Array(a.nq * a.topK),
      counts: new Int32Array(a.nq),
      topK: a.topK,
    };
  }
  const merged = mergeTopK(parts, a.metric, a.topK);
  return { chunk: merged.segment, row: merged.rows, scores: merged.scores, counts: merged.counts, topK: a.topK };
}

/** The chunk every hit is in, or -1 when they span several. */
function singleChunkOf(chunks: Int32Array): number {
  const first = chunks[0]!;
  for (let i = 1; i < chunks.length; i++) if (chunks[i] !== first) return -1;
  return first;
}

/** The values of one field for a list of hits, in hit order. */
export function gatherColumn(scope: readonly ScopedChunk[], field: FieldSchema, refs: RowRefs): Column {
  const n = refs.chunk.length;
  if (n === 0) return emptyColumn(field);
  const single = singleChunkOf(refs.chunk);
  if (single >= 0) return rowsOf(scope[single]!.chunk, field.name, refs.row); // every hit in one chunk (the common case): already in hit order
  // Group rows per chunk, take them in one go, then put them back in hit order.
  const perChunk = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const ci = refs.chunk[i]!;
    let list = perChunk.get(ci);
    if (!list) perChunk.set(ci, (list = []));
    list.push(i);
  }
  const pieces: Column[] = [];
  const order = new Int32Array(n);
  let at = 0;
  for (const [ci, hitIdx] of perChunk) {
    const rows = hitIdx.map((h) => refs.row[h]!);
    pieces.push(rowsOf(scope[ci]!.chunk, field.name, rows));
    for (const h of hitIdx) order[h] = at++;
  }
  const all = pieces.length === 1 ? pieces[0]! : concatColumns(pieces);
  return takeRows(all, order);
}

/** The values of one field at `rows` of a chunk, resident or mapped (mmap.enabled). */
export function rowsOf(chunk: Chunk, fieldName: string, rows: ArrayLike<number>): Column {
  const col = chunk.column(fieldName);
  if (col !== undefined) return takeRows(col, rows);
  const m = chunk.mapped.get(fieldName);
  assert(m !== undefined, `chunk has no column ${fieldName}`);
  return m.take(rows);
}
