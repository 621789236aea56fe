/**
 * The exact route of the graph indexes (HNSW, DISKANN): a request (or one query of it) answered by
 * brute force over the segment's own column, for selective filters, range searches and queries a
 * filtered walk under-filled.
 */
import type { MetricType } from '../../core/enums.js';
import type { IndexSearchRequest } from '../descriptor.js';
import { searchExactAmong, type ExactSearchResult } from '../flat.js';
import type { DenseColumn } from '../scan-dense.js';

export interface ExactSource { column: DenseColumn; numRows: number; metric: MetricType }

/** The whole request (`q` null) or its query `q` alone; `listed`: the rows it may return, when known. */
export function exactSearch(src: ExactSource, req: IndexSearchRequest, q: number | null, listed: Int32Array | null = null): ExactSearchResult {
  let queries = req.queries;
  if (q !== null) {
    const qc = queries as DenseColumn;
    queries = { ...qc, data: qc.data.subarray(q * qc.dim, (q + 1) * qc.dim) } as DenseColumn;
  }
  return searchExactAmong({
    metric: src.metric, column: src.column, numRows: src.numRows, queries, topK: req.topK, filter: req.filter ?? null, range: req.range ?? null,
  }, listed);
}

/** Query `q` answered exactly, written into its slot of `out`. */
export function exactSearchInto(src: ExactSource, req: IndexSearchRequest, q: number, out: ExactSearchResult): void {
  const one = exactSearch(src, req, q);
  const k = out.topK;
  out.rows.set(one.rows, q * k);
  out.scores.set(one.scores, q * k);
  out.counts[q] = one.counts[0]!;
}
