/**
 * IVF_FLAT and IVF_SQ8 queries on a WasmPool worker. Everything the search reads lives in the
 * index's own wasm memory (ListRows, or IVF_SQ8's codes): the rows or codes, the centroids, the list
 * offsets and ids, the queries, the filter bytes; the task is pointers into it. The worker runs the
 * very `probeSearch` the calling thread runs, with the same list scoring, over views of that memory,
 * so hits and scores are identical to the index's own `search`. This is the worker side (registered
 * as pool task 'ivf'); pool-search.ts makes the tasks and gathers their answers.
 */
import type { MetricType } from '../../../core/enums.js';
import type { IndexParams } from '../../types.js';
import type { ScanContext } from '../../scan-window.js';
import { registerPoolTask, type KernelHost } from '../../wasm/tasks.js';
import { METRIC } from '../../wasm/codes.js';
import { coarseKeysKernel } from './wasm-coarse.js';
import { offerRow, probeSearch, type ListScanner } from './search.js';
import type { ListScorer } from './wasm-gather.js';

/** How a task scores a list: bounded scans of list-order rows (IVF_FLAT), or SQ8 codes (IVF_SQ8). */
export type IvfScoring =
  | {
    mode: 'rows';
    /** Kernel kind of the rows; prune with the float32 kernels (`scanBounded`: float kinds), else plain exact `scan`. */
    kind: number;
    bounded: boolean;
    /** Rows in list order and (IP / COSINE) their squared norms, else 0. */
    rows: number;
    norms: number;
  }
  | {
    mode: 'sq8';
    /** Codes in list order, per-dimension scale and offset (float32), COSINE norms of the decoded rows (float32) or 0. */
    codes: number;
    scale: number;
    offset: number;
    norms: number;
  };

/** What every task of one search shares (pointers into the index's memory). */
export interface IvfShared {
  metricCode: number;
  metric: MetricType;
  dim: number;
  numRows: number;
  nlist: number;
  centroids: number;
  coarseIp: boolean;
  /** nlist + 1 int32 offsets and the int32 row id of every list position. */
  offsets: number;
  ids: number;
  idsLength: number;
  /** The longest list (scratch per task). */
  longest: number;
  scoring: IvfScoring;
}

export interface IvfTask extends IvfShared {
  type: 'ivf';
  /** This task's nq queries: float32 (coarse keys and SQ8 tables), in the rows' kind (row scans), and their Euclidean norms (float64). */
  queriesF32: number;
  queries: number;
  qRowBytes: number;
  qNorms: number;
  nq: number;
  topK: number;
  params: IndexParams | undefined;
  /** One byte per row (row id order), or 0 for none; and the same bytes in list-position order (row scans skip them). */
  mask: number;
  posMask: number;
  /** Scratch: one list's scores (the longest list), and a query table (SQ8: dim float32, then the dim scales). */
  scratch: number;
  table: number;
  /** Scratch: nlist float32 (the coarse keys). */
  keys: number;
  /** nq * topK rows and scores (best first), nq counts. */
  outRows: number;
  outScores: number;
  outCounts: number;
}

