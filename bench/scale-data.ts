/**
 * Streamed synthetic data for the scale suite: a Gaussian mixture (100 clusters, centres uniform in
 * [-1, 1]^dim, sigma 0.35, as bench/data.ts), generated batch by batch. Batch b (rows
 * [b * BATCH_ROWS, ...)) comes from its own seeded generator, so any batch can be made again without
 * the ones before it and no more than one batch is ever held: 10M rows never exist at once. Ground
 * truth is exact (searchExact, the index tests' oracle) for a sample of queries, merged over the
 * batches as they stream past.
 */
import { seededRandom } from '../src/core/random.js';
import { searchExact } from '../src/index/flat.js';
import { forgetColumn } from '../src/index/wasm/index.js';
import { floatColumn } from './data.js';

export const BATCH_ROWS = 10_000;
const CLUSTERS = 100;
const SIGMA = 0.35;
export const GT_K = 10;

export interface StreamSpec { rows: number; dim: number; seed: number }

function gaussian(r: () => number): number {
  const u = 1 - r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

export class MixtureStream {
  private readonly centres: Float32Array;

  constructor(readonly spec: StreamSpec) {
    const r = seededRandom(spec.seed);
    this.centres = new Float32Array(CLUSTERS * spec.dim);
    for (let i = 0; i < this.centres.length; i++) this.centres[i] = r() * 2 - 1;
  }

  get batches(): number {
    return Math.ceil(this.spec.rows / BATCH_ROWS);
  }

  /** Rows of batch `b` (BATCH_ROWS or fewer for the last), into `out` when given. */
  batch(b: number, out?: Float32Array): Float32Array {
    const { dim, rows } = this.spec;
    const n = Math.min(BATCH_ROWS, rows - b * BATCH_ROWS);
    return this.draw(seededRandom(this.spec.seed * 1_000_003 + b + 1), n, out ?? new Float32Array(n * dim));
  }

  /** `nq` queries from the same mixture (their own generator). */
  queries(nq: number): Float32Array {
    return this.draw(seededRandom(this.spec.seed * 7 + 3), nq, new Float32Array(nq * this.spec.dim));
  }

  /** Every row in one array (for index-level builds and the peers; up to a few GB). */
  all(shared: boolean): Float32Array {
    const { rows, dim } = this.spec;
    const data = shared ? new Float32Array(new SharedArrayBuffer(rows * dim * 4)) : new Float32Array(rows * dim);
    for (let b = 0; b < this.batches; b++) this.batch(b, data.subarray(b * BATCH_ROWS * dim));
    return data;
  }

  private draw(r: () => number, n: number, out: Float32Array): Float32Array {
    const dim = this.spec.dim;
    for (let row = 0; row < n; row++) {
      const c = Math.floor(r() * CLUSTERS);
      for (let j = 0; j < dim; j++) out[row * dim + j] = this.centres[c * dim + j]! + SIGMA * gaussian(r);
    }
    return out;
  }

  /** Exact top-GT_K rows (L2) of each query over every row, streamed batch by batch. */
  groundTruth(queries: Float32Array): Int32Array {
    const dim = this.spec.dim, nq = queries.length / dim;
    const bestIds = new Int32Array(nq * GT_K).fill(-1);
    const bestKeys = new Float64Array(nq * GT_K).fill(Infinity);
    const qcol = floatColumn(queries, dim);
    for (let b = 0; b < this.batches; b++) {
      const rows = this.batch(b);
      const n = rows.length / dim;
      const column = { kind: 'floatVector' as const, dim, data: rows, valid: null };
      const res = searchExact({ metric: 'L2', column, numRows: n, queries: qcol, topK: GT_K, filter: null });
      // The batch's wasm copy goes now: left to the garbage collector, a synchronous loop over 10M rows
      // grew the process arena to its 4 GiB cap, which it keeps (bench/README.md, "Session 24").
      forgetColumn(column);
      for (let q = 0; q < nq; q++) {
        for (let i = 0; i < GT_K; i++) {
          const row = res.rows[q * GT_K + i]!;
          if (row >= 0) offer(bestIds, bestKeys, q * GT_K, res.scores[q * GT_K + i]!, b * BATCH_ROWS + row);
        }
      }
    }
    return bestIds;
  }
}

/** Insert (key, id) into the sorted top-GT_K list at `at` (ascending keys) if it belongs there. */
function offer(ids: Int32Array, keys: Float64Array, at: number, key: number, id: number): void {
  if (key >= keys[at + GT_K - 1]!) return;
  let i = GT_K - 1;
  while (i > 0 && keys[at + i - 1]! > key) {
    keys[at + i] = keys[at + i - 1]!;
    ids[at + i] = ids[at + i - 1]!;
    i--;
  }
  keys[at + i] = key;
  ids[at + i] = id;
}

/** Mean over queries of |found ∩ truth| / k (found: nq * k ids, -1 pads). */
export function recallAt(found: Int32Array, truth: Int32Array, nq: number, k = GT_K): number {
  let hit = 0;
  for (let q = 0; q < nq; q++) {
    const t = new Set(truth.subarray(q * k, q * k + k));
    for (let i = 0; i < k; i++) if (t.has(found[q * k + i]!)) hit++;
  }
  return hit / (nq * k);
}
