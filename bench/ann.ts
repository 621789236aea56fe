/**
 * ANN suite: every registered index type that can index float32 under L2 (found through
 * `listIndexDescriptors()`, so new types show up on their own), each search setting, against the
 * exact ground truth; the same data through usearch and hnswlib-node; filtered search at several
 * selectivities; and exact search (searchExact) at nq = 1.
 */
import type { IndexDescriptor, IndexParams, VectorIndex } from '../src/index/descriptor.js';
import { listIndexDescriptors, validateIndexParams, validateSearchParams } from '../src/index/registry.js';
import { searchExact } from '../src/index/flat.js';
import { exactGroundTruth, floatColumn, GT_K, seededRandom, type Dataset } from './data.js';
import { memoryDelta, perSecond, recallAtK, settledMemory } from './measure.js';
import { buildHnswlib, buildUSearch, type GraphParams, type PeerIndex } from './peers.js';
import { runWorkers, type WorkerJob } from './pool.js';
import { WasmPool } from '../src/index/wasm/pool.js';
import { defaultArena } from '../src/index/wasm/exact.js';
import { annTables } from './ann-tables.js';
import type { Table } from './table.js';

export interface AnnOptions {
  efs: readonly number[];
  nprobes: readonly number[];
  graph: GraphParams;
  /** The one setting filtered searches use: ef for graph indexes, nprobe for IVF indexes. */
  filterEf: number;
  filterNprobe: number;
  selectivities: readonly number[];
  /** Only these index types (upper case), or null for all. */
  indexes: readonly string[] | null;
  peers: boolean;
  seed: number;
  /** Queries used by exact index types (descriptor recallAt10 = 1) and the nq = 1 searchExact row. */
  exactQueries: number;
  /** Queries used by filtered searches. */
  filterQueries: number;
  /** Extra build params (`--build-param k=v`), applied to every index type that declares them. */
  buildParams: Readonly<Record<string, string>>;
  /** A timed pass is repeated until this much time was spent; the fastest pass counts. */
  measureMs: number;
  log: (line: string) => void;
}

export const DEFAULT_ANN: Omit<AnnOptions, 'log'> = {
  efs: [16, 32, 64, 128, 256],
  nprobes: [8, 16, 32, 64],
  graph: { m: 16, efConstruction: 200 },
  filterEf: 64,
  filterNprobe: 16,
  selectivities: [0.5, 0.1, 0.01],
  indexes: null,
  peers: true,
  seed: 42,
  exactQueries: 200,
  filterQueries: 200,
  buildParams: {},
  measureMs: 1000,
};

export interface AnnRow {
  engine: string;
  index: string;
  setting: string;
  /** The ef this row searched with, for graph indexes (joins Sextant and peer rows). */
  ef: number | null;
  recallAt10: number;
  qps1: number;
  qps2: number | null;
  buildMs: number | null;
  build2Ms: number | null;
  rssDeltaBytes: number | null;
  arrayBuffersDeltaBytes: number | null;
  serializedBytes: number | null;
}

export interface FilteredRow {
  engine: string;
  index: string;
  setting: string;
  selectivity: number;
  allowedRows: number;
  recallAt10: number;
  qps1: number;
  /** What Sextant's engine does at this selectivity: 'index' or 'exact scan' (descriptor.exactSelectivity). */
  engineRoute: string;
}

export interface AnnResult {
  dataset: { name: string; n: number; dim: number; nq: number };
  graph: GraphParams;
  rows: AnnRow[];
  filtered: FilteredRow[];
  skipped: { index: string; reason: string }[];
  tables: Table[];
}

interface Setting { label: string; ef: number | null; params: Record<string, unknown> }

interface FilterCase { selectivity: number; allowed: Uint8Array; allowedRows: number; truth: Int32Array }

const K = GT_K;

