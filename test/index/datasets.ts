/** Seeded dense data sets for index tests and benches: a Gaussian mixture and uniform float32 data. */
import type { Column } from '../../src/schema/column.js';
import type { DenseKind } from '../../src/index/metrics.js';
import { encodeFloat16, float32ToBfloat16 } from '../../src/index/kernels/half.js';
import { rng } from './helpers.js';

export interface DenseData {
  dim: number;
  /** n * dim rows. */
  data: Float32Array;
  /** nq * dim query vectors drawn from the same distribution (not copies of rows). */
  queries: Float32Array;
}

/** Standard normal via Box-Muller. */
export function gaussian(r: () => number): number {
  const u = 1 - r();
  const v = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Rows and queries from a mixture of `clusters` Gaussians: centres uniform in [-1, 1]^dim, std `sigma`. */
export function clustered(n: number, nq: number, dim: number, seed: number, clusters = 32, sigma = 0.2): DenseData {
  const r = rng(seed);
  const centres = new Float32Array(clusters * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = r() * 2 - 1;
  const draw = (count: number): Float32Array => {
    const out = new Float32Array(count * dim);
    for (let row = 0; row < count; row++) {
      const c = Math.floor(r() * clusters);
      for (let j = 0; j < dim; j++) out[row * dim + j] = centres[c * dim + j]! + sigma * gaussian(r);
    }
    return out;
  };
  return { dim, data: draw(n), queries: draw(nq) };
}

/** Rows and queries uniform in [-1, 1]^dim. */
export function uniform(n: number, nq: number, dim: number, seed: number): DenseData {
  const r = rng(seed);
  const draw = (count: number): Float32Array => {
    const out = new Float32Array(count * dim);
    for (let i = 0; i < out.length; i++) out[i] = r() * 2 - 1;
    return out;
  };
  return { dim, data: draw(n), queries: draw(nq) };
}

/** Float32 values as a column of `kind` (int8: scaled by `int8Scale`, rounded and clamped). */
export function denseColumn(kind: DenseKind, values: Float32Array, dim: number, int8Scale = 48): Column {
  switch (kind) {
    case 'floatVector': return { kind, dim, data: values, valid: null };
    case 'float16Vector': {
      const data = new Uint16Array(values.length);
      for (let i = 0; i < data.length; i++) data[i] = encodeFloat16(values[i]!);
      return { kind, dim, data, valid: null };
    }
    case 'bfloat16Vector': {
      const data = new Uint16Array(values.length);
      for (let i = 0; i < data.length; i++) data[i] = float32ToBfloat16(values[i]!);
      return { kind, dim, data, valid: null };
    }
    case 'int8Vector': {
      const data = new Int8Array(values.length);
      for (let i = 0; i < data.length; i++) data[i] = Math.max(-127, Math.min(127, Math.round(values[i]! * int8Scale)));
      return { kind, dim, data, valid: null };
    }
  }
}
