/**
 * Exact (brute-force) k-NN and range search over one vector column, for every vector kind and
 * metric. This is the FLAT / BIN_FLAT index and the recall oracle every ANN index is tested against.
 *
 * Dense kinds are scanned in row blocks (float16 / bfloat16 / int8 blocks decoded to float32 once
 * and reused by every query); binary rows use popcount kernels; sparse rows merge index lists.
 * Hits are kept in fixed-size per-query heaps over typed arrays; nothing is allocated per row.
 * When the wasm kernels are available (src/index/wasm/), dense and binary scans run there instead,
 * with bit-identical scores; the JS scans stay as the reference and the fallback.
 */
import type { Bitset, Column } from '../schema/column.js';
import { columnLength } from '../schema/column.js';
import type { MetricType } from '../core/enums.js';
import { smallerIsBetter } from '../core/enums.js';
import { errors, MilvusError } from '../core/errors.js';
import { assert } from '../core/assert.js';
import { limits } from '../core/limits.js';
import { checkMetricForKind, isVectorColumn, type VectorColumn } from './metrics.js';
import { TopKHeaps } from './topk.js';
import { scanDense, scanDenseRows, denseQueriesToF32, type DenseColumn } from './scan-dense.js';
import { allowedRows } from './allowed.js';
import { scanBinary } from './scan-binary.js';
import { scanSparse } from './scan-sparse.js';
import { checkTopK, rangeWindow, type ScanContext, type ScanWindow } from './scan-window.js';
import { CACHE_MIN_BYTES, defaultArena, storeToSearch, wasmScanExact } from './wasm/exact.js';
import type { VectorStore, WasmColumn } from './wasm/store.js';
import type { PoolJob, WasmPool } from './wasm/pool.js';
import type { ExactSearchResult, RangeParams } from './types.js';

export { mergeTopK, type MergePart, type MergedTopK } from './merge.js';

export type { ExactSearchResult, RangeParams } from './types.js';

export interface ExactSearchRequest {
  metric: MetricType;
  /** A vector column: floatVector | float16Vector | bfloat16Vector | int8Vector | binaryVector | sparseVector. */
  column: Column;
  /** Rows of `column` to search (a growing segment's column may have spare capacity). */
  numRows: number;
  /** Same kind (and dim) as `column`, nq rows. */
  queries: Column;
  topK: number;
  /** One byte per row, non-zero = the row may be returned. Null-vector rows are never returned. */
  filter?: Bitset | null;
  /** L2/HAMMING/JACCARD keep rangeFilter <= d < radius; IP/COSINE keep radius < d <= rangeFilter. */
  range?: RangeParams | null;
}

export function searchExact(req: ExactSearchRequest): ExactSearchResult {
  return searchExactAmong(req, null);
}

/**
 * `searchExact` when the caller already listed the rows the request may return (`listed`: ascending,
 * exactly the rows passing req.filter and the column's validity, e.g. from `allowedRows`), so they
 * are not derived again. Same answer as `searchExact(req)`.
 */
export function searchExactAmong(req: ExactSearchRequest, listed: Int32Array | null): ExactSearchResult {
  const p = prepare(req);
  const heaps = new TopKHeaps(p.nq, req.topK);
  scan(p.column, p.queries, req.metric, req.numRows, {
    heaps, filter: p.filter, valid: p.column.valid, window: p.window, negate: !smallerIsBetter(req.metric),
  }, listed);
  return drainResults(heaps, req.metric);
}

/**
 * A filter that lets through at most 1 / SELECTIVE_DIVISOR of the rows is answered by computing the
 * allowed rows' distances only; a wider one by a full scan that skips masked rows.
 */
export const SELECTIVE_DIVISOR = 32;

/**
 * Several exact searches (typically one per segment) at once on a WasmPool's worker threads; each
 * answer is identical to `searchExact(req)`. Validation errors are thrown before any work starts.
 * Resident columns are read in their own wasm memory, others copied once into the pool's arena.
 * Sparse columns, small columns and a null pool run synchronously on this thread.
 */
