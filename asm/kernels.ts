/**
 * Sextant distance kernels in AssemblyScript, compiled to wasm with SIMD128 (see package.json
 * `build`). This entry file names the module's exports; the code is in elements.ts, metrics.ts,
 * rows4.ts, scans.ts, hnsw.ts, hnsw-build.ts, vamana-build.ts (with build-space.ts), lists.ts, kmeans.ts and crc.ts. Memory is imported and shared: the TypeScript side (src/index/wasm/) owns every byte and
 * passes pointers; nothing here allocates, and there is no static data, so instantiating the module
 * again in a worker thread over the same memory does not write to it.
 *
 * Element kinds (`kind`): 0 float32, 1 float16, 2 bfloat16, 3 int8, 4 binary (dim in bits).
 * Metrics (`metric`): 0 L2 (squared), 1 IP, 2 COSINE, 3 HAMMING, 4 JACCARD.
 *
 * Two precisions for the float kinds:
 * - exact (fast = 0): the float32 values (float16 / bfloat16 decoded) are promoted to float64 and
 *   accumulated in four lanes (i mod 4) with a scalar tail into lane 0, summed s0+s1+s2+s3: the very
 *   operations of src/index/kernels/dense.ts, so results are bit-identical to the JS reference.
 * - fast (fast = 1): float32 lanes, eight accumulators; within float32 rounding of the reference.
 * int8 and binary kernels are integer-exact in both modes.
 *
 * COSINE takes the query's Euclidean norm and each row's squared norm (float64, from `normsSq`);
 * a zero vector on either side scores 0, the result is clamped to [-1, 1].
 */
export { rowBytes, distance } from './metrics';
export { scan, scanBounded, gather, gatherBounded, normsSq, decodeF16 } from './scans';
export { selectNeighbors, gatherKeys, searchLayer0, listMask, hnswSearch } from './hnsw';
export { hnswBuildRun } from './hnsw-build';
export { vamanaBuildRun, vamanaTrimRun } from './vamana-build';
export { sparseAccumulate, sparseFinish, sq8Scan, pqScan, permuteMask } from './lists';
export { kmeansRun, kmeansSeedStep } from './kmeans';
export { crc32c } from './crc';
export { diskannTable, diskannPqKeys, diskannExpand, diskannNodeKey } from './diskann-search';
