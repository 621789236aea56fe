/**
 * Scale suite (issue 13): `npm run bench -- --suite scale [--rows N] [--queries Q]`.
 *  - hnsw:    N x 128 clustered, HNSW M/efC built by the index on 2 threads (parallel insertion into
 *             one graph) next to usearch's 2-thread build; recall@10 and QPS (nq = 1) of both.
 *  - engine:  the same rows through the embedded product: columnar inserts (WAL fsync'd: durable
 *             ingest rows/s), flush, manual mix compaction, HNSW then IVF_FLAT then IVF_SQ8 built by
 *             the engine's build threads; load time, RSS, segment count, recall@10 and QPS of
 *             `client.search()` one request at a time (1 thread) and two streams at once (2 threads).
 *  - disk:    N x 768 under a memory budget (default 1 GiB): DISKANN, then the same data with
 *             `mmap.enabled` + IVF_FLAT; RSS loaded vs budget + 200 MB.
 * Data is streamed (scale-data.ts); ground truth is exact search over every row for the sampled
 * queries. `--rows` scales every case (the disk case uses rows, capped by --disk-rows). Nothing is
 * compared to a time limit; the figures and the load average are printed with each table.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index as USearchIndex, MetricKind, ScalarKind } from 'usearch';
import { DataType } from '../src/core/enums.js';
import { SextantClient } from '../src/client/client.js';
import { SextantService } from '../src/service/service.js';
import { requireCollection } from '../src/service/resolve.js';
import { getIndexDescriptor } from '../src/index/registry.js';
import { floatColumn } from './data.js';
import { collectGarbage } from './measure.js';
import { BATCH_ROWS, GT_K, MixtureStream, recallAt } from './scale-data.js';
import { BatchSource } from './batch-source.js';
import { mb, table, type Table } from './table.js';

export interface ScaleOptions {
  rows: number;
  diskRows: number;
  queries: number;
  seed: number;
  m: number;
  efConstruction: number;
  /** HNSW search ef values, each measured on the one build (`--ef 64,128,256`). */
  efs: readonly number[];
  /** The engine case's indexes (`--scale-indexes HNSW,IVF_FLAT,IVF_SQ8`; HNSW_SQ when named). */
  engineIndexes: readonly string[];
  /** The disk case's indexes (`--disk-indexes DISKANN,IVF_FLAT`; IVF_FLAT runs with mmap.enabled). */
  diskIndexes: readonly string[];
  /** IVF search nprobe values, each measured on the one build (`--nprobe 8,16,32`). */
  nprobes: readonly number[];
  budgetBytes: number;
  /** DISKANN search_list values, each measured on the one build (`--search-list 64,100`). */
  searchLists: readonly number[];
  /**
   * The disk case's segments force-merged to this size (MB) before its builds: by default 2048, the
   * size Milvus compacts a DISKANN collection to (dataCoord.segment.diskSegmentMaxSize), or null
   * (`--disk-segment-mb 0`): an ordinary compaction before any index exists (1 GiB).
   */
  diskSegmentMb: number | null;
  /**
   * The engine case's layout: its rows inserted in `engineParts` parts, each flushed and compacted
   * (force-merged to `engineSegmentMb` MB when given) before the next (`--engine-parts 2
   * --engine-segment-mb 2600`: 10M x 128 as two 5M segments); by default one part, 1 GiB segments.
   */
  engineParts: number;
  engineSegmentMb: number | null;
  /** Keep the engine and disk cases' data directories (their paths are logged), each with its last index built and loaded, to open again in a fresh process. */
  keepDirs: boolean;
  peers: boolean;
  /**
   * A usearch index saved earlier over the engine case's rows (same --rows, --seed, --m and
   * --ef-construction; `--peer-index FILE`): the engine case searches it between its passes without
   * the hnsw case building one (10-12 minutes at 1M x 128 here). Its recall in the table shows a mismatch.
   */
  peerIndex: string | null;
  /**
   * usearch's expansion_search for each of `efs` in the engine case (`--peer-ef 192`: its fastest
   * setting at recall >= 0.95 on these rows), so that each round pairs the two settings being compared;
   * null: the same ef as ours.
   */
  peerEfs: readonly number[] | null;
  /**
   * Each timed figure repeats its pass over the queries until this many ms were spent and counts all
   * of them (`--measure-ms`): one pass of 200 queries lasts 0.1-0.2 s at 1M x 128, and such short
   * passes moved by 15-30% from one to the next.
   */
  measureMs: number;
  cases: readonly ScaleCase[];
  log: (line: string) => void;
}
export type ScaleCase = 'hnsw' | 'engine' | 'disk';
/** Every index the engine case can build (`--scale-indexes`); the default leaves HNSW_SQ out. */
export const ENGINE_INDEXES: readonly string[] = ['HNSW', 'HNSW_SQ', 'IVF_FLAT', 'IVF_SQ8'];
export const SCALE_CASES: readonly ScaleCase[] = ['hnsw', 'engine', 'disk'];

