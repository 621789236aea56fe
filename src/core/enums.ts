/** Shared enums with Milvus' numeric values (schema.proto / common.proto). */
export const DataType = {
  None: 0,
  Bool: 1,
  Int8: 2,
  Int16: 3,
  Int32: 4,
  Int64: 5,
  Float: 10,
  Double: 11,
  VarChar: 21,
  Array: 22,
  JSON: 23,
  Geometry: 24,
  Timestamptz: 26,
  BinaryVector: 100,
  FloatVector: 101,
  Float16Vector: 102,
  BFloat16Vector: 103,
  SparseFloatVector: 104,
  Int8Vector: 105,
} as const;
export type DataType = (typeof DataType)[keyof typeof DataType];
export type DataTypeName = keyof typeof DataType;

const dataTypeNames = new Map<number, DataTypeName>(
  (Object.entries(DataType) as [DataTypeName, DataType][]).map(([k, v]) => [v, k]),
);
export function dataTypeName(t: number): DataTypeName | undefined {
  return dataTypeNames.get(t);
}
export function dataTypeFromName(name: string): DataType | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(DataType)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export const VECTOR_TYPES: ReadonlySet<DataType> = new Set([
  DataType.BinaryVector, DataType.FloatVector, DataType.Float16Vector,
  DataType.BFloat16Vector, DataType.SparseFloatVector, DataType.Int8Vector,
]);
export function isVectorType(t: DataType): boolean {
  return VECTOR_TYPES.has(t);
}
export function isIntegerType(t: DataType): boolean {
  return t === DataType.Int8 || t === DataType.Int16 || t === DataType.Int32 || t === DataType.Int64;
}
export function isFloatingType(t: DataType): boolean {
  return t === DataType.Float || t === DataType.Double;
}
export function isNumericType(t: DataType): boolean {
  return isIntegerType(t) || isFloatingType(t);
}

/** BM25: full-text relevance on a BM25 function's output field (larger is better). */
export type MetricType = 'L2' | 'IP' | 'COSINE' | 'HAMMING' | 'JACCARD' | 'BM25';
export const METRIC_TYPES: readonly MetricType[] = ['L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD', 'BM25'];
/** Metrics where a smaller score is better. */
export function smallerIsBetter(m: MetricType): boolean {
  return m === 'L2' || m === 'HAMMING' || m === 'JACCARD';
}

export const ConsistencyLevel = { Strong: 0, Session: 1, Bounded: 2, Eventually: 3, Customized: 4 } as const;
export type ConsistencyLevel = (typeof ConsistencyLevel)[keyof typeof ConsistencyLevel];

export const LoadState = {
  LoadStateNotExist: 0,
  LoadStateNotLoad: 1,
  LoadStateLoading: 2,
  LoadStateLoaded: 3,
} as const;
export type LoadStateName = keyof typeof LoadState;