/** Largest divisor of dim that is at most dim / 4 (PQ sub-quantizers of >= 4 dims), at least 1. */
function pqSubQuantizers(dim: number): number {
  for (let m = Math.floor(dim / 4); m > 1; m--) if (dim % m === 0) return m;
  return 1;
}

function buildParamsFor(desc: IndexDescriptor, dim: number, opts: AnnOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of desc.buildParams) {
    if (p.name === 'M') out['M'] = String(opts.graph.m);
    if (p.name === 'efConstruction') out['efConstruction'] = String(opts.graph.efConstruction);
    if (p.name === 'm' && p.default === undefined) out['m'] = String(pqSubQuantizers(dim));
    const given = opts.buildParams[p.name];
    if (given !== undefined) out[p.name] = given;
  }
  return out;
}

function hasSearchParam(desc: IndexDescriptor, name: string): boolean {
  return desc.searchParams.some((p) => p.name === name);
}

function settingsFor(desc: IndexDescriptor, build: IndexParams, opts: AnnOptions): Setting[] {
  if (hasSearchParam(desc, 'ef')) return opts.efs.map((ef) => ({ label: `ef=${ef}`, ef, params: { ef } }));
  if (hasSearchParam(desc, 'nprobe')) {
    const nlist = typeof build['nlist'] === 'number' ? build['nlist'] : Infinity;
    return opts.nprobes.filter((p) => p <= nlist).map((nprobe) => ({ label: `nprobe=${nprobe}`, ef: null, params: { nprobe } }));
  }
  return [{ label: 'default', ef: null, params: {} }];
}

function filterSettingFor(desc: IndexDescriptor, opts: AnnOptions): Setting {
  if (hasSearchParam(desc, 'ef')) return { label: `ef=${opts.filterEf}`, ef: opts.filterEf, params: { ef: opts.filterEf } };
  if (hasSearchParam(desc, 'nprobe')) return { label: `nprobe=${opts.filterNprobe}`, ef: null, params: { nprobe: opts.filterNprobe } };
  return { label: 'default', ef: null, params: {} };
}

