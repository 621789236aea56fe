/**
 * Query nodes (issue #14) as the load RPCs see them. In distributed mode the service is given a
 * `QueryNodeView` (server/query-cluster.ts, over etcd). While at least one query node lives:
 * LoadCollection records the replica number (more replicas than live query nodes is Milvus' error
 * 304 for the default resource group), the query nodes place the replicas among themselves by
 * rendezvous hashing (storage/dist/etcd-placement.ts) and report what they hold; GetLoadState is
 * Loaded only when every replica's node reports the collection loaded, GetLoadingProgress counts
 * the bytes they loaded, GetReplicas names the nodes. Without query nodes nothing changes.
 */
import { resourceGroupErrors } from '../core/errors.js';
import type { CollectionRuntime } from '../engine/collection.js';
import { numericNodeId, placeReplicas, type NodeLoadReport } from '../storage/dist/etcd-placement.js';
import { DEFAULT_RESOURCE_GROUP, type ReplicaInfo } from './resource-groups/types.js';
import type * as T from './types.js';

export interface QueryNodeInfo { id: string; endpoint: string }

/** What the service reads and writes about query nodes. */
export interface QueryNodeView {
  /** The live query nodes. */
  queryNodes(): Promise<QueryNodeInfo[]>;
  replicaNumbers(): Promise<Map<number, number>>;
  setReplicaNumber(collectionId: number, replicas: number | null): Promise<void>;
  loadReports(): Promise<Map<string, NodeLoadReport>>;
}

/** The replica number a load asks for, checked against the live query nodes (null: no query nodes). */
export async function checkReplicaNumber(view: QueryNodeView, req: { replicaNumber?: number | undefined }): Promise<number | null> {
  const nodes = await view.queryNodes();
  if (nodes.length === 0) return null;
  const replicas = req.replicaNumber !== undefined && req.replicaNumber > 0 ? req.replicaNumber : 1;
  if (replicas > nodes.length) throw resourceGroupErrors.nodeNotEnough(DEFAULT_RESOURCE_GROUP, nodes.length, replicas);
  return replicas;
}

interface Placed { nodes: QueryNodeInfo[]; replicas: number; placed: QueryNodeInfo[] }

async function placed(view: QueryNodeView, c: CollectionRuntime): Promise<Placed | null> {
  const nodes = await view.queryNodes();
  if (nodes.length === 0) return null;
  const replicas = (await view.replicaNumbers()).get(c.id) ?? 1;
  const ids = placeReplicas(c.id, replicas, nodes.map((n) => n.id));
  return { nodes, replicas, placed: ids.map((id) => nodes.find((n) => n.id === id)).filter((n): n is QueryNodeInfo => n !== undefined) };
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

/** GetReplicas: one replica per placed query node, as Milvus lists them. */
export async function clusterReplicas(view: QueryNodeView, c: CollectionRuntime, local: ReplicaInfo[]): Promise<ReplicaInfo[]> {
  if (local.length === 0) return local;
  const p = await placed(view, c);
  const [first] = local;
  if (p === null || first === undefined) return local;
  return p.placed.map((n, i) => ({
    ...first, replicaId: BigInt(c.id) * 1000n + BigInt(i + 1), resourceGroup: DEFAULT_RESOURCE_GROUP,
    nodeIds: [numericNodeId(n.id)], nodeAddresses: [n.endpoint],
  }));
}
