/**
 * The context and scratch blocks a native Vamana build shares between its threads (asm/vamana-build.ts
 * reads the same fields), and what a helper thread is given: the leaf native-build.ts and its helper import.
 */
import { withKernels, type KernelExports } from '../../wasm/loader.js';

/** Graph context fields (int32 index = byte offset / 4), as asm/vamana-build.ts reads them. */
export const CTX = {
  dim: 0, base: 1, links: 2, stride: 3, R: 4, L: 5, alpha: 6, rows: 7, order: 8, count: 9, locks: 10,
  medoid: 11, next: 12, done: 13, chunk: 14, trimNext: 18,
} as const;
/**
 * Per phase, three int32 (started, finished, failed) at PHASE_SLOTS[phase]: a helper of the insert
 * phase that starts late (after this thread took every row) cannot disturb the trim phase's count.
 */
export const PHASE_SLOTS = { vamanaBuildRun: 20, vamanaTrimRun: 24 } as const;
export const STARTED = 0, FINISHED = 1, FAILED = 2;
export const CTX_BYTES = 128;
/** Thread scratch fields (int32 index). */
export const T = {
  visited: 0, epoch: 1, candKeys: 2, candIds: 3, candDone: 4, expKeys: 5, expIds: 6, expCap: 7,
  batchIds: 8, batchKeys: 9, batchAt: 10, factor: 11, out: 12,
} as const;
export const T_BYTES = 64;

export type VamanaPhase = 'vamanaBuildRun' | 'vamanaTrimRun';
export interface VamanaKernels extends KernelExports {
  vamanaBuildRun(g: number, t: number): number;
  vamanaTrimRun(g: number, t: number): number;
}

export function buildKernels(k: KernelExports): VamanaKernels | null {
  return withKernels<VamanaKernels>(k, ['vamanaBuildRun', 'vamanaTrimRun']);
}

/** What the helper thread is given (workerData). */
export interface HelperData {
  module: unknown;
  memory: unknown;
  ctx: number;
  scratch: number;
  phase: VamanaPhase;
}
