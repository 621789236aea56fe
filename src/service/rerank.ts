/**
 * Applying a function-score plan (service/function-score.ts) to the hits of search routes:
 *  - boost scorers rescore each route's hits (Milvus does it per segment on the segment's top-k,
 *    here on the route's merged top-k), in float32, then re-sort by the metric's order;
 *  - one ranker fuses the routes per query: RRF, weighted, or decay (the largest normalised route
 *    score times the decay of the input field's value), best first, ties by smaller primary key.
 */
import type { MetricType } from '../core/enums.js';
import { smallerIsBetter } from '../core/enums.js';
import type { PrimaryKey } from '../engine/pk.js';
import { comparePk } from '../engine/pk.js';
import type { RowRefs, ScopedChunk } from '../engine/read.js';
import { gatherColumn, visibleRows } from '../engine/read.js';
import type { Bitset } from '../schema/column.js';
import type { BoostPlan, BoostScorer, CombineMode, DecayRanker, ProxyRanker } from './function-score.js';

export interface QueryHits { refs: RowRefs; scores: Float32Array }
export interface RouteResult { metric: MetricType; perQuery: QueryHits[] }

const f32 = Math.fround;
const U64 = (1n << 64n) - 1n;

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & U64;
}

function fmix64(k: bigint): bigint {
  let x = k ^ (k >> 33n);
  x = (x * 0xff51afd7ed558ccdn) & U64;
  x ^= x >> 33n;
  x = (x * 0xc4ceb9fe1a85ec53n) & U64;
  return x ^ (x >> 33n);
}

/** Milvus's MurmurHash3_x64_64_Special (rescores/Murmur3.c): one 16-byte block of key then seed. */
export function murmur64Special(keyIn: bigint, seedIn: bigint): bigint {
  const key = BigInt.asUintN(64, keyIn);
  const seed = BigInt.asUintN(64, seedIn);
  const c1 = 0x87c37b91114253d5n;
  const c2 = 0x4cf5ad432745937fn;
  let h1 = key ^ seed;
  let h2 = seed;
  h1 ^= (rotl64((key * c1) & U64, 31n) * c2) & U64;
  h1 = rotl64(h1, 27n);
  h1 = (h1 + h2) & U64;
  h1 = (h1 * 5n + 0x52dce729n) & U64;
  h2 ^= (rotl64((seed * c2) & U64, 33n) * c1) & U64;
  h2 = rotl64(h2, 31n);
  h2 = (h2 + h1) & U64;
  h2 = (h2 * 5n + 0x38495ab5n) & U64;
  h1 ^= 16n;
  h2 ^= 16n;
  h1 = (h1 + h2) & U64;
  h2 = (h2 + h1) & U64;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  return (h1 + h2) & U64;
}

const hashView = new DataView(new ArrayBuffer(8));
/** Milvus's hash_to_double: the low 52 bits as the mantissa of a double in [1, 2), minus 1. */
export function hashToDouble(h: bigint): number {
  hashView.setBigUint64(0, (0x3ffn << 52n) | (h & 0xfffffffffffffn), true);
  return hashView.getFloat64(0, true) - 1;
}

function merge(a: number, b: number, mode: CombineMode): number {
  return mode === 'multiply' ? f32(a * b) : f32(a + b);
}

/** Per hit: does the scorer's filter select its row (null filter: every hit). */
function filterMatches(scope: readonly ScopedChunk[], s: BoostScorer, refs: RowRefs): Uint8Array | null {
  if (s.filter === null) return null;
  const bits = new Map<number, Bitset | null>();
  const out = new Uint8Array(refs.chunk.length);
  for (let i = 0; i < out.length; i++) {
    const ci = refs.chunk[i]!;
    let b = bits.get(ci);
    if (b === undefined) bits.set(ci, (b = visibleRows(scope[ci]!, s.filter)));
    out[i] = b === null || b[refs.row[i]!] === 1 ? 1 : 0;
  }
  return out;
}

/** The random value of each hit: hashed from its Int64 field, or (no field) from its row offset plus chunk (Milvus: segment offset plus segment id). */
function randomValues(scope: readonly ScopedChunk[], r: NonNullable<BoostScorer['random']>, refs: RowRefs): Float64Array {
  const out = new Float64Array(refs.chunk.length);
  const col = r.field === null ? null : gatherColumn(scope, r.field, refs);
  for (let i = 0; i < out.length; i++) {
    const key = col !== null && col.kind === 'int64' ? col.data[i]! : BigInt(refs.row[i]!) + BigInt(refs.chunk[i]!);
    out[i] = hashToDouble(murmur64Special(key, r.seed));
  }
  return out;
}

