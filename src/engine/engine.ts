/**
 * The engine: databases, collections, partitions, aliases and indexes (the catalog), and the
 * durable write path. Milvus semantics (validation, name resolution, result shapes) live in the
 * service layer above; this layer only does what it is told, durably.
 *
 * Data directory:
 *   LOCK                 one process per directory (storage/lock.ts)
 *   MANIFEST             the catalog + live segment list, replaced atomically (storage/manifest.ts)
 *   wal/wal-*.log        write-ahead log (storage/wal.ts); records are engine/records.ts payloads
 *   segments/seg-N.sxs   immutable sealed segments (storage/segment.ts)
 *   segments/del-N.sxs   tombstone snapshots of a partition (same format: pk + ts columns)
 *   segments/idx-S-I.sxi vector index I of segment S (storage/index-file.ts)
 * Compaction (compactor.ts) writes new seg files and swaps them in with one manifest update.
 * The engine reaches these only through the five ports of storage/ports.ts (storage/local/ for
 * this directory); `EngineOptions.ports` gives it others.
 */
import { availableParallelism } from 'node:os';
import { errors } from '../core/errors.js';
import { limits } from '../core/limits.js';
import type { CollectionSchema, FieldSchema, FunctionSchema, StructFieldSchema } from '../schema/types.js';
import type { FileSystem } from '../storage/fs/types.js';
import { NodeFileSystem } from '../storage/fs/node.js';
import { openLocalPorts } from '../storage/local/index.js';
import type { CatalogStore, Lease, Log, StoragePorts, TimestampOracle } from '../storage/ports.js';
import { EngineHealth } from './health.js';
import { EngineCatalog } from './catalog.js';
import { CollectionRuntime } from './collection.js';
import { decodeCatalog, emptyManifest, type AliasMeta, type CollectionMeta, type DatabaseMeta, type IndexMeta, type PartitionMeta } from './meta.js';
import { SegmentDir, livePartitionMetas } from './parts.js';
import { PartitionRuntime } from './partition.js';
import { Writer, addedFieldColumn } from './writer.js';
import { Loader } from './loader.js';
import { Indexer } from './indexer.js';
import { Compactor } from './compactor.js';
import { SearchThreads, checkSearchThreads } from './search-threads.js';
import { defaultMemoryBudget, type EngineOptions } from './options.js';

export type { EngineOptions } from './options.js';

export const DEFAULT_DB = 'default';
export const DEFAULT_PARTITION = '_default';

export class Engine {
  readonly clock: TimestampOracle;
  /** Storage health: refuses writes after a storage failure, reported by CheckHealth and /healthz. */
  readonly health: EngineHealth;
  /** The live catalog and its persist-then-publish commit (catalog.ts). */
  readonly catalog: EngineCatalog;
  readonly writer: Writer;
  readonly loader: Loader;
  readonly indexer: Indexer;
  readonly compactor: Compactor;
  /** Segment, tombstone and index files, over the BlobStore port. */
  readonly segments: SegmentDir;
  /** Worker threads for exact search (see read.ts searchVectors). */
  readonly searchThreads: SearchThreads;
  /** The write-ahead log port. */
  readonly wal: Log;
  private readonly lease: Lease;
  private closed = false;

