/**
 * A built HNSW / HNSW_SQ index over one dense column, and its search planner:
 * 1. Count the rows a request may return (filter AND not NULL). When that fraction is below the
 *    descriptor's `exactSelectivity`, or an exact scan of the allowed rows is estimated cheaper than
 *    the graph walk, answer with `searchExact` over the allowed rows.
 * 2. Otherwise walk the graph with ef = max(ef, topK) (x refine_k for HNSW_SQ with refine), the
 *    filter applied inside the traversal (filtered-out nodes are traversed, never collected).
 * 3. Any query the graph under-fills (fewer than min(topK, allowed) hits, or a range search whose
 *    window may extend past what the walk saw) is answered again exactly, so results always fill.
 * HNSW_SQ range searches re-rank the walk's candidates exactly before applying the window, so the
 * window's hard bounds are checked on exact scores.
 */
import type { MemoryTally } from '../../memory.js';
import type { MetricType } from '../../../core/enums.js';
import { smallerIsBetter } from '../../../core/enums.js';
import type { Bitset } from '../../../schema/column.js';
import type { IndexSearchRequest, VectorIndex } from '../../descriptor.js';
import type { ExactSearchResult } from '../../flat.js';
import { exactSearch, exactSearchInto } from '../exact-route.js';
import { allowedRows } from '../../allowed.js';
import { WasmSpace } from './wasm-space.js';
import { sortByKeyThenId, type HnswTask } from '../../wasm/hnsw-task.js';
import { gatherTaskOutputs, type WasmPool } from '../../wasm/pool.js';
import { ArenaScratch } from '../../wasm/arena.js';
import { denseQueriesToF32, type DenseColumn } from '../../scan-dense.js';
import { encodeHnsw } from './codec.js';
import { ExactRowScorer } from './exact.js';
import type { HnswGraph } from './graph.js';
import { GraphSearcher } from './searcher.js';
import { metricCode, type DenseMetric, type VectorSpace } from './space.js';
import type { Quantiser } from './sq.js';
import { checkQueries, countAllowed, keyWindow, resolveEf, resolveRefineK, type KeyWindow } from './request.js';
import { MaxHeap } from './heaps.js';
import { WalkBatcher, type WalkBatch } from './walk-batch.js';

export interface HnswIndexParts {
  indexType: string;
  metric: DenseMetric;
  column: DenseColumn;
  numRows: number;
  graph: HnswGraph;
  /** The space the graph is searched in (float32 rows, or quantised codes for HNSW_SQ). */
  space: VectorSpace;
  efConstruction: number;
  quantiser: Quantiser | null;
  /** HNSW_SQ: re-rank graph candidates with exact distances over the raw column. */
  refine: boolean;
  exactSelectivity: number;
}

/** Pool walks of at most this many queries a task are short (pool.ts RunOptions): they share messages. */
const SHORT_WALK_QUERIES = 4;
/**
 * The planner's cost model, in units of one graph-walk distance computation (M=16; 100k x 128
 * clustered rows and Fashion-MNIST's 60k x 784; allowed fraction 0.5 .. 0.01, ef 16 .. 256): a
 * filtered walk expands about ef / fraction nodes (+ a constant for the descent), each costing about
 * M / 4 distances (most neighbours are already visited); an exact scan costs exactRowCost(dim) per
 * allowed row (the listed rows are pruned with the float32 kernel, `offerListed`; measured 0.35 at
 * 128-d, 0.52 at 784-d, where the walk's fixed per-node work weighs less) plus SCAN_BYTE_COST per row
 * for listing the filter. Crossover at ef=64: fraction ~0.08 (100k x 128), ~0.09 (60k x 784).
 */
const WALK_EXTRA_EXPANSIONS = 16;
const EXPANSION_COST_PER_M = 0.25;
const SCAN_BYTE_COST = 0.001;

function exactRowCost(dim: number): number {
  return 0.3 + 0.00028 * Math.min(dim, 4096);
}

/** Pointers (in the space's wasm memory) to one pool walk's scratch, as HnswTask names them, and the result heaps' capacity. */
type PoolLane = Pick<HnswTask, 'visited' | 'epochAt' | 'candKeys' | 'candIds' | 'resKeys' | 'resIds' | 'scratch'> & { resCap: number };

