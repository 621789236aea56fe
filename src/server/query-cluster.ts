/**
 * The service's view of the query nodes (service/cluster.ts `QueryNodeView`) over etcd: the node
 * registry (`storage/dist/etcd-nodes.ts`, role `query`), the replica numbers and the load reports
 * (`storage/dist/etcd-placement.ts`). The writer and every query node use the same view.
 */
import type { Etcd3 } from 'etcd3';
import { listNodes } from '../storage/dist/etcd-nodes.js';
import { EtcdPlacement, type NodeLoadReport } from '../storage/dist/etcd-placement.js';
import type { QueryNodeInfo, QueryNodeView } from '../service/cluster.js';
import { DEFAULT_RESOURCE_GROUP } from '../service/resource-groups/types.js';

export class EtcdQueryNodes implements QueryNodeView {
  readonly placement: EtcdPlacement;

  constructor(private readonly client: Etcd3, cluster: string) {
    this.placement = new EtcdPlacement(client, { cluster });
  }

  async queryNodes(): Promise<QueryNodeInfo[]> {
    const nodes = await listNodes(this.client);
    return nodes.filter((n) => n.role === 'query').map((n) => ({ id: n.id, endpoint: n.endpoint }));
  }

  /** The replicas placed on query nodes: those of the default resource group (every query node is in it). */
  async replicaNumbers(): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (const [id, groups] of await this.replicaGroups()) out.set(id, groups[DEFAULT_RESOURCE_GROUP] ?? 0);
    return out;
  }

  replicaGroups(): Promise<Map<number, Record<string, number>>> {
    return this.placement.replicaGroups(DEFAULT_RESOURCE_GROUP);
  }

  setReplicaGroups(collectionId: number, groups: Record<string, number> | null): Promise<void> {
    return this.placement.setReplicaGroups(collectionId, groups);
  }

  loadReports(): Promise<Map<string, NodeLoadReport>> {
    return this.placement.loadReports();
  }
}
