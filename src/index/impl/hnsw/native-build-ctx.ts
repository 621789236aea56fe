/**
 * The context block a native HNSW build shares between its threads (asm/hnsw-build.ts reads the same
 * fields), and what a helper thread is given: the leaf both native-build.ts and its helper import.
 */
import { withKernels, type KernelExports } from '../../wasm/loader.js';

/** Graph context fields (int32 index = byte offset / 4), as asm/hnsw-build.ts reads them. */
export const CTX = {
  kind: 0, metric: 1, dim: 2, base: 3, norms: 4, links: 5, stride0: 6, upper: 7, upperBase: 8, strideU: 9,
  levels: 10, locks: 11, M: 12, efC: 13, rows: 14, present: 15, entry: 16, first: 17, global: 18, next: 19,
  done: 20, chunk: 21, started: 22, finished: 23, failed: 24, helperRows: 25,
} as const;
export const CTX_BYTES = 128;
export interface BuildKernels extends KernelExports {
  hnswBuildRun(g: number, t: number): number;
}

export function buildKernels(k: KernelExports): BuildKernels | null {
  return withKernels<BuildKernels>(k, ['hnswBuildRun']);
}

/** What the helper thread is given (workerData). */
export interface HelperData {
  module: unknown;
  memory: unknown;
  ctx: number;
  scratch: number;
}

