/**
 * SCANN as Milvus 2.6 exposes it (knowhere's ScaNN: IVF + 4-bit fast-scan PQ + reorder). The IVF
 * lists are IVF_PQ's; each row's residual (COSINE rows unit-normalised first) is coded by a product
 * quantizer of 2-dimensional sub-vectors with 16 code words each (4 bits), two codes packed per byte.
 * A probed list is scored through one 256-entry table per byte (the fast-scan pair table: the sum of
 * both sub-quantizers' entries), so a row costs dim / 4 lookups. With `with_raw_data` (default) the
 * best `reorder_k` rows by those scores are re-scored exactly on the raw column (the reorder step)
 * and the top k of them returned with exact scores; without it the PQ scores are returned.
 *
 * Payload after the IVF common sections: u32 with_raw_data | u32 m | u32 ksub | f32 codebooks
 * (m x ksub x 2) | u8 packed codes (list order, ceil(m / 2) bytes per row) | f32 norms (COSINE: the
 * reconstructed rows' norms; else empty).
 */
import type { MemoryTally } from '../../memory.js';
import type { MetricType } from '../../../core/enums.js';
import { errors } from '../../../core/errors.js';
import type { ExactSearchResult, IndexSearchRequest } from '../../descriptor.js';
import { ipF32, l2SqF32 } from '../../kernels/dense.js';
import { denseQueriesToF32 } from '../../scan-dense.js';
import type { ScanContext } from '../../scan-window.js';
import { ExactRowScorer } from '../hnsw/exact.js';
import { BYTE_KSUB, ByteCodeScanner } from './byte-codes.js';
import { buildCoarse } from './coarse.js';
import { DenseIvfBase, IVF_TYPE_CODES, readDenseCommon, type DenseIvfParts } from './dense-base.js';
import { reconstructedNorms, trainAndEncode } from './ivf-pq.js';
import { PayloadReader } from './payload.js';
import { pqBytesPerCode, type ProductQuantizer } from './pq.js';
import { DenseRowReader, type DenseColumn } from './rows.js';
import { offerKeyed, rerank } from './rerank.js';
import { offerRow } from './search.js';

/** Dimensions per sub-vector and bits per code (knowhere's ScaNN: sub_dim 2, 4-bit fast scan). */
export const SCANN_SUB_DIM = 2;
const NBITS = 4;

export interface ScannCodes {
  readonly pq: ProductQuantizer;
  /** ceil(m / 2) bytes per list position: code 2j in the low nibble, 2j + 1 in the high one. */
  readonly packed: Uint8Array;
  readonly norms: Float32Array | null;
  readonly withRawData: boolean;
}

function longestList(parts: DenseIvfParts): number {
  let longest = 0;
  for (let l = 0; l < parts.lists.nlist; l++) longest = Math.max(longest, parts.lists.offsets[l + 1]! - parts.lists.offsets[l]!);
  return longest;
}

/** Pack one-byte codes (m per row) two per byte. */
function pack(codes: Uint8Array, rows: number, m: number): Uint8Array {
  const bytes = Math.ceil(m / 2), out = new Uint8Array(rows * bytes);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < m; j++) out[r * bytes + (j >> 1)] = out[r * bytes + (j >> 1)]! | (codes[r * m + j]! << (4 * (j & 1)));
  }
  return out;
}

function unpack(packed: Uint8Array, rows: number, m: number): Uint8Array {
  const bytes = Math.ceil(m / 2), out = new Uint8Array(rows * m);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < m; j++) out[r * m + j] = (packed[r * bytes + (j >> 1)]! >>> (4 * (j & 1))) & 15;
  }
  return out;
}

export class ScannIndex extends DenseIvfBase {
  readonly sc: ScannCodes;
  private readonly scanner: ByteCodeScanner;
  /** m x ksub partial scores of the current query (and list, for L2). */
  private readonly lut: Float32Array;
  private readonly residual: Float32Array;

