/**
 * The resource-group operations of one service, with Milvus' validation (proxy name checks,
 * querycoord resource manager and replica manager rules) over the durable catalog. Every check that
 * reads the catalog runs inside `catalog.change`, on the draft, so concurrent changes cannot both pass.
 */
import { hostname } from 'node:os';
import { errors, resourceGroupErrors } from '../../core/errors.js';
import { limits } from '../../core/limits.js';
import type { CollectionRuntime } from '../../engine/collection.js';
import type { Engine } from '../../engine/engine.js';
import type { DocStore } from '../../storage/ports.js';
import { localResourceGroupsStore } from '../../storage/resource-groups-file.js';
import { requireCollection } from '../resolve.js';
import { usableNodes, type GroupRecord, type NodeLabels } from './balance.js';
import { plainConfig, ResourceGroupCatalog, type ResourceGroupsBody } from './catalog.js';
import { groupOf, loadedCollections, planLoad, pruneReplicas, replicasOf, type LoadPlacement } from './replicas.js';
import * as T from './types.js';
import { checkedConfig, sameConfig, validateResourceGroupName } from './validate.js';

/** This process is query node 1. */
export const LOCAL_NODE_ID = 1;

export interface ResourceGroupOptions {
  /** The address DescribeResourceGroup reports for the node (default `127.0.0.1:19530`). */
  nodeAddress?: string;
  /** Where the groups live (default: the data directory's RESOURCE_GROUPS file; etcd in a cluster). */
  store?: DocStore;
  /** In a cluster, the query nodes are the groups' nodes (this process is, while none lives). */
  cluster?: T.ClusterNodeSource;
}

/** The nodes that exist as the catalog sees them, their descriptions, and their start-up groups. */
interface NodeSet { labels: Map<number, T.NodeLabel[]>; infos: Map<number, T.NodeInfo>; homes: Map<number, string> }

interface Groups { readonly groups: readonly GroupRecord[] }

function find(draft: Groups, name: string): GroupRecord | undefined {
  return draft.groups.find((g) => g.name === name);
}

function requireGroup(draft: Groups, name: string, wrap?: string): GroupRecord {
  const g = find(draft, name);
  if (g === undefined) throw resourceGroupErrors.notFound(name, wrap);
  return g;
}

export class ResourceGroups {
  private constructor(
    readonly catalog: ResourceGroupCatalog, private readonly engine: Engine, private readonly node: T.NodeInfo,
    private infos: Map<number, T.NodeInfo>, private readonly cluster?: T.ClusterNodeSource,
  ) {}

  static async open(engine: Engine, opts: ResourceGroupOptions = {}): Promise<ResourceGroups> {
    const node: T.NodeInfo = { nodeId: LOCAL_NODE_ID, address: opts.nodeAddress ?? '127.0.0.1:19530', hostname: hostname() };
    const set = await nodeSet(node, opts.cluster);
    const store = opts.store ?? localResourceGroupsStore(engine.fs, engine.dataDir);
    const catalog = await ResourceGroupCatalog.openStore(store, set.labels, set.homes);
    return new ResourceGroups(catalog, engine, node, set.infos, opts.cluster);
  }

  /** Whether the groups' nodes are a cluster's query nodes. */
  get clustered(): boolean { return this.cluster !== undefined; }

  /** Read the live query nodes again and place them (a writer writes the change; a query node reads the writer's). */
  async syncNodes(): Promise<void> {
    if (this.cluster === undefined) return;
    const set = await nodeSet(this.node, this.cluster);
    await this.catalog.setNodes(set.labels, set.homes);
    this.infos = set.infos;
  }

  async create(req: T.CreateResourceGroupRequest): Promise<void> {
    validateResourceGroupName(req.resourceGroup);
    const name = req.resourceGroup;
    await this.catalog.change((draft) => {
      const existing = find(draft, name);
      const config = req.config === undefined ? plainConfig(0, 0) : checkedConfig(name, req.config, draft.groups);
      if (existing !== undefined) {
        if (sameConfig(existing.config, config)) return;
        throw resourceGroupErrors.alreadyExist(name);
      }
      if (draft.groups.length >= limits.maxResourceGroups) throw resourceGroupErrors.reachLimit(name, limits.maxResourceGroups);
      draft.groups.push({ name, config, nodes: [] });
    });
  }

  async update(req: T.UpdateResourceGroupsRequest): Promise<void> {
    const entries = Object.entries(req.resourceGroups);
    if (entries.length === 0) return;
    await this.catalog.change((draft) => {
      const checked = entries.map(([name, input]) => {
        const g = requireGroup(draft, name);
        return { g, config: checkedConfig(name, input, draft.groups) };
      });
      for (const { g, config } of checked) g.config = config;
    });
  }

