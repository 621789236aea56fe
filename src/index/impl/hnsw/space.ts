/**
 * The distance seam of the HNSW graph. The graph code only sees `VectorSpace`: it loads a query,
 * then asks for "badness" keys (smaller = closer, for every metric) to stored rows, one at a time or
 * for a batch of row ids (one call per expanded node, so a wasm implementation crosses the boundary
 * once per node, not once per neighbour). `F32Space` is the JS implementation over the float32
 * kernels and the fallback when wasm is unavailable (SEXTANT_WASM=off); `WasmSpace` (wasm-space.ts)
 * is the default and also walks layer 0 natively; quantised spaces live in sq.ts.
 */
import type { MemoryTally } from '../../memory.js';
import type { MetricType } from '../../../core/enums.js';
import { assert } from '../../../core/assert.js';
import { ipF32, l2SqF32, normSqF32 } from '../../kernels/dense.js';
import { decodeBfloat16Into, decodeFloat16Into, decodeInt8Into } from '../../kernels/half.js';
import type { DenseColumn } from '../../scan-dense.js';
import type { HnswGraph } from './graph.js';

export interface VectorSpace {
  readonly dim: number;
  readonly numRows: number;
  /** Add the rows (or codes) this space searches and its scratch to `t` (a wasm space: its whole memory). */
  countMemory(t: MemoryTally): void;
  /** Load query `src[off .. off + dim)` (raw float32, as the user sent it) as the current query. */
  setQuery(src: Float32Array, off: number): void;
  /** Load stored row `row` as the current query (index build). */
  setQueryRow(row: number): void;
  /** Badness from the current query to stored `row`. */
  distance(row: number): number;
  /** Badness from the current query to rows `ids[idsOff .. idsOff + count)`, written to `out[0 .. count)`. */
  distances(ids: Int32Array, idsOff: number, count: number, out: Float32Array): void;
  /** Badness between two stored rows (neighbour selection at build time). */
  pairDistance(a: number, b: number): number;
  /** The metric value reported to the user for a badness key of this space. */
  score(key: number): number;
  /**
   * Optional fast paths (WasmSpace): `batchBuffers` gives id / distance buffers that `distances`
   * reads and writes without copying; `pairDistances` batches `pairDistance` from one row;
   * `rescore` recomputes keys of the current query exactly (traversal keys may be approximate);
   * `select` runs the neighbour-selection heuristic (build.ts `selectNeighbors`) natively.
   */
  batchBuffers?(capacity: number): BatchBuffers;
  pairDistances?(a: number, ids: Int32Array, idsOff: number, count: number, out: Float32Array): void;
  rescore?(ids: Int32Array, keys: Float64Array, n: number): void;
  select?(candIds: Int32Array, candKeys: Float64Array, n: number, m: number, outIds: Int32Array, outKeys: Float64Array): number;
  /** Zeroed storage for a graph's layer 0 that `layer0Searcher` can walk natively (null if none). */
  linkStorage?(length: number): Int32Array | null;
  /** A native layer-0 search over `graph` (null unless its layer 0 is `linkStorage`). */
  layer0Searcher?(graph: HnswGraph): Layer0Searcher | null;
}

/** Best-first search of layer 0 for the space's current query (see GraphSearcher.searchLayer). */
export interface Layer0Searcher {
  /** Copy `filter` (one byte per row) for the following searches with `filtered`; null drops it. */
  loadFilter(filter: Uint8Array | null): void;
  /** Search keeping up to ef hits, only rows of the loaded filter when `filtered`; returns how many were found. */
  search(ep: number, epKey: number, ef: number, filtered: boolean): number;
  /** True when `searchGraph` is available (the upper layers are native too). */
  readonly whole: boolean;
  /** The whole query natively: descent from the graph's entry point, then layer 0 (as `search`). */
  searchGraph(ef: number, filtered: boolean): number;
  /** Nodes expanded by the last search. */
  readonly expanded: number;
  /** Copy the last search's hits best-first (ascending key, then id) into keys / ids. */
  copyResults(keys: Float64Array, ids: Int32Array): void;
}

export interface BatchBuffers {
  readonly ids: Int32Array;
  readonly out: Float32Array;
}

export type DenseMetric = Extract<MetricType, 'L2' | 'IP' | 'COSINE'>;

const METRIC_L2 = 0;
const METRIC_IP = 1;
const METRIC_COSINE = 2;

export function metricCode(metric: MetricType): number {
  switch (metric) {
    case 'L2': return METRIC_L2;
    case 'IP': return METRIC_IP;
    case 'COSINE': return METRIC_COSINE;
    default: throw new Error(`not a dense metric: ${metric}`);
  }
}

/** Rows [0, numRows) of a dense column as float32 (the column's own array for float32 columns). */
export function decodeDenseRows(column: DenseColumn, numRows: number): Float32Array {
  const count = numRows * column.dim;
  switch (column.kind) {
    case 'floatVector': return column.data.subarray(0, count);
    case 'float16Vector': { const out = new Float32Array(count); decodeFloat16Into(column.data, 0, out, 0, count); return out; }
    case 'bfloat16Vector': { const out = new Float32Array(count); decodeBfloat16Into(column.data, 0, out, 0, count); return out; }
    case 'int8Vector': { const out = new Float32Array(count); decodeInt8Into(column.data, 0, out, 0, count); return out; }
  }
}

