/**
 * `VectorSpace` over a wasm `VectorStore`: distances run in the SIMD kernels (asm/kernels.ts).
 *
 * - A loaded segment's column is resident (its rows already live in wasm memory, see
 *   src/index/wasm/resident.ts): the space reads that store in place. Otherwise (index build, or a
 *   column that is not resident) the rows are copied once into an arena owned by the space, which
 *   lives as long as the index (the memory goes when the index is garbage-collected).
 * - Graph traversal uses the float32 ("fast") kernels. Batches are zero-copy: the searcher's id and
 *   distance buffers are views of the arena (`batchBuffers`), so a batch is one call with no copies.
 * - `rescore` recomputes keys with the exact kernels (bit-identical to `searchExact`), so reported
 *   scores do not depend on the fast kernels' rounding.
 * - `select` runs hnswlib's neighbour-selection heuristic in wasm (index build).
 */
import type { MemoryTally } from '../../memory.js';
import type { MetricType } from '../../../core/enums.js';
import { WasmArena } from '../../wasm/arena.js';
import { KIND, METRIC } from '../../wasm/codes.js';
import { adoptedStore, defaultArena } from '../../wasm/exact.js';
import { MAX_PAGES, PAGE_BYTES, withKernels, type KernelExports } from '../../wasm/loader.js';
import { QueryBlock, VectorStore, type WasmColumn } from '../../wasm/store.js';
import { denseQueriesToF32, type DenseColumn } from '../../scan-dense.js';
import { MilvusError } from '../../../core/errors.js';
import { assert } from '../../../core/assert.js';
import type { HnswGraph } from './graph.js';
import { sqTaskQueries, type TaskQueries } from './task-queries.js';
import { sqQueryTable, type BatchBuffers, type DenseMetric, type Layer0Searcher, type VectorSpace } from './space.js';

/** Kernel kind of HNSW_SQ code rows (asm `SQ`). */
const SQ_KIND = 5;

/** Code of `errors.insufficientMemoryToLoad`, which WasmArena.alloc throws when it cannot grow. */
const ARENA_FULL_CODE = 3;

/** Kernels this space needs beyond the ones every search uses (added to asm/kernels.ts for HNSW). */
interface HnswKernels extends KernelExports {
  selectNeighbors(
    kind: number, metric: number, base: number, dim: number, norms: number, cand: number, keys: number, n: number, m: number, out: number,
  ): number;
  searchLayer0(
    kind: number, metric: number, q: number, base: number, dim: number, norms: number, qNorm: number,
    links: number, stride0: number, visited: number, epoch: number, ep: number, epKey: number, ef: number,
    candKeys: number, candIds: number, resKeys: number, resIds: number, scratch: number, mask: number,
  ): number;
}

function hnswKernels(k: KernelExports): HnswKernels | null {
  return withKernels<HnswKernels>(k, ['selectNeighbors', 'searchLayer0']);
}

/**
 * Gives back what a collected space allocated in a resident store's arena. The arena is held weakly:
 * when the segment is released with its index, the whole memory goes and there is nothing to free.
 */
const sharedArenaFinalizer = new FinalizationRegistry<{ arena: WeakRef<WasmArena>; ptrs: Set<number> }>(({ arena, ptrs }) => {
  const a = arena.deref();
  if (a !== undefined) for (const p of ptrs) a.release(p);
});

/** A growable int32 / float64 scratch pair in the arena (selection candidates). */
interface Scratch { ids: number; keys: number; out: number; cap: number }