export class HnswIndex implements VectorIndex {
  readonly indexType: string;
  readonly metric: MetricType;
  readonly numRows: number;
  private readonly p: HnswIndexParts;
  private readonly searcher: GraphSearcher;
  /** Exact distances over the raw column: for `refine`, and for range windows over quantised codes. */
  private readonly scorer: ExactRowScorer | null;
  private readonly presentRows: number;
  /** Scratch: graph results best-first, and the refine heap. */
  private keys = new Float64Array(256);
  private ids = new Int32Array(256);
  private readonly refineHeap = new MaxHeap(64);
  /** Scratch of pool walks kept between them (`takeLane`), at most the pool's threads; in the space's memory, freed with it. */
  private readonly poolLanes: PoolLane[] = [];
  /** Unfiltered walks on the pool, batched while every lane is busy (walk-batch.ts). */
  private batches: { pool: WasmPool; batcher: WalkBatcher } | null = null;
  /** Queries answered by the graph walk, and by an exact scan (planned, or as an under-fill fallback). */
  readonly stats = { graphQueries: 0, exactQueries: 0, fallbackQueries: 0 };

  constructor(parts: HnswIndexParts) {
    this.p = parts;
    this.indexType = parts.indexType;
    this.metric = parts.metric;
    this.numRows = parts.numRows;
    this.searcher = new GraphSearcher(parts.graph, parts.space);
    this.scorer = parts.quantiser !== null ? new ExactRowScorer(parts.column, parts.metric) : null;
    this.presentRows = countAllowed(null, parts.column.valid, parts.numRows);
  }

  /** Graph, the space it is searched in (rows or SQ codes, whole wasm memory), search scratch. */
  countMemory(t: MemoryTally): void {
    this.searcher.countMemory(t);
    this.scorer?.countMemory(t);
    this.p.quantiser?.countMemory(t);
    t.array(this.keys).array(this.ids).array(this.refineHeap.keys).array(this.refineHeap.ids);
  }

  serialize(): Uint8Array {
    const p = this.p;
    return encodeHnsw({
      graph: p.graph, dim: p.column.dim, efConstruction: p.efConstruction, metricCode: metricCode(p.metric),
      quantiser: p.quantiser === null ? new Uint8Array(0) : p.quantiser.encode(),
    });
  }

  search(req: IndexSearchRequest): ExactSearchResult {
    const { column, graph } = this.p;
    const topK = req.topK;
    const nq = checkQueries(column, req.queries, topK);
    const window = keyWindow(this.metric, req.range ?? null);
    const ef = resolveEf(req.params, topK);
    const refineK = this.p.refine ? resolveRefineK(req.params) : 1;
    const efEff = Math.max(ef, Math.ceil(topK * refineK));
    const filter = req.filter ?? null;
    // With a filter, the allowed rows are listed only while an exact scan of them is the better plan
    // (at most `exactCap` of them); a longer list stops early and the graph is walked.
    let listed: Int32Array | null = null;
    if (filter !== null) listed = allowedRows(filter, column.valid, this.numRows, this.exactCap(efEff, topK));
    if (graph.entryPoint < 0 || listed !== null || (filter === null && this.planExact(this.presentRows, efEff))) {
      this.stats.exactQueries += nq;
      return this.exact(req, null, listed);
    }
    // Here more than exactCap >= topK rows are allowed, so every query must fill topK.
    const allowed = filter === null ? this.presentRows : Infinity;
    this.stats.graphQueries += nq;
    const queries = denseQueriesToF32(req.queries as DenseColumn);
    const negate = !smallerIsBetter(this.metric);
    const out: ExactSearchResult = {
      nq, topK, rows: new Int32Array(nq * topK).fill(-1),
      scores: new Float32Array(nq * topK).fill(negate ? -Infinity : Infinity), counts: new Int32Array(nq),
    };
    const redo: number[] = [];
    const want = Math.min(topK, allowed);
    if (filter !== null) this.searcher.useFilter(filter);
    try {
      for (let q = 0; q < nq; q++) {
        const complete = this.searchOne(queries, q, topK, efEff, refineK, filter, window, out);
        if (window === null ? out.counts[q]! < want : !complete) redo.push(q);
      }
    } finally {
      if (filter !== null) this.searcher.useFilter(null);
    }
    this.stats.fallbackQueries += redo.length;
    for (const q of redo) this.exactInto(req, q, out);
    return out;
  }

