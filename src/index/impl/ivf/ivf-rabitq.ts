/**
 * IVF_RABITQ (Milvus 2.6): the IVF lists plus a RaBitQ code of each row's residual (`rabitq.ts`), one
 * bit per dimension and two float32 factors. Per probed list the rotated query residual is turned
 * into byte tables and every row's estimate is
 * - L2: |r|^2 + |q - c|^2 - 2 |r| <u, P (q - c)>~
 * - IP: <q, c> + |r| <u, P q>~;  COSINE: that on unit-normalised rows, divided by |q|, in [-1, 1]
 * (~ = RaBitQ's estimate). With `refine` the best `refine_k * topK` rows by the estimates are
 * re-scored by the refine data (`refine.ts`) and the top k of them returned with those scores.
 *
 * Payload after the IVF common sections: u32 refine type (0 none, else 1 + index in REFINE_TYPES) |
 * f32 rotation (dim x dim) | u8 codes (list order) | f32 |r| | f32 <x, u>.
 */
import type { MemoryTally } from '../../memory.js';
import type { MetricType } from '../../../core/enums.js';
import { errors } from '../../../core/errors.js';
import type { ExactSearchResult, IndexSearchRequest } from '../../descriptor.js';
import { ipF32 } from '../../kernels/dense.js';
import { denseQueriesToF32 } from '../../scan-dense.js';
import type { ScanContext } from '../../scan-window.js';
import { ByteCodeScanner } from './byte-codes.js';
import { buildCoarse } from './coarse.js';
import { DenseIvfBase, IVF_TYPE_CODES, readDenseCommon, type DenseIvfParts } from './dense-base.js';
import { PayloadReader } from './payload.js';
import { codeBytes, encodeRabitq, fillBitTable, quantizeQuery, randomRotation, rotate, type RabitqCodes } from './rabitq.js';
import { buildRefiner, REFINE_TYPES, type RefineType, type Refiner } from './refine.js';
import { offerKeyed, rerank } from './rerank.js';
import { DenseRowReader, type DenseColumn } from './rows.js';
import { offerRow } from './search.js';
import { ivfTuning, seededRandom } from './tuning.js';

function longestList(parts: DenseIvfParts): number {
  let longest = 0;
  for (let l = 0; l < parts.lists.nlist; l++) longest = Math.max(longest, parts.lists.offsets[l + 1]! - parts.lists.offsets[l]!);
  return longest;
}