export class WasmSpace implements VectorSpace {
  readonly dim: number;
  readonly numRows: number;
  /** True when the rows were copied into an arena of this space; false when a resident store is read in place. */
  readonly ownsRows: boolean;
  private readonly arena: WasmArena;
  private readonly k: WasmArena['k'];
  private readonly hk: HnswKernels;
  private readonly code: number;
  private readonly metric: number;
  private readonly base: number;
  private readonly rowBytes: number;
  /** Squared row norms (COSINE), else 0. */
  private readonly norms: number;
  private readonly normsView: Float64Array;
  /** The current query: a pointer to a row (setQueryRow) or to `qBuf` (setQuery). */
  private qPtr = 0;
  private qNorm = 0;
  private readonly qBuf: number;
  private readonly qNormBuf: number;
  private readonly qF32: Float32Array;
  private readonly qU16: Uint16Array;
  private readonly qI8: Int8Array;
  private readonly qBits = new Uint32Array(1);
  private readonly qBitsF = new Float32Array(this.qBits.buffer);
  /** Buffers handed out by `batchBuffers` (their SharedArrayBuffer, for the zero-copy check). */
  private readonly views: ArrayBufferLike[] = [];
  /** Fallback batch scratch for ids / distances that are not arena views. */
  private own: BatchBuffers;
  private sel: Scratch;
  /** Layer-0 storages handed out by `linkStorage`. */
  private readonly links = new WeakSet<Int32Array>();
  /** Everything this space allocated in the arena (released when the space is collected, if it shares the arena). */
  private readonly allocs = new Set<number>();

  /** HNSW_SQ's linear quantiser when the rows are SQ8 / SQ6 codes (kernel kind SQ_KIND), else null. */
  private readonly sq: { min: Float32Array; step: Float32Array; cosine: boolean } | null;
  /** SQ: the query table then the steps (2 * dim float32 at qBuf). */
  private readonly qSq: Float32Array;

  private constructor(
    private readonly store: VectorStore, metric: DenseMetric, ownsRows: boolean,
    sq: { min: Float32Array; step: Float32Array } | null = null,
  ) {
    const arena = store.arena;
    const hk = hnswKernels(arena.k);
    if (hk === null) throw new Error('kernels.wasm lacks selectNeighbors');
    this.arena = arena;
    this.ownsRows = ownsRows;
    // A resident store's arena outlives this space: give back what the space allocated there.
    if (!ownsRows) sharedArenaFinalizer.register(this, { arena: new WeakRef(arena), ptrs: this.allocs });
    this.k = arena.k;
    this.hk = hk;
    this.dim = store.dim;
    this.numRows = store.numRows;
    this.sq = sq === null ? null : { ...sq, cosine: metric === 'COSINE' };
    this.code = sq === null ? store.code : SQ_KIND;
    this.metric = store.metric(metric as MetricType);
    this.base = store.ptr;
    this.rowBytes = store.rowBytes;
    this.norms = this.metric === METRIC.COSINE && sq === null ? store.norms() : 0;
    this.qBuf = this.alloc(Math.max(this.dim * 8, 16));
    this.qNormBuf = this.alloc(8);
    const buf = arena.memory.buffer;
    this.qSq = new Float32Array(buf, this.qBuf, 2 * this.dim);
    if (sq !== null) this.qSq.set(sq.step, this.dim);
    this.normsView = this.norms === 0 ? new Float64Array(0) : new Float64Array(buf, this.norms, this.numRows);
    this.qF32 = new Float32Array(buf, this.qBuf, this.dim);
    this.qU16 = new Uint16Array(buf, this.qBuf, this.dim);
    this.qI8 = new Int8Array(buf, this.qBuf, this.dim);
    this.own = this.batchBuffers(64);
    this.sel = this.newScratch(256);
  }

  /**
   * A space over `column`'s first `numRows` rows: its resident store when it has one, else a copy in
   * a new arena with room for `extraBytesPerRow` more per row (graph links, search state). Null when
   * the wasm kernels are unavailable (the caller uses `F32Space`).
   */
  static forColumn(column: DenseColumn, numRows: number, metric: DenseMetric, extraBytesPerRow = 0): WasmSpace | null {
    const def = defaultArena();
    if (def === null || hnswKernels(def.k) === null) return null;
    const wc = column as WasmColumn;
    const adopted = adoptedStore(wc, numRows);
    if (adopted !== null && adopted.arena !== def) return new WasmSpace(adopted, metric, false);
    const bytes = numRows * (column.dim * 4 + 8 + extraBytesPerRow);
    const pages = Math.min(MAX_PAGES, Math.ceil(bytes / PAGE_BYTES) + 16);
    try {
      const arena = WasmArena.create(pages, Math.min(MAX_PAGES, pages * 2 + 256));
      return arena === null ? null : new WasmSpace(VectorStore.fromColumn(arena, wc, numRows), metric, true);
    } catch (e) {
      // No room for a wasm copy (the arena cannot grow, or the engine refuses the memory): stay in JS.
      if ((e instanceof MilvusError && e.code === ARENA_FULL_CODE) || e instanceof RangeError) return null;
      throw e;
    }
  }