  constructor(column: DenseColumn, numRows: number, metric: MetricType, parts: DenseIvfParts, sc: ScannCodes) {
    super('SCANN', column, numRows, metric, parts);
    this.sc = sc;
    this.scanner = new ByteCodeScanner(sc.packed, Math.ceil(sc.pq.m / 2), longestList(parts));
    this.lut = new Float32Array(sc.pq.m * Math.max(1, sc.pq.ksub));
    this.residual = new Float32Array(column.dim);
  }

  static build(column: DenseColumn, numRows: number, metric: MetricType, nlist: number, withRawData: boolean, threads = 1): ScannIndex {
    if (column.dim % SCANN_SUB_DIM !== 0) {
      throw errors.invalidParameter(`SCANN needs a vector dimension divisible by ${SCANN_SUB_DIM}`, { expected: `a multiple of ${SCANN_SUB_DIM}`, actual: column.dim });
    }
    const m = column.dim / SCANN_SUB_DIM;
    const reader = new DenseRowReader(column);
    const parts = buildCoarse(reader, column.valid, numRows, nlist, metric, threads);
    if (parts.lists.ids.length === 0) {
      const pq: ProductQuantizer = { dim: column.dim, m, dsub: SCANN_SUB_DIM, nbits: NBITS, ksub: 0, bytesPerCode: 1, codebooks: new Float32Array(0) };
      return new ScannIndex(column, numRows, metric, parts, { pq, packed: new Uint8Array(0), norms: null, withRawData });
    }
    const { pq, codes } = trainAndEncode(reader, parts, m, NBITS, metric === 'COSINE');
    const norms = metric === 'COSINE' ? reconstructedNorms(parts, pq, codes) : null;
    return new ScannIndex(column, numRows, metric, parts, { pq, packed: pack(codes, parts.lists.ids.length, m), norms, withRawData });
  }

  static deserialize(payload: Uint8Array, column: DenseColumn, numRows: number, metric: MetricType): ScannIndex {
    const reader = new PayloadReader(payload);
    const dim = column.dim;
    const parts = readDenseCommon(reader, IVF_TYPE_CODES.SCANN, dim, numRows, metric);
    const withRaw = reader.u32(), m = reader.u32(), ksub = reader.u32();
    if (withRaw > 1 || m * SCANN_SUB_DIM !== dim || ksub > 2 ** NBITS) throw errors.internal('corrupt SCANN payload: quantizer shape');
    const codebooks = reader.f32('codebooks', ksub * dim);
    const n = parts.lists.ids.length;
    const packed = reader.u8('codes', n * Math.ceil(m / 2));
    const norms = reader.f32('norms', metric === 'COSINE' ? n : 0);
    reader.finish();
    const pq: ProductQuantizer = { dim, m, dsub: SCANN_SUB_DIM, nbits: NBITS, ksub, bytesPerCode: pqBytesPerCode(NBITS), codebooks };
    const codes = unpack(packed, n, m);
    for (let i = 0; i < codes.length; i++) if (codes[i]! >= ksub) throw errors.internal('corrupt SCANN payload: code out of range');
    const ix = new ScannIndex(column, numRows, metric, parts, { pq, packed, norms: metric === 'COSINE' ? norms : null, withRawData: withRaw === 1 });
    ix.prepareForSearch();
    return ix;
  }

  override prepareForSearch(): void {
    this.scanner.prepare();
  }

  /** Codes (and their wasm copy), codebooks, norms and tables. */
  protected countOwn(t: MemoryTally): void {
    this.scanner.countMemory(t);
    t.array(this.sc.pq.codebooks).array(this.sc.norms).array(this.lut).array(this.residual);
  }

  serialize(): Uint8Array {
    const { pq, packed, norms, withRawData } = this.sc;
    return this.writeCommon(IVF_TYPE_CODES.SCANN).u32(withRawData ? 1 : 0).u32(pq.m).u32(pq.ksub)
      .section(pq.codebooks).section(packed).section(norms ?? new Float32Array(0)).finish();
  }

