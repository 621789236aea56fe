/**
 * Snapshot RPCs (Milvus 2.6): CreateSnapshot, DropSnapshot, ListSnapshots, DescribeSnapshot,
 * RestoreSnapshot, GetRestoreSnapshotState, ListRestoreSnapshotJobs, PinSnapshotData,
 * UnpinSnapshotData. A snapshot is named within its source collection (database + collection +
 * name) and outlives the collection; the mechanics are in engine/snapshots.ts. A restore runs to
 * completion inside the RPC, so its job is Completed (or the RPC fails) when it answers. Pins keep
 * a snapshot from being dropped until unpinned or their TTL passes; they are kept with the snapshot
 * in the catalog, so a pin outlives a restart until it lapses (lapsed pins are pruned on the next
 * pin, unpin or drop of that snapshot).
 */
import { errors } from '../core/errors.js';
import type { Engine } from '../engine/engine.js';
import type { RestoreJobMeta, SnapshotMeta, SnapshotPinMeta } from '../engine/meta.js';
import * as engineSnapshots from '../engine/snapshots.js';
import { validateName } from '../schema/build.js';
import { dbNameOf, findCollection, requireCollection, requireDatabase } from './resolve.js';
import type * as T from './types.js';

export interface SnapshotRef extends T.CollectionScoped { name: string }
export interface SnapshotDescription {
  name: string;
  description: string;
  collectionName: string;
  partitionNames: string[];
  createTs: bigint;
}
export interface RestoreJobInfo {
  jobId: bigint;
  snapshotName: string;
  dbName: string;
  collectionName: string;
  state: 'completed' | 'failed';
  progress: number;
  reason: string;
  startTimeMs: number;
  timeCostMs: number;
}

const MAX_PIN_TTL_SECONDS = 7 * 24 * 3600;

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw errors.invalidParameter('snapshot name should not be empty');
  if (name.length > 255) throw errors.invalidParameter(`the length of snapshot name must be not greater than limit 255, got ${name.length}`);
  return name;
}

function findSnapshot(engine: Engine, ref: SnapshotRef): SnapshotMeta {
  const db = dbNameOf(ref);
  const name = checkName(ref.name);
  const s = engine.catalog.snapshots.find((x) => x.dbName === db && x.collectionName === ref.collectionName && x.name === name);
  if (s === undefined) throw errors.invalidParameter(`snapshot not found[snapshot=${name}][collection=${ref.collectionName}]`);
  return s;
}

/** The pins of `s` that have not lapsed at `nowMs`. */
function livePins(s: SnapshotMeta, nowMs: number): SnapshotPinMeta[] {
  return (s.pins ?? []).filter((p) => p.expiresAtMs > nowMs);
}

function jobInfo(j: RestoreJobMeta): RestoreJobInfo {
  return { ...j, jobId: BigInt(j.jobId), progress: j.state === 'completed' ? 100 : 0 };
}

export class SnapshotService {
  constructor(private readonly engine: Engine) {}

  async createSnapshot(req: SnapshotRef & { description?: string; compactionProtectionSeconds?: bigint | number }): Promise<void> {
    const c = requireCollection(this.engine, req);
    const name = checkName(req.name);
    if (this.engine.catalog.snapshots.some((s) => s.dbName === c.meta.dbName && s.collectionName === c.meta.name && s.name === name)) {
      throw errors.invalidParameter(`snapshot ${name} already exists in collection ${c.meta.name}`);
    }
    const protect = Number(req.compactionProtectionSeconds ?? 0);
    if (!Number.isFinite(protect) || protect < 0) throw errors.invalidParameter(`compaction_protection_seconds must be non-negative, got ${protect}`);
    await engineSnapshots.createSnapshot(this.engine, c, { name, description: req.description ?? '', compactionProtectionSeconds: protect });
  }

