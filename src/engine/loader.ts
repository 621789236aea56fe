/**
 * Load and release: bring sealed segments' columns into memory, and drop them again. Growing data
 * is always in memory (it is the write buffer). A budget bounds what may be loaded at once; a load
 * that would pass it is refused before any column is read.
 */
import { errors } from '../core/errors.js';
import type { CollectionRuntime } from './collection.js';
import { livePartitionMetas, type Catalog } from './parts.js';
import { unloadedFieldNames, type LoadedFields, type LoadMeta, type LoadType, type SealedSegmentMeta } from './meta.js';
import { Mutex } from './mutex.js';
import { segmentMemoryBytes, type PartitionRuntime, type SealedSegment } from './partition.js';
import type { Chunk } from './chunk.js';
import type { ColumnPlacement } from '../storage/segment-stream.js';
import { ResidentPlacement } from './load-read.js';
import type { ReadSegment } from './writer.js';
import { limits } from '../core/limits.js';
import { forgetCopies } from '../index/wasm/exact.js';
import { PageCache } from './page-cache.js';
import { mappedFieldNames } from './mmap-column.js';
import { mapSegment, mappedBytesToLoad } from './mmap-load.js';
import { dropUnloadedGrowing, growingLacks } from './growing-fields.js';
import { estimateLoadBytes, segmentReadBytes, unloadedFieldIds, type EstimateDeps } from './load-estimate.js';

/** What the loader is given by the engine. */
export interface LoaderDeps extends EstimateDeps {
  catalog: Catalog;
  /** Read a sealed segment's file, fixed-width columns where `placement` says (writer.readSegment). */
  readSegment(c: CollectionRuntime, meta: SealedSegmentMeta, placement: ColumnPlacement | null): Promise<ReadSegment>;
  /** Attach a loaded segment's built indexes (indexer.attach). */
  attachIndexes(c: CollectionRuntime, s: SealedSegment): Promise<void>;
  /** Flush a partition whose growing data lacks columns a load wants (growing-fields.ts; not on a query node). */
  flushPartition(c: CollectionRuntime, p: PartitionRuntime): Promise<void>;
}

function unloadedSegments(parts: readonly PartitionRuntime[]): SealedSegment[] {
  return parts.flatMap((p) => p.sealed.filter((s) => !s.data));
}

export class Loader {
  private readonly lock = new Mutex();
  /** The pages of mapped (mmap.enabled) columns, shared by every loaded segment. */
  readonly pageCache: PageCache;
  /** Compaction targets being loaded, not yet in their partition (held next to their loaded sources). */
  private readonly inFlight = new Set<SealedSegment>();

  constructor(
    private readonly deps: LoaderDeps,
    public budgetBytes: number,
    mmapCacheBytes: number = limits.mmapCacheBytes,
  ) {
    this.pageCache = new PageCache(mmapCacheBytes, Math.min(limits.mmapPageBytes, mmapCacheBytes));
  }

  /** Bytes of sealed segment data held in memory across all collections. */
  /** Compaction targets refused because loading them would pass the budget (a metric). */
  refusedOverBudget = 0;

  get loadedBytes(): number {
    let n = 0;
    for (const c of this.deps.catalog.collections.values()) for (const p of c.partitions.values()) n += p.loadedBytes;
    // Mapped columns are counted as the one bounded cache they are read through.
    if (this.pageCache.openFiles > 0) n += this.pageCache.limitBytes;
    for (const s of this.inFlight) n += segmentMemoryBytes(s);
    return n;
  }

  /** Run `fn` with no load or release under way (compaction's swap). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run(fn);
  }

  /** A segment not yet listed (compaction's target) in its loaded form, indexes attached. */
  async loadSegment(c: CollectionRuntime, meta: SealedSegmentMeta, budgeted = false): Promise<SealedSegment> {
    const s: SealedSegment = { meta, data: null };
    if (budgeted) {
      // A compaction target joins while its sources are still loaded: refused, like a load, when
      // the estimate would pass the budget (the sources stay served; the caller reports it).
      const need = await estimateLoadBytes(this.deps, c, [s]);
      const used = this.loadedBytes;
      if (used + need > this.budgetBytes) {
        this.refusedOverBudget++;
        throw errors.insufficientMemoryToLoad(need, this.budgetBytes, used);
      }
    }
    // Counted while it loads; the caller puts it in its partition in the same turn as this returns.
    this.inFlight.add(s);
    try {
      s.data = await this.readLoaded(c, s);
      await this.deps.attachIndexes(c, s);
      return s;
    } finally {
      this.inFlight.delete(s);
    }
  }