  /** An id / distance buffer pair of `capacity` entries in wasm memory (batches on it copy nothing). */
  batchBuffers(capacity: number): BatchBuffers {
    const ids = this.alloc(capacity * 4), out = this.alloc(capacity * 4);
    const buf = this.arena.memory.buffer;
    if (!this.views.includes(buf)) this.views.push(buf);
    return { ids: new Int32Array(buf, ids, capacity), out: new Float32Array(buf, out, capacity) };
  }

  /**
   * A space over HNSW_SQ's SQ8 / SQ6 codes (one byte a dimension, x = min + code * step), searched
   * natively with the `SQ` kernel kind; null without the kernels or the memory. Search only: the
   * graph is built on the raw rows.
   */
  static forSqCodes(codes: Uint8Array, numRows: number, dim: number, metric: DenseMetric, min: Float32Array, step: Float32Array, extraBytesPerRow: number): WasmSpace | null {
    const def = defaultArena();
    if (def === null || hnswKernels(def.k) === null) return null;
    const column = { kind: 'int8Vector' as const, dim, data: new Int8Array(codes.buffer, codes.byteOffset, numRows * dim), valid: null };
    return WasmArena.owned(numRows * (dim + extraBytesPerRow), (arena) => new WasmSpace(VectorStore.fromColumn(arena, column, numRows), metric, true, { min, step }));
  }

  /** False for SQ code spaces: they hold codes, not rows, so no graph is built over them. */
  get hasRows(): boolean { return this.sq === null; }

  /** `nq` queries of an HnswTask in this memory: rows and norms (QueryBlock), or SQ tables (task-queries.ts). */
  taskQueries(kind: DenseColumn['kind'], data: DenseColumn['data'], nq: number): TaskQueries {
    if (this.sq === null) return QueryBlock.create(this.arena, kind, this.dim, data);
    return sqTaskQueries(this.arena, denseQueriesToF32({ kind, dim: this.dim, data, valid: null } as DenseColumn), nq, this.dim, this.metric === METRIC.L2, this.sq);
  }

  setQuery(src: Float32Array, off: number): void {
    const dim = this.dim;
    if (this.sq !== null) {
      this.setSqQuery(src, off);
      return;
    }
    if (this.code === KIND.float32) {
      this.qF32.set(src.subarray(off, off + dim));
    } else if (this.code === KIND.bfloat16) {
      // The float32 query was decoded from bfloat16 (exact), so its top 16 bits are the original.
      const bits = this.qBits, f = this.qBitsF;
      for (let i = 0; i < dim; i++) { f[0] = src[off + i]!; this.qU16[i] = bits[0]! >>> 16; }
    } else {
      for (let i = 0; i < dim; i++) this.qI8[i] = src[off + i]!;
    }
    this.qPtr = this.qBuf;
    if (this.metric === METRIC.COSINE) {
      this.k.normsSq(this.code, this.qBuf, dim, 1, this.qNormBuf);
      this.qNorm = Math.sqrt(this.arena.f64[this.qNormBuf >>> 3]!);
    }
  }

  /** SqSpace.setQuery's table (float32 here), followed by the steps; qConst travels as qNorm. */
  private setSqQuery(src: Float32Array, off: number): void {
    const { min, step, cosine } = this.sq!;
    this.qNorm = sqQueryTable(src, off, this.dim, this.metric === METRIC.L2, cosine, min, step, this.qSq);
    this.qPtr = this.qBuf;
  }