  /**
   * `search` on a WasmPool's worker threads: the queries are split into one task per thread (at most
   * one per query), each walking the graph in the shared wasm memory with scratch of its own, so
   * several segments and batched queries use every core. Hits and scores are identical to `search`.
   * HNSW_SQ's code spaces walk there too (each task reads its query's table); with `refine` the
   * tasks return refine_k * topK candidates and this thread re-ranks them, as `search` does.
   * Null when the request is better (or only) answered on this thread: an exact plan, a range
   * search, or no native graph.
   */
  searchOnPool(pool: WasmPool, req: IndexSearchRequest): Promise<ExactSearchResult> | null {
    const { column, graph, space } = this.p;
    const topK = req.topK;
    const nq = checkQueries(column, req.queries, topK);
    if (!(space instanceof WasmSpace) || !this.searcher.canSearchWhole || graph.entryPoint < 0) return null;
    if (keyWindow(this.metric, req.range ?? null) !== null || nq === 0) return null;
    // As in `search`: the walk keeps refine_k * topK candidates for the exact re-rank.
    const walkK = this.p.refine ? Math.ceil(topK * resolveRefineK(req.params)) : topK;
    const ef = Math.max(resolveEf(req.params, topK), walkK);
    const filter = req.filter ?? null;
    if (filter !== null) {
      // An exact plan is answered here, with the rows just listed (`search` would list them again).
      const listed = allowedRows(filter, column.valid, this.numRows, this.exactCap(ef, topK));
      if (listed !== null) {
        this.stats.exactQueries += nq;
        return Promise.resolve(this.exact(req, null, listed));
      }
    } else if (this.planExact(this.presentRows, ef)) {
      return null;
    }
    this.stats.graphQueries += nq;
    if (filter === null && nq === 1 && req.queries.kind === 'floatVector') {
      // A lone unfiltered float query waits for a free lane and shares one task with the others waiting (walk-batch.ts).
      space.pin();
      return this.batcherFor(pool, space).submit(req.queries.data, nq, ef, walkK)
        .then((out) => this.refill(req, this.refined(req, out), null))
        .finally(() => space.unpin());
    }
    return this.walkOnPool(pool, space, req.queries as DenseColumn, nq, ef, walkK, filter, Math.min(pool.threads, nq))
      .then((out) => this.refill(req, this.refined(req, out), filter));
  }

  /**
   * With `refine`, the pool's candidates (out.topK a query, best-first by code distance) re-ranked
   * exactly into req.topK a query, by the same `refine` as `search`; else `out` itself.
   */
  private refined(req: IndexSearchRequest, out: ExactSearchResult): ExactSearchResult {
    if (!this.p.refine || this.scorer === null) return out;
    const topK = req.topK, nq = out.nq, space = this.p.space;
    const queries = denseQueriesToF32(req.queries as DenseColumn);
    const res: ExactSearchResult = {
      nq, topK, rows: new Int32Array(nq * topK).fill(-1),
      scores: new Float32Array(nq * topK).fill(smallerIsBetter(this.metric) ? Infinity : -Infinity), counts: new Int32Array(nq),
    };
    if (this.ids.length < out.topK) {
      this.keys = new Float64Array(out.topK * 2);
      this.ids = new Int32Array(out.topK * 2);
    }
    for (let q = 0; q < nq; q++) {
      const from = q * out.topK, walked = out.counts[q]!;
      for (let i = 0; i < walked; i++) this.ids[i] = out.rows[from + i]!;
      const n = Math.min(this.refine(queries, q, walked), topK);
      for (let i = 0; i < n; i++) {
        res.rows[q * topK + i] = this.ids[i]!;
        res.scores[q * topK + i] = space.score(this.keys[i]!);
      }
      res.counts[q] = n;
    }
    return res;
  }

  /** The batcher of this index's walks on `pool` (a new one when the engine's pool was replaced). */
  private batcherFor(pool: WasmPool, space: WasmSpace): WalkBatcher {
    if (this.batches === null || this.batches.pool !== pool) {
      const run = (b: WalkBatch): Promise<ExactSearchResult> =>
        this.walkOnPool(pool, space, { kind: 'floatVector', dim: this.p.column.dim, data: b.queries, valid: null }, b.nq, b.ef, b.topK, null, 1);
      this.batches = { pool, batcher: new WalkBatcher(run, () => Math.max(1, pool.threads - 1)) };
    }
    return this.batches.batcher;
  }

  /** Walks sent to the pool and the queries they carried (see walk-batch.ts); zeros before any. */
  get walkBatchStats(): { tasks: number; queries: number } {
    return this.batches === null ? { tasks: 0, queries: 0 } : { ...this.batches.batcher.stats };
  }