/** Euclidean norms (not squared) of each row, accumulated exactly as `cosineF32` does. */
export function rowNorms(data: Float32Array, numRows: number, dim: number): Float64Array {
  const norms = new Float64Array(numRows);
  for (let r = 0; r < numRows; r++) norms[r] = Math.sqrt(normSqF32(data, r * dim, dim));
  return norms;
}

/**
 * Float32 rows with L2, IP or COSINE. COSINE keeps the raw rows plus their norms and divides, which
 * reproduces `cosineF32` (and so `searchExact`) bit for bit: same dot-product accumulation, same
 * norms, same clamping, 0 for zero vectors.
 */
export class F32Space implements VectorSpace {
  readonly dim: number;
  readonly numRows: number;
  private readonly data: Float32Array;
  private readonly metric: number;
  private readonly norms: Float64Array;
  private readonly q: Float32Array;
  private qNorm = 0;

  constructor(data: Float32Array, numRows: number, dim: number, metric: DenseMetric) {
    assert(data.length >= numRows * dim, 'space data covers numRows');
    this.data = data;
    this.numRows = numRows;
    this.dim = dim;
    this.metric = metricCode(metric);
    this.norms = this.metric === METRIC_COSINE ? rowNorms(data, numRows, dim) : new Float64Array(0);
    this.q = new Float32Array(dim);
  }

  countMemory(t: MemoryTally): void {
    t.array(this.data).array(this.norms).array(this.q);
  }

  setQuery(src: Float32Array, off: number): void {
    this.q.set(src.subarray(off, off + this.dim));
    if (this.metric === METRIC_COSINE) this.qNorm = Math.sqrt(normSqF32(this.q, 0, this.dim));
  }

  setQueryRow(row: number): void {
    this.q.set(this.data.subarray(row * this.dim, (row + 1) * this.dim));
    if (this.metric === METRIC_COSINE) this.qNorm = this.norms[row]!;
  }

  distance(row: number): number {
    const dim = this.dim;
    if (this.metric === METRIC_L2) return Math.fround(l2SqF32(this.q, 0, this.data, row * dim, dim));
    const dot = ipF32(this.q, 0, this.data, row * dim, dim);
    if (this.metric === METRIC_IP) return -Math.fround(dot);
    return -Math.fround(cosine(dot, this.qNorm, this.norms[row]!));
  }

  distances(ids: Int32Array, idsOff: number, count: number, out: Float32Array): void {
    const q = this.q, data = this.data, dim = this.dim;
    if (this.metric === METRIC_L2) {
      for (let i = 0; i < count; i++) out[i] = l2SqF32(q, 0, data, ids[idsOff + i]! * dim, dim);
    } else if (this.metric === METRIC_IP) {
      for (let i = 0; i < count; i++) out[i] = -ipF32(q, 0, data, ids[idsOff + i]! * dim, dim);
    } else {
      const norms = this.norms, qNorm = this.qNorm;
      for (let i = 0; i < count; i++) {
        const row = ids[idsOff + i]!;
        out[i] = -cosine(ipF32(q, 0, data, row * dim, dim), qNorm, norms[row]!);
      }
    }
  }

  pairDistance(a: number, b: number): number {
    const dim = this.dim;
    if (this.metric === METRIC_L2) return Math.fround(l2SqF32(this.data, a * dim, this.data, b * dim, dim));
    const dot = ipF32(this.data, a * dim, this.data, b * dim, dim);
    if (this.metric === METRIC_IP) return -Math.fround(dot);
    return -Math.fround(cosine(dot, this.norms[a]!, this.norms[b]!));
  }

  score(key: number): number {
    return this.metric === METRIC_L2 ? key : -key;
  }
}

/** cosineF32's final step: 0 for a zero vector, else dot / (|a| |b|) clamped to [-1, 1]. */
function cosine(dot: number, aNorm: number, bNorm: number): number {
  if (aNorm === 0 || bNorm === 0) return 0;
  const c = dot / (aNorm * bNorm);
  return c > 1 ? 1 : c < -1 ? -1 : c;
}

/**
 * HNSW_SQ's query table for codes x = min + code * step, into `out` (dim entries): L2 keeps the
 * query shifted by `min`, inner products keep it scaled by `step`; returns the constant q . min
 * (0 for L2). COSINE normalises the query first (the rows were normalised before quantising).
 * Shared by SqSpace (JS) and WasmSpace's SQ code spaces.
 */
export function sqQueryTable(
  src: Float32Array, off: number, dim: number, l2: boolean, cosine: boolean, min: Float32Array, step: Float32Array,
  out: Float32Array | Float64Array,
): number {
  let norm = 1;
  if (cosine) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += src[off + j]! * src[off + j]!;
    norm = s === 0 ? 1 : Math.sqrt(s);
  }
  let c = 0;
  for (let j = 0; j < dim; j++) {
    const q = src[off + j]! / norm;
    if (l2) out[j] = q - min[j]!;
    else {
      out[j] = q * step[j]!;
      c += q * min[j]!;
    }
  }
  return c;
}
