/**
 * Resource groups with the Node SDK's method names and shapes (`createResourceGroup`, ...,
 * `dropAllResourceGroups`, which the SDK composes on the client: every group but the default one
 * gives its nodes back to the default group and is dropped).
 */
import type * as Sdk from '@zilliz/milvus2-sdk-node';
import type { ResourceGroupConfig, ResourceGroupConfigInput, ResourceGroupDescription } from '../service/resource-groups/types.js';
import { DEFAULT_RESOURCE_GROUP } from '../service/resource-groups/types.js';
import { dbOf, type ClientContext, requireCollectionName } from './context.js';
import { answer, type ResStatus, statusOf } from './status.js';

type SdkConfig = NonNullable<Sdk.CreateResourceGroupReq['config']>;
export type SdkResourceGroup = Sdk.DescribeResourceGroupResponse['resource_group'];

function configIn(c: SdkConfig): ResourceGroupConfigInput {
  const out: ResourceGroupConfigInput = {
    requests: c.requests === undefined ? undefined : { nodeNum: c.requests.node_num },
    limits: c.limits === undefined ? undefined : { nodeNum: c.limits.node_num },
    transferFrom: (c.transfer_from ?? []).map((t) => t.resource_group),
    transferTo: (c.transfer_to ?? []).map((t) => t.resource_group),
  };
  if (c.node_filter !== undefined) out.nodeFilter = { nodeLabels: c.node_filter.node_labels.map((l) => ({ key: l.key, value: String(l.value) })) };
  return out;
}

function configOut(c: ResourceGroupConfig): SdkConfig {
  return {
    requests: { node_num: c.requests.nodeNum }, limits: { node_num: c.limits.nodeNum },
    transfer_from: c.transferFrom.map((resource_group) => ({ resource_group })),
    transfer_to: c.transferTo.map((resource_group) => ({ resource_group })),
    node_filter: { node_labels: c.nodeFilter.nodeLabels.map((l) => ({ key: l.key, value: l.value })) },
  };
}

function groupOut(d: ResourceGroupDescription): SdkResourceGroup {
  return {
    name: d.name, capacity: d.capacity, num_available_node: d.numAvailableNode, num_loaded_replica: d.numLoadedReplica,
    num_outgoing_node: d.numOutgoingNode, num_incoming_node: d.numIncomingNode, config: configOut(d.config),
    nodes: d.nodes.map((n) => ({ node_id: n.nodeId, address: n.address, hostname: n.hostname })),
  };
}

const emptyGroup = (): SdkResourceGroup => ({ name: '', capacity: 0, num_available_node: 0, num_loaded_replica: {}, num_outgoing_node: {}, num_incoming_node: {}, nodes: [] });

export function createResourceGroup(ctx: ClientContext, req: Sdk.CreateResourceGroupReq): Promise<ResStatus> {
  return statusOf(() => ctx.service.createResourceGroup({ resourceGroup: req.resource_group, ...(req.config !== undefined ? { config: configIn(req.config) } : {}) }));
}

export function listResourceGroups(ctx: ClientContext): Promise<{ status: ResStatus; resource_groups: string[] }> {
  return answer(async () => ({ resource_groups: await ctx.service.listResourceGroups() }), () => ({ resource_groups: [] }));
}

export function describeResourceGroup(ctx: ClientContext, req: Sdk.DescribeResourceGroupsReq): Promise<{ status: ResStatus; resource_group: SdkResourceGroup }> {
  return answer(async () => ({ resource_group: groupOut(await ctx.service.describeResourceGroup({ resourceGroup: req.resource_group })) }),
    () => ({ resource_group: emptyGroup() }));
}

export function updateResourceGroups(ctx: ClientContext, req: Sdk.UpdateRresourceGroupReq): Promise<ResStatus> {
  const resourceGroups: Record<string, ResourceGroupConfigInput> = {};
  for (const [name, c] of Object.entries(req.resource_groups)) resourceGroups[name] = configIn(c);
  return statusOf(() => ctx.service.updateResourceGroups({ resourceGroups }));
}

export function dropResourceGroup(ctx: ClientContext, req: Sdk.DropResourceGroupsReq): Promise<ResStatus> {
  return statusOf(() => ctx.service.dropResourceGroup({ resourceGroup: req.resource_group }));
}

export function transferNode(ctx: ClientContext, req: Sdk.TransferNodeReq): Promise<ResStatus> {
  return statusOf(() => ctx.service.transferNode({ sourceResourceGroup: req.source_resource_group, targetResourceGroup: req.target_resource_group, numNode: req.num_node }));
}

export function transferReplica(ctx: ClientContext, req: Sdk.TransferReplicaReq): Promise<ResStatus> {
  const collectionName = requireCollectionName(req);
  return statusOf(() => ctx.service.transferReplica({
    sourceResourceGroup: req.source_resource_group, targetResourceGroup: req.target_resource_group,
    dbName: dbOf(ctx, req), collectionName, numReplica: req.num_replica,
  }));
}

/** The SDK's client-side helper, step for step. */
export async function dropAllResourceGroups(ctx: ClientContext): Promise<ResStatus[]> {
  const { resource_groups } = await listResourceGroups(ctx);
  const out: ResStatus[] = [];
  for (const name of resource_groups) {
    if (name === DEFAULT_RESOURCE_GROUP) continue;
    const detail = await describeResourceGroup(ctx, { resource_group: name });
    if (detail.resource_group.capacity > 0) {
      await transferNode(ctx, { source_resource_group: name, target_resource_group: DEFAULT_RESOURCE_GROUP, num_node: detail.resource_group.capacity });
    }
    out.push(await dropResourceGroup(ctx, { resource_group: name }));
  }
  return out;
}
