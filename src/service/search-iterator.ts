/**
 * Search iterator v2 (what SDKs' searchIterator sends: `iterator`, `search_iter_v2`,
 * `search_iter_id`, `search_iter_last_bound` in the search params). Each batch is the next best
 * hits strictly worse than the previous batch's last score; the answer carries a token and the new
 * last bound. Stateless: hits tied exactly at the bound with the last returned hit are skipped.
 */
import { randomUUID } from 'node:crypto';
import type { MetricType } from '../core/enums.js';
import { smallerIsBetter } from '../core/enums.js';
import { errors } from '../core/errors.js';
import type { RowRefs } from '../engine/read.js';

export interface IteratorV2 {
  token: string;
  /** Score of the last hit already returned; undefined on the first batch. */
  lastBound: number | undefined;
}

/** Extra hits fetched per batch so that hits tied at the bound can be dropped without a short batch. */
export const ITERATOR_TIE_SLACK = 16;

const truthy = (v: unknown): boolean => v === true || v === 'true' || v === 'True';

export function iteratorV2Of(params: Record<string, unknown> | undefined): IteratorV2 | null {
  if (params === undefined || !truthy(params['iterator']) || !truthy(params['search_iter_v2'])) return null;
  const id = params['search_iter_id'];
  const rawBound = params['search_iter_last_bound'];
  let lastBound: number | undefined;
  if (rawBound !== undefined && rawBound !== null && rawBound !== '') {
    lastBound = typeof rawBound === 'number' ? rawBound : Number(rawBound);
    if (!Number.isFinite(lastBound)) throw errors.invalidParameter('search_iter_last_bound must be a number', { actual: String(rawBound) });
  }
  return { token: typeof id === 'string' && id !== '' ? id : randomUUID(), lastBound };
}

/** Range params keeping only hits at or beyond `bound` (the tie itself is dropped by `dropAtBound`). */
export function beyondBound(metric: MetricType, bound: number): { radius: number; range_filter: number } {
  const far = 3.4e38; // finite float32
  return smallerIsBetter(metric) ? { radius: far, range_filter: bound } : { radius: -far, range_filter: bound };
}

/** Drop hits scored exactly at the bound (already returned) and keep at most `topK`. */
export function dropAtBound(q: { refs: RowRefs; scores: Float32Array; offsets?: Int32Array }, bound: number | undefined, topK: number): { refs: RowRefs; scores: Float32Array; offsets?: Int32Array } {
  const keep: number[] = [];
  const b = bound === undefined ? undefined : Math.fround(bound);
  for (let i = 0; i < q.scores.length && keep.length < topK; i++) if (q.scores[i] !== b) keep.push(i);
  const out = {
    refs: { chunk: Int32Array.from(keep, (i) => q.refs.chunk[i]!), row: Int32Array.from(keep, (i) => q.refs.row[i]!) },
    scores: Float32Array.from(keep, (i) => q.scores[i]!),
  };
  // Element-level search on a struct member: the element offsets of the kept hits.
  return q.offsets === undefined ? out : { ...out, offsets: Int32Array.from(keep, (i) => q.offsets![i]!) };
}