function numParam(req: IndexSearchRequest, name: string, fallback: number): number {
  const v = req.params?.[name];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export class IvfRabitqIndex extends DenseIvfBase {
  private readonly scanner: ByteCodeScanner;
  /** P c for every centroid (nlist x dim). */
  private readonly rotatedCentroids: Float32Array;
  /** The current query rotated (P q), and a per-list residual scratch. */
  private readonly pq: Float32Array;
  private readonly qr: Float32Array;
  private queryBits = 0;
  private total = 0;

  constructor(
    column: DenseColumn, numRows: number, metric: MetricType, parts: DenseIvfParts,
    readonly rotation: Float32Array, readonly rb: RabitqCodes, readonly refiner: Refiner | null,
  ) {
    super('IVF_RABITQ', column, numRows, metric, parts);
    const dim = column.dim;
    this.scanner = new ByteCodeScanner(rb.codes, codeBytes(dim), longestList(parts));
    this.pq = new Float32Array(dim);
    this.qr = new Float32Array(dim);
    this.rotatedCentroids = new Float32Array(parts.coarse.nlist * dim);
    for (let l = 0; l < parts.coarse.nlist; l++) {
      rotate(rotation, dim, parts.coarse.centroids, l * dim, this.qr);
      this.rotatedCentroids.set(this.qr, l * dim);
    }
  }

  static build(column: DenseColumn, numRows: number, metric: MetricType, nlist: number, refine: RefineType | null, threads = 1): IvfRabitqIndex {
    const reader = new DenseRowReader(column);
    const parts = buildCoarse(reader, column.valid, numRows, nlist, metric, threads);
    const rotation = randomRotation(column.dim, seededRandom(ivfTuning.seed ^ 0x2ab17));
    const rb = encodeRabitq(reader, parts, rotation, metric === 'COSINE');
    const refiner = refine === null ? null : buildRefiner(refine, column, numRows, metric);
    return new IvfRabitqIndex(column, numRows, metric, parts, rotation, rb, refiner);
  }

  static deserialize(payload: Uint8Array, column: DenseColumn, numRows: number, metric: MetricType): IvfRabitqIndex {
    const reader = new PayloadReader(payload);
    const dim = column.dim;
    const parts = readDenseCommon(reader, IVF_TYPE_CODES.IVF_RABITQ, dim, numRows, metric);
    const refineCode = reader.u32();
    if (refineCode > REFINE_TYPES.length) throw errors.internal('corrupt IVF_RABITQ payload: refine type');
    const rotation = reader.f32('rotation', dim * dim);
    const n = parts.lists.ids.length;
    const codes = reader.u8('codes', n * codeBytes(dim));
    const rNorm = reader.f32('residual norms', n), xu = reader.f32('factors', n);
    reader.finish();
    const refine = refineCode === 0 ? null : buildRefiner(REFINE_TYPES[refineCode - 1]!, column, numRows, metric);
    const ix = new IvfRabitqIndex(column, numRows, metric, parts, rotation, { codes, rNorm, xu }, refine);
    ix.prepareForSearch();
    return ix;
  }

  override prepareForSearch(): void {
    this.scanner.prepare();
  }

  protected countOwn(t: MemoryTally): void {
    this.scanner.countMemory(t);
    t.array(this.rotation).array(this.rb.rNorm).array(this.rb.xu).array(this.rotatedCentroids).array(this.pq).array(this.qr);
    this.refiner?.countMemory(t);
  }

  serialize(): Uint8Array {
    const refineCode = this.refiner === null ? 0 : 1 + REFINE_TYPES.indexOf(this.refiner.type);
    return this.writeCommon(IVF_TYPE_CODES.IVF_RABITQ).u32(refineCode).section(this.rotation)
      .section(this.rb.codes).section(this.rb.rNorm).section(this.rb.xu).finish();
  }

  /** Estimates, then (with refine) the refine step over the best `refine_k * topK` of them. */
  override search(req: IndexSearchRequest): ExactSearchResult {
    // Milvus' own tests also send the name `rbq_bits_query`.
    this.queryBits = Math.floor(numParam(req, 'rbq_query_bits', numParam(req, 'rbq_bits_query', 0)));
    const refiner = this.refiner;
    if (refiner === null) return super.search(req);
    // A range search scores the probed lists' rows with the refine data (a window is about distances).
    if ((req.range ?? null) !== null) {
      this.rangeRefine = true;
      try {
        return super.search(req);
      } finally {
        this.rangeRefine = false;
      }
    }
    const k = Math.max(req.topK, Math.ceil(req.topK * numParam(req, 'refine_k', 1)));
    const candidates = super.search({ ...req, topK: k });
    return rerank(candidates, denseQueriesToF32(req.queries as DenseColumn), this.dim, refiner, this.metric, req.topK, req.range ?? null);
  }

  private rangeRefine = false;

  protected override beginQuery(q: number): void {
    if (this.rangeRefine) {
      this.refiner!.setQuery(this.queries, q * this.dim);
      return;
    }
    rotate(this.rotation, this.dim, this.queries, q * this.dim, this.pq);
    if (this.metric === 'L2') return;
    this.qr.set(this.pq);
    quantizeQuery(this.qr, this.dim, this.queryBits);
    this.total = fillBitTable(this.qr, this.dim, this.scanner.lut);
  }

  scanList(q: number, l: number, ctx: ScanContext): number {
    const from = this.lists.offsets[l]!, to = this.lists.offsets[l + 1]!;
    if (from === to) return 0;
    if (this.rangeRefine) return offerKeyed(this.refiner!, this.lists.ids, q, from, to, ctx);
    const dim = this.dim, l2 = this.metric === 'L2';
    let base = 0;
    if (l2) {
      const qr = this.qr, pc = this.rotatedCentroids;
      for (let d = 0; d < dim; d++) {
        const v = this.pq[d]! - pc[l * dim + d]!;
        qr[d] = v;
        base += v * v;
      }
      quantizeQuery(qr, dim, this.queryBits);
      this.total = fillBitTable(qr, dim, this.scanner.lut);
    } else {
      base = ipF32(this.queries, q * dim, this.coarse.centroids, l * dim, dim);
    }
    return this.offerEstimates(q, from, to, base, l2, ctx);
  }

  private offerEstimates(q: number, from: number, to: number, base: number, l2: boolean, ctx: ScanContext): number {
    const sums = this.scanner.scores(from, to);
    const ids = this.lists.ids, filter = ctx.filter, { rNorm, xu } = this.rb, total = this.total;
    const invSqrtD = 1 / Math.sqrt(this.dim), cosine = this.metric === 'COSINE', qNorm = this.queryNorms[q]!;
    let hits = 0;
    for (let pos = from; pos < to; pos++) {
      const row = ids[pos]!;
      if (filter !== null && filter[row] === 0) continue;
      const rn = rNorm[pos]!;
      const est = ((2 * sums[pos - from]! - total) * invSqrtD) / xu[pos]!;
      let s = l2 ? rn * rn + base - 2 * rn * est : base + rn * est;
      if (l2 && s < 0) s = 0;
      if (cosine) {
        s = qNorm === 0 ? 0 : s / qNorm;
        s = s > 1 ? 1 : s < -1 ? -1 : s;
      }
      hits += offerRow(ctx, q, Math.fround(s), row);
    }
    return hits;
  }
}
