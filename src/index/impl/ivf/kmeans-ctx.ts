/**
 * The context block of a k-means job as asm/kmeans.ts and the threads read it, the kernels it needs and
 * what a helper thread is given: the leaf kmeans-threads.ts and its helper import.
 */
import { withKernels, type KernelExports } from '../../wasm/loader.js';

/** Context fields (int32 index), as asm/kmeans.ts reads them; then this file's own. */
export const KM = {
  x: 0, n: 1, stride: 2, m: 3, offsets: 4, panels: 5, norms: 6, k: 7, scale: 8, out: 9, outBytes: 10,
  next: 11, changed: 12, chunk: 13,
  gen: 16, done: 17, ready: 18, stop: 19, failed: 20,
} as const;
export const KM_CTX_BYTES = 128;

export interface KMeansKernels extends KernelExports {
  kmeansRun(ctx: number): number;
  kmeansSeedStep(x: number, n: number, stride: number, dim: number, c: number, minD: number): number;
}

export function kmeansKernels(k: KernelExports): KMeansKernels | null {
  return withKernels<KMeansKernels>(k, ['kmeansRun', 'kmeansSeedStep']);
}

/** What a helper thread is given (workerData). */
export interface KMeansHelperData {
  module: unknown;
  memory: unknown;
  ctx: number;
}
