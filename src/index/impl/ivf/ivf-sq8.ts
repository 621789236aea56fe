/**
 * IVF_SQ8: the IVF_FLAT lists plus one 8-bit code per dimension per row (no residual). Each
 * dimension d is split into 256 equal buckets over [min_d, max_d] of the indexed rows; a code
 * decodes to its bucket centre. COSINE rows are unit-normalised before encoding.
 * Search computes distances on the codes only (no re-rank from the raw column), so scores are
 * approximate, as in Milvus: |error| per coordinate <= (max_d - min_d) / 512. A list is scored by
 * the wasm `sq8Scan` kernel (float32 SIMD over the list-order codes, copied once into a memory of
 * the index's own); `scoresJs` is its bit-identical reference and the path without wasm.
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
import { WasmArena } from '../../wasm/arena.js';
import { METRIC } from '../../wasm/codes.js';

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
    if (from === to) return 0;
    if (this.wasm === undefined) this.wasm = Sq8Wasm.create(this.codes, this.dim, this.scale, this.norms, this.longestList());
    const out = this.wasm !== null
      ? this.wasm.scores(this.metric, from, to, this.qTable, this.qBase, this.queryNorms[q]!)
      : this.scoresJs(from, to, this.queryNorms[q]!);
    const ids = this.lists.ids, filter = ctx.filter;
    let hits = 0;
    for (let j = from; j < to; j++) {
      const row = ids[j]!;
      if (filter !== null && filter[row] === 0) continue;
      hits += offerRow(ctx, q, out[j - from]!, row);
    }
    return hits;
  }

  /** The codes, norms and scratch in wasm memory (made on the first list scan; null without wasm). */
  private wasm: Sq8Wasm | null | undefined;
  /** Scores of the JS path. */
  private jsOut = new Float32Array(0);

  private longestList(): number {
    let longest = 0;
    for (let l = 0; l < this.lists.nlist; l++) longest = Math.max(longest, this.lists.offsets[l + 1]! - this.lists.offsets[l]!);
    return longest;
  }

  /**
   * The reference (and the path without wasm) of asm `sq8Scan`: float32 arithmetic in four lanes
   * (d mod 4), lanes summed in order, then the tail; IP / COSINE add `qBase` in float64.
   */
  private scoresJs(from: number, to: number, qNorm: number): Float32Array {
    if (this.jsOut.length < to - from) this.jsOut = new Float32Array(this.longestList());
    const f = Math.fround;
    const out = this.jsOut, dim = this.dim, codes = this.codes, t = this.qTable, scale = this.scale;
    const l2 = this.metric === 'L2', norms = this.norms, n4 = dim & ~3;
    const lane = new Float64Array(4);
    for (let j = from; j < to; j++) {
      const c = j * dim;
      lane.fill(0);
      let d = 0;
      for (; d < n4; d += 4) {
        for (let k = 0; k < 4; k++) {
          const code = codes[c + d + k]!;
          if (l2) {
            const e = f(t[d + k]! - f(scale[d + k]! * code));
            lane[k] = f(lane[k]! + f(e * e));
          } else {
            lane[k] = f(lane[k]! + f(t[d + k]! * code));
          }
        }
      }
      let s = f(f(f(lane[0]! + lane[1]!) + lane[2]!) + lane[3]!);
      for (; d < dim; d++) {
        const code = codes[c + d]!;
        if (l2) {
          const e = f(t[d]! - f(scale[d]! * code));
          s = f(s + f(e * e));
        } else {
          s = f(s + f(t[d]! * code));
        }
      }
      let v = s;
      if (!l2) {
        v = this.qBase + v;
        if (norms !== null) {
          const den = qNorm * norms[j]!;
          v = den === 0 ? 0 : v / den;
          v = v > 1 ? 1 : v < -1 ? -1 : v;
        }
      }
      out[j - from] = v;
    }
    return out;
  }
}

/** IVF_SQ8's codes (list order), COSINE norms, query table and score scratch in a wasm memory of its own. */
class Sq8Wasm {
  private constructor(
    private readonly arena: WasmArena, private readonly codesPtr: number, private readonly dim: number,
    private readonly tablePtr: number, private readonly scalePtr: number, private readonly normsPtr: number, private readonly outPtr: number,
  ) {}

  static create(codes: Uint8Array, dim: number, scale: Float32Array, norms: Float32Array | null, longest: number): Sq8Wasm | null {
    const rows = codes.length / Math.max(1, dim);
    return WasmArena.owned(codes.length + rows * 4 + longest * 4 + dim * 8, (arena) => Sq8Wasm.fill(arena, codes, dim, scale, norms, longest));
  }

  private static fill(arena: WasmArena, codes: Uint8Array, dim: number, scale: Float32Array, norms: Float32Array | null, longest: number): Sq8Wasm {
    const codesPtr = arena.alloc(Math.max(1, codes.length));
    arena.u8.set(codes, codesPtr);
    const tablePtr = arena.alloc(dim * 4), scalePtr = arena.alloc(dim * 4);
    arena.f32.set(scale, scalePtr >>> 2);
    let normsPtr = 0;
    if (norms !== null) {
      normsPtr = arena.alloc(Math.max(4, norms.byteLength));
      arena.f32.set(norms, normsPtr >>> 2);
    }
    return new Sq8Wasm(arena, codesPtr, dim, tablePtr, scalePtr, normsPtr, arena.alloc(Math.max(1, longest) * 4));
  }

  /** Scores of positions [from, to) for the query whose table is `table`; aliases wasm memory until the next call. */
  scores(metric: MetricType, from: number, to: number, table: Float32Array, base: number, qNorm: number): Float32Array {
    const a = this.arena;
    a.f32.set(table, this.tablePtr >>> 2);
    const m = metric === 'L2' ? METRIC.L2 : metric === 'IP' ? METRIC.IP : METRIC.COSINE;
    a.k.sq8Scan(m, this.codesPtr, this.dim, from, to, this.tablePtr, this.scalePtr, base, this.normsPtr, qNorm, this.outPtr);
    return a.f32.subarray(this.outPtr >>> 2, (this.outPtr >>> 2) + (to - from));
  }
}
