/**
 * IVF_SQ8: the IVF_FLAT lists plus one 8-bit code per dimension per row (no residual). Each
 * dimension d is split into 256 equal buckets over [min_d, max_d] of the indexed rows; a code
 * decodes to its bucket centre. COSINE rows are unit-normalised before encoding.
 * Search computes distances on the codes only (no re-rank from the raw column), so scores are
 * approximate, as in Milvus: |error| per coordinate <= (max_d - min_d) / 512.
 */
import type { MetricType } from '../../../core/enums.js';
import type { ScanContext } from '../../scan-window.js';
import { buildCoarse } from './coarse.js';
import { DenseIvfBase, IVF_TYPE_CODES, readDenseCommon, type DenseIvfParts } from './dense-base.js';
import type { InvertedLists } from './lists.js';
import { PayloadReader } from './payload.js';
import { DenseRowReader, normalizeRow, type DenseColumn } from './rows.js';
import { offerRow } from './search.js';
import { errors } from '../../../core/errors.js';

export interface ScalarQuantizer {
  /** Per-dimension minimum and range (max - min). */
  readonly vmin: Float32Array;
  readonly vdiff: Float32Array;
}

/** Per-dimension min / range over every row of the lists. */
export function trainSq8(reader: DenseRowReader, lists: InvertedLists, normalize: boolean): ScalarQuantizer {
  const dim = reader.dim, x = reader.scratch;
  const lo = new Float32Array(dim).fill(Infinity), hi = new Float32Array(dim).fill(-Infinity);
  for (let j = 0; j < lists.ids.length; j++) {
    reader.readInto(lists.ids[j]!, x, 0);
    if (normalize) normalizeRow(x, 0, dim);
    for (let d = 0; d < dim; d++) {
      const v = x[d]!;
      if (v < lo[d]!) lo[d] = v;
      if (v > hi[d]!) hi[d] = v;
    }
  }
  const vdiff = new Float32Array(dim);
  for (let d = 0; d < dim; d++) {
    if (!(lo[d]! <= hi[d]!)) lo[d] = hi[d] = 0;
    vdiff[d] = hi[d]! - lo[d]!;
  }
  return { vmin: lo, vdiff };
}

/** Code of value v in dimension d. */
export function sq8Encode(sq: ScalarQuantizer, d: number, v: number): number {
  const diff = sq.vdiff[d]!;
  if (!(diff > 0)) return 0;
  const c = Math.floor(((v - sq.vmin[d]!) / diff) * 256);
  return c < 0 ? 0 : c > 255 ? 255 : c;
}

/** Value of code c in dimension d (bucket centre). */
export function sq8Decode(sq: ScalarQuantizer, d: number, c: number): number {
  return sq.vmin[d]! + ((c + 0.5) / 256) * sq.vdiff[d]!;
}

function encodeLists(reader: DenseRowReader, lists: InvertedLists, sq: ScalarQuantizer, normalize: boolean): Uint8Array {
  const dim = reader.dim, x = reader.scratch;
  const codes = new Uint8Array(lists.ids.length * dim);
  for (let j = 0; j < lists.ids.length; j++) {
    reader.readInto(lists.ids[j]!, x, 0);
    if (normalize) normalizeRow(x, 0, dim);
    for (let d = 0; d < dim; d++) codes[j * dim + d] = sq8Encode(sq, d, x[d]!);
  }
  return codes;
}

/** Euclidean norm of every decoded code row (COSINE divides by it). */
function decodedNorms(sq: ScalarQuantizer, codes: Uint8Array, dim: number): Float32Array {
  const n = codes.length / dim;
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let d = 0; d < dim; d++) {
      const v = sq8Decode(sq, d, codes[j * dim + d]!);
      s += v * v;
    }
    out[j] = Math.sqrt(s);
  }
  return out;
}

export class IvfSq8Index extends DenseIvfBase {
  readonly sq: ScalarQuantizer;
  /** lists.ids.length x dim codes, in list order. */
  readonly codes: Uint8Array;
  private readonly norms: Float32Array | null;
  /** Decoded value = offset[d] + scale[d] * code. */
  private readonly offset: Float32Array;
  private readonly scale: Float32Array;
  /** Per-query tables: L2 -> q - offset; IP / COSINE -> q * scale (and `qBase` = q . offset). */
  private readonly qTable: Float32Array;
  private qBase = 0;

