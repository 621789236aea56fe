/**
 * A VectorStore is one segment's vector column copied into a WasmArena once (at load / build time),
 * plus lazily computed row norms for COSINE. Queries are copied in once per search as a QueryBlock.
 * Both are freed explicitly (`release()`); a store pinned by running parallel tasks is freed when the
 * last of them finishes.
 */
import type { Column } from '../../schema/column.js';
import type { MetricType } from '../../core/enums.js';
import { assert } from '../../core/assert.js';
import { errors } from '../../core/errors.js';
import type { WasmArena } from './arena.js';
import { offerRows, type ScanContext } from '../scan-window.js';
import { kindCode, metricCode, metricFitsKind, rowBytesOf, KIND, METRIC, type KindCode, type WasmVectorKind } from './codes.js';

/** Rows per `gatherBounded` call in `offerListed`: the heap threshold tightens between calls. */
const LISTED_CHUNK = 256;

export type WasmColumn = Extract<Column, { kind: WasmVectorKind }>;
type VectorData = WasmColumn['data'];

/**
 * How a kind is held in wasm memory. float16 is decoded to float32 once, here: decoding inside the
 * kernels costs ~3.5x a float32 scan on this machine (bfloat16's decode is one shift, so it stays
 * 16-bit and halves memory traffic at float32 speed). Decoding is exact, so scores do not change.
 */
export function storageCode(kind: WasmVectorKind): KindCode {
  return kind === 'float16Vector' ? KIND.float32 : kindCode(kind);
}

/** Copy (and for float16 decode) `rows` rows of `data` into a new allocation; returns its offset. */
function copyIn(arena: WasmArena, kind: WasmVectorKind, dim: number, data: VectorData, rows: number): number {
  const ptr = arena.alloc(rows * rowBytesOf(storageCode(kind), dim));
  copyRows(arena, kind, dim, data, 0, rows, ptr);
  return ptr;
}

/** Copy (float16: decode) rows [from, to) of `data` to their places in the rows at `ptr`. */
function copyRows(arena: WasmArena, kind: WasmVectorKind, dim: number, data: VectorData, from: number, to: number, ptr: number): void {
  const srcRb = rowBytesOf(kindCode(kind), dim);
  const src = new Uint8Array(data.buffer, data.byteOffset + from * srcRb, (to - from) * srcRb);
  if (kind !== 'float16Vector') {
    arena.u8.set(src, ptr + from * srcRb);
    return;
  }
  const tmp = arena.alloc(src.length);
  try {
    arena.u8.set(src, tmp);
    arena.k.decodeF16(tmp, (to - from) * dim, ptr + from * dim * 4);
  } finally {
    arena.release(tmp);
  }
}

/** nq query vectors of one kind and dim in wasm memory, with their Euclidean norms (float64). */
export class QueryBlock {
  private freed = false;

  private constructor(
    readonly arena: WasmArena, readonly kind: KindCode, readonly dim: number, readonly nq: number,
    /** Byte offset of query 0; query i is at ptr + i * rowBytes. */
    readonly ptr: number,
    /** Byte offset of nq float64 norms (sqrt of the squared norm; 0 for binary). */
    readonly normsPtr: number,
  ) {}

  /** Copy `data` (nq rows of `kind`; dim in bits for binary) into the arena. */
  static create(arena: WasmArena, kind: WasmVectorKind, dim: number, data: VectorData): QueryBlock {
    const code = storageCode(kind);
    const srcRowBytes = rowBytesOf(kindCode(kind), dim);
    const nq = srcRowBytes === 0 ? 0 : data.byteLength / srcRowBytes;
    assert(Number.isInteger(nq), 'query data is whole rows');
    const ptr = copyIn(arena, kind, dim, data, nq);
    const normsPtr = arena.alloc(nq * 8);
    if (code !== kindCode('binaryVector')) {
      arena.k.normsSq(code, ptr, dim, nq, normsPtr);
      const f64 = arena.f64;
      for (let i = 0, at = normsPtr >>> 3; i < nq; i++) f64[at + i] = Math.sqrt(f64[at + i]!);
    }
    return new QueryBlock(arena, code, dim, nq, ptr, normsPtr);
  }

