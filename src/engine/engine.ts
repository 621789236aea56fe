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
 */
import { availableParallelism, totalmem } from 'node:os';
import * as path from 'node:path';
import { errors } from '../core/errors.js';
import { limits } from '../core/limits.js';
import type { CollectionSchema, FieldSchema } from '../schema/types.js';
import type { FileSystem } from '../storage/fs/types.js';
import { NodeFileSystem } from '../storage/fs/node.js';
import { ensureDir } from '../storage/fs/durable.js';
import { acquireDirLock } from '../storage/lock.js';
import { readManifest, writeManifest } from '../storage/manifest.js';
import { Wal } from '../storage/wal.js';
import { HybridClock } from './clock.js';
import { EngineHealth } from './health.js';
import { CollectionRuntime } from './collection.js';
import type { AliasMeta, CollectionMeta, DatabaseMeta, IndexMeta, ManifestBody, PartitionMeta } from './meta.js';
import { emptyManifest, fromManifestJson, toManifestJson } from './meta.js';
import { Mutex } from './mutex.js';
import { SegmentDir, type Catalog } from './parts.js';
import { PartitionRuntime } from './partition.js';
import { Writer, addedFieldColumn } from './writer.js';
import { Loader } from './loader.js';
import { Indexer } from './indexer.js';
import { Compactor } from './compactor.js';
import { SearchThreads, checkSearchThreads } from './read.js';

export interface EngineOptions {
  dataDir: string;
  /** The file-system seam; NodeFileSystem by default. Tests pass memory or faulty ones. */
  fs?: FileSystem;
  /** Bytes of sealed data that may be loaded at once. */
  memoryBudgetBytes?: number;
  /** Seal a growing segment at this many rows (tests lower it). */
  sealRows?: number;
  /** Search worker threads (default one per core; 0 = every search on the calling thread). */
  searchThreads?: number;
  /**
   * A search alone waits one event-loop turn first, so that searches arriving with it run next to it
   * on the search threads (servers, where requests arrive together; see SearchThreads.enter).
   */
  yieldLoneSearches?: boolean;
  /** Index build threads, builds of several segments at once (default one per core). */
  indexBuildThreads?: number;
  /** Largest segment compaction writes (default limits.maxSegmentBytes; tests lower it). */
  maxSegmentBytes?: number;
  /** Compact small segments by itself after flushes (default true). */
  autoCompaction?: boolean;
  /** Take the directory lock (skip only for in-memory test file systems). */
  lock?: boolean;
  /** Called with a description of a torn WAL tail that was cut off at open. */
  onWalTail?: (report: string) => void;
}

export const DEFAULT_DB = 'default';
export const DEFAULT_PARTITION = '_default';

export class Engine implements Catalog {
  readonly clock: HybridClock;
  /** Storage health: refuses writes after a storage failure, reported by CheckHealth and /healthz. */
  readonly health: EngineHealth;
  readonly databases = new Map<string, DatabaseMeta>();
  readonly collections = new Map<number, CollectionRuntime>();
  aliases: AliasMeta[] = [];
  readonly writer: Writer;
  readonly loader: Loader;
  readonly indexer: Indexer;
  readonly compactor: Compactor;
  /** The segments/ directory (segment, tombstone and index files). */
  readonly segments: SegmentDir;
  /** Worker threads for exact search (see read.ts searchVectors). */
  readonly searchThreads: SearchThreads;
  private nextId: number;
  private readonly manifestLock = new Mutex();
  private closed = false;
  /** Memory holds catalog changes the MANIFEST lacks (its replacement found no space): write it before acknowledging anything. */
  private catalogBehind = false;

