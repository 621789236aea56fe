/**
 * Resource groups and GetMetrics through the Node SDK over gRPC, as a one-node Milvus 2.6 answers
 * them: GetMetrics `system_info` in Milvus' topology shape (one query node, which the default group
 * holds), the SDK Resource spec's flow, every error with Milvus' code and text on the wire, loads
 * placed in a group and reported by GetReplicas, and the groups kept across a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus, totalmem } from 'node:os';
import { DataType, type MilvusClient } from '@zilliz/milvus2-sdk-node';
import { rawClient } from './grpc-client.js';
import { startSextant, tempDataDir } from './harness.js';

const DEF = '__default_resource_group';
const fields = [
  { name: 'id', data_type: DataType.Int64, is_primary_key: true },
  { name: 'v', data_type: DataType.FloatVector, dim: 2 },
];

interface Status { code?: number | undefined; reason: string }
function expectStatus(s: Status, code: number, reason: string | RegExp): void {
  assert.equal(s.code, code, s.reason);
  if (typeof reason === 'string') assert.equal(s.reason, reason);
  else assert.match(s.reason, reason);
}

interface TopologyNode { identifier: number; connected: unknown[]; infos: Record<string, unknown> }
async function topology(c: MilvusClient): Promise<TopologyNode[]> {
  const m = await c.getMetric({ request: { metric_type: 'system_info' } });
  assert.equal(m.status.error_code, 'Success', m.status.reason);
  return (m.response as { nodes_info: TopologyNode[] }).nodes_info;
}

test('GetMetrics system_info: Milvus standalone topology with real hardware values, one query node held by the default group', async () => {
  const tmp = await tempDataDir();
  const s = await startSextant(tmp.dir);
  try {
    const nodes = await topology(s.client);
    const types = nodes.map((n) => n.infos['type']);
    for (const t of ['proxy', 'rootcoord', 'querycoord', 'querynode', 'datacoord', 'datanode']) assert.ok(types.includes(t), `a ${t} is reported`);
    const queryNodes = nodes.filter((n) => n.infos['type'] === 'querynode');
    assert.equal(queryNodes.length, 1);
    for (const n of nodes) {
      const i = n.infos;
      assert.equal(i['has_error'], false);
      assert.equal(i['error_reason'], '');
      assert.equal(i['name'], `${String(i['type'])}1`);
      assert.equal(i['id'], 1);
      assert.match(String(i['created_time']), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$/);
      assert.match(String(i['updated_time']), /^\d{4}-\d\d-\d\d /);
      const hw = i['hardware_infos'] as Record<string, unknown>;
      assert.equal(hw['cpu_core_count'], cpus().length);
      assert.equal(hw['memory'], totalmem());
      assert.ok(Number(hw['memory_usage']) > 0);
      assert.equal((i['system_info'] as Record<string, unknown>)['deploy_mode'], 'STANDALONE');
    }
    assert.equal(new Set(nodes.map((n) => n.identifier)).size, nodes.length, 'identifiers are unique in the graph');
    const d = await s.client.describeResourceGroup({ resource_group: DEF });
    assert.equal(d.resource_group.num_available_node, queryNodes.length);

    const raw = rawClient(s.port);
    try {
      const bad = await raw.call('GetMetrics', { request: JSON.stringify({ metric_type: 'nope' }) });
      assert.equal(bad.status?.['code'], 65535);
      assert.equal(bad.status?.['reason'], 'unsupported metric type: nope');
      const malformed = await raw.call('GetMetrics', { request: '{}' });
      assert.equal(malformed.status?.['reason'], 'metric_type not found in request');
    } finally {
      raw.close();
    }
    assert.deepEqual(s.unexpected, []);
  } finally {
    await s.stop();
    await tmp.remove();
  }
});

test('resource groups over gRPC: validation codes, placement of loads, GetReplicas, TransferReplica, dropAllResourceGroups, restart', { timeout: 120_000 }, async () => {
  const tmp = await tempDataDir();
  let s = await startSextant(tmp.dir);
  try {
    const c = s.client;
    assert.equal((await c.createResourceGroup({ resource_group: 'rg1' })).error_code, 'Success');
    const cfg = {
      requests: { node_num: 0 }, limits: { node_num: 0 }, transfer_from: [{ resource_group: DEF }], transfer_to: [{ resource_group: DEF }],
      node_filter: { node_labels: [{ key: 'env', value: 'test' }] },
    };
    assert.equal((await c.createResourceGroup({ resource_group: 'rg2', config: cfg })).error_code, 'Success');
    const d2 = await c.describeResourceGroup({ resource_group: 'rg2' });
    assert.deepEqual(d2.resource_group.config?.node_filter?.node_labels, [{ key: 'env', value: 'test' }]);
    assert.deepEqual(d2.resource_group.config?.transfer_from, [{ resource_group: DEF }]);
    assert.deepEqual((await c.listResourceGroups()).resource_groups, [DEF, 'rg1', 'rg2']);
    const def = (await c.describeResourceGroup({ resource_group: DEF })).resource_group;
    assert.equal(def.capacity, 1_000_000);
    assert.equal(String(def.nodes?.[0]?.node_id), '1');
    assert.ok((def.nodes?.[0]?.hostname ?? '') !== '');

    expectStatus(await c.createResourceGroup({ resource_group: 'rg1', config: { requests: { node_num: 0 }, limits: { node_num: 2 } } }), 301,
      'resource group already exist, but create with different config[rg=rg1]');
    expectStatus(await c.createResourceGroup({ resource_group: '1x' }), 65535,
      'Invalid resource group name 1x. the first character of a resource group name must be an underscore or letter');
    expectStatus(await c.createResourceGroup({ resource_group: 'rg3', config: { requests: { node_num: 3 }, limits: { node_num: 1 } } }), 303,
      'limits node num should not less than requests node num: resource group illegal config[rg=rg3][config=requests:{node_num:3} limits:{node_num:1}]');
    expectStatus((await c.describeResourceGroup({ resource_group: 'ghost' })).status, 300, 'resource group not found[rg=ghost]');
    expectStatus(await c.dropResourceGroup({ resource_group: DEF }), 1100, /^default resource group is not deletable: invalid parameter/);
    expectStatus(await c.transferNode({ source_resource_group: DEF, target_resource_group: 'rg1', num_node: 2 }), 304,
      'resource group node not enough[rg=__default_resource_group][currentNodeNum=1][expectedNodeNum=2]');

    await c.createCollection({ collection_name: 'c', fields });
    await c.insert({ collection_name: 'c', data: [{ id: 1, v: [1, 0] }, { id: 2, v: [0, 1] }] });
    await c.createIndex({ collection_name: 'c', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
    expectStatus(await c.loadCollectionAsync({ collection_name: 'c', replica_number: 2 }), 304,
      'resource group node not enough[rg=__default_resource_group][currentNodeNum=1][expectedNodeNum=2]');
    expectStatus(await c.loadCollectionAsync({ collection_name: 'c', resource_groups: ['ghost'] }), 300, 'resource group not found[rg=ghost]');

    assert.equal((await c.transferNode({ source_resource_group: DEF, target_resource_group: 'rg1', num_node: 1 })).error_code, 'Success');
    assert.equal((await c.describeResourceGroup({ resource_group: 'rg1' })).resource_group.num_available_node, 1);
    expectStatus(await c.loadCollectionAsync({ collection_name: 'c' }), 304, 'resource group node not enough[rg=__default_resource_group][currentNodeNum=0][expectedNodeNum=1]');
    await c.loadCollectionSync({ collection_name: 'c', resource_groups: ['rg1'] });
    const { collectionID } = await c.describeCollection({ collection_name: 'c' });
    const reps = await c.getReplicas({ collectionID });
    assert.equal(reps.replicas[0]?.resource_group_name, 'rg1');
    assert.deepEqual((await c.describeResourceGroup({ resource_group: 'rg1' })).resource_group.num_loaded_replica, { c: 1 });
    expectStatus(await c.transferReplica({ source_resource_group: 'rg1', target_resource_group: 'rg1', collection_name: 'c', num_replica: 1 }), 1100,
      'source resource group and target resource group should not be the same, resource group: rg1: invalid parameter');
    assert.equal((await c.transferReplica({ source_resource_group: 'rg1', target_resource_group: 'rg2', collection_name: 'c', num_replica: 1 })).error_code, 'Success');
    assert.equal((await c.getReplicas({ collectionID })).replicas[0]?.resource_group_name, 'rg2');
    expectStatus(await c.dropResourceGroup({ resource_group: 'rg2' }), 1100, /^some replicas still loaded in resource group\[rg2\], release it first/);

    await s.stop();
    s = await startSextant(tmp.dir);
    assert.deepEqual((await s.client.listResourceGroups()).resource_groups, [DEF, 'rg1', 'rg2']);
    assert.equal((await s.client.describeResourceGroup({ resource_group: 'rg1' })).resource_group.num_available_node, 1, 'node placement survives a restart');
    assert.equal((await s.client.getReplicas({ collectionID })).replicas[0]?.resource_group_name, 'rg2', 'replica placement survives a restart');
    await s.client.releaseCollection({ collection_name: 'c' });
    const dropped = await s.client.dropAllResourceGroups();
    assert.deepEqual(dropped.map((r) => r.error_code), ['Success', 'Success']);
    assert.deepEqual((await s.client.listResourceGroups()).resource_groups, [DEF]);
    assert.equal((await s.client.describeResourceGroup({ resource_group: DEF })).resource_group.num_available_node, 1);
    assert.deepEqual(s.unexpected, []);
  } finally {
    await s.stop();
    await tmp.remove();
  }
});
