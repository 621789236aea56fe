/**
 * A query node applies the writer's new catalog to its running engine (issue #14), instead of
 * opening a second engine beside the first: only what changed is read, what went away is freed.
 *
 * - A new collection or partition: its tombstone snapshot, and the log from its checkpoint.
 * - A partition flushed on the writer (its `flushedLsn` moved): a new runtime for it, holding the
 *   sealed segments kept (shared, not reloaded), the new segment loaded if the partition is, and
 *   growing data replayed from the new checkpoint (rows now sealed are not replayed twice); when
 *   this node had not read the log up to that checkpoint, the new delete file too (the deletes
 *   logged below the checkpoint are not replayed).
 * - Segments compacted away: freed; the compaction target loaded. Index files new on a loaded
 *   segment: attached to it (and only those). Indexes dropped: detached. Fields added: filled.
 * - Tombstones the writer's compaction applied (segments compacted away, or the partition's delete
 *   file cleared): forgotten, as the writer forgets them, once they hide no row of the loaded sealed
 *   segments nor of growing data (`deadTombstones`).
 * - A dropped collection or partition: freed.
 * Everything that reads (S3, the log) happens first, on runtimes reads cannot see; then the change
 * is published in one synchronous turn, so a read sees the old state or the new one, never a gap
 * or a row twice. Freed memory is handed to `retire`, which frees it once running reads are done.
 */
import type { LogRecord } from '../storage/ports.js';
import { CollectionRuntime } from './collection.js';
import type { Engine } from './engine.js';
import type { CollectionMeta, ManifestBody, PartitionMeta, SealedSegmentMeta } from './meta.js';
import { PartitionRuntime, type SealedSegment } from './partition.js';
import type { Chunk } from './chunk.js';
import type { PrimaryKey } from './pk.js';
import { addedFieldColumn } from './writer.js';

export interface FollowLog {
  /** Records from `from` through `through`, without moving the follower's read position. */
  range(from: bigint, through: bigint): AsyncIterable<LogRecord>;
  /** Every record at or below this LSN has been applied to the live partitions. */
  readonly readThrough: bigint;
}

export interface FollowDeps {
  log: FollowLog;
  /** Free memory a little later, once reads running on the old state are done. */
  retire(free: () => void): void;
}

/** What one catalog change cost the node. */
export interface FollowReport {
  collectionsAdded: number;
  collectionsDropped: number;
  partitionsReplayed: number;
  segmentsLoaded: number;
  segmentsFreed: number;
  indexesAttached: number;
  /** Tombstones forgotten because the writer's compaction applied them. */
  tombstonesCleared: number;
}

interface Plan {
  report: FollowReport;
  publish: (() => void)[];
  retire: (() => void)[];
  /** Collection id -> the runtime holding the unpublished partitions the log is replayed into. */
  replay: Map<number, CollectionRuntime>;
  from: bigint | null;
  /** Segments loaded for this change (freed if it fails before publishing). */
  loaded: SealedSegment[];
  /** The node's log position when the change started (FollowLog.readThrough). */
  readThrough: bigint;
}

export async function followCatalog(engine: Engine, body: ManifestBody, version: bigint, deps: FollowDeps): Promise<FollowReport> {
  const plan: Plan = {
    report: { collectionsAdded: 0, collectionsDropped: 0, partitionsReplayed: 0, segmentsLoaded: 0, segmentsFreed: 0, indexesAttached: 0, tombstonesCleared: 0 },
    publish: [], retire: [], replay: new Map(), from: null, loaded: [], readThrough: deps.log.readThrough,
  };
  try {
    const listed = new Set<number>();
    for (const meta of body.collections) {
      listed.add(meta.id);
      const live = engine.collections.get(meta.id);
      if (live === undefined) await planNewCollection(engine, meta, plan);
      else await planCollection(engine, live, meta, plan);
    }
    for (const c of engine.collections.values()) if (!listed.has(c.id)) planDropCollection(engine, c, plan);
    const into = plan.replay;
    if (plan.from !== null && plan.from <= deps.log.readThrough) {
      await engine.writer.replay(deps.log.range(plan.from, deps.log.readThrough), (id) => into.get(id));
    }
  } catch (e) {
    engine.loader.releaseSegments(plan.loaded);
    throw e;
  }
  engine.catalog.adopt(body, version);
  for (const publish of plan.publish) publish();
  for (const free of plan.retire) deps.retire(free);
  return plan.report;
}

