/** Random vector columns of every kind for search tests. */
import type { Column } from '../../src/schema/column.js';
import type { MetricType } from '../../src/core/enums.js';
import { encodeFloat16, float32ToBfloat16 } from '../../src/index/kernels/half.js';
import type { VectorKind } from '../../src/index/metrics.js';
import { makeSparse, randInt } from './helpers.js';

export const KIND_METRICS: readonly [VectorKind, MetricType][] = [
  ['floatVector', 'L2'], ['floatVector', 'IP'], ['floatVector', 'COSINE'],
  ['float16Vector', 'L2'], ['float16Vector', 'IP'], ['float16Vector', 'COSINE'],
  ['bfloat16Vector', 'L2'], ['bfloat16Vector', 'IP'], ['bfloat16Vector', 'COSINE'],
  ['int8Vector', 'L2'], ['int8Vector', 'IP'], ['int8Vector', 'COSINE'],
  ['binaryVector', 'HAMMING'], ['binaryVector', 'JACCARD'],
  ['sparseVector', 'IP'],
];

/**
 * `n` rows of `kind`. Dense values are small integers (so every kernel is exact and ties are
 * common) unless `floats` is set; binary `dim` is in bits.
 */
export function makeColumn(kind: VectorKind, n: number, dim: number, r: () => number, floats = false): Column {
  const val = (): number => (floats ? (r() * 2 - 1) * 4 : randInt(r, -3, 3));
  switch (kind) {
    case 'floatVector': {
      const data = new Float32Array(n * dim);
      for (let i = 0; i < data.length; i++) data[i] = val();
      return { kind, dim, data, valid: null };
    }
    case 'float16Vector': {
      const data = new Uint16Array(n * dim);
      for (let i = 0; i < data.length; i++) data[i] = encodeFloat16(val());
      return { kind, dim, data, valid: null };
    }
    case 'bfloat16Vector': {
      const data = new Uint16Array(n * dim);
      for (let i = 0; i < data.length; i++) data[i] = float32ToBfloat16(val());
      return { kind, dim, data, valid: null };
    }
    case 'int8Vector': {
      const data = new Int8Array(n * dim);
      for (let i = 0; i < data.length; i++) data[i] = randInt(r, -5, 5);
      return { kind, dim, data, valid: null };
    }
    case 'binaryVector': {
      const data = new Uint8Array((n * dim) / 8);
      for (let i = 0; i < data.length; i++) data[i] = r() < 0.1 ? 0 : randInt(r, 0, 255) & randInt(r, 0, 255);
      return { kind, dim, data, valid: null };
    }
    case 'sparseVector': {
      const data = [];
      for (let i = 0; i < n; i++) data.push(makeSparse(r, 40, randInt(r, 0, 8), !floats));
      return { kind, data, valid: null };
    }
  }
}

/** Copy query row q of `queries` over row `row` of `column` (same kind). */
export function copyRow(column: Column, row: number, queries: Column, q: number): void {
  if (column.kind === 'sparseVector' && queries.kind === 'sparseVector') {
    column.data[row] = queries.data[q]!;
    return;
  }
  if (column.kind === 'sparseVector' || queries.kind === 'sparseVector') throw new Error('kind mismatch');
  if (!('dim' in column) || !('dim' in queries)) throw new Error('not a vector column');
  const w = column.kind === 'binaryVector' ? column.dim / 8 : column.dim;
  const src = queries.data as ArrayLike<number>;
  const dst = column.data as unknown as { [i: number]: number };
  for (let i = 0; i < w; i++) dst[row * w + i] = src[q * w + i]!;
}
