/** Flush, compaction and segment-info RPCs, answered truthfully from the engine's state. */
import { errors } from '../core/errors.js';
import { limits } from '../core/limits.js';
import type { CollectionRuntime } from '../engine/collection.js';
import type { CompactionJob } from '../engine/compaction-plan.js';
import type { Engine } from '../engine/engine.js';
import type { Chunk } from '../engine/chunk.js';
import { segmentMemoryBytes } from '../engine/partition.js';
import { pkColumnAscending } from '../engine/pk.js';
import { LOCAL_NODE_ID } from './resource-groups/manager.js';
import { dbNameOf, findCollection, requireCollection } from './resolve.js';
import type * as T from './types.js';

export async function flush(engine: Engine, req: { dbName?: string; collectionNames: string[] }): Promise<T.FlushResult> {
  const dbName = dbNameOf(req);
  const segmentIds = new Map<string, bigint[]>();
  const flushTs = new Map<string, bigint>();
  for (const name of req.collectionNames) {
    const c = requireCollection(engine, { dbName, collectionName: name });
    await engine.writer.flushCollection(c);
    const ids: bigint[] = [];
    for (const p of c.partitions.values()) for (const s of p.meta.segments) ids.push(BigInt(s.id));
    segmentIds.set(name, ids);
    flushTs.set(name, engine.clock.next());
  }
  if (engine.writer.lastFlushError) {
    const e = engine.writer.lastFlushError;
    engine.writer.lastFlushError = null;
    throw errors.internal(`an earlier background flush failed (its data is safe in the WAL): ${(e as Error).message}`);
  }
  return { dbName, segmentIds, flushTs };
}

/**
 * FlushAll: every collection of every database (Milvus 2.6 ignores the deprecated db_name and
 * targets), flushed before it answers; the answer's timestamp orders it after every write it covers.
 */
export async function flushAll(engine: Engine): Promise<{ flushAllTs: bigint }> {
  for (const c of [...engine.collections.values()]) await engine.writer.flushCollection(c);
  if (engine.writer.lastFlushError) {
    const e = engine.writer.lastFlushError;
    engine.writer.lastFlushError = null;
    throw errors.internal(`an earlier background flush failed (its data is safe in the WAL): ${(e as Error).message}`);
  }
  return { flushAllTs: engine.clock.next() };
}

/**
 * Flush completes before it answers, so every segment id it handed out is flushed already; any
 * other id names no pending work either.
 */
export function getFlushState(_engine: Engine, _req: { segmentIds: bigint[] }): boolean {
  return true;
}

/**
 * ManualCompaction: flushes, then merges every partition's sealed segments (mix compaction) in the
 * background, as Milvus does; the answer comes at once and GetCompactionState follows the job.
 */
export function compact(engine: Engine, req: T.CompactRequest): T.CompactionResult {
  const c = requireCollection(engine, req);
  const target = req.targetSizeMb ?? 0n;
  if (target === 0n) return compactionResult(engine.compactor.start(c, true));
  return compactionResult(engine.compactor.start(c, true, forceMergeBytes(engine, c, target)));
}

/**
 * A force merge's segment size: `target_size` is in MB and may not be below the size an ordinary
 * compaction writes (twice that when every dense vector field has a DISKANN index), as Milvus's
 * force-merge policy checks; a huge target (Milvus's "auto" max int64) is capped by the limits.
 */
function forceMergeBytes(engine: Engine, c: CollectionRuntime, targetMb: bigint): number {
  const configMax = engine.compactor.segmentBytesFor(c);
  const mib = 1024n * 1024n;
  const configMaxMb = BigInt(Math.floor(configMax / Number(mib)));
  if (targetMb * mib < BigInt(configMax)) {
    throw errors.parameterInvalidMsg(`targetSize ${targetMb} MB should be greater than or equal to configMaxSize ${configMaxMb} MB`);
  }
  const ceiling = BigInt(limits.compactionTargetMaxBytes);
  return Number(targetMb * mib > ceiling ? ceiling : targetMb * mib);
}

export function getCompactionState(engine: Engine, req: { compactionId: bigint }): T.CompactionResult {
  const job = engine.compactor.jobs.get(req.compactionId);
  // An unknown id (or one forgotten after many newer jobs) has nothing pending.
  if (!job) return { compactionId: req.compactionId, state: 'Completed', planCount: 0, executingPlans: 0, completedPlans: 0, failedPlans: 0, plans: [] };
  return compactionResult(job);
}

