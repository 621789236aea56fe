/** Partition RPCs: Create/Drop/Has/Show partitions and partition statistics. */
import { errors } from '../core/errors.js';
import { limits } from '../core/limits.js';
import { physicalMs } from '../engine/clock.js';
import type { Engine } from '../engine/engine.js';
import { DEFAULT_PARTITION } from '../engine/engine.js';
import { validateName } from '../schema/build.js';
import { isPartitionKeyMode, requireCollection, requirePartition } from './resolve.js';
import type * as T from './types.js';

export async function createPartition(engine: Engine, req: T.PartitionRequest): Promise<void> {
  const c = requireCollection(engine, req);
  // Milvus answers this with a plain error (code 65535, UnexpectedError), not an input error.
  if (isPartitionKeyMode(c)) throw errors.unexpected('disable create partition if partition key mode is used');
  validateName('partition', req.partitionName);
  if (c.partitionByName(req.partitionName)) return; // Milvus treats a duplicate create as success
  if (c.partitions.size >= limits.maxPartitionsPerCollection) {
    throw errors.invalidParameter('partition number exceeds the limit', { limit: limits.maxPartitionsPerCollection });
  }
  await engine.createPartition(c, req.partitionName);
}

export async function dropPartition(engine: Engine, req: T.PartitionRequest): Promise<void> {
  const c = requireCollection(engine, req);
  if (isPartitionKeyMode(c)) throw errors.invalidParameter('disable drop partition if partition key mode is used');
  if (req.partitionName === DEFAULT_PARTITION) throw errors.invalidParameter('default partition cannot be deleted');
  validateName('partition', req.partitionName);
  const p = c.partitionByName(req.partitionName);
  if (!p) return;
  if (p.loaded) throw errors.unexpected('partition cannot be dropped, partition is loaded, please release it first');
  await engine.dropPartition(c, p);
}

export function hasPartition(engine: Engine, req: T.PartitionRequest): boolean {
  // Milvus's HasPartition validates both names before it looks anything up.
  validateName('collection', req.collectionName);
  validateName('partition', req.partitionName);
  const c = requireCollection(engine, req);
  return c.partitionByName(req.partitionName) !== undefined;
}

export function listPartitions(engine: Engine, req: T.CollectionScoped): T.PartitionListEntry[] {
  const c = requireCollection(engine, req);
  return [...c.partitions.values()].map((p) => ({
    name: p.meta.name,
    partitionId: BigInt(p.meta.id),
    createdTimestamp: p.meta.createdTs,
    createdUtcMs: physicalMs(p.meta.createdTs),
    loadedPercent: p.loaded ? 100 : 0,
  }));
}

export function getPartitionStatistics(engine: Engine, req: T.PartitionRequest): T.Statistics {
  const c = requireCollection(engine, req);
  return { rowCount: requirePartition(c, req.partitionName).numRowsTotal };
}
