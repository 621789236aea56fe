/**
 * Query nodes (issue #14) as the load RPCs see them. In distributed mode the service is given a
 * `QueryNodeView` (server/query-cluster.ts, over etcd). While at least one query node lives:
 * LoadCollection records the replica number (more replicas than live query nodes is Milvus' error
 * 304 for the default resource group), the query nodes place the replicas among themselves by
 * rendezvous hashing (storage/dist/etcd-placement.ts) and report what they hold; GetLoadState is
 * Loaded only when every replica's node reports the collection loaded, GetLoadingProgress counts
 * the bytes they loaded, GetReplicas names the nodes. Without query nodes nothing changes.
 */
import { errors, resourceGroupErrors } from '../core/errors.js';
import type { CollectionRuntime } from '../engine/collection.js';
import { numericNodeId, placeReplicas, type NodeLoadReport } from '../storage/dist/etcd-placement.js';
import { checkReplicasInSource } from './resource-groups/manager.js';
import { DEFAULT_RESOURCE_GROUP, type ReplicaInfo } from './resource-groups/types.js';
import type * as RG from './resource-groups/types.js';
import type * as T from './types.js';

export interface QueryNodeInfo { id: string; endpoint: string }

/** What the service reads and writes about query nodes. */
export interface QueryNodeView {
  /** The live query nodes (all in the default resource group). */
  queryNodes(): Promise<QueryNodeInfo[]>;
  /** The replicas placed on query nodes (the default group's) by collection id. */
  replicaNumbers(): Promise<Map<number, number>>;
  /** Every recorded collection's replicas per resource group. */
  replicaGroups(): Promise<Map<number, Record<string, number>>>;
  setReplicaGroups(collectionId: number, groups: Record<string, number> | null): Promise<void>;
  loadReports(): Promise<Map<string, NodeLoadReport>>;
}

type Groups = Record<string, number>;
const total = (g: Groups): number => Object.values(g).reduce((a, b) => a + b, 0);

async function groupsOf(view: QueryNodeView, c: CollectionRuntime): Promise<Groups> {
  return (await view.replicaGroups()).get(c.id) ?? { [DEFAULT_RESOURCE_GROUP]: 1 };
}

/**
 * The replicas a LoadCollection / LoadPartitions places (null: no query nodes), with Milvus' rules:
 * a loaded collection keeps its replica number ("can't change the replica number for loaded
 * collection|partitions"); otherwise every replica goes to the default resource group, which holds
 * every live query node (304 when fewer nodes than replicas; a named group other than the default
 * holds no query node).
 */
export async function checkReplicaNumber(view: QueryNodeView, c: CollectionRuntime, req: T.LoadRequest, what: 'collection' | 'partitions'): Promise<Groups | null> {
  const nodes = await view.queryNodes();
  if (nodes.length === 0) return null;
  const replicas = req.replicaNumber !== undefined && req.replicaNumber > 0 ? req.replicaNumber : 1;
  const groups = req.resourceGroups ?? [];
  if (c.isLoaded) {
    const current = await groupsOf(view, c);
    if (replicas !== total(current)) {
      throw errors.parameterInvalid(String(total(current)), String(replicas), `can't change the replica number for loaded ${what}`);
    }
    const used = Object.keys(current).filter((g) => (current[g] ?? 0) > 0).sort();
    const asked = [...new Set(groups)].sort();
    if (asked.length > 0 && asked.join('\0') !== used.join('\0')) {
      throw errors.parameterInvalid(`[${used.join(' ')}]`, `[${asked.join(' ')}]`, `can't change the resource groups for loaded ${what}`);
    }
    return current;
  }
  if (groups.length > 1 && groups.length !== replicas) {
    throw errors.unexpected(`replica=[${replicas}] resource group=[${groups.join(',')}], resource group num can only be 0, 1 or same as replica number`);
  }
  for (const g of groups) if (g !== DEFAULT_RESOURCE_GROUP) throw resourceGroupErrors.nodeNotEnough(g, 0, groups.length === 1 ? replicas : 1);
  if (replicas > nodes.length) throw resourceGroupErrors.nodeNotEnough(DEFAULT_RESOURCE_GROUP, nodes.length, replicas);
  return { [DEFAULT_RESOURCE_GROUP]: replicas };
}

/**
 * TransferReplica across query nodes (the group checks ran in resource-groups/manager.ts): moves
 * `numReplica` of the collection's replicas from the source group's count to the target's. Query
 * nodes hold only the default group's replicas, so moving one out releases it on its node and
 * moving one back places it again by rendezvous; a replica in another group has no node.
 */