/** One query's hits rescored by the boost scorers and re-sorted (stable) by the metric's order. */
export function boostHits(scope: readonly ScopedChunk[], plan: BoostPlan, metric: MetricType, q: QueryHits): QueryHits {
  const n = q.refs.chunk.length;
  const boost: (number | undefined)[] = new Array<number | undefined>(n);
  for (const s of plan.scorers) {
    const match = filterMatches(scope, s, q.refs);
    const rand = s.random === null ? null : randomValues(scope, s.random, q.refs);
    for (let i = 0; i < n; i++) {
      if (match !== null && match[i] === 0) continue;
      const v = rand === null ? s.weight : f32(f32(rand[i]!) * s.weight);
      const prev = boost[i];
      boost[i] = prev === undefined ? v : merge(prev, v, plan.functionMode);
    }
  }
  const scores = Float32Array.from(q.scores);
  for (let i = 0; i < n; i++) {
    const b = boost[i];
    if (b !== undefined) scores[i] = merge(scores[i]!, b, plan.boostMode);
  }
  const ascending = smallerIsBetter(metric);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (ascending ? scores[a]! - scores[b]! : scores[b]! - scores[a]!) || a - b);
  return {
    refs: { chunk: Int32Array.from(order, (i) => q.refs.chunk[i]!), row: Int32Array.from(order, (i) => q.refs.row[i]!) },
    scores: Float32Array.from(order, (i) => scores[i]!),
  };
}

/** Milvus's decay curves (decay_function.go), in float64. */
export function decayScore(d: Pick<DecayRanker, 'curve' | 'origin' | 'scale' | 'offset' | 'decay'>, value: number): number {
  const dist = Math.max(0, Math.abs(value - d.origin) - d.offset);
  switch (d.curve) {
    case 'gauss': return Math.exp(dist ** 2 / (d.scale ** 2 / Math.log(d.decay)));
    case 'exp': return Math.exp((Math.log(d.decay) / d.scale) * dist);
    case 'linear': return Math.max(d.decay, 1 - ((1 - d.decay) / d.scale) * dist);
  }
}

/** The decay ranker's view of a route score: larger is better (decay_function.go toGreaterScore). */
function greater(metric: MetricType, s: number): number {
  if (metric === 'COSINE' || metric === 'IP' || metric === 'BM25') return s;
  return f32(1 - f32(f32(2 * f32(Math.atan(s))) / f32(Math.PI)));
}

/** Milvus' score normalisations for the weighted ranker: larger is always better. */
function normalise(metric: MetricType, s: number): number {
  switch (metric) {
    case 'COSINE': return (1 + s) / 2;
    case 'IP': return 0.5 + Math.atan(s) / Math.PI;
    case 'BM25': return (2 * Math.atan(s)) / Math.PI;
    default: return 1 - (2 * Math.atan(s)) / Math.PI;
  }
}

interface Candidate { score: number; chunk: number; row: number }

function numericValues(scope: readonly ScopedChunk[], d: DecayRanker, cands: Candidate[]): number[] {
  const refs = { chunk: Int32Array.from(cands, (c) => c.chunk), row: Int32Array.from(cands, (c) => c.row) };
  const col = gatherColumn(scope, d.field, refs);
  return cands.map((_, i) => {
    const v = col.kind === 'int64' || col.kind === 'int32' || col.kind === 'int16' || col.kind === 'int8' || col.kind === 'float' || col.kind === 'double'
      ? col.data[i]! : 0;
    return typeof v === 'bigint' ? Number(v) : v;
  });
}

/** One query's hits of every route fused by the ranker; the page [offset, offset + topK). */
export function fuseQuery(scope: readonly ScopedChunk[], routes: readonly RouteResult[], q: number, ranker: ProxyRanker, offset: number, topK: number): QueryHits {
  const fused = new Map<PrimaryKey, Candidate>();
  routes.forEach((route, ri) => {
    const hits = route.perQuery[q]!;
    for (let rank = 0; rank < hits.refs.chunk.length; rank++) {
      const ci = hits.refs.chunk[rank]!;
      const row = hits.refs.row[rank]!;
      const pk = scope[ci]!.chunk.pk(row);
      const s = hits.scores[rank]!;
      const prev = fused.get(pk);
      if (ranker.kind === 'decay') {
        const g = greater(route.metric, s);
        if (prev) prev.score = Math.max(prev.score, g);
        else fused.set(pk, { score: g, chunk: ci, row });
        continue;
      }
      const add = ranker.kind === 'rrf'
        ? 1 / (ranker.k + rank + 1)
        : ranker.weights[ri]! * (ranker.normScore || smallerIsBetter(route.metric) ? normalise(route.metric, s) : s);
      if (prev) prev.score += add;
      else fused.set(pk, { score: add, chunk: ci, row });
    }
  });
  if (ranker.kind === 'decay') {
    const cands = [...fused.values()];
    const values = numericValues(scope, ranker, cands);
    cands.forEach((c, i) => { c.score = f32(f32(decayScore(ranker, values[i]!)) * c.score); });
  }
  const sorted = [...fused.entries()].sort((a, b) => b[1].score - a[1].score || comparePk(a[0], b[0]));
  const page = sorted.slice(offset, offset + topK);
  return {
    refs: { chunk: Int32Array.from(page, (e) => e[1].chunk), row: Int32Array.from(page, (e) => e[1].row) },
    scores: Float32Array.from(page, (e) => e[1].score),
  };
}

/** Routes with boosts applied (when the plan has boost scorers). */
export function boostRoutes(scope: readonly ScopedChunk[], plan: BoostPlan | null, routes: RouteResult[]): RouteResult[] {
  if (plan === null) return routes;
  return routes.map((r) => ({ metric: r.metric, perQuery: r.perQuery.map((q) => boostHits(scope, plan, r.metric, q)) }));
}