  /** Byte offset of query i. */
  at(i: number): number {
    return this.ptr + i * rowBytesOf(this.kind, this.dim);
  }

  /** Euclidean norm of query i. */
  norm(i: number): number {
    return this.arena.f64[(this.normsPtr >>> 3) + i]!;
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.arena.release(this.ptr);
    this.arena.release(this.normsPtr);
  }
}

export interface ScanOptions {
  /** One byte per row, 0 = skip (scored NaN). Covers at least `end` rows. */
  filter?: Uint8Array | null;
  /** Rows [start, end) are scanned; out[i] is row start + i. Defaults: 0, numRows. */
  start?: number;
  end?: number;
  /** Which query of the block (default 0). */
  queryIndex?: number;
  /** float32 accumulation instead of the bit-exact float64 reference order (float kinds only). */
  fast?: boolean;
}

export class VectorStore {
  readonly code: KindCode;
  readonly rowBytes: number;
  private normsPtr = 0;
  private pins = 0;
  private released = false;
  private freed = false;
  private freedHook: (() => void) | null = null;

  private constructor(
    readonly arena: WasmArena, readonly kind: WasmVectorKind, readonly dim: number,
    /** Rows held (`extend` adds more, up to `capacityRows`). */
    private rowCount: number,
    /** Byte offset of row 0. */
    readonly ptr: number,
    /** Rows the allocation at `ptr` has room for. */
    readonly capacityRows: number = rowCount,
  ) {
    /** The kernels' element kind: float16 columns are held as float32 (see storageCode). */
    this.code = storageCode(kind);
    this.rowBytes = rowBytesOf(this.code, dim);
  }

  /**
   * Copy the first `numRows` rows of a dense or binary vector column into the arena, with room for
   * `capacityRows` (`extend`; unwritten room holds no pages of a fresh memory).
   */
  static fromColumn(arena: WasmArena, column: WasmColumn, numRows: number, capacityRows = numRows): VectorStore {
    const rb = rowBytesOf(kindCode(column.kind), column.dim);
    assert(Number.isInteger(numRows) && numRows >= 0 && numRows * rb <= column.data.byteLength, 'numRows within column');
    assert(Number.isInteger(capacityRows) && capacityRows >= numRows, 'capacity holds the rows');
    const ptr = arena.alloc(capacityRows * rowBytesOf(storageCode(column.kind), column.dim));
    copyRows(arena, column.kind, column.dim, column.data, 0, numRows, ptr);
    return new VectorStore(arena, column.kind, column.dim, numRows, ptr, capacityRows);
  }

  get numRows(): number {
    return this.rowCount;
  }

  /**
   * Copy rows [numRows, `numRows`) of `column` in after the rows held, whose source rows must be
   * unchanged (the caller checks): for a column that only grows, such as a growing segment's tail.
   * False (nothing done) past the capacity or while tasks run on the store (they read its norms).
   */
  extend(column: WasmColumn, numRows: number): boolean {
    this.checkLive();
    assert(column.kind === this.kind && column.dim === this.dim, 'same kind and dim');
    assert(numRows * rowBytesOf(kindCode(column.kind), column.dim) <= column.data.byteLength, 'numRows within column');
    if (numRows <= this.rowCount) return true;
    if (numRows > this.capacityRows || this.pins > 0) return false;
    copyRows(this.arena, this.kind, this.dim, column.data, this.rowCount, numRows, this.ptr);
    this.rowCount = numRows;
    if (this.normsPtr !== 0) {
      this.arena.release(this.normsPtr);
      this.normsPtr = 0;
    }
    return true;
  }

  /**
   * Room for `numRows` rows of a kind held as is (not float16) in the arena, to be filled by the
   * caller (a positional read straight into wasm memory) before the store is searched.
   */
  static reserve(arena: WasmArena, kind: Exclude<WasmVectorKind, 'float16Vector'>, dim: number, numRows: number): VectorStore {
    const ptr = arena.alloc(numRows * rowBytesOf(kindCode(kind), dim));
    return new VectorStore(arena, kind, dim, numRows, ptr);
  }

