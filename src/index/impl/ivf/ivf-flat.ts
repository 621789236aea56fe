/**
 * IVF_FLAT over float32 / float16 / bfloat16 / int8 columns: lists of row ids, exact distances from
 * the column, so its scores equal FLAT's bit for bit. With the wasm kernels the rows are copied once
 * in list order (`ListRows`, made on the first search) and a probed list is one bounded scan of
 * contiguous rows; otherwise in JS (non-float32 rows decoded per row).
 */
import type { MemoryTally } from '../../memory.js';
import type { MetricType } from '../../../core/enums.js';
import { cosineF32, ipF32, l2SqF32 } from '../../kernels/dense.js';
import type { ScanContext } from '../../scan-window.js';
import { buildCoarse } from './coarse.js';
import { DenseIvfBase, IVF_TYPE_CODES, readDenseCommon, type DenseIvfParts } from './dense-base.js';
import { PayloadReader } from './payload.js';
import { DenseRowReader, type DenseColumn } from './rows.js';
import { checkQueries, checkTopK, offerRow } from './search.js';
import { scanGathered, type IvfShared } from './task.js';
import { probeOnPool } from './pool-search.js';
import type { IndexSearchRequest } from '../../descriptor.js';
import type { ExactSearchResult } from '../../flat.js';
import type { WasmPool } from '../../wasm/pool.js';
import type { WasmColumn } from '../../wasm/store.js';
import { KIND } from '../../wasm/codes.js';
import { denseQueriesToF32 } from '../../scan-dense.js';
import { ListRows, WasmGather, type ListScorer } from './wasm-gather.js';
import type { WasmCoarse } from './wasm-coarse.js';

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

  static build(column: DenseColumn, numRows: number, metric: MetricType, nlist: number, threads = 1): IvfFlatIndex {
    return new IvfFlatIndex(column, numRows, metric, buildCoarse(new DenseRowReader(column), column.valid, numRows, nlist, metric, threads));
  }

  static deserialize(payload: Uint8Array, column: DenseColumn, numRows: number, metric: MetricType): IvfFlatIndex {
    const reader = new PayloadReader(payload);
    const parts = readDenseCommon(reader, IVF_TYPE_CODES.IVF_FLAT, column.dim, numRows, metric);
    reader.finish();
    const ix = new IvfFlatIndex(column, numRows, metric, parts);
    ix.prepareForSearch();
    return ix;
  }

  override prepareForSearch(): void {
    if (this.listRows === undefined) this.listRows = ListRows.create(this.column, this.lists, this.coarse.centroids);
  }

  protected countOwn(t: MemoryTally): void {
    t.memory(this.listRows?.store.arena.memory);
  }

  serialize(): Uint8Array {
    return this.writeCommon(IVF_TYPE_CODES.IVF_FLAT).finish();
  }

  protected override beginSearch(queries: DenseColumn, filter: Uint8Array | null): void {
    if (this.listRows === undefined) this.listRows = ListRows.create(this.column, this.lists, this.coarse.centroids);
    this.gather = this.listRows?.open(queries, this.metric, filter, this.numRows)
      ?? WasmGather.open(this.column, this.numRows, queries, this.metric, this.lists);
  }

  protected override wasmCoarse(): WasmCoarse | null {
    return this.listRows?.coarse(this.coarse.nlist, this.coarse.ip) ?? null;
  }

  protected override endSearch(): void {
    this.gather?.close();
    this.gather = null;
  }

  /**
   * `search` on a WasmPool's worker threads: the queries split into one task per thread (at most one
   * per query), each running the same probe over the list-order rows in shared wasm memory.
   * Identical hits and scores. Null (run `search` here) for range searches, selective filters (an
   * exact scan), or without the wasm kernels.
   */
  searchOnPool(pool: WasmPool, req: IndexSearchRequest): Promise<ExactSearchResult> | null {
    const nq = checkQueries(this.column.kind, this.dim, req.queries);
    checkTopK(req.topK);
    if ((req.range ?? null) !== null || nq === 0) return null;
    const filter = req.filter ?? null;
    // A selective filter is answered here, exactly, with the rows just listed.
    const exact = this.selectiveExact(req, nq);
    if (exact !== null) return Promise.resolve(exact);
    if (this.listRows === undefined) this.listRows = ListRows.create(this.column, this.lists, this.coarse.centroids);
    if (this.listRows === null) return null;
    return this.probeOnPool(pool, this.listRows, req, nq, filter);
  }

  private async probeOnPool(
    pool: WasmPool, lr: ListRows, req: IndexSearchRequest, nq: number, filter: Uint8Array | null,
  ): Promise<ExactSearchResult> {
    const store = lr.store;
    const m = store.metric(this.metric);
    const bounded = store.code <= KIND.bfloat16;
    const shared: IvfShared = {
      metricCode: m, metric: this.metric, dim: this.dim, numRows: this.numRows, nlist: this.coarse.nlist,
      centroids: lr.centroidsPtr, coarseIp: this.coarse.ip, offsets: lr.offsetsPtr, ids: lr.idsPtr,
      idsLength: this.lists.ids.length, longest: lr.longest,
      scoring: { mode: 'rows', kind: store.code, bounded, rows: store.ptr, norms: store.normsFor(m, bounded) },
    };
    const block = store.query((req.queries as DenseColumn).data as WasmColumn['data']);
    try {
      const f32 = denseQueriesToF32(req.queries as DenseColumn);
      return await probeOnPool(pool, store.arena, shared, req, nq, { f32, block, norms: null }, filter);
    } finally {
      block.free();
    }
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
