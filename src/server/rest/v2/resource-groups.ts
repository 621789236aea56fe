/**
 * REST v2 `resource_groups/*` over the service's resource group operations, in the JSON shapes of
 * Milvus' handler_v2 (request_v2.go): `name`, `config: {requests: {node_num}, limits: {node_num},
 * transfer_from: [{resource_group}], transfer_to: [...], node_filter: {node_labels: {k: v}}}`;
 * describe answers `{resource_group: {...}}` with the gRPC message's snake_case members.
 */
import type { ResourceGroupConfig, ResourceGroupConfigInput } from '../../../service/resource-groups/types.js';
import type { Args } from '../args.js';
import { empty, ok, type V2Table } from '../route.js';

function groupNames(a: Args, key: string): string[] {
  return a.objects(key, false).map((t) => t.str('resource_group'));
}

/** Milvus binds `requests` and `limits` as required members of a given config. */
function configOf(a: Args): ResourceGroupConfigInput {
  const filter = a.optObject('node_filter');
  const out: ResourceGroupConfigInput = {
    requests: { nodeNum: a.object('requests').optInt('node_num') ?? 0 },
    limits: { nodeNum: a.object('limits').optInt('node_num') ?? 0 },
    transferFrom: groupNames(a, 'transfer_from'), transferTo: groupNames(a, 'transfer_to'),
  };
  if (filter !== undefined) out.nodeFilter = { nodeLabels: Object.entries(filter.stringRecord('node_labels')).map(([key, value]) => ({ key, value })) };
  return out;
}

function configToJson(c: ResourceGroupConfig): Record<string, unknown> {
  return {
    requests: { node_num: c.requests.nodeNum }, limits: { node_num: c.limits.nodeNum },
    transfer_from: c.transferFrom.map((resource_group) => ({ resource_group })),
    transfer_to: c.transferTo.map((resource_group) => ({ resource_group })),
    node_filter: { node_labels: c.nodeFilter.nodeLabels.map((l) => ({ key: l.key, value: l.value })) },
  };
}

export const resourceGroupRoutes: V2Table = {
  'resource_groups/create': async (call) => {
    const config = call.args.optObject('config');
    await call.api.createResourceGroup({ resourceGroup: call.args.str('name'), ...(config !== undefined ? { config: configOf(config) } : {}) });
    return empty();
  },
  'resource_groups/drop': async (call) => { await call.api.dropResourceGroup({ resourceGroup: call.args.str('name') }); return empty(); },
  'resource_groups/list': async (call) => ok(await call.api.listResourceGroups()),
  'resource_groups/describe': async (call) => {
    const d = await call.api.describeResourceGroup({ resourceGroup: call.args.str('name') });
    return ok({
      resource_group: {
        name: d.name, capacity: d.capacity, num_available_node: d.numAvailableNode, num_loaded_replica: d.numLoadedReplica,
        num_outgoing_node: d.numOutgoingNode, num_incoming_node: d.numIncomingNode, config: configToJson(d.config),
        nodes: d.nodes.map((n) => ({ node_id: n.nodeId, address: n.address, hostname: n.hostname })),
      },
    });
  },
  'resource_groups/alter': async (call) => {
    const groups = call.args.object('resource_groups');
    const resourceGroups: Record<string, ResourceGroupConfigInput> = {};
    for (const name of Object.keys(groups.body)) resourceGroups[name] = configOf(groups.object(name));
    await call.api.updateResourceGroups({ resourceGroups });
    return empty();
  },
  'resource_groups/transfer_replica': async (call) => {
    const a = call.args;
    await call.api.transferReplica({
      sourceResourceGroup: a.str('sourceRgName'), targetResourceGroup: a.str('targetRgName'),
      dbName: call.dbName, collectionName: a.str('collectionName'), numReplica: a.num('replicaNum'),
    });
    return empty();
  },
};
