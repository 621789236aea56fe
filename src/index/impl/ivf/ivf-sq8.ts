/**
 * IVF_SQ8: the IVF_FLAT lists plus one 8-bit code per dimension per row (no residual). Each
 * dimension d is split into 256 equal buckets over [min_d, max_d] of the indexed rows; a code
 * decodes to its bucket centre. COSINE rows are unit-normalised before encoding.
 * Search computes distances on the codes only (no re-rank from the raw column), so scores are
 * approximate, as in Milvus: |error| per coordinate <= (max_d - min_d) / 512. A list is scored by
 * the wasm `sq8Scan` kernel (float32 SIMD over the list-order codes, copied once into a memory of
 * the index's own); `scoresJs` is its bit-identical reference and the path without wasm.
 */
import type { MemoryTally } from '../../memory.js';
import type { MetricType } from '../../../core/enums.js';
import type { ScanContext } from '../../scan-window.js';
import { buildCoarse } from './coarse.js';
import { DenseIvfBase, IVF_TYPE_CODES, readDenseCommon, type DenseIvfParts } from './dense-base.js';
import type { InvertedLists } from './lists.js';
import { PayloadReader } from './payload.js';
import { DenseRowReader, normalizeRow, type DenseColumn } from './rows.js';
import { checkQueries, checkTopK } from './search.js';
import { offerScored, sq8Table, type IvfShared } from './task.js';
import { probeOnPool } from './pool-search.js';
import type { IndexSearchRequest } from '../../descriptor.js';
import type { ExactSearchResult } from '../../flat.js';
import type { WasmPool } from '../../wasm/pool.js';
import { denseQueriesToF32 } from '../../scan-dense.js';
import { normSqF32 } from '../../kernels/dense.js';
import { errors } from '../../../core/errors.js';
import { WasmArena } from '../../wasm/arena.js';
import { METRIC } from '../../wasm/codes.js';
import { WasmCoarse } from './wasm-coarse.js';

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

  static build(column: DenseColumn, numRows: number, metric: MetricType, nlist: number, threads = 1): IvfSq8Index {
    const reader = new DenseRowReader(column);
    const parts = buildCoarse(reader, column.valid, numRows, nlist, metric, threads);
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
    const ix = new IvfSq8Index(column, numRows, metric, parts, { vmin, vdiff }, codes);
    ix.prepareForSearch();
    return ix;
  }

  override prepareForSearch(): void {
    if (this.wasm === undefined && this.lists.ids.length > 0) this.wasm = Sq8Wasm.create(this.sq8Source(), this.longestList());
  }

  /** The codes (JS, and their copy in wasm memory), the quantiser and tables. */
  protected countOwn(t: MemoryTally): void {
    t.array(this.codes).array(this.norms).array(this.scale).array(this.offset).array(this.qTable).array(this.jsOut);
    t.array(this.sq.vmin).array(this.sq.vdiff).memory(this.wasm?.arena.memory);
  }

  serialize(): Uint8Array {
    return this.writeCommon(IVF_TYPE_CODES.IVF_SQ8).section(this.sq.vmin).section(this.sq.vdiff).section(this.codes).finish();
  }

  /**
   * `search` on a WasmPool's worker threads: one task per thread (at most one per query), each
   * running the same probe and `sq8Scan` over the codes in the index's wasm memory. Identical hits
   * and scores. Null (run `search` here) for range searches, selective filters, or without wasm.
   */
  searchOnPool(pool: WasmPool, req: IndexSearchRequest): Promise<ExactSearchResult> | null {
    const nq = checkQueries(this.column.kind, this.dim, req.queries);
    checkTopK(req.topK);
    if ((req.range ?? null) !== null || nq === 0 || this.lists.ids.length === 0) return null;
    const filter = req.filter ?? null;
    // A selective filter is answered here, exactly, with the rows just listed.
    const exact = this.selectiveExact(req, nq);
    if (exact !== null) return Promise.resolve(exact);
    if (this.wasm === undefined) this.wasm = Sq8Wasm.create(this.sq8Source(), this.longestList());
    if (this.wasm === null) return null;
    const w = this.wasm;
    const shared: IvfShared = {
      metricCode: metricCodeOf(this.metric), metric: this.metric, dim: this.dim, numRows: this.numRows, nlist: this.coarse.nlist,
      centroids: w.centroidsPtr, coarseIp: this.coarse.ip, offsets: w.offsetsPtr, ids: w.idsPtr, idsLength: this.lists.ids.length,
      longest: w.longest, scoring: { mode: 'sq8', codes: w.codesPtr, scale: w.scalePtr, offset: w.offsetPtr, norms: w.normsPtr },
    };
    const f32 = denseQueriesToF32(req.queries as DenseColumn);
    const norms = new Float64Array(nq);
    for (let q = 0; q < nq; q++) norms[q] = Math.sqrt(normSqF32(f32, q * this.dim, this.dim));
    this.stats.indexQueries += nq;
    return probeOnPool(pool, w.arena, shared, req, nq, { f32, block: null, norms }, filter);
  }

  protected override wasmCoarse(): WasmCoarse | null {
    if (this.wasm === undefined && this.lists.ids.length > 0) this.wasm = Sq8Wasm.create(this.sq8Source(), this.longestList());
    if (this.wasm == null) return null;
    this.wasmKeys ??= new WasmCoarse(this.wasm.arena, this.wasm.centroidsPtr, this.coarse.nlist, this.dim, this.coarse.ip);
    return this.wasmKeys;
  }

  private wasmKeys: WasmCoarse | undefined;

  protected override beginQuery(q: number): void {
    this.qBase = sq8Table(this.metric === 'L2', this.queries, q * this.dim, this.scale, this.offset, this.qTable);
  }

  scanList(q: number, l: number, ctx: ScanContext): number {
    const from = this.lists.offsets[l]!, to = this.lists.offsets[l + 1]!;
    if (from === to) return 0;
    if (this.wasm === undefined) this.wasm = Sq8Wasm.create(this.sq8Source(), this.longestList());
    if (this.wasm !== null) {
      const w = this.wasm;
      // Prune against the heap only for top-k: a range search counts every in-window row of a list.
      const thr = ctx.window === null ? ctx.heaps.threshold(q) : Infinity;
      return offerScored(w.scores(this.metric, from, to, this.qTable, this.qBase, this.queryNorms[q]!, thr), w.outPtr >>> 2, this.lists.ids, q, from, to, ctx);
    }
    return offerScored(this.scoresJs(from, to, this.queryNorms[q]!), 0, this.lists.ids, q, from, to, ctx);
  }

  /** The codes, norms and scratch in wasm memory (made on the first list scan; null without wasm). */
  private wasm: Sq8Wasm | null | undefined;
  /** Scores of the JS path. */
  private jsOut = new Float32Array(0);

  private sq8Source(): Sq8Source {
    return {
      dim: this.dim, codes: this.codes, scale: this.scale, offset: this.offset, norms: this.norms,
      lists: this.lists, centroids: this.coarse.centroids,
    };
  }

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

