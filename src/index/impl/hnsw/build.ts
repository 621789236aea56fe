/**
 * HNSW construction (Malkov & Yashunin; hnswlib's insertion and neighbour-selection heuristic).
 * Rows are inserted in id order with seeded levels, so a build is a pure function of the data and
 * the parameters. Rows with `present[row] === 0` (NULL vectors) are left out of the graph.
 */
import { assignLevels, HnswGraph } from './graph.js';
import { MinHeap } from './heaps.js';
import { GraphSearcher } from './searcher.js';
import type { VectorSpace } from './space.js';

export interface HnswBuildParams {
  M: number;
  efConstruction: number;
  /** Seed of the level generator (hnswlib's default is 100). */
  seed: number;
}

export const DEFAULT_SEED = 100;

/** Scratch shared by one build: sorted candidates and the selected neighbours. */
class BuildScratch {
  candIds: Int32Array;
  candKeys: Float64Array;
  readonly selIds: Int32Array;
  readonly selKeys: Float64Array;
  readonly sorter: MinHeap;
  /** Separate buffers for pruning a neighbour's list (the insertion's selection is still being read). */
  readonly pruneIds: Int32Array;
  readonly pruneKeys: Float64Array;
  readonly pruneSelIds: Int32Array;
  readonly pruneSelKeys: Float64Array;
  readonly pruneDists: Float32Array;

  constructor(efConstruction: number, maxM0: number, space: VectorSpace) {
    const cap = Math.max(efConstruction, maxM0 + 1);
    this.candIds = new Int32Array(cap);
    this.candKeys = new Float64Array(cap);
    this.selIds = new Int32Array(maxM0 + 1);
    this.selKeys = new Float64Array(maxM0 + 1);
    this.sorter = new MinHeap(maxM0 + 1);
    this.pruneIds = new Int32Array(maxM0 + 1);
    this.pruneKeys = new Float64Array(maxM0 + 1);
    this.pruneSelIds = new Int32Array(maxM0 + 1);
    this.pruneSelKeys = new Float64Array(maxM0 + 1);
    this.pruneDists = space.batchBuffers?.(maxM0 + 1).out ?? new Float32Array(maxM0 + 1);
  }

  ensure(n: number): void {
    if (n <= this.candIds.length) return;
    this.candIds = new Int32Array(n * 2);
    this.candKeys = new Float64Array(n * 2);
  }
}

export function buildGraph(space: VectorSpace, present: Uint8Array | null, p: HnswBuildParams): HnswGraph {
  const numRows = space.numRows;
  const storage = space.linkStorage === undefined ? undefined : (length: number) => space.linkStorage!(length);
  const graph = new HnswGraph(numRows, p.M, assignLevels(numRows, p.M, p.seed, present), storage);
  const searcher = new GraphSearcher(graph, space);
  const scratch = new BuildScratch(p.efConstruction, graph.maxM0, space);
  for (let row = 0; row < numRows; row++) {
    if (present !== null && present[row] === 0) continue;
    insert(graph, searcher, scratch, row, p.efConstruction);
  }
  return graph;
}

function insert(graph: HnswGraph, searcher: GraphSearcher, scratch: BuildScratch, row: number, efC: number): void {
  const space = searcher.space;
  const level = graph.levels[row]!;
  if (graph.entryPoint < 0) {
    graph.entryPoint = row;
    graph.maxLevel = level;
    return;
  }
  space.setQueryRow(row);
  let ep = graph.entryPoint;
  let epKey = space.distance(ep);
  for (let l = graph.maxLevel; l > level; l--) {
    ep = searcher.greedy(l, ep, epKey);
    epKey = searcher.greedyKey;
  }
  for (let l = Math.min(level, graph.maxLevel); l >= 0; l--) {
    searcher.searchLayer(l, ep, epKey, efC, null);
    scratch.ensure(searcher.resultCount);
    const n = searcher.drainResults(scratch.candKeys, scratch.candIds);
    ep = scratch.candIds[0]!;
    epKey = scratch.candKeys[0]!;
    const k = selectNeighbors(space, scratch.candIds, scratch.candKeys, n, graph.M, scratch.selIds, scratch.selKeys);
    const links = graph.listArray(l);
    const off = graph.listOffset(l, row);
    links[off] = k;
    for (let i = 0; i < k; i++) links[off + 1 + i] = scratch.selIds[i]!;
    for (let i = 0; i < k; i++) addLink(graph, space, scratch, scratch.selIds[i]!, row, scratch.selKeys[i]!, l);
  }
  if (level > graph.maxLevel) {
    graph.entryPoint = row;
    graph.maxLevel = level;
  }
}

/**
 * hnswlib's heuristic: walk candidates closest first and keep one unless an already kept neighbour
 * is closer to it than the base is (keeps links spread in different directions). Candidates must be
 * sorted ascending; with at most `m` candidates all are kept. Returns the number kept.
 */
function selectNeighbors(
  space: VectorSpace, candIds: Int32Array, candKeys: Float64Array, n: number, m: number,
  outIds: Int32Array, outKeys: Float64Array,
): number {
  if (n <= m) {
    for (let i = 0; i < n; i++) { outIds[i] = candIds[i]!; outKeys[i] = candKeys[i]!; }
    return n;
  }
  if (space.select !== undefined) return space.select(candIds, candKeys, n, m, outIds, outKeys);
  let k = 0;
  for (let i = 0; i < n && k < m; i++) {
    const e = candIds[i]!;
    const de = candKeys[i]!;
    let good = true;
    for (let j = 0; j < k; j++) {
      if (space.pairDistance(e, outIds[j]!) < de) { good = false; break; }
    }
    if (good) { outIds[k] = e; outKeys[k] = de; k++; }
  }
  return k;
}

/** Add `row` (at badness `key` from `target`) to `target`'s list at `level`, pruning when full. */
function addLink(graph: HnswGraph, space: VectorSpace, scratch: BuildScratch, target: number, row: number, key: number, level: number): void {
  const links = graph.listArray(level);
  const off = graph.listOffset(level, target);
  const count = links[off]!;
  const max = graph.maxLinks(level);
  if (count < max) {
    links[off + 1 + count] = row;
    links[off] = count + 1;
    return;
  }
  const sorter = scratch.sorter;
  sorter.clear();
  sorter.push(key, row);
  if (space.pairDistances !== undefined) {
    const d = scratch.pruneDists;
    space.pairDistances(target, links, off + 1, count, d);
    for (let i = 0; i < count; i++) sorter.push(d[i]!, links[off + 1 + i]!);
  } else {
    for (let i = 1; i <= count; i++) {
      const nb = links[off + i]!;
      sorter.push(space.pairDistance(target, nb), nb);
    }
  }
  const n = sorter.size;
  const ids = scratch.pruneIds, keys = scratch.pruneKeys;
  for (let i = 0; i < n; i++) {
    keys[i] = sorter.topKey();
    ids[i] = sorter.topId();
    sorter.pop();
  }
  const k = selectNeighbors(space, ids, keys, n, max, scratch.pruneSelIds, scratch.pruneSelKeys);
  links[off] = k;
  for (let i = 0; i < k; i++) links[off + 1 + i] = scratch.pruneSelIds[i]!;
}