export async function searchExactParallel(pool: WasmPool | null, reqs: readonly ExactSearchRequest[]): Promise<ExactSearchResult[]> {
  const prepared = reqs.map(prepare);
  const out: (ExactSearchResult | null)[] = new Array<ExactSearchResult | null>(reqs.length).fill(null);
  const jobs: PoolJob[] = [];
  const jobOf: number[] = [];
  try {
    for (let i = 0; i < reqs.length; i++) {
      const req = reqs[i]!, p = prepared[i]!;
      const column = p.column, queries = p.queries;
      if (pool === null || column.kind === 'sparseVector' || queries.kind === 'sparseVector' || p.nq === 0
        || column.data.byteLength < CACHE_MIN_BYTES) {
        out[i] = searchExact(req);
        continue;
      }
      // A resident column is read in its own memory; others are copied once into the pool's arena.
      const store = storeOrNull(pool, column, req.numRows);
      if (store === null) {
        out[i] = searchExact(req);
        continue;
      }
      jobs.push({
        store, numRows: req.numRows, metric: req.metric, queries: store.query(queries.data), topK: req.topK,
        mask: andMask(p.filter, column.valid, req.numRows), window: p.window,
      });
      jobOf.push(i);
    }
    const results = pool === null || jobs.length === 0 ? [] : await pool.searchParallel(jobs);
    for (let j = 0; j < results.length; j++) out[jobOf[j]!] = results[j]!;
  } finally {
    for (const j of jobs) j.queries.free();
  }
  return out.map((r) => {
    assert(r !== null, 'every request answered');
    return r;
  });
}

/** Code of `errors.insufficientMemoryToLoad`, which the arena throws when it cannot grow. */
const ARENA_FULL_CODE = 3;

/** The store to search, or null when the arena cannot hold a copy (searchExact then falls back to JS). */
function storeOrNull(pool: WasmPool, column: WasmColumn, numRows: number): VectorStore | null {
  try {
    return storeToSearch(pool.arena, column, numRows);
  } catch (e) {
    if (e instanceof MilvusError && e.code === ARENA_FULL_CODE) return null;
    throw e;
  }
}

function andMask(filter: Bitset | null, valid: Uint8Array | null, numRows: number): Uint8Array | null {
  if (valid === null) return filter;
  if (filter === null) return valid;
  const m = new Uint8Array(numRows);
  for (let i = 0; i < numRows; i++) m[i] = filter[i] !== 0 && valid[i] !== 0 ? 1 : 0;
  return m;
}

interface Prepared {
  column: VectorColumn;
  queries: VectorColumn;
  nq: number;
  filter: Bitset | null;
  window: ScanWindow | null;
}

/** Validate a request (throwing 1100 for bad input) and derive what every scan needs. */
function prepare(req: ExactSearchRequest): Prepared {
  const { column, queries, metric, topK, numRows } = req;
  if (!isVectorColumn(column)) {
    throw errors.invalidParameter('search field is not a vector field', { actual: column.kind });
  }
  if (!isVectorColumn(queries) || queries.kind !== column.kind) {
    throw errors.invalidParameter('vector type not match', { expected: column.kind, actual: queries.kind });
  }
  checkMetricForKind(column.kind, metric);
  checkTopK(topK);
  const nq = queryCount(column, queries);
  assert(Number.isInteger(numRows) && numRows >= 0 && numRows <= columnLength(column), 'numRows within column');
  const filter = req.filter ?? null;
  assert(filter === null || filter.length >= numRows, 'filter covers numRows');
  return { column, queries, nq, filter, window: rangeWindow(metric, req.range ?? null) };
}

