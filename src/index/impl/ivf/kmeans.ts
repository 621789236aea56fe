/**
 * Dense k-means (Lloyd) with k-means++ initialisation, a fixed seed and a bounded number of
 * iterations. `ip` assigns points to the centroid of largest inner product (the IP / COSINE coarse
 * quantizer, as in faiss); `spherical` re-normalises centroids after each update (COSINE).
 * An empty cluster is repaired by splitting the largest one (both halves nudged apart).
 * The assignment step and the k-means++ minima run on the wasm kernels (`assign.ts`), the
 * assignment on the build's threads when there is enough work.
 */
import { CentroidAssigner, PARALLEL_MIN_WORK } from './assign.js';
import { ivfTuning } from './tuning.js';
import { normalizeRow } from './rows.js';

export interface KMeansOptions {
  k: number;
  iterations: number;
  random: () => number;
  ip: boolean;
  spherical: boolean;
  /** Threads the assignment may use, this one included (default 1). */
  threads?: number;
}

/** The threads worth starting for `work` multiply-adds. */
export function threadsFor(work: number, threads: number | undefined): number {
  return work >= PARALLEL_MIN_WORK ? Math.max(1, threads ?? 1) : 1;
}

/** k-means++ seeding on squared L2 distances over the assigner's block rows. Requires n >= k. */
function seedPlusPlus(assigner: CentroidAssigner, n: number, dim: number, k: number, random: () => number): Float32Array {
  const x = assigner.block;
  const centroids = new Float32Array(k * dim);
  const minD = assigner.seedMinima(n);
  let pick = Math.floor(random() * n);
  for (let c = 0; c < k; c++) {
    centroids.set(x.subarray(pick * dim, (pick + 1) * dim), c * dim);
    const total = assigner.seedStep(pick, n);
    if (c + 1 === k) break;
    pick = weightedPick(minD, total, random);
  }
  return centroids;
}

/** Index drawn with probability weight[i] / total (uniform when every weight is 0). */
function weightedPick(weight: Float64Array, total: number, random: () => number): number {
  const n = weight.length;
  if (!(total > 0)) return Math.floor(random() * n);
  let target = random() * total;
  for (let i = 0; i < n; i++) {
    target -= weight[i]!;
    if (target < 0) return i;
  }
  for (let i = n - 1; i >= 0; i--) if (weight[i]! > 0) return i;
  return n - 1;
}

/** Recompute centroids as member means; returns the per-cluster sizes. */
function updateCentroids(x: Float32Array, n: number, dim: number, assign: Int32Array, centroids: Float32Array, k: number, sums: Float64Array): Int32Array {
  const sizes = new Int32Array(k);
  sums.fill(0);
  for (let i = 0; i < n; i++) {
    const c = assign[i]!;
    sizes[c] = sizes[c]! + 1;
    const so = c * dim, xo = i * dim;
    for (let d = 0; d < dim; d++) sums[so + d] = sums[so + d]! + x[xo + d]!;
  }
  for (let c = 0; c < k; c++) {
    const size = sizes[c]!;
    if (size === 0) continue;
    for (let d = 0, o = c * dim; d < dim; d++) centroids[o + d] = sums[o + d]! / size;
  }
  return sizes;
}

/** Give every empty cluster half of the largest cluster (centroids nudged apart, faiss-style). */
export function splitIntoEmpty(centroids: Float32Array, sizes: Int32Array, k: number, dim: number): number {
  let repaired = 0;
  const eps = ivfTuning.splitEpsilon;
  for (let c = 0; c < k; c++) {
    if (sizes[c] !== 0) continue;
    let big = 0;
    for (let j = 1; j < k; j++) if (sizes[j]! > sizes[big]!) big = j;
    if (sizes[big]! < 2) break;
    for (let d = 0; d < dim; d++) {
      const v = centroids[big * dim + d]!;
      const up = d % 2 === 0;
      centroids[c * dim + d] = v * (up ? 1 + eps : 1 - eps) + (up ? eps : -eps) * 1e-3;
      centroids[big * dim + d] = v * (up ? 1 - eps : 1 + eps) + (up ? -eps : eps) * 1e-3;
    }
    const half = sizes[big]! >> 1;
    sizes[c] = half;
    sizes[big] = sizes[big]! - half;
    repaired++;
  }
  return repaired;
}

/**
 * Train k centroids on the n x dim rows of `x` (k <= n). Deterministic for a given `random`, whatever
 * the thread count. Returns the k x dim centroids.
 */
export function trainKMeans(x: Float32Array, n: number, dim: number, opts: KMeansOptions): Float32Array {
  const k = Math.min(opts.k, n);
  const threads = threadsFor(n * k * dim * opts.iterations, opts.threads);
  const assigner = new CentroidAssigner(k, dim, opts.ip, { blockRows: n, threads });
  try {
    assigner.block.set(x.subarray(0, n * dim));
    return lloyd(assigner, n, dim, { ...opts, k });
  } finally {
    assigner.close();
  }
}

/** k-means on block rows [0, n) of `assigner` (made for opts.k <= n centroids of `dim`). */
export function lloyd(assigner: CentroidAssigner, n: number, dim: number, opts: KMeansOptions): Float32Array {
  const k = opts.k, x = assigner.block;
  const centroids = seedPlusPlus(assigner, n, dim, k, opts.random);
  if (opts.spherical) for (let c = 0; c < k; c++) normalizeRow(centroids, c * dim, dim);
  const assign = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * dim);
  assigner.setCentroids(centroids);
  for (let it = 0; it < opts.iterations; it++) {
    const changed = assigner.assign(n, assign, 0);
    if (changed === 0) break;
    const sizes = updateCentroids(x, n, dim, assign, centroids, k, sums);
    const repaired = splitIntoEmpty(centroids, sizes, k, dim);
    if (opts.spherical) for (let c = 0; c < k; c++) normalizeRow(centroids, c * dim, dim);
    if (repaired > 0) assign.fill(-1);
    assigner.setCentroids(centroids);
  }
  return centroids;
}
