/**
 * BIN_IVF_FLAT: binary centroids trained by k-majority (kmodes.ts) under the index metric
 * (HAMMING or JACCARD); lists of row ids; exact distances from the column, equal to BIN_FLAT's
 * (scored by wasm `gather` when available, else in JS).
 */
import type { MemoryTally } from '../../memory.js';
import type { MetricType } from '../../../core/enums.js';
import type { ExactSearchResult } from '../../flat.js';
import type { IndexSearchRequest, VectorIndex } from '../../descriptor.js';
import type { ScanContext } from '../../scan-window.js';
import { checkHeader, IVF_TYPE_CODES, readLists } from './dense-base.js';
import { binaryDistance, nearestBinaryCentroid, trainKModes } from './kmodes.js';
import { buildLists, type InvertedLists } from './lists.js';
import { PayloadReader, PayloadWriter } from './payload.js';
import { indexedRows, type BinaryColumn } from './rows.js';
import { checkQueries, checkTopK, offerRow, probeSearch, type ListScanner } from './search.js';
import { ivfTuning, sampleRows, seededRandom } from './tuning.js';
import { scanGathered } from './task.js';
import { WasmGather } from './wasm-gather.js';

export interface BinaryCoarse {
  readonly nlist: number;
  /** nlist x bytes. */
  readonly centroids: Uint8Array;
}

function gatherBinary(column: BinaryColumn, rows: Int32Array, bytes: number): Uint8Array {
  const out = new Uint8Array(rows.length * bytes);
  for (let i = 0; i < rows.length; i++) out.set(column.data.subarray(rows[i]! * bytes, (rows[i]! + 1) * bytes), i * bytes);
  return out;
}

export class BinIvfFlatIndex implements VectorIndex, ListScanner {
  readonly indexType = 'BIN_IVF_FLAT';
  readonly metric: MetricType;
  readonly numRows: number;
  readonly coarse: BinaryCoarse;
  readonly lists: InvertedLists;
  private readonly column: BinaryColumn;
  private readonly bytes: number;
  private readonly jaccard: boolean;
  private queries: Uint8Array = new Uint8Array(0);
  /** The current search's wasm gatherer, or null (JS scan). */
  private gather: WasmGather | null = null;

  constructor(column: BinaryColumn, numRows: number, metric: MetricType, coarse: BinaryCoarse, lists: InvertedLists) {
    this.column = column;
    this.numRows = numRows;
    this.metric = metric;
    this.coarse = coarse;
    this.lists = lists;
    this.bytes = column.dim / 8;
    this.jaccard = metric === 'JACCARD';
  }

  static build(column: BinaryColumn, numRows: number, metric: MetricType, nlist: number): BinIvfFlatIndex {
    const bytes = column.dim / 8, jaccard = metric === 'JACCARD';
    const rows = indexedRows(column.valid, numRows);
    const k = Math.min(nlist, rows.length);
    const random = seededRandom(ivfTuning.seed);
    let centroids: Uint8Array = new Uint8Array(0);
    if (k > 0) {
      const sample = sampleRows(rows, k * ivfTuning.coarseRowsPerList, random);
      centroids = trainKModes(gatherBinary(column, sample, bytes), sample.length, bytes, {
        k, iterations: ivfTuning.coarseIterations, random, jaccard,
      });
    }
    const assign = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) assign[i] = nearestBinaryCentroid(column.data, rows[i]! * bytes, centroids, k, bytes, jaccard);
    return new BinIvfFlatIndex(column, numRows, metric, { nlist: k, centroids }, buildLists(k, rows, assign));
  }

  static deserialize(payload: Uint8Array, column: BinaryColumn, numRows: number, metric: MetricType): BinIvfFlatIndex {
    const reader = new PayloadReader(payload);
    checkHeader(reader, IVF_TYPE_CODES.BIN_IVF_FLAT, column.dim, numRows, metric);
    const nlist = reader.header.nlist;
    const centroids = reader.u8('centroids', (nlist * column.dim) / 8);
    const lists = readLists(reader, nlist, numRows);
    reader.finish();
    return new BinIvfFlatIndex(column, numRows, metric, { nlist, centroids }, lists);
  }

  /** Centroids, lists and the current search's queries (the rows are read in place). */
  countMemory(t: MemoryTally): void {
    t.array(this.coarse.centroids).array(this.lists.offsets).array(this.lists.ids).array(this.queries);
  }

  serialize(): Uint8Array {
    return new PayloadWriter({ typeCode: IVF_TYPE_CODES.BIN_IVF_FLAT, metric: this.metric, dim: this.column.dim, numRows: this.numRows, nlist: this.coarse.nlist })
      .section(this.coarse.centroids).section(this.lists.offsets).section(this.lists.ids).finish();
  }

  search(req: IndexSearchRequest): ExactSearchResult {
    const nq = checkQueries('binaryVector', this.column.dim, req.queries);
    checkTopK(req.topK);
    this.queries = req.queries.data as Uint8Array;
    this.gather = WasmGather.open(this.column, this.numRows, req.queries as BinaryColumn, this.metric, this.lists);
    try {
      return probeSearch(this, {
        nq, topK: req.topK, metric: this.metric, filter: req.filter ?? null, valid: this.column.valid,
        range: req.range ?? null, params: req.params,
      });
    } finally {
      this.gather?.close();
      this.gather = null;
      this.queries = new Uint8Array(0);
    }
  }

  coarseKeys(q: number, out: Float32Array): void {
    const { nlist, centroids } = this.coarse, bytes = this.bytes;
    for (let l = 0; l < nlist; l++) out[l] = binaryDistance(this.jaccard, this.queries, q * bytes, centroids, l * bytes, bytes);
  }

  scanList(q: number, l: number, ctx: ScanContext): number {
    if (this.gather !== null) return scanGathered(this.gather, this.lists.ids, q, this.lists.offsets[l]!, this.lists.offsets[l + 1]!, ctx);
    const ids = this.lists.ids, filter = ctx.filter, bytes = this.bytes, qs = this.queries, qOff = q * bytes;
    const data = this.column.data, jaccard = this.jaccard;
    let hits = 0;
    for (let j = this.lists.offsets[l]!, to = this.lists.offsets[l + 1]!; j < to; j++) {
      const row = ids[j]!;
      if (filter !== null && filter[row] === 0) continue;
      hits += offerRow(ctx, q, Math.fround(binaryDistance(jaccard, qs, qOff, data, row * bytes, bytes)), row);
    }
    return hits;
  }
}
