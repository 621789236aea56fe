/**
 * The resource group RPCs (Create/Drop/Update/List/DescribeResourceGroup, TransferNode,
 * TransferReplica): decode rgpb configurations, one service call, encode. The semantics live in
 * service/resource-groups.
 */
import type { MilvusApi } from '../../service/api.js';
import type { ResourceGroupConfig, ResourceGroupConfigInput, ResourceGroupDescription } from '../../service/resource-groups/types.js';
import { dbNameOf, type CallContext } from './codec/context.js';
import { isWire, list, msg, num, str, type Wire } from './codec/wire.js';

export type ResourceGroupHandler = (api: MilvusApi, req: Wire, ctx: CallContext) => Promise<Wire>;

const none: Wire = {};

function limitOf(v: unknown, what: string): { nodeNum: number } | undefined {
  return isWire(v) ? { nodeNum: num(v['node_num'], `${what}.node_num`) } : undefined;
}

function groupNames(v: unknown, what: string): string[] {
  return list(v, what).map((t) => str(msg(t, what)['resource_group'], `${what}.resource_group`));
}

/** An rgpb.ResourceGroupConfig; absent (null) gives undefined. */
export function configFromWire(v: unknown, what = 'config'): ResourceGroupConfigInput | undefined {
  if (!isWire(v)) return undefined;
  const out: ResourceGroupConfigInput = {
    requests: limitOf(v['requests'], `${what}.requests`), limits: limitOf(v['limits'], `${what}.limits`),
    transferFrom: groupNames(v['transfer_from'], `${what}.transfer_from`), transferTo: groupNames(v['transfer_to'], `${what}.transfer_to`),
  };
  if (isWire(v['node_filter'])) {
    const labels = list(v['node_filter']['node_labels'], `${what}.node_filter.node_labels`).map((kv) => {
      const m = msg(kv, `${what}.node_filter.node_labels`);
      return { key: str(m['key'], 'node_labels.key'), value: str(m['value'], 'node_labels.value') };
    });
    out.nodeFilter = { nodeLabels: labels };
  }
  return out;
}

export function configToWire(c: ResourceGroupConfig): Wire {
  return {
    requests: { node_num: c.requests.nodeNum }, limits: { node_num: c.limits.nodeNum },
    transfer_from: c.transferFrom.map((resource_group) => ({ resource_group })),
    transfer_to: c.transferTo.map((resource_group) => ({ resource_group })),
    node_filter: { node_labels: c.nodeFilter.nodeLabels.map((l) => ({ key: l.key, value: l.value })) },
  };
}

export function describeToWire(d: ResourceGroupDescription): Wire {
  return {
    resource_group: {
      name: d.name, capacity: d.capacity, num_available_node: d.numAvailableNode,
      num_loaded_replica: d.numLoadedReplica, num_outgoing_node: d.numOutgoingNode, num_incoming_node: d.numIncomingNode,
      config: configToWire(d.config),
      nodes: d.nodes.map((n) => ({ node_id: String(n.nodeId), address: n.address, hostname: n.hostname })),
    },
  };
}

function updatesFromWire(v: unknown): Record<string, ResourceGroupConfigInput> {
  const out: Record<string, ResourceGroupConfigInput> = {};
  for (const [name, c] of Object.entries(msg(v, 'resource_groups'))) out[name] = configFromWire(c, `resource_groups.${name}`) ?? {};
  return out;
}

export const resourceGroupRpcs: Record<string, ResourceGroupHandler> = {
  CreateResourceGroup: async (api, req) => {
    const config = configFromWire(req['config']);
    await api.createResourceGroup({ resourceGroup: str(req['resource_group'], 'resource_group'), ...(config !== undefined ? { config } : {}) });
    return none;
  },
  DropResourceGroup: async (api, req) => { await api.dropResourceGroup({ resourceGroup: str(req['resource_group'], 'resource_group') }); return none; },
  UpdateResourceGroups: async (api, req) => { await api.updateResourceGroups({ resourceGroups: updatesFromWire(req['resource_groups']) }); return none; },
  ListResourceGroups: async (api) => ({ resource_groups: await api.listResourceGroups() }),
  DescribeResourceGroup: async (api, req) => describeToWire(await api.describeResourceGroup({ resourceGroup: str(req['resource_group'], 'resource_group') })),
  TransferNode: async (api, req) => {
    await api.transferNode({
      sourceResourceGroup: str(req['source_resource_group'], 'source_resource_group'),
      targetResourceGroup: str(req['target_resource_group'], 'target_resource_group'), numNode: num(req['num_node'], 'num_node'),
    });
    return none;
  },
  TransferReplica: async (api, req, ctx) => {
    await api.transferReplica({
      sourceResourceGroup: str(req['source_resource_group'], 'source_resource_group'),
      targetResourceGroup: str(req['target_resource_group'], 'target_resource_group'),
      dbName: dbNameOf(req, ctx), collectionName: str(req['collection_name'], 'collection_name'), numReplica: num(req['num_replica'], 'num_replica'),
    });
    return none;
  },
};