  /**
   * PQ candidates, then (with raw data) the reorder step over the best `reorder_k` of them. A range
   * search with raw data scores the probed lists' rows exactly instead: a window is about exact
   * distances, and PQ scores would let rows through (or keep them out) on the codes' error.
   */
  override search(req: IndexSearchRequest): ExactSearchResult {
    if (!this.sc.withRawData) return super.search(req);
    if ((req.range ?? null) !== null) {
      this.exactRows = new ExactRowScorer(this.column, this.metric);
      try {
        return super.search(req);
      } finally {
        this.exactRows = null;
      }
    }
    const v = req.params?.['reorder_k'];
    const reorderK = typeof v === 'number' ? v : req.topK;
    if (reorderK < req.topK) {
      throw errors.invalidParameter(`reorder_k(${reorderK}) should be larger than k(${req.topK})`, { param: 'reorder_k', expected: `>= ${req.topK}`, actual: reorderK });
    }
    const candidates = super.search({ ...req, topK: reorderK });
    const scorer = new ExactRowScorer(this.column, this.metric);
    return rerank(candidates, denseQueriesToF32(req.queries as DenseColumn), this.dim, scorer, this.metric, req.topK, req.range ?? null);
  }

  /** Set during a range search with raw data: rows are scored exactly. */
  private exactRows: ExactRowScorer | null = null;

  /** IP / COSINE: the query's table (independent of the list). */
  protected override beginQuery(q: number): void {
    if (this.exactRows !== null) this.exactRows.setQuery(this.queries, q * this.dim);
    else if (this.metric !== 'L2') this.fillTables(this.queries, q * this.dim, false);
  }

  /** The m x ksub table of v (at vOff), then the fast-scan pair table from it. */
  private fillTables(v: Float32Array, vOff: number, l2: boolean): void {
    const { m, ksub, codebooks } = this.sc.pq;
    const lut = this.lut, pair = this.scanner.lut;
    for (let j = 0; j < m; j++) {
      for (let k = 0; k < ksub; k++) {
        const cb = (j * ksub + k) * SCANN_SUB_DIM, at = vOff + j * SCANN_SUB_DIM;
        lut[j * ksub + k] = l2 ? l2SqF32(v, at, codebooks, cb, SCANN_SUB_DIM) : ipF32(v, at, codebooks, cb, SCANN_SUB_DIM);
      }
    }
    for (let p = 0; p < this.scanner.m; p++) {
      const lo = 2 * p * ksub, hi = lo + ksub, hasHi = 2 * p + 1 < m;
      for (let b = 0; b < BYTE_KSUB; b++) {
        const a = b & 15, c = b >>> 4;
        const sum = (a < ksub ? lut[lo + a]! : 0) + (hasHi && c < ksub ? lut[hi + c]! : 0);
        pair[p * BYTE_KSUB + b] = sum;
      }
    }
  }

  scanList(q: number, l: number, ctx: ScanContext): number {
    const from = this.lists.offsets[l]!, to = this.lists.offsets[l + 1]!;
    if (from === to) return 0;
    if (this.exactRows !== null) return offerKeyed(this.exactRows, this.lists.ids, q, from, to, ctx);
    const dim = this.dim, qs = this.queries, qOff = q * dim, c = this.coarse.centroids;
    let base = 0;
    if (this.metric === 'L2') {
      const r = this.residual;
      for (let d = 0; d < dim; d++) r[d] = qs[qOff + d]! - c[l * dim + d]!;
      this.fillTables(r, 0, true);
    } else {
      base = ipF32(qs, qOff, c, l * dim, dim);
    }
    const sums = this.scanner.scores(from, to);
    const ids = this.lists.ids, filter = ctx.filter, norms = this.sc.norms, qNorm = this.queryNorms[q]!;
    let hits = 0;
    for (let pos = from; pos < to; pos++) {
      const row = ids[pos]!;
      if (filter !== null && filter[row] === 0) continue;
      let s = base + sums[pos - from]!;
      if (norms !== null) {
        const den = qNorm * norms[pos]!;
        s = den === 0 ? 0 : s / den;
        s = s > 1 ? 1 : s < -1 ? -1 : s;
      }
      hits += offerRow(ctx, q, Math.fround(s), row);
    }
    return hits;
  }
}
