/** Exact scan of dense vector columns (float32 / float16 / bfloat16 / int8), all via float32 kernels. */
import type { Column } from '../schema/column.js';
import type { MetricType } from '../core/enums.js';
import { cosineF32, ipF32, l2SqF32, normSqF32 } from './kernels/dense.js';
import { decodeBfloat16Into, decodeFloat16Into, decodeInt8Into } from './kernels/half.js';
import type { ScanContext } from './scan-window.js';

export type DenseColumn = Extract<Column, { kind: 'floatVector' | 'float16Vector' | 'bfloat16Vector' | 'int8Vector' }>;

/** Rows per block are chosen so one decoded block is about this many floats (256 KiB). */
const BLOCK_FLOATS = 65_536;

const L2 = 0, IP = 1, COSINE = 2;

/** Decode `count` rows starting at `row` of a non-float32 dense column into `out` at 0. */
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
  const code = metric === 'L2' ? L2 : metric === 'IP' ? IP : COSINE;
  const qNorms = new Float64Array(nq);
  if (code === COSINE) for (let q = 0; q < nq; q++) qNorms[q] = Math.sqrt(normSqF32(queries, q * dim, dim));
  const blockRows = Math.max(1, Math.floor(BLOCK_FLOATS / dim));
  const direct = column.kind === 'floatVector';
  const scratch = direct ? null : new Float32Array(Math.min(blockRows, numRows) * dim);
  for (let start = 0; start < numRows; start += blockRows) {
    const end = Math.min(numRows, start + blockRows);
    let block: Float32Array;
    let blockBase: number;
    if (scratch === null) {
      block = column.data as Float32Array;
      blockBase = start * dim;
    } else {
      decodeRows(column, start, end - start, scratch);
      block = scratch;
      blockBase = 0;
    }
    for (let q = 0; q < nq; q++) {
      scanBlock(code, queries, q, qNorms[q]!, block, blockBase, start, end, dim, ctx);
    }
  }
}

function denseKey(code: number, a: Float32Array, aOff: number, aNorm: number, b: Float32Array, bOff: number, dim: number): number {
  if (code === L2) return Math.fround(l2SqF32(a, aOff, b, bOff, dim));
  if (code === IP) return -Math.fround(ipF32(a, aOff, b, bOff, dim));
  return -Math.fround(cosineF32(a, aOff, aNorm, b, bOff, dim));
}

/** Offer rows [start, end) of a block (row `start` at `blockBase`) to query q. */
function scanBlock(
  code: number, queries: Float32Array, q: number, qNorm: number,
  block: Float32Array, blockBase: number, start: number, end: number, dim: number, ctx: ScanContext,
): void {
  const { heaps, filter, valid, window } = ctx;
  const qOff = q * dim;
  const lo = window === null ? -Infinity : window.lo;
  const hi = window === null ? Infinity : window.hi;
  const ranged = window !== null;
  let thr = heaps.threshold(q);
  let off = blockBase;
  for (let row = start; row < end; row++, off += dim) {
    if (filter !== null && filter[row] === 0) continue;
    if (valid !== null && valid[row] === 0) continue;
    const key = denseKey(code, queries, qOff, qNorm, block, off, dim);
    if (ranged && (key < lo || key >= hi)) continue;
    if (key <= thr) {
      heaps.push(q, key, row);
      thr = heaps.threshold(q);
    }
  }
}
