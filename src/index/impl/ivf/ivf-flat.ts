/**
 * IVF_FLAT over float32 / float16 / bfloat16 / int8 columns: lists of row ids, exact distances from
 * the column, so its scores equal FLAT's bit for bit. With the wasm kernels the rows are copied once
 * in list order (`ListRows`, made on the first search) and a probed list is one bounded scan of
 * contiguous rows; otherwise in JS (non-float32 rows decoded per row).
 */
import type { MetricType } from '../../../core/enums.js';
import { cosineF32, ipF32, l2SqF32 } from '../../kernels/dense.js';
import type { ScanContext } from '../../scan-window.js';
import { buildCoarse } from './coarse.js';
import { DenseIvfBase, IVF_TYPE_CODES, readDenseCommon, type DenseIvfParts } from './dense-base.js';
import { PayloadReader } from './payload.js';
import { DenseRowReader, type DenseColumn } from './rows.js';
import { offerRow } from './search.js';
import { ListRows, WasmGather, type ListScorer } from './wasm-gather.js';

export class IvfFlatIndex extends DenseIvfBase {
  /** The column's own array when it is float32 (rows read in place), else null (rows decoded). */
  private readonly direct: Float32Array | null;
  /** The current search's wasm scorer, or null (JS scan). */
  private gather: ListScorer | null = null;
  /** The rows in list order in wasm memory, made on the first search (undefined) ; null without wasm. */
  private listRows: ListRows | null | undefined;

  constructor(column: DenseColumn, numRows: number, metric: MetricType, parts: DenseIvfParts) {
    super('IVF_FLAT', column, numRows, metric, parts);
    this.direct = column.kind === 'floatVector' ? column.data : null;
  }

  static build(column: DenseColumn, numRows: number, metric: MetricType, nlist: number): IvfFlatIndex {
    return new IvfFlatIndex(column, numRows, metric, buildCoarse(new DenseRowReader(column), column.valid, numRows, nlist, metric));
  }

  static deserialize(payload: Uint8Array, column: DenseColumn, numRows: number, metric: MetricType): IvfFlatIndex {
    const reader = new PayloadReader(payload);
    const parts = readDenseCommon(reader, IVF_TYPE_CODES.IVF_FLAT, column.dim, numRows, metric);
    reader.finish();
    return new IvfFlatIndex(column, numRows, metric, parts);
  }

  serialize(): Uint8Array {
    return this.writeCommon(IVF_TYPE_CODES.IVF_FLAT).finish();
  }

  protected override beginSearch(queries: DenseColumn): void {
    if (this.listRows === undefined) this.listRows = ListRows.create(this.column, this.lists);
    this.gather = this.listRows?.open(queries, this.metric) ?? WasmGather.open(this.column, this.numRows, queries, this.metric, this.lists);
  }

  protected override endSearch(): void {
    this.gather?.close();
    this.gather = null;
  }

  scanList(q: number, l: number, ctx: ScanContext): number {
    const from = this.lists.offsets[l]!, to = this.lists.offsets[l + 1]!;
    if (this.gather !== null) return scanGathered(this.gather, this.lists.ids, q, from, to, ctx);
    switch (this.metric) {
      case 'L2': return this.scanL2(q, from, to, ctx);
      case 'IP': return this.scanIp(q, from, to, ctx);
      default: return this.scanCosine(q, from, to, ctx);
    }
  }

  /*
   * One loop per metric keeps each kernel call site monomorphic. Rows are read in place from a
   * float32 column, or decoded into the reader's scratch row.
   */

  private scanL2(q: number, from: number, to: number, ctx: ScanContext): number {
    const ids = this.lists.ids, filter = ctx.filter, dim = this.dim, qs = this.queries, qOff = q * dim;
    const direct = this.direct, reader = this.reader, scratch = reader.scratch;
    let hits = 0;
    for (let j = from; j < to; j++) {
      const row = ids[j]!;
      if (filter !== null && filter[row] === 0) continue;
      let d: number;
      if (direct !== null) d = l2SqF32(qs, qOff, direct, row * dim, dim);
      else {
        reader.readInto(row, scratch, 0);
        d = l2SqF32(qs, qOff, scratch, 0, dim);
      }
      hits += offerRow(ctx, q, Math.fround(d), row);
    }
    return hits;
  }

  private scanIp(q: number, from: number, to: number, ctx: ScanContext): number {
    const ids = this.lists.ids, filter = ctx.filter, dim = this.dim, qs = this.queries, qOff = q * dim;
    const direct = this.direct, reader = this.reader, scratch = reader.scratch;
    let hits = 0;
    for (let j = from; j < to; j++) {
      const row = ids[j]!;
      if (filter !== null && filter[row] === 0) continue;
      let d: number;
      if (direct !== null) d = ipF32(qs, qOff, direct, row * dim, dim);
      else {
        reader.readInto(row, scratch, 0);
        d = ipF32(qs, qOff, scratch, 0, dim);
      }
      hits += offerRow(ctx, q, Math.fround(d), row);
    }
    return hits;
  }

  private scanCosine(q: number, from: number, to: number, ctx: ScanContext): number {
    const ids = this.lists.ids, filter = ctx.filter, dim = this.dim, qs = this.queries, qOff = q * dim;
    const qNorm = this.queryNorms[q]!;
    const direct = this.direct, reader = this.reader, scratch = reader.scratch;
    let hits = 0;
    for (let j = from; j < to; j++) {
      const row = ids[j]!;
      if (filter !== null && filter[row] === 0) continue;
      let d: number;
      if (direct !== null) d = cosineF32(qs, qOff, qNorm, direct, row * dim, dim);
      else {
        reader.readInto(row, scratch, 0);
        d = cosineF32(qs, qOff, qNorm, scratch, 0, dim);
      }
      hits += offerRow(ctx, q, Math.fround(d), row);
    }
    return hits;
  }
}

/** Offer the rows at list positions [from, to) scored by wasm (already float32) to query q. */
export function scanGathered(g: ListScorer, ids: Int32Array, q: number, from: number, to: number, ctx: ScanContext): number {
  if (from === to) return 0;
  // Prune against the heap only for top-k: a range search counts every in-window row of a list.
  const out = g.distances(q, from, to, ctx.window === null ? ctx.heaps.threshold(q) : Infinity);
  const base = g.outIndex - from;
  const filter = ctx.filter;
  let hits = 0;
  for (let j = from; j < to; j++) {
    const row = ids[j]!;
    if (filter !== null && filter[row] === 0) continue;
    hits += offerRow(ctx, q, out[base + j]!, row);
  }
  return hits;
}
