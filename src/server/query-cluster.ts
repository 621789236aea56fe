/**
 * The service's view of the query nodes (service/cluster.ts `QueryNodeView`) over etcd: the node
 * registry (`storage/dist/etcd-nodes.ts`, role `query`, with the resource group each asked for at
 * start), the replica records and the load reports (`storage/dist/etcd-placement.ts`). The writer
 * and every query node use the same view.
 */
import type { Etcd3 } from 'etcd3';
import { listNodes } from '../storage/dist/etcd-nodes.js';
import { EtcdPlacement, numericNodeId, type NodeLoadReport, type ReplicaRecord } from '../storage/dist/etcd-placement.js';
import type { QueryNodeInfo, QueryNodeView } from '../service/cluster.js';
import { DEFAULT_RESOURCE_GROUP } from '../service/resource-groups/types.js';

export class EtcdQueryNodes implements QueryNodeView {
  readonly placement: EtcdPlacement;

  constructor(private readonly client: Etcd3, cluster: string) {
    this.placement = new EtcdPlacement(client, { cluster });
  }

  async queryNodes(): Promise<QueryNodeInfo[]> {
    const nodes = await listNodes(this.client);
    return nodes.filter((n) => n.role === 'query').map((n) => ({ id: n.id, endpoint: n.endpoint, resourceGroup: n.resourceGroup }));
  }

  numericId(id: string): number {
    return numericNodeId(id);
  }

  replicas(): Promise<Map<number, ReplicaRecord[]>> {
    return this.placement.replicaRecords(DEFAULT_RESOURCE_GROUP);
  }

  setReplicas(collectionId: number, replicas: readonly ReplicaRecord[] | null): Promise<void> {
    return this.placement.setReplicas(collectionId, replicas);
  }

  loadReports(): Promise<Map<string, NodeLoadReport>> {
    return this.placement.loadReports();
  }
}