  /**
   * The rows as a typed array aliasing wasm memory (stays valid after the memory grows). float16
   * stores hold (and return) their rows decoded to float32.
   */
  rows(): VectorData {
    const buf = this.arena.memory.buffer;
    const n = this.numRows * this.dim;
    switch (this.kind) {
      case 'floatVector': case 'float16Vector': return new Float32Array(buf, this.ptr, n);
      case 'bfloat16Vector': return new Uint16Array(buf, this.ptr, n);
      case 'int8Vector': return new Int8Array(buf, this.ptr, n);
      case 'binaryVector': return new Uint8Array(buf, this.ptr, this.numRows * this.rowBytes);
    }
  }

  /** Byte offset of the rows' squared norms (float64), computed on first use. */
  norms(): number {
    this.checkLive();
    if (this.normsPtr === 0) {
      this.normsPtr = this.arena.alloc(this.numRows * 8);
      this.arena.k.normsSq(this.code, this.ptr, this.dim, this.numRows, this.normsPtr);
    }
    return this.normsPtr;
  }

  /**
   * The norms pointer a scan with metric code `m` needs: COSINE always; IP on float kinds when
   * `bounded` (scanBounded's error bound); otherwise 0 (none computed).
   */
  normsFor(m: number, bounded: boolean): number {
    if (m === METRIC.COSINE || (bounded && m === METRIC.IP && this.code <= KIND.bfloat16)) return this.norms();
    return 0;
  }

  /** Copy queries of this store's kind and dim into the arena (free the block when done). */
  query(data: VectorData): QueryBlock {
    this.checkLive();
    return QueryBlock.create(this.arena, this.kind, this.dim, data);
  }

  /** Metric code for `metric`, checked against this store's kind. */
  metric(metric: MetricType): number {
    const m = metricCode(metric);
    if (!metricFitsKind(this.code, m)) {
      throw errors.invalidParameter('metric type not match', { expected: this.kind, actual: metric });
    }
    return m;
  }

  /** The metric value between query `qi` of `q` and row `row` (float64, not rounded to float32). */
  distance(metric: MetricType, q: QueryBlock, row: number, qi = 0, fast = false): number {
    const m = this.metric(metric);
    const norms = m === METRIC.COSINE ? this.norms() : 0;
    return this.arena.k.distance(this.code, m, fast ? 1 : 0, q.at(qi), this.ptr, row, this.dim, q.norm(qi), norms);
  }

  /**
   * A closure `row => distance` for one query: the cheapest per-row call (HNSW's inner loop).
   * Valid while `q` and this store are alive.
   */
  distanceFn(metric: MetricType, q: QueryBlock, qi = 0, fast = false): (row: number) => number {
    const m = this.metric(metric);
    const norms = m === METRIC.COSINE ? this.norms() : 0;
    const k = this.arena.k;
    const code = this.code, f = fast ? 1 : 0, qp = q.at(qi), base = this.ptr, dim = this.dim, qn = q.norm(qi);
    return (row: number): number => k.distance(code, m, f, qp, base, row, dim, qn, norms);
  }

  /** Metric values of rows [start, end) into out[0 .. end-start) (NaN for filtered rows). */
  scan(metric: MetricType, q: QueryBlock, out: Float32Array, opts: ScanOptions = {}): void {
    this.checkLive();
    const start = opts.start ?? 0, end = opts.end ?? this.numRows, qi = opts.queryIndex ?? 0;
    assert(start >= 0 && start <= end && end <= this.numRows && out.length >= end - start, 'scan range');
    const m = this.metric(metric);
    const norms = m === METRIC.COSINE ? this.norms() : 0;
    const arena = this.arena;
    const filter = opts.filter ?? null;
    const maskPtr = filter === null ? 0 : arena.alloc(end);
    const outPtr = arena.alloc((end - start) * 4);
    try {
      if (filter !== null) arena.u8.set(filter.subarray(0, end), maskPtr);
      arena.k.scan(this.code, m, opts.fast ? 1 : 0, q.at(qi), this.ptr, this.dim, start, end, maskPtr, norms, q.norm(qi), outPtr);
      out.set(arena.f32.subarray(outPtr >>> 2, (outPtr >>> 2) + end - start));
    } finally {
      if (maskPtr !== 0) arena.release(maskPtr);
      arena.release(outPtr);
    }
  }

