/**
 * Where loaded collections' replicas live. A single process is one query node, so a collection has
 * at most one replica; LoadCollection / LoadPartitions place it as Milvus' AssignReplica does
 * (`resource_groups` of 0, 1 or `replica_number` entries; each group must exist and hold a node per
 * replica placed in it), a reload must keep the replica number and groups, and TransferReplica
 * moves it. The placement is a catalog record, written before the load is acknowledged; a record
 * counts only while its collection is loaded (a dropped or released collection's record is pruned
 * at the next change).
 */
import { errors, resourceGroupErrors } from '../../core/errors.js';
import type { CollectionRuntime } from '../../engine/collection.js';
import type { Engine } from '../../engine/engine.js';
import { usableNodes } from './balance.js';
import type { ResourceGroupCatalog, ResourceGroupsBody } from './catalog.js';
import { DEFAULT_RESOURCE_GROUP, type ReplicaInfo } from './types.js';

/** The loaded collections by id (the records that still count). */
export function loadedCollections(engine: Engine): Map<string, CollectionRuntime> {
  const out = new Map<string, CollectionRuntime>();
  for (const c of engine.collections.values()) if (c.isLoaded) out.set(String(c.id), c);
  return out;
}

/** The group serving a loaded collection's replica (a collection loaded before any record: the default group). */
export function groupOf(catalog: ResourceGroupCatalog, collectionId: number): string {
  return catalog.replicas.find((r) => r.collectionId === String(collectionId))?.resourceGroup ?? DEFAULT_RESOURCE_GROUP;
}

/** Drop the records of collections no longer loaded (edits `draft`). */
export function pruneReplicas(draft: ResourceGroupsBody, engine: Engine): void {
  const loaded = loadedCollections(engine);
  draft.replicas = draft.replicas.filter((r) => loaded.has(r.collectionId));
}

export interface LoadPlacement { replicaNumber?: number | undefined; resourceGroups?: string[] | undefined }

/** Milvus AssignReplica: the replicas each group takes, each group existing and holding enough nodes. */
export function replicasPerGroup(catalog: ResourceGroupCatalog, groups: readonly string[], replicas: number): Map<string, number> {
  if (groups.length > 1 && groups.length !== replicas) {
    throw errors.unexpected(`replica=[${replicas}] resource group=[${groups.join(',')}], resource group num can only be 0, 1 or same as replica number`);
  }
  const perGroup = new Map<string, number>();
  if (groups.length === 0) perGroup.set(DEFAULT_RESOURCE_GROUP, replicas);
  else if (groups.length === 1 && groups[0] !== undefined) perGroup.set(groups[0], replicas);
  else for (const g of groups) perGroup.set(g, (perGroup.get(g) ?? 0) + 1);
  for (const [name, n] of perGroup) {
    const g = catalog.group(name);
    if (g === undefined) throw resourceGroupErrors.notFound(name);
    const nodes = usableNodes(g, catalog.nodes).length;
    if (n > nodes) throw resourceGroupErrors.nodeNotEnough(name, nodes, n);
  }
  return perGroup;
}

function assignReplica(catalog: ResourceGroupCatalog, groups: readonly string[], replicas: number): string {
  const [first] = replicasPerGroup(catalog, groups, replicas).keys();
  return first ?? DEFAULT_RESOURCE_GROUP;
}

/**
 * The group a load of `c` places its replica in, or the errors Milvus answers: a loaded collection
 * keeps its replica number (1) and groups; otherwise the groups must take the replicas.
 */
export function planLoad(catalog: ResourceGroupCatalog, c: CollectionRuntime, req: LoadPlacement): string {
  const replicas = req.replicaNumber !== undefined && req.replicaNumber > 0 ? req.replicaNumber : 1;
  const groups = req.resourceGroups ?? [];
  if (c.isLoaded) {
    const current = groupOf(catalog, c.id);
    if (replicas !== 1) throw errors.parameterInvalid('1', String(replicas), "can't change the replica number for loaded collection");
    const differs = groups.length > 0 && (groups.some((g) => g !== current));
    if (differs) throw errors.parameterInvalid(`[${current}]`, `[${groups.join(' ')}]`, "can't change the resource groups for loaded partitions");
    return current;
  }
  return assignReplica(catalog, groups, replicas);
}

/** The replicas of `c` as GetReplicas reports them (none when nothing is loaded). */
export function replicasOf(catalog: ResourceGroupCatalog, c: CollectionRuntime): ReplicaInfo[] {
  const loaded = c.loadedPartitions();
  if (loaded.length === 0) return [];
  const resourceGroup = groupOf(catalog, c.id);
  const g = catalog.group(resourceGroup);
  return [{
    replicaId: BigInt(c.id), collectionId: BigInt(c.id), partitionIds: loaded.map((p) => BigInt(p.meta.id)),
    resourceGroup, nodeIds: g === undefined ? [] : usableNodes(g, catalog.nodes), shardsNum: c.meta.shardsNum,
  }];
}