export const DEFAULT_SCALE: Omit<ScaleOptions, 'log'> = {
  rows: 1_000_000, diskRows: 1_000_000, queries: 200, seed: 42, m: 16, efConstruction: 200, efs: [64], engineIndexes: ['HNSW', 'IVF_FLAT', 'IVF_SQ8'], engineParts: 1, engineSegmentMb: null, keepDirs: false, diskIndexes: ['DISKANN', 'IVF_FLAT'], nprobes: [32], searchLists: [64, 100],
  budgetBytes: 1024 ** 3, diskSegmentMb: 2048, peers: true, peerIndex: null, peerEfs: null, measureMs: 1000, cases: SCALE_CASES,
};

export interface ScaleRow {
  case: string; rows: number; dim: number; engine: string; threads: number; recallAt10: number | null;
  qps: number | null; buildS: number | null; buildCpuS: number | null; rssMb: number | null; note: string;
}
export interface ScaleResult { rows: ScaleRow[]; loadAverage: number[][]; tables: Table[] }

const cpuS = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1e6;
const rssMb = (): number => { collectGarbage(); return process.memoryUsage().rss / 2 ** 20; };

/**
 * `pass` (nq searches) again and again until `measureMs` were spent (once at least): searches a second
 * over all the passes, and the process CPU per search.
 */
async function repeated(nq: number, measureMs: number, pass: () => void | Promise<void>): Promise<{ qps: number; cpuMs: number }> {
  const t0 = performance.now(), c0 = process.cpuUsage();
  let passes = 0, ms = 0;
  do {
    await pass();
    passes++;
    ms = performance.now() - t0;
  } while (ms < measureMs);
  return { qps: (passes * nq) / (ms / 1000), cpuMs: (cpuS(process.cpuUsage(c0)) * 1000) / (passes * nq) };
}

// ---------- the index alone, next to usearch ----------

/** usearch's HNSW over the hnsw case's rows, saved for the engine case to search between its own passes. */
interface PeerIndex { file: string; make: (ef: number) => USearchIndex; efFor: (ef: number) => number }

function usearchIndex(o: ScaleOptions, dim: number, ef: number): USearchIndex {
  return new USearchIndex({ dimensions: dim, metric: MetricKind.L2sq, quantization: ScalarKind.F32, connectivity: o.m, expansion_add: o.efConstruction, expansion_search: ef, multi: false });
}

/**
 * usearch: one query at a time (1 thread, hits into `found`), or the whole batch on 2 threads, repeated
 * for `measureMs` (see `repeated`); QPS.
 */
async function usearchPass(at: USearchIndex, queries: Float32Array, dim: number, found: Int32Array, threads: 1 | 2, measureMs: number): Promise<number> {
  const nq = queries.length / dim;
  const pass = (): void => {
    if (threads === 2) {
      at.search(queries, GT_K, 2);
      return;
    }
    for (let q = 0; q < nq; q++) {
      const m = at.search(queries.subarray(q * dim, (q + 1) * dim), GT_K, 1);
      for (let i = 0; i < GT_K; i++) found[q * GT_K + i] = i < m.keys.length ? Number(m.keys[i]) : -1;
    }
  };
  return (await repeated(nq, measureMs, pass)).qps;
}

