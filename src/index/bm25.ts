/**
 * BM25 over one chunk's BM25 function output (sparse rows token hash -> term count): posting lists
 * with per-row document lengths, and the three `inverted_index_algo` strategies knowhere offers.
 * Scores follow knowhere's doc-value computer in float32 (reference §1.5):
 *   score(d) = Σ_t qw(t) · tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl)),  qw = qtf·idf (from the caller).
 * TAAT_NAIVE accumulates term at a time over every row; DAAT_WAND and DAAT_MAXSCORE walk documents in
 * order and skip those whose upper bound (per term: the score at its largest tf and smallest dl, valid
 * for any avgdl, so bounds never go stale) cannot enter the top-k. All three return the same hits:
 * pruning is strict (a document tying the k-th score is still scored) and the order is total
 * (score descending, then row ascending).
 */
import type { MemoryTally } from './memory.js';
import type { SparseVector } from '../schema/types.js';
import type { SparsePostingLists } from './types.js';

export type Bm25Algo = 'TAAT_NAIVE' | 'DAAT_WAND' | 'DAAT_MAXSCORE';
export const BM25_ALGOS: readonly Bm25Algo[] = ['DAAT_MAXSCORE', 'DAAT_WAND', 'TAAT_NAIVE'];

export interface Bm25Postings {
  readonly numRows: number;
  /** Sum of every row's length (tokens after analysis). */
  readonly totalTokens: number;
  /** Row lengths: the sum of the row's term counts. */
  readonly docLen: Float32Array;
  /** Term hash -> slot; slot s's postings are rows/tfs[offsets[s] .. offsets[s+1]), rows ascending. */
  readonly slots: ReadonlyMap<number, number>;
  readonly offsets: Uint32Array;
  readonly rows: Int32Array;
  readonly tfs: Float32Array;
  /** Per slot: the largest tf and the smallest row length in its list (upper bounds). */
  readonly maxTf: Float32Array;
  readonly minDl: Float32Array;
}

/** The posting lists' arrays, and about 40 bytes a term for the slot map. */
export function countBm25Postings(p: Bm25Postings, t: MemoryTally): void {
  t.array(p.docLen).array(p.offsets).array(p.rows).array(p.tfs).array(p.maxTf).array(p.minDl).other(p.slots.size * 40);
}

/** Posting lists of rows [0, numRows) of a BM25 output column (NULL rows hold nothing). */
export function buildBm25Postings(data: readonly SparseVector[], valid: Uint8Array | null, numRows: number): Bm25Postings {
  const slots = new Map<number, number>();
  const counts: number[] = [];
  const docLen = new Float32Array(numRows);
  let nnz = 0, totalTokens = 0;
  for (let r = 0; r < numRows; r++) {
    if (valid !== null && valid[r] === 0) continue;
    const { indices, values } = data[r]!;
    let len = 0;
    for (let i = 0; i < indices.length; i++) {
      let s = slots.get(indices[i]!);
      if (s === undefined) slots.set(indices[i]!, (s = counts.push(0) - 1));
      counts[s]!++;
      len += values[i]!;
    }
    nnz += indices.length;
    docLen[r] = len;
    totalTokens += len;
  }
  const offsets = new Uint32Array(counts.length + 1);
  for (let s = 0; s < counts.length; s++) offsets[s + 1] = offsets[s]! + counts[s]!;
  const fill = offsets.slice(0, counts.length);
  const rows = new Int32Array(nnz), tfs = new Float32Array(nnz);
  const maxTf = new Float32Array(counts.length), minDl = new Float32Array(counts.length).fill(Infinity);
  for (let r = 0; r < numRows; r++) {
    if (valid !== null && valid[r] === 0) continue;
    const { indices, values } = data[r]!;
    for (let i = 0; i < indices.length; i++) {
      const s = slots.get(indices[i]!)!;
      const at = fill[s]!++;
      rows[at] = r;
      tfs[at] = values[i]!;
      if (values[i]! > maxTf[s]!) maxTf[s] = values[i]!;
      if (docLen[r]! < minDl[s]!) minDl[s] = docLen[r]!;
    }
  }
  return { numRows, totalTokens, docLen, slots, offsets, rows, tfs, maxTf, minDl };
}

/**
 * The same posting lists from a sparse index's (SPARSE_INVERTED_INDEX loaded from its file): no
 * per-value hash lookups, the row and tf arrays are shared, not copied. Row lengths are summed from
 * the lists, so they equal the column's when the index holds every value (postingLists() says so).
 */