  /** As in `search`: a query the walk under-filled is answered again exactly. */
  private refill(req: IndexSearchRequest, out: ExactSearchResult, filter: Bitset | null): ExactSearchResult {
    const want = filter === null ? Math.min(req.topK, this.presentRows) : req.topK;
    for (let i = 0; i < out.nq; i++) {
      if (out.counts[i]! >= want) continue;
      this.stats.fallbackQueries++;
      this.exactInto(req, i, out);
    }
    return out;
  }

  /** Walk nq queries on the pool in `parts` tasks (one per thread at most); no under-fill check. */
  private async walkOnPool(
    pool: WasmPool, space: WasmSpace, queries: DenseColumn, nq: number, ef: number, topK: number, filter: Bitset | null, parts: number,
  ): Promise<ExactSearchResult> {
    const { column, graph, numRows } = this.p;
    const arena = space.memoryArena;
    const scratch = new ArenaScratch(arena);
    space.pin();
    const qs = space.taskQueries(column.kind, queries.data, nq);
    const lanes: PoolLane[] = [];
    let failed = false;
    try {
      let mask = 0;
      if (filter !== null) {
        mask = scratch.take(numRows);
        arena.u8.set(filter.subarray(0, numRows), mask);
      }
      const qRowBytes = nq > 1 ? qs.at(1) - qs.at(0) : 0;
      const tasks: HnswTask[] = [];
      for (let part = 0; part < parts; part++) {
        const q0 = Math.floor((nq * part) / parts), q1 = Math.floor((nq * (part + 1)) / parts), n = q1 - q0;
        const lane = this.takeLane(space, ef);
        lanes.push(lane);
        tasks.push({
          type: 'hnsw', ...space.taskRows(), numRows,
          links: graph.layer0.byteOffset, stride0: graph.stride0, upper: graph.upper.byteOffset, upperBase: graph.upperBase.byteOffset,
          strideU: graph.strideU, entry: graph.entryPoint, maxLevel: graph.maxLevel, ef, topK,
          queries: qs.at(q0), qRowBytes, qNorms: qs.normsPtr + q0 * 8, nq: n, mask,
          visited: lane.visited, epochAt: lane.epochAt, candKeys: lane.candKeys, candIds: lane.candIds,
          resKeys: lane.resKeys, resIds: lane.resIds, scratch: lane.scratch, rescored: scratch.take(topK * 4),
          outRows: scratch.take(n * topK * 4), outScores: scratch.take(n * topK * 4), outCounts: scratch.take(n * 4),
        });
      }
      try {
        // A walk of a few queries costs about a message to a worker and back: such walks share messages.
        await pool.runTasks(tasks, arena.memory, { short: Math.ceil(nq / parts) <= SHORT_WALK_QUERIES });
      } catch (e) {
        failed = true; // a task that died mid-walk left stamps its epoch does not account for
        throw e;
      }
      return gatherTaskOutputs(arena, tasks, nq, topK, !smallerIsBetter(this.metric));
    } finally {
      for (const lane of lanes) this.giveLane(space, lane, failed ? 0 : pool.threads);
      qs.free();
      scratch.releaseAll();
      space.unpin();
    }
  }

  /**
   * Scratch for one pool walk: a lane kept from an earlier walk, or a new one. Lanes keep their
   * visited stamps and the last stamp used (in shared memory, the task advances it), so a walk zeroes
   * nothing: zeroing numRows bytes per walk cost the calling thread about 100 us at 1M rows.
   */
  private takeLane(space: WasmSpace, ef: number): PoolLane {
    let lane = this.poolLanes.pop();
    if (lane === undefined) {
      const numRows = this.p.numRows;
      const stamps = (numRows + 3) & ~3;
      const visited = space.alloc(stamps + 4), epochAt = visited + stamps;
      space.zero(visited, stamps + 4);
      lane = {
        visited, epochAt, candKeys: space.alloc(numRows * 4 + 4), candIds: space.alloc(numRows * 4 + 4),
        resKeys: 0, resIds: 0, resCap: 0, scratch: space.alloc(16 + 8 * this.p.graph.stride0),
      };
    }
    space.growResults(lane, ef);
    return lane;
  }

  /** Keep `lane` for the next walk while fewer than `keep` are kept, else free it. */
  private giveLane(space: WasmSpace, lane: PoolLane, keep: number): void {
    if (this.poolLanes.length < keep) {
      this.poolLanes.push(lane);
      return;
    }
    for (const ptr of [lane.visited, lane.candKeys, lane.candIds, lane.resKeys, lane.resIds, lane.scratch]) if (ptr !== 0) space.free(ptr);
  }