/** `keepPeerIn`: save usearch's index there for the engine case (same rows), and say how to open it. */
async function hnswCase(o: ScaleOptions, out: ScaleRow[], keepPeerIn: string | null): Promise<PeerIndex | null> {
  const dim = 128, stream = new MixtureStream({ rows: o.rows, dim, seed: o.seed });
  o.log(`[scale] hnsw: generating ${o.rows} x ${dim}, ground truth for ${o.queries} queries`);
  const base = stream.all(true), queries = stream.queries(o.queries), truth = stream.groundTruth(queries);
  const nq = o.queries, found = new Int32Array(nq * GT_K);
  o.log(`[scale] hnsw: Sextant build, 2 threads (M ${o.m}, efC ${o.efConstruction})`);
  let c0 = process.cpuUsage(), t0 = performance.now();
  const index = getIndexDescriptor('HNSW').build(floatColumn(base, dim), o.rows, { metric: 'L2', params: { M: o.m, efConstruction: o.efConstruction }, threads: 2 });
  const buildS = (performance.now() - t0) / 1000, buildCpu = cpuS(process.cpuUsage(c0));
  out.push({ case: 'hnsw index', rows: o.rows, dim, engine: 'Sextant HNSW', threads: 2, recallAt10: null, qps: null, buildS, buildCpuS: buildCpu, rssMb: null, note: 'build on 2 threads' });
  for (const ef of o.efs) {
    const pass = (): void => {
      for (let q = 0; q < nq; q++) {
        const r = index.search({ queries: floatColumn(queries.subarray(q * dim, (q + 1) * dim), dim), topK: GT_K, params: { ef } });
        found.set(r.rows, q * GT_K);
      }
    };
    pass(); // unmeasured: JIT tiers and the first touches of the graph
    const { qps } = await repeated(nq, o.measureMs, pass);
    out.push({ case: 'hnsw index', rows: o.rows, dim, engine: 'Sextant HNSW', threads: 1, recallAt10: recallAt(found, truth, nq), qps, buildS: null, buildCpuS: null, rssMb: null, note: `ef ${ef}, nq 1` });
  }
  if (!o.peers) return null;
  o.log('[scale] hnsw: usearch build, 2 threads');
  const make = (ef: number): USearchIndex => usearchIndex(o, dim, ef);
  const us = make(o.efs[0]!);
  const keys = new BigUint64Array(o.rows);
  for (let i = 0; i < o.rows; i++) keys[i] = BigInt(i);
  c0 = process.cpuUsage(); t0 = performance.now();
  us.add(keys, base, 2);
  const usBuild = (performance.now() - t0) / 1000, usCpu = cpuS(process.cpuUsage(c0));
  out.push({ case: 'hnsw index', rows: o.rows, dim, engine: 'usearch', threads: 2, recallAt10: null, qps: null, buildS: usBuild, buildCpuS: usCpu, rssMb: null, note: 'add() on 2 threads' });
  // usearch fixes expansion_search at construction: each further ef loads the saved graph.
  const dir = keepPeerIn ?? await mkdtemp(join(tmpdir(), 'sextant-bench-usearch-'));
  try {
    const file = join(dir, 'usearch.index');
    if (o.efs.length > 1 || keepPeerIn !== null) us.save(file);
    for (let e = 0; e < o.efs.length; e++) {
      const ef = o.efs[e]!;
      let at = us;
      if (e > 0) { at = make(ef); at.load(file); }
      await usearchPass(at, queries, dim, found, 1, 0); // unmeasured, as Sextant's
      const usQps = await usearchPass(at, queries, dim, found, 1, o.measureMs);
      const recall = recallAt(found, truth, nq);
      const usQps2 = await usearchPass(at, queries, dim, found, 2, o.measureMs);
      out.push({ case: 'hnsw index', rows: o.rows, dim, engine: 'usearch', threads: 1, recallAt10: recall, qps: usQps, buildS: null, buildCpuS: null, rssMb: null, note: `expansion_search ${ef}, nq 1` });
      out.push({ case: 'hnsw index', rows: o.rows, dim, engine: 'usearch', threads: 2, recallAt10: recall, qps: usQps2, buildS: null, buildCpuS: null, rssMb: null, note: `expansion_search ${ef}, batch search on 2 threads` });
    }
  } finally {
    if (keepPeerIn === null) await rm(dir, { recursive: true, force: true });
  }
  return keepPeerIn === null ? null : peerIndex(o, dim, join(keepPeerIn, 'usearch.index'));
}

