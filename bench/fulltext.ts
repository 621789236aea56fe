/**
 * Full-text suite (`npm run bench -- --suite fulltext`): BM25 search and TEXT_MATCH on a generated
 * corpus (bench/fulltext-corpus.ts: `--rows` documents over a Zipf vocabulary), in one process and one run:
 *  - insert through the embedded client (`insert()` of 1000-row batches, each durable: WAL fsync'd
 *    when it returns; the BM25 function analyses every text on that path), then flush + load;
 *  - for each inverted_index_algo (release, drop index, create index, load): 1-, 3- and 10-term text
 *    queries through the embedded client's `search()` (the user's path: analyse the query, exact
 *    collection-wide statistics, per-segment posting lists, merge) and at the index level
 *    (index/bm25.ts `searchBm25Chunk` on one posting list over every row, query weights computed by
 *    the caller), next to wink-bm25-text-search built and queried on the same documents and tokens;
 *  - top-10 agreement with wink (shared ids / wink's hits) and the largest score difference;
 *  - TEXT_MATCH against `like '%w%'` through `query()` with count(*).
 * Per-query figures are CPU time of this process (process.cpuUsage: steadier than wall time on a
 * shared machine), each query's median over `passes` passes; QPS = queries / CPU seconds of the median
 * pass. Nothing is compared to a time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAnalyzer, type Analyzer } from '../src/analyzer/analyzer.js';
import { DataType, open, type SextantClient } from '../src/client/index.js';
import { BM25_ALGOS, buildBm25Postings, searchBm25Chunk, type Bm25Algo, type Bm25Postings, type Bm25Query } from '../src/index/bm25.js';
import { bm25Vector } from '../src/schema/bm25.js';
import type { SparseVector } from '../src/schema/types.js';
import { documentBatches, MAX_DOC_WORDS, MIN_DOC_WORDS, newWink, probeWords, queryTexts, TERM_COUNTS, VOCAB_WORDS, type Wink } from './fulltext-corpus.js';
import { fulltextTable } from './fulltext-table.js';
import type { Table } from './table.js';

export interface FulltextOptions {
  rows: number;
  /** Queries per term count. */
  queries: number;
  seed: number;
  batchRows: number;
  passes: number;
  /** Words probed with TEXT_MATCH and like. */
  probes: number;
  log: (line: string) => void;
}

/** 200 queries per length unless --queries says otherwise (wink-bm25 spends ~1 s of CPU per 10-term query pass of 4 at 100k rows). */
export const DEFAULT_FULLTEXT: Omit<FulltextOptions, 'rows' | 'seed' | 'log'> = { queries: 200, batchRows: 1000, passes: 3, probes: 50 };
const COLLECTION = 'fulltext';
const K = 10;

export interface Latency { p50CpuMs: number; p99CpuMs: number; qps: number; p50WallMs: number }
export interface QueryRow {
  path: 'search()' | 'index' | 'wink-bm25';
  algo: Bm25Algo | null;
  terms: number;
  latency: Latency;
  /** Shared top-10 ids with wink / wink's top-10 hits (1 for wink itself). */
  agreeAt10: number;
  /** Largest |score - wink score| / max(1, wink score) at the same rank. */
  maxScoreDiff: number;
}

export interface FulltextResult {
  corpus: { name: string; rows: number; vocabWords: number; avgTokens: number };
  insert: { rows: number; batchRows: number; wallMs: number; cpuMs: number; p50BatchMs: number; p99BatchMs: number };
  analyzerCpuMs: number;
  winkBuildCpuMs: number;
  queries: QueryRow[];
  textMatch: { words: number; textMatch: Latency & { hits: number }; like: Latency & { hits: number } };
  tables: Table[];
}

const cpuNowMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const pct = (sorted: Float64Array, p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Each query `passes` times (after one warm-up pass): per query the median CPU and wall time. */
async function timeQueries<T>(n: number, passes: number, fn: (i: number) => T | Promise<T>): Promise<{ latency: Latency; last: T[] }> {
  const last: T[] = new Array(n);
  for (let i = 0; i < n; i++) last[i] = await fn(i);
  const cpu = Array.from({ length: n }, () => new Array<number>(passes));
  const wall = Array.from({ length: n }, () => new Array<number>(passes));
  const passCpu: number[] = [];
  for (let p = 0; p < passes; p++) {
    const p0 = cpuNowMs();
    for (let i = 0; i < n; i++) {
      const c0 = cpuNowMs(), w0 = performance.now();
      last[i] = await fn(i);
      wall[i]![p] = performance.now() - w0;
      cpu[i]![p] = cpuNowMs() - c0;
    }
    passCpu.push(cpuNowMs() - p0);
  }
  const cpuMed = Float64Array.from(cpu, median).sort();
  const wallMed = Float64Array.from(wall, median).sort();
  const passMs = median(passCpu);
  return { latency: { p50CpuMs: pct(cpuMed, 0.5), p99CpuMs: pct(cpuMed, 0.99), qps: passMs > 0 ? (n * 1000) / passMs : 0, p50WallMs: pct(wallMed, 0.5) }, last };
}

interface Hits { ids: number[]; scores: number[] }

function compare(got: readonly Hits[], want: readonly Hits[]): { agreeAt10: number; maxScoreDiff: number } {
  let shared = 0, wanted = 0, diff = 0;
  for (let q = 0; q < want.length; q++) {
    const w = want[q]!, g = got[q]!;
    wanted += w.ids.length;
    for (const id of g.ids) if (w.ids.includes(id)) shared++;
    for (let i = 0; i < Math.min(w.scores.length, g.scores.length); i++) {
      diff = Math.max(diff, Math.abs(g.scores[i]! - w.scores[i]!) / Math.max(1, Math.abs(w.scores[i]!)));
    }
    if (g.ids.length !== w.ids.length) diff = Infinity;
  }
  return { agreeAt10: wanted === 0 ? 1 : shared / wanted, maxScoreDiff: diff };
}

/** Insert every document through the client (and into wink and the index-level rows alongside, timed apart). */
async function loadCorpus(client: SextantClient, o: FulltextOptions, analyzer: Analyzer, wink: Wink): Promise<{ rows: SparseVector[] } & Omit<FulltextResult, 'queries' | 'textMatch' | 'tables' | 'corpus'>> {
  await client.createCollection({
    collection_name: COLLECTION,
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'text', data_type: DataType.VarChar, max_length: 4096, enable_analyzer: true, enable_match: true },
      { name: 'sparse', data_type: DataType.SparseFloatVector },
    ],
    functions: [{ name: 'bm25', description: '', type: 1, input_field_names: ['text'], output_field_names: ['sparse'], params: {} }],
  });
  const rows: SparseVector[] = [];
  const batchMs: number[] = [];
  let insertCpu = 0, insertWall = 0, analyzerCpuMs = 0, winkBuildCpuMs = 0, id = 0;
  for (const batch of documentBatches(o.rows, o.batchRows, o.seed)) {
    const data = batch.map((text, i) => ({ id: id + i, text }));
    const c0 = cpuNowMs(), w0 = performance.now();
    const r = await client.insert({ collection_name: COLLECTION, data });
    const w = performance.now() - w0;
    insertCpu += cpuNowMs() - c0;
    insertWall += w;
    batchMs.push(w);
    if (r.status.error_code !== 'Success') throw new Error(`bench: insert failed: ${r.status.reason}`);
    let c1 = cpuNowMs();
    for (const text of batch) rows.push(bm25Vector(analyzer, text));
    analyzerCpuMs += cpuNowMs() - c1;
    c1 = cpuNowMs();
    for (let i = 0; i < batch.length; i++) wink.addDoc({ body: batch[i]! }, id + i);
    winkBuildCpuMs += cpuNowMs() - c1;
    id += batch.length;
    if (id % (o.batchRows * 20) === 0) o.log(`[fulltext] inserted ${id} rows`);
  }
  const c1 = cpuNowMs();
  wink.consolidate(9);
  winkBuildCpuMs += cpuNowMs() - c1;
  const sorted = Float64Array.from(batchMs).sort();
  return {
    rows, analyzerCpuMs, winkBuildCpuMs,
    insert: { rows: o.rows, batchRows: o.batchRows, wallMs: insertWall, cpuMs: insertCpu, p50BatchMs: pct(sorted, 0.5), p99BatchMs: pct(sorted, 0.99) },
  };
}

async function useAlgo(client: SextantClient, algo: Bm25Algo, first: boolean): Promise<void> {
  if (!first) {
    await client.releaseCollection({ collection_name: COLLECTION });
    await client.dropIndex({ collection_name: COLLECTION, field_name: 'sparse' });
  }
  const s = await client.createIndex({
    collection_name: COLLECTION, field_name: 'sparse', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25',
    params: { inverted_index_algo: algo, bm25_k1: 1.2, bm25_b: 0.75 },
  });
  if (s.error_code !== 'Success') throw new Error(`bench: createIndex ${algo}: ${s.reason}`);
  const l = await client.loadCollectionSync({ collection_name: COLLECTION });
  if (l.error_code !== 'Success') throw new Error(`bench: load: ${l.reason}`);
}

/** The index-level query: analyse, hash, weights qtf * idf from the posting list's document frequencies. */
function indexQuery(p: Bm25Postings, analyzer: Analyzer, text: string): Bm25Query {
  const v = bm25Vector(analyzer, text);
  const weights = new Float32Array(v.indices.length);
  for (let i = 0; i < weights.length; i++) {
    const slot = p.slots.get(v.indices[i]!);
    const df = slot === undefined ? 0 : p.offsets[slot + 1]! - p.offsets[slot]!;
    weights[i] = Math.fround(v.values[i]! * Math.log(1 + (p.numRows - df + 0.5) / (df + 0.5)));
  }
  return { terms: v.indices, weights };
}