  private constructor(
    readonly fs: FileSystem,
    readonly dataDir: string,
    ports: StoragePorts,
    catalog: { body: ReturnType<typeof emptyManifest>; version: bigint; store: CatalogStore },
    readonly opts: EngineOptions,
  ) {
    this.wal = ports.log;
    this.lease = ports.lease;
    this.clock = ports.clock;
    this.clock.observe(catalog.body.clockTs);
    const wal = ports.log;
    this.health = new EngineHealth(() => wal.failure);
    if (opts.follower !== undefined) this.health.makeReadOnly(opts.follower.reason);
    void ports.lease.lost.then(() => { if (!this.closed) this.health.fence('the storage lease was lost'); });
    this.catalog = new EngineCatalog(catalog.body, catalog.version, { store: catalog.store, lease: ports.lease, clock: this.clock, health: this.health });
    this.searchThreads = new SearchThreads(opts.searchThreads, opts.yieldLoneSearches === true);
    this.segments = new SegmentDir(fs, ports.blobs);
    this.segments.named = () => this.catalog.liveFiles();
    this.writer = new Writer({
      catalog: this.catalog,
      files: this.segments,
      wal,
      clock: this.clock,
      health: this.health,
      sealRows: opts.sealRows ?? limits.growingSealRows,
      scheduleIndex: (c) => this.indexer.schedule(c),
      afterFlush: (c, p) => this.compactor.afterFlush(c, p),
    });
    this.indexer = new Indexer(this.catalog, this.segments, opts.indexBuildThreads ?? availableParallelism());
    this.loader = new Loader({
      catalog: this.catalog,
      readSegment: (c, meta, placement) => this.writer.readSegment(c, meta, placement),
      attachIndexes: (c, s) => this.indexer.attach(c, s),
      flushPartition: async (c, p) => { if (this.health.readOnly === null) await this.writer.flushPartition(c, p); },
      segmentPath: (meta) => this.segments.residentPath(meta.file),
      estimateIndexBytes: (c, meta, unloaded) => this.indexer.loadEstimateBytes(c, meta, unloaded),
      columnBytes: (meta) => this.segments.columnBytes(meta.file),
    }, opts.memoryBudgetBytes ?? defaultMemoryBudget(), opts.mmapCacheBytes ?? limits.mmapCacheBytes);
    this.compactor = new Compactor({
      catalog: this.catalog,
      files: this.segments,
      maxSegmentBytes: opts.maxSegmentBytes ?? limits.maxSegmentBytes,
      auto: opts.follower === undefined && (opts.autoCompaction ?? true),
      flushCollection: (c) => this.writer.flushCollection(c),
      exclusive: (fn) => this.writer.exclusive(() => this.loader.exclusive(fn)),
      loadSegment: (c, meta, budgeted) => this.loader.loadSegment(c, meta, budgeted),
      buildIndexes: (c, meta, live) => this.indexer.buildFor(c, meta, live),
      scheduleIndex: (c) => this.indexer.schedule(c),
    });
  }

  static async open(opts: EngineOptions): Promise<Engine> {
    if (opts.searchThreads !== undefined) checkSearchThreads(opts.searchThreads);
    const fs = opts.fs ?? new NodeFileSystem();
    const dir = opts.dataDir;
    const ports = opts.ports ?? await openLocalPorts(fs, dir, {
      lock: opts.lock !== false,
      onWalTail: (t) => opts.onWalTail?.(`cut a torn WAL tail: ${t.file} at byte ${t.offset} (${t.droppedBytes} bytes): ${t.reason}`),
    });
    try {
      const doc = await ports.catalog.load();
      const body = doc === null ? emptyManifest() : decodeCatalog(doc.body);
      const engine = new Engine(fs, dir, ports, { body, version: doc?.version ?? 0n, store: ports.catalog }, opts);
      await engine.recover();
      return engine;
    } catch (e) {
      await ports.log.close().catch(() => undefined);
      await ports.lease.release();
      throw e;
    }
  }

  /** At open: the default database, tombstones, log replay from the checkpoint, orphans, loads, builds. */
  private async recover(): Promise<void> {
    if (!this.databases.has(DEFAULT_DB) && this.opts.follower === undefined) await this.createDatabase(DEFAULT_DB, {}, 0);
    for (const c of this.collections.values()) {
      for (const p of c.partitions.values()) await this.writer.readTombstones(p);
    }
    await this.writer.replay(this.wal.readFrom(this.checkpointLsn()));
    const follower = this.opts.follower;
    if (follower !== undefined) { // a follower deletes and builds nothing: the writer owns the files
      await this.loader.restoreLoads((id) => follower.loads(id));
      return;
    }
    await this.removeOrphanFiles();
    await this.loader.restoreLoads();
    // Builds interrupted by a stop or crash start again.
    for (const c of this.collections.values()) this.indexer.schedule(c);
  }

  /** The first log record some partition may still need (every partition's files hold what is below). */
  private checkpointLsn(): bigint {
    let from: bigint | null = null;
    for (const c of this.collections.values()) {
      for (const p of c.partitions.values()) if (from === null || p.meta.flushedLsn + 1n < from) from = p.meta.flushedLsn + 1n;
    }
    return from ?? this.wal.nextLsn;
  }

  get databases(): ReadonlyMap<string, DatabaseMeta> { return this.catalog.databases; }
  get collections(): ReadonlyMap<number, CollectionRuntime> { return this.catalog.collections; }
  get aliases(): readonly AliasMeta[] { return this.catalog.aliases; }
  allocId(): number { return this.catalog.allocId(); }

  /** Before a write is acknowledged: storage works (a failed catalog commit published nothing, so memory never runs ahead of disk). */
  async ensureWritable(): Promise<void> {
    this.health.checkWritable();
  }

