/**
 * The dense coarse quantizer shared by IVF_FLAT, IVF_SQ8 and IVF_PQ: nlist centroids trained by
 * k-means on a sample of the indexed rows, and the assignment of every indexed row to a list.
 * L2 clusters and assigns by squared L2. IP and COSINE cluster by direction: spherical k-means on
 * unit-normalised rows (unit centroids), rows and queries assigned / probed by largest inner product
 * with the centroids (for a unit centroid that argmax does not depend on the row's norm). Plain IP
 * k-means (faiss' IVF with an IP quantizer) was tried first: on rows of varied norms it left most
 * lists empty (50 of 128 non-empty on a 20k-row test), because large-norm centroids win every row.
 */
import type { MetricType } from '../../../core/enums.js';
import { ipF32, l2SqF32 } from '../../kernels/dense.js';
import { CentroidAssigner } from './assign.js';
import { trainKMeans } from './kmeans.js';
import { buildLists, type InvertedLists } from './lists.js';
import { indexedRows, type DenseRowReader } from './rows.js';
import { ivfTuning, sampleRows, seededRandom } from './tuning.js';

export interface CoarseQuantizer {
  readonly nlist: number;
  readonly dim: number;
  /** nlist x dim. */
  readonly centroids: Float32Array;
  /** Assign / probe by largest inner product instead of smallest L2. */
  readonly ip: boolean;
}

export function coarseUsesIp(metric: MetricType): boolean {
  return metric !== 'L2';
}

/** Train the coarse quantizer on at most nlist * coarseRowsPerList of `rows`; nlist is capped at rows.length. */
export function trainCoarse(reader: DenseRowReader, rows: Int32Array, nlist: number, metric: MetricType, random: () => number): CoarseQuantizer {
  const dim = reader.dim;
  const k = Math.min(nlist, rows.length);
  if (k === 0) return { nlist: 0, dim, centroids: new Float32Array(0), ip: coarseUsesIp(metric) };
  const sample = sampleRows(rows, k * ivfTuning.coarseRowsPerList, random);
  const ip = coarseUsesIp(metric);
  const x = reader.gather(sample, ip);
  const centroids = trainKMeans(x, sample.length, dim, { k, iterations: ivfTuning.coarseIterations, random, ip, spherical: ip });
  return { nlist: k, dim, centroids, ip: coarseUsesIp(metric) };
}

/** List of every row in `rows` (nearest centroid; unit centroids for IP / COSINE, so row norms do not matter). */
export function assignToLists(reader: DenseRowReader, rows: Int32Array, coarse: CoarseQuantizer): InvertedLists {
  const assign = new Int32Array(rows.length);
  const assigner = new CentroidAssigner(coarse.centroids, coarse.nlist, coarse.dim, coarse.ip);
  try {
    const batch = assigner.batchRows, dim = coarse.dim;
    const block = new Float32Array(Math.min(batch, rows.length) * dim);
    for (let from = 0; from < rows.length; from += batch) {
      const n = Math.min(batch, rows.length - from);
      for (let i = 0; i < n; i++) reader.readInto(rows[from + i]!, block, i * dim);
      assigner.assign(block, n, assign, from);
    }
  } finally {
    assigner.close();
  }
  return buildLists(coarse.nlist, rows, assign);
}

/** Coarse keys of query row qOff of `queries` to every centroid (smaller = nearer). */
export function coarseKeysDense(coarse: CoarseQuantizer, queries: Float32Array, qOff: number, out: Float32Array): void {
  const { nlist, dim, centroids } = coarse;
  if (coarse.ip) {
    for (let l = 0, off = 0; l < nlist; l++, off += dim) out[l] = -ipF32(queries, qOff, centroids, off, dim);
  } else {
    for (let l = 0, off = 0; l < nlist; l++, off += dim) out[l] = l2SqF32(queries, qOff, centroids, off, dim);
  }
  for (let l = 0; l < nlist; l++) if (Number.isNaN(out[l]!)) out[l] = Infinity;
}

/** Train + assign in one go, deterministic (fixed seed). */
export function buildCoarse(reader: DenseRowReader, valid: Uint8Array | null, numRows: number, nlist: number, metric: MetricType): { coarse: CoarseQuantizer; lists: InvertedLists } {
  const rows = indexedRows(valid, numRows);
  const coarse = trainCoarse(reader, rows, nlist, metric, seededRandom(ivfTuning.seed));
  return { coarse, lists: assignToLists(reader, rows, coarse) };
}

