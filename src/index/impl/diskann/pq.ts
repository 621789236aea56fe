/**
 * DISKANN's product quantizer (held in memory): `m` chunks of consecutive dimensions (uneven when m
 * does not divide dim, as in DiskANN), 256 code words per chunk trained by k-means on a sample, one
 * byte per chunk per row. `m` comes from Milvus's code budget: pq_code_budget_gb_ratio x the raw
 * vector bytes, i.e. m = floor(ratio * bytesPerRawRow), clamped to [1, dim].
 *
 * A query's table holds, per chunk and code word, the chunk's part of the badness key: squared L2
 * for L2, minus the inner product for IP and COSINE (rows and query normalised first for COSINE), so
 * a row's PQ key is the sum of m table entries, comparable with exact keys of the same metric.
 */
import { seededRandom } from '../../../core/random.js';
import { CentroidAssigner } from '../ivf/assign.js';
import { lloyd } from '../ivf/kmeans.js';
import { sampleRows } from '../ivf/tuning.js';

export const PQ_CODE_WORDS = 256;
/** Lloyd iterations per chunk, and training rows per code word (DiskANN samples too). */
const PQ_ITERATIONS = 6;
const PQ_ROWS_PER_CODE = 12;
const PQ_SEED = 0xd15c;

export interface ChunkedPq {
  readonly dim: number;
  readonly m: number;
  /** m + 1 offsets: chunk j covers dims [offsets[j], offsets[j + 1]). */
  readonly offsets: Uint32Array;
  /** For chunk j, PQ_CODE_WORDS x (its width) floats, chunks one after another (256 x dim in all). */
  readonly centroids: Float32Array;
}

/** Number of chunks for a code budget of `ratio` x `rawRowBytes` bytes per row. */
export function pqChunks(ratio: number, rawRowBytes: number, dim: number): number {
  return Math.max(1, Math.min(dim, Math.floor(ratio * rawRowBytes)));
}

export function chunkOffsets(dim: number, m: number): Uint32Array {
  const out = new Uint32Array(m + 1);
  for (let j = 0; j <= m; j++) out[j] = Math.floor((j * dim) / m);
  return out;
}

/**
 * Train on `rows` (present rows) of the n x dim matrix `x`: per chunk, k-means on the sample's part of
 * the rows in the assigner's wasm block (one assigner per chunk width, reused chunk after chunk).
 */
export function trainChunkedPq(x: Float32Array, dim: number, rows: Int32Array, m: number): ChunkedPq {
  const offsets = chunkOffsets(dim, m);
  const centroids = new Float32Array(PQ_CODE_WORDS * dim);
  const random = seededRandom(PQ_SEED);
  const sample = sampleRows(rows, PQ_CODE_WORDS * PQ_ROWS_PER_CODE, random);
  const ns = sample.length;
  if (ns === 0) return { dim, m, offsets, centroids };
  const k = Math.min(PQ_CODE_WORDS, ns);
  const assigners = new Map<number, CentroidAssigner>();
  try {
    for (let j = 0; j < m; j++) {
      const lo = offsets[j]!, w = offsets[j + 1]! - lo;
      let assigner = assigners.get(w);
      if (assigner === undefined) assigners.set(w, assigner = new CentroidAssigner(k, w, false, { blockRows: ns }));
      const sub = assigner.block;
      for (let i = 0; i < ns; i++) sub.set(x.subarray(sample[i]! * dim + lo, sample[i]! * dim + lo + w), i * w);
      const cb = lloyd(assigner, ns, w, { k, iterations: PQ_ITERATIONS, random, ip: false, spherical: false });
      centroids.set(cb, PQ_CODE_WORDS * lo);
      // Fewer rows than code words: the unused code words repeat the first one (never nearer than it).
      for (let c = k; c < PQ_CODE_WORDS; c++) centroids.copyWithin(PQ_CODE_WORDS * lo + c * w, PQ_CODE_WORDS * lo, PQ_CODE_WORDS * lo + w);
    }
  } finally {
    for (const a of assigners.values()) a.close();
  }
  return { dim, m, offsets, centroids };
}

