/**
 * `GetReplicas` for a single process: a loaded collection has exactly one in-memory replica, served
 * by node 1 (replica id = collection id), with one shard replica per shard whose leader is node 1. A collection that is not loaded
 * answers success with no replicas, as Milvus 2.5/2.6 querycoord does (2.3/2.4 answered code 400
 * "replica not found", 2.2 MetaFailed "collection not loaded").
 */
import { errors } from '../../core/errors.js';
import type { MilvusApi } from '../../service/api.js';
import type { CollectionListEntry } from '../../service/types.js';
import { dbNameOf, type CallContext } from './codec/context.js';
import { bool, int64, str, type Wire } from './codec/wire.js';

const NODE_ID = '1';
const RESOURCE_GROUP = '__default_resource_group';

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
  const scoped = { dbName: c.dbName, collectionName: c.name };
  const loaded = (await api.listPartitions(scoped)).filter((p) => p.loadedPercent > 0);
  if (loaded.length === 0) return { replicas: [] };
  const { shardsNum } = await api.describeCollection(scoped);
  const withNodes = bool(req['with_shard_nodes']);
  const id = String(c.collectionId);
  const shards: Wire[] = [];
  for (let i = 0; i < shardsNum; i++) {
    shards.push({
      leaderID: NODE_ID, leader_addr: '', dm_channel_name: `sextant-dml_${i}_${id}v${i}`,
      node_ids: withNodes ? [NODE_ID] : [],
    });
  }
  return {
    replicas: [{
      replicaID: id, collectionID: id, partition_ids: loaded.map((p) => String(p.partitionId)),
      shard_replicas: shards, node_ids: [NODE_ID], resource_group_name: RESOURCE_GROUP, num_outbound_node: {},
    }],
  };
}
