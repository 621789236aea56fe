/**
 * What IVF_FLAT, IVF_SQ8 and IVF_PQ share: the column, the coarse quantizer and lists, query
 * checks and decoding, and the hand-off to the probe driver. Subclasses scan one list.
 */
import type { MemoryTally } from '../../memory.js';
import type { MetricType } from '../../../core/enums.js';
import { searchExactAmong, type ExactSearchResult } from '../../flat.js';
import { allowedRows } from '../../allowed.js';
import type { IndexSearchRequest, VectorIndex } from '../../descriptor.js';
import type { ScanContext } from '../../scan-window.js';
import { denseQueriesToF32 } from '../../scan-dense.js';
import { normSqF32 } from '../../kernels/dense.js';
import { errors } from '../../../core/errors.js';
import { coarseKeysDense, coarseUsesIp, type CoarseQuantizer } from './coarse.js';
import { listsAreSound, type InvertedLists } from './lists.js';
import type { WasmCoarse } from './wasm-coarse.js';
import { DenseRowReader, type DenseColumn } from './rows.js';
import { checkQueries, checkTopK, IVF_EXACT_SELECTIVITY, probeSearch, type ListScanner } from './search.js';
import { PayloadWriter, type PayloadReader } from './payload.js';

export interface DenseIvfParts {
  coarse: CoarseQuantizer;
  lists: InvertedLists;
}

export abstract class DenseIvfBase implements VectorIndex, ListScanner {
  readonly indexType: string;
  readonly metric: MetricType;
  readonly numRows: number;
  readonly dim: number;
  readonly coarse: CoarseQuantizer;
  readonly lists: InvertedLists;
  protected readonly column: DenseColumn;
  /** Queries answered by probing lists, and by an exact scan of the listed allowed rows. */
  readonly stats = { indexQueries: 0, exactQueries: 0 };
  protected readonly reader: DenseRowReader;
  /** The current search's queries as nq x dim float32, and their Euclidean norms (COSINE). */
  protected queries: Float32Array = new Float32Array(0);
  protected queryNorms: Float64Array = new Float64Array(0);

  constructor(indexType: string, column: DenseColumn, numRows: number, metric: MetricType, parts: DenseIvfParts) {
    this.indexType = indexType;
    this.column = column;
    this.numRows = numRows;
    this.metric = metric;
    this.dim = column.dim;
    this.coarse = parts.coarse;
    this.lists = parts.lists;
    this.reader = new DenseRowReader(column);
  }

  search(req: IndexSearchRequest): ExactSearchResult {
    const nq = checkQueries(this.column.kind, this.dim, req.queries);
    checkTopK(req.topK);
    const filter = req.filter ?? null;
    const exact = this.selectiveExact(req, nq);
    if (exact !== null) return exact;
    this.stats.indexQueries += nq;
    this.queries = denseQueriesToF32(req.queries as DenseColumn);
    this.queryNorms = new Float64Array(nq);
    for (let q = 0; q < nq; q++) this.queryNorms[q] = Math.sqrt(normSqF32(this.queries, q * this.dim, this.dim));
    this.beginSearch(req.queries as DenseColumn, filter);
    try {
      return probeSearch(this, {
        nq, topK: req.topK, metric: this.metric, filter: req.filter ?? null, valid: this.column.valid,
        range: req.range ?? null, params: req.params,
      });
    } finally {
      this.endSearch();
      this.queries = new Float32Array(0);
    }
  }

  /**
   * A selective filter (under IVF_EXACT_SELECTIVITY of the indexed rows, no range) is answered by an
   * exact scan of the listed allowed rows (exact scores, even for the quantised types): cheaper than
   * probing every list, which is what it would otherwise take. Null when the index should probe.
   */
  protected selectiveExact(req: IndexSearchRequest, nq: number): ExactSearchResult | null {
    const filter = req.filter ?? null;
    if (filter === null || (req.range ?? null) !== null) return null;
    const listed = allowedRows(filter, this.column.valid, this.numRows, Math.floor(IVF_EXACT_SELECTIVITY * this.lists.ids.length));
    if (listed === null) return null;
    this.stats.exactQueries += nq;
    return searchExactAmong({
      metric: this.metric, column: this.column, numRows: this.numRows, queries: req.queries, topK: req.topK, filter,
    }, listed);
  }

