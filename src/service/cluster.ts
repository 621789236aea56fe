/**
 * Query nodes (issue #14) as the load and resource-group RPCs see them. In distributed mode the
 * service is given a `QueryNodeView` (server/query-cluster.ts, over etcd). While at least one query
 * node lives, the query nodes are the resource groups' nodes (resource-groups/manager.ts keeps them
 * placed in groups, in etcd) and: LoadCollection / LoadPartitions check the replicas against the
 * nodes of the groups named (Milvus' AssignReplica) and record each replica with a stable id and its
 * group; the query nodes of a group place that group's replicas among themselves by rendezvous
 * hashing (storage/dist/etcd-placement.ts) and report what they hold; GetLoadState is Loaded only
 * when every replica that should have a node is loaded on it, GetLoadingProgress counts the bytes
 * they loaded, GetReplicas names the nodes, DescribeResourceGroup counts the replicas per group.
 * Without query nodes nothing changes.
 */
import { errors } from '../core/errors.js';
import type { CollectionRuntime } from '../engine/collection.js';
import type { Engine } from '../engine/engine.js';
import { placeGroupReplicas, type NodeLoadReport, type ReplicaRecord } from '../storage/dist/etcd-placement.js';
import { usableNodes, type GroupRecord, type NodeLabels } from './resource-groups/balance.js';
import { checkReplicasInSource, type ResourceGroups } from './resource-groups/manager.js';
import { replicasPerGroup } from './resource-groups/replicas.js';
import { DEFAULT_RESOURCE_GROUP, type ReplicaInfo } from './resource-groups/types.js';
import type * as RG from './resource-groups/types.js';
import type * as T from './types.js';

export type QueryNodeInfo = RG.ClusterNode;

/** What the service reads and writes about query nodes. */
export interface QueryNodeView extends RG.ClusterNodeSource {
  /** Every recorded collection's replicas (id and resource group), by collection id. */
  replicas(): Promise<Map<number, ReplicaRecord[]>>;
  setReplicas(collectionId: number, replicas: readonly ReplicaRecord[] | null): Promise<void>;
  loadReports(): Promise<Map<string, NodeLoadReport>>;
}

/** A loaded collection without a record (loaded before records were kept): one replica in the default group. */
export const implicitReplicas = (c: { id: number }): ReplicaRecord[] => [{ id: String(BigInt(c.id) * 1000n + 1n), group: DEFAULT_RESOURCE_GROUP }];

async function recordsOf(view: QueryNodeView, c: CollectionRuntime): Promise<ReplicaRecord[]> {
  return (await view.replicas()).get(c.id) ?? implicitReplicas(c);
}

function countByGroup(records: readonly ReplicaRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) out.set(r.group, (out.get(r.group) ?? 0) + 1);
  return out;
}

/**
 * The replicas a LoadCollection / LoadPartitions places (null: no query nodes), with Milvus' rules:
 * a loaded collection keeps its replica number and groups ("can't change the replica number|resource
 * groups for loaded collection|partitions"); otherwise the groups named (none: the default group)
 * must exist and hold a live query node per replica they take (304 naming the group and counts).
 * New replicas get ids from `newId` (the timestamp oracle: unique, never reused).
 */
export async function checkReplicaNumber(
  view: QueryNodeView, groups: ResourceGroups, c: CollectionRuntime, req: T.LoadRequest, what: 'collection' | 'partitions', newId: () => bigint,
): Promise<ReplicaRecord[] | null> {
  if ((await view.queryNodes()).length === 0) return null;
  await groups.syncNodes();
  const replicas = req.replicaNumber !== undefined && req.replicaNumber > 0 ? req.replicaNumber : 1;
  const asked = req.resourceGroups ?? [];
  if (c.isLoaded) {
    const current = await recordsOf(view, c);
    if (replicas !== current.length) {
      throw errors.parameterInvalid(String(current.length), String(replicas), `can't change the replica number for loaded ${what}`);
    }
    const used = [...countByGroup(current).keys()].sort();
    const names = [...new Set(asked)].sort();
    if (names.length > 0 && names.join('\0') !== used.join('\0')) {
      throw errors.parameterInvalid(`[${used.join(' ')}]`, `[${names.join(' ')}]`, `can't change the resource groups for loaded ${what}`);
    }
    return current;
  }
  const out: ReplicaRecord[] = [];
  for (const [group, n] of replicasPerGroup(groups.catalog, asked, replicas)) {
    for (let i = 0; i < n; i++) out.push({ id: String(newId()), group });
  }
  return out;
}

