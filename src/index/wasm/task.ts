/**
 * The scan loop shared by the synchronous path (main thread) and the worker threads: for each block
 * of rows, for each query, one wasm `scan` call fills a distance block, then `offerBlock` keeps the
 * best rows in per-query heaps. A ScanTask is plain numbers (pointers into the shared memory), so it
 * can be posted to a worker as is.
 */
import { TopKHeaps } from '../topk.js';
import { DIST_BLOCK_ROWS, offerBlock, type ScanContext } from '../scan-window.js';
import { KIND, rowBytesOf, type KindCode } from './codes.js';
import { wasmSettings } from './settings.js';
import { registerPoolTask, type KernelHost } from './tasks.js';

export type { KernelHost } from './tasks.js';

export interface ScanTask {
  kind: KindCode;
  metric: number;
  fast: number;
  /**
   * 1: prune with the heap threshold via `scanBounded` (exact results; float kinds; IP and COSINE need
   * norms). 0: plain `scan`.
   */
  bounded: number;
  dim: number;
  /** Rows of the store, their squared norms (IP / COSINE on float kinds, COSINE on int8; else 0). */
  base: number;
  norms: number;
  /** nq queries, contiguous, and their float64 Euclidean norms. */
  queries: number;
  qNorms: number;
  nq: number;
  /** Rows [start, end) of the store. */
  start: number;
  end: number;
  /** One byte per store row (0 = skip), or 0 for none. */
  mask: number;
  /** DIST_BLOCK_ROWS float32 of scratch for this task alone. */
  dists: number;
}

/** A ScanTask whose best `topK` hits per query are written to shared memory. */
export interface TopKTask extends ScanTask {
  topK: number;
  /** Similarity metric (keys are negated scores). */
  negate: boolean;
  /** Range window on badness keys, or lo = -Inf, hi = +Inf. */
  lo: number;
  hi: number;
  ranged: boolean;
  /** nq * topK int32 rows, nq * topK float32 scores, nq int32 counts. */
  outRows: number;
  outScores: number;
  outCounts: number;
}

/** Scan `task` into `ctx.heaps` (ctx.filter / ctx.valid are ignored: the task's mask applies). */
export function scanIntoHeaps(host: KernelHost, task: ScanTask, ctx: ScanContext): void {
  const k = host.k;
  const { kind, metric, fast, dim, base, norms, queries, nq, mask, dists } = task;
  const qNorms = new Float64Array(host.memory.buffer, task.qNorms, nq);
  const qBytes = rowBytesOf(kind, dim);
  const distView = new Float32Array(host.memory.buffer, dists, DIST_BLOCK_ROWS);
  // Exact float scans prune with the heap threshold (same results, float32 speed); see asm scanBounded.
  const bounded = task.bounded === 1 && fast === 0 && kind <= KIND.bfloat16;
  const heaps = ctx.heaps;
  // With several queries, a block of rows is reused by each: keep it within a cache-sized budget.
  const blockRows = nq === 1 ? DIST_BLOCK_ROWS : Math.max(16, Math.min(DIST_BLOCK_ROWS, Math.floor(wasmSettings().blockBytes / Math.max(1, qBytes))));
  for (let start = task.start; start < task.end; start += blockRows) {
    const end = Math.min(task.end, start + blockRows);
    for (let q = 0; q < nq; q++) {
      const qp = queries + q * qBytes;
      if (bounded) k.scanBounded(kind, metric, qp, base, dim, start, end, mask, norms, qNorms[q]!, dists, heaps.threshold(q));
      else k.scan(kind, metric, fast, qp, base, dim, start, end, mask, norms, qNorms[q]!, dists);
      offerBlock(ctx, q, distView, start, end);
    }
  }
}

/** Run a TopKTask: scan, then write best-first hits (-1 / ±Inf padding) and counts to its outputs. */
export function runTopKTask(host: KernelHost, task: TopKTask): void {
  const { nq, topK, negate } = task;
  const heaps = new TopKHeaps(nq, topK);
  const window = task.ranged ? { lo: task.lo, hi: task.hi } : null;
  scanIntoHeaps(host, task, { heaps, filter: null, valid: null, window, negate });
  const buf = host.memory.buffer;
  const rows = new Int32Array(buf, task.outRows, nq * topK).fill(-1);
  const scores = new Float32Array(buf, task.outScores, nq * topK).fill(negate ? -Infinity : Infinity);
  const counts = new Int32Array(buf, task.outCounts, nq);
  for (let q = 0; q < nq; q++) counts[q] = heaps.drainSorted(q, rows, scores, q * topK, negate);
}

registerPoolTask('topk', runTopKTask);
