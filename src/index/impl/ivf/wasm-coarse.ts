/**
 * Coarse keys (query to every centroid) computed by the wasm `scan` kernel over the centroids an IVF
 * index already copied into its own wasm memory (ListRows, IVF_SQ8's codes): the exact kernel
 * (fast = 0, float64 in the reference order, rounded to float32), so the keys equal
 * `coarseKeysDense`'s bit for bit and the lists probed are the same; about 5x cheaper than the JS loop.
 * Used by the index's own search (one scratch query and key row, made on first use) and by the pool
 * tasks (their own scratch).
 */
import type { KernelExports } from '../../wasm/loader.js';
import { KIND, METRIC } from '../../wasm/codes.js';
import type { WasmArena } from '../../wasm/arena.js';

/**
 * Keys of the float32 query at byte `q` against the nlist centroids at `centroids` (smaller =
 * nearer: L2 distance, or minus the inner product), NaN as +Infinity, into out[0 .. nlist).
 * `scratch` holds nlist float32; `f32` views the same memory.
 */
export function coarseKeysKernel(
  k: KernelExports, f32: Float32Array, ip: boolean, q: number, centroids: number, nlist: number, dim: number, scratch: number, out: Float32Array,
): void {
  k.scan(KIND.float32, ip ? METRIC.IP : METRIC.L2, 0, q, centroids, dim, 0, nlist, 0, 0, 0, scratch);
  const at = scratch >>> 2;
  for (let l = 0; l < nlist; l++) {
    const v = f32[at + l]!;
    out[l] = Number.isNaN(v) ? Infinity : ip ? -v : v;
  }
}

/** The index-side scratch: one query row and one key row in the index's memory. */
export class WasmCoarse {
  private readonly qPtr: number;
  private readonly keysPtr: number;

  constructor(private readonly arena: WasmArena, private readonly centroids: number, private readonly nlist: number,
    private readonly dim: number, private readonly ip: boolean) {
    this.qPtr = arena.alloc(Math.max(1, dim) * 4);
    this.keysPtr = arena.alloc(Math.max(1, nlist) * 4);
  }

  /** coarseKeysDense(coarse, queries, qOff, out), computed in wasm. */
  keys(queries: Float32Array, qOff: number, out: Float32Array): void {
    const f32 = this.arena.f32;
    f32.set(queries.subarray(qOff, qOff + this.dim), this.qPtr >>> 2);
    coarseKeysKernel(this.arena.k, f32, this.ip, this.qPtr, this.centroids, this.nlist, this.dim, this.keysPtr, out);
  }
}
