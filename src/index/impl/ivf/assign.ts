/**
 * The k-means assignment step, the hot loop of IVF training (every Lloyd iteration), of list
 * building (every indexed row against every centroid) and of DISKANN's PQ codes: rows sit in a block
 * of the build's own wasm memory and the kernel `kmeansRun` (asm/kmeans.ts: float32 SIMD, the
 * dot-product form |c|^2 - 2<x, c> faiss uses, 4 rows x 8 centroids at a time) assigns them on this
 * thread and the build's helper threads (kmeans-threads.ts); k-means++ distances by `kmeansSeedStep`. The result does not depend on the thread
 * count. Without wasm the JS loop (`nearestCentroid`, exact float64 keys) runs instead; the two agree
 * except between centroids whose keys differ by float32 rounding.
 */
import { WasmArena } from '../../wasm/arena.js';
import { ipF32, l2SqF32 } from '../../kernels/dense.js';
import { kmeansKernels, type KMeansKernels } from './kmeans-ctx.js';
import { KMeansThreads } from './kmeans-threads.js';

/** Centroids per kernel panel (asm/kmeans.ts). */
export const PANEL = 8;
/** Below this many multiply-adds (rows x centroids x dims) a job runs on this thread alone. */
export const PARALLEL_MIN_WORK = 2 ** 29;