  setQueryRow(row: number): void {
    assert(this.sq === null, 'SQ code spaces are for search only');
    this.qPtr = this.base + row * this.rowBytes;
    if (this.metric === METRIC.COSINE) this.qNorm = Math.sqrt(this.normsView[row]!);
  }

  distance(row: number): number {
    return this.key(this.k.distance(this.code, this.metric, 1, this.qPtr, this.base, row, this.dim, this.qNorm, this.norms));
  }

  distances(ids: Int32Array, idsOff: number, count: number, out: Float32Array): void {
    this.batch(this.qPtr, this.qNorm, ids, idsOff, count, out);
  }

  pairDistance(a: number, b: number): number {
    const qNorm = this.metric === METRIC.COSINE ? Math.sqrt(this.normsView[a]!) : 0;
    return this.key(this.k.distance(this.code, this.metric, 1, this.base + a * this.rowBytes, this.base, b, this.dim, qNorm, this.norms));
  }

  /** Badness from stored row `a` to rows `ids[idsOff .. idsOff + count)`, into `out[0 .. count)`. */
  pairDistances(a: number, ids: Int32Array, idsOff: number, count: number, out: Float32Array): void {
    const qNorm = this.metric === METRIC.COSINE ? Math.sqrt(this.normsView[a]!) : 0;
    this.batch(this.base + a * this.rowBytes, qNorm, ids, idsOff, count, out);
  }

  /** Exact keys (the reference kernels, as `searchExact`) of the current query to ids[0 .. n), into keys. */
  rescore(ids: Int32Array, keys: Float64Array, n: number): void {
    const k = this.k;
    for (let i = 0; i < n; i++) {
      keys[i] = this.key(k.distance(this.code, this.metric, 0, this.qPtr, this.base, ids[i]!, this.dim, this.qNorm, this.norms));
    }
  }

  /**
   * hnswlib's heuristic (see build.ts `selectNeighbors`) in wasm: candidates sorted ascending, keeps
   * at most m into outIds / outKeys; returns the number kept.
   */
  select(candIds: Int32Array, candKeys: Float64Array, n: number, m: number, outIds: Int32Array, outKeys: Float64Array): number {
    if (n > this.sel.cap) {
      this.freeScratch(this.sel);
      this.sel = this.newScratch(n * 2);
    }
    const s = this.sel, a = this.arena;
    a.i32.set(candIds.subarray(0, n), s.ids >>> 2);
    a.f64.set(candKeys.subarray(0, n), s.keys >>> 3);
    const k = this.hk.selectNeighbors(this.code, this.metric, this.base, this.dim, this.norms, s.ids, s.keys, n, m, s.out);
    const pos = a.i32, at = s.out >>> 2;
    for (let i = 0; i < k; i++) {
      const p = pos[at + i]!;
      outIds[i] = candIds[p]!;
      outKeys[i] = candKeys[p]!;
    }
    return k;
  }

  score(key: number): number {
    return this.metric === METRIC.L2 ? key : -key;
  }

  /** Zeroed int32 storage in this space's arena (a graph's layer 0); null when the arena is full. */
  linkStorage(length: number): Int32Array | null {
    let ptr: number;
    try {
      ptr = this.alloc(length * 4);
    } catch (e) {
      if (e instanceof MilvusError && e.code === ARENA_FULL_CODE) return null;
      throw e;
    }
    const view = new Int32Array(this.arena.memory.buffer, ptr, length);
    view.fill(0);
    this.links.add(view);
    return view;
  }

  layer0Searcher(graph: HnswGraph): Layer0Searcher | null {
    if (!this.links.has(graph.layer0) || graph.numRows !== this.numRows) return null;
    try {
      return new NativeLayer0(this, graph);
    } catch (e) {
      if (e instanceof MilvusError && e.code === ARENA_FULL_CODE) return null;
      throw e;
    }
  }

  /** One layer-0 search for the current query (see NativeLayer0; mask 0 = unfiltered); returns the hit count. */
  searchLayer0(graph: HnswGraph, s: NativeState, ep: number, epKey: number, ef: number, mask: number): number {
    return this.hk.searchLayer0(
      this.code, this.metric, this.qPtr, this.base, this.dim, this.norms, this.qNorm,
      graph.layer0.byteOffset, graph.stride0, s.visited, s.epoch, ep, epKey, ef,
      s.candKeys, s.candIds, s.resKeys, s.resIds, s.scratch, mask,
    );
  }

