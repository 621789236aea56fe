/** Exact scan of sparse vector columns (IP). */
import type { SparseVector } from '../schema/types.js';
import { assert } from '../core/assert.js';
import { sparseIp } from './kernels/sparse.js';
import type { ScanContext } from './scan-window.js';

export function scanSparse(data: readonly SparseVector[], queries: readonly SparseVector[], numRows: number, ctx: ScanContext): void {
  assert(data.length >= numRows, 'sparse column covers numRows');
  const { heaps, filter, valid, window } = ctx;
  for (let q = 0; q < queries.length; q++) {
    const query = queries[q]!;
    let thr = heaps.threshold(q);
    for (let row = 0; row < numRows; row++) {
      if (filter !== null && filter[row] === 0) continue;
      if (valid !== null && valid[row] === 0) continue;
      const key = -Math.fround(sparseIp(query, data[row]!));
      if (window !== null && (key < window.lo || key >= window.hi)) continue;
      if (key <= thr) {
        heaps.push(q, key, row);
        thr = heaps.threshold(q);
      }
    }
  }
}