/** Index of the centroid nearest to row `xOff` of `x` (L2, or largest IP when `ip`); ties -> smaller index. */
export function nearestCentroid(x: Float32Array, xOff: number, centroids: Float32Array, k: number, dim: number, ip: boolean): number {
  let best = 0;
  let bestD = Infinity;
  for (let c = 0, off = 0; c < k; c++, off += dim) {
    const d = ip ? -ipF32(x, xOff, centroids, off, dim) : l2SqF32(x, xOff, centroids, off, dim);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/** Centroids padded to a whole number of panels. */
export function paddedK(k: number): number {
  return Math.ceil(k / PANEL) * PANEL;
}

/**
 * The kernel's layout of k centroids of width w (row c at centroids[cOff + c * cStride ..]): panels of
 * 8 (dimension-major) at f32[panelsAt ..], and their keys' constants at f32[normsAt ..] (|c|^2 for L2,
 * 0 for IP; +Infinity for the padding).
 */
export function writePanels(
  f32: Float32Array, panelsAt: number, normsAt: number, centroids: Float32Array, cOff: number, cStride: number, k: number, w: number, ip: boolean,
): void {
  const kPad = paddedK(k);
  for (let c = 0; c < kPad; c++) {
    const at = panelsAt + Math.floor(c / PANEL) * w * PANEL + (c % PANEL);
    if (c >= k) {
      for (let d = 0; d < w; d++) f32[at + d * PANEL] = 0;
      f32[normsAt + c] = Infinity;
      continue;
    }
    const src = cOff + c * cStride;
    let norm = 0;
    for (let d = 0; d < w; d++) {
      const v = centroids[src + d]!;
      f32[at + d * PANEL] = v;
      norm += v * v;
    }
    f32[normsAt + c] = ip ? 0 : norm;
  }
}

export interface AssignerOptions {
  /** Rows the block holds (default: about 1 MiB of rows). */
  blockRows?: number;
  /** Threads for the assignment, this one included (default 1). */
  threads?: number;
}

/** Rows per block when the caller does not say (bounded bytes, whatever the dim). */
const BLOCK_BYTES = 1 << 20;

export class CentroidAssigner {
  /** The rows `assign` reads (blockRows x dim): wasm memory when the kernels are there. */
  readonly block: Float32Array<ArrayBufferLike>;
  readonly blockRows: number;
  private readonly arena: WasmArena | null;
  private readonly threads: KMeansThreads | null;
  private centroids: Float32Array = new Float32Array(0);
  private blockPtr = 0;
  private outPtr = 0;
  private minDPtr = 0;
  /** k-means++ minima without wasm. */
  private jsMinD = new Float64Array(0);
  private offsetsPtr = 0;
  private panelsPtr = 0;
  private normsPtr = 0;

  constructor(private readonly k: number, private readonly dim: number, private readonly ip: boolean, opts: AssignerOptions = {}) {
    this.blockRows = Math.max(1, opts.blockRows ?? Math.floor(BLOCK_BYTES / (4 * Math.max(1, dim))));
    const kPad = paddedK(k);
    const bytes = this.blockRows * (dim + 3) * 4 + kPad * (dim + 1) * 4 + 4096;
    this.arena = k > 0 && dim > 0 ? WasmArena.owned(bytes, (a) => (kmeansKernels(a.k) === null ? null : a)) : null;
    const a = this.arena;
    if (a === null) {
      this.threads = null;
      this.block = new Float32Array(this.blockRows * dim);
      this.jsMinD = new Float64Array(this.blockRows);
      return;
    }
    this.blockPtr = a.alloc(this.blockRows * dim * 4);
    this.outPtr = a.alloc(this.blockRows * 4);
    this.minDPtr = a.alloc(this.blockRows * 8);
    this.offsetsPtr = a.alloc(8);
    this.panelsPtr = a.alloc(kPad * dim * 4);
    this.normsPtr = a.alloc(kPad * 4);
    a.i32[this.offsetsPtr >>> 2] = 0;
    a.i32[(this.offsetsPtr >>> 2) + 1] = dim;
    this.threads = KMeansThreads.start(a, Math.max(1, opts.threads ?? 1));
    this.block = a.f32.subarray(this.blockPtr >>> 2, (this.blockPtr >>> 2) + this.blockRows * dim);
  }

  /** The k x dim centroids the next `assign` uses (the array is read again only without wasm). */
  setCentroids(centroids: Float32Array): void {
    this.centroids = centroids;
    const a = this.arena;
    if (a !== null) writePanels(a.f32, this.panelsPtr >>> 2, this.normsPtr >>> 2, centroids, 0, this.dim, this.k, this.dim, this.ip);
  }

  /**
   * out[outOff + i] = nearest centroid of block row i, for i < n (n <= blockRows); returns how many
   * of those entries changed.
   */
  assign(n: number, out: Int32Array, outOff: number): number {
    const a = this.arena, t = this.threads;
    if (a === null || t === null) return this.assignJs(n, out, outOff);
    a.i32.set(out.subarray(outOff, outOff + n), this.outPtr >>> 2);
    const changed = t.run({
      x: this.blockPtr, n, stride: this.dim, m: 1, offsets: this.offsetsPtr, panels: this.panelsPtr, norms: this.normsPtr,
      k: this.k, scale: this.ip ? 1 : 2, out: this.outPtr, outBytes: 4,
    });
    out.set(a.i32.subarray(this.outPtr >>> 2, (this.outPtr >>> 2) + n), outOff);
    return changed;
  }

  /** The k-means++ minima of block rows [0, n) (float64), all +Infinity: `seedStep` lowers them. */
  seedMinima(n: number): Float64Array {
    const a = this.arena;
    const minD = a === null ? this.jsMinD : a.f64.subarray(this.minDPtr >>> 3, (this.minDPtr >>> 3) + n);
    minD.fill(Infinity, 0, n);
    return minD.subarray(0, n);
  }

  /** minD[i] = min(minD[i], squared L2 of block row i to block row `row`) for i < n; returns their sum. */
  seedStep(row: number, n: number): number {
    const a = this.arena, dim = this.dim;
    if (a === null) {
      const minD = this.jsMinD;
      let total = 0;
      for (let i = 0; i < n; i++) {
        const d = l2SqF32(this.block, i * dim, this.block, row * dim, dim);
        if (d < minD[i]!) minD[i] = d;
        total += minD[i]!;
      }
      return total;
    }
    const k = a.k as KMeansKernels;
    return k.kmeansSeedStep(this.blockPtr, n, dim, dim, this.blockPtr + row * dim * 4, this.minDPtr);
  }

  private assignJs(n: number, out: Int32Array, outOff: number): number {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const c = nearestCentroid(this.block, i * this.dim, this.centroids, this.k, this.dim, this.ip);
      if (out[outOff + i] !== c) changed++;
      out[outOff + i] = c;
    }
    return changed;
  }

  /** Stop the helper threads (always call; idempotent). The memory goes with the assigner. */
  close(): void {
    this.threads?.close();
  }
}