function scan(
  column: VectorColumn, queries: VectorColumn, metric: MetricType, numRows: number,
  ctx: ScanContext, listed: Int32Array | null,
): void {
  if (column.kind === 'floatVector' && queries.kind === 'floatVector' && ctx.window === null && ctx.filter !== null) {
    // A selective filter: compute distances for the allowed rows only, not a masked pass over all.
    const ids = listed ?? allowedRows(ctx.filter, ctx.valid, numRows, Math.floor(numRows / SELECTIVE_DIVISOR));
    if (ids !== null) {
      if (!gatherRows(column, queries, metric, numRows, ids, ctx)) scanDenseRows(column.data, column.dim, queries.data, metric, ids, ctx);
      return;
    }
  }
  if (column.kind !== 'sparseVector' && queries.kind !== 'sparseVector') {
    // The wasm kernels give bit-identical scores; the JS scans below are the reference and fallback.
    if (wasmScanExact(column, queries, metric, numRows, ctx)) return;
  }
  switch (column.kind) {
    case 'binaryVector':
      assert(queries.kind === 'binaryVector', 'query kind checked');
      scanBinary(column, queries.data, metric, numRows, ctx);
      return;
    case 'sparseVector':
      assert(queries.kind === 'sparseVector', 'query kind checked');
      scanSparse(column.data, queries.data, numRows, ctx);
      return;
    default:
      scanDense(column as DenseColumn, denseQueriesToF32(queries as DenseColumn), metric, numRows, ctx);
  }
}

/**
 * The wasm `gather` kernel over the allowed rows of a column that has (or is worth) a wasm copy;
 * false when wasm is not available, so the caller computes them in JS. Scores are bit-identical.
 */
function gatherRows(
  column: Extract<VectorColumn, { kind: 'floatVector' }>, queries: Extract<VectorColumn, { kind: 'floatVector' }>,
  metric: MetricType, numRows: number, ids: Int32Array, ctx: ScanContext,
): boolean {
  const arena = defaultArena();
  if (arena === null || column.data.byteLength < CACHE_MIN_BYTES || ids.length === 0) return false;
  let store: VectorStore;
  try {
    store = storeToSearch(arena, column, numRows);
  } catch (e) {
    if (e instanceof MilvusError && e.code === ARENA_FULL_CODE) return false;
    throw e;
  }
  const block = store.query(queries.data);
  try {
    store.offerListed(metric, block, ids, ctx);
  } finally {
    block.free();
  }
  return true;
}


function queryCount(column: VectorColumn, queries: VectorColumn): number {
  let nq: number;
  if (queries.kind === 'sparseVector') {
    nq = queries.data.length;
  } else {
    const colDim = column.kind === 'sparseVector' ? 0 : column.dim;
    if (queries.kind === 'binaryVector' && (colDim % 8 !== 0 || colDim <= 0)) {
      throw errors.invalidParameter('binary vector dim must be a positive multiple of 8', { actual: colDim });
    }
    if (queries.dim !== colDim) throw errors.invalidParameter('vector dimension mismatch', { expected: colDim, actual: queries.dim });
    nq = columnLength(queries);
    if (!Number.isInteger(nq)) {
      throw errors.invalidParameter('query vectors are not a whole number of rows', { dim: queries.dim, actual: queries.data.length });
    }
  }
  if (nq > limits.maxNq) throw errors.invalidParameter('nq is too large', { expected: `[1, ${limits.maxNq}]`, actual: nq });
  return nq;
}


/** Best-first hits of every query in `heaps`, in the `ExactSearchResult` layout. */
export function drainResults(heaps: TopKHeaps, metric: MetricType): ExactSearchResult {
  const { nq, k } = heaps;
  const negate = !smallerIsBetter(metric);
  const rows = new Int32Array(nq * k).fill(-1);
  const scores = new Float32Array(nq * k).fill(negate ? -Infinity : Infinity);
  const counts = new Int32Array(nq);
  for (let q = 0; q < nq; q++) counts[q] = heaps.drainSorted(q, rows, scores, q * k, negate);
  return { nq, topK: k, rows, scores, counts };
}