  private constructor(
    readonly fs: FileSystem,
    readonly dataDir: string,
    readonly wal: Wal,
    body: ManifestBody,
    readonly opts: EngineOptions,
    private readonly unlock: (() => Promise<void>) | null,
  ) {
    this.clock = new HybridClock(body.clockTs);
    this.health = new EngineHealth(() => wal.failure);
    this.nextId = body.nextId;
    for (const d of body.databases) this.databases.set(d.name, d);
    for (const c of body.collections) this.collections.set(c.id, new CollectionRuntime(c, () => this.allocId()));
    this.aliases = body.aliases;
    this.searchThreads = new SearchThreads(opts.searchThreads, opts.yieldLoneSearches === true);
    this.segments = new SegmentDir(fs, path.join(dataDir, 'segments'));
    this.writer = new Writer({
      catalog: this,
      files: this.segments,
      wal,
      clock: this.clock,
      health: this.health,
      sealRows: opts.sealRows ?? limits.growingSealRows,
      scheduleIndex: (c) => this.indexer.schedule(c),
      afterFlush: (c, p) => this.compactor.afterFlush(c, p),
    });
    this.indexer = new Indexer(this, this.segments, opts.indexBuildThreads ?? availableParallelism());
    this.loader = new Loader({
      catalog: this,
      readSegment: (c, meta) => this.writer.readSegment(c, meta),
      attachIndexes: (c, s) => this.indexer.attach(c, s),
      estimateIndexBytes: (c, meta) => this.indexer.loadEstimateBytes(c, meta),
    }, opts.memoryBudgetBytes ?? defaultMemoryBudget());
    this.compactor = new Compactor({
      catalog: this,
      files: this.segments,
      maxSegmentBytes: opts.maxSegmentBytes ?? limits.maxSegmentBytes,
      auto: opts.autoCompaction ?? true,
      flushCollection: (c) => this.writer.flushCollection(c),
      exclusive: (fn) => this.writer.exclusive(() => this.loader.exclusive(fn)),
      loadSegment: (c, meta) => this.loader.loadSegment(c, meta),
      buildIndexes: (c, meta, live) => this.indexer.buildFor(c, meta, live),
      scheduleIndex: (c) => this.indexer.schedule(c),
    });
  }

  static async open(opts: EngineOptions): Promise<Engine> {
    if (opts.searchThreads !== undefined) checkSearchThreads(opts.searchThreads);
    const fs = opts.fs ?? new NodeFileSystem();
    const dir = opts.dataDir;
    await ensureDir(fs, dir);
    const lock = opts.lock === false ? null : await acquireDirLock(dir);
    try {
      await ensureDir(fs, path.join(dir, 'wal'));
      await ensureDir(fs, path.join(dir, 'segments'));
      const json = await readManifest(fs, dir);
      const body = json === null ? emptyManifest() : fromManifestJson(json);
      const { wal, records, tail } = await Wal.open(fs, path.join(dir, 'wal'));
      if (tail) opts.onWalTail?.(`cut a torn WAL tail: ${tail.file} at byte ${tail.offset} (${tail.droppedBytes} bytes): ${tail.reason}`);
      const engine = new Engine(fs, dir, wal, body, opts, lock ? () => lock.release() : null);
      if (!engine.databases.has(DEFAULT_DB)) {
        engine.databases.set(DEFAULT_DB, { id: 0, name: DEFAULT_DB, createdTs: engine.clock.next(), properties: {} });
        await engine.persist();
      }
      for (const c of engine.collections.values()) {
        for (const p of c.partitions.values()) await engine.writer.readTombstones(p);
      }
      engine.writer.replay(records);
      await engine.removeOrphanFiles();
      await engine.loader.restoreLoads();
      // Builds interrupted by a stop or crash start again.
      for (const c of engine.collections.values()) engine.indexer.schedule(c);
      return engine;
    } catch (e) {
      await lock?.release();
      throw e;
    }
  }

  allocId(): number {
    return this.nextId++;
  }

  /**
   * Write the manifest from the current catalog state. Serialised. Refused once storage failed; a
   * failure to replace it fails storage, except a full disk that left the old manifest in place.
   */
  async persist(): Promise<void> {
    this.health.checkWritable();
    await this.manifestLock.run(async () => {
      try {
        await writeManifest(this.fs, this.dataDir, toManifestJson(this.manifestBody()));
      } catch (e) {
        this.catalogBehind = true;
        throw this.health.storageError('manifest', e, true);
      }
      this.catalogBehind = false;
      this.health.wrote();
    });
  }

  /** Before a write is acknowledged: storage works and the MANIFEST holds every catalog change in memory. */
  async ensureWritable(): Promise<void> {
    this.health.checkWritable();
    if (this.catalogBehind) await this.persist();
  }

