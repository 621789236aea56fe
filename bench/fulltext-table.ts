/** The full-text suite's one table (bench/fulltext.ts). */
import { cpus } from 'node:os';
import type { FulltextOptions, FulltextResult, QueryRow } from './fulltext.js';
import { TERM_COUNTS } from './fulltext-corpus.js';
import { table, type Table } from './table.js';

export function fulltextTable(r: FulltextResult, o: Pick<FulltextOptions, 'passes' | 'queries' | 'batchRows'>): Table {
  const t = table(
    `Full-text search: ${r.corpus.rows} docs (${r.corpus.name}, avg ${r.corpus.avgTokens.toFixed(1)} tokens), top 10, standard analyzer, k1 1.2, b 0.75`,
    ['measure', 'algo', 'terms', 'p50 CPU ms', 'p99 CPU ms', 'per s', 'p50 wall ms', 'top-10 = wink', 'score diff', 'x wink'],
  );
  for (const terms of TERM_COUNTS) {
    const rows = r.queries.filter((q) => q.terms === terms);
    const wink = rows.find((q) => q.path === 'wink-bm25');
    const order = (q: QueryRow): number => (q.path === 'wink-bm25' ? 0 : q.path === 'search()' ? 1 : 2);
    for (const q of [...rows].sort((a, b) => order(a) - order(b))) {
      t.rows.push([
        q.path === 'wink-bm25' ? 'wink-bm25 search' : q.path === 'search()' ? 'client search()' : 'index searchBm25Chunk',
        q.algo ?? '-', terms, q.latency.p50CpuMs, q.latency.p99CpuMs, q.latency.qps, q.latency.p50WallMs,
        q.agreeAt10, q.maxScoreDiff === 0 ? 0 : q.maxScoreDiff.toExponential(1), wink === undefined ? null : q.latency.qps / wink.latency.qps,
      ]);
    }
  }
  const ins = r.insert;
  t.rows.push([`client insert() rows, ${ins.batchRows}-row durable batches`, '-', null, null, null, (ins.rows * 1000) / ins.wallMs, ins.p50BatchMs, null, null, null]);
  t.rows.push(['BM25 function alone (analyse + hash) rows', '-', null, null, null, (ins.rows * 1000) / r.analyzerCpuMs, null, null, null, null]);
  t.rows.push(['wink-bm25 addDoc + consolidate rows', '-', null, null, null, (ins.rows * 1000) / r.winkBuildCpuMs, null, null, null, null]);
  const tm = r.textMatch;
  t.rows.push([`client query() TEXT_MATCH count(*)`, '-', 1, tm.textMatch.p50CpuMs, tm.textMatch.p99CpuMs, tm.textMatch.qps, tm.textMatch.p50WallMs, null, null, null]);
  t.rows.push([`client query() like '%w%' count(*)`, '-', 1, tm.like.p50CpuMs, tm.like.p99CpuMs, tm.like.qps, tm.like.p50WallMs, null, null, null]);
  t.notes.push(`queries: ${o.queries} per term count, words drawn from the corpus's Zipf vocabulary; per query the median of ${o.passes} passes (after a warm-up pass);`);
  t.notes.push('CPU = this process (process.cpuUsage, all threads); per s = queries per CPU second of the median pass (rows/s for the insert rows).');
  t.notes.push(`insert: per s = rows per wall second (each call returns after its WAL record is fsync'd; the BM25 function runs in the call); p50 wall = per ${ins.batchRows}-row call;`);
  t.notes.push(`  CPU ${((ins.cpuMs / ins.rows) * 1000).toFixed(1)} us/row. BM25 function alone and wink build: rows per CPU second.`);
  t.notes.push('top-10 = wink: shared ids / wink hits; score diff: largest |score - wink| / max(1, wink) at the same rank (float32 vs float64).');
  t.notes.push(`TEXT_MATCH vs like: ${tm.words} single words at frequency ranks 0..2000; rows counted ${tm.textMatch.hits} vs ${tm.like.hits} (like is a substring match);`);
  t.notes.push(`  TEXT_MATCH ${(tm.like.p50CpuMs / Math.max(1e-9, tm.textMatch.p50CpuMs)).toFixed(1)}x faster than like at p50. Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}).`);
  return t;
}