/** Made outside hnswCase, so that nothing keeps that case's rows and index alive (its closures share one context). */
function peerIndex(o: ScaleOptions, dim: number, file: string): PeerIndex {
  const efFor = (ef: number): number => o.peerEfs?.[o.efs.indexOf(ef)] ?? ef;
  return { file, make: (ef) => usearchIndex(o, dim, ef), efFor };
}

// ---------- the embedded product ----------

const NAME = 'scale';

/**
 * Durable ingest through the embedded client's typed insert (each call resolves once its WAL record is
 * fsync'd), one 10k-row batch at a time; the batches are written to a file beside the data directory
 * first and read back by a worker thread during the timed loop (batch-source.ts).
 */
async function ingest(svc: SextantService, stream: MixtureStream, dir: string, parts = 1, betweenParts?: () => Promise<unknown>): Promise<number> {
  const client = new SextantClient(svc);
  const source = new BatchSource(stream, `${dir}.rows`);
  try {
    await source.prepare();
    const per = Math.ceil(stream.batches / parts);
    let ms = 0;
    for (let part = 0; part < parts; part++) {
      const t0 = performance.now();
      for (let b = part * per; b < Math.min(stream.batches, (part + 1) * per); b++) {
        const vec = await source.batch(b), n = vec.length / stream.spec.dim, from = b * BATCH_ROWS;
        const ids = new BigInt64Array(n);
        for (let i = 0; i < n; i++) ids[i] = BigInt(from + i);
        await client.insertTyped({ collection_name: NAME, num_rows: n, fields: { id: ids, vec } });
      }
      ms += performance.now() - t0;
      // Not timed: the part's flush and compaction (the rows' order is the same as in one part).
      if (part < parts - 1) await betweenParts?.();
    }
    return stream.spec.rows / (ms / 1000);
  } finally {
    await source.close();
  }
}

