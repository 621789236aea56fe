/**
 * The one interface every vector index implements, and the descriptor each index type registers.
 * Shared code (engine, service) reads descriptors and calls `build` / `deserialize` / `search`; it
 * never branches on an index name. Implementations live under `impl/`.
 */
import type { Bitset, Column } from '../schema/column.js';
import type { MetricType } from '../core/enums.js';
import type { ExactSearchResult, IndexFileRegion, IndexParams, ParamValue, RangeParams, SparsePostingLists } from './types.js';
import type { VectorKind } from './metrics.js';
import type { WasmPool } from './wasm/pool.js';
import type { MemoryTally } from './memory.js';

export type ParamType = 'int' | 'float' | 'string' | 'bool';
export type { ExactSearchResult, IndexFileRegion, IndexParams, ParamValue, RangeParams } from './types.js';

/** One build or search parameter with its documented range. */
export interface ParamSpec {
  readonly name: string;
  readonly type: ParamType;
  readonly min?: number;
  readonly max?: number;
  /** `min` / `max` are exclusive bounds when set (e.g. drop ratios in [0, 1)). */
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  /** Allowed values of a 'string' parameter (compared case-sensitively, as knowhere does). */
  readonly values?: readonly string[];
  readonly default?: ParamValue;
  readonly required?: boolean;
}


/** An index payload read in order: each `read` fills `dst` with the next dst.length bytes. */
export interface PayloadReader {
  /** Bytes in the whole payload. */
  readonly length: number;
  read(dst: Uint8Array): Promise<void>;
}

/**
 * A vector column left in its segment file (mmap.enabled), as the engine hands it to an index that
 * reads its rows on demand (descriptor `openMapped`).
 */
export interface MappedVectorRows {
  /** The column's kind, dim and validity, with no rows. */
  readonly shape: Column;
  /**
   * The column's rows in `order` (row ids) written to a file of their own and opened for positional
   * reads; the file is gone once closed or the process ends.
   */
  reorder(order: Int32Array): Promise<RowFile>;
}

/** Rows of one width in a file, read with positional reads straight into the caller's buffer. */
export interface RowFile {
  readonly numRows: number;
  readonly rowBytes: number;
  /** Rows [fromRow, fromRow + into.length / rowBytes) into `into`. */
  read(fromRow: number, into: Uint8Array): void;
  close(): void;
}

export interface IndexBuildSpec {
  readonly metric: MetricType;
  readonly params: IndexParams;
  /** Threads a build may use, the calling one included (default 1; graph indexes insert in parallel). */
  readonly threads?: number;
}

export interface IndexSearchRequest {
  /** Same kind and dim as the indexed column; nq rows. */
  readonly queries: Column;
  readonly topK: number;
  /** One byte per row, non-zero = row may be returned. */
  readonly filter?: Bitset | null;
  readonly range?: RangeParams | null;
  /** Output of `validateSearchParams` for this index type. */
  readonly params?: IndexParams;
}

/** A built index over the first `numRows` rows of one vector column. */
export interface VectorIndex {
  /** The concrete index type (AUTOINDEX builds report what they resolved to). */
  readonly indexType: string;
  readonly metric: MetricType;
  readonly numRows: number;
  /** Best-first hits per query; same layout as `searchExact`. */
  search(req: IndexSearchRequest): ExactSearchResult;
  /** The index's own payload; raw vectors are not included (the segment stores them). */
  serialize(): Uint8Array;
  /**
   * Optional: answer `search(req)` on a WasmPool's worker threads, with identical hits and scores;
   * null when this request should run on the calling thread (`search`) instead.
   */
  searchOnPool?(pool: WasmPool, req: IndexSearchRequest): Promise<ExactSearchResult> | null;
  /**
   * Add to `t` every typed array and wasm memory the index keeps while loaded (graph, codes, list-order
   * copies, caches, the memory it searches in), including the column when it reads it in place: the
   * tally counts each buffer once, so sharing is not double counted and a copy is never missed.
   */
  countMemory(t: MemoryTally): void;
  /** Let go of what the index holds outside the JS heap (open files); called on release. */
  close?(): void;
  /**
   * Optional (sparse indexes): every stored value of the column as posting lists, so that BM25 reads
   * them from the loaded index file instead of rebuilding them; null when the index does not hold
   * every value (`drop_ratio_build` pruned some).
   */
  postingLists?(): SparsePostingLists | null;
}

export interface IndexDescriptor {
  readonly name: string;
  readonly metrics: readonly MetricType[];
  readonly vectorKinds: readonly VectorKind[];
  readonly buildParams: readonly ParamSpec[];
  readonly searchParams: readonly ParamSpec[];
  /** Needs a training pass over the data before rows can be added (IVF, PQ). */
  readonly trains: boolean;
  /** Applies a filter bitset during its own traversal (otherwise the engine over-fetches or goes exact). */
  readonly filtersNatively: boolean;
  /** Below this many rows the engine should search exactly instead of building this index. */
  readonly exactThreshold?: number;
  /**
   * Mean recall@10 against `searchExact` this index reaches with default params on the shared case
   * suite's data (test/index/cases.ts), unfiltered and filtered. 1 for exact indexes.
   */
  readonly recallAt10: number;
  /**
   * Filtered searches whose allowed fraction of rows is below this are answered by an exact scan of
   * the allowed rows (1 = always exact, 0 = never switches).
   */
  readonly exactSelectivity: number;
  /** Build over rows [0, numRows) of `column`; `spec` comes from `validateIndexParams`. */
  build(column: Column, numRows: number, spec: IndexBuildSpec): VectorIndex;
  /** Rebuild from `serialize()` output plus the same raw column. */
  deserialize(payload: Uint8Array, column: Column, numRows: number, spec: IndexBuildSpec): VectorIndex;
  /**
   * Optional: rebuild from `serialize()` output read in order from `payload` (the index file, in
   * bounded pieces), placing large sections straight where they will live, so that no buffer of the
   * whole payload exists. The result must not be used before the reader's owner has verified the file
   * (it closes the index if that fails). Without it the payload is read whole for `deserialize`.
   */
  readPayload?(payload: PayloadReader, column: Column, numRows: number, spec: IndexBuildSpec): Promise<VectorIndex>;
  /**
   * Bytes a loaded index will hold, estimated before anything is read (the load budget check) from
   * its file size and the raw vector bytes it indexes (numRows x row bytes as stored). Without it,
   * the file size: what a deserialised payload keeps.
   */
  memoryEstimateBytes?(fileBytes: number, rawBytes: number, spec: IndexBuildSpec): number;
  /**
   * Disk indexes: open the `serialize()` output where it lies in a file (the payload of the
   * segment's index file) and read it there on demand instead of holding it in memory.
   */
  openFile?(file: IndexFileRegion, column: Column, numRows: number, spec: IndexBuildSpec): VectorIndex;
  /**
   * Optional: open `serialize()` output over a mapped (mmap.enabled) field whose rows stay on disk,
   * read through `rows` on demand (bounded memory); null when it cannot here (no wasm kernels), and
   * the engine then hands `deserialize` a copy of the column. A field whose index lacks this keeps
   * its column resident even when mapped.
   */
  openMapped?(payload: Uint8Array, rows: MappedVectorRows, numRows: number, spec: IndexBuildSpec): Promise<VectorIndex | null>;
}
