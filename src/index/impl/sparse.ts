/**
 * SPARSE_INVERTED_INDEX and SPARSE_WAND (IP): posting lists per dimension, searched term at a time
 * (exact, identical to `searchExact`; the persisted payload is the posting lists).
 * `drop_ratio_build` drops the smallest |value| fraction of all stored values at build time;
 * `drop_ratio_search` drops the smallest |value| fraction of each query's values.
 */
import type { MemoryTally } from '../memory.js';
import type { Column } from '../../schema/column.js';
import type { SparseVector } from '../../schema/types.js';
import type { MetricType } from '../../core/enums.js';
import { errors } from '../../core/errors.js';
import { drainResults, type ExactSearchResult } from '../flat.js';
import { TopKHeaps } from '../topk.js';
import { checkTopK, offerBlock, rangeWindow, type ScanContext } from '../scan-window.js';
import { limits } from '../../core/limits.js';
import { WasmArena } from '../wasm/arena.js';
import type { IndexBuildSpec, IndexDescriptor, IndexSearchRequest, ParamSpec, VectorIndex } from '../descriptor.js';
import type { SparsePostingLists } from '../types.js';
import { checkBuildColumn } from './flat.js';

type SparseColumn = Extract<Column, { kind: 'sparseVector' }>;

/** The value below which |v| is dropped so that `ratio` of `values` go (0 = keep everything). */
function dropThreshold(values: Float32Array, ratio: number): number {
  if (ratio <= 0 || values.length === 0) return 0;
  const abs = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) abs[i] = Math.abs(values[i]!);
  abs.sort();
  return abs[Math.min(abs.length - 1, Math.floor(ratio * abs.length))]!;
}

function pruneVector(v: SparseVector, threshold: number): SparseVector {
  let keep = 0;
  for (let i = 0; i < v.values.length; i++) if (Math.abs(v.values[i]!) >= threshold) keep++;
  if (keep === v.values.length) return v;
  const indices = new Uint32Array(keep);
  const values = new Float32Array(keep);
  for (let i = 0, j = 0; i < v.values.length; i++) {
    if (Math.abs(v.values[i]!) < threshold) continue;
    indices[j] = v.indices[i]!;
    values[j] = v.values[i]!;
    j++;
  }
  return { indices, values };
}

function pruneColumn(column: SparseColumn, numRows: number, ratio: number): SparseColumn {
  if (ratio <= 0) return column;
  let total = 0;
  for (let r = 0; r < numRows; r++) if (column.valid === null || column.valid[r] !== 0) total += column.data[r]!.values.length;
  const all = new Float32Array(total);
  for (let r = 0, at = 0; r < numRows; r++) {
    if (column.valid !== null && column.valid[r] === 0) continue;
    all.set(column.data[r]!.values, at);
    at += column.data[r]!.values.length;
  }
  const threshold = dropThreshold(all, ratio);
  const data: SparseVector[] = [];
  for (let r = 0; r < numRows; r++) data.push(pruneVector(column.data[r]!, threshold));
  return { kind: 'sparseVector', data, valid: column.valid };
}

/**
 * Posting lists: for each dimension present (ascending in `dims`), the rows holding it (ascending)
 * and their values. Rows with a NULL vector have none.
 */
type Postings = SparsePostingLists;

function buildPostings(column: SparseColumn, numRows: number): Postings {
  const counts = new Map<number, number>();
  let nnz = 0;
  for (let r = 0; r < numRows; r++) {
    if (column.valid !== null && column.valid[r] === 0) continue;
    const idx = column.data[r]!.indices;
    for (let i = 0; i < idx.length; i++) counts.set(idx[i]!, (counts.get(idx[i]!) ?? 0) + 1);
    nnz += idx.length;
  }
  const dims = Uint32Array.from(counts.keys()).sort();
  const offsets = new Uint32Array(dims.length + 1);
  const slot = new Map<number, number>();
  for (let d = 0; d < dims.length; d++) {
    offsets[d + 1] = offsets[d]! + counts.get(dims[d]!)!;
    slot.set(dims[d]!, offsets[d]!);
  }
  const rows = new Int32Array(nnz), values = new Float32Array(nnz);
  for (let r = 0; r < numRows; r++) {
    if (column.valid !== null && column.valid[r] === 0) continue;
    const { indices, values: vals } = column.data[r]!;
    for (let i = 0; i < indices.length; i++) {
      const at = slot.get(indices[i]!)!;
      rows[at] = r;
      values[at] = vals[i]!;
      slot.set(indices[i]!, at + 1);
    }
  }
  return { dims, offsets, rows, values };
}