  private manifestBody(): ManifestBody {
    return {
      formatVersion: 1,
      nextId: this.nextId,
      clockTs: this.clock.current,
      databases: [...this.databases.values()],
      collections: [...this.collections.values()].map((c) => ({
        ...c.meta,
        partitions: [...c.partitions.values()].map((p) => p.meta),
      })),
      aliases: this.aliases,
    };
  }

  segmentPath(file: string): string {
    return this.segments.path(file);
  }

  private async removeOrphanFiles(): Promise<void> {
    const live = new Set<string>();
    for (const c of this.collections.values()) {
      for (const p of c.partitions.values()) {
        for (const s of p.meta.segments) {
          live.add(s.file);
          for (const f of Object.values(s.indexFiles ?? {})) if (f) live.add(f);
        }
        if (p.meta.deleteFile) live.add(p.meta.deleteFile);
      }
    }
    const dir = path.join(this.dataDir, 'segments');
    for (const f of await this.fs.readdir(dir)) {
      if (!live.has(f)) await this.fs.unlink(path.join(dir, f));
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

  async createDatabase(name: string, properties: Record<string, string>): Promise<void> {
    if (this.databases.size >= limits.maxDatabases) throw errors.databaseNumLimit(limits.maxDatabases);
    this.databases.set(name, { id: this.allocId(), name, createdTs: this.clock.next(), properties });
    await this.persist();
  }

  async dropDatabase(name: string): Promise<void> {
    this.databases.delete(name);
    await this.persist();
  }

  async alterDatabase(name: string, properties: Record<string, string>): Promise<void> {
    const d = this.databases.get(name);
    if (!d) throw errors.databaseNotFound(name);
    d.properties = properties;
    await this.persist();
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
    if (this.collections.size >= limits.maxCollections) throw errors.collectionNumLimit(limits.maxCollections);
    const ts = this.clock.next();
    const partitions: PartitionMeta[] = [];
    const names = args.numPartitions > 0
      ? Array.from({ length: args.numPartitions }, (_, i) => `${DEFAULT_PARTITION}_${i}`)
      : [DEFAULT_PARTITION];
    for (const name of names) partitions.push(this.newPartitionMeta(name, ts));
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
    const c = new CollectionRuntime(meta, () => this.allocId());
    this.collections.set(meta.id, c);
    await this.persist();
    return c;
  }

  private newPartitionMeta(name: string, ts: bigint): PartitionMeta {
    return { id: this.allocId(), name, createdTs: ts, flushedLsn: this.wal.nextLsn - 1n, segments: [], deleteFile: null };
  }

  async dropCollection(c: CollectionRuntime): Promise<void> {
    this.loader.releaseAll(c);
    this.collections.delete(c.id);
    this.aliases = this.aliases.filter((a) => a.collectionId !== c.id);
    await this.persist();
    const files: string[] = [];
    for (const p of c.partitions.values()) {
      for (const s of p.meta.segments) files.push(s.file);
      if (p.meta.deleteFile) files.push(p.meta.deleteFile);
    }
    await this.removeFiles(files);
    await this.writer.dropObsoleteWal();
  }

  async renameCollection(c: CollectionRuntime, newDb: string, newName: string): Promise<void> {
    c.meta.dbName = newDb;
    c.meta.name = newName;
    c.meta.schema = { ...c.meta.schema, name: newName };
    c.meta.updateTs = this.clock.next();
    await this.persist();
  }

  async alterCollection(c: CollectionRuntime, properties: Record<string, string>): Promise<void> {
    c.meta.properties = properties;
    c.meta.updateTs = this.clock.next();
    await this.persist();
  }

  /**
   * AddCollectionField: the (already validated, nullable) field joins the schema before `$meta`;
   * rows already in memory get its default or NULL, as rows read later from disk or the WAL do.
   */
  async addField(c: CollectionRuntime, field: FieldSchema): Promise<void> {
    const fields = c.meta.schema.fields.slice();
    const dynamicAt = fields.findIndex((f) => f.isDynamic);
    fields.splice(dynamicAt < 0 ? fields.length : dynamicAt, 0, field);
    c.meta.schema = { ...c.meta.schema, fields };
    for (const p of c.partitions.values()) {
      for (const chunk of p.chunks()) {
        if (chunk.column(field.name) === undefined) chunk.addMissingColumn(field.name, addedFieldColumn(field, chunk.numRows));
      }
    }
    c.meta.updateTs = this.clock.next();
    await this.persist();
  }

  /** AlterCollectionField: replace one field's schema entry (same id, same data; only properties change). */
  async replaceField(c: CollectionRuntime, field: FieldSchema): Promise<void> {
    c.meta.schema = { ...c.meta.schema, fields: c.meta.schema.fields.map((f) => (f.fieldId === field.fieldId ? field : f)) };
    c.meta.updateTs = this.clock.next();
    await this.persist();
  }

  // ---------------- partitions ----------------

  async createPartition(c: CollectionRuntime, name: string): Promise<PartitionRuntime> {
    const meta = this.newPartitionMeta(name, this.clock.next());
    const p = new PartitionRuntime(meta, this.allocId());
    c.partitions.set(meta.id, p);
    // A partition created while the whole collection is loaded joins the load (reference §2).
    if (c.meta.load?.type === 'collection') {
      p.loaded = true;
      c.meta.load.partitionIds.push(meta.id);
    }
    await this.persist();
    return p;
  }

  async dropPartition(c: CollectionRuntime, p: PartitionRuntime): Promise<void> {
    c.partitions.delete(p.meta.id);
    await this.persist();
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
    const files: string[] = [];
    const ts = this.clock.next();
    const olds = [...c.partitions.values()];
    c.partitions.clear();
    for (const old of olds) { // same order: _default first, then by creation
      const fresh = new PartitionRuntime({ ...this.newPartitionMeta(old.meta.name, ts), createdTs: old.meta.createdTs }, this.allocId());
      fresh.loaded = old.loaded;
      for (const s of old.meta.segments) files.push(s.file);
      if (old.meta.deleteFile) files.push(old.meta.deleteFile);
      c.partitions.set(fresh.meta.id, fresh);
      if (c.meta.load) c.meta.load = { ...c.meta.load, partitionIds: c.meta.load.partitionIds.map((id) => (id === old.meta.id ? fresh.meta.id : id)) };
      this.loader.forget(old);
    }
    c.meta.updateTs = ts;
    await this.persist();
    await this.removeFiles(files);
    await this.writer.dropObsoleteWal();
  }

  // ---------------- aliases ----------------

  async setAliases(aliases: AliasMeta[]): Promise<void> {
    this.aliases = aliases;
    await this.persist();
  }

  // ---------------- indexes ----------------

  async addIndex(c: CollectionRuntime, index: Omit<IndexMeta, 'id' | 'createdTs'>): Promise<IndexMeta> {
    const meta: IndexMeta = { ...index, id: this.allocId(), createdTs: this.clock.next() };
    c.meta.indexes.push(meta);
    await this.persist();
    this.indexer.schedule(c);
    return meta;
  }

  /** AlterIndex: replace an index's stored params (only properties such as mmap.enabled change). */
  async setIndexParams(c: CollectionRuntime, indexId: number, params: Record<string, string>): Promise<void> {
    const index = c.meta.indexes.find((i) => i.id === indexId);
    if (!index) return;
    index.params = params;
    await this.persist();
  }

  async removeIndex(c: CollectionRuntime, indexId: number): Promise<void> {
    const index = c.meta.indexes.find((i) => i.id === indexId);
    if (!index) return;
    c.meta.indexes = c.meta.indexes.filter((i) => i !== index);
    const files = this.indexer.detach(c, index);
    await this.persist();
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
      if (this.health.failedReason === null) await this.writer.flushAll();
    } catch (e) {
      throw this.health.storageError('closing', e, false);
    } finally {
      this.health.markClosed();
      await this.searchThreads.close();
      let walError: unknown = null;
      await this.wal.close().catch((e: unknown) => { walError = e; });
      await this.unlock?.();
      if (walError !== null) throw this.health.storageError('closing the write-ahead log', walError, false);
    }
  }
}

function defaultMemoryBudget(): number {
  // Leave room for the process itself: half of the machine's memory.
  return Math.floor(totalmem() / 2);
}

