/**
 * IVF_FLAT queries on a WasmPool worker. Everything the search reads lives in the index's list-order
 * wasm memory (ListRows): the rows, the centroids, the list offsets and ids, the queries (float32
 * for the coarse keys, and in the rows' kind for the scans), the filter bytes; the task is pointers
 * into it. The worker runs the very `probeSearch` the calling thread runs, over views of that
 * memory, so hits and scores are identical to IvfFlatIndex.search.
 */
import type { MetricType } from '../../../core/enums.js';
import type { IndexParams } from '../../descriptor.js';
import type { KernelHost } from '../../wasm/task.js';
import { coarseKeysDense, type CoarseQuantizer } from './coarse.js';
import { scanGathered } from './ivf-flat.js';
import { probeSearch, type ListScanner } from './search.js';
import type { ListScorer } from './wasm-gather.js';

export interface IvfTask {
  type: 'ivf';
  /** Kernel kind and metric codes of the rows, and the metric's name (for probeSearch). */
  kind: number;
  metricCode: number;
  metric: MetricType;
  /** Prune list scans with the float32 kernels (`scanBounded`: float kinds), else plain exact `scan`. */
  bounded: boolean;
  dim: number;
  numRows: number;
  /** Rows in list order and (IP / COSINE) their squared norms, else 0. */
  rows: number;
  norms: number;
  nlist: number;
  centroids: number;
  coarseIp: boolean;
  /** nlist + 1 int32 offsets and the int32 row id of every list position. */
  offsets: number;
  ids: number;
  idsLength: number;
  /** This task's nq queries: float32 (coarse keys), in the rows' kind (scans) with their norms. */
  queriesF32: number;
  queries: number;
  qRowBytes: number;
  qNorms: number;
  nq: number;
  topK: number;
  params: IndexParams | undefined;
  /** One byte per row (row id order), or 0 for none. */
  mask: number;
  /** Scratch for one list's scores (the longest list), and the outputs: nq * topK rows and scores, nq counts. */
  scratch: number;
  outRows: number;
  outScores: number;
  outCounts: number;
}

export function runIvfTask(host: KernelHost, t: IvfTask): void {
  const k = host.k;
  const buf = host.memory.buffer;
  const f32 = new Float32Array(buf), f64 = new Float64Array(buf);
  const lists = { nlist: t.nlist, offsets: new Int32Array(buf, t.offsets, t.nlist + 1), ids: new Int32Array(buf, t.ids, t.idsLength) };
  const coarse: CoarseQuantizer = { nlist: t.nlist, dim: t.dim, centroids: new Float32Array(buf, t.centroids, t.nlist * t.dim), ip: t.coarseIp };
  const qF32 = new Float32Array(buf, t.queriesF32, t.nq * t.dim);
  const scorer: ListScorer = {
    outIndex: t.scratch >>> 2,
    distances(qi: number, from: number, to: number, thr: number): Float32Array {
      const qp = t.queries + qi * t.qRowBytes, qNorm = f64[(t.qNorms >>> 3) + qi]!;
      if (t.bounded) k.scanBounded(t.kind, t.metricCode, qp, t.rows, t.dim, from, to, 0, t.norms, qNorm, t.scratch, thr);
      else k.scan(t.kind, t.metricCode, 0, qp, t.rows, t.dim, from, to, 0, t.norms, qNorm, t.scratch);
      return f32;
    },
    close(): void {},
  };
  const scanner: ListScanner = {
    lists,
    coarseKeys(q: number, out: Float32Array): void {
      coarseKeysDense(coarse, qF32, q * t.dim, out);
    },
    scanList(q: number, l: number, ctx): number {
      return scanGathered(scorer, lists.ids, q, lists.offsets[l]!, lists.offsets[l + 1]!, ctx);
    },
  };
  const res = probeSearch(scanner, {
    nq: t.nq, topK: t.topK, metric: t.metric, filter: t.mask === 0 ? null : new Uint8Array(buf, t.mask, t.numRows),
    valid: null, range: null, params: t.params,
  });
  new Int32Array(buf, t.outRows, t.nq * t.topK).set(res.rows);
  new Float32Array(buf, t.outScores, t.nq * t.topK).set(res.scores);
  new Int32Array(buf, t.outCounts, t.nq).set(res.counts);
}