const PAYLOAD_MAGIC = 0x53504931; // "SPI1"

function encodePostings(p: Postings, numRows: number): Uint8Array {
  const d = p.dims.length, nnz = p.rows.length;
  const out = new Uint8Array(16 + 4 * (d + d + 1 + nnz + nnz));
  const v = new DataView(out.buffer);
  v.setUint32(0, PAYLOAD_MAGIC, true);
  v.setUint32(4, numRows, true);
  v.setUint32(8, d, true);
  v.setUint32(12, nnz, true);
  let at = 16;
  for (const arr of [p.dims, p.offsets, p.rows, p.values]) {
    out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), at);
    at += arr.byteLength;
  }
  return out;
}

function decodePostings(payload: Uint8Array, numRows: number, name: string): Postings {
  const bad = (why: string): never => { throw errors.internal(`${name} index payload: ${why}`); };
  if (payload.length < 16) bad('too short');
  const v = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (v.getUint32(0, true) !== PAYLOAD_MAGIC) bad('bad magic');
  if (v.getUint32(4, true) !== numRows) bad(`built for ${v.getUint32(4, true)} rows, segment has ${numRows}`);
  const d = v.getUint32(8, true), nnz = v.getUint32(12, true);
  if (payload.length !== 16 + 4 * (2 * d + 1 + 2 * nnz)) bad('length does not match its counts');
  const copy = new Uint8Array(payload.subarray(16)); // aligned
  const u32 = new Uint32Array(copy.buffer);
  const p: Postings = {
    dims: u32.subarray(0, d), offsets: u32.subarray(d, 2 * d + 1),
    rows: new Int32Array(copy.buffer, (2 * d + 1) * 4, nnz), values: new Float32Array(copy.buffer, (2 * d + 1 + nnz) * 4, nnz),
  };
  if (p.offsets[0] !== 0 || p.offsets[d] !== nnz) bad('offsets out of range');
  for (let i = 0; i < d; i++) {
    if (p.offsets[i]! > p.offsets[i + 1]!) bad('offsets not ascending');
    if (i > 0 && p.dims[i - 1]! >= p.dims[i]!) bad('dims not ascending');
  }
  for (let i = 0; i < nnz; i++) if (p.rows[i]! < 0 || p.rows[i]! >= numRows) bad('row out of range');
  return p;
}

/** Accumulates one query's scores over the posting lists: in wasm when available, else in JS. */
interface Scorer {
  /** IP of `query` with every row into out[0 .. n) as float32; NaN where `mask` (if any) is 0. */
  score(query: SparseVector, mask: Uint8Array | null, out: Float32Array): void;
  countMemory(t: MemoryTally): void;
}

/** What one entry of a Map<number, number> costs the heap, about (hash table slot, boxed keys). */
const SLOT_BYTES = 40;

class JsScorer implements Scorer {
  private readonly scores: Float64Array;
  constructor(private readonly p: Postings, private readonly slots: Map<number, number>, n: number) {
    this.scores = new Float64Array(n);
  }

  countMemory(t: MemoryTally): void {
    t.array(this.scores);
  }

  score(query: SparseVector, mask: Uint8Array | null, out: Float32Array): void {
    const { offsets, rows, values } = this.p, scores = this.scores;
    for (let t = 0; t < query.indices.length; t++) {
      const d = this.slots.get(query.indices[t]!);
      if (d === undefined) continue;
      const w = query.values[t]!;
      for (let i = offsets[d]!, end = offsets[d + 1]!; i < end; i++) {
        const r = rows[i]!;
        scores[r] = scores[r]! + w * values[i]!;
      }
    }
    for (let r = 0; r < scores.length; r++) {
      out[r] = mask !== null && mask[r] === 0 ? NaN : scores[r]!;
      scores[r] = 0;
    }
  }
}

class WasmScorer implements Scorer {
  private readonly rowsPtr: number;
  private readonly valsPtr: number;
  private readonly scoresPtr: number;
  private readonly outPtr: number;
  private readonly maskPtr: number;

