/**
 * The re-rank step of the quantised IVF types (SCANN's `reorder_k`, IVF_RABITQ's `refine_k`): the
 * candidates the codes found are scored again by a finer `RowKeyer` (the raw rows, or refine codes)
 * and the best topK of them kept, inside the range window when there is one.
 */
import type { MetricType } from '../../../core/enums.js';
import { drainResults, type ExactSearchResult, type RangeParams } from '../../flat.js';
import { rangeWindow } from '../../scan-window.js';
import { TopKHeaps } from '../../topk.js';
import type { ScanContext } from '../../scan-window.js';
import { offerRow } from './search.js';

/** Badness keys of single rows against one query (metric value, negated for similarities; float32). */
export interface RowKeyer {
  setQuery(q: Float32Array, off: number): void;
  key(row: number): number;
}

export function rerank(
  candidates: ExactSearchResult, queries: Float32Array, dim: number, keyer: RowKeyer,
  metric: MetricType, topK: number, range: RangeParams | null,
): ExactSearchResult {
  const window = rangeWindow(metric, range);
  const heaps = new TopKHeaps(candidates.nq, topK);
  const k = candidates.topK;
  for (let q = 0; q < candidates.nq; q++) {
    keyer.setQuery(queries, q * dim);
    for (let i = 0, at = q * k; i < candidates.counts[q]!; i++, at++) {
      const row = candidates.rows[at]!;
      const key = keyer.key(row);
      if (window !== null && !(key >= window.lo && key < window.hi)) continue;
      if (key <= heaps.threshold(q)) heaps.push(q, key, row);
    }
  }
  return drainResults(heaps, metric);
}

/** How many candidates to fetch for a re-rank to topK: at least topK. */
export function candidateCount(topK: number, wanted: number): number {
  return Math.max(topK, Math.ceil(wanted));
}

/**
 * Offer the rows at list positions [from, to) to query q scored by `keyer` (already set to q): the
 * range-search path of the re-ranking types, where every probed row is scored finely.
 */
export function offerKeyed(keyer: RowKeyer, ids: Int32Array, q: number, from: number, to: number, ctx: ScanContext): number {
  const filter = ctx.filter;
  let hits = 0;
  for (let pos = from; pos < to; pos++) {
    const row = ids[pos]!;
    if (filter !== null && filter[row] === 0) continue;
    const key = keyer.key(row);
    hits += offerRow(ctx, q, ctx.negate ? -key : key, row);
  }
  return hits;
}
