/**
 * Engine suite, through SextantService on a temp dir: durable insert throughput (every insert returns
 * after its WAL record is fsynced), load time and process memory around load / release, and exact
 * (FLAT) search QPS at nq = 1 with recall against the data set's ground truth.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType } from '../src/core/enums.js';
import type { Column } from '../src/schema/column.js';
import { SextantService } from '../src/service/service.js';
import type { CreateCollectionRequest, SearchRequest } from '../src/service/types.js';
import { floatColumn, GT_K, type Dataset } from './data.js';
import { perSecond, recallAtK, settledMemory, type MemorySample } from './measure.js';
import { mb, table, type Table } from './table.js';

export interface EngineOptions {
  batchSizes: readonly number[];
  /** Queries searched through the service (FLAT is an exact scan, so a few hundred suffice). */
  searchQueries: number;
  log: (line: string) => void;
}

export const DEFAULT_ENGINE: Omit<EngineOptions, 'log'> = { batchSizes: [1000, 10_000], searchQueries: 200 };

export interface EngineResult {
  dataset: { name: string; n: number; dim: number };
  inserts: { batchRows: number; rows: number; ms: number; rowsPerSec: number }[];
  loadMs: number;
  memory: { beforeLoad: MemorySample; afterLoad: MemorySample; afterRelease: MemorySample };
  search: { index: string; nq: number; queries: number; qps: number; recallAt10: number };
  tables: Table[];
}

export function benchCollection(name: string, dim: number): CreateCollectionRequest {
  return {
    collectionName: name,
    fields: [
      { name: 'id', dataType: DataType.Int64, isPrimaryKey: true, autoId: false },
      { name: 'vec', dataType: DataType.FloatVector, dim },
    ],
  };
}

/** Rows [from, to) of the data set as insert columns; the primary key is the row number. */
export function rowsAsColumns(ds: Dataset, from: number, to: number): Map<string, Column> {
  const ids = new BigInt64Array(to - from);
  for (let i = 0; i < ids.length; i++) ids[i] = BigInt(from + i);
  return new Map<string, Column>([
    ['id', { kind: 'int64', data: ids, valid: null }],
    ['vec', floatColumn(ds.base.slice(from * ds.dim, to * ds.dim), ds.dim)],
  ]);
}

async function timedInserts(svc: SextantService, name: string, ds: Dataset, batchRows: number): Promise<EngineResult['inserts'][number]> {
  await svc.createCollection(benchCollection(name, ds.dim));
  let ms = 0;
  for (let from = 0; from < ds.n; from += batchRows) {
    const to = Math.min(ds.n, from + batchRows);
    const columns = rowsAsColumns(ds, from, to);
    const t0 = performance.now();
    await svc.insert({ collectionName: name, numRows: to - from, columns });
    ms += performance.now() - t0;
  }
  return { batchRows, rows: ds.n, ms, rowsPerSec: perSecond(ds.n, ms) };
}

