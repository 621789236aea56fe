/**
 * Graph traversal with preallocated state: a visited array stamped with an epoch (no clearing per
 * search), a candidate min-heap, a result max-heap and a scratch batch of neighbour ids / distances.
 * One `GraphSearcher` per (graph, space); it is reused by every search and insertion, so the hot
 * loops allocate nothing. When the space offers a native layer-0 search for the graph (WasmSpace
 * with the links in its wasm memory), layer 0 is walked there with the same algorithm and results.
 */
import type { MemoryTally } from '../../memory.js';
import type { HnswGraph } from './graph.js';
import { MaxHeap, MinHeap } from './heaps.js';
import type { Layer0Searcher, VectorSpace } from './space.js';
import { assert } from '../../../core/assert.js';

export class GraphSearcher {
  readonly graph: HnswGraph;
  readonly space: VectorSpace;
  /** Results of the last JS `searchLayer` (worst on top); read them with `resultCount` / `drainResults`. */
  private readonly results: MaxHeap;
  /** Hits of the last native search (-1: the last search ran in JS, see `results`). */
  private nativeCount = -1;
  /** The filter loaded into the native search (`useFilter`). */
  private nativeFilter: Uint8Array | null = null;
  private readonly candidates: MinHeap;
  private readonly visited: Uint32Array;
  private epoch = 0;
  private readonly batchIds: Int32Array;
  private readonly batchDists: Float32Array;
  /** The space's native layer-0 search, when it has one for this graph. */
  private readonly native: Layer0Searcher | null;
  /** Badness of the entry point returned by the last `greedy`. */
  greedyKey = 0;
  /** Nodes whose neighbour lists were expanded by the last `searchLayer` (for the planner's statistics). */
  expanded = 0;

  /** Graph, space and the search state (heaps, visited marks, batch buffers). */
  countMemory(t: MemoryTally): void {
    this.graph.countMemory(t);
    this.space.countMemory(t);
    t.array(this.results.keys).array(this.results.ids).array(this.candidates.keys).array(this.candidates.ids);
    t.array(this.visited).array(this.batchIds).array(this.batchDists).array(this.nativeFilter);
  }

  constructor(graph: HnswGraph, space: VectorSpace) {
    this.graph = graph;
    this.space = space;
    this.results = new MaxHeap(256);
    this.candidates = new MinHeap(256);
    this.visited = new Uint32Array(graph.numRows);
    const buffers = space.batchBuffers?.(graph.maxM0);
    this.batchIds = buffers?.ids ?? new Int32Array(graph.maxM0);
    this.batchDists = buffers?.out ?? new Float32Array(graph.maxM0);
    this.native = space.layer0Searcher?.(graph) ?? null;
  }

  /**
   * Let the native search apply `filter` (copied now; it must not change until the next call):
   * `searchLayer` calls with this very array then walk natively. Null releases it.
   */
  useFilter(filter: Uint8Array | null): void {
    if (this.native === null) return;
    this.native.loadFilter(filter);
    this.nativeFilter = filter;
  }

  /** Number of hits of the last `searchLayer`. */
  get resultCount(): number {
    return this.nativeCount >= 0 ? this.nativeCount : this.results.size;
  }

  /** Move the last `searchLayer`'s hits best-first into keys / ids (room for `resultCount`); returns the count. */
  drainResults(keys: Float64Array, ids: Int32Array): number {
    const n = this.nativeCount;
    if (n < 0) return this.results.drainAscending(keys, ids);
    this.native!.copyResults(keys, ids);
    this.nativeCount = 0;
    return n;
  }

  private nextEpoch(): number {
    if (this.epoch === 0xffffffff) {
      this.visited.fill(0);
      this.epoch = 0;
    }
    return ++this.epoch;
  }

  /**
   * Greedy descent on `level` from `ep` (badness `epKey`) for the current query: move to the closest
   * neighbour while it improves. Returns the final node; its badness is left in `greedyKey`.
   */
  greedy(level: number, ep: number, epKey: number): number {
    const g = this.graph, space = this.space;
    const links = g.listArray(level);
    const ids = this.batchIds, dists = this.batchDists;
    let cur = ep, curKey = epKey;
    for (let changed = true; changed;) {
      changed = false;
      const off = g.listOffset(level, cur);
      const count = links[off]!;
      for (let i = 0; i < count; i++) ids[i] = links[off + 1 + i]!;
      space.distances(ids, 0, count, dists);
      for (let i = 0; i < count; i++) {
        const d = dists[i]!;
        if (d < curKey) {
          curKey = d;
          cur = ids[i]!;
          changed = true;
        }
      }
    }
    this.greedyKey = curKey;
    return cur;
  }

  /** True when `searchWhole` runs the whole query natively (links of every layer in wasm memory). */
  get canSearchWhole(): boolean {
    return this.native !== null && this.native.whole;
  }

  /**
   * Descent from the entry point and layer-0 search with `ef` for the space's current query, in one
   * native call (same results as `greedy` per layer then `searchLayer(0, ...)`); read the hits with
   * `resultCount` / `drainResults`. Needs `canSearchWhole`, and `useFilter(filter)` for a filter.
   */
  searchWhole(ef: number, filter: Uint8Array | null): void {
    assert(filter === null || filter === this.nativeFilter, 'the filter is loaded');
    this.nativeCount = this.native!.searchGraph(ef, filter !== null);
    this.expanded = this.native!.expanded;
  }

  /**
   * Best-first search of `level` from `ep` keeping up to `ef` results. With a `filter`, every node is
   * traversed but only rows with `filter[row] !== 0` enter the results (the search continues until
   * `ef` allowed rows are held and no candidate can improve them).
   */
  searchLayer(level: number, ep: number, epKey: number, ef: number, filter: Uint8Array | null): void {
    if (level === 0 && this.native !== null && (filter === null || filter === this.nativeFilter)) {
      this.nativeCount = this.native.search(ep, epKey, ef, filter !== null);
      this.expanded = this.native.expanded;
      return;
    }
    this.nativeCount = -1;
    const g = this.graph, space = this.space;
    const links = level === 0 ? g.layer0 : g.upper;
    const stride0 = g.stride0;
    const visited = this.visited;
    const epoch = this.nextEpoch();
    const cand = this.candidates, res = this.results;
    const ids = this.batchIds, dists = this.batchDists;
    cand.clear();
    res.clear();
    visited[ep] = epoch;
    cand.push(epKey, ep);
    if (filter === null || filter[ep] !== 0) res.push(epKey, ep);
    let lower = res.size > 0 ? res.topKey() : Infinity;
    let expanded = 0;
    while (cand.size > 0) {
      const ck = cand.topKey();
      if (ck > lower && res.size >= ef) break;
      const c = cand.topId();
      cand.pop();
      expanded++;
      const off = level === 0 ? c * stride0 : g.listOffset(level, c);
      const count = links[off]!;
      let n = 0;
      for (let i = 1; i <= count; i++) {
        const nb = links[off + i]!;
        if (visited[nb] === epoch) continue;
        visited[nb] = epoch;
        ids[n++] = nb;
      }
      if (n === 0) continue;
      space.distances(ids, 0, n, dists);
      for (let i = 0; i < n; i++) {
        const d = dists[i]!;
        if (res.size < ef || d < lower) {
          const nb = ids[i]!;
          cand.push(d, nb);
          if (filter === null || filter[nb] !== 0) {
            res.push(d, nb);
            if (res.size > ef) res.pop();
            lower = res.topKey();
          }
        }
      }
    }
    this.expanded = expanded;
  }
}