  /**
   * The largest number of allowed rows for which `planExact` picks the exact scan (at least topK:
   * fewer than topK allowed rows are always scanned, so a walk never has to prove it found them all).
   */
  private exactCap(ef: number, topK: number): number {
    let lo = 0, hi = this.presentRows;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (this.planExact(mid, ef)) lo = mid;
      else hi = mid - 1;
    }
    return Math.max(lo, topK);
  }

  /** True when an exact scan of the allowed rows is the better plan. */
  private planExact(allowed: number, ef: number): boolean {
    const fraction = allowed / Math.max(1, this.presentRows);
    if (fraction < this.p.exactSelectivity) return true;
    const walk = (ef / fraction + WALK_EXTRA_EXPANSIONS) * this.p.graph.M * EXPANSION_COST_PER_M;
    return allowed * exactRowCost(this.p.column.dim) + this.numRows * SCAN_BYTE_COST <= walk;
  }

  /**
   * Graph search for query q into `out`. Returns false when a range search may have missed
   * in-window rows (fewer than topK found and the walk's worst result still inside the window).
   */
  private searchOne(
    queries: Float32Array, q: number, topK: number, ef: number, refineK: number, filter: Bitset | null,
    window: KeyWindow | null, out: ExactSearchResult,
  ): boolean {
    const { graph, space, column } = this.p;
    const s = this.searcher;
    space.setQuery(queries, q * column.dim);
    if (s.canSearchWhole) {
      s.searchWhole(ef, filter);
    } else {
      let ep = graph.entryPoint;
      let epKey = space.distance(ep);
      for (let l = graph.maxLevel; l > 0; l--) {
        ep = s.greedy(l, ep, epKey);
        epKey = s.greedyKey;
      }
      s.searchLayer(0, ep, epKey, ef, filter);
    }
    if (s.resultCount > this.keys.length) {
      this.keys = new Float64Array(s.resultCount * 2);
      this.ids = new Int32Array(s.resultCount * 2);
    }
    const walked = s.drainResults(this.keys, this.ids);
    // Traversal keys may be approximate (WasmSpace's float32 kernels): the reported ones are exact.
    if (space.rescore !== undefined) this.rescore(space, window === null ? Math.min(walked, topK) : walked);
    const worst = walked > 0 ? this.keys[walked - 1]! : Infinity;
    // Quantised spaces re-rank exactly with `refine`, and always under a range window (its bounds are hard).
    let n = walked;
    if (this.scorer !== null && this.p.refine) n = this.refine(queries, q, Math.min(walked, Math.ceil(topK * refineK)));
    else if (this.scorer !== null && window !== null) n = this.refine(queries, q, walked);
    const keys = this.keys, ids = this.ids, base = q * topK;
    let count = 0;
    for (let i = 0; i < n && count < topK; i++) {
      const key = keys[i]!;
      if (window !== null && (key < window.lo || key >= window.hi)) continue;
      out.rows[base + count] = ids[i]!;
      out.scores[base + count] = space.score(key);
      count++;
    }
    out.counts[q] = count;
    if (window === null || count >= topK) return true;
    // Complete when the walk saw all it could reach (walked < ef) or its worst result is past the window.
    return walked < ef || !(worst < window.hi);
  }

  /** Exact keys for the best n graph candidates, re-sorted best-first (ascending key, then id). */
  private rescore(space: VectorSpace, n: number): void {
    const keys = this.keys, ids = this.ids;
    space.rescore!(ids, keys, n);
    sortByKeyThenId(keys, ids, n);
  }

  /** Re-rank the best n graph candidates with exact distances over the raw column (in place); returns n. */
  private refine(queries: Float32Array, q: number, n: number): number {
    const scorer = this.scorer!;
    scorer.setQuery(queries, q * this.p.column.dim);
    const heap = this.refineHeap;
    heap.clear();
    for (let i = 0; i < n; i++) {
      const row = this.ids[i]!;
      heap.push(scorer.key(row), row);
    }
    return heap.drainAscending(this.keys, this.ids);
  }

  private exact(req: IndexSearchRequest, q: number | null, listed: Int32Array | null = null): ExactSearchResult {
    return exactSearch({ column: this.p.column, numRows: this.p.numRows, metric: this.metric }, req, q, listed);
  }

  private exactInto(req: IndexSearchRequest, q: number, out: ExactSearchResult): void {
    exactSearchInto({ column: this.p.column, numRows: this.p.numRows, metric: this.metric }, req, q, out);
  }
}
