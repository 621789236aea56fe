/**
 * A chunk is an immutable block of rows with all their columns: what search and query scan.
 * A loaded sealed segment is one chunk; a growing segment is a short list of chunks (growing.ts).
 */
import type { Analyzer } from '../analyzer/analyzer.js';
import { buildTextIndex, TextIndex, type TextIndexSource } from '../expr/text-index.js';
import type { ScalarIndexEntry, ScalarIndexSource } from '../expr/scalar-index.js';
import type { VectorIndex } from '../index/descriptor.js';
import type { Bitset, Column, RowSource } from '../schema/column.js';
import { concatColumns } from '../schema/ops.js';
import { countBm25Postings, type Bm25Postings } from '../index/bm25.js';
import { memoryOf, type MemoryTally } from '../index/memory.js';
import { fieldEnablesMatch, matchAnalyzer } from '../schema/text.js';
import type { CollectionSchema } from '../schema/types.js';
import type { MappedColumn } from './mmap-column.js';
import type { PrimaryKey } from './pk.js';
import { pkAt } from './pk.js';

/** Filter results a chunk keeps (see Chunk.filterResult). */
const FILTERS_KEPT = 8;

/** A loaded scalar index (index/scalar/) with what its memory holds. */
export interface ChunkScalarIndex extends ScalarIndexEntry {
  countMemory(t: MemoryTally): void;
}

export class Chunk implements RowSource, TextIndexSource, ScalarIndexSource {
  /** Cached "deleted" bytes per row, valid while `deletedVersion` equals the partition's tombstone version. */
  deleted: Uint8Array | null = null;
  deletedVersion = -1;
  /**
   * Built vector indexes by field name (sealed, loaded segments only); absent = exact search. An index
   * on a struct vector member is over its element vectors: `elements` maps each to its row and offset.
   */
  readonly indexes = new Map<string, { index: VectorIndex; elements?: { rowOf: Int32Array; offsetOf: Int32Array } }>();
  /** Scalar indexes by index id (sealed, loaded segments only): the filter planner's index step. */
  readonly scalarIndexesById = new Map<number, ChunkScalarIndex>();
  /** Columns read from the segment file on demand (mmap.enabled, mmap-column.ts): not in `columns`. */
  readonly mapped = new Map<string, MappedColumn>();
  /** BM25 posting lists of sparse columns by field name, built on the first full-text search (engine/bm25.ts). */
  readonly bm25Postings = new Map<string, Bm25Postings>();

  /**
   * Positional text indexes (TEXT_MATCH / PHRASE_MATCH) by `field \0 analyzer key`: built once, at
   * load for sealed segments, on first use for growing chunks, concatenated when chunks merge.
   */
  readonly textIndexes = new Map<string, { field: string; analyzer: Analyzer; analyzerKey: string; index: TextIndex }>();

  private readonly cols: Map<string, Column>;
  /** Filter results by plan cache key, least recently used first (see `filterResult`). */
  private readonly filters = new Map<string, Bitset>();

  constructor(
    readonly partitionId: number,
    readonly numRows: number,
    columns: ReadonlyMap<string, Column>,
    readonly ts: BigInt64Array,
    readonly pkField: string,
  ) {
    this.cols = new Map(columns);
  }

  get columns(): ReadonlyMap<string, Column> {
    return this.cols;
  }

  column(fieldName: string): Column | undefined {
    return this.cols.get(fieldName);
  }

  /**
   * Schema evolution only (AddCollectionField): give the chunk the column of a field it was
   * written without. Rows and existing columns never change, so the chunk stays immutable data.
   */
  addMissingColumn(fieldName: string, column: Column): void {
    if (this.cols.has(fieldName)) throw new Error(`chunk already has column ${fieldName}`);
    this.cols.set(fieldName, column);
    this.filters.clear(); // a filter's text may now name this field instead of a dynamic key
  }