  async drop(req: { resourceGroup: string }): Promise<void> {
    const name = req.resourceGroup;
    await this.catalog.change((draft) => {
      pruneReplicas(draft, this.engine);
      const held = draft.replicas.find((r) => r.resourceGroup === name);
      if (held !== undefined) {
        throw errors.parameterInvalid('empty resource group', `resource group ${name} has collection ${held.collectionId} loaded`,
          `some replicas still loaded in resource group[${name}], release it first`);
      }
      const g = find(draft, name);
      if (g === undefined) return;
      checkDeletable(draft, g);
      draft.groups = draft.groups.filter((x) => x !== g);
    });
  }

  async transferNode(req: T.TransferNodeRequest): Promise<void> {
    validateResourceGroupName(req.sourceResourceGroup);
    validateResourceGroupName(req.targetResourceGroup);
    const { sourceResourceGroup: from, targetResourceGroup: to, numNode } = req;
    if (from === to) {
      throw errors.parameterInvalidMsg(`source resource group and target resource group should not be the same, resource group: ${from}`);
    }
    if (!(numNode > 0)) throw errors.parameterInvalid('NumNode > 0', `invalid NumNode ${numNode}`);
    await this.catalog.change((draft) => {
      const src = requireGroup(draft, from);
      const dst = requireGroup(draft, to);
      const have = usableNodes(src, this.catalog.nodes).length;
      if (have < numNode) throw resourceGroupErrors.nodeNotEnough(from, have, numNode);
      const s = structuredClone(src.config), d = structuredClone(dst.config);
      s.requests.nodeNum = Math.max(0, s.requests.nodeNum - numNode);
      if (from !== T.DEFAULT_RESOURCE_GROUP) s.limits.nodeNum = Math.max(0, s.limits.nodeNum - numNode);
      d.requests.nodeNum += numNode;
      if (d.requests.nodeNum > d.limits.nodeNum) d.limits.nodeNum = d.requests.nodeNum;
      src.config = checkedConfig(from, s, draft.groups);
      dst.config = checkedConfig(to, d, draft.groups);
    });
  }

  async transferReplica(req: T.TransferReplicaRequest): Promise<void> {
    const c = this.checkTransfer(req);
    const { sourceResourceGroup: from, targetResourceGroup: to, numReplica } = req;
    await this.catalog.change((draft) => {
      checkTransferGroups(draft, req);
      pruneReplicas(draft, this.engine);
      if (!c.isLoaded) throw errors.parameterInvalid('Collection not loaded', `collectionID ${c.id}`);
      const placed = draft.replicas.find((r) => r.collectionId === String(c.id))?.resourceGroup ?? T.DEFAULT_RESOURCE_GROUP;
      checkReplicasInSource(c.id, from, placed === from ? 1 : 0, numReplica);
      draft.replicas = draft.replicas.filter((r) => r.collectionId !== String(c.id));
      draft.replicas.push({ collectionId: String(c.id), resourceGroup: to });
    });
  }

  /**
   * TransferReplica's checks that need no replica count (names, groups, NumReplica, loaded), on the
   * current catalog; the collection transferred. Query nodes (service/cluster.ts) count replicas themselves.
   */
  checkTransfer(req: T.TransferReplicaRequest): CollectionRuntime {
    validateResourceGroupName(req.sourceResourceGroup);
    validateResourceGroupName(req.targetResourceGroup);
    const c = requireCollection(this.engine, { ...(req.dbName !== undefined ? { dbName: req.dbName } : {}), collectionName: req.collectionName });
    checkTransferGroups(this.catalog, req);
    if (!c.isLoaded) throw errors.parameterInvalid('Collection not loaded', `collectionID ${c.id}`);
    return c;
  }

  list(): string[] {
    return this.catalog.groups.map((g) => g.name);
  }

  describe(req: { resourceGroup: string }): T.ResourceGroupDescription {
    const g = this.catalog.group(req.resourceGroup);
    if (g === undefined) throw resourceGroupErrors.notFound(req.resourceGroup);
    const numLoadedReplica: Record<string, number> = {};
    for (const c of loadedCollections(this.engine).values()) {
      if (groupOf(this.catalog, c.id) === g.name) numLoadedReplica[c.name] = (numLoadedReplica[c.name] ?? 0) + 1;
    }
    const nodes = usableNodes(g, this.catalog.nodes).map((id) => this.infos.get(id) ?? { ...this.node, nodeId: id });
    return {
      name: g.name,
      capacity: g.name === T.DEFAULT_RESOURCE_GROUP ? T.DEFAULT_RESOURCE_GROUP_CAPACITY : g.config.requests.nodeNum,
      numAvailableNode: nodes.length, numLoadedReplica, numOutgoingNode: {}, numIncomingNode: {},
      config: structuredClone(g.config), nodes,
    };
  }

