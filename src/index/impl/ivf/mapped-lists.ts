/**
 * IVF_FLAT over a mapped (mmap.enabled) field: the rows in list order live in a file of their own
 * (`MappedVectorRows.reorder`, written at load; engine/mapped-rows.ts), as Milvus's mapped IVF_FLAT
 * reads its index file's lists. A probed list is read with positional reads of whole runs of rows,
 * at most `limits.mmapWindowBytes` at a time, straight into a window in the index's own wasm memory
 * and scanned there by the same kernels as the resident list-order copy (`ListRows`),
 * so the scores are the same. Memory held: the row ids and centroids (copied next to the scratch for
 * the kernels), the row -> list position map and one window of rows: nothing grows with dim x rows.
 */
import { assert } from '../../../core/assert.js';
import { limits } from '../../../core/limits.js';
import type { MetricType } from '../../../core/enums.js';
import type { MemoryTally } from '../../memory.js';
import type { MappedVectorRows, RowFile } from '../../descriptor.js';
import { WasmArena } from '../../wasm/arena.js';
import { kernelModule } from '../../wasm/loader.js';
import { KIND, METRIC, kindCode, metricCode, rowBytesOf, type KindCode } from '../../wasm/codes.js';
import { QueryBlock, storageCode, type WasmColumn } from '../../wasm/store.js';
import type { InvertedLists } from './lists.js';
import { WasmCoarse } from './wasm-coarse.js';
import { listScorer, positionMask, type ListScorer } from './wasm-gather.js';
import type { DenseColumn } from './rows.js';

export class MappedLists {
  /** The row ids in list order and the centroids, in this memory (masks and coarse keys read them). */
  readonly idsPtr: number;
  readonly centroidsPtr: number;
  /** List position of each row id (-1: not indexed), for exact reads of listed rows. */
  readonly positions: Int32Array;
  /** Element code as the kernels see the rows (float16 decoded to float32 in the window). */
  private readonly code: KindCode;
  private readonly rawRowBytes: number;
  private readonly rowBytes: number;
  /** Rows one read brings in. */
  readonly windowRows: number;
  /** The window: raw rows as read, rows as scanned (the same place unless decoded), their norms. */
  private readonly rawPtr: number;
  private readonly rowsPtr: number;
  private readonly normsPtr: number;
  /** Rows in the lists, and the longest list (what one scan call may cover). */
  private readonly listed: number;
  private readonly longest: number;
  private coarseKeys: WasmCoarse | undefined;

  private constructor(
    readonly arena: WasmArena, readonly file: RowFile, readonly shape: DenseColumn, lists: InvertedLists, centroids: Float32Array, numRows: number,
  ) {
    const raw = kindCode(shape.kind);
    this.code = storageCode(shape.kind);
    this.rawRowBytes = rowBytesOf(raw, shape.dim);
    this.rowBytes = rowBytesOf(this.code, shape.dim);
    this.windowRows = Math.max(1, Math.floor(limits.mmapWindowBytes / this.rawRowBytes));
    const a = arena;
    this.idsPtr = a.alloc(Math.max(4, lists.ids.byteLength));
    a.i32.set(lists.ids, this.idsPtr >>> 2);
    this.centroidsPtr = a.alloc(Math.max(4, centroids.byteLength));
    a.f32.set(centroids, this.centroidsPtr >>> 2);
    this.rawPtr = a.alloc(this.windowRows * this.rawRowBytes);
    this.rowsPtr = raw === this.code ? this.rawPtr : a.alloc(this.windowRows * this.rowBytes);
    this.normsPtr = a.alloc(this.windowRows * 8);
    this.listed = lists.ids.length;
    let longest = 0;
    for (let l = 0; l < lists.nlist; l++) longest = Math.max(longest, lists.offsets[l + 1]! - lists.offsets[l]!);
    this.longest = longest;
    this.positions = new Int32Array(numRows).fill(-1);
    for (let j = 0; j < lists.ids.length; j++) this.positions[lists.ids[j]!] = j;
  }

