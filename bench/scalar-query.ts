/**
 * Scalar query suite (`npm run bench -- --suite scalar-query [--rows N]`): the scalar suite's
 * 0.1%-selective filters (bench/scalar-index.ts, same columns) through the embedded client's
 * `query()`, on one loaded collection without scalar indexes and then with each index set the
 * cases name: `count(*)` and `id` with limit 10, CPU ms per query (process.cpuUsage, median of
 * `passes`), the indexed answers compared with the scan's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType } from '../src/core/enums.js';
import { SextantClient } from '../src/client/client.js';
import type { Column } from '../src/schema/column.js';
import { SextantService } from '../src/service/service.js';
import { CASES, columns } from './scalar-index.js';
import { table, type Table } from './table.js';

export interface ScalarQueryOptions { rows: number; seed: number; passes: number; log: (line: string) => void; indexes?: readonly string[] | null }
export interface ScalarQueryRow {
  case: string; index: string; filter: string; count: number;
  scanCountMs: number; indexCountMs: number; scanIdsMs: number; indexIdsMs: number; identical: boolean;
}
export interface ScalarQueryResult { rows: ScalarQueryRow[]; segments: number; tables: Table[] }

const C = 'scalar_query';
const SCALAR_FIELDS = ['k', 'x', 's', 't'];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function cpuMs(f: () => Promise<unknown>): Promise<number> {
  const a = process.cpuUsage();
  await f();
  const d = process.cpuUsage(a);
  return (d.user + d.system) / 1000;
}

/** Until every index of the collection is built (the builds would otherwise run, and count, during the queries). */
async function waitForIndexes(svc: SextantService): Promise<void> {
  for (;;) {
    const all = await svc.describeIndex({ collectionName: C });
    if (all.every((d) => d.state === 'Finished' || d.state === 'Failed')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Index sets, each with at most one index per field: the cases' (index type, field) pairs spread over as few sets as that allows. */
function indexSets(indexes: readonly string[] | null | undefined): Map<string, [string, Record<string, string>]>[] {
  const sets: Map<string, [string, Record<string, string>]>[] = [];
  for (const [, indexType, field, params] of CASES) {
    if (indexes && !indexes.includes(indexType)) continue;
    let set = sets.find((s) => !s.has(field));
    if (set === undefined) sets.push((set = new Map()));
    set.set(field, [indexType, params]);
  }
  return sets;
}

/** count(*) with `filter`, ids with `idsFilter` (another text: a chunk keeps its last filter results, and the count's would answer the ids). */
async function measure(client: SextantClient, filter: string, idsFilter: string): Promise<{ count: number; ids: string; countMs: number; idsMs: number }> {
  let count = -1;
  let ids = '';
  const countMs = await cpuMs(async () => {
    const r = await client.query({ collection_name: C, filter, output_fields: ['count(*)'] });
    count = Number(r.data[0]?.['count(*)'] ?? -1);
  });
  const idsMs = await cpuMs(async () => {
    const r = await client.query({ collection_name: C, filter: idsFilter, output_fields: ['id'], limit: 10 });
    ids = r.data.map((x) => String(x['id'])).join();
  });
  return { count, ids, countMs, idsMs };
}

export async function runScalarQueryBench(o: ScalarQueryOptions): Promise<ScalarQueryResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sextant-scalar-query-'));
  const svc = await SextantService.open({ dataDir: dir });
  const client = new SextantClient(svc);
  try {
    await client.createCollection({ collection_name: C, fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'k', data_type: DataType.Int64 },
      { name: 'x', data_type: DataType.Double }, { name: 's', data_type: DataType.VarChar, max_length: 64 },
      { name: 't', data_type: DataType.VarChar, max_length: 64 }, { name: 'vec', data_type: DataType.FloatVector, dim: 2 },
    ] });
    o.log(`scalar-query: generating and inserting ${o.rows} rows`);
    const cols = columns(o.rows, o.seed);
    const batch = 50_000;
    for (let from = 0; from < o.rows; from += batch) {
      const to = Math.min(o.rows, from + batch);
      const part = new Map<string, Column>();
      for (const [name, c] of cols) {
        part.set(name, c.kind === 'varchar' ? { kind: 'varchar', data: c.data.slice(from, to), valid: null }
          : c.kind === 'int64' ? { kind: 'int64', data: c.data.slice(from, to), valid: null }
          : c.kind === 'double' ? { kind: 'double', data: c.data.slice(from, to), valid: null } : c);
      }
      part.set('vec', { kind: 'floatVector', dim: 2, data: new Float32Array(2 * (to - from)), valid: null });
      await svc.insert({ collectionName: C, numRows: to - from, columns: part });
    }
    await client.flush({ collection_names: [C] });
    await client.createIndex({ collection_name: C, field_name: 'vec', index_type: 'FLAT', metric_type: 'L2' } as never);
    await waitForIndexes(svc);
    await client.loadCollectionSync({ collection_name: C });
    const cases = CASES.filter(([, ix]) => !o.indexes || o.indexes.includes(ix));
    const scan = new Map<string, { count: number[]; ids: number[]; answer: string }>();
    for (const [label, , field, , filterAt] of cases) {
      const key = `${label}|${field}`;
      if (scan.has(key)) continue;
      const s = { count: [] as number[], ids: [] as number[], answer: '' };
      for (let p = 0; p < o.passes; p++) {
        const m = await measure(client, filterAt(p), filterAt(p + o.passes));
        s.count.push(m.countMs); s.ids.push(m.idsMs);
        if (p === 0) s.answer = `${m.count}:${m.ids}`;
      }
      scan.set(key, s);
      o.log(`scalar-query: ${label} scan: count ${median(s.count).toFixed(2)} ms, ids ${median(s.ids).toFixed(2)} ms (${s.answer.split(':')[0]} rows)`);
    }
    const out: ScalarQueryResult = { rows: [], segments: 0, tables: [] };
    for (const set of indexSets(o.indexes)) {
      await client.releaseCollection({ collection_name: C });
      for (const f of SCALAR_FIELDS) await client.dropIndex({ collection_name: C, field_name: f } as never);
      for (const [field, [indexType, params]] of set) {
        const st = await client.createIndex({ collection_name: C, field_name: field, index_type: indexType, params } as never);
        if (st.error_code !== 'Success') throw new Error(`bench: ${indexType} on ${field}: ${st.reason}`);
      }
      await waitForIndexes(svc);
      await client.loadCollectionSync({ collection_name: C });
      o.log(`scalar-query: indexes ${[...set].map(([f, [t]]) => `${t} on ${f}`).join(', ')} built and loaded`);
      for (const [label, indexType, field, , filterAt] of cases) {
        if (set.get(field)?.[0] !== indexType) continue;
        const s = scan.get(`${label}|${field}`)!;
        const count: number[] = [];
        const ids: number[] = [];
        let answer = '';
        for (let p = 0; p < o.passes; p++) {
          const m = await measure(client, filterAt(p), filterAt(p + o.passes));
          count.push(m.countMs); ids.push(m.idsMs);
          if (p === 0) answer = `${m.count}:${m.ids}`;
        }
        const row: ScalarQueryRow = {
          case: label, index: indexType, filter: filterAt(0), count: Number(answer.split(':')[0]),
          scanCountMs: median(s.count), indexCountMs: median(count), scanIdsMs: median(s.ids), indexIdsMs: median(ids), identical: answer === s.answer,
        };
        out.rows.push(row);
        o.log(`scalar-query: ${label} ${indexType}: count ${row.scanCountMs.toFixed(2)} -> ${row.indexCountMs.toFixed(2)} ms, ids ${row.scanIdsMs.toFixed(2)} -> ${row.indexIdsMs.toFixed(2)} ms, identical ${row.identical}`);
      }
    }
    const t = table(`Scalar indexes through the embedded client's query(): ${o.rows} rows, CPU ms per query (median of ${o.passes})`,
      ['case', 'index', 'filter (first pass)', 'count', 'count(*) scan ms', 'count(*) index ms', 'speed-up', 'ids (limit 10) scan ms', 'ids index ms', 'speed-up', 'identical']);
    for (const r of out.rows) t.rows.push([r.case, r.index, r.filter, r.count, r.scanCountMs, r.indexCountMs, r.scanCountMs / r.indexCountMs, r.scanIdsMs, r.indexIdsMs, r.scanIdsMs / r.indexIdsMs, r.identical ? 'yes' : 'NO']);
    t.notes.push('Each query compiles its filter (a new text every pass) and evaluates it over every loaded segment; the scan answers from the chunk bitset, the index from row ids (engine/read.ts).');
    out.tables.push(t);
    return out;
  } finally {
    await svc.close();
    await rm(dir, { recursive: true, force: true });
  }
}
