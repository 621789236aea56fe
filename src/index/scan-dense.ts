/**
 * Exact scan of dense vector columns (float32 / float16 / bfloat16 / int8), all via float32 kernels.
 * Rows are visited in blocks: non-float32 blocks are decoded once and reused by every query; for each
 * (query, block) a tight per-metric loop writes distances into a Float32Array, then `offerBlock`
 * selects from it. Splitting the two keeps the kernel inlined (measured ~1.7x faster than one loop).
 */
import type { Column } from '../schema/column.js';
import type { MetricType } from '../core/enums.js';
import { cosineF32, ipF32, l2SqF32, normSqF32 } from './kernels/dense.js';
import { decodeBfloat16Into, decodeFloat16Into, decodeInt8Into } from './kernels/half.js';
import { DIST_BLOCK_ROWS, offerBlock, offerRows, type ScanContext } from './scan-window.js';

export type DenseColumn = Extract<Column, { kind: 'floatVector' | 'float16Vector' | 'bfloat16Vector' | 'int8Vector' }>;

/** A decoded block holds at most about this many floats (256 KiB). */
const DECODE_BLOCK_FLOATS = 65_536;

/** Decode `count` rows starting at `row` of a dense column into `out` at 0. */
function decodeRows(column: DenseColumn, row: number, count: number, out: Float32Array): void {
  const dim = column.dim;
  switch (column.kind) {
    case 'float16Vector': decodeFloat16Into(column.data, row * dim, out, 0, count * dim); return;
    case 'bfloat16Vector': decodeBfloat16Into(column.data, row * dim, out, 0, count * dim); return;
    case 'int8Vector': decodeInt8Into(column.data, row * dim, out, 0, count * dim); return;
    case 'floatVector': out.set(column.data.subarray(row * dim, (row + count) * dim)); return;
  }
}

/** The query vectors as one float32 array of nq * dim (the column's own array for float32). */
export function denseQueriesToF32(queries: DenseColumn): Float32Array {
  if (queries.kind === 'floatVector') return queries.data;
  const nq = queries.data.length / queries.dim;
  const out = new Float32Array(nq * queries.dim);
  decodeRows(queries, 0, nq, out);
  return out;
}

export function scanDense(
  column: DenseColumn, queries: Float32Array, metric: MetricType, numRows: number, ctx: ScanContext,
): void {
  const dim = column.dim;
  const nq = queries.length / dim;
  const qNorms = new Float64Array(nq);
  if (metric === 'COSINE') for (let q = 0; q < nq; q++) qNorms[q] = Math.sqrt(normSqF32(queries, q * dim, dim));
  const direct = column.kind === 'floatVector';
  const blockRows = direct ? DIST_BLOCK_ROWS : Math.max(1, Math.min(DIST_BLOCK_ROWS, Math.floor(DECODE_BLOCK_FLOATS / dim)));
  const scratch = direct ? null : new Float32Array(Math.min(blockRows, numRows) * dim);
  const dists = new Float32Array(blockRows);
  for (let start = 0; start < numRows; start += blockRows) {
    const end = Math.min(numRows, start + blockRows);
    let block = column.data as Float32Array;
    let blockBase = start * dim;
    if (scratch !== null) {
      decodeRows(column, start, end - start, scratch);
      block = scratch;
      blockBase = 0;
    }
    for (let q = 0; q < nq; q++) {
      const qOff = q * dim;
      if (metric === 'L2') distL2(queries, qOff, block, blockBase, start, end, dim, ctx, dists);
      else if (metric === 'IP') distIp(queries, qOff, block, blockBase, start, end, dim, ctx, dists);
      else distCosine(queries, qOff, qNorms[q]!, block, blockBase, start, end, dim, ctx, dists);
      offerBlock(ctx, q, dists, start, end);
    }
  }
}

/*
 * One distance loop per metric keeps each kernel call site monomorphic and inlined. Rows that may not
 * be returned get NaN. Storing into the Float32Array rounds to float32, like the reported scores.
 */

function distL2(
  a: Float32Array, aOff: number, b: Float32Array, bBase: number, start: number, end: number, dim: number,
  ctx: ScanContext, out: Float32Array,
): void {
  const { filter, valid } = ctx;
  for (let row = start, off = bBase, i = 0; row < end; row++, off += dim, i++) {
    if ((filter !== null && filter[row] === 0) || (valid !== null && valid[row] === 0)) out[i] = NaN;
    else out[i] = l2SqF32(a, aOff, b, off, dim);
  }
}

function distIp(
  a: Float32Array, aOff: number, b: Float32Array, bBase: number, start: number, end: number, dim: number,
  ctx: ScanContext, out: Float32Array,
): void {
  const { filter, valid } = ctx;
  for (let row = start, off = bBase, i = 0; row < end; row++, off += dim, i++) {
    if ((filter !== null && filter[row] === 0) || (valid !== null && valid[row] === 0)) out[i] = NaN;
    else out[i] = ipF32(a, aOff, b, off, dim);
  }
}

function distCosine(
  a: Float32Array, aOff: number, aNorm: number, b: Float32Array, bBase: number, start: number, end: number, dim: number,
  ctx: ScanContext, out: Float32Array,
): void {
  const { filter, valid } = ctx;
  for (let row = start, off = bBase, i = 0; row < end; row++, off += dim, i++) {
    if ((filter !== null && filter[row] === 0) || (valid !== null && valid[row] === 0)) out[i] = NaN;
    else out[i] = cosineF32(a, aOff, aNorm, b, off, dim);
  }
}

/**
 * Exact search of a float32 column over only the rows in `ids` (ascending), with the same kernels
 * and float32 rounding as `scanDense`, so hits and scores are identical to a full filtered scan.
 */
export function scanDenseRows(
  data: Float32Array, dim: number, queries: Float32Array, metric: MetricType, ids: Int32Array, ctx: ScanContext,
): void {
  const nq = queries.length / dim;
  const dists = new Float32Array(DIST_BLOCK_ROWS);
  for (let q = 0; q < nq; q++) {
    const qOff = q * dim;
    const qNorm = metric === 'COSINE' ? Math.sqrt(normSqF32(queries, qOff, dim)) : 0;
    for (let start = 0; start < ids.length; start += DIST_BLOCK_ROWS) {
      const end = Math.min(ids.length, start + DIST_BLOCK_ROWS);
      for (let i = start; i < end; i++) {
        const off = ids[i]! * dim;
        dists[i - start] = metric === 'L2' ? l2SqF32(queries, qOff, data, off, dim)
          : metric === 'IP' ? ipF32(queries, qOff, data, off, dim)
            : cosineF32(queries, qOff, qNorm, data, off, dim);
      }
      offerRows(ctx, q, dists, ids, start, end);
    }
  }
}
