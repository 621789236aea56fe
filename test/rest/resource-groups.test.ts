/** REST v2 `resource_groups/*` with plain fetch, in Milvus' JSON shapes, on a real server. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { okData, startRest, type RestHarness } from './helpers.js';

let h: RestHarness;
before(async () => { h = await startRest(); });
after(async () => {
  await h.stop();
  assert.deepEqual(h.unexpected, []);
});

const DEF = '__default_resource_group';

test('create, list, describe, alter, transfer_replica and drop answer as Milvus, errors with its codes', async () => {
  okData(await h.v2('collections/create', { collectionName: 'c', dimension: 2 })); // quick create loads it into the default group
  okData(await h.v2('resource_groups/create', { name: 'rg1', config: { requests: { node_num: 0 }, limits: { node_num: 0 } } }));
  okData(await h.v2('resource_groups/create', {
    name: 'rg2', config: { requests: { node_num: 0 }, limits: { node_num: 1 }, transfer_from: [{ resource_group: DEF }], node_filter: { node_labels: { env: 'test' } } },
  }));
  assert.deepEqual(okData(await h.v2('resource_groups/list', {})), [DEF, 'rg1', 'rg2']);
  const d = okData(await h.v2('resource_groups/describe', { name: 'rg2' })) as { resource_group: Record<string, unknown> };
  assert.equal(d.resource_group['name'], 'rg2');
  assert.equal(d.resource_group['num_available_node'], 0);
  assert.deepEqual(d.resource_group['config'], {
    requests: { node_num: 0 }, limits: { node_num: 1 }, transfer_from: [{ resource_group: DEF }], transfer_to: [],
    node_filter: { node_labels: [{ key: 'env', value: 'test' }] },
  });
  const def = okData(await h.v2('resource_groups/describe', { name: DEF })) as { resource_group: Record<string, unknown> };
  assert.equal(def.resource_group['capacity'], 1_000_000);
  assert.equal(def.resource_group['num_available_node'], 1);

  const missing = await h.v2('resource_groups/describe', { name: 'ghost' });
  assert.equal(missing.code, 300);
  assert.equal(missing.message, 'resource group not found[rg=ghost]');
  const illegal = await h.v2('resource_groups/alter', { resource_groups: { rg1: { requests: { node_num: 2 }, limits: { node_num: 1 } } } });
  assert.equal(illegal.code, 303);
  assert.match(illegal.message ?? '', /^limits node num should not less than requests node num: resource group illegal config\[rg=rg1\]/);
  okData(await h.v2('resource_groups/alter', { resource_groups: { rg1: { requests: { node_num: 1 }, limits: { node_num: 1 } } } }));
  const rg1 = okData(await h.v2('resource_groups/describe', { name: 'rg1' })) as { resource_group: Record<string, unknown> };
  assert.equal(rg1.resource_group['num_available_node'], 1, 'rg1 requests a node and takes it from the default group');

  const none = await h.v2('resource_groups/transfer_replica', { sourceRgName: 'rg1', targetRgName: 'rg2', collectionName: 'c', replicaNum: 1 });
  assert.equal(none.code, 1100);
  assert.match(none.message ?? '', /^invalid parameter\[expected=NumReplica not greater than the number of replica in source resource group\]/);
  const sameRg = await h.v2('resource_groups/transfer_replica', { sourceRgName: 'rg1', targetRgName: 'rg1', collectionName: 'c', replicaNum: 1 });
  assert.equal(sameRg.code, 1100);
  okData(await h.v2('resource_groups/transfer_replica', { sourceRgName: DEF, targetRgName: 'rg2', collectionName: 'c', replicaNum: 1 }));
  const moved = okData(await h.v2('resource_groups/describe', { name: 'rg2' })) as { resource_group: Record<string, unknown> };
  assert.deepEqual(moved.resource_group['num_loaded_replica'], { c: 1 });
  const held = await h.v2('resource_groups/drop', { name: 'rg2' });
  assert.equal(held.code, 1100);
  assert.match(held.message ?? '', /^some replicas still loaded in resource group\[rg2\]/);
  okData(await h.v2('collections/release', { collectionName: 'c' }));

  const dropDefault = await h.v2('resource_groups/drop', { name: DEF });
  assert.equal(dropDefault.code, 1100);
  assert.match(dropDefault.message ?? '', /^default resource group is not deletable/);
  okData(await h.v2('resource_groups/alter', { resource_groups: { rg1: { requests: { node_num: 0 }, limits: { node_num: 0 } } } }));
  okData(await h.v2('resource_groups/drop', { name: 'rg1' }));
  const usedBy = await h.v2('resource_groups/drop', { name: 'rg2' });
  assert.equal(usedBy.code, 1100, 'rg2 still has limits 1');
  okData(await h.v2('resource_groups/alter', { resource_groups: { rg2: { requests: { node_num: 0 }, limits: { node_num: 0 } } } }));
  okData(await h.v2('resource_groups/drop', { name: 'rg2' }));
  assert.deepEqual(okData(await h.v2('resource_groups/list', {})), [DEF]);
});
