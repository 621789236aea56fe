/**
 * What the engine's parts (writer.ts, loader.ts, indexer.ts, compactor.ts) are given by the engine
 * when it makes them, instead of a pointer back to the whole Engine: the catalog as they see it and
 * the segment files (over the BlobStore port). The log and the clock are passed as their ports;
 * calls between parts are callbacks.
 */
import { posix } from 'node:path';
import type { FileSystem } from '../storage/fs/types.js';
import { NodeFileSystem } from '../storage/fs/node.js';
import { LocalBlobStore } from '../storage/local/blob-store.js';
import { segmentColumnBytes } from '../storage/segment-stream.js';
import type { BlobStore } from '../storage/ports.js';
import type { CollectionRuntime } from './collection.js';
import type { AliasMeta, CollectionMeta, DatabaseMeta, PartitionMeta, RestoreJobMeta, SnapshotMeta } from './meta.js';

/**
 * A catalog change as it will be persisted: entries that replace the live ones. Anything not named
 * is written as it is live. A collection entry lists its partitions itself (`livePartitionMetas`
 * for the live ones); `partitions` replaces or (null) drops partitions of collections not named.
 */
export interface CatalogDraft {
  databases?: ReadonlyMap<string, DatabaseMeta>;
  aliases?: readonly AliasMeta[];
  /** By collection id: the new entry (a replacement or a new collection), or null when dropped. */
  collections?: ReadonlyMap<number, CollectionMeta | null>;
  /** By partition id: the new entry, or null when dropped. */
  partitions?: ReadonlyMap<number, PartitionMeta | null>;
  snapshots?: readonly SnapshotMeta[];
  restoreJobs?: readonly RestoreJobMeta[];
}

/** A planned change: what to persist, and how to publish it in memory once it is durable. */
export interface CatalogChange<T> {
  draft: CatalogDraft;
  publish(): T;
}

/** The live collections, id allocation and the persist-then-publish commit (engine/catalog.ts). */
export interface Catalog {
  readonly collections: ReadonlyMap<number, CollectionRuntime>;
  allocId(): number;
  /**
   * Persist-then-publish: `plan` runs under the catalog lock and describes the change; the catalog
   * with the change applied is committed through the CatalogStore, and only once that is durable
   * `publish` runs (synchronously, still under the lock) to make the change visible in memory. A
   * failed commit publishes nothing, so memory never runs ahead of disk.
   */
  commit<T>(plan: () => CatalogChange<T>): Promise<T>;
}

/** A collection's live partition entries, in order. */
export function livePartitionMetas(c: CollectionRuntime): PartitionMeta[] {
  return [...c.partitions.values()].map((p) => p.meta);
}

/**
 * Segment, tombstone and index files, over the BlobStore: written into `dir` (the store's staging
 * directory) by the storage writers, published before the catalog names them, read through a
 * local path (also what worker threads are given).
 */
export class SegmentDir {
  /** Files the catalog still names (a collection or a snapshot): `remove` leaves them (set by the engine). */
  named: (() => ReadonlySet<string>) | null = null;

  constructor(
    readonly fs: FileSystem,
    readonly blobs: BlobStore,
  ) {}

  /** Where new files are written before `publish`. */
  get dir(): string {
    return this.blobs.stagingDir;
  }

  localPath(file: string): Promise<string> {
    return this.blobs.localPath(file);
  }

  /**
   * The path a file already lives at on the real file system, without fetching anything: only for
   * the local store (mapped columns read it page by page); null otherwise.
   */
  residentPath(file: string): string | null {
    return this.fs instanceof NodeFileSystem && this.blobs instanceof LocalBlobStore ? posix.join(this.blobs.stagingDir, file) : null;
  }

  /** Bytes of each column of a segment file by field id, from its column headers (no column is read). */
  async columnBytes(file: string): Promise<Map<number, number>> {
    return segmentColumnBytes(this.fs, await this.localPath(file));
  }

  publish(file: string): Promise<void> {
    return this.blobs.publish(file);
  }

  /** Removes the files no collection or snapshot names any more (files may be shared since RestoreSnapshot). */
  remove(files: readonly string[]): Promise<void> {
    const named = this.named?.() ?? null;
    return this.blobs.remove(named === null ? files : files.filter((f) => !named.has(f)));
  }
}
