/** The ANN suite's three tables: every row, Sextant's graph indexes against the peers per ef, and filtered search. */
import type { AnnResult, AnnRow } from './ann.js';
import { ratio } from './measure.js';
import { mb, table, type Table } from './table.js';

const sec = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

function allRows(r: AnnResult): Table {
  const { name, n, dim, nq } = r.dataset;
  const t = table(`ANN ${name} (n=${n}, dim=${dim}, queries=${nq}, top-10, L2)`, [
    'engine', 'index', 'setting', 'recall@10', 'QPS 1t', 'QPS 2t', 'build s', 'build 2t s', 'RSS +MB', 'buffers +MB', 'serialized MB',
  ]);
  for (const x of r.rows) {
    t.rows.push([
      x.engine, x.index, x.setting, x.recallAt10, x.qps1, x.qps2, sec(x.buildMs), sec(x.build2Ms),
      mb(x.rssDeltaBytes), mb(x.arrayBuffersDeltaBytes), mb(x.serializedBytes),
    ]);
  }
  t.notes.push('QPS 1t: one query per call on the main thread. QPS 2t: all queries as one batched request; Sextant HNSW, IVF_FLAT',
    'and IVF_SQ8 on the engine\'s 2-thread pool over the index\'s shared memory (searchOnPool), other Sextant indexes and',
    'hnswlib-node on two worker threads with a copy of the index each, usearch with its native batch search (threads=2).',
    'build/memory: first row of each index.');
  for (const s of r.skipped) t.notes.push(`skipped ${s.index}: ${s.reason}`);
  return t;
}

function peerRow(rows: AnnRow[], engine: string, ef: number): AnnRow | undefined {
  return rows.find((x) => x.engine === engine && x.ef === ef);
}

function versusPeers(r: AnnResult): Table {
  const t = table(`Sextant vs peers per ef (${r.dataset.name}, M=${r.graph.m}, efConstruction=${r.graph.efConstruction})`, [
    'index', 'ef', 'recall S', 'recall usearch', 'recall hnswlib', 'QPS1 S', 'QPS1 usearch', 'QPS1 hnswlib',
    'S/usearch 1t', 'S/hnswlib 1t', 'S/usearch 2t', 'S/hnswlib 2t',
  ]);
  const graphIndexes = [...new Set(r.rows.filter((x) => x.engine === 'sextant' && x.ef !== null).map((x) => x.index))];
  const efs = [...new Set(r.rows.filter((x) => x.ef !== null).map((x) => x.ef as number))];
  for (const index of graphIndexes.length > 0 ? graphIndexes : [null]) {
    for (const ef of efs) {
      const s = index === null ? undefined : r.rows.find((x) => x.engine === 'sextant' && x.index === index && x.ef === ef);
      const u = peerRow(r.rows, 'usearch', ef), h = peerRow(r.rows, 'hnswlib-node', ef);
      t.rows.push([
        index ?? '(none registered)', ef, s?.recallAt10 ?? null, u?.recallAt10 ?? null, h?.recallAt10 ?? null,
        s?.qps1 ?? null, u?.qps1 ?? null, h?.qps1 ?? null,
        ratio(s?.qps1, u?.qps1), ratio(s?.qps1, h?.qps1), ratio(s?.qps2, u?.qps2), ratio(s?.qps2, h?.qps2),
      ]);
    }
    if (index !== null) {
      const sb = r.rows.find((x) => x.engine === 'sextant' && x.index === index && x.buildMs !== null)?.buildMs;
      const ub = r.rows.find((x) => x.engine === 'usearch' && x.buildMs !== null)?.buildMs;
      const hb = r.rows.find((x) => x.engine === 'hnswlib-node' && x.buildMs !== null)?.buildMs;
      const f = (v: number | null): string => (v === null ? '-' : v.toFixed(2));
      t.notes.push(`${index} build time / usearch (1 thread): ${f(ratio(sb, ub))}, / hnswlib-node: ${f(ratio(sb, hb))}`);
    }
  }
  t.notes.push('S/peer > 1 means Sextant is faster. Compare QPS only between rows of similar recall.');
  return t;
}

function filteredTable(r: AnnResult): Table {
  const t = table(`Filtered search (${r.dataset.name}, random bitset, one query per call)`, [
    'engine', 'index', 'setting', 'selectivity %', 'allowed rows', 'recall@10', 'QPS 1t', 'QPS / hnswlib', 'engine route',
  ]);
  for (const x of r.filtered) {
    const h = r.filtered.find((y) => y.engine === 'hnswlib-node' && y.selectivity === x.selectivity);
    t.rows.push([
      x.engine, x.index, x.setting, x.selectivity * 100, x.allowedRows, x.recallAt10, x.qps1,
      x.engine === 'sextant' ? ratio(x.qps1, h?.qps1) : null, x.engineRoute,
    ]);
  }
  t.notes.push('recall against the exact filtered top-10. "engine route": what the index\'s planner chose for these',
    'queries: "exact scan" of the listed allowed rows (HNSW: when cheaper than the filtered walk; IVF: under 2% allowed), or "index".');
  return t;
}

export function annTables(r: AnnResult): Table[] {
  return [allRows(r), versusPeers(r), filteredTable(r)];
}