function replayFrom(plan: Plan, view: CollectionRuntime, p: PartitionRuntime): void {
  view.partitions.set(p.meta.id, p);
  plan.replay.set(view.id, view);
  plan.report.partitionsReplayed++;
  const from = p.meta.flushedLsn + 1n;
  if (plan.from === null || from < plan.from) plan.from = from;
}

async function planNewCollection(engine: Engine, meta: CollectionMeta, plan: Plan): Promise<void> {
  const c = new CollectionRuntime(meta, () => engine.allocId());
  const view = new CollectionRuntime({ ...meta, partitions: [] }, () => engine.allocId());
  for (const p of c.partitions.values()) {
    await engine.writer.readTombstones(p);
    replayFrom(plan, view, p);
  }
  plan.report.collectionsAdded++;
  plan.publish.push(() => { engine.catalog.collections.set(c.id, c); });
}

function planDropCollection(engine: Engine, c: CollectionRuntime, plan: Plan): void {
  plan.report.collectionsDropped++;
  plan.publish.push(() => { engine.catalog.collections.delete(c.id); });
  plan.retire.push(() => { for (const p of c.partitions.values()) engine.loader.forget(p); });
}

/** An existing collection: its partitions, segments, indexes and fields as `meta` has them. */
async function planCollection(engine: Engine, live: CollectionRuntime, meta: CollectionMeta, plan: Plan): Promise<void> {
  // The new entry without partitions: segments load and the log replays against the new schema and indexes.
  const view = new CollectionRuntime({ ...meta, partitions: [] }, () => engine.allocId());
  const next = new Map<number, PartitionRuntime>();
  const updates: (() => void)[] = [];
  for (const pm of meta.partitions) {
    const p = live.partitions.get(pm.id);
    if (p === undefined) {
      const fresh = new PartitionRuntime(pm, engine.allocId());
      await engine.writer.readTombstones(fresh);
      replayFrom(plan, view, fresh);
      next.set(pm.id, fresh);
      continue;
    }
    const sealed = await followSegments(engine, view, p, pm, plan);
    const dead = deadTombstones(p, pm, sealed);
    if (pm.flushedLsn === p.meta.flushedLsn) {
      updates.push(() => { p.meta = pm; p.sealed = sealed; clearDead(p, dead, plan.report); });
      next.set(pm.id, p);
      continue;
    }
    // Flushed on the writer: growing rows up to the new checkpoint are in a sealed segment now.
    const fresh = new PartitionRuntime(pm, engine.allocId());
    fresh.sealed = sealed;
    fresh.loaded = p.loaded;
    fresh.tombstones = new Map(p.tombstones);
    fresh.tombstoneVersion = p.tombstoneVersion + 1; // the kept chunks' cached masks are checked again
    // Deletes logged before the new checkpoint that this node had not read yet are in the delete file only.
    if (pm.flushedLsn > plan.readThrough && pm.deleteFile !== null && pm.deleteFile !== p.meta.deleteFile) await engine.writer.readTombstones(fresh);
    updates.push(() => clearDead(fresh, dead, plan.report));
    replayFrom(plan, view, fresh);
    next.set(pm.id, fresh);
  }
  for (const p of live.partitions.values()) if (!next.has(p.meta.id)) plan.retire.push(() => engine.loader.forget(p));
  const droppedIndexes = live.meta.indexes.filter((i) => !meta.indexes.some((j) => j.id === i.id));
  const known = new Set(live.meta.schema.fields.map((f) => f.fieldId));
  const addedFields = meta.schema.fields.filter((f) => !known.has(f.fieldId));
  plan.publish.push(() => {
    for (const index of droppedIndexes) engine.indexer.detach(live, index);
    for (const update of updates) update();
    live.meta = meta;
    live.partitions.clear();
    for (const [id, p] of next) live.partitions.set(id, p);
    for (const f of addedFields) {
      for (const p of live.partitions.values()) {
        for (const chunk of p.chunks()) {
          if (chunk.column(f.name) === undefined && !chunk.mapped.has(f.name)) chunk.addMissingColumn(f.name, addedFieldColumn(f, chunk.numRows));
        }
      }
    }
  });
}