  async dropSnapshot(req: SnapshotRef): Promise<void> {
    const db = dbNameOf(req);
    const name = checkName(req.name);
    const s = this.engine.catalog.snapshots.find((x) => x.dbName === db && x.collectionName === req.collectionName && x.name === name);
    if (s === undefined) return; // as DropCollection: dropping what is not there succeeds
    const pin = livePins(s, Date.now())[0];
    if (pin !== undefined) throw errors.invalidParameter(`snapshot ${name} is pinned (pin ${pin.pinId}); unpin it first`);
    await engineSnapshots.dropSnapshot(this.engine, s);
  }

  listSnapshots(req: T.CollectionScoped): string[] {
    const db = dbNameOf(req);
    requireDatabase(this.engine, db);
    if (typeof req.collectionName !== 'string' || req.collectionName === '') throw errors.invalidParameter('collection name should not be empty');
    return this.engine.catalog.snapshots.filter((s) => s.dbName === db && s.collectionName === req.collectionName).map((s) => s.name);
  }

  describeSnapshot(req: SnapshotRef): SnapshotDescription {
    const s = findSnapshot(this.engine, req);
    return { name: s.name, description: s.description, collectionName: s.collectionName, partitionNames: s.collection.partitions.map((p) => p.name), createTs: s.createdTs };
  }

  async restoreSnapshot(req: SnapshotRef & { targetDbName?: string; targetCollectionName: string }): Promise<{ jobId: bigint }> {
    const s = findSnapshot(this.engine, req);
    const db = req.targetDbName !== undefined && req.targetDbName !== '' ? req.targetDbName : dbNameOf(req);
    requireDatabase(this.engine, db);
    validateName('collection', req.targetCollectionName);
    if (findCollection(this.engine, db, req.targetCollectionName) !== undefined || this.engine.aliases.some((a) => a.dbName === db && a.alias === req.targetCollectionName)) {
      throw errors.invalidParameter(`collection ${req.targetCollectionName} already exists in database ${db}`);
    }
    const job = await engineSnapshots.restoreSnapshot(this.engine, s, db, req.targetCollectionName);
    return { jobId: BigInt(job.jobId) };
  }

  getRestoreSnapshotState(req: { jobId: bigint }): RestoreJobInfo {
    const j = this.engine.catalog.restoreJobs.find((x) => BigInt(x.jobId) === req.jobId);
    if (j === undefined) throw errors.invalidParameter(`restore snapshot job not found[jobID=${req.jobId}]`);
    return jobInfo(j);
  }

  listRestoreSnapshotJobs(req: { dbName?: string; collectionName?: string }): RestoreJobInfo[] {
    const db = req.dbName === undefined || req.dbName === '' ? undefined : req.dbName;
    return this.engine.catalog.restoreJobs
      .filter((j) => (db === undefined || j.dbName === db) && (req.collectionName === undefined || req.collectionName === '' || j.collectionName === req.collectionName))
      .map(jobInfo);
  }

  async pinSnapshotData(req: SnapshotRef & { ttlSeconds?: bigint | number }): Promise<{ pinId: bigint }> {
    const s = findSnapshot(this.engine, req);
    const ttl = Number(req.ttlSeconds ?? 0);
    if (!Number.isFinite(ttl) || ttl <= 0 || ttl > MAX_PIN_TTL_SECONDS) throw errors.invalidParameter(`ttl_seconds must be in (0, ${MAX_PIN_TTL_SECONDS}], got ${ttl}`);
    const now = Date.now();
    const pinId = this.engine.allocId();
    await engineSnapshots.setSnapshotPins(this.engine, s, [...livePins(s, now), { pinId, expiresAtMs: now + ttl * 1000 }]);
    return { pinId: BigInt(pinId) };
  }

  async unpinSnapshotData(req: { pinId: bigint }): Promise<void> {
    const now = Date.now();
    const s = this.engine.catalog.snapshots.find((x) => livePins(x, now).some((p) => BigInt(p.pinId) === req.pinId));
    if (s === undefined) throw errors.invalidParameter(`snapshot pin not found[pinID=${req.pinId}]`);
    await engineSnapshots.setSnapshotPins(this.engine, s, livePins(s, now).filter((p) => BigInt(p.pinId) !== req.pinId));
  }
}