  /** The posting lists, rows and values as views of this scorer's memory (not kept twice). */
  readonly postings: Postings;

  private constructor(private readonly arena: WasmArena, p: Postings, private readonly slots: Map<number, number>, private readonly n: number) {
    const nnz = p.rows.length;
    this.rowsPtr = arena.alloc(nnz * 4);
    this.valsPtr = arena.alloc(nnz * 4);
    arena.i32.set(p.rows, this.rowsPtr >>> 2);
    arena.f32.set(p.values, this.valsPtr >>> 2);
    const buf = arena.memory.buffer;
    this.postings = { dims: p.dims, offsets: p.offsets, rows: new Int32Array(buf, this.rowsPtr, nnz), values: new Float32Array(buf, this.valsPtr, nnz) };
    this.scoresPtr = arena.alloc(n * 8);
    arena.f64.fill(0, this.scoresPtr >>> 3, (this.scoresPtr >>> 3) + n);
    this.outPtr = arena.alloc(n * 4);
    this.maskPtr = arena.alloc(n);
  }

  countMemory(t: MemoryTally): void {
    t.memory(this.arena.memory);
  }

  /** A scorer in a wasm memory of its own (freed with the index), or null without the kernels. */
  static create(p: Postings, slots: Map<number, number>, n: number): WasmScorer | null {
    return WasmArena.owned(p.rows.length * 8 + n * 13, (arena) => new WasmScorer(arena, p, slots, n));
  }

  score(query: SparseVector, mask: Uint8Array | null, out: Float32Array): void {
    const k = this.arena.k, offsets = this.postings.offsets;
    for (let t = 0; t < query.indices.length; t++) {
      const d = this.slots.get(query.indices[t]!);
      if (d === undefined) continue;
      const from = offsets[d]!;
      k.sparseAccumulate(this.rowsPtr + from * 4, this.valsPtr + from * 4, offsets[d + 1]! - from, query.values[t]!, this.scoresPtr);
    }
    if (mask !== null) this.arena.u8.set(mask.subarray(0, this.n), this.maskPtr);
    k.sparseFinish(this.scoresPtr, this.n, mask === null ? 0 : this.maskPtr, this.outPtr);
    out.set(this.arena.f32.subarray(this.outPtr >>> 2, (this.outPtr >>> 2) + this.n));
  }
}

/**
 * SPARSE_INVERTED_INDEX / SPARSE_WAND: posting lists per dimension, searched term at a time. For
 * each row the products are added in ascending dimension order into a float64 sum, exactly as the
 * merge kernel (`sparseIp`) adds them, so hits and scores are identical to `searchExact`; rows
 * sharing no dimension with the query score 0, as there. The accumulation runs in wasm.
 */
export class SparseInvertedIndex implements VectorIndex {
  readonly indexType: string;
  readonly metric: MetricType;
  readonly numRows: number;
  private readonly column: SparseColumn;
  private readonly postings: Postings;
  private readonly slots: Map<number, number>;
  private readonly scorer: Scorer;
  /** Built with `drop_ratio_build` > 0: the lists lack the dropped values. */
  private readonly pruned: boolean;

  /** `wasm: false` scores in JS (the reference; also the path without the kernels). */
  constructor(indexType: string, column: SparseColumn, numRows: number, spec: IndexBuildSpec, payload: Uint8Array | null, opts: { wasm?: boolean } = {}) {
    this.indexType = indexType;
    this.metric = spec.metric;
    this.numRows = numRows;
    const ratio = spec.params['drop_ratio_build'];
    this.column = column;
    this.pruned = typeof ratio === 'number' && ratio > 0;
    // Payloads written before the posting lists were persisted are empty: build them from the column.
    const postings = payload !== null && payload.length > 0
      ? decodePostings(payload, numRows, indexType)
      : buildPostings(pruneColumn(column, numRows, typeof ratio === 'number' ? ratio : 0), numRows);
    const slots = new Map<number, number>();
    for (let d = 0; d < postings.dims.length; d++) slots.set(postings.dims[d]!, d);
    this.slots = slots;
    const wasm = opts.wasm === false ? null : WasmScorer.create(postings, slots, numRows);
    // The wasm scorer holds the rows and values: keep only its copy (views of it), not a second one.
    this.postings = wasm === null ? postings : wasm.postings;
    this.scorer = wasm ?? new JsScorer(postings, slots, numRows);
  }

