/** The numeric codes asm/kernels.ts uses for element kinds and metrics, and the mapping from Sextant's names. */
import type { MetricType } from '../../core/enums.js';
import type { VectorKind } from '../metrics.js';

/** Element kinds understood by the wasm kernels. */
export const KIND = { float32: 0, float16: 1, bfloat16: 2, int8: 3, binary: 4 } as const;
export type KindCode = (typeof KIND)[keyof typeof KIND];

export const METRIC = { L2: 0, IP: 1, COSINE: 2, HAMMING: 3, JACCARD: 4 } as const;
export type MetricCode = (typeof METRIC)[keyof typeof METRIC];

/** Column kinds that have wasm kernels (everything but sparse). */
export type WasmVectorKind = Exclude<VectorKind, 'sparseVector'>;

export function kindCode(kind: WasmVectorKind): KindCode {
  switch (kind) {
    case 'floatVector': return KIND.float32;
    case 'float16Vector': return KIND.float16;
    case 'bfloat16Vector': return KIND.bfloat16;
    case 'int8Vector': return KIND.int8;
    case 'binaryVector': return KIND.binary;
  }
}

export function metricCode(metric: MetricType): MetricCode {
  // BM25 scores sparse rows through its own scorers (index/bm25.ts), never through these kernels.
  if (metric === 'BM25') throw new Error('BM25 has no wasm metric kernel');
  return METRIC[metric];
}

/** Bytes per row; `dim` is in bits for binary vectors. */
export function rowBytesOf(kind: KindCode, dim: number): number {
  switch (kind) {
    case KIND.float32: return dim * 4;
    case KIND.float16: case KIND.bfloat16: return dim * 2;
    case KIND.int8: return dim;
    case KIND.binary: return dim >>> 3;
  }
}

/** True when the metric applies to the kind (float kinds: L2/IP/COSINE; binary: HAMMING/JACCARD). */
export function metricFitsKind(kind: KindCode, metric: MetricCode): boolean {
  return kind === KIND.binary ? metric >= METRIC.HAMMING : metric <= METRIC.COSINE;
}