export async function clusterTransferReplica(view: QueryNodeView, c: CollectionRuntime, req: RG.TransferReplicaRequest): Promise<void> {
  const groups = { ...(await groupsOf(view, c)) };
  const { sourceResourceGroup: from, targetResourceGroup: to, numReplica } = req;
  checkReplicasInSource(c.id, from, groups[from] ?? 0, numReplica);
  groups[from] = (groups[from] ?? 0) - numReplica;
  groups[to] = (groups[to] ?? 0) + numReplica;
  for (const g of Object.keys(groups)) if (groups[g] === 0 && g !== DEFAULT_RESOURCE_GROUP) delete groups[g];
  await view.setReplicaGroups(c.id, groups);
}

interface Placed { nodes: QueryNodeInfo[]; replicas: number; placed: QueryNodeInfo[]; groups: Groups }

async function placed(view: QueryNodeView, c: CollectionRuntime): Promise<Placed | null> {
  const nodes = await view.queryNodes();
  if (nodes.length === 0) return null;
  const groups = await groupsOf(view, c);
  const replicas = groups[DEFAULT_RESOURCE_GROUP] ?? 0;
  const ids = placeReplicas(c.id, replicas, nodes.map((n) => n.id));
  return { nodes, replicas, groups, placed: ids.map((id) => nodes.find((n) => n.id === id)).filter((n): n is QueryNodeInfo => n !== undefined) };
}

/** The local state, lowered to Loading while some replica's query node has not loaded the collection. */
export async function clusterLoadState(view: QueryNodeView, c: CollectionRuntime, local: T.LoadStateResult): Promise<T.LoadStateResult> {
  if (local.state !== 'LoadStateLoaded') return local;
  const p = await placed(view, c);
  if (p === null) return local;
  if (p.placed.length < p.replicas) return { state: 'LoadStateLoading' };
  const reports = await view.loadReports();
  const all = p.placed.every((n) => reports.get(n.id)?.[String(c.id)]?.loaded === true);
  return all ? local : { state: 'LoadStateLoading' };
}

/** Bytes the replicas' query nodes loaded of the bytes they load (a missing replica counts as nothing loaded). */
export async function clusterLoadingProgress(view: QueryNodeView, c: CollectionRuntime, local: T.LoadingProgressResult): Promise<T.LoadingProgressResult> {
  const p = await placed(view, c);
  if (p === null) return local;
  const reports = await view.loadReports();
  let loaded = 0, total = 0, allLoaded = p.placed.length >= p.replicas;
  const totals: number[] = [];
  for (const n of p.placed) {
    const r = reports.get(n.id)?.[String(c.id)];
    if (r === undefined || !r.loaded) allLoaded = false;
    if (r !== undefined) { loaded += r.loadedBytes; total += r.totalBytes; totals.push(r.totalBytes); }
  }
  const perReplica = totals.length > 0 ? Math.max(...totals) : 1;
  total += (p.replicas - totals.length) * perReplica;
  const progress = allLoaded ? 100 : total > 0 ? Math.min(99, Math.floor((100 * loaded) / total)) : 0;
  return { progress, refreshProgress: progress };
}

/**
 * GetReplicas: the default group's replicas one per placed query node (a replica with no live node
 * to hold it has none), then the other groups' replicas, which no query node holds.
 */
export async function clusterReplicas(view: QueryNodeView, c: CollectionRuntime, local: ReplicaInfo[]): Promise<ReplicaInfo[]> {
  if (local.length === 0) return local;
  const p = await placed(view, c);
  const [first] = local;
  if (p === null || first === undefined) return local;
  const out: ReplicaInfo[] = [];
  const replica = (resourceGroup: string, n: QueryNodeInfo | undefined): ReplicaInfo => ({
    ...first, replicaId: BigInt(c.id) * 1000n + BigInt(out.length + 1), resourceGroup,
    nodeIds: n === undefined ? [] : [numericNodeId(n.id)], nodeAddresses: n === undefined ? [] : [n.endpoint],
  });
  for (let i = 0; i < p.replicas; i++) out.push(replica(DEFAULT_RESOURCE_GROUP, p.placed[i]));
  for (const [g, n] of Object.entries(p.groups)) {
    if (g === DEFAULT_RESOURCE_GROUP) continue;
    for (let i = 0; i < n; i++) out.push(replica(g, undefined));
  }
  return out;
}
