/**
 * The durable resource-group catalog: every group (config and nodes) and the group serving each
 * loaded collection's replica, in `<data dir>/RESOURCE_GROUPS` (storage/resource-groups-file.ts:
 * checksummed, fsync'd, replaced atomically). As the RBAC catalog, a change is applied to a copy,
 * written, and only then made current, one change at a time. On first start it holds the default
 * group with this process's node.
 */
import { Mutex } from '../../engine/mutex.js';
import { storageErrors } from '../../storage/errors.js';
import type { FileSystem } from '../../storage/fs/types.js';
import { readResourceGroups, writeResourceGroups } from '../../storage/resource-groups-file.js';
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

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkBody(json: unknown, file: string): ResourceGroupsBody {
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

  private constructor(private body: ResourceGroupsBody, private readonly fs: FileSystem, private readonly dir: string, readonly nodes: NodeLabels) {}

  /** Read `dir/RESOURCE_GROUPS` (created on first start), then place `nodes` as Milvus does at node up / down. */
  static async open(fs: FileSystem, dir: string, nodes: NodeLabels): Promise<ResourceGroupCatalog> {
    const json = await readResourceGroups(fs, dir);
    const body: ResourceGroupsBody = json !== null
      ? checkBody(json, `${dir}/RESOURCE_GROUPS`)
      : { formatVersion: 1, groups: [{ name: DEFAULT_RESOURCE_GROUP, config: plainConfig(0, DEFAULT_RESOURCE_GROUP_CAPACITY), nodes: [] }], replicas: [] };
    const catalog = new ResourceGroupCatalog(body, fs, dir, nodes);
    const placed = structuredClone(body);
    rebalance(placed.groups, nodes);
    if (json === null || JSON.stringify(placed) !== JSON.stringify(body)) await catalog.change((b) => { b.groups = placed.groups; });
    return catalog;
  }

  get groups(): readonly GroupRecord[] { return this.body.groups; }
  get replicas(): readonly ReplicaRecord[] { return this.body.replicas; }
  group(name: string): GroupRecord | undefined { return this.body.groups.find((g) => g.name === name); }

  /** Apply `edit` to a copy, rebalance nodes, write it durably, then make it current. One change at a time. */
  async change<T>(edit: (draft: ResourceGroupsBody) => T | Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      const draft = structuredClone(this.body);
      const out = await edit(draft);
      rebalance(draft.groups, this.nodes);
      await writeResourceGroups(this.fs, this.dir, draft);
      this.body = draft;
      return out;
    });
  }
}
