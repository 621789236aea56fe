/**
 * HNSW micro-comparison against the native libraries (usearch, hnswlib-node). Not a test: run
 *   node dist/test/index/hnsw-bench.js [rows=100000] [dim=128] [M=16] [efConstruction=200] [nq=500]
 * Prints build CPU time and QPS (per CPU second and per wall second) / recall@10 at several ef on
 * clustered data, then Sextant's ratios to each library; asserts nothing. Sextant is searched as
 * the engine does after loading a segment: deserialized over a resident (wasm memory) column.
 * CPU time (`process.cpuUsage()`) is the fair comparison on a shared machine. The first ef runs twice
 * (a warm-up: JIT tiers, caches); the second run's line is the one kept for the ratios.
 */
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { searchExact, type ExactSearchResult } from '../../src/index/flat.js';
import { getIndexDescriptor, validateIndexParams } from '../../src/index/registry.js';
import { makeResident } from '../../src/index/wasm/resident.js';
import { clustered } from './datasets.js';

interface NativeSearch { neighbors?: number[]; keys?: BigUint64Array }
interface HnswLibIndex {
  initIndex(n: number, m: number, efC: number, seed: number): void;
  addPoint(v: number[], label: number): void;
  setEf(ef: number): void;
  searchKnn(v: number[], k: number): { neighbors: number[] };
}
interface USearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads: number): void;
  search(vectors: Float32Array, k: number, threads: number): { keys: BigUint64Array };
  save(path: string): void;
  load(path: string): void;
}

const require = createRequire(import.meta.url);
const arg = (i: number, d: number): number => (process.argv[i] === undefined ? d : Number(process.argv[i]));
const n = arg(2, 100_000), dim = arg(3, 128), M = arg(4, 16), efC = arg(5, 200), nq = arg(6, 500);
const EFS = [16, 32, 64, 128, 256];
const K = 10;