  /** Unnamed files (crash between publish and commit); only the lease holder removes them, checking before each (a stale writer may see a new owner's file). */
  private async removeOrphanFiles(): Promise<void> {
    const live = this.catalog.liveFiles();
    for (const f of await this.segments.blobs.list()) {
      if (!this.lease.held) return;
      if (!live.has(f)) await this.segments.remove([f]);
    }
  }

  async removeFiles(files: readonly string[]): Promise<void> {
    try {
      await this.segments.remove(files);
    } catch (e) {
      throw this.health.storageError('removing segment files', e, false);
    }
  }

  // ---------------- databases ----------------
  // Every DDL change below is planned, committed, and only then published (catalog.ts).

  async createDatabase(name: string, properties: Record<string, string>, id?: number): Promise<void> {
    await this.catalog.commit(() => {
      if (this.databases.size >= limits.maxDatabases) throw errors.databaseNumLimit(limits.maxDatabases);
      const d: DatabaseMeta = { id: id ?? this.allocId(), name, createdTs: this.clock.next(), properties };
      return { draft: { databases: new Map(this.databases).set(name, d) }, publish: () => { this.catalog.databases.set(name, d); } };
    });
  }

  async dropDatabase(name: string): Promise<void> {
    await this.catalog.commit(() => {
      const databases = new Map(this.databases);
      databases.delete(name);
      return { draft: { databases }, publish: () => { this.catalog.databases.delete(name); } };
    });
  }

  async alterDatabase(name: string, properties: Record<string, string>): Promise<void> {
    await this.catalog.commit(() => {
      const d = this.databases.get(name);
      if (!d) throw errors.databaseNotFound(name);
      const next = { ...d, properties };
      return { draft: { databases: new Map(this.databases).set(name, next) }, publish: () => { this.catalog.databases.set(name, next); } };
    });
  }

  collectionsOf(dbName: string): CollectionRuntime[] {
    return [...this.collections.values()].filter((c) => c.meta.dbName === dbName);
  }

  findCollection(dbName: string, name: string): CollectionRuntime | undefined {
    for (const c of this.collections.values()) if (c.meta.dbName === dbName && c.meta.name === name) return c;
    return undefined;
  }

  // ---------------- collections ----------------

  async createCollection(args: {
    dbName: string;
    schema: CollectionSchema;
    properties: Record<string, string>;
    consistencyLevel: CollectionMeta['consistencyLevel'];
    shardsNum: number;
    numPartitions: number;
  }): Promise<CollectionRuntime> {
    return this.catalog.commit(() => {
      if (this.collections.size >= limits.maxCollections) throw errors.collectionNumLimit(limits.maxCollections);
      const ts = this.clock.next();
      const names = args.numPartitions > 0
        ? Array.from({ length: args.numPartitions }, (_, i) => `${DEFAULT_PARTITION}_${i}`)
        : [DEFAULT_PARTITION];
      const partitions: PartitionMeta[] = names.map((name) => this.newPartitionMeta(name, ts));
      const meta: CollectionMeta = {
        id: this.allocId(),
        dbName: args.dbName,
        name: args.schema.name,
        schema: args.schema,
        partitions,
        indexes: [],
        properties: args.properties,
        consistencyLevel: args.consistencyLevel,
        shardsNum: args.shardsNum,
        numPartitions: args.numPartitions,
        createdTs: ts,
        updateTs: ts,
        load: null,
      };
      return {
        draft: { collections: new Map([[meta.id, meta]]) },
        publish: () => {
          const c = new CollectionRuntime(meta, () => this.allocId());
          this.catalog.collections.set(meta.id, c);
          return c;
        },
      };
    });
  }

  private newPartitionMeta(name: string, ts: bigint): PartitionMeta {
    return { id: this.allocId(), name, createdTs: ts, flushedLsn: this.wal.nextLsn - 1n, segments: [], deleteFile: null };
  }

  /** Replace collection `c`'s catalog entry by `meta` (its partitions as they are live): commit, then publish. */
  private async updateCollection(c: CollectionRuntime, change: (meta: CollectionMeta) => CollectionMeta, publish?: () => void): Promise<void> {
    await this.catalog.commit(() => {
      const next = { ...change(c.meta), partitions: livePartitionMetas(c) };
      return {
        draft: { collections: new Map([[c.id, next]]) },
        publish: () => {
          c.meta = next;
          publish?.();
        },
      };
    });
  }

