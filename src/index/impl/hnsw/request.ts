/** Checks and derived values of one HNSW search request (errors are 1100, as `searchExact`'s). */
import { rangeWindow } from '../../scan-window.js';
import type { MetricType } from '../../../core/enums.js';
import { errors } from '../../../core/errors.js';
import { limits } from '../../../core/limits.js';
import type { Column } from '../../../schema/column.js';
import type { IndexParams } from '../../descriptor.js';
import type { RangeParams } from '../../flat.js';
import type { DenseColumn } from '../../scan-dense.js';

/** Number of query rows, after checking kind, dim, topK and nq against the indexed column. */
export function checkQueries(column: DenseColumn, queries: Column, topK: number): number {
  if (queries.kind !== column.kind) throw errors.invalidParameter('vector type not match', { expected: column.kind, actual: queries.kind });
  const q = queries as DenseColumn;
  if (q.dim !== column.dim) throw errors.invalidParameter('vector dimension mismatch', { expected: column.dim, actual: q.dim });
  if (!Number.isInteger(topK) || topK < 1 || topK > limits.maxTopK) {
    throw errors.invalidParameter(`topk [${topK}] is invalid, it should be in range [1, ${limits.maxTopK}], but got ${topK}`, {
      expected: `[1, ${limits.maxTopK}]`, actual: topK,
    });
  }
  const nq = q.data.length / q.dim;
  if (!Number.isInteger(nq)) throw errors.invalidParameter('query vectors are not a whole number of rows', { dim: q.dim, actual: q.data.length });
  if (nq > limits.maxNq) throw errors.invalidParameter('nq is too large', { expected: `[1, ${limits.maxNq}]`, actual: nq });
  return nq;
}

/** The largest ef accepted for a given topK (knowhere: max(65536, 2 * topK)). */
export function maxEf(topK: number): number {
  return Math.max(65_536, 2 * topK);
}

/**
 * ef when the request has none: max(topK, DEFAULT_EF). Knowhere 2.3 defaulted to 32; newer knowhere
 * uses topK, which gives recall@10 around 0.7-0.8 on hard (uniform 32-d) data, so we keep 32.
 */
export const DEFAULT_EF = 32;

/** Search `ef`: the user's value (must be in [topK, max(65536, 2 topK)]), else max(topK, DEFAULT_EF). */
export function resolveEf(params: IndexParams | undefined, topK: number): number {
  const raw = params?.['ef'];
  if (raw === undefined) return Math.max(topK, DEFAULT_EF);
  const ef = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(ef) || ef < topK || ef > maxEf(topK)) {
    throw errors.invalidParameter(`ef should be in range: [topk, max(65536, topk * 2)]`, {
      param: 'ef', expected: `[${topK}, ${maxEf(topK)}]`, actual: String(raw),
    });
  }
  return ef;
}

/** `refine_k` (>= 1, default 1): how many times topK candidates HNSW_SQ re-ranks exactly. */
export function resolveRefineK(params: IndexParams | undefined): number {
  const raw = params?.['refine_k'];
  if (raw === undefined) return 1;
  const k = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isFinite(k) || k < 1) {
    throw errors.invalidParameter('refine_k should be >= 1', { param: 'refine_k', expected: '[1, inf)', actual: String(raw) });
  }
  return k;
}

/** Range bounds on badness keys (d for distances, -d for similarities): keep lo <= key < hi. */
export interface KeyWindow {
  lo: number;
  hi: number;
}

/** Same rules and messages as `searchExact`'s range check; bounds rounded to float32. */
export const keyWindow: (metric: MetricType, range: RangeParams | null) => KeyWindow | null = rangeWindow;

/** Rows in [0, numRows) that pass both the filter and the validity bytes. */
export function countAllowed(filter: Uint8Array | null, valid: Uint8Array | null, numRows: number): number {
  let n = 0;
  if (filter === null && valid === null) return numRows;
  if (filter === null) { for (let r = 0; r < numRows; r++) if (valid![r] !== 0) n++; return n; }
  if (valid === null) { for (let r = 0; r < numRows; r++) if (filter[r] !== 0) n++; return n; }
  for (let r = 0; r < numRows; r++) if (filter[r] !== 0 && valid[r] !== 0) n++;
  return n;
}