  /**
   * Everything the index holds: centroids, lists, scratch, and what the type adds (`countOwn`: codes,
   * the list-order copy in wasm memory).
   */
  countMemory(t: MemoryTally): void {
    t.array(this.coarse.centroids).array(this.lists.offsets).array(this.lists.ids);
    t.array(this.reader.scratch).array(this.queries).array(this.queryNorms);
    this.countOwn(t);
  }

  protected abstract countOwn(t: MemoryTally): void;

  /**
   * Make the search-time copies (list-order rows, codes in wasm memory) now rather than on the first
   * search, so a loaded index holds, and is counted with, all it will hold.
   */
  prepareForSearch(): void {}

  /** Per-search setup after `queries` / `queryNorms` are set. */
  protected beginSearch(_queries: DenseColumn, _filter: Uint8Array | null): void {}

  /** Per-search teardown (always called). */
  protected endSearch(): void {}

  coarseKeys(q: number, out: Float32Array): void {
    const w = this.wasmCoarse();
    if (w !== null) w.keys(this.queries, q * this.dim, out);
    else coarseKeysDense(this.coarse, this.queries, q * this.dim, out);
    this.beginQuery(q);
  }

  /** The coarse keys in the index's wasm memory (same keys as the JS loop), or null (JS). */
  protected wasmCoarse(): WasmCoarse | null {
    return null;
  }

  /** Per-query setup, called before the query's first list scan. */
  protected beginQuery(_q: number): void {}

  abstract scanList(q: number, l: number, ctx: ScanContext): number;

  /** The payload header + coarse sections; subclasses append theirs and finish. */
  protected writeCommon(typeCode: number): PayloadWriter {
    return new PayloadWriter({ typeCode, metric: this.metric, dim: this.dim, numRows: this.numRows, nlist: this.coarse.nlist })
      .section(this.coarse.centroids).section(this.lists.offsets).section(this.lists.ids);
  }

  abstract serialize(): Uint8Array;
}

/** Type codes in the payload header. */
export const IVF_TYPE_CODES = { IVF_FLAT: 1, IVF_SQ8: 2, IVF_PQ: 3, BIN_IVF_FLAT: 4, SCANN: 5, IVF_RABITQ: 6 } as const;

/** Read and check the header and coarse sections written by `writeCommon`. */
export function readDenseCommon(
  reader: PayloadReader, typeCode: number, dim: number, numRows: number, metric: MetricType,
): DenseIvfParts {
  checkHeader(reader, typeCode, dim, numRows, metric);
  const nlist = reader.header.nlist;
  const centroids = reader.f32('centroids', nlist * dim);
  const lists = readLists(reader, nlist, numRows);
  return { coarse: { nlist, dim, centroids, ip: coarseUsesIp(metric) }, lists };
}

export function checkHeader(reader: PayloadReader, typeCode: number, dim: number, numRows: number, metric: MetricType): void {
  const h = reader.header;
  if (h.typeCode !== typeCode) throw errors.internal(`IVF payload type ${h.typeCode}, expected ${typeCode}`);
  if (h.metric !== metric) throw errors.internal(`IVF payload metric ${h.metric}, expected ${metric}`);
  if (h.dim !== dim) throw errors.internal(`IVF payload dim ${h.dim}, column dim ${dim}`);
  if (h.numRows !== numRows) throw errors.internal(`IVF payload rows ${h.numRows}, expected ${numRows}`);
}

export function readLists(reader: PayloadReader, nlist: number, numRows: number): InvertedLists {
  const offsets = reader.i32('offsets', nlist + 1);
  const ids = reader.i32('ids');
  const lists = { nlist, offsets, ids };
  if (!listsAreSound(lists, numRows)) throw errors.internal('corrupt IVF index payload: inverted lists');
  return lists;
}