  /** A segment's loaded form: mapped columns read through the page cache, the rest resident (load-read.ts). */
  private async readLoaded(c: CollectionRuntime, s: SealedSegment, fields: LoadedFields | null = c.meta.load): Promise<Chunk> {
    const path = this.deps.segmentPath?.(s.meta) ?? null;
    const unloaded = unloadedFieldNames(c.meta.schema, fields);
    const mappedNames = path === null ? [] : [...mappedFieldNames(c).keys()].filter((n) => !unloaded.has(n));
    const placement = new ResidentPlacement(c, mappedNames, unloaded);
    let raw: ReadSegment;
    try {
      raw = await this.deps.readSegment(c, s.meta, placement);
    } catch (e) {
      placement.release();
      throw e;
    }
    for (const name of unloaded) raw.skipped.delete(name);
    const mapped = path === null ? null : await mapSegment(raw.skipped, raw.chunk.numRows, path, this.pageCache);
    s.mappedFile = mapped?.file;
    const data = placement.residentChunk(raw.chunk, s);
    for (const [name, m] of mapped?.columns ?? []) data.mapped.set(name, m);
    return data;
  }

  /**
   * Read `segments` in, `limits.loadSegmentsInFlight` at a time. On a failure the others in flight
   * finish (so nothing is left being written into) before it is thrown; the caller frees them.
   */
  private async loadSegments(c: CollectionRuntime, segments: SealedSegment[], fields: LoadedFields | null): Promise<void> {
    let next = 0, failed: { e: unknown } | null = null;
    const unloaded = unloadedFieldIds(c, fields);
    const worker = async (): Promise<void> => {
      while (failed === null && next < segments.length) {
        const s = segments[next++]!;
        try {
          const data = await this.readLoaded(c, s, fields);
          s.data = data;
          data.buildTextIndexes(c.meta.schema);
          await this.deps.attachIndexes(c, s);
          if (c.loading) c.loading.doneBytes += segmentReadBytes(s, unloaded);
        } catch (e) {
          failed ??= { e };
        }
      }
    };
    const n = Math.max(1, Math.min(limits.loadSegmentsInFlight, segments.length));
    await Promise.all(Array.from({ length: n }, worker));
    if (failed !== null) throw (failed as { e: unknown }).e;
  }

  /** `fields`: the fields to load (Milvus's `load_fields` / `skip_load_dynamic_field`); by default as loaded before. */
  async load(c: CollectionRuntime, parts: PartitionRuntime[], type: LoadType, persist = true, fields: LoadedFields | null = c.meta.load): Promise<void> {
    // Growing data a partial load left without some columns this load wants: sealed from the log first,
    // before the load lock (compaction's swap holds the flush lock, then takes this one).
    const unloadedNames = unloadedFieldNames(c.meta.schema, fields);
    for (const p of parts) if (!p.loaded && growingLacks(c, p, unloadedNames)) await this.deps.flushPartition(c, p);
    await this.lock.run(async () => {
      const toLoad = parts.filter((p) => !p.loaded);
      // Refused before any column is read: the estimate needs the manifest, file sizes and, when fields
      // are left out, the files' column headers (only the loaded fields count).
      const segments = toLoad.flatMap((p) => p.sealed.filter((s) => !s.data));
      let need = await estimateLoadBytes(this.deps, c, segments, fields);
      // Mapped columns are not read in; they count as the one bounded page cache instead.
      const path = (m: SealedSegmentMeta) => this.deps.segmentPath?.(m) ?? null;
      const mappedBytes = mappedBytesToLoad(c, toLoad, path, unloadedNames);
      if (mappedBytes > 0) need += (this.pageCache.openFiles > 0 ? 0 : this.pageCache.limitBytes) - mappedBytes;
      const used = this.loadedBytes;
      if (used + need > this.budgetBytes) throw errors.insufficientMemoryToLoad(need, this.budgetBytes, used);
      const unloaded = unloadedFieldIds(c, fields);
      let readBytes = 0;
      for (const s of segments) readBytes += segmentReadBytes(s, unloaded);
      const progress = { totalBytes: readBytes, doneBytes: 0 };
      c.loading = progress;
      try {
        // A flush may seal growing rows while the segments are read: it publishes its segment
        // unloaded (the partition is not loaded yet), so read until none is left, then mark the
        // partitions loaded in the same turn as the last check.
        for (let missing = segments; missing.length > 0;) {
          await this.loadSegments(c, missing, fields);
          missing = unloadedSegments(toLoad);
          for (const s of missing) progress.totalBytes += segmentReadBytes(s, unloaded);
        }
        for (const p of toLoad) p.loaded = true;
      } catch (e) {
        // Leave nothing half-loaded behind.
        for (const p of toLoad) this.releasePartition(p);
        throw e;
      } finally {
        c.loading = null;
      }
      const loadedIds = [...c.partitions.values()].filter((p) => p.loaded).map((p) => p.meta.id);
      const prevType = c.meta.load?.type;
      const load: LoadMeta = {
        type: type === 'collection' || prevType === 'collection' ? 'collection' : 'partitions',
        partitionIds: loadedIds,
        loadFields: fields?.loadFields ?? null,
        skipDynamic: fields?.skipDynamic ?? false,
      };
      if (!persist) {
        c.meta.load = load;
        dropUnloadedGrowing(c);
        return;
      }
      try {
        await this.commitLoad(c, load);
      } catch (e) {
        // The load state is not durable: what this call loaded is released again.
        for (const p of toLoad) this.releasePartition(p);
        throw e;
      }
      dropUnloadedGrowing(c);
    });
  }