  /**
   * The rows a filter selects, computed once per filter: the rows never change, so a repeated filter
   * (the same text against the same schema) costs a lookup. Holds the last FILTERS_KEPT results
   * (one byte per row each). The bitset is shared: callers must not change it.
   */
  filterResult(key: string, compute: () => Bitset): Bitset {
    const hit = this.filters.get(key);
    if (hit !== undefined) {
      this.filters.delete(key);
      this.filters.set(key, hit);
      return hit;
    }
    const bits = compute();
    if (this.filters.size >= FILTERS_KEPT) {
      const oldest = this.filters.keys().next();
      if (oldest.done !== true) this.filters.delete(oldest.value);
    }
    this.filters.set(key, bits);
    return bits;
  }

  scalarIndexes(field: string): readonly ScalarIndexEntry[] {
    if (this.scalarIndexesById.size === 0) return [];
    const out: ScalarIndexEntry[] = [];
    for (const e of this.scalarIndexesById.values()) if (e.field === field) out.push(e);
    return out;
  }

  /** Attach or drop a scalar index: filter results computed before may have used it or not (same rows either way). */
  setScalarIndex(indexId: number, entry: ChunkScalarIndex | null): void {
    if (entry === null) this.scalarIndexesById.delete(indexId);
    else this.scalarIndexesById.set(indexId, entry);
  }

  textIndex(field: string, analyzer: Analyzer, analyzerKey: string): TextIndex {
    const key = `${field}\0${analyzerKey}`;
    const hit = this.textIndexes.get(key);
    if (hit !== undefined) return hit.index;
    const index = buildTextIndex(this.cols.get(field), field, analyzer);
    this.textIndexes.set(key, { field, analyzer, analyzerKey, index });
    return index;
  }

  /** Build the text index of every `enable_match` field now (a sealed segment at load). */
  buildTextIndexes(schema: CollectionSchema): void {
    for (const f of schema.fields) {
      if (!fieldEnablesMatch(f) || !this.cols.has(f.name)) continue;
      const { analyzer, key } = matchAnalyzer(f);
      this.textIndex(f.name, analyzer, key);
    }
  }

  pk(row: number): PrimaryKey {
    const c = this.columns.get(this.pkField);
    if (!c) throw new Error(`chunk has no primary key column ${this.pkField}`);
    return pkAt(c, row);
  }

  /**
   * Everything the chunk holds: columns (a resident column's wasm memory is counted by its segment,
   * `SealedSegment.residents`), vector indexes, text indexes, BM25 postings and the filter caches.
   */
  countMemory(t: MemoryTally): void {
    t.array(this.ts).array(this.deleted);
    for (const c of this.columns.values()) t.column(c);
    for (const i of this.indexes.values()) i.index.countMemory(t);
    for (const i of this.scalarIndexesById.values()) i.countMemory(t);
    for (const x of this.textIndexes.values()) t.other(x.index.sizeBytes);
    for (const p of this.bm25Postings.values()) countBm25Postings(p, t);
    for (const f of this.filters.values()) t.array(f);
  }

  get sizeBytes(): number {
    return memoryOf((t) => this.countMemory(t));
  }
}

export function mergeChunks(chunks: readonly Chunk[]): Chunk {
  const first = chunks[0];
  if (!first) throw new Error('mergeChunks needs at least one chunk');
  if (chunks.length === 1) return first;
  const columns = new Map<string, Column>();
  // Only the columns every part has: a partial load drops columns from growing data (growing-fields.ts).
  for (const name of first.columns.keys()) {
    const parts: Column[] = [];
    for (const c of chunks) {
      const col = c.columns.get(name);
      if (col) parts.push(col);
    }
    if (parts.length === chunks.length) columns.set(name, concatColumns(parts));
  }
  let numRows = 0;
  for (const c of chunks) numRows += c.numRows;
  const ts = new BigInt64Array(numRows);
  let at = 0;
  for (const c of chunks) {
    ts.set(c.ts, at);
    at += c.numRows;
  }
  const merged = new Chunk(first.partitionId, numRows, columns, ts, first.pkField);
  // A text index the first (largest) part has carries over: the parts' indexes are concatenated,
  // building only the missing ones (the newest rows), so growing data is indexed incrementally.
  for (const [key, t] of first.textIndexes) {
    if (!columns.has(t.field)) continue;
    const parts = chunks.map((c) => c.textIndex(t.field, t.analyzer, t.analyzerKey));
    merged.textIndexes.set(key, { ...t, index: TextIndex.concat(parts) });
  }
  return merged;
}