/** Encode row `row` of `x` into codes[row * m ..]. */
export function encodeRow(pq: ChunkedPq, x: Float32Array, row: number, codes: Uint8Array): void {
  const { dim, m, offsets, centroids } = pq;
  const base = row * dim;
  for (let j = 0; j < m; j++) {
    const lo = offsets[j]!, w = offsets[j + 1]! - lo, cbase = PQ_CODE_WORDS * lo;
    if (w === 2) {
      codes[row * m + j] = nearestPair(centroids, cbase, x[base + lo]!, x[base + lo + 1]!);
      continue;
    }
    let best = 0, bestD = Infinity;
    for (let c = 0; c < PQ_CODE_WORDS; c++) {
      let d = 0;
      for (let i = 0, at = cbase + c * w; i < w; i++) {
        const t = x[base + lo + i]! - centroids[at + i]!;
        d += t * t;
      }
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    codes[row * m + j] = best;
  }
}

/** The code word nearest (x0, x1) among a 2-wide chunk's 256 at `cbase` (the default budget's chunk at 768 dims). */
function nearestPair(centroids: Float32Array, cbase: number, x0: number, x1: number): number {
  let best = 0, bestD = Infinity;
  for (let c = 0, at = cbase; c < PQ_CODE_WORDS; c++, at += 2) {
    const a = x0 - centroids[at]!, b = x1 - centroids[at + 1]!;
    const d = a * a + b * b;
    if (d < bestD) { bestD = d; best = c; }
  }
  return best;
}

/** Fill `table` (m x 256) for query q (already normalised for COSINE); `ip` = IP/COSINE tables. */
export function queryTable(pq: ChunkedPq, q: Float32Array, ip: boolean, table: Float32Array): void {
  const { m, offsets, centroids } = pq;
  for (let j = 0; j < m; j++) {
    const lo = offsets[j]!, w = offsets[j + 1]! - lo, cbase = PQ_CODE_WORDS * lo;
    if (w === 2) {
      pairTable(centroids, cbase, q[lo]!, q[lo + 1]!, ip, table, j * PQ_CODE_WORDS);
      continue;
    }
    for (let c = 0; c < PQ_CODE_WORDS; c++) {
      let s = 0;
      for (let i = 0, at = cbase + c * w; i < w; i++) {
        const v = centroids[at + i]!;
        if (ip) s += q[lo + i]! * v;
        else {
          const t = q[lo + i]! - v;
          s += t * t;
        }
      }
      table[j * PQ_CODE_WORDS + c] = ip ? -s : s;
    }
  }
}

/** queryTable's entries of one 2-wide chunk (the same sums in the same order, unrolled). */
function pairTable(centroids: Float32Array, cbase: number, q0: number, q1: number, ip: boolean, table: Float32Array, at: number): void {
  for (let c = 0, k = cbase; c < PQ_CODE_WORDS; c++, k += 2) {
    const v0 = centroids[k]!, v1 = centroids[k + 1]!;
    if (ip) {
      table[at + c] = -(q0 * v0 + q1 * v1);
    } else {
      const a = q0 - v0, b = q1 - v1;
      table[at + c] = a * a + b * b;
    }
  }
}

/**
 * PQ key of `row`: the sum of its m table entries, in four lanes (chunk j mod 4; the tail into lane
 * 0) summed s0 + s1 + s2 + s3, as the wasm kernel (asm/diskann-search.ts) sums them.
 */
export function pqKey(table: Float32Array, codes: Uint8Array, row: number, m: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const at = row * m, m4 = m & ~3;
  let j = 0;
  for (let t = 0; j < m4; j += 4, t += 4 * PQ_CODE_WORDS) {
    s0 += table[t + codes[at + j]!]!;
    s1 += table[t + PQ_CODE_WORDS + codes[at + j + 1]!]!;
    s2 += table[t + 2 * PQ_CODE_WORDS + codes[at + j + 2]!]!;
    s3 += table[t + 3 * PQ_CODE_WORDS + codes[at + j + 3]!]!;
  }
  for (; j < m; j++) s0 += table[j * PQ_CODE_WORDS + codes[at + j]!]!;
  return s0 + s1 + s2 + s3;
}
