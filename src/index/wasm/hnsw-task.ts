/**
 * HNSW queries on a WasmPool worker. The graph's links (all layers), the rows and their norms live
 * in one shared wasm memory, so a task is plain numbers: pointers to them, to the queries, and to
 * scratch and outputs that the main thread allocated for this task alone. Each query runs the
 * `hnswSearch` kernel (descent, then layer 0) and then re-scores its best topK hits with the exact
 * kernels, re-sorted by (key, row): the same steps, in the same order, as HnswIndex.search on the
 * main thread, so both give identical hits and scores.
 */
import { registerPoolTask, type KernelHost } from './tasks.js';
import { METRIC } from './codes.js';
import { zeroShared } from './zero.js';

export interface HnswTask {
  type: 'hnsw';
  kind: number;
  metric: number;
  dim: number;
  /** Rows and (COSINE) their squared norms, else 0. */
  base: number;
  norms: number;
  numRows: number;
  /** Layer 0 (stride0 int32 per row), upper blocks (strideU int32) and each row's first block. */
  links: number;
  stride0: number;
  upper: number;
  upperBase: number;
  strideU: number;
  entry: number;
  maxLevel: number;
  ef: number;
  topK: number;
  /** nq queries of qRowBytes each from `queries`, and their Euclidean norms (float64) from `qNorms`. */
  queries: number;
  qRowBytes: number;
  qNorms: number;
  nq: number;
  /** One byte per row (non-zero = may be returned), or 0 for none. */
  mask: number;
  /**
   * Scratch: numRows visited bytes stamped up to the int32 at `epochAt` (0 and all zero when new; the
   * task advances it), numRows + 1 candidate keys and ids, ef + 1 result keys and ids, 16 + 8 * stride0
   * bytes, topK keys.
   */
  visited: number;
  epochAt: number;
  candKeys: number;
  candIds: number;
  resKeys: number;
  resIds: number;
  scratch: number;
  rescored: number;
  /** nq * topK rows and scores (best first) and nq counts. */
  outRows: number;
  outScores: number;
  outCounts: number;
}

/**
 * Insertion sort of keys[0 .. n) ascending, ties by ascending id, ids moved along (n is at most
 * topK, and the input nearly sorted). HnswIndex re-sorts its re-scored hits with it too.
 */
export function sortByKeyThenId(keys: Float64Array, ids: Int32Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const k = keys[i]!, id = ids[i]!;
    let j = i - 1;
    while (j >= 0 && (keys[j]! > k || (keys[j] === k && ids[j]! > id))) {
      keys[j + 1] = keys[j]!;
      ids[j + 1] = ids[j]!;
      j--;
    }
    keys[j + 1] = k;
    ids[j + 1] = id;
  }
}

export function runHnswTask(host: KernelHost, t: HnswTask): void {
  const k = host.k;
  const buf = host.memory.buffer;
  const u8 = new Uint8Array(buf), i32 = new Int32Array(buf), f32 = new Float32Array(buf), f64 = new Float64Array(buf);
  const { topK } = t;
  const keys = new Float64Array(topK), ids = new Int32Array(topK);
  let epoch = i32[t.epochAt >>> 2]!;
  for (let q = 0; q < t.nq; q++) {
    // Byte stamps: re-zero the visited bytes every 255 queries (as NativeLayer0 does).
    if (epoch === 255) {
      zeroShared(u8, f64, t.visited, t.visited + t.numRows);
      epoch = 0;
    }
    epoch++;
    const qp = t.queries + q * t.qRowBytes, qNorm = f64[(t.qNorms >>> 3) + q]!;
    const walked = k.hnswSearch(
      t.kind, t.metric, qp, t.base, t.dim, t.norms, qNorm, t.links, t.stride0, t.upper, t.upperBase, t.strideU,
      t.entry, t.maxLevel, t.visited, epoch, t.ef, t.candKeys, t.candIds, t.resKeys, t.resIds, t.scratch, t.mask,
    );
    const n = Math.min(walked, topK);
    // Exact keys of the best n (the walk's keys come from the float32 kernels), then sorted by (key, row).
    k.gatherKeys(t.kind, t.metric, 0, qp, t.base, t.dim, t.resIds, n, t.norms, qNorm, t.rescored);
    for (let i = 0; i < n; i++) {
      keys[i] = f32[(t.rescored >>> 2) + i]!;
      ids[i] = i32[(t.resIds >>> 2) + i]!;
    }
    sortByKeyThenId(keys, ids, n);
    const at = q * topK;
    for (let i = 0; i < n; i++) {
      i32[(t.outRows >>> 2) + at + i] = ids[i]!;
      f32[(t.outScores >>> 2) + at + i] = t.metric === METRIC.L2 ? keys[i]! : -keys[i]!;
    }
    i32[(t.outCounts >>> 2) + q] = n;
  }
  i32[t.epochAt >>> 2] = epoch;
}

/** Every field of HnswTask but `type`: the pool posts an HNSW task as these numbers (tasks.ts packPoolTask). */
const HNSW_TASK_FIELDS = [
  'kind', 'metric', 'dim', 'base', 'norms', 'numRows', 'links', 'stride0', 'upper', 'upperBase', 'strideU', 'entry', 'maxLevel',
  'ef', 'topK', 'queries', 'qRowBytes', 'qNorms', 'nq', 'mask', 'visited', 'epochAt', 'candKeys', 'candIds', 'resKeys', 'resIds',
  'scratch', 'rescored', 'outRows', 'outScores', 'outCounts',
] as const satisfies readonly (keyof HnswTask)[];
// A field added to HnswTask and not listed above fails to compile here.
const everyField: Exclude<keyof HnswTask, 'type' | (typeof HNSW_TASK_FIELDS)[number]> extends never ? true : never = true;
void everyField;

registerPoolTask<HnswTask>('hnsw', runHnswTask, HNSW_TASK_FIELDS);