  async dropCollection(c: CollectionRuntime): Promise<void> {
    await this.catalog.commit(() => ({
      draft: { collections: new Map([[c.id, null]]), aliases: this.aliases.filter((a) => a.collectionId !== c.id) },
      publish: () => {
        this.catalog.collections.delete(c.id);
        this.catalog.aliases = this.aliases.filter((a) => a.collectionId !== c.id);
        this.loader.releaseAll(c);
      },
    }));
    const files: string[] = [];
    for (const p of c.partitions.values()) {
      for (const s of p.meta.segments) files.push(s.file);
      if (p.meta.deleteFile) files.push(p.meta.deleteFile);
    }
    await this.removeFiles(files);
    await this.writer.dropObsoleteWal();
  }

  async renameCollection(c: CollectionRuntime, newDb: string, newName: string): Promise<void> {
    await this.updateCollection(c, (m) => ({ ...m, dbName: newDb, name: newName, schema: { ...m.schema, name: newName }, updateTs: this.clock.next() }));
  }

  async alterCollection(c: CollectionRuntime, properties: Record<string, string>): Promise<void> {
    await this.updateCollection(c, (m) => ({ ...m, properties, updateTs: this.clock.next() }));
  }

  /**
   * AddCollectionField / AddCollectionStructField: the (validated, nullable) fields join the schema before
   * `$meta` (a struct's members with the struct); rows in memory get the default or NULL, as rows read later do.
   */
  async addField(c: CollectionRuntime, added: readonly FieldSchema[], struct?: StructFieldSchema): Promise<void> {
    const addToChunks = (): void => {
      for (const p of c.partitions.values()) for (const chunk of p.chunks()) for (const field of added) {
        if (chunk.column(field.name) === undefined && !chunk.mapped.has(field.name)) chunk.addMissingColumn(field.name, addedFieldColumn(field, chunk.numRows));
      }
    };
    await this.updateCollection(c, (m) => {
      const fields = m.schema.fields.slice();
      const dynamicAt = fields.findIndex((f) => f.isDynamic);
      fields.splice(dynamicAt < 0 ? fields.length : dynamicAt, 0, ...added);
      const structFields = struct === undefined ? m.schema.structFields : [...(m.schema.structFields ?? []), struct];
      return { ...m, schema: { ...m.schema, fields, ...(structFields === undefined ? {} : { structFields }) }, updateTs: this.clock.next() };
    }, addToChunks);
  }

  /** AlterCollectionField: replace one field's schema entry (same id, same data; only properties change). */
  async replaceField(c: CollectionRuntime, field: FieldSchema): Promise<void> {
    await this.updateCollection(c, (m) => ({
      ...m,
      schema: { ...m.schema, fields: m.schema.fields.map((f) => (f.fieldId === field.fieldId ? field : f)) },
      updateTs: this.clock.next(),
    }));
  }

  /**
   * Add/Alter/DropCollectionFunction: the (already validated) function list replaces the schema's.
   * Which fields are function outputs follows from it; no row changes (Milvus refuses these on BM25).
   */
  async replaceFunctions(c: CollectionRuntime, functions: FunctionSchema[]): Promise<void> {
    await this.updateCollection(c, (m) => ({ ...m, schema: { ...m.schema, functions }, updateTs: this.clock.next() }));
  }

  // ---------------- partitions ----------------

  async createPartition(c: CollectionRuntime, name: string): Promise<PartitionRuntime> {
    return this.catalog.commit(() => {
      const meta = this.newPartitionMeta(name, this.clock.next());
      const growingId = this.allocId();
      // A partition created while the whole collection is loaded joins the load (reference §2).
      const joins = c.meta.load?.type === 'collection';
      const load = joins && c.meta.load ? { ...c.meta.load, partitionIds: [...c.meta.load.partitionIds, meta.id] } : c.meta.load;
      const next: CollectionMeta = { ...c.meta, load, partitions: [...livePartitionMetas(c), meta] };
      return {
        draft: { collections: new Map([[c.id, next]]) },
        publish: () => {
          const p = new PartitionRuntime(meta, growingId);
          p.loaded = joins;
          c.partitions.set(meta.id, p);
          c.meta = next;
          return p;
        },
      };
    });
  }

  async dropPartition(c: CollectionRuntime, p: PartitionRuntime): Promise<void> {
    await this.catalog.commit(() => ({
      draft: { partitions: new Map([[p.meta.id, null]]) },
      publish: () => { c.partitions.delete(p.meta.id); },
    }));
    const files = p.meta.segments.map((s) => s.file);
    if (p.meta.deleteFile) files.push(p.meta.deleteFile);
    await this.removeFiles(files);
    await this.writer.dropObsoleteWal();
  }

