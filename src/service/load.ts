/** Load / release RPCs with Milvus 2.3+ rules (reference §2). */
import { isVectorType } from '../core/enums.js';
import { errors } from '../core/errors.js';
import type { CollectionRuntime } from '../engine/collection.js';
import type { Engine } from '../engine/engine.js';
import type { PartitionRuntime } from '../engine/partition.js';
import { unloadedFieldNames, type LoadedFields } from '../engine/meta.js';
import { checkSameLoadFields, requestedLoadFields } from './load-fields.js';
import { dbNameOf, findCollection, requireCollection, requirePartition } from './resolve.js';
import type * as T from './types.js';

/**
 * Where a loaded collection's replica lives (service/resource-groups): a load is checked and placed
 * before it runs (Milvus' replica number and resource group rules), a release forgets the placement.
 */
export interface ReplicaPlacement {
  placeLoad(c: CollectionRuntime, req: { replicaNumber?: number | undefined; resourceGroups?: string[] | undefined }): Promise<void>;
  released(c: CollectionRuntime): Promise<void>;
}

async function checkLoadable(c: CollectionRuntime, req: T.LoadRequest, placement: ReplicaPlacement): Promise<LoadedFields> {
  const fields = requestedLoadFields(c.meta.schema, req);
  checkSameLoadFields(c, fields);
  // Since 2.3 every vector field loaded needs an index before load.
  const gone = unloadedFieldNames(c.meta.schema, fields);
  for (const f of c.meta.schema.fields) {
    if (isVectorType(f.dataType) && !gone.has(f.name) && !c.indexOnField(f.name)) throw errors.indexNotFound({ collection: c.name });
  }
  await placement.placeLoad(c, req);
  return fields;
}

export async function loadCollection(engine: Engine, req: T.LoadRequest, placement: ReplicaPlacement): Promise<void> {
  const c = requireCollection(engine, req);
  const fields = await checkLoadable(c, req, placement);
  await engine.loader.load(c, [...c.partitions.values()], 'collection', true, fields);
}

export async function releaseCollection(engine: Engine, req: T.CollectionScoped, placement: ReplicaPlacement): Promise<void> {
  const c = requireCollection(engine, req);
  await engine.loader.release(c, null);
  await placement.released(c);
}

function namedPartitions(c: CollectionRuntime, names: readonly string[]): PartitionRuntime[] {
  if (names.length === 0) throw errors.invalidParameter('partition names should not be empty');
  return names.map((n) => requirePartition(c, n));
}

export async function loadPartitions(engine: Engine, req: T.LoadRequest & { partitionNames: string[] }, placement: ReplicaPlacement): Promise<void> {
  const c = requireCollection(engine, req);
  const parts = namedPartitions(c, req.partitionNames);
  const fields = await checkLoadable(c, req, placement);
  await engine.loader.load(c, parts, 'partitions', true, fields);
}

export async function releasePartitions(engine: Engine, req: T.CollectionScoped & { partitionNames: string[] }, placement: ReplicaPlacement): Promise<void> {
  const c = requireCollection(engine, req);
  await engine.loader.release(c, namedPartitions(c, req.partitionNames));
  await placement.released(c);
}

export function getLoadState(engine: Engine, req: T.CollectionScoped & { partitionNames?: string[] }): T.LoadStateResult {
  const db = dbNameOf(req);
  const c = engine.databases.has(db) ? findCollection(engine, db, req.collectionName) : undefined;
  if (!c) return { state: 'LoadStateNotExist' };
  let parts = [...c.partitions.values()];
  if (req.partitionNames && req.partitionNames.length > 0) {
    parts = [];
    for (const n of req.partitionNames) {
      const p = c.partitionByName(n);
      if (!p) return { state: 'LoadStateNotExist' };
      parts.push(p);
    }
  }
  if (!parts.some((p) => p.loaded)) return { state: 'LoadStateNotLoad' };
  return { state: c.loading ? 'LoadStateLoading' : 'LoadStateLoaded' };
}

export function getLoadingProgress(engine: Engine, req: T.CollectionScoped & { partitionNames?: string[] }): T.LoadingProgressResult {
  const c = requireCollection(engine, req);
  if (req.partitionNames && req.partitionNames.length > 0) {
    for (const n of req.partitionNames) {
      if (!requirePartition(c, n).loaded) throw errors.partitionNotLoaded(n);
    }
  } else if (!c.isLoaded) {
    throw errors.collectionNotLoaded(c.name);
  }
  const l = c.loading;
  const progress = l && l.totalBytes > 0 ? Math.min(99, Math.floor((100 * l.doneBytes) / l.totalBytes)) : 100;
  return { progress, refreshProgress: progress };
}

/** The partitions a read covers, enforcing 101 / 201 / 200 as Milvus does. */
export function readScope(c: CollectionRuntime, partitionNames: readonly string[] | undefined): PartitionRuntime[] {
  if (!c.isLoaded) throw errors.collectionNotLoaded(c.name);
  if (!partitionNames || partitionNames.length === 0) return c.loadedPartitions();
  return partitionNames.map((n) => {
    const p = requirePartition(c, n);
    if (!p.loaded) throw errors.partitionNotLoaded(n);
    return p;
  });
}
