/**
 * `GetReplicas` for a single process: a loaded collection has exactly one in-memory replica, served
 * by node 1 (replica id = collection id) in the resource group the service placed it in
 * (service/resource-groups), with one shard replica per shard whose leader is node 1. A collection that is not loaded
 * answers success with no replicas, as Milvus 2.5/2.6 querycoord does (2.3/2.4 answered code 400
 * "replica not found", 2.2 MetaFailed "collection not loaded").
 */
import { errors } from '../../core/errors.js';
import type { MilvusApi } from '../../service/api.js';
import type { CollectionListEntry } from '../../service/types.js';
import { dbNameOf, type CallContext } from './codec/context.js';
import { bool, int64, str, type Wire } from './codec/wire.js';

const NODE_ID = '1';

interface Located { dbName: string; name: string; collectionId: bigint }

/** By name when given (Milvus' proxy resolves it), else by id in the request's database, then in every database. */
async function locate(api: MilvusApi, req: Wire, ctx: CallContext): Promise<Located> {
  const dbName = dbNameOf(req, ctx) ?? 'default';
  const name = str(req['collection_name'], 'collection_name');
  if (name !== '') {
    const d = await api.describeCollection({ dbName, collectionName: name });
    return { dbName, name: d.collectionName, collectionId: d.collectionId };
  }
  const id = int64(req['collectionID'], 'collectionID');
  const byId = (list: CollectionListEntry[]): CollectionListEntry | undefined => list.find((c) => c.collectionId === id);
  const own = byId(await api.listCollections({ dbName }));
  if (own !== undefined) return { dbName, name: own.name, collectionId: id };
  for (const db of await api.listDatabases()) {
    if (db.dbName === dbName) continue;
    const hit = byId(await api.listCollections({ dbName: db.dbName }));
    if (hit !== undefined) return { dbName: db.dbName, name: hit.name, collectionId: id };
  }
  throw errors.collectionNotFound(String(id), dbName);
}

export async function getReplicas(api: MilvusApi, req: Wire, ctx: CallContext): Promise<Wire> {
  const c = await locate(api, req, ctx);
  const replicas = await api.getReplicas({ dbName: c.dbName, collectionName: c.name });
  const withNodes = bool(req['with_shard_nodes']);
  return {
    replicas: replicas.map((r) => {
      const id = String(r.collectionId);
      const nodes = r.nodeIds.map(String);
      const leader = nodes[0] ?? NODE_ID;
      const leaderAddr = r.nodeAddresses?.[0] ?? '';
      const shards: Wire[] = [];
      for (let i = 0; i < r.shardsNum; i++) {
        shards.push({ leaderID: leader, leader_addr: leaderAddr, dm_channel_name: `sextant-dml_${i}_${id}v${i}`, node_ids: withNodes ? nodes : [] });
      }
      return {
        replicaID: String(r.replicaId), collectionID: id, partition_ids: r.partitionIds.map(String),
        shard_replicas: shards, node_ids: nodes, resource_group_name: r.resourceGroup, num_outbound_node: {},
      };
    }),
  };
}
