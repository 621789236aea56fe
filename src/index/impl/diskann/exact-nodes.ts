/**
 * DISKANN's exact route (selective filters, range searches, queries a walk under-filled) over the
 * full-precision rows of its own image, read node by node (node cache first, else one positional
 * read), in windows searched with `searchExact`. The segment's raw vector column is never read, so a
 * loaded DISKANN segment needs it neither in memory nor mapped. Rows are the float32 rows the image
 * holds (float16 / bfloat16 rows decoded exactly), so hits and scores equal an exact scan of the column.
 */
import type { MetricType } from '../../../core/enums.js';
import type { Bitset } from '../../../schema/column.js';
import type { IndexSearchRequest } from '../../descriptor.js';
import { WindowedTopK } from '../../exact-windows.js';
import type { ExactSearchResult } from '../../flat.js';
import { denseQueriesToF32, type DenseColumn } from '../../scan-dense.js';

/** Bytes of float32 rows gathered per window (below the exact kernels' column cache threshold). */
const WINDOW_BYTES = 128 * 1024;

export interface NodeRows {
  metric: MetricType;
  dim: number;
  numRows: number;
  valid: Uint8Array | null;
  /** Copy row `row`'s full-precision vector (dim float32) into `into` at `at`. */
  readRow(row: number, into: Float32Array, at: number): void;
}

/**
 * The request (`q` null) or its query `q` alone, answered exactly over the allowed rows: `listed`
 * when the caller has them (ascending), else every row passing the filter and validity.
 */
export function exactOverNodes(src: NodeRows, req: IndexSearchRequest, q: number | null, listed: Int32Array | null): ExactSearchResult {
  const dim = src.dim;
  let queries = denseQueriesToF32(req.queries as DenseColumn);
  if (q !== null) queries = queries.subarray(q * dim, (q + 1) * dim);
  const nq = queries.length / dim;
  const top = new WindowedTopK({
    metric: src.metric, queries: { kind: 'floatVector', dim, data: queries, valid: null }, topK: req.topK, range: req.range ?? null,
  });
  const w = Math.max(1, Math.floor(WINDOW_BYTES / (4 * dim)));
  const rows = new Float32Array(w * dim);
  const ids = new Int32Array(w);
  const column = { kind: 'floatVector' as const, dim, data: rows, valid: null };
  const filter: Bitset | null = req.filter ?? null;
  let n = 0;
  const flush = (): void => {
    top.add(n === w ? column : { ...column, data: rows.subarray(0, n * dim) }, n, null, 0, ids);
    n = 0;
  };
  const take = (r: number): void => {
    src.readRow(r, rows, n * dim);
    ids[n++] = r;
    if (n === w) flush();
  };
  if (listed !== null) {
    for (let i = 0; i < listed.length; i++) take(listed[i]!);
  } else {
    const valid = src.valid;
    for (let r = 0; r < src.numRows; r++) {
      if ((filter === null || filter[r] !== 0) && (valid === null || valid[r] !== 0)) take(r);
    }
  }
  if (n > 0) flush();
  return top.result(nq);
}
