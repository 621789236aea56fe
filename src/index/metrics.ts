/** Which metrics apply to which vector kinds (reference §3.3, §4.3). */
import type { Column, ColumnKind } from '../schema/column.js';
import type { MetricType } from '../core/enums.js';
import { errors } from '../core/errors.js';

export type VectorKind = Extract<
  ColumnKind,
  'floatVector' | 'float16Vector' | 'bfloat16Vector' | 'int8Vector' | 'binaryVector' | 'sparseVector'
>;
export type VectorColumn = Extract<Column, { kind: VectorKind }>;
export type DenseKind = Extract<VectorKind, 'floatVector' | 'float16Vector' | 'bfloat16Vector' | 'int8Vector'>;

export const DENSE_KINDS: readonly DenseKind[] = ['floatVector', 'float16Vector', 'bfloat16Vector', 'int8Vector'];
export const VECTOR_KINDS: readonly VectorKind[] = [...DENSE_KINDS, 'binaryVector', 'sparseVector'];

const DENSE_METRICS: readonly MetricType[] = ['L2', 'IP', 'COSINE'];
const BINARY_METRICS: readonly MetricType[] = ['HAMMING', 'JACCARD'];
const SPARSE_METRICS: readonly MetricType[] = ['IP', 'BM25'];

export function isVectorKind(kind: ColumnKind): kind is VectorKind {
  return (VECTOR_KINDS as readonly ColumnKind[]).includes(kind);
}

export function isVectorColumn(c: Column): c is VectorColumn {
  return isVectorKind(c.kind);
}

/** The metrics a vector kind can be searched with. */
export function metricsForKind(kind: VectorKind): readonly MetricType[] {
  switch (kind) {
    case 'binaryVector': return BINARY_METRICS;
    case 'sparseVector': return SPARSE_METRICS;
    default: return DENSE_METRICS;
  }
}

/** Milvus' default metric when none is given: COSINE for dense, HAMMING for binary, IP for sparse. */
export function defaultMetricFor(kind: VectorKind): MetricType {
  switch (kind) {
    case 'binaryVector': return 'HAMMING';
    case 'sparseVector': return 'IP';
    default: return 'COSINE';
  }
}

/** Throws 1100 `metric type not match` when `metric` cannot be used on `kind`. */
export function checkMetricForKind(kind: VectorKind, metric: MetricType): void {
  const allowed = metricsForKind(kind);
  if (!allowed.includes(metric)) {
    throw errors.invalidParameter('metric type not match', { expected: allowed.join('/'), actual: metric });
  }
}

/** Parse a metric name as sent on the wire (case-insensitive); undefined when unknown. */
export function parseMetric(name: string): MetricType | undefined {
  const upper = name.trim().toUpperCase();
  switch (upper) {
    case 'L2': case 'IP': case 'COSINE': case 'HAMMING': case 'JACCARD': case 'BM25': return upper;
    default: return undefined;
  }
}
