/** Exact scan of sparse vector columns (IP), in distance blocks like the dense scan. */
import type { SparseVector } from '../schema/types.js';
import { assert } from '../core/assert.js';
import { sparseIp } from './kernels/sparse.js';
import { DIST_BLOCK_ROWS, offerBlock, rowSelected, type ScanContext } from './scan-window.js';

export function scanSparse(data: readonly SparseVector[], queries: readonly SparseVector[], numRows: number, ctx: ScanContext): void {
  assert(data.length >= numRows, 'sparse column covers numRows');
  const dists = new Float32Array(DIST_BLOCK_ROWS);
  for (let start = 0; start < numRows; start += DIST_BLOCK_ROWS) {
    const end = Math.min(numRows, start + DIST_BLOCK_ROWS);
    for (let q = 0; q < queries.length; q++) {
      const query = queries[q]!;
      for (let row = start, i = 0; row < end; row++, i++) {
        dists[i] = rowSelected(ctx, row) ? sparseIp(query, data[row]!) : NaN;
      }
      offerBlock(ctx, q, dists, start, end);
    }
  }
}