/** CPU milliseconds (user + system) of this process: steadier than wall time on a shared machine. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const data = clustered(n, nq, dim, 42, 64, 0.25);
const column = { kind: 'floatVector' as const, dim, data: data.data, valid: null };
const queries = { kind: 'floatVector' as const, dim, data: data.queries, valid: null };
const truth: ExactSearchResult = searchExact({ metric: 'L2', column, numRows: n, queries, topK: K });

function recall(found: (q: number) => ArrayLike<number>): number {
  let hits = 0;
  for (let q = 0; q < nq; q++) {
    const want = new Set(truth.rows.subarray(q * K, (q + 1) * K));
    const got = found(q);
    for (let i = 0; i < Math.min(K, got.length); i++) if (want.has(Number(got[i]))) hits++;
  }
  return hits / (nq * K);
}

interface Row { qps: number; wallQps: number; recall: number }
const results = new Map<string, { build: number; rows: Map<number, Row> }>();

function timer(): () => { cpu: number; wall: number } {
  const c = cpuMs(), w = performance.now();
  return () => ({ cpu: cpuMs() - c, wall: performance.now() - w });
}

function buildLine(name: string, ms: number, note = ''): void {
  results.set(name, { build: ms / 1000, rows: new Map() });
  console.log(`${name.padEnd(10)} build ${(ms / 1000).toFixed(1)} s CPU${note}`);
}

function line(name: string, ef: number, t: { cpu: number; wall: number }, r: number): void {
  const row = { qps: nq / (t.cpu / 1000), wallQps: nq / (t.wall / 1000), recall: r };
  results.get(name)?.rows.set(ef, row);
  console.log(
    `${name.padEnd(10)} ef=${String(ef).padEnd(4)} qps(cpu)=${row.qps.toFixed(0).padStart(7)} qps(wall)=${row.wallQps.toFixed(0).padStart(7)}  recall@10=${r.toFixed(4)}`,
  );
}

function ratios(): void {
  const s = results.get('sextant');
  if (s === undefined) return;
  for (const [name, o] of results) {
    if (name === 'sextant') continue;
    console.log(`sextant / ${name}: build time ${(s.build / o.build).toFixed(2)}x (lower is better)`);
    for (const ef of EFS) {
      const a = s.rows.get(ef), b = o.rows.get(ef);
      if (a === undefined || b === undefined) continue;
      console.log(`  ef=${String(ef).padEnd(4)} qps(cpu) ${(a.qps / b.qps).toFixed(2)}x  qps(wall) ${(a.wallQps / b.wallQps).toFixed(2)}x  recall ${a.recall.toFixed(4)} vs ${b.recall.toFixed(4)}`);
    }
  }
}

function benchSextant(): void {
  const desc = getIndexDescriptor('HNSW');
  const spec = validateIndexParams(desc, 'floatVector', 'L2', { M: String(M), efConstruction: String(efC) });
  const t0 = cpuMs();
  const built = desc.build(column, n, spec);
  buildLine('sextant', cpuMs() - t0);
  const resident = makeResident(column, n);
  const index = desc.deserialize(built.serialize(), resident?.column ?? column, n, spec);
  for (const ef of [EFS[0]!, ...EFS]) {
    const t = timer();
    const rows: Int32Array[] = [];
    for (let q = 0; q < nq; q++) {
      const one = { ...queries, data: queries.data.subarray(q * dim, (q + 1) * dim) };
      rows.push(index.search({ queries: one, topK: K, params: { ef } }).rows);
    }
    line('sextant', ef, t(), recall((q) => rows[q]!));
  }
  resident?.release();
}

function benchHnswlib(): void {
  const lib = require('hnswlib-node') as { HierarchicalNSW: new (space: string, dim: number) => HnswLibIndex };
  const index = new lib.HierarchicalNSW('l2', dim);
  const t0 = cpuMs();
  index.initIndex(n, M, efC, 100);
  for (let i = 0; i < n; i++) index.addPoint(Array.from(data.data.subarray(i * dim, (i + 1) * dim)), i);
  buildLine('hnswlib', cpuMs() - t0);
  const qs: number[][] = [];
  for (let q = 0; q < nq; q++) qs.push(Array.from(data.queries.subarray(q * dim, (q + 1) * dim)));
  for (const ef of [EFS[0]!, ...EFS]) {
    index.setEf(ef);
    const t = timer();
    const res: NativeSearch[] = qs.map((v) => index.searchKnn(v, K));
    line('hnswlib', ef, t(), recall((q) => res[q]!.neighbors ?? []));
  }
}

function benchUsearch(): void {
  const lib = require('usearch') as { Index: new (o: Record<string, unknown>) => USearchIndex };
  const config = { metric: 'l2sq', connectivity: M, dimensions: dim, expansion_add: efC };
  const t0 = cpuMs();
  const built = new lib.Index({ ...config, expansion_search: 64 });
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  built.add(keys, data.data, 1);
  buildLine('usearch', cpuMs() - t0, ' (1 thread)');
  // expansion_search is fixed per Index object: save once, load into one Index per ef.
  const path = join(tmpdir(), `sextant-usearch-${process.pid}.bin`);
  built.save(path);
  for (const ef of [EFS[0]!, ...EFS]) {
    const index = new lib.Index({ ...config, expansion_search: ef });
    index.load(path);
    const t = timer();
    const res: BigUint64Array[] = [];
    for (let q = 0; q < nq; q++) res.push(index.search(data.queries.subarray(q * dim, (q + 1) * dim), K, 1).keys);
    line('usearch', ef, t(), recall((q) => Array.from(res[q]!, Number)));
  }
  rmSync(path, { force: true });
}

console.log(`clustered ${n} x ${dim}, M=${M}, efConstruction=${efC}, nq=${nq} (one query per call)`);
const which = process.env['BENCH'] ?? 'sextant,hnswlib,usearch';
if (which.includes('sextant')) benchSextant();
if (which.includes('hnswlib')) benchHnswlib();
if (which.includes('usearch')) benchUsearch();
ratios();