/**
 * TransferReplica across query nodes (the group checks ran in resource-groups/manager.ts): moves
 * `numReplica` of the collection's replicas (the newest) from the source group to the target, ids
 * kept; the target group's nodes load them, the source group's release them.
 */
export async function clusterTransferReplica(view: QueryNodeView, c: CollectionRuntime, req: RG.TransferReplicaRequest): Promise<void> {
  const records = (await recordsOf(view, c)).map((r) => ({ ...r }));
  const { sourceResourceGroup: from, targetResourceGroup: to, numReplica } = req;
  const inSource = records.filter((r) => r.group === from).sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
  checkReplicasInSource(c.id, from, inSource.length, numReplica);
  for (const r of inSource.slice(0, numReplica)) r.group = to;
  await view.setReplicas(c.id, records);
}

/**
 * The live query node ids of every group: its recorded nodes that still live (through its node
 * filter); a live node no group records yet (it came up since the writer last placed nodes, or while
 * no writer ran) counts in the default group, where the writer would most often place it.
 */
export function liveNodesByGroup(groups: readonly GroupRecord[], live: readonly QueryNodeInfo[], numericId: (id: string) => number): Map<string, string[]> {
  const byNumeric = new Map(live.map((n) => [numericId(n.id), n.id]));
  const labels: NodeLabels = new Map(live.map((n) => [numericId(n.id), []]));
  const out = new Map<string, string[]>([[DEFAULT_RESOURCE_GROUP, []]]);
  const seen = new Set<number>();
  for (const g of groups) {
    for (const n of g.nodes) seen.add(n);
    out.set(g.name, usableNodes(g, labels).map((id) => byNumeric.get(id)).filter((id): id is string => id !== undefined));
  }
  for (const [n, id] of byNumeric) if (!seen.has(n)) out.get(DEFAULT_RESOURCE_GROUP)?.push(id);
  return out;
}

interface PlacedReplica { record: ReplicaRecord; node: QueryNodeInfo | undefined; expected: boolean }

/** Each replica of `c` with its query node (null: no query nodes); `expected`: its group requests nodes, so a replica without one is missing. */
async function placed(view: QueryNodeView, groups: ResourceGroups, c: CollectionRuntime): Promise<PlacedReplica[] | null> {
  const nodes = await view.queryNodes();
  if (nodes.length === 0) return null;
  const records = await recordsOf(view, c);
  const where = placeGroupReplicas(c.id, records, liveNodesByGroup(groups.catalog.groups, nodes, (id) => view.numericId(id)));
  return records.map((record) => {
    const id = where.get(record.id);
    const g = groups.catalog.group(record.group);
    const expected = record.group === DEFAULT_RESOURCE_GROUP || (g !== undefined && g.config.requests.nodeNum > 0);
    return { record, node: nodes.find((n) => n.id === id), expected };
  });
}

/** How long a release waits for the query nodes to drop what it released (a dead node's report lapses with its lease). */
const RELEASE_WAIT_MS = 10_000;
const RELEASE_POLL_MS = 50;

/**
 * A release answers once no query node reports the collection (or, for `partitionIds`, any of those
 * partitions) loaded, as Milvus's release returns after its query nodes released: a read sent to a
 * query node afterwards, at any consistency level, finds it released. Gives up (the release stands)
 * after RELEASE_WAIT_MS.
 */
export async function awaitReleasedOnQueryNodes(view: QueryNodeView, collectionId: number, partitionIds: readonly number[] | null): Promise<void> {
  const key = String(collectionId);
  const holding = (r: NodeLoadReport): boolean => {
    const c = r[key];
    if (c === undefined) return false;
    return partitionIds === null || (c.partitions ?? []).some((id) => partitionIds.includes(id));
  };
  const deadline = Date.now() + RELEASE_WAIT_MS;
  while (Date.now() < deadline) {
    const reports = await view.loadReports();
    if (![...reports.values()].some(holding)) return;
    await new Promise((r) => setTimeout(r, RELEASE_POLL_MS));
  }
}