  /**
   * TruncateCollection: every partition is replaced by an empty one with the same name (a new id,
   * so WAL records of the old one are skipped on replay, as for a dropped partition); schema,
   * indexes, aliases and the load state stay. Old segment files go once the catalog is persisted.
   */
  async truncateCollection(c: CollectionRuntime): Promise<void> {
    const olds = await this.catalog.commit(() => {
      const ts = this.clock.next();
      const olds = [...c.partitions.values()];
      const fresh = olds.map((old) => { // same order: _default first, then by creation
        const p = new PartitionRuntime({ ...this.newPartitionMeta(old.meta.name, ts), createdTs: old.meta.createdTs }, this.allocId());
        p.loaded = old.loaded;
        return p;
      });
      const renumber = (id: number): number => fresh[olds.findIndex((o) => o.meta.id === id)]?.meta.id ?? id;
      const load = c.meta.load ? { ...c.meta.load, partitionIds: c.meta.load.partitionIds.map(renumber) } : null;
      const next: CollectionMeta = { ...c.meta, load, updateTs: ts, partitions: fresh.map((p) => p.meta) };
      return {
        draft: { collections: new Map([[c.id, next]]) },
        publish: () => {
          c.partitions.clear();
          for (const p of fresh) c.partitions.set(p.meta.id, p);
          c.meta = next;
          for (const old of olds) this.loader.forget(old);
          return olds;
        },
      };
    });
    const files: string[] = [];
    for (const old of olds) {
      for (const s of old.meta.segments) files.push(s.file);
      if (old.meta.deleteFile) files.push(old.meta.deleteFile);
    }
    await this.removeFiles(files);
    await this.writer.dropObsoleteWal();
  }

  // ---------------- aliases ----------------

  async setAliases(aliases: AliasMeta[]): Promise<void> {
    await this.catalog.commit(() => ({ draft: { aliases }, publish: () => { this.catalog.aliases = aliases; } }));
  }

  // ---------------- indexes ----------------

  async addIndex(c: CollectionRuntime, index: Omit<IndexMeta, 'id' | 'createdTs'>): Promise<IndexMeta> {
    const meta = await this.catalog.commit(() => {
      const meta: IndexMeta = { ...index, id: this.allocId(), createdTs: this.clock.next() };
      const next: CollectionMeta = { ...c.meta, indexes: [...c.meta.indexes, meta], partitions: livePartitionMetas(c) };
      return { draft: { collections: new Map([[c.id, next]]) }, publish: () => { c.meta = next; return meta; } };
    });
    this.indexer.schedule(c);
    return meta;
  }

  /** AlterIndex: replace an index's stored params (only properties such as mmap.enabled change). */
  async setIndexParams(c: CollectionRuntime, indexId: number, params: Record<string, string>): Promise<void> {
    const index = c.meta.indexes.find((i) => i.id === indexId);
    if (!index) return;
    // The index object keeps its identity (queued builds hold it): its params change in place once durable.
    await this.updateCollection(c, (m) => ({ ...m, indexes: m.indexes.map((i) => (i === index ? { ...i, params } : i)) }), () => {
      index.params = params;
      c.meta = { ...c.meta, indexes: c.meta.indexes.map((i) => (i.id === indexId ? index : i)) };
    });
  }

  async removeIndex(c: CollectionRuntime, indexId: number): Promise<void> {
    const index = c.meta.indexes.find((i) => i.id === indexId);
    if (!index) return;
    let files: string[] = [];
    await this.catalog.commit(() => {
      const key = String(index.id);
      const partitions = livePartitionMetas(c).map((p) => ({
        ...p,
        segments: p.segments.map((s) => {
          if (s.indexFiles?.[key] === undefined) return s;
          const rest = { ...s.indexFiles };
          delete rest[key];
          return { ...s, indexFiles: rest };
        }),
      }));
      const next: CollectionMeta = { ...c.meta, indexes: c.meta.indexes.filter((i) => i !== index), partitions };
      return {
        draft: { collections: new Map([[c.id, next]]) },
        publish: () => {
          c.meta = next;
          files = this.indexer.detach(c, index);
        },
      };
    });
    await this.removeFiles(files);
  }

  // ---------------- lifecycle ----------------

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.compactor.stop();
      await this.indexer.close();
      await this.compactor.idle();
      // After a storage failure nothing more is written: the WAL holds every acknowledged write.
      if (this.health.failedReason === null && this.health.readOnly === null) await this.writer.flushAll();
    } catch (e) {
      throw this.health.storageError('closing', e, false);
    } finally {
      this.health.markClosed();
      await this.searchThreads.close();
      let walError: unknown = null;
      await this.wal.close().catch((e: unknown) => { walError = e; });
      await this.lease.release();
      if (walError !== null) throw this.health.storageError('closing the write-ahead log', walError, false);
    }
  }
}

