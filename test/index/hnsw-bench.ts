/**
 * HNSW micro-comparison against the native libraries (usearch, hnswlib-node). Not a test: run
 *   node dist/test/index/hnsw-bench.js [rows=100000] [dim=128] [M=16] [efConstruction=200] [nq=500]
 * Prints build CPU time and QPS (per CPU second) / recall@10 at several ef on clustered data; asserts nothing.
 */
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { searchExact, type ExactSearchResult } from '../../src/index/flat.js';
import { getIndexDescriptor, validateIndexParams } from '../../src/index/registry.js';
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

function line(name: string, ef: number, ms: number, r: number): void {
  console.log(`${name.padEnd(10)} ef=${String(ef).padEnd(4)} qps=${(nq / (ms / 1000)).toFixed(0).padStart(7)}  recall@10=${r.toFixed(4)}`);
}

function benchSextant(): void {
  const desc = getIndexDescriptor('HNSW');
  const spec = validateIndexParams(desc, 'floatVector', 'L2', { M: String(M), efConstruction: String(efC) });
  let t = cpuMs();
  const index = desc.build(column, n, spec);
  console.log(`sextant    build ${((cpuMs() - t) / 1000).toFixed(1)} s`);
  for (const ef of EFS) {
    t = cpuMs();
    const rows: Int32Array[] = [];
    for (let q = 0; q < nq; q++) {
      const one = { ...queries, data: queries.data.subarray(q * dim, (q + 1) * dim) };
      rows.push(index.search({ queries: one, topK: K, params: { ef } }).rows);
    }
    line('sextant', ef, cpuMs() - t, recall((q) => rows[q]!));
  }
}

function benchHnswlib(): void {
  const lib = require('hnswlib-node') as { HierarchicalNSW: new (space: string, dim: number) => HnswLibIndex };
  const index = new lib.HierarchicalNSW('l2', dim);
  let t = cpuMs();
  index.initIndex(n, M, efC, 100);
  for (let i = 0; i < n; i++) index.addPoint(Array.from(data.data.subarray(i * dim, (i + 1) * dim)), i);
  console.log(`hnswlib    build ${((cpuMs() - t) / 1000).toFixed(1)} s`);
  const qs: number[][] = [];
  for (let q = 0; q < nq; q++) qs.push(Array.from(data.queries.subarray(q * dim, (q + 1) * dim)));
  for (const ef of EFS) {
    index.setEf(ef);
    t = cpuMs();
    const res: NativeSearch[] = qs.map((v) => index.searchKnn(v, K));
    line('hnswlib', ef, cpuMs() - t, recall((q) => res[q]!.neighbors ?? []));
  }
}

function benchUsearch(): void {
  const lib = require('usearch') as { Index: new (o: Record<string, unknown>) => USearchIndex };
  const config = { metric: 'l2sq', connectivity: M, dimensions: dim, expansion_add: efC };
  let t = cpuMs();
  const built = new lib.Index({ ...config, expansion_search: 64 });
  const keys = new BigUint64Array(n);
  for (let i = 0; i < n; i++) keys[i] = BigInt(i);
  built.add(keys, data.data, 1);
  console.log(`usearch    build ${((cpuMs() - t) / 1000).toFixed(1)} s (1 thread)`);
  // expansion_search is fixed per Index object: save once, load into one Index per ef.
  const path = join(tmpdir(), `sextant-usearch-${process.pid}.bin`);
  built.save(path);
  for (const ef of EFS) {
    const index = new lib.Index({ ...config, expansion_search: ef });
    index.load(path);
    t = cpuMs();
    const res: BigUint64Array[] = [];
    for (let q = 0; q < nq; q++) res.push(index.search(data.queries.subarray(q * dim, (q + 1) * dim), K, 1).keys);
    line('usearch', ef, cpuMs() - t, recall((q) => Array.from(res[q]!, Number)));
  }
  rmSync(path, { force: true });
}

console.log(`clustered ${n} x ${dim}, M=${M}, efConstruction=${efC}, nq=${nq} (one query per call)`);
const which = process.env['BENCH'] ?? 'sextant,hnswlib,usearch';
if (which.includes('sextant')) benchSextant();
if (which.includes('hnswlib')) benchHnswlib();
if (which.includes('usearch')) benchUsearch();