  /** Its whole wasm memory (rows, links, scratch), shared or not: the tally counts a memory once. */
  countMemory(t: MemoryTally): void {
    t.memory(this.arena.memory).array(this.qBits).array(this.own.ids).array(this.own.out);
    if (this.sq !== null) t.array(this.sq.min).array(this.sq.step);
  }

  /** The arena holding this space's rows and links (tasks on a WasmPool run over its memory). */
  get memoryArena(): WasmArena {
    return this.arena;
  }

  /** What an HnswTask (wasm/hnsw-task.ts) needs to know about this space's rows. */
  taskRows(): { kind: number; metric: number; dim: number; base: number; norms: number } {
    return { kind: this.code, metric: this.metric, dim: this.dim, base: this.base, norms: this.norms };
  }

  /** Keep the rows' memory while pool tasks read it (a resident store is not freed until `unpin`). */
  pin(): void {
    this.store.pin();
  }

  unpin(): void {
    this.store.unpin();
  }

  /** A whole query (descent and layer 0, see asm hnswSearch) for the current query; returns the hit count. */
  searchGraph(graph: HnswGraph, s: NativeState, ef: number, mask: number): number {
    return this.hk.hnswSearch(
      this.code, this.metric, this.qPtr, this.base, this.dim, this.norms, this.qNorm,
      graph.layer0.byteOffset, graph.stride0, graph.upper.byteOffset, graph.upperBase.byteOffset, graph.strideU,
      graph.entryPoint, graph.maxLevel, s.visited, s.epoch, ef, s.candKeys, s.candIds, s.resKeys, s.resIds, s.scratch, mask,
    );
  }

  /** True when `links` is storage this space handed out (`linkStorage`), i.e. lives in its wasm memory. */
  ownsLinks(links: Int32Array): boolean {
    return this.links.has(links);
  }

  /** Views of wasm memory for reading a native search's output. */
  get f32(): Float32Array { return this.arena.f32; }
  get i32(): Int32Array { return this.arena.i32; }
  get u8(): Uint8Array { return this.arena.u8; }

  /** Arena allocation, freed with the space (scratch for NativeLayer0); throws code 3 when the arena is full. */
  alloc(bytes: number): number {
    const ptr = this.arena.alloc(bytes);
    this.allocs.add(ptr);
    return ptr;
  }

  free(ptr: number): void {
    if (this.allocs.delete(ptr)) this.arena.release(ptr);
  }

  /** Result heaps of a walk (`resKeys` / `resIds`) with room for ef + 1 hits: grown, never shrunk, to the largest ef seen. */
  growResults(s: { resKeys: number; resIds: number; resCap: number }, ef: number): void {
    if (ef + 1 <= s.resCap) return;
    if (s.resCap > 0) { this.free(s.resKeys); this.free(s.resIds); }
    s.resCap = Math.max(64, (ef + 1) * 2);
    s.resKeys = this.alloc(s.resCap * 4);
    s.resIds = this.alloc(s.resCap * 4);
  }

  /** Zero `bytes` bytes at `ptr`. */
  zero(ptr: number, bytes: number): void {
    this.arena.zero(ptr, bytes);
  }

  private key(v: number): number {
    return this.metric === METRIC.L2 ? Math.fround(v) : -Math.fround(v);
  }

  private isView(a: Int32Array | Float32Array): boolean {
    const views = this.views;
    for (let i = 0; i < views.length; i++) if (a.buffer === views[i]) return true;
    return false;
  }

