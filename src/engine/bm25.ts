/**
 * BM25 search over chunks: collection-wide statistics over every row not yet compacted away, then
 * per-chunk top-k merged.
 *
 * Statistics (reference §1.5, §1.6) are summed over every chunk of every loaded partition (growing
 * and sealed, whatever partitions the search names): N = rows (empty texts included), total tokens,
 * df per term hash. As in Milvus, a deleted row (and the old version of an upserted row) is never a
 * hit but keeps counting in the statistics until compaction drops it from its segment; the rewritten
 * chunk no longer holds it, so it stops counting by itself.
 * Each chunk's posting lists are taken from its sealed segment's loaded sparse index, else built once
 * from its BM25 column (chunks are immutable), and kept while the column lives.
 */
import type { Bm25Algo, Bm25Postings } from '../index/bm25.js';
import { bm25PostingsFromLists, buildBm25Postings, searchBm25Chunk } from '../index/bm25.js';
import type { FilterPlan } from '../expr/index.js';
import type { Column } from '../schema/column.js';
import type { SparseVector } from '../schema/types.js';
import type { ScopedChunk, VectorHits } from './read.js';
import { visibleRows } from './read.js';

/**
 * The BM25 posting lists of a chunk's column, kept on the chunk (counted with it): a sealed segment's
 * loaded SPARSE_INVERTED_INDEX already holds them (read from its index file at load; the arrays are
 * shared), else they are built from the column on first use.
 */
export function chunkPostings(s: ScopedChunk, fieldName: string): Bm25Postings | null {
  const col = s.chunk.column(fieldName);
  if (col === undefined || col.kind !== 'sparseVector') return null;
  let p = s.chunk.bm25Postings.get(fieldName);
  if (p === undefined || p.numRows !== s.chunk.numRows) {
    const index = s.chunk.indexes.get(fieldName)?.index;
    const lists = index !== undefined && index.numRows === s.chunk.numRows ? index.postingLists?.() ?? null : null;
    p = lists !== null ? bm25PostingsFromLists(lists, s.chunk.numRows) : buildBm25Postings(col.data, col.valid, s.chunk.numRows);
    s.chunk.bm25Postings.set(fieldName, p);
  }
  return p;
}

export interface Bm25Stats {
  numRows: number;
  numTokens: number;
  /** Document frequency of each term asked for. */
  df: Map<number, number>;
}

/** Statistics over every row `chunks` hold (deleted ones included, until compaction) for the given terms. */
export function bm25Stats(chunks: readonly ScopedChunk[], fieldName: string, terms: Iterable<number>): Bm25Stats {
  const wanted = [...new Set(terms)];
  const df = new Map<number, number>(wanted.map((t) => [t, 0]));
  let numRows = 0, numTokens = 0;
  for (const s of chunks) {
    const p = chunkPostings(s, fieldName);
    if (p === null) continue;
    numRows += p.numRows;
    numTokens += p.totalTokens;
    for (const t of wanted) {
      const slot = p.slots.get(t);
      if (slot !== undefined) df.set(t, df.get(t)! + p.offsets[slot + 1]! - p.offsets[slot]!);
    }
  }
  return { numRows, numTokens, df };
}

const f32 = Math.fround;

/** Milvus's IDF (storage/stats.go BuildIDF), in float32. */
export function bm25Idf(numRows: number, df: number): number {
  return f32(Math.log(1 + (numRows - df + 0.5) / (df + 0.5)));
}

/** knowhere's drop_ratio_search: drop the smallest |w| so that floor(ratio·n) terms go (ties kept). */
function dropTerms(terms: Uint32Array, weights: Float32Array, ratio: number): { terms: Uint32Array; weights: Float32Array } {
  const dropCount = Math.floor(ratio * weights.length);
  if (dropCount === 0) return { terms, weights };
  const sorted = Float32Array.from(weights, Math.abs).sort();
  const threshold = sorted[dropCount]!;
  const keep: number[] = [];
  for (let i = 0; i < weights.length; i++) if (Math.abs(weights[i]!) >= threshold) keep.push(i);
  return { terms: Uint32Array.from(keep, (i) => terms[i]!), weights: Float32Array.from(keep, (i) => weights[i]!) };
}

export interface Bm25SearchArgs {
  fieldName: string;
  /** Analysed queries: token hash -> count in the query text. */
  queries: readonly SparseVector[];
  topK: number;
  filter: FilterPlan | null;
  k1: number;
  b: number;
  algo: Bm25Algo;
  dropRatioSearch: number;
}

/**
 * Top-k BM25 hits of every query over `scope`, with statistics from `statsScope` (every chunk of
 * the collection's loaded partitions). Same layout as `searchVectors`.
 */
export function searchBm25(scope: readonly ScopedChunk[], statsScope: readonly ScopedChunk[], a: Bm25SearchArgs): VectorHits {
  const nq = a.queries.length;
  const stats = bm25Stats(statsScope, a.fieldName, a.queries.flatMap((q) => Array.from(q.indices)));
  const avgdl = stats.numRows === 0 || stats.numTokens === 0 ? 0 : Math.max(1, f32(stats.numTokens / stats.numRows));
  const chunkIdx = new Int32Array(nq * a.topK).fill(-1), rowIdx = new Int32Array(nq * a.topK).fill(-1);
  const scores = new Float32Array(nq * a.topK), counts = new Int32Array(nq);
  const masks = scope.map((s) => visibleRows(s, a.filter));
  const postings = scope.map((s) => chunkPostings(s, a.fieldName));
  for (let q = 0; q < nq; q++) {
    if (avgdl === 0) continue;
    const query = a.queries[q]!;
    const weights = new Float32Array(query.indices.length);
    for (let t = 0; t < weights.length; t++) {
      weights[t] = f32(query.values[t]! * bm25Idf(stats.numRows, stats.df.get(query.indices[t]!) ?? 0));
    }
    const kept = dropTerms(query.indices, weights, a.dropRatioSearch);
    const prm = { k1: a.k1, b: a.b, avgdl, algo: a.algo };
    const all: { ci: number; row: number; score: number }[] = [];
    for (let ci = 0; ci < scope.length; ci++) {
      const p = postings[ci];
      if (!p) continue;
      const hits = searchBm25Chunk(p, kept, prm, a.topK, masks[ci] ?? null);
      for (let i = 0; i < hits.rows.length; i++) all.push({ ci, row: hits.rows[i]!, score: hits.scores[i]! });
    }
    all.sort((x, y) => y.score - x.score || x.ci - y.ci || x.row - y.row);
    const n = Math.min(a.topK, all.length);
    counts[q] = n;
    for (let i = 0; i < n; i++) {
      chunkIdx[q * a.topK + i] = all[i]!.ci;
      rowIdx[q * a.topK + i] = all[i]!.row;
      scores[q * a.topK + i] = all[i]!.score;
    }
  }
  return { chunk: chunkIdx, row: rowIdx, scores, counts, topK: a.topK };
}
