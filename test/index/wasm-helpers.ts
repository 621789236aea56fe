/** Shared setup for the wasm tests: random columns of every wasm kind and the JS reference scores. */
import type { Column } from '../../src/schema/column.js';
import type { MetricType } from '../../src/core/enums.js';
import { cosineF32, ipF32, l2SqF32, normSqF32 } from '../../src/index/kernels/dense.js';
import { decodeBfloat16Into, decodeFloat16Into, decodeInt8Into, encodeFloat16, float32ToBfloat16 } from '../../src/index/kernels/half.js';
import { hammingBytes, jaccardBytes } from '../../src/index/kernels/binary.js';
import type { WasmColumn } from '../../src/index/wasm/store.js';
import type { TopKTask } from '../../src/index/wasm/task.js';
import { randInt } from './helpers.js';

export type WasmKind = WasmColumn['kind'];
export const WASM_KINDS: readonly WasmKind[] = ['floatVector', 'float16Vector', 'bfloat16Vector', 'int8Vector', 'binaryVector'];

export function metricsOf(kind: WasmKind): readonly MetricType[] {
  return kind === 'binaryVector' ? ['HAMMING', 'JACCARD'] : ['L2', 'IP', 'COSINE'];
}

/** n random rows (float values in [-4, 4)); rows listed in `zeroRows` are all zeros. */
export function randomColumn(kind: WasmKind, n: number, dim: number, r: () => number, zeroRows: readonly number[] = []): WasmColumn {
  const isZero = (i: number, w: number): boolean => zeroRows.includes(Math.floor(i / w));
  const f = (): number => (r() * 2 - 1) * 4;
  switch (kind) {
    case 'floatVector': {
      const data = new Float32Array(n * dim);
      for (let i = 0; i < data.length; i++) data[i] = isZero(i, dim) ? 0 : f();
      return { kind, dim, data, valid: null };
    }
    case 'float16Vector': case 'bfloat16Vector': {
      const data = new Uint16Array(n * dim);
      const enc = kind === 'float16Vector' ? encodeFloat16 : float32ToBfloat16;
      for (let i = 0; i < data.length; i++) data[i] = isZero(i, dim) ? 0 : enc(f());
      return { kind, dim, data, valid: null };
    }
    case 'int8Vector': {
      const data = new Int8Array(n * dim);
      for (let i = 0; i < data.length; i++) data[i] = isZero(i, dim) ? 0 : randInt(r, -128, 127);
      return { kind, dim, data, valid: null };
    }
    case 'binaryVector': {
      const w = dim / 8;
      const data = new Uint8Array(n * w);
      for (let i = 0; i < data.length; i++) data[i] = isZero(i, w) ? 0 : randInt(r, 0, 255);
      return { kind, dim, data, valid: null };
    }
  }
}

/** A dense column decoded to float32 exactly as src/index/scan-dense.ts does. */
export function toF32(c: WasmColumn): Float32Array {
  if (c.kind === 'floatVector') return c.data;
  const out = new Float32Array(c.data.length);
  if (c.kind === 'float16Vector') decodeFloat16Into(c.data, 0, out, 0, c.data.length);
  else if (c.kind === 'bfloat16Vector') decodeBfloat16Into(c.data, 0, out, 0, c.data.length);
  else if (c.kind === 'int8Vector') decodeInt8Into(c.data, 0, out, 0, c.data.length);
  else throw new Error('binary has no float32 form');
  return out;
}

/** The JS kernels' metric value of row `row` against query `q`, rounded to float32 like a scan. */
export function jsScore(metric: MetricType, column: WasmColumn, queries: WasmColumn, q: number, row: number): number {
  if (column.kind === 'binaryVector' || queries.kind === 'binaryVector') {
    const w = column.dim / 8;
    const a = queries.data as Uint8Array, b = column.data as Uint8Array;
    return Math.fround(metric === 'HAMMING' ? hammingBytes(a, q * w, b, row * w, w) : jaccardBytes(a, q * w, b, row * w, w));
  }
  const dim = column.dim;
  const a = toF32(queries), b = toF32(column);
  if (metric === 'L2') return Math.fround(l2SqF32(a, q * dim, b, row * dim, dim));
  if (metric === 'IP') return Math.fround(ipF32(a, q * dim, b, row * dim, dim));
  return Math.fround(cosineF32(a, q * dim, Math.sqrt(normSqF32(a, q * dim, dim)), b, row * dim, dim));
}

export function asColumn(c: WasmColumn): Column {
  return c;
}

/** A top-k task whose rows lie past the end of any memory: the worker's kernel traps (out of bounds). */
export function outOfBoundsTask(): TopKTask {
  return {
    kind: 0, metric: 0, fast: 0, bounded: 0, dim: 128, base: 0x7ff0_0000, norms: 0, queries: 0x7ff0_0000, qNorms: 65536, nq: 1,
    start: 0, end: 1000, mask: 0, dists: 65536, topK: 1, negate: false, lo: -Infinity, hi: Infinity, ranged: false,
    outRows: 65536, outScores: 65536, outCounts: 65536,
  };
}