export function bm25PostingsFromLists(lists: SparsePostingLists, numRows: number): Bm25Postings {
  const { dims, offsets, rows, values } = lists;
  const d = dims.length;
  const slots = new Map<number, number>();
  for (let s = 0; s < d; s++) slots.set(dims[s]!, s);
  const docLen = new Float32Array(numRows);
  let totalTokens = 0;
  for (let i = 0; i < rows.length; i++) {
    docLen[rows[i]!] = docLen[rows[i]!]! + values[i]!;
    totalTokens += values[i]!;
  }
  const maxTf = new Float32Array(d), minDl = new Float32Array(d).fill(Infinity);
  for (let s = 0; s < d; s++) {
    for (let i = offsets[s]!, end = offsets[s + 1]!; i < end; i++) {
      if (values[i]! > maxTf[s]!) maxTf[s] = values[i]!;
      const dl = docLen[rows[i]!]!;
      if (dl < minDl[s]!) minDl[s] = dl;
    }
  }
  return { numRows, totalTokens, docLen, slots, offsets, rows, tfs: values, maxTf, minDl };
}

export interface Bm25Params {
  k1: number;
  b: number;
  avgdl: number;
  algo: Bm25Algo;
}

/** One query: term hashes with their weights qtf·idf (float32). */
export interface Bm25Query {
  terms: Uint32Array;
  weights: Float32Array;
}

export interface Bm25Hits {
  rows: Int32Array;
  scores: Float32Array;
}

const f32 = Math.fround;

/** knowhere's BM25 doc value, operation by operation in float32. */
export function bm25DocValue(tf: number, dl: number, k1: number, b: number, avgdl: number): number {
  const norm = f32(k1 * f32(f32(1 - b) + f32(b * f32(dl / avgdl))));
  return f32(f32(tf * f32(k1 + 1)) / f32(tf + norm));
}

/** A bounded best-first list: score descending, then row ascending. */
class TopK {
  readonly rows: number[] = [];
  readonly scores: number[] = [];
  constructor(private readonly k: number) {}

  /** Score a candidate must beat (strictly, or tie with a smaller row) once full; -Infinity before. */
  get threshold(): number {
    return this.rows.length < this.k ? -Infinity : this.scores[this.rows.length - 1]!;
  }

  offer(row: number, score: number): void {
    const n = this.rows.length;
    if (n === this.k) {
      const ls = this.scores[n - 1]!, lr = this.rows[n - 1]!;
      if (score < ls || (score === ls && row > lr)) return;
    }
    let i = n < this.k ? n : n - 1;
    while (i > 0 && (this.scores[i - 1]! < score || (this.scores[i - 1]! === score && this.rows[i - 1]! > row))) {
      if (i < this.k) { this.scores[i] = this.scores[i - 1]!; this.rows[i] = this.rows[i - 1]!; }
      i--;
    }
    this.scores[i] = score;
    this.rows[i] = row;
    if (this.rows.length > this.k) { this.rows.length = this.k; this.scores.length = this.k; }
  }

  result(): Bm25Hits {
    return { rows: Int32Array.from(this.rows), scores: Float32Array.from(this.scores) };
  }
}

interface Cursor {
  /** Position of the term in the query (scores are summed in query order). */
  index: number;
  slot: number;
  weight: number;
  ub: number;
  pos: number;
  end: number;
}

function cursorsOf(p: Bm25Postings, q: Bm25Query, prm: Bm25Params): Cursor[] {
  const out: Cursor[] = [];
  for (let t = 0; t < q.terms.length; t++) {
    const slot = p.slots.get(q.terms[t]!);
    if (slot === undefined) continue;
    const w = q.weights[t]!;
    // Inflated a little so float32 rounding of the real sum never exceeds the bound.
    const ub = w * bm25DocValue(p.maxTf[slot]!, p.minDl[slot]!, prm.k1, prm.b, prm.avgdl) * (1 + 1e-6);
    out.push({ index: out.length, slot, weight: w, ub, pos: p.offsets[slot]!, end: p.offsets[slot + 1]! });
  }
  return out;
}

/** First position in [c.pos, c.end) whose row is >= target (galloping, then binary search). */
function seek(rows: Int32Array, c: Cursor, target: number): void {
  if (c.pos >= c.end || rows[c.pos]! >= target) return;
  let step = 1, lo = c.pos, hi = c.pos + 1;
  while (hi < c.end && rows[hi]! < target) { lo = hi; step *= 2; hi = c.pos + step; }
  if (hi > c.end) hi = c.end;
  while (lo + 1 < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]! < target) lo = mid; else hi = mid;
  }
  c.pos = hi;
}

const rowAt = (p: Bm25Postings, c: Cursor): number => (c.pos < c.end ? p.rows[c.pos]! : 0x7fffffff);

function taat(p: Bm25Postings, cs: Cursor[], prm: Bm25Params, mask: Uint8Array | null, top: TopK): void {
  const acc = new Float32Array(p.numRows);
  const seen = new Uint8Array(p.numRows);
  for (const c of cs) {
    for (let i = c.pos; i < c.end; i++) {
      const r = p.rows[i]!;
      acc[r] = f32(acc[r]! + f32(c.weight * bm25DocValue(p.tfs[i]!, p.docLen[r]!, prm.k1, prm.b, prm.avgdl)));
      seen[r] = 1;
    }
  }
  for (let r = 0; r < p.numRows; r++) if (seen[r] === 1 && (mask === null || mask[r] !== 0)) top.offer(r, acc[r]!);
}