function compactionResult(job: CompactionJob): T.CompactionResult {
  const count = (s: string): number => job.plans.filter((p) => p.state === s).length;
  return {
    compactionId: job.id,
    state: job.state === 'Executing' ? 'Executing' : 'Completed',
    planCount: job.plans.length,
    executingPlans: job.state === 'Executing' ? Math.max(1, count('Executing')) : 0,
    completedPlans: count('Completed'),
    failedPlans: count('Failed') + (job.state === 'Failed' && job.plans.length === 0 ? 1 : 0),
    plans: job.plans.filter((p) => p.state === 'Completed' && (p.target !== null || p.removedRows > 0))
      .map((p) => ({ sources: p.sources.map(BigInt), target: BigInt(p.target ?? 0) })),
  };
}

export function persistentSegmentInfo(engine: Engine, req: T.CollectionScoped): T.SegmentInfo[] {
  const c = requireCollection(engine, req);
  const out: T.SegmentInfo[] = [];
  for (const p of c.partitions.values()) {
    for (const s of p.sealed) {
      out.push({ segmentId: BigInt(s.meta.id), collectionId: BigInt(c.id), partitionId: BigInt(p.meta.id), numRows: s.meta.numRows, state: 'Flushed', indexName: '', memSizeBytes: segmentMemoryBytes(s) });
    }
    if (p.growing.numRows > 0) {
      out.push({ segmentId: BigInt(p.growing.segmentId), collectionId: BigInt(c.id), partitionId: BigInt(p.meta.id), numRows: p.growing.numRows, state: 'Growing', indexName: '', memSizeBytes: p.growing.sizeBytes });
    }
  }
  return out;
}

/** Sealed segments never change, so whether one is sorted by primary key is computed once. */
const pkSorted = new WeakMap<Chunk, boolean>();

function sortedByPk(chunk: Chunk): boolean {
  let sorted = pkSorted.get(chunk);
  if (sorted === undefined) {
    const pk = chunk.column(chunk.pkField);
    sorted = pk !== undefined && pkColumnAscending(pk);
    pkSorted.set(chunk, sorted);
  }
  return sorted;
}

/**
 * GetQuerySegmentInfo as Milvus's query coordinator answers it: the sealed segments the query node
 * holds (growing data is not listed), state Sealed, `is_sorted` when the rows are in primary-key order.
 */
export function querySegmentInfo(engine: Engine, req: T.CollectionScoped): T.SegmentInfo[] {
  const c = requireCollection(engine, req);
  const out: T.SegmentInfo[] = [];
  for (const p of c.partitions.values()) {
    if (!p.loaded) continue;
    for (const s of p.sealed) {
      if (s.data === null) continue;
      out.push({
        segmentId: BigInt(s.meta.id), collectionId: BigInt(c.id), partitionId: BigInt(p.meta.id), numRows: s.meta.numRows,
        state: 'Sealed', indexName: '', memSizeBytes: segmentMemoryBytes(s), isSorted: sortedByPk(s.data),
      });
    }
  }
  return out;
}

/**
 * LoadBalance as Milvus answers it: the collection is looked up without a name check (100 when it
 * does not exist), must be loaded (101), and every node named must be a query node holding its
 * replica (901). One process is one query node (`LOCAL_NODE_ID`), so a valid request finds no
 * other node to move segments to and changes nothing; listed segments must be the collection's.
 */
export function loadBalance(engine: Engine, req: T.LoadBalanceRequest): void {
  const db = dbNameOf(req);
  const c = engine.databases.has(db) ? findCollection(engine, db, req.collectionName) : undefined;
  if (!c) throw errors.collectionNotFound(req.collectionName, db);
  if (!c.isLoaded) throw errors.collectionNotLoaded(c.name);
  const node = BigInt(LOCAL_NODE_ID);
  if (req.srcNodeId !== node) throw errors.nodeNotFound(req.srcNodeId, `source node not found in any replica of collection ${c.id}`);
  for (const d of req.dstNodeIds) {
    if (d !== node) throw errors.nodeNotFound(d, `destination node not found in the same replica of collection ${c.id}`);
  }
  const own = new Set<bigint>();
  for (const p of c.partitions.values()) for (const s of p.meta.segments) own.add(BigInt(s.id));
  for (const s of req.segmentIds) {
    if (!own.has(s)) throw errors.invalidParameter(`segment ${s} not found in collection ${c.name}`);
  }
}
