/** The embedded client's resource group methods: the Node SDK Resource spec's flow, with the SDK's shapes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open } from '../../src/client/index.js';
import { withTempDir } from '../support/tmp.js';

const DEF = '__default_resource_group';

test('createResourceGroup / list / describe / transferReplica / dropAllResourceGroups as the SDK answers them', async () => {
  await withTempDir(async (dir) => {
    const client = await open(dir);
    try {
      assert.equal((await client.createResourceGroup({ resource_group: 'rg1' })).error_code, 'Success');
      const r2 = await client.createResourceGroup({
        resource_group: 'rg2',
        config: { requests: { node_num: 0 }, limits: { node_num: 0 }, transfer_from: [{ resource_group: DEF }], node_filter: { node_labels: [{ key: 'env', value: 'test' }] } },
      });
      assert.equal(r2.error_code, 'Success');
      assert.deepEqual((await client.listResourceGroups()).resource_groups, [DEF, 'rg1', 'rg2']);
      const d = await client.describeResourceGroup({ resource_group: DEF });
      assert.equal(d.status.error_code, 'Success');
      assert.equal(d.resource_group.capacity, 1_000_000);
      assert.equal(d.resource_group.num_available_node, 1);
      assert.equal(d.resource_group.nodes?.[0]?.node_id, 1);
      assert.deepEqual((await client.describeResourceGroup({ resource_group: 'rg2' })).resource_group.config?.node_filter, { node_labels: [{ key: 'env', value: 'test' }] });
      const missing = await client.describeResourceGroup({ resource_group: 'ghost' });
      assert.equal(missing.status.code, 300);
      assert.equal(missing.status.reason, 'resource group not found[rg=ghost]');

      await client.createCollection({ collection_name: 'c', dimension: 2 });
      const noNodes = await client.transferNode({ source_resource_group: DEF, target_resource_group: 'rg1', num_node: 3 });
      assert.equal(noNodes.code, 304);
      assert.equal((await client.transferReplica({ source_resource_group: DEF, target_resource_group: 'rg1', collection_name: 'c', num_replica: 1 })).error_code, 'Success');
      assert.deepEqual((await client.describeResourceGroup({ resource_group: 'rg1' })).resource_group.num_loaded_replica, { c: 1 });
      await client.releaseCollection({ collection_name: 'c' });
      const dropped = await client.dropAllResourceGroups();
      assert.deepEqual(dropped.map((s) => s.error_code), ['Success', 'Success']);
      assert.deepEqual((await client.listResourceGroups()).resource_groups, [DEF]);
    } finally {
      await client.close();
    }
  });
});