/** Full score of `row` over the cursors positioned on it (advancing them), in cursor order. */
function scoreAt(p: Bm25Postings, cs: readonly Cursor[], row: number, prm: Bm25Params): number {
  let s = 0;
  for (const c of cs) {
    if (rowAt(p, c) !== row) continue;
    s = f32(s + f32(c.weight * bm25DocValue(p.tfs[c.pos]!, p.docLen[row]!, prm.k1, prm.b, prm.avgdl)));
    c.pos++;
  }
  return s;
}

function wand(p: Bm25Postings, cs: Cursor[], prm: Bm25Params, mask: Uint8Array | null, top: TopK): void {
  const order = cs.slice();
  for (;;) {
    order.sort((a, b) => rowAt(p, a) - rowAt(p, b));
    const theta = top.threshold;
    let acc = 0, pivot = -1;
    for (let i = 0; i < order.length; i++) {
      if (rowAt(p, order[i]!) === 0x7fffffff) break;
      acc += order[i]!.ub;
      if (acc >= theta) { pivot = i; break; }
    }
    if (pivot < 0) return;
    const pivotRow = rowAt(p, order[pivot]!);
    if (rowAt(p, order[0]!) === pivotRow) {
      const inOrder = cs.filter((c) => rowAt(p, c) === pivotRow);
      const s = scoreAt(p, inOrder, pivotRow, prm);
      if (mask === null || mask[pivotRow] !== 0) top.offer(pivotRow, s);
    } else {
      for (let i = 0; i < pivot; i++) seek(p.rows, order[i]!, pivotRow);
    }
  }
}

function maxscore(p: Bm25Postings, cs: Cursor[], prm: Bm25Params, mask: Uint8Array | null, top: TopK): void {
  const byUb = cs.slice().sort((a, b) => a.ub - b.ub);
  const prefix = new Float64Array(byUb.length + 1);
  const contrib = new Float32Array(cs.length);
  for (let i = 0; i < byUb.length; i++) prefix[i + 1] = prefix[i]! + byUb[i]!.ub;
  for (;;) {
    // Terms [0, firstEssential) cannot lift a document into the top-k on their own.
    const theta = top.threshold;
    let firstEssential = 0;
    while (firstEssential < byUb.length && prefix[firstEssential + 1]! < theta) firstEssential++;
    if (firstEssential === byUb.length) return;
    let row = 0x7fffffff;
    for (let i = firstEssential; i < byUb.length; i++) row = Math.min(row, rowAt(p, byUb[i]!));
    if (row === 0x7fffffff) return;
    if (mask !== null && mask[row] === 0) {
      for (let i = firstEssential; i < byUb.length; i++) if (rowAt(p, byUb[i]!) === row) byUb[i]!.pos++;
      continue;
    }
    // Partial sums decide pruning; a surviving row is summed in query order, as TAAT and WAND do.
    let s = 0;
    for (let i = byUb.length - 1; i >= firstEssential; i--) {
      const c = byUb[i]!;
      if (rowAt(p, c) !== row) continue;
      contrib[c.index] = f32(c.weight * bm25DocValue(p.tfs[c.pos]!, p.docLen[row]!, prm.k1, prm.b, prm.avgdl));
      s += contrib[c.index]!;
      c.pos++;
    }
    let pruned = false;
    for (let i = firstEssential - 1; i >= 0; i--) {
      if (s + prefix[i + 1]! < theta) { pruned = true; break; } // the rest cannot reach the k-th score
      const c = byUb[i]!;
      seek(p.rows, c, row);
      if (rowAt(p, c) !== row) continue;
      contrib[c.index] = f32(c.weight * bm25DocValue(p.tfs[c.pos]!, p.docLen[row]!, prm.k1, prm.b, prm.avgdl));
      s += contrib[c.index]!;
      c.pos++;
    }
    let exact = 0;
    for (let i = 0; i < contrib.length; i++) {
      if (contrib[i] !== 0) exact = f32(exact + contrib[i]!);
      contrib[i] = 0;
    }
    if (!pruned) top.offer(row, exact);
  }
}

/**
 * The top-k rows of one chunk for one query (rows sharing no query term never appear), best first.
 * `mask`: one byte per row, 0 = not allowed (filtered out or deleted).
 */
export function searchBm25Chunk(p: Bm25Postings, q: Bm25Query, prm: Bm25Params, topK: number, mask: Uint8Array | null): Bm25Hits {
  const top = new TopK(topK);
  const cs = cursorsOf(p, q, prm);
  if (cs.length === 0 || p.numRows === 0) return top.result();
  switch (prm.algo) {
    case 'TAAT_NAIVE': taat(p, cs, prm, mask, top); break;
    case 'DAAT_WAND': wand(p, cs, prm, mask, top); break;
    case 'DAAT_MAXSCORE': maxscore(p, cs, prm, mask, top); break;
  }
  return top.result();
}