/**
 * After the writer's compaction (segments of `p` compacted away, or its delete file cleared), the
 * tombstones that hide no row of the new sealed segments: the compaction removed the rows they
 * hid. Null when there is nothing to look at, or a sealed segment is not in memory (not loaded:
 * its rows cannot be checked, so every tombstone stays). Rows in growing data are checked at
 * publish (`clearAppliedTombstones`), like the writer does.
 */
function deadTombstones(p: PartitionRuntime, pm: PartitionMeta, sealed: readonly SealedSegment[]): Map<PrimaryKey, bigint> | null {
  if (p.tombstones.size === 0 || !p.loaded) return null;
  const listed = new Set(pm.segments.map((m) => m.id));
  const compacted = p.sealed.some((s) => !listed.has(s.meta.id)) || (p.meta.deleteFile !== null && pm.deleteFile === null);
  if (!compacted || sealed.some((s) => s.data === null)) return null;
  const hiding = new Set<PrimaryKey>();
  for (const s of sealed) {
    const chunk = s.data as Chunk;
    const ts = chunk.ts;
    for (let row = 0; row < chunk.numRows; row++) {
      const pk = chunk.pk(row);
      const del = p.tombstones.get(pk);
      if (del !== undefined && ts[row]! < del) hiding.add(pk);
    }
  }
  const dead = new Map<PrimaryKey, bigint>();
  for (const [pk, ts] of p.tombstones) if (!hiding.has(pk)) dead.set(pk, ts);
  return dead.size > 0 ? dead : null;
}

function clearDead(p: PartitionRuntime, dead: ReadonlyMap<PrimaryKey, bigint> | null, report: FollowReport): void {
  if (dead === null) return;
  const before = p.tombstones.size;
  p.clearAppliedTombstones(dead);
  report.tombstonesCleared += before - p.tombstones.size;
}

function sameIndexFiles(a: SealedSegmentMeta, b: SealedSegmentMeta): boolean {
  const x = a.indexFiles ?? {}, y = b.indexFiles ?? {};
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  for (const k of keys) if (x[k] !== y[k]) return false;
  return true;
}

/** A partition's sealed segments as `pm` lists them: kept ones shared, new ones loaded (if the partition is), gone ones retired. */
async function followSegments(engine: Engine, view: CollectionRuntime, p: PartitionRuntime, pm: PartitionMeta, plan: Plan): Promise<SealedSegment[]> {
  const byId = new Map(p.sealed.map((s) => [s.meta.id, s]));
  const out: SealedSegment[] = [];
  for (const m of pm.segments) {
    const s = byId.get(m.id);
    if (s === undefined) {
      if (!p.loaded) { out.push({ meta: m, data: null }); continue; }
      const loaded = await engine.loader.loadSegment(view, m, true);
      plan.loaded.push(loaded);
      loaded.data?.buildTextIndexes(view.meta.schema);
      plan.report.segmentsLoaded++;
      out.push(loaded);
      continue;
    }
    const kept: SealedSegment = { ...s, meta: m };
    if (s.data !== null && !sameIndexFiles(s.meta, m)) {
      const before = s.meta.indexFiles ?? {};
      const fresh = (id: number) => before[String(id)] !== m.indexFiles?.[String(id)];
      await engine.indexer.attach(view, kept, fresh);
      plan.report.indexesAttached += view.meta.indexes.filter((i) => fresh(i.id) && m.indexFiles?.[String(i.id)]).length;
    }
    out.push(kept);
  }
  const listed = new Set(pm.segments.map((m) => m.id));
  const gone = p.sealed.filter((s) => !listed.has(s.meta.id));
  if (gone.length > 0) {
    plan.report.segmentsFreed += gone.length;
    plan.retire.push(() => engine.loader.releaseSegments(gone));
  }
  return out;
}