/** The local state, lowered to Loading while some replica's query node has not loaded the collection (or it has none). */
export async function clusterLoadState(view: QueryNodeView, groups: ResourceGroups, c: CollectionRuntime, local: T.LoadStateResult): Promise<T.LoadStateResult> {
  if (local.state !== 'LoadStateLoaded') return local;
  const p = await placed(view, groups, c);
  if (p === null) return local;
  const reports = await view.loadReports();
  const all = p.every((r) => (r.node === undefined ? !r.expected : reports.get(r.node.id)?.[String(c.id)]?.loaded === true));
  return all ? local : { state: 'LoadStateLoading' };
}

/** Bytes the replicas' query nodes loaded of the bytes they load (a missing replica counts as nothing loaded). */
export async function clusterLoadingProgress(view: QueryNodeView, groups: ResourceGroups, c: CollectionRuntime, local: T.LoadingProgressResult): Promise<T.LoadingProgressResult> {
  const p = await placed(view, groups, c);
  if (p === null) return local;
  const reports = await view.loadReports();
  let loaded = 0, total = 0, allLoaded = true, missing = 0;
  const totals: number[] = [];
  for (const { node, expected } of p) {
    const r = node === undefined ? undefined : reports.get(node.id)?.[String(c.id)];
    if (node === undefined && !expected) continue;
    if (r === undefined || !r.loaded) allLoaded = false;
    if (r === undefined) missing++;
    else { loaded += r.loadedBytes; total += r.totalBytes; totals.push(r.totalBytes); }
  }
  const perReplica = totals.length > 0 ? Math.max(...totals) : 1;
  total += missing * perReplica;
  const progress = allLoaded ? 100 : total > 0 ? Math.min(99, Math.floor((100 * loaded) / total)) : 0;
  return { progress, refreshProgress: progress };
}

/** GetReplicas: every recorded replica with its id, group and query node (none while its group has no live node for it). */
export async function clusterReplicas(view: QueryNodeView, groups: ResourceGroups, c: CollectionRuntime, local: ReplicaInfo[]): Promise<ReplicaInfo[]> {
  const [first] = local;
  if (first === undefined) return local;
  const p = await placed(view, groups, c);
  if (p === null) return local;
  return p.map(({ record, node }) => ({
    ...first, replicaId: BigInt(record.id), resourceGroup: record.group,
    nodeIds: node === undefined ? [] : [view.numericId(node.id)], nodeAddresses: node === undefined ? [] : [node.endpoint],
  }));
}

/** DescribeResourceGroup on query nodes: the replicas of each loaded collection placed in the group. */
export async function clusterDescribe(view: QueryNodeView, engine: Engine, d: RG.ResourceGroupDescription): Promise<RG.ResourceGroupDescription> {
  if ((await view.queryNodes()).length === 0) return d;
  const numLoadedReplica: Record<string, number> = {};
  const records = await view.replicas();
  for (const c of engine.collections.values()) {
    if (!c.isLoaded) continue;
    const n = (records.get(c.id) ?? implicitReplicas(c)).filter((r) => r.group === d.name).length;
    if (n > 0) numLoadedReplica[c.name] = (numLoadedReplica[c.name] ?? 0) + n;
  }
  return { ...d, numLoadedReplica };
}

/** DropResourceGroup on query nodes: refused while a loaded collection has a replica in the group (Milvus' message). */
export async function clusterCheckDrop(view: QueryNodeView, engine: Engine, name: string): Promise<void> {
  if ((await view.queryNodes()).length === 0) return;
  const records = await view.replicas();
  for (const c of engine.collections.values()) {
    if (!c.isLoaded || !(records.get(c.id) ?? implicitReplicas(c)).some((r) => r.group === name)) continue;
    throw errors.parameterInvalid('empty resource group', `resource group ${name} has collection ${c.id} loaded`,
      `some replicas still loaded in resource group[${name}], release it first`);
  }
}