export function runIvfTask(host: KernelHost, t: IvfTask): void {
  const k = host.k;
  const buf = host.memory.buffer;
  const f32 = new Float32Array(buf), f64 = new Float64Array(buf);
  const lists = { nlist: t.nlist, offsets: new Int32Array(buf, t.offsets, t.nlist + 1), ids: new Int32Array(buf, t.ids, t.idsLength) };
  const qF32 = new Float32Array(buf, t.queriesF32, t.nq * t.dim);
  const sc = t.scoring;
  let scanList: (q: number, l: number, ctx: ScanContext) => number;
  let beginQuery: (q: number) => void = () => undefined;
  if (sc.mode === 'rows') {
    const scorer: ListScorer = {
      outIndex: t.scratch >>> 2,
      distances(qi: number, from: number, to: number, thr: number): Float32Array {
        const qp = t.queries + qi * t.qRowBytes, qNorm = f64[(t.qNorms >>> 3) + qi]!;
        if (sc.bounded) k.scanBounded(sc.kind, t.metricCode, qp, sc.rows, t.dim, from, to, t.posMask, sc.norms, qNorm, t.scratch, thr);
        else k.scan(sc.kind, t.metricCode, 0, qp, sc.rows, t.dim, from, to, t.posMask, sc.norms, qNorm, t.scratch);
        return f32;
      },
      close(): void {},
    };
    scanList = (q, l, ctx) => scanGathered(scorer, lists.ids, q, lists.offsets[l]!, lists.offsets[l + 1]!, ctx);
  } else {
    // IvfSq8Index.beginQuery and scanList, over views of the shared memory (the scales follow the table).
    const table = new Float32Array(buf, t.table, t.dim);
    const scale = new Float32Array(buf, sc.scale, t.dim), offset = new Float32Array(buf, sc.offset, t.dim);
    new Float32Array(buf, t.table + t.dim * 4, t.dim).set(scale);
    let base = 0;
    beginQuery = (q) => { base = sq8Table(t.metricCode === METRIC.L2, qF32, q * t.dim, scale, offset, table); };
    scanList = (q, l, ctx) => {
      const from = lists.offsets[l]!, to = lists.offsets[l + 1]!;
      if (from === to) return 0;
      const thr = ctx.window === null ? ctx.heaps.threshold(q) : Infinity;
      k.sq8Scan(t.metricCode, sc.codes, t.dim, from, to, t.table, base, sc.norms, f64[(t.qNorms >>> 3) + q]!, t.scratch, thr);
      return offerScored(f32, t.scratch >>> 2, lists.ids, q, from, to, ctx);
    };
  }
  const scanner: ListScanner = {
    lists,
    coarseKeys(q: number, out: Float32Array): void {
      coarseKeysKernel(k, f32, t.coarseIp, t.queriesF32 + q * t.dim * 4, t.centroids, t.nlist, t.dim, t.keys, out);
      beginQuery(q);
    },
    scanList,
  };
  const res = probeSearch(scanner, {
    nq: t.nq, topK: t.topK, metric: t.metric, filter: t.mask === 0 ? null : new Uint8Array(buf, t.mask, t.numRows),
    valid: null, range: null, params: t.params,
  });
  new Int32Array(buf, t.outRows, t.nq * t.topK).set(res.rows);
  new Float32Array(buf, t.outScores, t.nq * t.topK).set(res.scores);
  new Int32Array(buf, t.outCounts, t.nq).set(res.counts);
}

/**
 * IVF_SQ8's per-query table into `table`: L2: q - offset; IP / COSINE: q * scale, returning
 * base = q . offset (else 0). Shared by IvfSq8Index and the pool tasks.
 */
export function sq8Table(l2: boolean, qs: Float32Array, qOff: number, scale: Float32Array, offset: Float32Array, table: Float32Array): number {
  let base = 0;
  for (let d = 0; d < table.length; d++) {
    const v = qs[qOff + d]!;
    if (l2) table[d] = v - offset[d]!;
    else {
      table[d] = v * scale[d]!;
      base += v * offset[d]!;
    }
  }
  return base;
}

/**
 * Offer the scored positions [from, to) (scores at f32[at ..]) whose rows the filter allows; returns
 * how many were in range. NaN scores (rows a bounded scan pruned, or masked out) are skipped first:
 * offerRow would neither keep them nor count them in a range window, and most rows of a pruned scan are NaN.
 */
export function offerScored(f32: Float32Array, at: number, ids: Int32Array, q: number, from: number, to: number, ctx: ScanContext): number {
  const filter = ctx.filter;
  let hits = 0;
  for (let j = from; j < to; j++) {
    const score = f32[at + j - from]!;
    if (score !== score) continue;
    const row = ids[j]!;
    if (filter !== null && filter[row] === 0) continue;
    hits += offerRow(ctx, q, score, row);
  }
  return hits;
}

/** Offer the rows at list positions [from, to) scored by wasm (already float32) to query q. */
export function scanGathered(g: ListScorer, ids: Int32Array, q: number, from: number, to: number, ctx: ScanContext): number {
  // Prune against the heap only for top-k: a range search counts every in-window row of a list.
  if (ctx.window !== null) return from === to ? 0 : offerScored(g.distances(q, from, to, Infinity), g.outIndex, ids, q, from, to, ctx);
  let hits = 0;
  while (from < to) {
    // While the heap is not full nothing can be pruned: score only topK rows, so that the rest of
    // the list (the first probed list's, typically) is pruned against a real threshold.
    const thr = ctx.heaps.threshold(q);
    const end = thr === Infinity ? Math.min(to, from + Math.max(4, ctx.heaps.k)) : to;
    hits += offerScored(g.distances(q, from, end, thr), g.outIndex, ids, q, from, end, ctx);
    from = end;
  }
  return hits;
}

registerPoolTask('ivf', runIvfTask);