async function searchRows(client: SextantClient, o: FulltextOptions, ctx: { analyzer: Analyzer; wink: Wink; postings: Bm25Postings }): Promise<QueryRow[]> {
  const out: QueryRow[] = [];
  const avgdl = ctx.postings.totalTokens / ctx.postings.numRows;
  const sets = TERM_COUNTS.map((terms) => ({ terms, texts: queryTexts(o.queries, terms, o.seed * 1000 + terms) }));
  const truth = new Map<number, Hits[]>();
  for (const { terms, texts } of sets) {
    const w = await timeQueries(texts.length, o.passes, (i) => ctx.wink.search(texts[i]!, K));
    const hits = w.last.map((h): Hits => ({ ids: h.map(([id]) => Number(id)), scores: h.map(([, s]) => s) }));
    truth.set(terms, hits);
    out.push({ path: 'wink-bm25', algo: null, terms, latency: w.latency, agreeAt10: 1, maxScoreDiff: 0 });
  }
  for (const [ai, algo] of BM25_ALGOS.entries()) {
    o.log(`[fulltext] ${algo}: create index, load, search`);
    await useAlgo(client, algo, ai === 0);
    for (const { terms, texts } of sets) {
      const want = truth.get(terms)!;
      const s = await timeQueries(texts.length, o.passes, async (i) => {
        const r = await client.search({ collection_name: COLLECTION, data: texts[i]!, anns_field: 'sparse', limit: K });
        return { ids: r.results.map((h) => Number(h.id)), scores: r.results.map((h) => h.score) };
      });
      out.push({ path: 'search()', algo, terms, latency: s.latency, ...compare(s.last, want) });
      const x = await timeQueries(texts.length, o.passes, (i) => {
        const h = searchBm25Chunk(ctx.postings, indexQuery(ctx.postings, ctx.analyzer, texts[i]!), { k1: 1.2, b: 0.75, avgdl, algo }, K, null);
        return { ids: Array.from(h.rows), scores: Array.from(h.scores) };
      });
      out.push({ path: 'index', algo, terms, latency: x.latency, ...compare(x.last, want) });
    }
  }
  return out;
}

async function textMatchRows(client: SextantClient, o: FulltextOptions): Promise<FulltextResult['textMatch']> {
  const words = probeWords(o.probes, 2000);
  const count = async (filter: string): Promise<number> => {
    const r = await client.query({ collection_name: COLLECTION, filter, output_fields: ['count(*)'] });
    if (r.status.error_code !== 'Success') throw new Error(`bench: query ${filter}: ${r.status.reason}`);
    return Number(r.data[0]?.['count(*)'] ?? 0);
  };
  const tm = await timeQueries(words.length, o.passes, (i) => count(`TEXT_MATCH(text, '${words[i]!}')`));
  const lk = await timeQueries(words.length, o.passes, (i) => count(`text like '%${words[i]!}%'`));
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  return { words: words.length, textMatch: { ...tm.latency, hits: sum(tm.last) }, like: { ...lk.latency, hits: sum(lk.last) } };
}

export async function runFulltext(o: FulltextOptions): Promise<FulltextResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sextant-bench-fulltext-'));
  const client = await open(dir);
  try {
    const analyzer = buildAnalyzer(undefined);
    const wink = newWink((t) => analyzer.tokens(t));
    o.log(`[fulltext] ${o.rows} generated documents: insert through the embedded client, wink-bm25 alongside`);
    const loaded = await loadCorpus(client, o, analyzer, wink);
    await client.flushSync({ collection_names: [COLLECTION] });
    const postings = buildBm25Postings(loaded.rows, null, loaded.rows.length);
    const queries = await searchRows(client, o, { analyzer, wink, postings });
    o.log(`[fulltext] TEXT_MATCH vs like over ${o.probes} words`);
    const textMatch = await textMatchRows(client, o);
    const result: FulltextResult = {
      corpus: { name: `zipf-${VOCAB_WORDS}w-${MIN_DOC_WORDS}..${MAX_DOC_WORDS}`, rows: o.rows, vocabWords: VOCAB_WORDS, avgTokens: postings.totalTokens / postings.numRows },
      insert: loaded.insert, analyzerCpuMs: loaded.analyzerCpuMs, winkBuildCpuMs: loaded.winkBuildCpuMs, queries, textMatch, tables: [],
    };
    result.tables = [fulltextTable(result, o)];
    return result;
  } finally {
    await client.close();
    await rm(dir, { recursive: true, force: true });
  }
}
