/**
 * The IVF search driver shared by every IVF type. Per query: rank the lists by the coarse quantizer,
 * scan the `nprobe` nearest, then
 * - top-k search: if fewer than min(topK, rows the filter allows) hits were found, keep probing the
 *   next-nearest lists until filled (never under-fills; in the worst case it scans every list);
 * - range search: also keep probing past `nprobe` until `max_empty_result_buckets` lists in a row add
 *   no in-range row (knowhere's rule), and in any case until topK in-range hits are held or every list
 *   was scanned (so a range search returns what an exact one would whenever the window holds topK
 *   rows; with fewer in-range rows than topK it degrades to an exact scan).
 * The filter bitset and NULL rows are skipped inside each list scan.
 */
import { checkTopK, rangeWindow } from '../../scan-window.js';
export { checkTopK, rangeWindow };
import type { Bitset, Column } from '../../../schema/column.js';
import { columnLength } from '../../../schema/column.js';
import type { MetricType } from '../../../core/enums.js';
import { smallerIsBetter } from '../../../core/enums.js';
import { errors } from '../../../core/errors.js';
import { limits } from '../../../core/limits.js';
import type { ExactSearchResult, IndexParams, RangeParams } from '../../types.js';
import { TopKHeaps } from '../../topk.js';
import type { ScanContext } from '../../scan-window.js';
import type { InvertedLists } from './lists.js';
import { selectNearest } from './probe-order.js';

export const DEFAULT_NPROBE = 8;
export const DEFAULT_MAX_EMPTY_RESULT_BUCKETS = 2;
/**
 * A filtered search that allows less than this fraction of the indexed rows probes every list
 * (an exact scan of the allowed rows for IVF_FLAT / BIN_IVF_FLAT): cheap because few rows are
 * scored, and probing only the nearest lists would stop at the first k allowed rows it meets.
 */
export const IVF_EXACT_SELECTIVITY = 0.02;

/** What an IVF index implements so the driver can search it. */
export interface ListScanner {
  readonly lists: InvertedLists;
  /**
   * Keys (smaller = probe first) from query q to every list's centroid, written to out[0..nlist).
   * Called once per query before any `scanList` of that query, so per-query tables are built here.
   */
  coarseKeys(q: number, out: Float32Array): void;
  /**
   * Offer the selected rows of list `l` to query q's heap in `ctx`. Returns how many rows were
   * selected and inside the range window (all selected rows when there is no window).
   */
  scanList(q: number, l: number, ctx: ScanContext): number;
}

export interface ProbeRequest {
  nq: number;
  topK: number;
  metric: MetricType;
  filter: Bitset | null;
  valid: Uint8Array | null;
  range: RangeParams | null;
  params: IndexParams | undefined;
}

function intParam(params: IndexParams | undefined, name: string, fallback: number): number {
  const v = params?.[name];
  return typeof v === 'number' && Number.isFinite(v) ? Math.floor(v) : fallback;
}

/**
 * Rows in the lists that the filter allows (NULL rows are never in a list), counted only up to
 * `limit`: the search needs to know min(allowed, topK) and whether allowed is under the exact
 * threshold, and stopping early keeps a broad filter from costing a pass over every row.
 */
function allowedRows(lists: InvertedLists, filter: Bitset | null, limit: number): number {
  if (filter === null) return lists.ids.length;
  const ids = lists.ids;
  let n = 0;
  for (let j = 0; j < ids.length && n < limit; j++) if (filter[ids[j]!] !== 0) n++;
  return n;
}

export function probeSearch(scanner: ListScanner, req: ProbeRequest): ExactSearchResult {
  const { nq, topK, metric } = req;
  const nlist = scanner.lists.nlist;
  const negate = !smallerIsBetter(metric);
  const window = rangeWindow(metric, req.range);
  const heaps = new TopKHeaps(nq, topK);
  const ctx: ScanContext = { heaps, filter: req.filter, valid: req.valid, window, negate };
  const exactBelow = IVF_EXACT_SELECTIVITY * scanner.lists.ids.length;
  const allowed = allowedRows(scanner.lists, req.filter, Math.max(topK, Math.ceil(exactBelow)));
  const everyList = allowed < exactBelow;
  const nprobe = everyList ? nlist : Math.max(1, Math.min(nlist, intParam(req.params, 'nprobe', DEFAULT_NPROBE)));
  const maxEmpty = Math.max(1, intParam(req.params, 'max_empty_result_buckets', DEFAULT_MAX_EMPTY_RESULT_BUCKETS));
  const need = Math.min(topK, allowed);
  const keys = new Float32Array(nlist);
  const order = new Int32Array(nlist);
  for (let q = 0; q < nq && nlist > 0; q++) {
    scanner.coarseKeys(q, keys);
    for (let l = 0; l < nlist; l++) order[l] = l;
    selectNearest(keys, order, 0, nprobe);
    let done = 0;
    let emptyRun = 0;
    for (; done < nprobe; done++) emptyRun = scanner.scanList(q, order[done]!, ctx) > 0 ? 0 : emptyRun + 1;
    while (done < nlist) {
      const more = heaps.sizes[q]! < need || (window !== null && emptyRun < maxEmpty);
      if (!more) break;
      if (done % nprobe === 0) selectNearest(keys, order, done, nprobe);
      emptyRun = scanner.scanList(q, order[done]!, ctx) > 0 ? 0 : emptyRun + 1;
      done++;
    }
  }
  return drain(heaps, negate);
}

function drain(heaps: TopKHeaps, negate: boolean): ExactSearchResult {
  const { nq, k } = heaps;
  const rows = new Int32Array(nq * k).fill(-1);
  const scores = new Float32Array(nq * k).fill(negate ? -Infinity : Infinity);
  const counts = new Int32Array(nq);
  for (let q = 0; q < nq; q++) counts[q] = heaps.drainSorted(q, rows, scores, q * k, negate);
  return { nq, topK: k, rows, scores, counts };
}


/** Query column checks (kind, dim, whole rows, nq limit); returns nq. */
export function checkQueries(kind: Column['kind'], dim: number, queries: Column): number {
  if (queries.kind !== kind || !('dim' in queries)) {
    throw errors.invalidParameter('vector type not match', { expected: kind, actual: queries.kind });
  }
  if (queries.dim !== dim) throw errors.invalidParameter('vector dimension mismatch', { expected: dim, actual: queries.dim });
  const nq = columnLength(queries);
  if (!Number.isInteger(nq)) {
    throw errors.invalidParameter('query vectors are not a whole number of rows', { dim, actual: queries.data.length });
  }
  if (nq > limits.maxNq) throw errors.invalidParameter('nq is too large', { expected: `[1, ${limits.maxNq}]`, actual: nq });
  return nq;
}


/**
 * Offer one scored row to query q (score already rounded to float32). Returns 1 when the row is
 * inside the range window (or there is none), else 0. Kept tiny so V8 inlines it into list scans.
 */
export function offerRow(ctx: ScanContext, q: number, score: number, row: number): number {
  const key = ctx.negate ? -score : score;
  const w = ctx.window;
  if (w !== null && !(key >= w.lo && key < w.hi)) return 0;
  if (key <= ctx.heaps.threshold(q)) ctx.heaps.push(q, key, row);
  return 1;
}
