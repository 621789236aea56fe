/**
 * The full-text suite's corpus and reference: a deterministic generator of documents over a Zipf(1)
 * vocabulary of pronounceable pseudo-words (no text package of >= 100k documents is installable here,
 * reference note §7.2), produced batch by batch, and wink-bm25-text-search (the npm reference BM25,
 * note §7.1) fed Sextant's own tokens.
 */
import { createRequire } from 'node:module';

export const VOCAB_WORDS = 30_000;
/** Document length in words: uniform in [MIN_DOC_WORDS, MAX_DOC_WORDS]. */
export const MIN_DOC_WORDS = 8;
export const MAX_DOC_WORDS = 40;
/** Query lengths measured, in words. */
export const TERM_COUNTS = [1, 3, 10] as const;

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'ze', 'po', 'de', 'fu', 'ga', 'hi', 'jo', 'bu', 'ce', 'wa', 'yo', 'xi'];

/** The word of frequency rank `rank` (0 = most frequent): rank + 1 written in base 20 syllables. */
export function wordOf(rank: number): string {
  let n = rank + 1, out = '';
  while (n > 0) { out = SYLLABLES[n % 20]! + out; n = Math.floor(n / 20); }
  return out;
}

/** Zipf(1) sampler over `vocab` ranks by inverse CDF. */
export function zipfSampler(vocab: number, r: () => number): () => number {
  const cdf = new Float64Array(vocab);
  for (let i = 0, s = 0; i < vocab; i++) { s += 1 / (i + 1); cdf[i] = s; }
  const total = cdf[vocab - 1]!;
  return () => {
    const x = r() * total;
    let lo = 0, hi = vocab - 1;
    while (lo < hi) { const m = (lo + hi) >>> 1; if (cdf[m]! < x) lo = m + 1; else hi = m; }
    return lo;
  };
}

/** Documents [0, rows), `batchRows` at a time; the same seed gives the same documents. */
export function* documentBatches(rows: number, batchRows: number, seed: number): Generator<string[]> {
  const r = rng(seed);
  const rank = zipfSampler(VOCAB_WORDS, r);
  const words: string[] = Array.from({ length: VOCAB_WORDS }, (_, i) => wordOf(i));
  for (let from = 0; from < rows; from += batchRows) {
    const n = Math.min(batchRows, rows - from);
    const batch: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const len = MIN_DOC_WORDS + Math.floor(r() * (MAX_DOC_WORDS - MIN_DOC_WORDS + 1));
      const w: string[] = new Array(len);
      for (let j = 0; j < len; j++) w[j] = words[rank()]!;
      batch[i] = w.join(' ');
    }
    yield batch;
  }
}

/** `count` queries of `terms` words each, drawn from the same Zipf vocabulary (another seed). */
export function queryTexts(count: number, terms: number, seed: number): string[] {
  const r = rng(seed);
  const rank = zipfSampler(VOCAB_WORDS, r);
  return Array.from({ length: count }, () => Array.from({ length: terms }, () => wordOf(rank())).join(' '));
}

/** Single words at evenly spaced frequency ranks in [0, maxRank): TEXT_MATCH / like probes. */
export function probeWords(count: number, maxRank: number): string[] {
  return Array.from({ length: count }, (_, i) => wordOf(Math.floor((i / count) * maxRank)));
}

export interface Wink {
  defineConfig(c: unknown): void;
  definePrepTasks(t: ((x: string) => string[])[]): void;
  addDoc(doc: Record<string, string>, id: number): void;
  consolidate(fp: number): void;
  search(q: string, limit: number): [string | number, number][];
}

/** wink-bm25 with k1 1.2, b 0.75, IDF k 1 (= Milvus's IDF) and `tokens` as its only prep task. */
export function newWink(tokens: (text: string) => string[]): Wink {
  const w = (createRequire(import.meta.url)('wink-bm25-text-search') as () => Wink)();
  w.defineConfig({ fldWeights: { body: 1 }, bm25Params: { k1: 1.2, b: 0.75, k: 1 } });
  w.definePrepTasks([tokens]);
  return w;
}