  private batch(q: number, qNorm: number, ids: Int32Array, idsOff: number, count: number, out: Float32Array): void {
    if (count > this.own.ids.length) {
      this.free(this.own.ids.byteOffset);
      this.free(this.own.out.byteOffset);
      this.own = this.batchBuffers(count * 2);
    }
    let idsPtr: number;
    if (this.isView(ids)) idsPtr = ids.byteOffset + idsOff * 4;
    else {
      this.own.ids.set(ids.subarray(idsOff, idsOff + count));
      idsPtr = this.own.ids.byteOffset;
    }
    const direct = this.isView(out);
    const outPtr = direct ? out.byteOffset : this.own.out.byteOffset;
    this.hk.gatherKeys(this.code, this.metric, 1, q, this.base, this.dim, idsPtr, count, this.norms, qNorm, outPtr);
    if (!direct) out.set(this.own.out.subarray(0, count));
  }

  private newScratch(cap: number): Scratch {
    return { ids: this.alloc(cap * 4), keys: this.alloc(cap * 8), out: this.alloc(cap * 4), cap };
  }

  private freeScratch(s: Scratch): void {
    this.free(s.ids);
    this.free(s.keys);
    this.free(s.out);
  }
}

/** Wasm scratch of one layer-0 searcher: visited stamps (one byte per row), candidate and result heaps. */
interface NativeState {
  visited: number;
  epoch: number;
  candKeys: number;
  candIds: number;
  resKeys: number;
  resIds: number;
  resCap: number;
  /** Expanded-node count, then the per-node batch of ids and keys (16 + 8 * stride0 bytes). */
  scratch: number;
}

/** `Layer0Searcher` over a graph whose layer 0 lives in the space's arena. */
class NativeLayer0 implements Layer0Searcher {
  private readonly s: NativeState;

  constructor(private readonly space: WasmSpace, private readonly graph: HnswGraph) {
    const n = graph.numRows;
    const visited = space.alloc(n);
    space.zero(visited, n);
    this.s = {
      visited, epoch: 0, candKeys: space.alloc(n * 4 + 4), candIds: space.alloc(n * 4 + 4),
      resKeys: 0, resIds: 0, resCap: 0, scratch: space.alloc(16 + 8 * graph.stride0),
    };
  }

  expanded = 0;
  private count = 0;

  /** Filter bytes in wasm (allocated on first use), and whether one is loaded. */
  private mask = 0;
  private masked = false;

  loadFilter(filter: Uint8Array | null): void {
    this.masked = filter !== null;
    if (filter === null) return;
    const n = this.graph.numRows;
    if (this.mask === 0) this.mask = this.space.alloc(n);
    this.space.u8.set(filter.subarray(0, n), this.mask);
  }

  /** True when the upper layers are in wasm memory too, so `searchGraph` can run whole queries. */
  get whole(): boolean {
    return this.space.ownsLinks(this.graph.upper) && this.space.ownsLinks(this.graph.upperBase);
  }

  search(ep: number, epKey: number, ef: number, filtered: boolean): number {
    this.prepare(ef, filtered);
    this.count = this.space.searchLayer0(this.graph, this.s, ep, epKey, ef, filtered ? this.mask : 0);
    this.expanded = this.space.i32[this.s.scratch >>> 2]!;
    return this.count;
  }

  searchGraph(ef: number, filtered: boolean): number {
    assert(this.whole, 'upper layers in wasm memory');
    this.prepare(ef, filtered);
    this.count = this.space.searchGraph(this.graph, this.s, ef, filtered ? this.mask : 0);
    this.expanded = this.space.i32[this.s.scratch >>> 2]!;
    return this.count;
  }

  private prepare(ef: number, filtered: boolean): void {
    const s = this.s;
    this.space.growResults(s, ef);
    if (s.epoch === 255) {
      // Byte stamps keep the visited set small in cache; clearing every 255 searches is cheap.
      this.space.zero(s.visited, this.graph.numRows);
      s.epoch = 0;
    }
    s.epoch++;
    assert(!filtered || this.masked, 'a filter is loaded');
  }

  copyResults(keys: Float64Array, ids: Int32Array): void {
    const s = this.s, n = this.count, rk = s.resKeys >>> 2, ri = s.resIds >>> 2;
    const f32 = this.space.f32;
    for (let i = 0; i < n; i++) keys[i] = f32[rk + i]!;
    ids.set(this.space.i32.subarray(ri, ri + n));
  }
}
