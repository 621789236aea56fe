/** GetReplicas through the Node SDK's getReplicas against the real service + gRPC server. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, type MilvusClient } from '@zilliz/milvus2-sdk-node';
import { startSextant, tempDataDir, type Running } from './harness.js';

let data: Awaited<ReturnType<typeof tempDataDir>>;
let s: Running;
let c: MilvusClient;
let collectionID = '';
const partitionIds = new Map<string, string>();

type St = { error_code?: string | number; code?: number; reason?: string };
const ok = (r: St): void => assert.equal(r.error_code, 'Success', `expected Success, got ${String(r.code)} ${String(r.reason)}`);

before(async () => {
  data = await tempDataDir();
  s = await startSextant(data.dir);
  c = s.client;
  ok(await c.createCollection({
    collection_name: 'reps', shards_num: 2,
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'vec', data_type: DataType.FloatVector, dim: 2 },
    ],
  }));
  ok(await c.createPartition({ collection_name: 'reps', partition_name: 'p1' }));
  ok(await c.createIndex({ collection_name: 'reps', field_name: 'vec', index_type: 'FLAT', metric_type: 'L2' }));
  const d = await c.describeCollection({ collection_name: 'reps' });
  collectionID = String(d.collectionID);
  const parts = await c.showPartitions({ collection_name: 'reps' });
  parts.partition_names.forEach((n, i) => partitionIds.set(n, String(parts.partitionIDs[i])));
});
after(async () => {
  await s.stop();
  assert.deepEqual(s.unexpected, []);
  await data.remove();
});

test('a collection that is not loaded has no replicas (Milvus 2.5+: success, empty list)', async () => {
  const r = await c.getReplicas({ collectionID });
  ok(r.status);
  assert.deepEqual(r.replicas, []);
});

test('an unknown collection id answers 100 collection not found', async () => {
  const r = await c.getReplicas({ collectionID: '424242' });
  assert.equal(r.status.code, 100);
  assert.match(r.status.reason, /collection not found/);
});

test('loading one partition: one replica on node 1 holding only that partition, one shard replica per shard', async () => {
  ok(await c.loadPartitions({ collection_name: 'reps', partition_names: ['p1'] }));
  const r = await c.getReplicas({ collectionID, with_shard_nodes: true });
  ok(r.status);
  assert.equal(r.replicas.length, 1);
  const rep = r.replicas[0];
  assert.ok(rep);
  assert.equal(String(rep.collectionID), collectionID);
  assert.deepEqual(rep.partition_ids.map(String), [partitionIds.get('p1')]);
  assert.deepEqual(rep.node_ids.map(String), ['1']);
  assert.equal(rep.shard_replicas.length, 2);
  for (const sh of rep.shard_replicas) {
    assert.equal(String(sh.leaderID), '1');
    assert.deepEqual(sh.node_ids.map(String), ['1']);
  }
  assert.notEqual(rep.shard_replicas[0]?.dm_channel_name, rep.shard_replicas[1]?.dm_channel_name);
});

test('loading the whole collection lists every partition; release empties the list again', async () => {
  ok(await c.loadCollectionSync({ collection_name: 'reps' }));
  const r = await c.getReplicas({ collectionID });
  ok(r.status);
  assert.deepEqual(r.replicas[0]?.partition_ids.map(String).sort(), [partitionIds.get('_default'), partitionIds.get('p1')].sort());
  assert.deepEqual(r.replicas[0]?.shard_replicas[0]?.node_ids, [], 'shard node ids only with with_shard_nodes');
  ok(await c.releaseCollection({ collection_name: 'reps' }));
  assert.deepEqual((await c.getReplicas({ collectionID })).replicas, []);
});
