/**
 * Prometheus metrics of one server instance (its own prom-client Registry; no global default
 * registry). Request counters and latency histograms are fed by the gRPC `onCall` hook and the
 * HTTP dispatcher; engine numbers (rows, bytes, loaded memory, segments, indexes, WAL position) are
 * read from the engine at scrape time.
 *
 * WAL fsync latency and index build durations come from listeners on the WAL and the indexer;
 * `close()` removes them.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Engine } from '../../engine/engine.js';
import { ownCopyBytes, processArenaBytes } from '../../index/wasm/exact.js';

type Labels = 'db' | 'collection';

const LATENCY_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'transport' | 'endpoint' | 'code'>;
  private readonly latency: Histogram<'transport' | 'endpoint' | 'code'>;

  private readonly detach: (() => void)[] = [];

  /** `version`: the server's version, for `sextant_build_info{version}` (the console shows it). */
  constructor(private readonly engine: Engine | undefined, version = '') {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'sextant_requests_total', help: 'Answered requests by transport, RPC or endpoint, and Milvus code (0 = success)',
      labelNames: ['transport', 'endpoint', 'code'], registers,
    });
    this.latency = new Histogram({
      name: 'sextant_request_duration_seconds', help: 'Request latency by transport, RPC or endpoint, and Milvus code',
      labelNames: ['transport', 'endpoint', 'code'], buckets: LATENCY_BUCKETS_S, registers,
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'sextant_' });
    new Gauge({ name: 'sextant_build_info', help: 'Always 1; the label is the server version', labelNames: ['version'], registers }).set({ version }, 1);
    if (engine !== undefined) this.engineGauges(engine);
  }

  /** One answered request; `code` is the Milvus code of the answer (0 = success). */
  observe(transport: string, endpoint: string, ms: number, code: number): void {
    const labels = { transport, endpoint, code: String(code) };
    this.requests.inc(labels);
    this.latency.observe(labels, ms / 1000);
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private engineGauges(engine: Engine): void {
    const registers = [this.registry];
    const perCollection = (name: string, help: string, value: (c: CollectionStats) => number): void => {
      new Gauge<Labels>({
        name, help, labelNames: ['db', 'collection'], registers,
        collect() {
          this.reset();
          for (const c of collectionStats(engine)) this.set({ db: c.db, collection: c.collection }, value(c));
        },
      });
    };
    perCollection('sextant_collection_rows', 'Rows written to a collection (growing + sealed, before deletes)', (c) => c.rows);
    perCollection('sextant_collection_sealed_bytes', 'Bytes of sealed segment files of a collection', (c) => c.sealedBytes);
    perCollection('sextant_collection_growing_bytes', 'Bytes held in growing segments of a collection', (c) => c.growingBytes);
    perCollection('sextant_collection_loaded_bytes', 'Bytes a collection holds loaded: columns, resident vector memories, indexes, text and BM25 postings, caches (what the load budget counts)', (c) => c.loadedBytes);
    perCollection('sextant_collection_sealed_segments', 'Sealed segments of a collection', (c) => c.sealedSegments);
    perCollection('sextant_collection_growing_segments', 'Non-empty growing segments of a collection', (c) => c.growingSegments);
    perCollection('sextant_collection_indexes', 'Indexes defined on a collection', (c) => c.indexes);
    perCollection('sextant_collection_segment_indexes_built', 'Built per-segment index files of a collection', (c) => c.indexFilesBuilt);
    this.partitionGauges(engine);
    this.wasmGauges();
    new Gauge({
      name: 'sextant_loaded_bytes', help: 'Bytes of sealed data loaded in memory, all collections', registers,
      collect() { this.set(engine.loader.loadedBytes); },
    });
    new Gauge({
      name: 'sextant_memory_budget_bytes', help: 'The load budget: a load whose estimate would pass it is refused (code 3)', registers,
      collect() { this.set(engine.loader.budgetBytes); },
    });
    new Gauge({
      name: 'sextant_segment_loads_refused_over_budget', help: 'Compaction targets (or a query node\'s new segments) not loaded because they would pass the load budget; the old segments stay served', registers,
      collect() { this.set(engine.loader.refusedOverBudget); },
    });
    new Gauge({
      name: 'sextant_healthy', help: 'CheckHealth: 1 healthy, 0 not (storage failed or engine closed; see CheckHealth reasons)', registers,
      collect() { this.set(engine.health.report().isHealthy ? 1 : 0); },
    });
    new Gauge({
      name: 'sextant_writes_denied', help: '1 while writes are refused for lack of disk space (quota state DenyToWrite), else 0', registers,
      collect() { this.set(engine.health.report().quotaStates.includes('DenyToWrite') ? 1 : 0); },
    });
    new Gauge({
      name: 'sextant_wal_next_lsn', help: 'Next WAL log sequence number (records written so far + 1)', registers,
      collect() { this.set(Number(engine.wal.nextLsn)); },
    });
    new Gauge({
      name: 'sextant_wal_files', help: 'WAL files on disk', registers,
      collect() { this.set(engine.wal.metrics?.retainedFiles ?? 0); },
    });
    const fsync = new Histogram({
      name: 'sextant_wal_fsync_seconds', help: 'Duration of each WAL group-commit fsync', buckets: LATENCY_BUCKETS_S, registers,
    });
    const fsyncRecords = new Counter({ name: 'sextant_wal_records_synced_total', help: 'WAL records made durable', registers });
    const onFsync = (seconds: number, records: number): void => {
      fsync.observe(seconds);
      fsyncRecords.inc(records);
    };
    const syncListeners = engine.wal.metrics?.syncListeners;
    syncListeners?.add(onFsync);
    this.detach.push(() => syncListeners?.delete(onFsync));
    const builds = new Histogram({
      name: 'sextant_index_build_seconds', help: 'Duration of per-segment vector index builds by index type and outcome',
      labelNames: ['index_type', 'outcome'], buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300], registers,
    });
    const onBuild = (indexType: string, seconds: number, ok: boolean): void => {
      builds.observe({ index_type: indexType, outcome: ok ? 'ok' : 'failed' }, seconds);
    };
    engine.indexer.buildListeners.add(onBuild);
    this.detach.push(() => engine.indexer.buildListeners.delete(onBuild));
  }

  /** Process-wide wasm memory outside loaded segments (index/wasm/exact.ts). */
  private wasmGauges(): void {
    const registers = [this.registry];
    new Gauge({
      name: 'sextant_wasm_process_arena_bytes', help: 'Bytes of the process arena, the wasm memory of per-search copies and small cached copies (reused, never shrunk)', registers,
      collect() { this.set(processArenaBytes().size); },
    });
    new Gauge({
      name: 'sextant_wasm_process_arena_used_bytes', help: 'Bytes of the process arena allocated now', registers,
      collect() { this.set(processArenaBytes().used); },
    });
    new Gauge({
      name: 'sextant_wasm_cached_copy_bytes', help: 'Bytes of rows held by cached copies of unindexed vector columns (growing data) of 4 MiB or more, each in a wasm memory of its own given back when the copy is dropped', registers,
      collect() { this.set(ownCopyBytes()); },
    });
  }

  /** Memory per partition: loaded sealed data and growing segments (the console's per-partition view). */
  private partitionGauges(engine: Engine): void {
    const perPartition = (name: string, help: string, value: (p: PartitionLike) => number): void => {
      new Gauge<'db' | 'collection' | 'partition'>({
        name, help, labelNames: ['db', 'collection', 'partition'], registers: [this.registry],
        collect() {
          this.reset();
          for (const c of engine.collections.values()) {
            for (const p of c.partitions.values()) this.set({ db: c.meta.dbName, collection: c.name, partition: p.meta.name }, value(p));
          }
        },
      });
    };
    perPartition('sextant_partition_loaded_bytes', 'Bytes of sealed data of a partition loaded in memory', (p) => p.loadedBytes);
    perPartition('sextant_partition_growing_bytes', 'Bytes held in growing segments of a partition', (p) => p.growing.sizeBytes);
  }

  /** Stop listening to the engine. */
  close(): void {
    for (const d of this.detach.splice(0)) d();
  }
}