export async function waitForIndex(svc: SextantService, collectionName: string): Promise<void> {
  for (let i = 0; i < 6000; i++) {
    const [d] = await svc.describeIndex({ collectionName });
    if (d === undefined || d.state === 'Finished' || d.state === 'Failed') return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Search the first `queries` queries one at a time through `search`; hit ids are row numbers. */
export async function timedSearches(
  ds: Dataset, queries: number, search: (vector: Float32Array) => Promise<readonly number[]>,
): Promise<{ qps: number; recallAt10: number; queries: number }> {
  const nq = Math.min(queries, ds.nq);
  const found = new Int32Array(nq * GT_K).fill(-1);
  for (let q = 0; q < Math.min(5, nq); q++) await search(ds.queries.subarray(q * ds.dim, (q + 1) * ds.dim));
  const t0 = performance.now();
  for (let q = 0; q < nq; q++) {
    const ids = await search(ds.queries.subarray(q * ds.dim, (q + 1) * ds.dim));
    for (let i = 0; i < Math.min(GT_K, ids.length); i++) found[q * GT_K + i] = ids[i]!;
  }
  const ms = performance.now() - t0;
  return { qps: perSecond(nq, ms), recallAt10: recallAtK(ds.groundTruth, GT_K, found, GT_K, nq, GT_K), queries: nq };
}

export function serviceSearch(svc: SextantService, collectionName: string, dim: number): (v: Float32Array) => Promise<number[]> {
  return async (v) => {
    const req: SearchRequest = { collectionName, nq: 1, topK: GT_K, vectors: floatColumn(v, dim), params: {} };
    const res = await svc.search(req);
    return res.ids.kind === 'int64' ? Array.from(res.ids.data, Number) : [];
  };
}

export async function runEngine(ds: Dataset, opts: EngineOptions): Promise<EngineResult> {
  const dir = await mkdtemp(join(tmpdir(), 'sextant-bench-engine-'));
  try {
    let svc = await SextantService.open({ dataDir: dir });
    const inserts: EngineResult['inserts'] = [];
    for (const batchRows of opts.batchSizes) {
      opts.log(`[engine] ${ds.name}: durable insert, batches of ${batchRows}`);
      inserts.push(await timedInserts(svc, `b${batchRows}`, ds, Math.min(batchRows, ds.n)));
    }
    const name = `b${opts.batchSizes[0] ?? 1000}`;
    await svc.flush({ collectionNames: [name] });
    await svc.createIndex({ collectionName: name, fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await waitForIndex(svc, name);
    await svc.close();
    svc = await SextantService.open({ dataDir: dir }); // nothing of the insert path stays referenced
    opts.log(`[engine] ${ds.name}: load, search, release`);
    const beforeLoad = settledMemory();
    const t0 = performance.now();
    await svc.loadCollection({ collectionName: name });
    const loadMs = performance.now() - t0;
    const afterLoad = settledMemory();
    const s = await timedSearches(ds, opts.searchQueries, serviceSearch(svc, name, ds.dim));
    await svc.releaseCollection({ collectionName: name });
    const afterRelease = settledMemory();
    await svc.close();
    const result: EngineResult = {
      dataset: { name: ds.name, n: ds.n, dim: ds.dim }, inserts, loadMs,
      memory: { beforeLoad, afterLoad, afterRelease },
      search: { index: 'FLAT', nq: 1, queries: s.queries, qps: s.qps, recallAt10: s.recallAt10 },
      tables: [],
    };
    result.tables = engineTables(result);
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function engineTables(r: EngineResult): Table[] {
  const t = table(`Engine through SextantService (${r.dataset.name}, temp dir on this disk)`, ['measure', 'value', 'unit']);
  for (const i of r.inserts) t.rows.push([`durable insert, batches of ${i.batchRows}`, i.rowsPerSec, 'rows/s']);
  t.rows.push(['load (sealed segments + FLAT index)', r.loadMs / 1000, 's']);
  t.rows.push([`exact search nq=1, FLAT (${r.search.queries} q)`, r.search.qps, 'QPS']);
  t.rows.push(['recall@10 of that search', r.search.recallAt10, '']);
  const m = r.memory;
  t.rows.push(['RSS before load / after load / after release', `${fmtMb(m.beforeLoad.rssBytes)} / ${fmtMb(m.afterLoad.rssBytes)} / ${fmtMb(m.afterRelease.rssBytes)}`, 'MB']);
  t.rows.push(['buffers before load / after load / after release',
    `${fmtMb(m.beforeLoad.arrayBuffersBytes)} / ${fmtMb(m.afterLoad.arrayBuffersBytes)} / ${fmtMb(m.afterRelease.arrayBuffersBytes)}`, 'MB']);
  t.notes.push('insert returns after its WAL record is fsynced; memory is sampled after a forced GC.');
  return [t];
}

function fmtMb(bytes: number): string {
  return (mb(bytes) ?? 0).toFixed(0);
}