  /** Persist-then-publish of a collection's load state; `publish` runs once it is durable. */
  private commitLoad(c: CollectionRuntime, load: LoadMeta | null, publish?: () => void): Promise<void> {
    return this.deps.catalog.commit(() => {
      const next = { ...c.meta, load, partitions: livePartitionMetas(c) };
      return {
        draft: { collections: new Map([[c.id, next]]) },
        publish: () => {
          publish?.();
          c.meta = next;
        },
      };
    });
  }

  private releasePartition(p: PartitionRuntime): void {
    p.loaded = false;
    this.releaseSegments(p.sealed);
  }

  /** Free what loaded segments hold (a query node's segments that compaction replaced). */
  releaseSegments(segments: readonly SealedSegment[]): void {
    for (const s of segments) {
      for (const r of s.residents ?? []) r.release();
      s.residents = undefined;
      // Copies made for exact searches of columns not resident (no index built yet, float16) go now, not at GC.
      if (s.data) forgetCopies(s.data.columns.values());
      for (const i of s.data?.indexes.values() ?? []) i.index.close?.();
      if (s.mappedFile) this.pageCache.close(s.mappedFile);
      s.mappedFile = undefined;
      s.data = null;
    }
    this.pageCache.trim();
  }

  /** A partition replaced or dropped: free what it holds in memory (no manifest write). */
  forget(p: PartitionRuntime): void {
    this.releasePartition(p);
  }

  /** Release everything of a collection in memory (no manifest write). */
  releaseAll(c: CollectionRuntime): void {
    for (const p of c.partitions.values()) this.releasePartition(p);
    c.meta.load = null;
  }

  /** The load state is committed first; the partitions' memory is freed once that is durable. */
  async release(c: CollectionRuntime, parts: PartitionRuntime[] | null): Promise<void> {
    await this.lock.run(async () => {
      const gone = parts ?? [...c.partitions.values()];
      const still = [...c.partitions.values()].filter((p) => p.loaded && !gone.includes(p));
      let load: LoadMeta | null = null;
      if (still.length > 0 && c.meta.load) load = { ...c.meta.load, type: 'partitions', partitionIds: still.map((p) => p.meta.id) };
      await this.commitLoad(c, load, () => {
        for (const p of gone) this.releasePartition(p);
      });
    });
  }

  /** At open: load again what was loaded when the process stopped, as Milvus does. */
  async restoreLoads(accept: (collectionId: number) => boolean = () => true): Promise<void> {
    for (const c of this.deps.catalog.collections.values()) {
      const load = c.meta.load;
      if (!load || !accept(c.id)) continue;
      const parts = load.partitionIds.map((id) => c.partitions.get(id)).filter((p): p is PartitionRuntime => p !== undefined);
      try {
        await this.load(c, parts, load.type, false);
      } catch (e) {
        // Over budget after a restart (e.g. a smaller budget): keep the data, leave it released, say why.
        c.meta.load = null;
        process.emitWarning(`collection ${c.meta.name} was not reloaded at open: ${(e as Error).message}`);
      }
    }
  }
}