  /** Check a load of `c` and record where its replica goes, before the load itself (persist, then publish). */
  async placeLoad(c: CollectionRuntime, req: LoadPlacement): Promise<void> {
    const group = planLoad(this.catalog, c, req);
    const id = String(c.id);
    if (this.catalog.replicas.some((r) => r.collectionId === id && r.resourceGroup === group)) return;
    await this.catalog.change((draft) => {
      pruneReplicas(draft, this.engine);
      draft.replicas = draft.replicas.filter((r) => r.collectionId !== id);
      draft.replicas.push({ collectionId: id, resourceGroup: group });
    });
  }

  /** Forget the replica of a collection that is no longer loaded. */
  async released(c: CollectionRuntime): Promise<void> {
    if (c.isLoaded || !this.catalog.replicas.some((r) => r.collectionId === String(c.id))) return;
    await this.catalog.change((draft) => pruneReplicas(draft, this.engine));
  }

  replicas(c: CollectionRuntime): T.ReplicaInfo[] {
    return replicasOf(this.catalog, c);
  }
}

/** The nodes of the groups: a cluster's live query nodes, or this process while none lives. */
async function nodeSet(local: T.NodeInfo, cluster: T.ClusterNodeSource | undefined): Promise<NodeSet> {
  const live = cluster === undefined ? [] : await cluster.queryNodes();
  if (cluster === undefined || live.length === 0) {
    return { labels: new Map([[local.nodeId, []]]), infos: new Map([[local.nodeId, local]]), homes: new Map() };
  }
  const set: NodeSet = { labels: new Map(), infos: new Map(), homes: new Map() };
  for (const n of live) {
    const id = cluster.numericId(n.id);
    set.labels.set(id, []);
    set.infos.set(id, { nodeId: id, address: n.endpoint, hostname: n.id });
    if (n.resourceGroup !== undefined) set.homes.set(id, n.resourceGroup);
  }
  return set;
}

/** Milvus TransferReplica: both groups exist and differ, NumReplica > 0. */
function checkTransferGroups(draft: Groups, req: T.TransferReplicaRequest): void {
  const { sourceResourceGroup: from, targetResourceGroup: to, numReplica } = req;
  requireGroup(draft, from, `the source resource group[${from}] doesn't exist`);
  requireGroup(draft, to, `the target resource group[${to}] doesn't exist`);
  if (from === to) {
    throw errors.parameterInvalidMsg(`source resource group and target resource group should not be the same, resource group: ${from}`);
  }
  if (!(numReplica > 0)) throw errors.parameterInvalid('NumReplica > 0', `invalid NumReplica ${numReplica}`);
}

/** Milvus TransferReplica: the source group holds at least NumReplica replicas of the collection. */
export function checkReplicasInSource(collectionId: number, from: string, inSource: number, numReplica: number): void {
  if (inSource < numReplica) {
    throw errors.parameterInvalid('NumReplica not greater than the number of replica in source resource group',
      `only found [${inSource}] replicas of collection [${collectionId}] in source resource group [${from}], but ${numReplica} require`);
  }
}

/** Milvus validateResourceGroupIsDeletable. */
function checkDeletable(draft: ResourceGroupsBody, g: GroupRecord): void {
  if (g.name === T.DEFAULT_RESOURCE_GROUP) {
    throw errors.parameterInvalid('not default resource group', g.name, 'default resource group is not deletable');
  }
  if (g.config.limits.nodeNum !== 0) {
    throw errors.parameterInvalid('not empty resource group', g.name, "resource group's limits node num is not 0");
  }
  for (const other of draft.groups) {
    if (other.config.transferFrom.includes(g.name)) {
      throw errors.parameterInvalid('not `TransferFrom` of resource group', g.name,
        `resource group ${g.name} is used by ${other.name}'s \`TransferFrom\`, remove that configuration first`);
    }
    if (other.config.transferTo.includes(g.name)) {
      throw errors.parameterInvalid('not `TransferTo` of resource group', g.name,
        `resource group ${g.name} is used by ${other.name}'s \`TransferTo\`, remove that configuration first`);
    }
  }
}
