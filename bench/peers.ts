/**
 * The reference libraries, behind one small interface: usearch (C++ HNSW, native threads) and
 * hnswlib-node (the C++ hnswlib, single-threaded binding with a JS filter callback). Both are built
 * with the same M / efConstruction as Sextant's graph indexes and searched one query per call.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index as USearchIndex, MetricKind, ScalarKind } from 'usearch';
import hnswlib from 'hnswlib-node';
import type { HierarchicalNSW as HnswlibIndex } from 'hnswlib-node';
import { runWorkers, type WorkerJob } from './pool.js';

export interface GraphParams { m: number; efConstruction: number }

export interface PeerIndex {
  readonly engine: string;
  /** Build time with one thread, and with two when the library can build in parallel. */
  readonly buildMs: number;
  readonly build2Ms: number | null;
  readonly serializedBytes: number;
  setEf(ef: number): void;
  /** Nearest `topK` rows of one query (nq = 1) into `out` at `at`; -1 pads. */
  searchOne(query: Float32Array, topK: number, out: Int32Array, at: number): void;
  /** Wall time of one pass over every query with two threads (the fastest of `passes`, per pass). */
  searchTwoThreadsMs(queries: Float32Array, dim: number, topK: number, passes: number): Promise<number>;
  /** Filtered search (allowed rows only), or absent when the library has no filter. */
  searchFilteredOne?(query: Float32Array, topK: number, allowed: Uint8Array, out: Int32Array, at: number): void;
  close(): void;
}

function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'sextant-bench-'));
}

// ---------- usearch ----------

class USearchPeer implements PeerIndex {
  readonly engine = 'usearch';
  private index: USearchIndex;

  constructor(
    private readonly dim: number, private readonly graph: GraphParams, private readonly file: string,
    private readonly dir: string, first: USearchIndex,
    readonly buildMs: number, readonly build2Ms: number, readonly serializedBytes: number,
  ) {
    this.index = first;
  }

  private make(ef: number): USearchIndex {
    return new USearchIndex({
      dimensions: this.dim, metric: MetricKind.L2sq, quantization: ScalarKind.F32,
      connectivity: this.graph.m, expansion_add: this.graph.efConstruction, expansion_search: ef, multi: false,
    });
  }

  /** usearch fixes expansion_search at construction: reload the saved graph into an index with the new ef. */
  setEf(ef: number): void {
    const next = this.make(ef);
    next.load(this.file);
    this.index = next;
  }

  searchOne(query: Float32Array, topK: number, out: Int32Array, at: number): void {
    const m = this.index.search(query, topK, 1);
    const keys = m.keys;
    for (let i = 0; i < topK; i++) out[at + i] = i < keys.length ? Number(keys[i]) : -1;
  }

  async searchTwoThreadsMs(queries: Float32Array, _dim: number, topK: number, passes: number): Promise<number> {
    let best = Infinity;
    for (let p = 0; p < passes; p++) {
      const t0 = performance.now();
      this.index.search(queries, topK, 2);
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  static build(base: Float32Array, dim: number, graph: GraphParams): USearchPeer {
    const n = base.length / dim;
    const keys = new BigUint64Array(n);
    for (let i = 0; i < n; i++) keys[i] = BigInt(i);
    const dir = scratchDir();
    const file = join(dir, 'usearch.index');
    const make = (): USearchIndex => new USearchIndex({
      dimensions: dim, metric: MetricKind.L2sq, quantization: ScalarKind.F32,
      connectivity: graph.m, expansion_add: graph.efConstruction, expansion_search: 64, multi: false,
    });
    let t0 = performance.now();
    const one = make();
    one.add(keys, base, 1);
    const buildMs = performance.now() - t0;
    one.save(file);
    t0 = performance.now();
    make().add(keys, base, 2); // timed only; the one-thread build is the index that gets searched
    const build2Ms = performance.now() - t0;
    return new USearchPeer(dim, graph, file, dir, one, buildMs, build2Ms, statSync(file).size);
  }
}

// ---------- hnswlib-node ----------

function toArray(v: Float32Array): number[] {
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]!;
  return out;
}

class HnswlibPeer implements PeerIndex {
  readonly engine = 'hnswlib-node';
  readonly build2Ms = null;
  private ef = 64;
  /** Queries converted to number[] once (the binding takes plain arrays), keyed by the typed array. */
  private arrays = new WeakMap<Float32Array, number[]>();

  constructor(
    private readonly index: HnswlibIndex, private readonly file: string, private readonly dir: string,
    readonly buildMs: number, readonly serializedBytes: number,
  ) {}

  setEf(ef: number): void {
    this.ef = ef;
    this.index.setEf(ef);
  }

  private asArray(query: Float32Array): number[] {
    let a = this.arrays.get(query);
    if (a === undefined) {
      a = toArray(query);
      this.arrays.set(query, a);
    }
    return a;
  }

  /** Convert query vectors ahead of a timed loop, so the loop times the search alone. */
  prepare(queries: readonly Float32Array[]): void {
    for (const q of queries) this.asArray(q);
  }

  searchOne(query: Float32Array, topK: number, out: Int32Array, at: number): void {
    this.fill(this.index.searchKnn(this.asArray(query), topK).neighbors, topK, out, at);
  }

  searchFilteredOne(query: Float32Array, topK: number, allowed: Uint8Array, out: Int32Array, at: number): void {
    let neighbors: number[];
    try {
      neighbors = this.index.searchKnn(this.asArray(query), topK, (label) => allowed[label] === 1).neighbors;
    } catch {
      neighbors = []; // hnswlib throws when it finds fewer than topK allowed rows
    }
    this.fill(neighbors, topK, out, at);
  }

  private fill(neighbors: number[], topK: number, out: Int32Array, at: number): void {
    for (let i = 0; i < topK; i++) out[at + i] = neighbors[i] ?? -1;
  }

  async searchTwoThreadsMs(queries: Float32Array, dim: number, topK: number, passes: number): Promise<number> {
    const jobs: WorkerJob[] = [0, 1].map((w) => ({
      engine: 'hnswlib', file: this.file, dim, ef: this.ef, topK, queries, part: w, parts: 2, passes,
    }));
    return (await runWorkers(jobs)) / passes;
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  static build(base: Float32Array, dim: number, graph: GraphParams): HnswlibPeer {
    const n = base.length / dim;
    const t0 = performance.now();
    const index = new hnswlib.HierarchicalNSW('l2', dim);
    index.initIndex(n, graph.m, graph.efConstruction, 100);
    for (let i = 0; i < n; i++) index.addPoint(toArray(base.subarray(i * dim, (i + 1) * dim)), i);
    const buildMs = performance.now() - t0;
    const dir = scratchDir();
    const file = join(dir, 'hnswlib.index');
    index.writeIndexSync(file);
    return new HnswlibPeer(index, file, dir, buildMs, statSync(file).size);
  }
}

export function buildUSearch(base: Float32Array, dim: number, graph: GraphParams): PeerIndex {
  return USearchPeer.build(base, dim, graph);
}

export function buildHnswlib(base: Float32Array, dim: number, graph: GraphParams): PeerIndex & { prepare(q: readonly Float32Array[]): void } {
  return HnswlibPeer.build(base, dim, graph);
}
