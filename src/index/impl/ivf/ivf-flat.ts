/**
 * IVF_FLAT over float32 / float16 / bfloat16 / int8 columns: lists of row ids, exact distances from
 * the column, so its scores equal FLAT's bit for bit. With the wasm kernels the rows are copied once
 * in list order (`ListRows`, made on the first search) and a probed list is one bounded scan of
 * contiguous rows; otherwise in JS (non-float32 rows decoded per row). Over a mapped (mmap.enabled)
 * field the list-order rows are a file read per list instead (`openMapped`, mapped-lists.ts).
 */
import type { MemoryTally } from '../../memory.js';
import type { MetricType } from '../../../core/enums.js';
import { cosineF32, ipF32, l2SqF32 } from '../../kernels/dense.js';
import type { ScanContext } from '../../scan-window.js';
import { buildCoarse } from './coarse.js';
import { DenseIvfBase, IVF_TYPE_CODES, readDenseCommon, type DenseIvfParts } from './dense-base.js';
import { PayloadReader } from './payload.js';
import { DenseRowReader, type DenseColumn } from './rows.js';
import { checkQueries, checkTopK, IVF_EXACT_SELECTIVITY, offerRow } from './search.js';
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
import { MappedLists } from './mapped-lists.js';
import type { MappedVectorRows } from '../../descriptor.js';
import { WindowedTopK } from '../../exact-windows.js';
import { allowedRows } from '../../allowed.js';
import { limits } from '../../../core/limits.js';

export class IvfFlatIndex extends DenseIvfBase {
  /** The column's own array when it is float32 (rows read in place), else null (rows decoded). */
  private readonly direct: Float32Array | null;
  /** The current search's wasm scorer, or null (JS scan). */
  private gather: ListScorer | null = null;
  /** The rows in list order in wasm memory, made on the first search (undefined) ; null without wasm. */
  private listRows: ListRows | null | undefined;

  constructor(column: DenseColumn, numRows: number, metric: MetricType, parts: DenseIvfParts, private readonly mapped: MappedLists | null = null) {
    super('IVF_FLAT', column, numRows, metric, parts);
    this.direct = column.kind === 'floatVector' && mapped === null ? column.data : null;
    if (mapped !== null) this.listRows = null;
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

  /**
   * Over a mapped field (`rows.shape` has no rows): its rows written in list order to a file read per
   * probed list; null without the wasm kernels.
   */
  static async openMapped(payload: Uint8Array, rows: MappedVectorRows, numRows: number, metric: MetricType): Promise<IvfFlatIndex | null> {
    const shape = rows.shape as DenseColumn;
    const reader = new PayloadReader(payload);
    const parts = readDenseCommon(reader, IVF_TYPE_CODES.IVF_FLAT, shape.dim, numRows, metric);
    reader.finish();
    const mapped = await MappedLists.open(rows, parts.lists, parts.coarse.centroids, numRows);
    return mapped === null ? null : new IvfFlatIndex(shape, numRows, metric, parts, mapped);
  }

  close(): void {
    this.mapped?.close();
  }

  override prepareForSearch(): void {
    if (this.listRows === undefined) this.listRows = ListRows.create(this.column, this.lists, this.coarse.centroids);
  }

  protected countOwn(t: MemoryTally): void {
    t.memory(this.listRows?.store.arena.memory);
    this.mapped?.countMemory(t);
  }

  /**
   * A selective filter over a mapped field: the listed rows read from the list-order file a window
   * at a time, scored exactly (same hits and scores as `searchExactAmong` over the column).
   */
  protected override selectiveExact(req: IndexSearchRequest, nq: number): ExactSearchResult | null {
    const mapped = this.mapped;
    if (mapped === null) return super.selectiveExact(req, nq);
    const filter = req.filter ?? null;
    if (filter === null || (req.range ?? null) !== null) return null;
    const listed = allowedRows(filter, this.column.valid, this.numRows, Math.floor(IVF_EXACT_SELECTIVITY * this.lists.ids.length));
    if (listed === null) return null;
    this.stats.exactQueries += nq;
    const win = new WindowedTopK({ metric: this.metric, queries: req.queries, topK: req.topK, range: null });
    const rowBytes = mapped.file.rowBytes;
    const per = Math.max(1, Math.floor(limits.mmapWindowBytes / rowBytes));
    const bytes = new Uint8Array(Math.min(per, Math.max(1, listed.length)) * rowBytes);
    for (let from = 0; from < listed.length; from += per) {
      const n = Math.min(per, listed.length - from);
      mapped.readRows(listed, from, n, bytes);
      win.add(columnOver(this.column, bytes), n, null, 0, listed.subarray(from, from + n));
    }
    return win.result(nq);
  }

  serialize(): Uint8Array {
    return this.writeCommon(IVF_TYPE_CODES.IVF_FLAT).finish();
  }

  protected override beginSearch(queries: DenseColumn, filter: Uint8Array | null): void {
    if (this.listRows === undefined) this.listRows = ListRows.create(this.column, this.lists, this.coarse.centroids);
    this.gather = this.mapped?.open(queries, this.metric, filter, this.numRows)
      ?? this.listRows?.open(queries, this.metric, filter, this.numRows)
      ?? WasmGather.open(this.column, this.numRows, queries, this.metric, this.lists);
  }

  protected override wasmCoarse(): WasmCoarse | null {
    return this.mapped?.coarse(this.coarse.nlist, this.coarse.ip) ?? this.listRows?.coarse(this.coarse.nlist, this.coarse.ip) ?? null;
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
    // Mapped lists are read through this thread's page cache.
    if (this.mapped !== null) return null;
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

/** `bytes` (whole rows of `like`'s kind and dim) as a column of that kind, no validity. */
function columnOver(like: DenseColumn, bytes: Uint8Array): DenseColumn {
  const b = bytes.buffer, o = bytes.byteOffset;
  switch (like.kind) {
    case 'floatVector': return { kind: like.kind, dim: like.dim, data: new Float32Array(b, o, bytes.byteLength / 4), valid: null };
    case 'float16Vector': case 'bfloat16Vector': return { kind: like.kind, dim: like.dim, data: new Uint16Array(b, o, bytes.byteLength / 2), valid: null };
    case 'int8Vector': return { kind: like.kind, dim: like.dim, data: new Int8Array(b, o, bytes.byteLength), valid: null };
  }
}
