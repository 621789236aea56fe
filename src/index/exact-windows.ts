/**
 * Exact search over rows that are not in memory as one column (a mapped column's windows, DISKANN's
 * full-precision rows read from its node file): each window of rows is searched with `searchExact`
 * and merged into the running top-k. Ties keep the smaller row, as one scan of the whole column
 * does, so the answer is the same hits and scores as `searchExact` over the whole column.
 */
import { smallerIsBetter, type MetricType } from '../core/enums.js';
import type { Column } from '../schema/column.js';
import { mergeTopK, searchExact, type ExactSearchResult, type RangeParams } from './flat.js';

export interface WindowSearch {
  metric: MetricType;
  queries: Column;
  topK: number;
  range: RangeParams | null;
}

/** Running top-k over windows: `add` each window's rows, then `result`. */
export class WindowedTopK {
  private acc: ExactSearchResult | null = null;

  constructor(private readonly s: WindowSearch) {}

  /**
   * Search `count` rows of `column` (filter: one byte per window row, or null) and merge them in;
   * window row i is row `ids[i]` when ids are given, else `base + i`. Windows come in row order.
   */
  add(column: Column, count: number, filter: Uint8Array | null, base: number, ids: Int32Array | null): void {
    if (count === 0) return;
    const r = searchExact({ metric: this.s.metric, column, numRows: count, queries: this.s.queries, topK: this.s.topK, filter, range: this.s.range });
    for (let q = 0; q < r.nq; q++) {
      const n = r.counts[q]!;
      for (let i = 0; i < n; i++) {
        const at = q * r.topK + i;
        r.rows[at] = ids === null ? base + r.rows[at]! : ids[r.rows[at]!]!;
      }
    }
    if (this.acc === null) {
      this.acc = r;
      return;
    }
    const m = mergeTopK([{ result: this.acc, segmentIndex: 0 }, { result: r, segmentIndex: 1 }], this.s.metric, this.s.topK);
    this.acc = { nq: m.nq, topK: m.topK, rows: m.rows, scores: m.scores, counts: m.counts };
  }

  /** The merged answer (no window: no hits). */
  result(nq: number): ExactSearchResult {
    if (this.acc !== null) return this.acc;
    const k = this.s.topK;
    const empty = smallerIsBetter(this.s.metric) ? Infinity : -Infinity;
    return { nq, topK: k, rows: new Int32Array(nq * k).fill(-1), scores: new Float32Array(nq * k).fill(empty), counts: new Int32Array(nq) };
  }
}
