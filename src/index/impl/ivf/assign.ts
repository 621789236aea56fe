/**
 * The k-means assignment step, the hot loop of IVF training (every Lloyd iteration) and of list
 * building (every indexed row against every centroid): rows are copied into the thread's process
 * arena in blocks and assigned by the wasm kernel `nearestCentroids` (SIMD, exact float64 distances
 * in the JS reference's order, so the lists are the JS loop's bit for bit). Without wasm the JS loop
 * (`nearestCentroid`) runs instead.
 */
import type { WasmArena } from '../../wasm/arena.js';
import { defaultArena } from '../../wasm/exact.js';
import { METRIC } from '../../wasm/codes.js';
import { ipF32, l2SqF32 } from '../../kernels/dense.js';

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

/** Rows copied into wasm memory per kernel call (bounded bytes, whatever the dim). */
const BLOCK_BYTES = 1 << 20;

export class CentroidAssigner {
  private readonly arena: WasmArena | null;
  private centroidsPtr = 0;
  private blockPtr = 0;
  private outPtr = 0;
  private readonly blockRows: number;

  /** `centroids` (k x dim) are copied now and again by `setCentroids` after each update. */
  constructor(private centroids: Float32Array, private readonly k: number, private readonly dim: number, private readonly ip: boolean) {
    this.blockRows = Math.max(1, Math.floor(BLOCK_BYTES / (4 * Math.max(1, dim))));
    this.arena = k > 0 && dim > 0 ? defaultArena() : null;
    const a = this.arena;
    if (a === null) return;
    this.centroidsPtr = a.alloc(k * dim * 4);
    this.blockPtr = a.alloc(this.blockRows * dim * 4);
    this.outPtr = a.alloc(this.blockRows * 4);
    this.setCentroids(centroids);
  }

  setCentroids(centroids: Float32Array): void {
    this.centroids = centroids;
    if (this.arena !== null) this.arena.f32.set(centroids.subarray(0, this.k * this.dim), this.centroidsPtr >>> 2);
  }

  /**
   * out[outOff + i] = nearest centroid of row i of `x` (n rows from row 0 of `x`); returns how many of
   * those entries changed.
   */
  assign(x: Float32Array, n: number, out: Int32Array, outOff: number): number {
    const a = this.arena, dim = this.dim;
    if (a === null) return this.assignJs(x, n, out, outOff);
    let changed = 0;
    for (let from = 0; from < n; from += this.blockRows) {
      const rows = Math.min(this.blockRows, n - from);
      a.f32.set(x.subarray(from * dim, (from + rows) * dim), this.blockPtr >>> 2);
      a.i32.set(out.subarray(outOff + from, outOff + from + rows), this.outPtr >>> 2);
      changed += a.k.nearestCentroids(this.ip ? METRIC.IP : METRIC.L2, this.blockPtr, rows, dim, this.centroidsPtr, this.k, this.outPtr);
      out.set(a.i32.subarray(this.outPtr >>> 2, (this.outPtr >>> 2) + rows), outOff + from);
    }
    return changed;
  }

  private assignJs(x: Float32Array, n: number, out: Int32Array, outOff: number): number {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const c = nearestCentroid(x, i * this.dim, this.centroids, this.k, this.dim, this.ip);
      if (out[outOff + i] !== c) changed++;
      out[outOff + i] = c;
    }
    return changed;
  }

  /** Rows per `assign` call that fill one block (callers gathering rows use it as their batch). */
  get batchRows(): number {
    return this.blockRows;
  }

  /** Give the arena memory back (always call; idempotent). */
  close(): void {
    const a = this.arena;
    if (a === null || this.centroidsPtr === 0) return;
    a.release(this.centroidsPtr);
    a.release(this.blockPtr);
    a.release(this.outPtr);
    this.centroidsPtr = 0;
  }
}
