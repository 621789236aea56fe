/**
 * Resource groups across a cluster (issue #14): etcd, 3 nats-servers, s3rver, a writer, a standby
 * writer and two `--role query` nodes. Through the Node SDK: a query node started with
 * `--resource-group rg1` joins rg1; TransferNode moves the other query node into rg2 (Milvus'
 * checks first); LoadCollection with replica_number 1 into rg2 places the replica on that node
 * (more replicas than rg2 holds: 304); DescribeResourceGroup reports the nodes and the loaded
 * replicas. kill -9 of the writer: the standby serves the same groups, nodes and replica id (they
 * live in etcd). kill -9 of rg2's query node: it leaves rg2, which takes rg1's node (rg2 requests
 * one node, rg1 none), and the replica is served there again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsistencyLevelEnum, DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { clusterRun, startNode, waitOutput, type SextantNode } from './nodes.js';

const run = clusterRun('sextant-rgroups-');
const DEFAULT_RG = '__default_resource_group';

function connect(node: SextantNode): MilvusClient {
  const client = new MilvusClient({ address: `127.0.0.1:${node.port}`, logLevel: 'error', timeout: 60_000 });
  run.clients.push(client);
  return client;
}

async function serve(id: string, role: 'writer' | 'query', env: Record<string, string> = {}): Promise<{ node: SextantNode; client: MilvusClient; addr: string }> {
  const node = await startNode(run.cluster, id, { dataSet: 'rg', leaseTtlSec: 3, dir: run.dir, extraEnv: { SEXTANT_ROLE: role, ...env } });
  run.procs.push(node);
  await waitOutput(node, /serving Milvus gRPC/, 60_000);
  return { node, client: connect(node), addr: `127.0.0.1:${node.port}` };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const v = await probe().catch((e: unknown) => { last = e; return undefined; });
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}${last === undefined ? '' : ` (${String(last)})`}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const ok = (r: { error_code?: string | number; reason?: string }, what: string) => assert.equal(r.error_code, 'Success', `${what}: ${JSON.stringify(r)}`);
const refused = (r: { error_code?: string | number; reason?: string }, re: RegExp, what: string) => {
  assert.notEqual(r.error_code, 'Success', `${what} must be refused`);
  assert.match(r.reason ?? '', re, what);
};

interface Described { addrs: string[]; available: number; loaded: Record<string, number>; requests: number; limits: number }

async function describe(c: MilvusClient, rg: string): Promise<Described> {
  const r = await c.describeResourceGroup({ resource_group: rg });
  ok(r.status, `describe ${rg}`);
  const g = r.resource_group;
  return {
    addrs: (g.nodes ?? []).map((n) => n.address).sort(), available: g.num_available_node,
    loaded: Object.fromEntries(Object.entries(g.num_loaded_replica ?? {}).map(([k, v]) => [k, Number(v)])),
    requests: Number(g.config?.requests?.node_num ?? 0), limits: Number(g.config?.limits?.node_num ?? 0),
  };
}

test('resource groups in a cluster: --resource-group, TransferNode, load into a group, failover, a dead query node', { timeout: 170_000 }, async (t) => {
  const w1 = await serve('writer-1', 'writer');
  const w2 = await startNode(run.cluster, 'writer-2', { dataSet: 'rg', leaseTtlSec: 3, dir: run.dir, extraEnv: { SEXTANT_ROLE: 'writer' } });
  run.procs.push(w2);
  await waitOutput(w2, /standby for data set rg/, 60_000);
  const q1 = await serve('q1', 'query');
  const cw = w1.client;
  ok(await cw.createCollection({ collection_name: 'c', fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'v', data_type: DataType.FloatVector, dim: 4 },
  ] }), 'create');
  ok((await cw.insert({ collection_name: 'c', data: Array.from({ length: 100 }, (_, k) => ({ id: k, v: [k, 1, 2, 3] })) })).status, 'insert');
  ok((await cw.flushSync({ collection_names: ['c'] })).status, 'flush');
  ok(await cw.createIndex({ collection_name: 'c', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }), 'index');

  // A query node started with --resource-group rg1 joins rg1 (it exists and has room below its limit).
  ok(await cw.createResourceGroup({ resource_group: 'rg1', config: { requests: { node_num: 0 }, limits: { node_num: 1 } } } as never), 'create rg1');
  const q2 = await serve('q2', 'query', { SEXTANT_RESOURCE_GROUP: 'rg1' });
  await until('q2 in rg1, q1 in the default group', async () => {
    const [rg1, def] = [await describe(cw, 'rg1'), await describe(cw, DEFAULT_RG)];
    return rg1.addrs.join() === q2.addr && def.addrs.join() === q1.addr ? true : undefined;
  }, 20_000);

  // TransferNode: Milvus' checks, then q1 into rg2 (its requests and limits follow).
  ok(await cw.createResourceGroup({ resource_group: 'rg2' }), 'create rg2');
  const transfer = (from: string, to: string, n: number) => cw.transferNode({ source_resource_group: from, target_resource_group: to, num_node: n } as never);
  refused(await transfer(DEFAULT_RG, 'rg2', 2), /resource group node not enough\[rg=__default_resource_group\]\[currentNodeNum=1\]\[expectedNodeNum=2\]/, 'two nodes from a group of one');
  refused(await transfer(DEFAULT_RG, 'nope', 1), /resource group not found\[rg=nope\]/, 'unknown target');
  refused(await transfer('rg2', 'rg2', 1), /should not be the same/, 'same groups');
  ok(await transfer(DEFAULT_RG, 'rg2', 1), 'transfer q1 to rg2');
  const rg2 = await describe(cw, 'rg2');
  t.diagnostic(`after TransferNode: rg2 ${JSON.stringify(rg2)}, default ${JSON.stringify(await describe(cw, DEFAULT_RG))}`);
  assert.deepEqual([rg2.addrs, rg2.available, rg2.requests, rg2.limits], [[q1.addr], 1, 1, 1]);
  assert.deepEqual((await describe(cw, DEFAULT_RG)).addrs, []);

  // Load into rg2: the replica goes to q1; two replicas do not fit rg2's one node.
  await assert.rejects(cw.loadCollection({ collection_name: 'c', replica_number: 2, resource_groups: ['rg2'] } as never),
    /resource group node not enough\[rg=rg2\]\[currentNodeNum=1\]\[expectedNodeNum=2\]/, 'two replicas in rg2');
  ok(await cw.loadCollection({ collection_name: 'c', replica_number: 1, resource_groups: ['rg2'] } as never), 'load into rg2');
  await until('loaded', async () => ((await cw.getLoadState({ collection_name: 'c' })).state === 'LoadStateLoaded' ? true : undefined), 60_000);
  const collectionID = (await cw.describeCollection({ collection_name: 'c' })).collectionID;
  const replicas = async (c: MilvusClient) => (await c.getReplicas({ collectionID })).replicas.map((r) => ({
    id: String(r.replicaID), group: r.resource_group_name, addr: r.shard_replicas[0]?.leader_addr ?? '',
  }));
  const before = await replicas(cw);
  t.diagnostic(`replicas: ${JSON.stringify(before)}`);
  assert.equal(before.length, 1);
  assert.deepEqual([before[0]?.group, before[0]?.addr], ['rg2', q1.addr]);
  assert.deepEqual((await describe(cw, 'rg2')).loaded, { c: 1 });
  assert.deepEqual((await describe(cw, 'rg1')).loaded, {});
  const count = async (c: MilvusClient) => {
    const r = await c.query({ collection_name: 'c', filter: '', output_fields: ['count(*)'], consistency_level: ConsistencyLevelEnum.Strong });
    return r.status.error_code === 'Success' ? Number(r.data[0]?.['count(*)']) : r.status.reason;
  };
  assert.equal(await count(q1.client), 100, 'rg2 node serves the replica');
  assert.match(String(await count(q2.client)), /not loaded/, 'rg1 node holds no replica');

  // kill -9 of the writer: the standby serves the same groups, nodes and replica (they live in etcd).
  w1.node.proc.kill('SIGKILL');
  await waitOutput(w2, /serving Milvus gRPC/, 60_000);
  const cs = connect(w2);
  const groups = await until('the standby answers', async () => {
    const r = await cs.listResourceGroups();
    return r.status.error_code === 'Success' ? r.resource_groups : undefined;
  }, 30_000);
  assert.deepEqual([...groups].sort(), [DEFAULT_RG, 'rg1', 'rg2']);
  assert.deepEqual(await describe(cs, 'rg2'), { addrs: [q1.addr], available: 1, loaded: { c: 1 }, requests: 1, limits: 1 });
  assert.deepEqual((await describe(cs, 'rg1')).addrs, [q2.addr]);
  assert.deepEqual(await replicas(cs), before, 'the same replica id, group and node after the failover');

  // kill -9 of q1: it leaves rg2, which takes q2 from rg1 (rg2 requests a node, rg1 none); the replica follows.
  q1.node.proc.kill('SIGKILL');
  const moved = await until('rg2 holds q2', async () => {
    const d = await describe(cs, 'rg2');
    return d.addrs.join() === q2.addr ? d : undefined;
  }, 30_000);
  assert.deepEqual([moved.loaded, (await describe(cs, 'rg1')).addrs], [{ c: 1 }, []]);
  await until('the replica loaded on q2', async () => ((await cs.getLoadState({ collection_name: 'c' })).state === 'LoadStateLoaded'
    && (await replicas(cs))[0]?.addr === q2.addr ? true : undefined), 60_000);
  assert.equal((await replicas(cs))[0]?.id, before[0]?.id, 'the replica keeps its id');
  assert.equal(await count(q2.client), 100, 'q2 serves the replica');
});
