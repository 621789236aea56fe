import type { Bitset } from '../schema/column.js';
import type { TopKHeaps } from './topk.js';
import type { MetricType } from '../core/enums.js';
import { smallerIsBetter } from '../core/enums.js';
import { errors } from '../core/errors.js';
import { limits } from '../core/limits.js';

/** Range search parameters as requests carry them (radius, optional range_filter). */
export interface RangeBounds {
  radius: number;
  rangeFilter?: number;
}

/** Range-search bounds on badness keys: keep lo <= key < hi. */
export interface ScanWindow {
  lo: number;
  hi: number;
}

/** What every scan loop needs besides the vectors. */
export interface ScanContext {
  heaps: TopKHeaps;
  /** Non-zero = row may be returned. */
  filter: Bitset | null;
  /** The column's validity bytes (0 = NULL vector, never returned). */
  valid: Uint8Array | null;
  window: ScanWindow | null;
  /** True for similarity metrics (IP, COSINE): keys are the negated scores. */
  negate: boolean;
}

/** Rows per distance block: the scratch a scan fills before selecting from it. */
export const DIST_BLOCK_ROWS = 1024;

/** True when `row` may be returned (passes the filter and is not a NULL vector). */
export function rowSelected(ctx: ScanContext, row: number): boolean {
  return (ctx.filter === null || ctx.filter[row] !== 0) && (ctx.valid === null || ctx.valid[row] !== 0);
}

/**
 * Offer rows [start, end) to query q's heap. `dists[i]` is the metric value of row start + i,
 * already rounded to float32 (it is a Float32Array), or NaN for rows that must not be returned.
 * Kept separate from the distance loops so those stay tiny and fully inlined.
 */
export function offerBlock(ctx: ScanContext, q: number, dists: Float32Array, start: number, end: number): void {
  const heaps = ctx.heaps;
  const window = ctx.window;
  const negate = ctx.negate;
  const ranged = window !== null;
  const lo = ranged ? window.lo : -Infinity;
  const hi = ranged ? window.hi : Infinity;
  let thr = heaps.threshold(q);
  for (let row = start, i = 0; row < end; row++, i++) {
    const d = dists[i]!;
    const key = negate ? -d : d;
    if (!(key <= thr) || (ranged && (key < lo || key >= hi))) continue; // NaN fails the first test
    heaps.push(q, key, row);
    thr = heaps.threshold(q);
  }
}

/** Like `offerBlock`, for the rows `ids[start..end)`; `dists[i - start]` belongs to `ids[i]`. */
export function offerRows(ctx: ScanContext, q: number, dists: Float32Array, ids: Int32Array, start: number, end: number): void {
  const heaps = ctx.heaps;
  const window = ctx.window;
  const key0 = ctx.negate;
  const ranged = window !== null;
  const lo = ranged ? window.lo : -Infinity;
  const hi = ranged ? window.hi : Infinity;
  let thr = heaps.threshold(q);
  for (let i = start; i < end; i++) {
    const d = dists[i - start]!;
    const key = key0 ? -d : d;
    if (!(key <= thr) || (ranged && (key < lo || key >= hi))) continue;
    heaps.push(q, key, ids[i]!);
    thr = heaps.threshold(q);
  }
}

/**
 * Range search bounds as badness keys (key = d for distances, -d for similarities), so that every
 * metric keeps `lo <= key < hi`. Bounds are rounded to float32 like knowhere's float config values.
 */
export function rangeWindow(metric: MetricType, range: RangeBounds | null): ScanWindow | null {
  if (range === null) return null;
  const radius = range.radius;
  const rf = range.rangeFilter;
  if (typeof radius !== 'number' || !Number.isFinite(radius)) throw errors.invalidParameter('radius', { actual: String(radius) });
  if (rf !== undefined && (typeof rf !== 'number' || Number.isNaN(rf))) throw errors.invalidParameter('range_filter', { actual: String(rf) });
  const r = Math.fround(radius);
  if (smallerIsBetter(metric)) {
    if (rf !== undefined && !(Math.fround(rf) < r)) {
      throw errors.invalidParameter(`range_filter must be less than radius for ${metric}`, { radius, range_filter: rf });
    }
    return { lo: rf === undefined ? -Infinity : Math.fround(rf), hi: r };
  }
  if (rf !== undefined && !(Math.fround(rf) > r)) {
    throw errors.invalidParameter(`range_filter must be greater than radius for ${metric}`, { radius, range_filter: rf });
  }
  return { lo: rf === undefined ? -Infinity : -Math.fround(rf), hi: -r };
}

/** topK must be in [1, limits.maxTopK]; the message Milvus gives. */
export function checkTopK(topK: number): void {
  if (!Number.isInteger(topK) || topK < 1 || topK > limits.maxTopK) {
    throw errors.invalidParameter(`topk [${topK}] is invalid, it should be in range [1, ${limits.maxTopK}], but got ${topK}`, {
      expected: `[1, ${limits.maxTopK}]`, actual: topK,
    });
  }
}