/** Descriptors that index float32 under L2; aliases (builds that report another registered type) are skipped. */
function candidates(ds: Dataset, opts: AnnOptions, skipped: AnnResult['skipped']): IndexDescriptor[] {
  const all = listIndexDescriptors();
  const names = new Set(all.map((d) => d.name));
  const probeRows = Math.min(ds.n, 2000);
  const out: IndexDescriptor[] = [];
  for (const desc of all) {
    if (opts.indexes !== null && !opts.indexes.includes(desc.name)) continue;
    if (!desc.vectorKinds.includes('floatVector') || !desc.metrics.includes('L2')) continue;
    try {
      const spec = validateIndexParams(desc, 'floatVector', 'L2', buildParamsFor(desc, ds.dim, opts));
      const probe = desc.build(floatColumn(ds.base.subarray(0, probeRows * ds.dim), ds.dim), probeRows, spec);
      if (probe.indexType !== desc.name && names.has(probe.indexType)) {
        skipped.push({ index: desc.name, reason: `alias: builds ${probe.indexType}, measured under that name` });
        continue;
      }
    } catch (e) {
      skipped.push({ index: desc.name, reason: `probe build failed: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    out.push(desc);
  }
  return out;
}

function queryColumn(ds: Dataset, q: number) {
  return floatColumn(ds.queries.subarray(q * ds.dim, (q + 1) * ds.dim), ds.dim);
}

const WARMUP_QUERIES = 20;
const MAX_PASSES = 10;

/** The first `m` queries of a data set, with their ground truth. */
function firstQueries(ds: Dataset, m: number): Dataset {
  const nq = Math.min(ds.nq, m);
  return { ...ds, nq, queries: ds.queries.subarray(0, nq * ds.dim), groundTruth: ds.groundTruth.subarray(0, nq * K) };
}

interface Timing { qps: number; passMs: number }

/** Warm up, then run `one` over every query, repeating until `measureMs` was spent; the fastest pass counts. */
function timePasses(nq: number, one: (q: number) => void, measureMs: number): Timing {
  for (let q = 0; q < Math.min(WARMUP_QUERIES, nq); q++) one(q);
  let best = Infinity, spent = 0, passes = 0;
  do {
    const t0 = performance.now();
    for (let q = 0; q < nq; q++) one(q);
    const ms = performance.now() - t0;
    best = Math.min(best, ms);
    spent += ms;
    passes++;
  } while (spent < measureMs && passes < MAX_PASSES);
  return { qps: perSecond(nq, best), passMs: best };
}

function passesFor(t: Timing, measureMs: number): number {
  return Math.max(1, Math.min(MAX_PASSES, Math.ceil(measureMs / Math.max(t.passMs, 1e-3))));
}

/** A pass over all queries may take at most this long; slower settings use fewer queries (never under MIN_SLOW_QUERIES). */
const MAX_PASS_MS = 5000;
const MIN_SLOW_QUERIES = 200;

/** The data set, or its first queries when a pass over all of them would exceed MAX_PASS_MS (timed on a sample). */
function affordableQueries(index: VectorIndex, ds: Dataset, params: IndexParams, opts: AnnOptions): Dataset {
  const sample = Math.min(ds.nq, WARMUP_QUERIES);
  const t0 = performance.now();
  for (let q = 0; q < sample; q++) index.search({ queries: queryColumn(ds, q), topK: K, params });
  const perQueryMs = (performance.now() - t0) / Math.max(1, sample);
  const affordable = Math.max(MIN_SLOW_QUERIES, Math.floor(Math.max(MAX_PASS_MS, opts.measureMs) / Math.max(perQueryMs, 1e-6)));
  return affordable < ds.nq ? firstQueries(ds, affordable) : ds;
}

/** Search every query one at a time; returns the rows found and the timing. */
function timeSextant(index: VectorIndex, ds: Dataset, params: IndexParams, filter: Uint8Array | null, measureMs: number): Timing & { found: Int32Array } {
  const found = new Int32Array(ds.nq * K);
  const timing = timePasses(ds.nq, (q) => {
    found.set(index.search({ queries: queryColumn(ds, q), topK: K, filter, params }).rows, q * K);
  }, measureMs);
  return { ...timing, found };
}

/**
 * QPS on two threads. Indexes that walk on the engine's WasmPool (`searchOnPool`, HNSW) are measured
 * that way: all queries as one batched request on a 2-thread pool over the index's shared memory,
 * as the engine runs batched queries. Others: two worker threads, each with its own copy of the index.
 */
async function sextantTwoThreadsQps(
  desc: IndexDescriptor, index: VectorIndex, build: IndexParams, params: IndexParams, ds: Dataset, passes: number,
): Promise<number> {
  const arena = defaultArena();
  if (index.searchOnPool !== undefined && arena !== null) {
    const pool = new WasmPool(arena, { threads: 2 });
    try {
      const req = { queries: floatColumn(ds.queries, ds.dim), topK: K, params };
      const warm = index.searchOnPool(pool, req);
      if (warm !== null) {
        await warm;
        const t0 = performance.now();
        for (let p = 0; p < passes; p++) await index.searchOnPool(pool, req);
        return perSecond(ds.nq * passes, performance.now() - t0);
      }
    } finally {
      await pool.close();
    }
  }
  const payload = index.serialize();
  const jobs: WorkerJob[] = [0, 1].map((part) => ({
    engine: 'sextant', indexType: desc.name, payload, base: ds.base, dim: ds.dim, n: ds.n,
    buildParams: build, searchParams: params, topK: K, queries: ds.queries, part, parts: 2, passes,
  }));
  return perSecond(ds.nq * passes, await runWorkers(jobs));
}

async function measureSextant(
  desc: IndexDescriptor, full: Dataset, opts: AnnOptions, filters: () => FilterCase[],
): Promise<{ rows: AnnRow[]; filtered: FilteredRow[] }> {
  const sized = desc.recallAt10 >= 1 ? firstQueries(full, opts.exactQueries) : full;
  const spec = validateIndexParams(desc, 'floatVector', 'L2', buildParamsFor(desc, full.dim, opts));
  opts.log(`[ann] ${full.name}: building ${desc.name} ${JSON.stringify(spec.params)}`);
  const before = settledMemory();
  const t0 = performance.now();
  const index = desc.build(floatColumn(full.base, full.dim), full.n, { metric: 'L2', params: spec.params });
  const buildMs = performance.now() - t0;
  const mem = memoryDelta(settledMemory(), before);
  const serializedBytes = index.serialize().length;
  const rows: AnnRow[] = [];
  for (const s of settingsFor(desc, spec.params, opts)) {
    const params = validateSearchParams(desc, s.params);
    const ds = affordableQueries(index, sized, params, opts);
    const one = timeSextant(index, ds, params, null, opts.measureMs);
    const qps2 = await sextantTwoThreadsQps(desc, index, spec.params, params, ds, passesFor(one, opts.measureMs));
    const recall = recallAtK(ds.groundTruth, K, one.found, K, ds.nq, K);
    opts.log(`[ann]   ${desc.name} ${s.label}: recall@10 ${recall.toFixed(3)}, ${one.qps.toFixed(0)} QPS, ${qps2.toFixed(0)} QPS on 2 threads`);
    const first = rows.length === 0;
    rows.push({
      engine: 'sextant', index: desc.name, setting: ds.nq < full.nq ? `${s.label} (${ds.nq} q)` : s.label, ef: s.ef,
      recallAt10: recall, qps1: one.qps, qps2, buildMs: first ? buildMs : null, build2Ms: null,
      rssDeltaBytes: first ? mem.rssBytes : null, arrayBuffersDeltaBytes: first ? mem.arrayBuffersBytes : null,
      serializedBytes: first ? serializedBytes : null,
    });
  }
  const filtered = desc.recallAt10 < 1 ? sextantFiltered(desc, index, firstQueries(full, opts.filterQueries), opts, filters()) : [];
  return { rows, filtered };
}

function sextantFiltered(desc: IndexDescriptor, index: VectorIndex, ds: Dataset, opts: AnnOptions, cases: FilterCase[]): FilteredRow[] {
  const s = filterSettingFor(desc, opts);
  const params = validateSearchParams(desc, s.params);
  return cases.map((c) => {
    const before = plannerStats(index);
    const r = timeSextant(index, ds, params, c.allowed, opts.measureMs);
    const after = plannerStats(index);
    return {
      engine: 'sextant', index: desc.name, setting: s.label, selectivity: c.selectivity, allowedRows: c.allowedRows,
      recallAt10: recallAtK(c.truth, K, r.found, K, ds.nq, K), qps1: r.qps, engineRoute: route(before, after),
    };
  });
}

interface PlannerStats { graphQueries: number; exactQueries: number }

/** The planner counters an index exposes (`stats`: HNSW's graphQueries, IVF's indexQueries), or null. */
function plannerStats(index: VectorIndex): PlannerStats | null {
  const s = (index as { stats?: { graphQueries?: unknown; indexQueries?: unknown; exactQueries?: unknown } }).stats;
  const walked = s?.graphQueries ?? s?.indexQueries;
  return s !== undefined && typeof walked === 'number' && typeof s.exactQueries === 'number'
    ? { graphQueries: walked, exactQueries: s.exactQueries } : null;
}

function route(before: PlannerStats | null, after: PlannerStats | null): string {
  if (before === null || after === null) return 'index';
  const graph = after.graphQueries > before.graphQueries, exact = after.exactQueries > before.exactQueries;
  return graph && exact ? 'index + exact' : exact ? 'exact scan' : 'index';
}

function makeFilters(full: Dataset, opts: AnnOptions): FilterCase[] {
  const ds = firstQueries(full, opts.filterQueries);
  const r = seededRandom(opts.seed ^ 0x51f7);
  return opts.selectivities.map((selectivity) => {
    const allowed = new Uint8Array(ds.n);
    let allowedRows = 0;
    for (let i = 0; i < ds.n; i++) if (r() < selectivity) { allowed[i] = 1; allowedRows++; }
    opts.log(`[ann] ${ds.name}: exact filtered ground truth at ${selectivity * 100}%`);
    return { selectivity, allowed, allowedRows, truth: exactGroundTruth(ds.base, ds.dim, ds.queries, K, allowed) };
  });
}

/** searchExact with nq = 1 on the first `exactQueries` queries. */
function exactRow(full: Dataset, opts: AnnOptions): AnnRow {
  const ds = firstQueries(full, opts.exactQueries);
  const column = floatColumn(ds.base, ds.dim);
  const found = new Int32Array(ds.nq * K);
  const t = timePasses(ds.nq, (q) => {
    found.set(searchExact({ metric: 'L2', column, numRows: ds.n, queries: queryColumn(ds, q), topK: K }).rows, q * K);
  }, opts.measureMs);
  return {
    engine: 'sextant', index: 'searchExact', setting: `nq=1 (${ds.nq} q)`, ef: null,
    recallAt10: recallAtK(ds.groundTruth, K, found, K, ds.nq, K), qps1: t.qps, qps2: null,
    buildMs: null, build2Ms: null, rssDeltaBytes: null, arrayBuffersDeltaBytes: null, serializedBytes: null,
  };
}

function timePeer(peer: PeerIndex, ds: Dataset, filter: Uint8Array | null, measureMs: number): Timing & { found: Int32Array } {
  const found = new Int32Array(ds.nq * K);
  const q = (i: number) => ds.queries.subarray(i * ds.dim, (i + 1) * ds.dim);
  const timing = timePasses(ds.nq, (i) => {
    if (filter === null) peer.searchOne(q(i), K, found, i * K);
    else peer.searchFilteredOne?.(q(i), K, filter, found, i * K);
  }, measureMs);
  return { ...timing, found };
}

async function measurePeer(
  name: string, build: () => PeerIndex, ds: Dataset, opts: AnnOptions, filters: () => FilterCase[],
): Promise<{ rows: AnnRow[]; filtered: FilteredRow[] }> {
  opts.log(`[ann] ${ds.name}: building ${name} M=${opts.graph.m} efConstruction=${opts.graph.efConstruction}`);
  const before = settledMemory();
  const peer = build();
  const mem = memoryDelta(settledMemory(), before);
  const rows: AnnRow[] = [];
  const filtered: FilteredRow[] = [];
  try {
    for (const ef of opts.efs) {
      peer.setEf(ef);
      const one = timePeer(peer, ds, null, opts.measureMs);
      const qps2 = perSecond(ds.nq, await peer.searchTwoThreadsMs(ds.queries, ds.dim, K, passesFor(one, opts.measureMs)));
      const first = rows.length === 0;
      rows.push({
        engine: peer.engine, index: 'HNSW', setting: `ef=${ef}`, ef, recallAt10: recallAtK(ds.groundTruth, K, one.found, K, ds.nq, K),
        qps1: one.qps, qps2, buildMs: first ? peer.buildMs : null, build2Ms: first ? peer.build2Ms : null,
        rssDeltaBytes: first ? mem.rssBytes : null, arrayBuffersDeltaBytes: first ? mem.arrayBuffersBytes : null,
        serializedBytes: first ? peer.serializedBytes : null,
      });
    }
    if (peer.searchFilteredOne !== undefined) {
      peer.setEf(opts.filterEf);
      const fds = firstQueries(ds, opts.filterQueries);
      for (const c of filters()) {
        const r = timePeer(peer, fds, c.allowed, opts.measureMs);
        filtered.push({
          engine: peer.engine, index: 'HNSW', setting: `ef=${opts.filterEf}`, selectivity: c.selectivity, allowedRows: c.allowedRows,
          recallAt10: recallAtK(c.truth, K, r.found, K, fds.nq, K), qps1: r.qps, engineRoute: 'filter callback',
        });
      }
    }
  } finally {
    peer.close();
  }
  return { rows, filtered };
}

export async function runAnn(ds: Dataset, opts: AnnOptions): Promise<AnnResult> {
  const skipped: AnnResult['skipped'] = [];
  let filterCases: FilterCase[] | null = null;
  const filters = (): FilterCase[] => (filterCases ??= makeFilters(ds, opts));
  const rows: AnnRow[] = [];
  const filtered: FilteredRow[] = [];
  for (const desc of candidates(ds, opts, skipped)) {
    try {
      const r = await measureSextant(desc, ds, opts, filters);
      rows.push(...r.rows);
      filtered.push(...r.filtered);
    } catch (e) {
      const reason = `failed: ${e instanceof Error ? e.message : String(e)}`;
      opts.log(`[ann] ${desc.name} ${reason}`);
      skipped.push({ index: desc.name, reason });
    }
  }
  opts.log(`[ann] ${ds.name}: searchExact nq=1`);
  rows.push(exactRow(ds, opts));
  if (opts.peers) {
    for (const [name, build] of [
      ['usearch', () => buildUSearch(ds.base, ds.dim, opts.graph)],
      ['hnswlib-node', () => buildHnswlib(ds.base, ds.dim, opts.graph)],
    ] as const) {
      const r = await measurePeer(name, build, ds, opts, filters);
      rows.push(...r.rows);
      filtered.push(...r.filtered);
    }
  }
  const result: AnnResult = {
    dataset: { name: ds.name, n: ds.n, dim: ds.dim, nq: ds.nq }, graph: opts.graph, rows, filtered, skipped, tables: [],
  };
  result.tables = annTables(result);
  return result;
}

export interface IndexAlone { indexType: string; recallAt10: number; qps1: number; qps2: number; buildMs: number }

/**
 * One index type by itself, as the server suite compares the product path against: built on the
 * data set with `graph` params, then searched at `ef` nq = 1 on the main thread (qps1) and as one
 * batch on two threads (qps2), exactly as the ann suite measures its rows. `quiet` is awaited between
 * the build and the timed searches: the figures are wall-clock rates, so nothing else may run then
 * (the server suite waits there for the server's own build and load).
 */
export async function indexAlone(
  ds: Dataset, indexType: string, graph: GraphParams, ef: number, measureMs: number, quiet: () => Promise<void> = async () => {},
): Promise<IndexAlone> {
  const desc = listIndexDescriptors().find((d) => d.name === indexType);
  if (desc === undefined) throw new Error(`no index type ${indexType}`);
  const opts: AnnOptions = { ...DEFAULT_ANN, graph, measureMs, log: () => {} };
  const spec = validateIndexParams(desc, 'floatVector', 'L2', buildParamsFor(desc, ds.dim, opts));
  const t0 = performance.now();
  const index = desc.build(floatColumn(ds.base, ds.dim), ds.n, { metric: 'L2', params: spec.params });
  const buildMs = performance.now() - t0;
  await quiet();
  const params = validateSearchParams(desc, { ef });
  const one = timeSextant(index, ds, params, null, measureMs);
  const qps2 = await sextantTwoThreadsQps(desc, index, spec.params, params, ds, passesFor(one, measureMs));
  return { indexType, recallAt10: recallAtK(ds.groundTruth, K, one.found, K, ds.nq, K), qps1: one.qps, qps2, buildMs };
}
