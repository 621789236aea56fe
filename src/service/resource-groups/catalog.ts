/**
 * The durable resource-group catalog: every group (config and nodes) and the group serving each
 * loaded collection's replica, in a DocStore: `<data dir>/RESOURCE_GROUPS` for one process
 * (storage/resource-groups-file.ts: checksummed, fsync'd, replaced atomically), etcd in a cluster
 * (storage/dist/etcd-resource-groups.ts, written by the lease holder only, fenced by its lease).
 * As the RBAC catalog, a change is applied to a copy, written, and only then made current, one
 * change at a time. On first start it holds the default group with the nodes that exist.
 */
import { Mutex } from '../../engine/mutex.js';
import { storageErrors } from '../../storage/errors.js';
import type { FileSystem } from '../../storage/fs/types.js';
import type { DocStore } from '../../storage/ports.js';
import { localResourceGroupsStore } from '../../storage/resource-groups-file.js';
import { rebalance, type GroupRecord, type NodeLabels } from './balance.js';
import { DEFAULT_RESOURCE_GROUP, DEFAULT_RESOURCE_GROUP_CAPACITY, type ResourceGroupConfig } from './types.js';

/** A loaded collection's replica and the group it was placed in. */
export interface ReplicaRecord { collectionId: string; resourceGroup: string }

export interface ResourceGroupsBody {
  formatVersion: 1;
  groups: GroupRecord[];
  replicas: ReplicaRecord[];
}

export function plainConfig(requests: number, limits: number): ResourceGroupConfig {
  return { requests: { nodeNum: requests }, limits: { nodeNum: limits }, transferFrom: [], transferTo: [], nodeFilter: { nodeLabels: [] } };
}

function initialBody(): ResourceGroupsBody {
  return { formatVersion: 1, groups: [{ name: DEFAULT_RESOURCE_GROUP, config: plainConfig(0, DEFAULT_RESOURCE_GROUP_CAPACITY), nodes: [] }], replicas: [] };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function checkBody(json: unknown, file: string): ResourceGroupsBody {
  const bad = (why: string) => storageErrors.corruptFile(file, 16, why);
  if (!isRecord(json) || json['formatVersion'] !== 1) throw bad('not a resource group catalog body of format 1');
  const groups = json['groups'];
  if (!Array.isArray(groups) || !Array.isArray(json['replicas'])) throw bad('groups or replicas is not a list');
  for (const g of groups) {
    if (!isRecord(g) || typeof g['name'] !== 'string' || !Array.isArray(g['nodes']) || !isRecord(g['config'])) throw bad('a group record is malformed');
  }
  if (!groups.some((g: Record<string, unknown>) => g['name'] === DEFAULT_RESOURCE_GROUP)) throw bad('the default resource group is missing');
  return json as unknown as ResourceGroupsBody;
}

export class ResourceGroupCatalog {
  private readonly lock = new Mutex();

  private constructor(private body: ResourceGroupsBody, private readonly store: DocStore, private liveNodes: NodeLabels, private homes: ReadonlyMap<number, string>) {}

  /** Read `dir/RESOURCE_GROUPS` (created on first start), then place `nodes` as Milvus does at node up / down. */
  static open(fs: FileSystem, dir: string, nodes: NodeLabels): Promise<ResourceGroupCatalog> {
    return ResourceGroupCatalog.openStore(localResourceGroupsStore(fs, dir), nodes);
  }

  /**
   * Read the document from `store` and place `nodes` (a node in no group goes to its `homes` group
   * when it can). A read-only store (a query node) is read as it is and never written.
   */
  static async openStore(store: DocStore, nodes: NodeLabels, homes: ReadonlyMap<number, string> = new Map()): Promise<ResourceGroupCatalog> {
    const json = await store.read();
    const body = json !== null ? checkBody(json, 'RESOURCE_GROUPS') : initialBody();
    const catalog = new ResourceGroupCatalog(body, store, nodes, homes);
    if (!store.writable) return catalog;
    const placed = structuredClone(body);
    rebalance(placed.groups, nodes, homes);
    if (json === null || JSON.stringify(placed) !== JSON.stringify(body)) await catalog.change((b) => { b.groups = placed.groups; });
    return catalog;
  }

  /** The nodes that exist (Milvus: the query node sessions) and their labels. */
  get nodes(): NodeLabels { return this.liveNodes; }
  get groups(): readonly GroupRecord[] { return this.body.groups; }
  get replicas(): readonly ReplicaRecord[] { return this.body.replicas; }
  get writable(): boolean { return this.store.writable; }
  group(name: string): GroupRecord | undefined { return this.body.groups.find((g) => g.name === name); }

  /**
   * The nodes changed (a query node came up or went away): place them again and write the result
   * if it moved a node. A read-only catalog reads the writer's document again instead.
   */
  async setNodes(nodes: NodeLabels, homes: ReadonlyMap<number, string>): Promise<void> {
    this.liveNodes = nodes;
    this.homes = homes;
    if (!this.store.writable) {
      const json = await this.store.read();
      if (json !== null) this.body = checkBody(json, 'RESOURCE_GROUPS');
      return;
    }
    const placed = structuredClone(this.body);
    rebalance(placed.groups, nodes, homes);
    if (JSON.stringify(placed.groups) !== JSON.stringify(this.body.groups)) await this.change(() => undefined);
  }

  /** Apply `edit` to a copy, rebalance nodes, write it durably, then make it current. One change at a time. */
  async change<T>(edit: (draft: ResourceGroupsBody) => T | Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      const draft = structuredClone(this.body);
      const out = await edit(draft);
      rebalance(draft.groups, this.liveNodes, this.homes);
      await this.store.write(draft);
      this.body = draft;
      return out;
    });
  }
}