/** Until every segment's index is built (or failed): no cap short of a day, builds at 1M+ take long. */
async function waitForIndex(svc: SextantService): Promise<void> {
  for (let i = 0; i < 24 * 3600 * 10; i++) {
    const [d] = await svc.describeIndex({ collectionName: NAME });
    if (d === undefined || d.state === 'Finished' || d.state === 'Failed') return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Flush and merge every segment (up to `targetSizeMb` when given: a force merge); throws if a merge failed. */
async function compactAll(svc: SextantService, targetSizeMb?: bigint): Promise<number> {
  await svc.flush({ collectionNames: [NAME] });
  const job = await svc.compact({ collectionName: NAME, ...(targetSizeMb === undefined ? {} : { targetSizeMb }) });
  for (let i = 0; i < 100_000; i++) {
    const state = await svc.getCompactionState({ compactionId: job.compactionId });
    if (state.failedPlans > 0) throw new Error(`compaction ${job.compactionId}: ${state.failedPlans} merge(s) failed`);
    if (state.state === 'Completed') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const c = requireCollection(svc.engine, { collectionName: NAME });
  let segments = 0;
  for (const p of c.partitions.values()) segments += p.sealed.length;
  return segments;
}

/** Recall@10, QPS and process CPU per query of client.search() with `streams` requests in flight (1 or 2). */
async function searches(
  client: SextantClient, queries: Float32Array, dim: number, truth: Int32Array, params: Record<string, number>, streams: number, measureMs: number,
): Promise<{ recall: number; qps: number; cpuMs: number }> {
  const nq = queries.length / dim, found = new Int32Array(nq * GT_K).fill(-1);
  const plain: number[][] = [];
  for (let q = 0; q < nq; q++) plain.push(Array.from(queries.subarray(q * dim, (q + 1) * dim)));
  const one = async (q: number): Promise<void> => {
    const res = await client.search({ collection_name: NAME, data: plain[q]!, limit: GT_K, params });
    const hits = res.results as { id: string | number }[];
    for (let i = 0; i < Math.min(GT_K, hits.length); i++) found[q * GT_K + i] = Number(hits[i]!.id);
  };
  let next = 0, end = nq;
  const lane = async (): Promise<void> => { for (let q = next++; q < end; q = next++) await one(q); };
  // Warm-up: every query once through the same lanes, unmeasured. The first searches after a load
  // also pay for JIT tiers and the worker pool's start (threads booting on the same 2 cores cost
  // over 1 ms of CPU a query for the first few hundred): 5 warm-up queries left that inside the
  // measured 50 at --rows 20000 (IVF_FLAT 664 QPS measured, about 1,500-2,700 once warm).
  await Promise.all(Array.from({ length: streams }, lane));
  const timed = await repeated(nq, measureMs, async () => {
    next = 0; end = nq;
    await Promise.all(Array.from({ length: streams }, lane));
  });
  return { recall: recallAt(found, truth, nq), ...timed };
}

interface BesidePeer { recall: number; peerRecall: number; peerEf: number; qps: number[][]; peerQps: number[][] }

/**
 * The engine's `client.search()` (1 and 2 streams) and usearch's index over the same rows (1 thread,
 * 2-thread batch), an unmeasured round and then PEER_ROUNDS rounds of the four passes one after another,
 * so that both see the same machine (it is shared: one-off runs 20 minutes apart moved by 30%).
 */
async function searchesBesidePeer(
  client: SextantClient, peer: PeerIndex, ef: number, c: { dim: number; queries: Float32Array; truth: Int32Array; measureMs: number },
): Promise<BesidePeer> {
  const peerEf = peer.efFor(ef), at = peer.make(peerEf);
  at.load(peer.file);
  const nq = c.queries.length / c.dim, found = new Int32Array(nq * GT_K);
  const r: BesidePeer = { recall: 0, peerRecall: 0, peerEf, qps: [[], []], peerQps: [[], []] };
  // Unmeasured: a round of the four passes. A fresh process's first two-stream searches ran at 0.65-0.85x
  // of what they reach a few thousand searches later (JIT, the heap's growth: its first touches fault
  // ~1,000 pages a 200-query pass here), and one pass of 200 left round 0 inside that.
  for (const streams of [1, 2] as const) {
    await searches(client, c.queries, c.dim, c.truth, { ef }, streams, c.measureMs);
    await usearchPass(at, c.queries, c.dim, found, streams, c.measureMs);
  }
  for (let round = 0; round < PEER_ROUNDS; round++) {
    for (const streams of [1, 2] as const) {
      const own = await searches(client, c.queries, c.dim, c.truth, { ef }, streams, c.measureMs);
      r.recall = own.recall;
      r.qps[streams - 1]!.push(own.qps);
      r.peerQps[streams - 1]!.push(await usearchPass(at, c.queries, c.dim, found, streams, c.measureMs));
      if (streams === 1) r.peerRecall = recallAt(found, c.truth, nq);
    }
  }
  return r;
}

function interleaved(
  r: BesidePeer, c: { rows: number; dim: number; caseName: string; note: string },
  head: { buildS: number; buildCpu: number; loaded: number; loadS: number; loadCpu: number; before: number } | null, params: Record<string, number>, out: ScaleRow[],
): void {
  const rounds = (xs: readonly number[]): string => `median of ${xs.map((x) => x.toFixed(0)).join(', ')}`;
  for (const streams of [1, 2] as const) {
    const own = r.qps[streams - 1]!, theirs = r.peerQps[streams - 1]!;
    const lead = head !== null && streams === 1;
    out.push({
      case: c.caseName, rows: c.rows, dim: c.dim, engine: 'Sextant HNSW', threads: streams, recallAt10: r.recall, qps: median(own),
      buildS: lead ? head.buildS : null, buildCpuS: lead ? head.buildCpu : null, rssMb: lead ? head.loaded : null,
      note: `${lead ? `${c.note}; load ${head.loadS.toFixed(1)} s (CPU ${head.loadCpu.toFixed(1)} s), RSS before load ${head.before.toFixed(0)} MB; ` : ''}${JSON.stringify(params)}${streams === 2 ? ', two search() streams' : ''}; ${rounds(own)} (interleaved with usearch, next row)`,
    });
    // Each round's two passes ran in the same seconds: their ratio is steadier than the ratio of the medians
    // (the machine's speed moves between rounds, and moves usearch's memory-bound walks more than ours).
    const ratios = own.map((q, i) => q / theirs[i]!);
    out.push({
      case: c.caseName, rows: c.rows, dim: c.dim, engine: 'usearch (same rows)', threads: streams, recallAt10: r.peerRecall, qps: median(theirs),
      buildS: null, buildCpuS: null, rssMb: null,
      note: `expansion_search ${r.peerEf}, ${streams === 2 ? 'batch search on 2 threads' : 'nq 1'}; ${rounds(theirs)}; Sextant / usearch per round: median ${median(ratios).toFixed(2)}x (${ratios.map((x) => x.toFixed(2)).join(', ')})`,
    });
  }
}

interface IndexStep { label: string; params: Record<string, string>; searches: Record<string, number>[]; mmap?: boolean }

/** Rounds of the engine case's HNSW searches when usearch's index over the same rows is there: medians of interleaved passes. */
const PEER_ROUNDS = 5;

const median = (xs: readonly number[]): number => { const v = [...xs].sort((a, b) => a - b); return v[v.length >> 1]!; };

async function indexAndSearch(
  svc: SextantService, step: IndexStep, c: { rows: number; dim: number; caseName: string; queries: Float32Array; truth: Int32Array; note: string; measureMs: number; keepIndex?: boolean }, out: ScaleRow[],
  peer: PeerIndex | null,
): Promise<void> {
  const client = new SextantClient(svc);
  let c0 = process.cpuUsage(), t0 = performance.now();
  await svc.createIndex({ collectionName: NAME, fieldName: 'vec', params: { metric_type: 'L2', ...step.params } });
  await waitForIndex(svc);
  const buildS = (performance.now() - t0) / 1000, buildCpu = cpuS(process.cpuUsage(c0));
  const before = rssMb();
  c0 = process.cpuUsage(); t0 = performance.now();
  await svc.loadCollection({ collectionName: NAME });
  const loadS = (performance.now() - t0) / 1000, loadCpu = cpuS(process.cpuUsage(c0));
  const loaded = rssMb();
  for (let s = 0; s < step.searches.length; s++) {
    const first = s === 0, params = step.searches[s]!;
    if (peer !== null && step.label === 'HNSW' && typeof params['ef'] === 'number') {
      interleaved(await searchesBesidePeer(client, peer, params['ef'], c), c, first ? { buildS, buildCpu, loaded, loadS, loadCpu, before } : null, params, out);
      continue;
    }
    for (const streams of [1, 2]) {
      const r = await searches(client, c.queries, c.dim, c.truth, params, streams, c.measureMs);
      const head = first && streams === 1;
      out.push({
        case: c.caseName, rows: c.rows, dim: c.dim, engine: `Sextant ${step.label}`, threads: streams, recallAt10: r.recall, qps: r.qps,
        buildS: head ? buildS : null, buildCpuS: head ? buildCpu : null, rssMb: head ? loaded : null,
        note: `${head ? `${c.note}; load ${loadS.toFixed(1)} s (CPU ${loadCpu.toFixed(1)} s), RSS before load ${before.toFixed(0)} MB; ` : ''}${JSON.stringify(params)}${streams === 2 ? ', two search() streams' : ''}; CPU ${r.cpuMs.toFixed(2)} ms/query`,
      });
    }
  }
  if (c.keepIndex === true) return;
  await svc.releaseCollection({ collectionName: NAME });
  await svc.dropIndex({ collectionName: NAME, fieldName: 'vec' });
}

/** `layout`: the memory budget, the force-merge size and the parts the rows are inserted in (null: none, 1 GiB, one part). */
async function productCase(
  o: ScaleOptions, dim: number, rows: number, steps: IndexStep[], layout: { budget: number | null; segmentMb: number | null; parts?: number } | null, out: ScaleRow[], caseName: string,
  seed: number, peer: PeerIndex | null,
): Promise<void> {
  const stream = new MixtureStream({ rows, dim, seed });
  o.log(`[scale] ${caseName}: ground truth for ${o.queries} queries over ${rows} x ${dim} (streamed)`);
  const queries = stream.queries(o.queries), truth = stream.groundTruth(queries);
  const dir = await mkdtemp(join(tmpdir(), 'sextant-bench-scale-'));
  const budget = layout?.budget ?? null, segmentMb = layout?.segmentMb ?? null;
  const svc = await SextantService.open({ dataDir: dir, ...(budget === null ? {} : { memoryBudgetBytes: budget }) });
  try {
    await svc.createCollection({ collectionName: NAME, fields: [{ name: 'id', dataType: DataType.Int64, isPrimaryKey: true, autoId: false }, { name: 'vec', dataType: DataType.FloatVector, dim }] });
    o.log(`[scale] ${caseName}: ingest ${rows} x ${dim}`);
    const parts = layout?.parts ?? 1;
    const ingestRate = await ingest(svc, stream, dir, parts, () => compactAll(svc, segmentMb === null ? undefined : BigInt(segmentMb)));
    // Force-merged to Milvus's DISKANN segment size by default (a DISKANN collection compacts to 2 GiB
    // once its index exists); `--disk-segment-mb 0`: an ordinary compaction, 1 GiB (bench/README.md
    // "Session 14" has both layouts).
    const segments = await compactAll(svc, segmentMb === null ? undefined : BigInt(segmentMb));
    const note = `ingest ${Math.round(ingestRate)} rows/s${parts > 1 ? ` in ${parts} parts` : ''}, ${segments} segment(s) after compaction${segmentMb === null ? '' : ` (force merge to ${segmentMb} MB)`}${budget === null ? '' : `, budget ${mb(budget)!.toFixed(0)} MB`}`;
    if (steps.length === 0) {
      out.push({ case: caseName, rows, dim, engine: 'Sextant (ingest only)', threads: 1, recallAt10: null, qps: null, buildS: null, buildCpuS: null, rssMb: mb(process.memoryUsage().rss), note });
    }
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      if (step.mmap === true) await svc.alterCollection({ collectionName: NAME, properties: { 'mmap.enabled': 'true' } });
      o.log(`[scale] ${caseName}: ${step.label}`);
      try {
        // --keep-dirs: the last index stays built and loaded, so the kept directory can be searched again.
        const keepIndex = o.keepDirs && i === steps.length - 1;
        await indexAndSearch(svc, step, { rows, dim, caseName, queries, truth, note, measureMs: o.measureMs, keepIndex }, out, peer);
      } catch (e) {
        out.push({ case: caseName, rows, dim, engine: `Sextant ${step.label}`, threads: 1, recallAt10: null, qps: null, buildS: null, buildCpuS: null, rssMb: null, note: `failed: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
  } finally {
    await svc.close();
    if (o.keepDirs) o.log(`[scale] ${caseName}: kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

/** sqrt(rows) lists (64 .. 1024): k-means trains in JS, so more lists cost build time quickly. */
function ivfNlist(rows: number): number {
  return Math.max(64, Math.min(1024, Math.round(Math.sqrt(rows))));
}

export async function runScale(o: ScaleOptions): Promise<ScaleResult> {
  const out: ScaleRow[] = [], loads: number[][] = [loadavg()];
  // With both cases the engine case takes the index case's rows, and searches usearch's index over them between its passes.
  const both = o.peers && o.cases.includes('hnsw') && o.cases.includes('engine') && o.engineIndexes.includes('HNSW');
  const peerDir = both ? await mkdtemp(join(tmpdir(), 'sextant-bench-usearch-')) : null;
  try {
    await cases(o, out, loads, peerDir);
  } finally {
    if (peerDir !== null) await rm(peerDir, { recursive: true, force: true });
  }
  return { rows: out, loadAverage: loads, tables: [scaleTable(out, o, loads)] };
}

async function cases(o: ScaleOptions, out: ScaleRow[], loads: number[][], peerDir: string | null): Promise<void> {
  const graph = { M: String(o.m), efConstruction: String(o.efConstruction) };
  let peer: PeerIndex | null = null;
  if (o.cases.includes('hnsw')) { peer = await hnswCase(o, out, peerDir); loads.push(loadavg()); }
  if (peer === null && o.peers && o.peerIndex !== null) peer = peerIndex(o, 128, o.peerIndex);
  if (o.cases.includes('engine')) {
    const nlist = String(ivfNlist(o.rows));
    const steps: IndexStep[] = [
      { label: 'HNSW', params: { index_type: 'HNSW', ...graph }, searches: o.efs.map((ef) => ({ ef })) },
      // SQ8 codes walked, refine_k x topK candidates re-ranked on the float32 rows (Knowhere's refine).
      {
        label: 'HNSW_SQ', params: { index_type: 'HNSW_SQ', ...graph, sq_type: 'SQ8', refine: 'true', refine_type: 'FP32' },
        searches: o.efs.map((ef) => ({ ef, refine_k: 2 })),
      },
      { label: 'IVF_FLAT', params: { index_type: 'IVF_FLAT', nlist }, searches: o.nprobes.map((nprobe) => ({ nprobe })) },
      { label: 'IVF_SQ8', params: { index_type: 'IVF_SQ8', nlist }, searches: o.nprobes.map((nprobe) => ({ nprobe })) },
    ];
    const layout = o.engineParts > 1 || o.engineSegmentMb !== null ? { budget: null, segmentMb: o.engineSegmentMb, parts: o.engineParts } : null;
    await productCase(o, 128, o.rows, steps.filter((st) => o.engineIndexes.includes(st.label)), layout, out, 'engine 128', o.seed, peer);
    loads.push(loadavg());
  }
  if (o.cases.includes('disk')) {
    const rows = Math.min(o.rows, o.diskRows);
    const steps: IndexStep[] = [
      { label: 'DISKANN', params: { index_type: 'DISKANN' }, searches: o.searchLists.map((L) => ({ search_list: L })) },
      { label: 'IVF_FLAT + mmap', params: { index_type: 'IVF_FLAT', nlist: String(ivfNlist(rows)) }, searches: o.nprobes.map((nprobe) => ({ nprobe })), mmap: true },
    ];
    await productCase(o, 768, rows, steps.filter((st) => o.diskIndexes.includes(st.params['index_type']!)), { budget: o.budgetBytes, segmentMb: o.diskSegmentMb }, out, 'disk 768', o.seed + 768, null);
    loads.push(loadavg());
  }
}

function scaleTable(rows: ScaleRow[], o: ScaleOptions, loads: number[][]): Table {
  const t = table(`Scale (issue 13): rows x dim, recall@10 against exact search on ${o.queries} sampled queries, top 10`,
    ['case', 'rows', 'dim', 'engine', 'threads', 'recall@10', 'QPS', 'build s', 'build CPU s', 'RSS MB', 'note']);
  for (const r of rows) t.rows.push([r.case, r.rows, r.dim, r.engine, r.threads, r.recallAt10, r.qps, r.buildS, r.buildCpuS, r.rssMb, r.note]);
  t.notes.push(`load average (1/5/15 min) at start and after each case: ${loads.map((l) => l.map((x) => x.toFixed(1)).join('/')).join(', ')} — the machine is shared; CPU seconds are this process's (all threads).`);
  t.notes.push('threads: 1 = one query at a time (nq 1); 2 = Sextant: two search() streams, usearch: batch search on 2 threads. Build CPU s counts every thread of the process.');
  t.notes.push(`QPS: the queries searched again and again for at least ${o.measureMs} ms (--measure-ms), every search counted, after one unmeasured pass.`);
  return t;
}