/** IVF_SQ8's codes (list order), scale / offset, COSINE norms, lists and centroids, and scratch, in a wasm memory of its own. */
class Sq8Wasm {
  readonly codesPtr: number;
  readonly tablePtr: number;
  readonly scalePtr: number;
  readonly offsetPtr: number;
  readonly normsPtr: number;
  readonly outPtr: number;
  readonly offsetsPtr: number;
  readonly idsPtr: number;
  readonly centroidsPtr: number;

  private constructor(readonly arena: WasmArena, ix: Sq8Source, readonly longest: number) {
    const a = arena, dim = ix.dim;
    const copy = (src: Uint8Array | Float32Array | Int32Array): number => {
      const p = a.alloc(Math.max(4, src.byteLength));
      a.u8.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), p);
      return p;
    };
    this.codesPtr = copy(ix.codes);
    this.scalePtr = copy(ix.scale);
    this.offsetPtr = copy(ix.offset);
    this.normsPtr = ix.norms === null ? 0 : copy(ix.norms);
    this.offsetsPtr = copy(ix.lists.offsets);
    this.idsPtr = copy(ix.lists.ids);
    this.centroidsPtr = copy(ix.centroids);
    // The query table, then the scales: the layout the kernel reads.
    this.tablePtr = a.alloc(dim * 8);
    a.f32.set(ix.scale, (this.tablePtr >>> 2) + dim);
    this.outPtr = a.alloc(Math.max(1, longest) * 4);
  }

  static create(ix: Sq8Source, longest: number): Sq8Wasm | null {
    const bytes = ix.codes.length + ix.lists.ids.length * 12 + ix.centroids.byteLength + longest * 4 + ix.dim * 16;
    return WasmArena.owned(bytes, (arena) => new Sq8Wasm(arena, ix, longest));
  }

  /**
   * Scores of positions [from, to) for the query whose table is `table`, at f32[outPtr >>> 2 ..] (NaN
   * where the badness key is above `thr`); valid until the next call.
   */
  scores(metric: MetricType, from: number, to: number, table: Float32Array, base: number, qNorm: number, thr: number): Float32Array {
    const a = this.arena;
    a.f32.set(table, this.tablePtr >>> 2);
    a.k.sq8Scan(metricCodeOf(metric), this.codesPtr, table.length, from, to, this.tablePtr, base, this.normsPtr, qNorm, this.outPtr, thr);
    return a.f32;
  }
}

/** What Sq8Wasm copies from an IVF_SQ8 index. */
interface Sq8Source {
  readonly dim: number;
  readonly codes: Uint8Array;
  readonly scale: Float32Array;
  readonly offset: Float32Array;
  readonly norms: Float32Array | null;
  readonly lists: InvertedLists;
  readonly centroids: Float32Array;
}

function metricCodeOf(metric: MetricType): number {
  return metric === 'L2' ? METRIC.L2 : metric === 'IP' ? METRIC.IP : METRIC.COSINE;
}