  /** The posting lists (in the scorer's wasm memory when it has one) and the dimension map. */
  countMemory(t: MemoryTally): void {
    const p = this.postings;
    t.array(p.dims).array(p.offsets).array(p.rows).array(p.values).other(this.slots.size * SLOT_BYTES);
    this.scorer.countMemory(t);
  }

  search(req: IndexSearchRequest): ExactSearchResult {
    const ratio = req.params?.['drop_ratio_search'];
    let queries = req.queries;
    if (queries.kind !== 'sparseVector') throw errors.invalidParameter('vector type not match', { expected: 'sparseVector', actual: queries.kind });
    if (typeof ratio === 'number' && ratio > 0) {
      queries = { kind: 'sparseVector', valid: null, data: queries.data.map((q) => pruneVector(q, dropThreshold(q.values, ratio))) };
    }
    checkTopK(req.topK);
    const nq = queries.data.length;
    if (nq > limits.maxNq) throw errors.invalidParameter('nq is too large', { expected: `[1, ${limits.maxNq}]`, actual: nq });
    const window = rangeWindow(this.metric, req.range ?? null);
    const filter = req.filter ?? null, valid = this.column.valid;
    let mask: Uint8Array | null = filter ?? valid;
    if (filter !== null && valid !== null) {
      mask = new Uint8Array(this.numRows);
      for (let r = 0; r < this.numRows; r++) mask[r] = filter[r] !== 0 && valid[r] !== 0 ? 1 : 0;
    }
    const heaps = new TopKHeaps(nq, req.topK);
    const ctx: ScanContext = { heaps, filter: null, valid: null, window, negate: true };
    const out = new Float32Array(this.numRows);
    for (let q = 0; q < nq; q++) {
      this.scorer.score(queries.data[q]!, mask, out);
      offerBlock(ctx, q, out, 0, this.numRows);
    }
    return drainResults(heaps, this.metric);
  }

  serialize(): Uint8Array {
    return encodePostings(this.postings, this.numRows);
  }

  postingLists(): SparsePostingLists | null {
    return this.pruned ? null : this.postings;
  }
}

const BUILD_PARAMS: readonly ParamSpec[] = [
  { name: 'drop_ratio_build', type: 'float', min: 0, max: 1, maxExclusive: true, default: 0 },
  { name: 'inverted_index_algo', type: 'string', values: ['DAAT_MAXSCORE', 'DAAT_WAND', 'TAAT_NAIVE'], default: 'DAAT_MAXSCORE' },
  { name: 'bm25_k1', type: 'float', min: 0, max: 3, default: 1.2 },
  { name: 'bm25_b', type: 'float', min: 0, max: 1, default: 0.75 },
];
const SEARCH_PARAMS: readonly ParamSpec[] = [
  { name: 'drop_ratio_search', type: 'float', min: 0, max: 1, maxExclusive: true, default: 0 },
];

function sparseDescriptor(name: string): IndexDescriptor {
  const desc: IndexDescriptor = {
    name, metrics: ['IP', 'BM25'], vectorKinds: ['sparseVector'], buildParams: BUILD_PARAMS, searchParams: SEARCH_PARAMS,
    trains: false, filtersNatively: true, recallAt10: 1, exactSelectivity: 1,
    build(column: Column, numRows: number, spec: IndexBuildSpec): VectorIndex {
      checkBuildColumn(desc, column);
      return new SparseInvertedIndex(name, column as SparseColumn, numRows, spec, null);
    },
    deserialize(payload: Uint8Array, column: Column, numRows: number, spec: IndexBuildSpec): VectorIndex {
      checkBuildColumn(desc, column);
      return new SparseInvertedIndex(name, column as SparseColumn, numRows, spec, payload);
    },
  };
  return desc;
}

export const SPARSE_INVERTED_INDEX: IndexDescriptor = sparseDescriptor('SPARSE_INVERTED_INDEX');
/** Deprecated since Milvus 2.5.4 (now `inverted_index_algo: DAAT_WAND`), still accepted. */
export const SPARSE_WAND: IndexDescriptor = sparseDescriptor('SPARSE_WAND');
