/** Public surface of the index layer. */
export { searchExact, mergeTopK } from './flat.js';
export type { ExactSearchRequest, ExactSearchResult, RangeParams, MergePart, MergedTopK } from './flat.js';
export type {
  IndexDescriptor, ParamSpec, ParamType, ParamValue, IndexParams, IndexBuildSpec, IndexSearchRequest, VectorIndex,
} from './descriptor.js';
export {
  getIndexDescriptor, listIndexDescriptors, validateIndexParams, validateSearchParams, defaultMetricFor, metricsForKind,
} from './registry.js';
export type { NormalizedIndexParams } from './registry.js';
export { isVectorKind, isVectorColumn, checkMetricForKind, parseMetric } from './metrics.js';
export type { VectorKind, VectorColumn } from './metrics.js';
export { FlatIndex } from './impl/flat.js';
export { encodeFloat16, decodeFloat16, float32ToBfloat16, bfloat16ToFloat32 } from './kernels/half.js';