  /** The lists' rows written in list order and opened for reads; null without the wasm kernels. */
  static async open(rows: MappedVectorRows, lists: InvertedLists, centroids: Float32Array, numRows: number): Promise<MappedLists | null> {
    const shape = rows.shape as DenseColumn;
    if (lists.ids.length === 0 || kernelModule() === null) return null;
    const file = await rows.reorder(lists.ids);
    assert(file.numRows === lists.ids.length, 'list-order file rows');
    const bytes = lists.ids.byteLength + centroids.byteLength + limits.mmapWindowBytes * 3;
    const made = WasmArena.owned(bytes, (arena) => new MappedLists(arena, file, shape, lists, centroids, numRows));
    if (made === null) file.close();
    return made;
  }

  /** The index's coarse keys over the centroids copied here (scratch made on first use). */
  coarse(nlist: number, ip: boolean): WasmCoarse {
    this.coarseKeys ??= new WasmCoarse(this.arena, this.centroidsPtr, nlist, this.shape.dim, ip);
    return this.coarseKeys;
  }

  /** Rows at list positions [from, from + n) (n <= windowRows) into the window, decoded; their squared norms when `norms`. */
  private readWindow(from: number, n: number, norms: boolean): void {
    const a = this.arena;
    this.file.read(from, a.u8.subarray(this.rawPtr, this.rawPtr + n * this.rawRowBytes));
    if (this.rowsPtr !== this.rawPtr) a.k.decodeF16(this.rawPtr, n * this.shape.dim, this.rowsPtr);
    if (norms) a.k.normsSq(this.code, this.rowsPtr, this.shape.dim, n, this.normsPtr);
  }

  /**
   * A scorer for one search's queries (close it after the search): each `distances` call reads the
   * list positions asked for window by window and scans them where they landed. With a `filter`
   * (row-id order), rows it excludes are skipped inside the scans.
   */
  open(queries: WasmColumn, metric: MetricType, filter: Uint8Array | null, numRows: number): ListScorer {
    const arena = this.arena, code = this.code, dim = this.shape.dim, rb = this.rowBytes, w = this.windowRows;
    const m = metricCode(metric);
    const bounded = code <= KIND.bfloat16;
    const wantNorms = m === METRIC.COSINE || (bounded && m === METRIC.IP);
    const block = QueryBlock.create(arena, this.shape.kind, dim, queries.data);
    let mask = 0;
    try {
      mask = filter === null ? 0 : positionMask(arena, filter, numRows, this.idsPtr, this.listed);
    } catch (e) {
      block.free();
      throw e;
    }
    return listScorer(arena, block, this.longest, mask, (qi, from, to, thr, outPtr) => {
      const k = arena.k, q = block.at(qi), qNorm = block.norm(qi);
      for (let at = from; at < to; at += w) {
        const end = Math.min(to, at + w);
        this.readWindow(at, end - at, wantNorms);
        // The kernels address row r at base + r * rowBytes and its norm at norms + r * 8: bases
        // shifted back by `at` rows (modulo 2^32, as wasm's addresses) land row `at` on the window.
        const base = (this.rowsPtr - at * rb) | 0, norms = wantNorms ? (this.normsPtr - at * 8) | 0 : 0;
        const out = outPtr + (at - from) * 4;
        if (bounded) k.scanBounded(code, m, q, base, dim, at, end, mask, norms, qNorm, out, thr);
        else k.scan(code, m, 0, q, base, dim, at, end, mask, norms, qNorm, out);
      }
    });
  }

  /** Rows `rows` (row ids, each indexed) into `into`, raw as stored, one after another. */
  readRows(rows: Int32Array, from: number, n: number, into: Uint8Array): void {
    const rb = this.rawRowBytes;
    for (let i = 0; i < n; i++) {
      const p = this.positions[rows[from + i]!]!;
      assert(p >= 0, 'listed row is indexed');
      this.file.read(p, into.subarray(i * rb, (i + 1) * rb));
    }
  }

  countMemory(t: MemoryTally): void {
    t.memory(this.arena.memory).array(this.positions);
  }

  close(): void {
    this.file.close();
  }
}