  /** Distances of the listed rows (`ids` int32) into out[0 .. ids.length). */
  gather(metric: MetricType, q: QueryBlock, ids: Int32Array, out: Float32Array, qi = 0, fast = false): void {
    this.checkLive();
    const m = this.metric(metric);
    const norms = m === METRIC.COSINE ? this.norms() : 0;
    const arena = this.arena;
    const idsPtr = arena.alloc(ids.length * 4);
    const outPtr = arena.alloc(ids.length * 4);
    try {
      arena.i32.set(ids, idsPtr >>> 2);
      arena.k.gather(this.code, m, fast ? 1 : 0, q.at(qi), this.ptr, this.dim, idsPtr, ids.length, norms, q.norm(qi), outPtr);
      out.set(arena.f32.subarray(outPtr >>> 2, (outPtr >>> 2) + ids.length));
    } finally {
      arena.release(idsPtr);
      arena.release(outPtr);
    }
  }

  /**
   * Offer the rows listed in `ids` to every query of `q` (ctx.heaps has one heap per query), with
   * exact values: float kinds are pruned against each heap's threshold as `scanBounded` does, so
   * the hits and scores are those of `gather` + `offerRows`, at about float32 cost. `ctx.filter`
   * and `ctx.valid` are not consulted: `ids` are the rows that may be returned.
   */
  offerListed(metric: MetricType, q: QueryBlock, ids: Int32Array, ctx: ScanContext): void {
    this.checkLive();
    const m = this.metric(metric);
    const bounded = this.code <= KIND.bfloat16;
    const norms = this.normsFor(m, bounded);
    const arena = this.arena;
    const n = ids.length;
    const idsPtr = arena.alloc(Math.max(1, n) * 4);
    const outPtr = arena.alloc(Math.max(1, Math.min(n, LISTED_CHUNK)) * 4);
    try {
      arena.i32.set(ids, idsPtr >>> 2);
      for (let qi = 0; qi < q.nq; qi++) {
        const qp = q.at(qi), qNorm = q.norm(qi);
        // A first chunk just big enough to fill the heap gives a threshold early; later ones are larger.
        for (let start = 0, chunk = Math.max(16, 2 * ctx.heaps.k); start < n; start += chunk, chunk = LISTED_CHUNK) {
          const count = Math.min(chunk, n - start);
          const at = idsPtr + start * 4;
          if (bounded) arena.k.gatherBounded(this.code, m, qp, this.ptr, this.dim, at, count, norms, qNorm, outPtr, ctx.heaps.threshold(qi));
          else arena.k.gather(this.code, m, 0, qp, this.ptr, this.dim, at, count, norms, qNorm, outPtr);
          offerRows(ctx, qi, arena.f32.subarray(outPtr >>> 2, (outPtr >>> 2) + count), ids, start, start + count);
        }
      }
    } finally {
      arena.release(idsPtr);
      arena.release(outPtr);
    }
  }

  /** Keep the memory while a task reads it. */
  pin(): void {
    this.checkLive();
    this.pins++;
  }

  unpin(): void {
    assert(this.pins > 0, 'unpin after pin');
    this.pins--;
    if (this.pins === 0 && this.released) this.freeNow();
  }

  /** Free the rows and norms (now, or when the last pinned task ends). Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.pins === 0) this.freeNow();
  }

  get isReleased(): boolean {
    return this.released;
  }

  /** Run `hook` once the rows are freed (after the last pinned task): e.g. drop a memory of the store's own. */
  onFreed(hook: () => void): void {
    assert(this.freedHook === null && !this.freed, 'one hook, before the store is freed');
    this.freedHook = hook;
  }

  private freeNow(): void {
    if (this.freed) return;
    this.freed = true;
    this.arena.release(this.ptr);
    if (this.normsPtr !== 0) this.arena.release(this.normsPtr);
    this.freedHook?.();
  }

  private checkLive(): void {
    assert(!this.released, 'store used after release');
  }
}
