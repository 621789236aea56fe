/**
 * Full-text figures (standalone: `node dist/bench/fulltext.js [docs]`; not yet a `--suite` of run.ts):
 * N generated documents over a Zipf vocabulary, BM25 posting lists of the index layer
 * (index/bm25.ts), p50 / p99 CPU time per query for 1-, 3- and 10-term queries with each
 * inverted_index_algo, top-10; and the same queries on wink-bm25-text-search (QPS from CPU time).
 */
import { createRequire } from 'node:module';
import { buildAnalyzer } from '../src/analyzer/analyzer.js';
import { bm25Vector } from '../src/schema/bm25.js';
import { BM25_ALGOS, buildBm25Postings, searchBm25Chunk } from '../src/index/bm25.js';
import type { SparseVector } from '../src/schema/types.js';

const N = Number(process.argv[2] ?? 100_000);
const VOCAB = 30_000, DOC_LEN = 24, QUERIES = 200;

/** Deterministic generator (mulberry32) and a Zipf(1) sampler over VOCAB words. */
function rng(seed: number): () => number {
  let a = seed;
  return () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t ^= t + Math.imul(t ^ (t >>> 7), 61 | t); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
const cdf = new Float64Array(VOCAB);
for (let i = 0, s = 0; i < VOCAB; i++) { s += 1 / (i + 1); cdf[i] = s; }
const total = cdf[VOCAB - 1]!;
function zipf(r: () => number): string {
  const x = r() * total;
  let lo = 0, hi = VOCAB - 1;
  while (lo < hi) { const m = (lo + hi) >>> 1; if (cdf[m]! < x) lo = m + 1; else hi = m; }
  return `w${lo}`;
}

const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

const r = rng(42);
const docs: string[] = Array.from({ length: N }, () => Array.from({ length: 8 + Math.floor(r() * DOC_LEN * 2 - 8) }, () => zipf(r)).join(' '));
const analyzer = buildAnalyzer(undefined);
let t0 = cpuMs();
const rows: SparseVector[] = docs.map((d) => bm25Vector(analyzer, d));
const postings = buildBm25Postings(rows, null, N);
console.log(`docs ${N}: analyse + hash ${(cpuMs() - t0).toFixed(0)} ms CPU, postings built`);

const avgdl = postings.totalTokens / N;
function weighted(q: string): { terms: Uint32Array; weights: Float32Array } {
  const v = bm25Vector(analyzer, q);
  const weights = new Float32Array(v.indices.length);
  for (let i = 0; i < weights.length; i++) {
    const slot = postings.slots.get(v.indices[i]!);
    const df = slot === undefined ? 0 : postings.offsets[slot + 1]! - postings.offsets[slot]!;
    weights[i] = Math.fround(v.values[i]! * Math.log(1 + (N - df + 0.5) / (df + 0.5)));
  }
  return { terms: v.indices, weights };
}

const winkFactory = createRequire(import.meta.url)('wink-bm25-text-search') as () => {
  defineConfig(c: unknown): void; definePrepTasks(t: ((x: string) => string[])[]): void;
  addDoc(d: Record<string, string>, id: number): void; consolidate(fp: number): void; search(q: string, limit: number): unknown[];
};
const wink = winkFactory();
wink.defineConfig({ fldWeights: { body: 1 }, bm25Params: { k1: 1.2, b: 0.75, k: 1 } });
wink.definePrepTasks([(x) => analyzer.tokens(x)]);
t0 = cpuMs();
docs.forEach((d, i) => wink.addDoc({ body: d }, i));
wink.consolidate(9);
console.log(`wink-bm25 build ${(cpuMs() - t0).toFixed(0)} ms CPU`);

console.log('terms | algo | p50 ms | p99 ms | QPS (1 thread, CPU)');
for (const terms of [1, 3, 10]) {
  const qs = Array.from({ length: QUERIES }, () => Array.from({ length: terms }, () => zipf(r)).join(' '));
  for (const algo of BM25_ALGOS) {
    const times: number[] = [];
    for (const q of qs) {
      const s = cpuMs();
      searchBm25Chunk(postings, weighted(q), { k1: 1.2, b: 0.75, avgdl, algo }, 10, null);
      times.push(cpuMs() - s);
    }
    const sum = times.reduce((a, b) => a + b, 0);
    console.log(`${terms} | ${algo} | ${pct(times, 0.5).toFixed(3)} | ${pct(times, 0.99).toFixed(3)} | ${(1000 * QUERIES / sum).toFixed(0)}`);
  }
  const times: number[] = [];
  for (const q of qs) { const s = cpuMs(); wink.search(q, 10); times.push(cpuMs() - s); }
  const sum = times.reduce((a, b) => a + b, 0);
  console.log(`${terms} | wink-bm25 | ${pct(times, 0.5).toFixed(3)} | ${pct(times, 0.99).toFixed(3)} | ${(1000 * QUERIES / sum).toFixed(0)}`);
}
