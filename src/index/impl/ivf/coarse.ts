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
import { lloyd, threadsFor } from './kmeans.js';
import { buildLists, type InvertedLists } from './lists.js';
import { indexedRows, normalizeRow, type DenseRowReader } from './rows.js';
import { ivfTuning, sampleRows, seededRandom } from './tuning.js';

export interface CoarseQuantizer {
  readonly nlist: number;
  readonly dim: number;
  /** nlist x dim. */
  readonly centroids: Float32Array;
  /** Assign / probe by largest inner product instead of smallest L2. */
  readonly ip: boolean;
}

/** Rows per assignment block after training (at least; the training sample's block is reused). */
const ASSIGN_BLOCK_ROWS = 16_384;

export function coarseUsesIp(metric: MetricType): boolean {
  return metric !== 'L2';
}

/**
 * Train the coarse quantizer on at most nlist * coarseRowsPerList of `rows` (nlist capped at
 * rows.length), then assign every row of `rows` to its list, both on `threads` threads (the sample is
 * gathered straight into the assigner's wasm block, and the same helpers assign the rows block by block).
 */
export function trainAndAssign(reader: DenseRowReader, rows: Int32Array, nlist: number, metric: MetricType, random: () => number, threads = 1): { coarse: CoarseQuantizer; lists: InvertedLists } {
  const dim = reader.dim;
  const k = Math.min(nlist, rows.length);
  const ip = coarseUsesIp(metric);
  if (k === 0) return { coarse: { nlist: 0, dim, centroids: new Float32Array(0), ip }, lists: buildLists(0, rows, new Int32Array(0)) };
  const sample = sampleRows(rows, k * ivfTuning.coarseRowsPerList, random);
  const work = k * dim * (sample.length * ivfTuning.coarseIterations + rows.length);
  const assigner = new CentroidAssigner(k, dim, ip, { blockRows: Math.max(sample.length, ASSIGN_BLOCK_ROWS), threads: threadsFor(work, threads) });
  try {
    const x = assigner.block;
    for (let i = 0; i < sample.length; i++) {
      reader.readInto(sample[i]!, x, i * dim);
      if (ip) normalizeRow(x, i * dim, dim);
    }
    const centroids = lloyd(assigner, sample.length, dim, { k, iterations: ivfTuning.coarseIterations, random, ip, spherical: ip });
    const coarse: CoarseQuantizer = { nlist: k, dim, centroids, ip };
    assigner.setCentroids(centroids);
    const assign = new Int32Array(rows.length);
    const batch = assigner.blockRows;
    for (let from = 0; from < rows.length; from += batch) {
      const n = Math.min(batch, rows.length - from);
      for (let i = 0; i < n; i++) reader.readInto(rows[from + i]!, x, i * dim);
      assigner.assign(n, assign, from);
    }
    return { coarse, lists: buildLists(k, rows, assign) };
  } finally {
    assigner.close();
  }
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

/** Train + assign in one go, deterministic (fixed seed) whatever the thread count. */
export function buildCoarse(reader: DenseRowReader, valid: Uint8Array | null, numRows: number, nlist: number, metric: MetricType, threads = 1): { coarse: CoarseQuantizer; lists: InvertedLists } {
  return trainAndAssign(reader, indexedRows(valid, numRows), nlist, metric, seededRandom(ivfTuning.seed), threads);
}
