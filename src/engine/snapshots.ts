/**
 * Snapshots (Milvus 2.6): a named, immutable copy of a collection's catalog entry after a flush —
 * its partitions' sealed segment, tombstone and index files, its schema and indexes. Nothing is
 * copied: the snapshot names the same files, and a file stays on disk while any collection or
 * snapshot names it (SegmentDir.remove, the orphan sweep and compaction all go by the catalog), so
 * compaction or a drop of the source keeps what a snapshot holds. A restore creates a new
 * collection naming the same files under new ids. Snapshots live in the catalog document: they
 * are durable when the RPC answers and survive restarts, and so are their pins.
 */
import { errors } from '../core/errors.js';
import { limits } from '../core/limits.js';
import { CollectionRuntime } from './collection.js';
import type { Engine } from './engine.js';
import type { CollectionMeta, PartitionMeta, RestoreJobMeta, SnapshotMeta, SnapshotPinMeta } from './meta.js';
import { livePartitionMetas } from './parts.js';

/** Restore jobs kept for GetRestoreSnapshotState / ListRestoreSnapshotJobs. */
const RESTORE_JOBS_KEPT = 256;

function filesOf(meta: CollectionMeta): string[] {
  const out: string[] = [];
  for (const p of meta.partitions) {
    for (const s of p.segments) {
      out.push(s.file);
      for (const f of Object.values(s.indexFiles ?? {})) if (f) out.push(f);
    }
    if (p.deleteFile) out.push(p.deleteFile);
  }
  return out;
}

/** Flush `c`, then record its flushed state as snapshot `name`. */
export async function createSnapshot(engine: Engine, c: CollectionRuntime, args: { name: string; description: string; compactionProtectionSeconds: number }): Promise<SnapshotMeta> {
  await engine.writer.flushCollection(c);
  return engine.catalog.commit(() => {
    const snap: SnapshotMeta = {
      id: engine.allocId(),
      name: args.name,
      description: args.description,
      dbName: c.meta.dbName,
      collectionId: c.id,
      collectionName: c.meta.name,
      createdTs: engine.clock.next(),
      compactionProtectionSeconds: args.compactionProtectionSeconds,
      collection: structuredClone({ ...c.meta, partitions: livePartitionMetas(c), load: null }),
    };
    const next = [...engine.catalog.snapshots, snap];
    return { draft: { snapshots: next }, publish: () => { engine.catalog.snapshots = next; return snap; } };
  });
}

/** Replace the snapshot's pins (durable when it resolves, so a pin outlives a restart until it lapses). */
export async function setSnapshotPins(engine: Engine, snap: SnapshotMeta, pins: readonly SnapshotPinMeta[]): Promise<void> {
  await engine.catalog.commit(() => {
    const next = engine.catalog.snapshots.map((s) => (s.id === snap.id ? { ...s, pins: [...pins] } : s));
    return { draft: { snapshots: next }, publish: () => { engine.catalog.snapshots = next; } };
  });
}

/** Forget the snapshot, then remove the files nothing names any more. */
export async function dropSnapshot(engine: Engine, snap: SnapshotMeta): Promise<void> {
  await engine.catalog.commit(() => {
    const next = engine.catalog.snapshots.filter((s) => s.id !== snap.id);
    return { draft: { snapshots: next }, publish: () => { engine.catalog.snapshots = next; } };
  });
  await engine.removeFiles(filesOf(snap.collection));
}

/** The snapshot's collection entry under new ids (collection, partitions, segments, indexes) and a new name. */
function restoredMeta(engine: Engine, snap: SnapshotMeta, dbName: string, name: string): CollectionMeta {
  const src = structuredClone(snap.collection);
  const ts = engine.clock.next();
  const indexIds = new Map<string, string>();
  const indexes = src.indexes.map((ix) => {
    const id = engine.allocId();
    indexIds.set(String(ix.id), String(id));
    return { ...ix, id, createdTs: ts };
  });
  const partitions: PartitionMeta[] = src.partitions.map((p) => ({
    ...p,
    id: engine.allocId(),
    flushedLsn: engine.wal.nextLsn - 1n,
    segments: p.segments.map((s) => {
      const files: Record<string, string> = {};
      for (const [k, f] of Object.entries(s.indexFiles ?? {})) {
        const to = indexIds.get(k);
        if (to !== undefined) files[to] = f;
      }
      return { ...s, id: engine.allocId(), indexFiles: files };
    }),
  }));
  return {
    ...src, id: engine.allocId(), dbName, name, schema: { ...src.schema, name }, partitions, indexes, createdTs: ts, updateTs: ts, load: null,
  };
}

function keptJobs(jobs: readonly RestoreJobMeta[], job: RestoreJobMeta): RestoreJobMeta[] {
  return [...jobs, job].slice(-RESTORE_JOBS_KEPT);
}

/**
 * A new collection `dbName.name` from the snapshot, in one catalog commit with its job record; its
 * tombstones are read and its index builds (if any were missing) scheduled once it is published.
 */
export async function restoreSnapshot(engine: Engine, snap: SnapshotMeta, dbName: string, name: string): Promise<RestoreJobMeta> {
  const start = Date.now();
  const { c, job } = await engine.catalog.commit(() => {
    if (engine.collections.size >= limits.maxCollections) throw errors.collectionNumLimit(limits.maxCollections);
    const meta = restoredMeta(engine, snap, dbName, name);
    const job: RestoreJobMeta = {
      jobId: engine.allocId(), snapshotName: snap.name, dbName, collectionName: name, state: 'completed', reason: '', startTimeMs: start, timeCostMs: Date.now() - start,
    };
    const jobs = keptJobs(engine.catalog.restoreJobs, job);
    return {
      draft: { collections: new Map([[meta.id, meta]]), restoreJobs: jobs },
      publish: () => {
        const rt = new CollectionRuntime(meta, () => engine.allocId());
        engine.catalog.collections.set(meta.id, rt);
        engine.catalog.restoreJobs = jobs;
        return { c: rt, job };
      },
    };
  });
  for (const p of c.partitions.values()) await engine.writer.readTombstones(p);
  engine.indexer.schedule(c);
  return job;
}