  constructor(column: DenseColumn, numRows: number, metric: MetricType, parts: DenseIvfParts, sq: ScalarQuantizer, codes: Uint8Array) {
    super('IVF_SQ8', column, numRows, metric, parts);
    this.sq = sq;
    this.codes = codes;
    const dim = this.dim;
    this.scale = new Float32Array(dim);
    this.offset = new Float32Array(dim);
    for (let d = 0; d < dim; d++) {
      this.scale[d] = sq.vdiff[d]! / 256;
      this.offset[d] = sq.vmin[d]! + 0.5 * this.scale[d]!;
    }
    this.norms = metric === 'COSINE' ? decodedNorms(sq, codes, dim) : null;
    this.qTable = new Float32Array(dim);
  }

  static build(column: DenseColumn, numRows: number, metric: MetricType, nlist: number): IvfSq8Index {
    const reader = new DenseRowReader(column);
    const parts = buildCoarse(reader, column.valid, numRows, nlist, metric);
    const normalize = metric === 'COSINE';
    const sq = trainSq8(reader, parts.lists, normalize);
    return new IvfSq8Index(column, numRows, metric, parts, sq, encodeLists(reader, parts.lists, sq, normalize));
  }

  static deserialize(payload: Uint8Array, column: DenseColumn, numRows: number, metric: MetricType): IvfSq8Index {
    const reader = new PayloadReader(payload);
    const parts = readDenseCommon(reader, IVF_TYPE_CODES.IVF_SQ8, column.dim, numRows, metric);
    const vmin = reader.f32('vmin', column.dim);
    const vdiff = reader.f32('vdiff', column.dim);
    const codes = reader.u8('codes', parts.lists.ids.length * column.dim);
    reader.finish();
    for (let d = 0; d < column.dim; d++) if (!(vdiff[d]! >= 0)) throw errors.internal('corrupt IVF_SQ8 payload: negative range');
    return new IvfSq8Index(column, numRows, metric, parts, { vmin, vdiff }, codes);
  }

  serialize(): Uint8Array {
    return this.writeCommon(IVF_TYPE_CODES.IVF_SQ8).section(this.sq.vmin).section(this.sq.vdiff).section(this.codes).finish();
  }

  protected override beginQuery(q: number): void {
    const dim = this.dim, qs = this.queries, qOff = q * dim, t = this.qTable;
    let base = 0;
    for (let d = 0; d < dim; d++) {
      const v = qs[qOff + d]!;
      if (this.metric === 'L2') t[d] = v - this.offset[d]!;
      else {
        t[d] = v * this.scale[d]!;
        base += v * this.offset[d]!;
      }
    }
    this.qBase = base;
  }

  scanList(q: number, l: number, ctx: ScanContext): number {
    const from = this.lists.offsets[l]!, to = this.lists.offsets[l + 1]!;
    return this.metric === 'L2' ? this.scanL2(q, from, to, ctx) : this.scanIp(q, from, to, ctx);
  }

  private scanL2(q: number, from: number, to: number, ctx: ScanContext): number {
    const ids = this.lists.ids, filter = ctx.filter, dim = this.dim, codes = this.codes;
    const t = this.qTable, scale = this.scale;
    let hits = 0;
    for (let j = from; j < to; j++) {
      const row = ids[j]!;
      if (filter !== null && filter[row] === 0) continue;
      let s = 0;
      for (let d = 0, c = j * dim; d < dim; d++, c++) {
        const diff = t[d]! - scale[d]! * codes[c]!;
        s += diff * diff;
      }
      hits += offerRow(ctx, q, Math.fround(s), row);
    }
    return hits;
  }

  /** IP, or COSINE (dot product over |q| * |decoded row|, clamped to [-1, 1]). */
  private scanIp(q: number, from: number, to: number, ctx: ScanContext): number {
    const ids = this.lists.ids, filter = ctx.filter, dim = this.dim, codes = this.codes;
    const t = this.qTable, base = this.qBase, norms = this.norms, qNorm = this.queryNorms[q]!;
    let hits = 0;
    for (let j = from; j < to; j++) {
      const row = ids[j]!;
      if (filter !== null && filter[row] === 0) continue;
      let s = base;
      for (let d = 0, c = j * dim; d < dim; d++, c++) s += t[d]! * codes[c]!;
      if (norms !== null) {
        const den = qNorm * norms[j]!;
        s = den === 0 ? 0 : s / den;
        s = s > 1 ? 1 : s < -1 ? -1 : s;
      }
      hits += offerRow(ctx, q, Math.fround(s), row);
    }
    return hits;
  }
}