interface PartitionLike { readonly loadedBytes: number; readonly growing: { readonly sizeBytes: number } }

interface CollectionStats {
  db: string; collection: string; rows: number; sealedBytes: number; growingBytes: number; loadedBytes: number;
  sealedSegments: number; growingSegments: number; indexes: number; indexFilesBuilt: number;
}

function collectionStats(engine: Engine): CollectionStats[] {
  const out: CollectionStats[] = [];
  for (const c of engine.collections.values()) {
    const s: CollectionStats = {
      db: c.meta.dbName, collection: c.name, rows: c.numRowsTotal, sealedBytes: 0, growingBytes: 0, loadedBytes: 0,
      sealedSegments: 0, growingSegments: 0, indexes: c.meta.indexes.length, indexFilesBuilt: 0,
    };
    for (const p of c.partitions.values()) {
      s.sealedBytes += p.sealedBytesOnDisk;
      s.growingBytes += p.growing.sizeBytes;
      s.loadedBytes += p.loadedBytes;
      s.sealedSegments += p.sealed.length;
      if (p.growing.numRows > 0) s.growingSegments++;
      for (const seg of p.sealed) for (const f of Object.values(seg.meta.indexFiles ?? {})) if (f !== '') s.indexFilesBuilt++;
    }
    out.push(s);
  }
  return out;
}
