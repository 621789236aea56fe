/**
 * Replicas on query nodes beyond LoadCollection (issue #14): etcd, 3 nats-servers, s3rver, one
 * writer and two `--role query` nodes. Through the Node SDK: LoadPartitions' replica_number places
 * the partitions' replicas on distinct query nodes (more replicas than nodes: Milvus' 304); a
 * loaded collection keeps its replica number (Milvus' "can't change the replica number"); a second
 * partition joins both replicas; TransferReplica answers Milvus' checks and moves a replica to a
 * resource group with no query node and back, and GetReplicas shows where each replica is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsistencyLevelEnum, DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { clusterRun, startNode, waitOutput } from './nodes.js';

const run = clusterRun('sextant-qreplicas-');
const DIM = 4;
const DEFAULT_RG = '__default_resource_group';

async function serve(id: string, role: 'writer' | 'query'): Promise<{ port: number; client: MilvusClient }> {
  const node = await startNode(run.cluster, id, { dataSet: 'qr', leaseTtlSec: 3, dir: run.dir, extraEnv: { SEXTANT_ROLE: role } });
  run.procs.push(node);
  await waitOutput(node, /serving Milvus gRPC/, 60_000);
  const client = new MilvusClient({ address: `127.0.0.1:${node.port}`, logLevel: 'error', timeout: 60_000 });
  run.clients.push(client);
  return { port: node.port, client };
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => ({ id: from + k, v: [from + k, 1, 2, 3] }));
const ok = (r: { error_code?: string | number; code?: number; reason?: string }, what: string) =>
  assert.ok(r.error_code === 'Success' || r.code === 0, `${what}: ${JSON.stringify(r)}`);
const refused = (r: { error_code?: string | number; reason?: string }, re: RegExp, what: string) => {
  assert.notEqual(r.error_code, 'Success', `${what} must be refused`);
  assert.match(r.reason ?? '', re, what);
};

test('query nodes: replica_number on LoadPartitions, TransferReplica, GetReplicas', { timeout: 150_000 }, async (t) => {
  const w = await serve('writer-1', 'writer');
  const qs = [await serve('q1', 'query'), await serve('q2', 'query')];
  const cw = w.client;
  ok(await cw.createCollection({ collection_name: 'c', fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'v', data_type: DataType.FloatVector, dim: DIM },
  ] }), 'create');
  for (const p of ['p1', 'p2']) ok(await cw.createPartition({ collection_name: 'c', partition_name: p }), `partition ${p}`);
  ok((await cw.insert({ collection_name: 'c', partition_name: 'p1', data: rows(0, 100) })).status, 'insert p1');
  ok((await cw.insert({ collection_name: 'c', partition_name: 'p2', data: rows(100, 150) })).status, 'insert p2');
  ok((await cw.flushSync({ collection_names: ['c'] })).status, 'flush');
  ok(await cw.createIndex({ collection_name: 'c', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }), 'index');
  const collectionID = (await cw.describeCollection({ collection_name: 'c' })).collectionID;
  const partitionId = async (name: string) => String((await cw.showPartitions({ collection_name: 'c' })).data.find((p) => p.name === name)?.id);
  const replicas = async () => (await cw.getReplicas({ collectionID })).replicas;
  const loaded = async (names: string[]) => (await cw.getLoadState({ collection_name: 'c', partition_names: names })).state === 'LoadStateLoaded';
  const count = async (c: MilvusClient, names: string[]) => Number((await c.query({ collection_name: 'c', filter: '', partition_names: names,
    output_fields: ['count(*)'], consistency_level: ConsistencyLevelEnum.Strong })).data[0]?.['count(*)']);
  const addrs = qs.map((q) => `127.0.0.1:${q.port}`).sort();

  refused(await cw.loadPartitions({ collection_name: 'c', partition_names: ['p1'], replica_number: 3 }),
    /resource group node not enough\[rg=__default_resource_group\]\[currentNodeNum=2\]\[expectedNodeNum=3\]/, 'LoadPartitions with 3 replicas on 2 nodes');
  ok(await cw.loadPartitions({ collection_name: 'c', partition_names: ['p1'], replica_number: 2 }), 'load p1 with 2 replicas');
  await until('p1 loaded on both replicas', () => loaded(['p1']), 60_000);
  const two = await replicas();
  t.diagnostic(`p1 replicas: ${JSON.stringify(two.map((r) => [r.resource_group_name, r.node_ids.map(String), r.shard_replicas[0]?.leader_addr]))}`);
  assert.equal(two.length, 2);
  assert.deepEqual(two.map((r) => r.shard_replicas[0]?.leader_addr ?? '').sort(), addrs, 'one replica on each query node');
  assert.equal(new Set(two.flatMap((r) => r.node_ids.map(String))).size, 2, 'two distinct node ids');
  const p1 = await partitionId('p1');
  for (const r of two) { assert.deepEqual(r.partition_ids.map(String), [p1]); assert.equal(r.resource_group_name, DEFAULT_RG); }
  for (const q of qs) assert.equal(await count(q.client, ['p1']), 100, 'p1 on each query node');

  refused(await cw.loadPartitions({ collection_name: 'c', partition_names: ['p2'], replica_number: 1 }),
    /can't change the replica number for loaded partitions/, 'LoadPartitions with another replica number');
  refused(await cw.loadPartitions({ collection_name: 'c', partition_names: ['p2'], replica_number: 2, resource_groups: ['rg1'] } as never),
    /can't change the resource groups for loaded partitions/, 'LoadPartitions naming another resource group');
  ok(await cw.loadPartitions({ collection_name: 'c', partition_names: ['p2'], replica_number: 2 }), 'load p2 into the same 2 replicas');
  await until('p1 and p2 loaded on both replicas', async () => (await loaded(['p1', 'p2'])) && (await replicas()).every((r) => r.partition_ids.length === 2), 60_000);
  for (const q of qs) assert.equal(await count(q.client, []), 150, 'both partitions on each query node');
  await assert.rejects(cw.loadCollection({ collection_name: 'c', replica_number: 1 }), /can't change the replica number for loaded collection/);

  // TransferReplica: Milvus' checks, then one replica to a group with no query node, and back.
  ok(await cw.createResourceGroup({ resource_group: 'rg1' }), 'create rg1');
  const transfer = (from: string, to: string, n: number) => cw.transferReplica({ source_resource_group: from, target_resource_group: to, collection_name: 'c', num_replica: n } as never);
  refused(await transfer(DEFAULT_RG, 'nope', 1), /the target resource group\[nope\] doesn't exist/, 'unknown target');
  refused(await transfer(DEFAULT_RG, DEFAULT_RG, 1), /should not be the same/, 'same groups');
  refused(await transfer(DEFAULT_RG, 'rg1', 3), /only found \[2\] replicas of collection \[\d+\] in source resource group \[__default_resource_group\], but 3 require/, 'too many');
  refused(await transfer('rg1', DEFAULT_RG, 1), /only found \[0\] replicas/, 'none in rg1');
  ok(await transfer(DEFAULT_RG, 'rg1', 1), 'transfer one replica to rg1');
  const moved = await replicas();
  t.diagnostic(`after transfer: ${JSON.stringify(moved.map((r) => [r.resource_group_name, r.node_ids.map(String)]))}`);
  assert.deepEqual(moved.map((r) => r.resource_group_name).sort(), [DEFAULT_RG, 'rg1']);
  assert.equal(moved.find((r) => r.resource_group_name === DEFAULT_RG)?.node_ids.length, 1, 'the default group replica keeps a query node');
  assert.equal(moved.find((r) => r.resource_group_name === 'rg1')?.node_ids.length, 0, 'rg1 has no query node');
  assert.ok(await loaded(['p1', 'p2']));
  // The query node that lost its replica releases the collection (its reads answer "not loaded").
  const holder = moved.find((r) => r.resource_group_name === DEFAULT_RG)?.shard_replicas[0]?.leader_addr;
  const released = qs.find((q) => `127.0.0.1:${q.port}` !== holder);
  assert.ok(released !== undefined && holder !== undefined && addrs.includes(holder));
  await until('the other query node released its replica', async () => {
    const r = await released.client.query({ collection_name: 'c', filter: '', output_fields: ['count(*)'] }).catch((e: unknown) => ({ status: { code: -1, reason: String(e) } }));
    return r.status.code !== 0 && /not loaded/.test(r.status.reason);
  }, 30_000);

  ok(await transfer('rg1', DEFAULT_RG, 1), 'transfer it back');
  await until('both replicas back on distinct query nodes and loaded', async () => {
    const back = await replicas();
    return back.length === 2 && back.every((r) => r.resource_group_name === DEFAULT_RG)
      && back.map((r) => r.shard_replicas[0]?.leader_addr ?? '').sort().join() === addrs.join() && (await loaded(['p1', 'p2']));
  }, 60_000);
  for (const q of qs) assert.equal(await count(q.client, []), 150, 'both partitions on each query node after the transfers');

  // A release answers once the query nodes dropped what it released, as Milvus's does: a Bounded
  // read sent right after it finds the partition released (it used to be served from the node's
  // catalog of a moment before).
  ok(await cw.releasePartitions({ collection_name: 'c', partition_names: ['p1'] }), 'release p1');
  for (const q of qs) {
    const r = await q.client.query({ collection_name: 'c', filter: '', partition_names: ['p1'], output_fields: ['count(*)'], consistency_level: ConsistencyLevelEnum.Bounded });
    t.diagnostic(`read of p1 on ${q.port} right after its release: ${JSON.stringify(r.status)}`);
    assert.notEqual(r.status.code, 0, `p1 read on query node ${q.port} right after its release`);
    assert.equal(await count(q.client, ['p2']), 50, 'p2 stays loaded');
  }
  ok(await cw.releasePartitions({ collection_name: 'c', partition_names: ['p1', 'p2'] }), 'release');
  assert.deepEqual(await replicas(), []);
  ok(await cw.loadPartitions({ collection_name: 'c', partition_names: ['p2'], replica_number: 1 }), 'a released collection takes a new replica number');
  await until('p2 loaded on one replica', async () => (await loaded(['p2'])) && (await replicas()).length === 1, 60_000);
});
