/**
 * Resource groups as a one-node Milvus 2.6 answers them, through the service layer: the default
 * group holding node 1, create / describe / list / drop / update / TransferNode / TransferReplica
 * with Milvus' validation (codes and texts from the proxy and querycoord's resource manager), loads
 * checked against the groups, and everything kept across a restart (RESOURCE_GROUPS file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusError } from '../../src/core/errors.js';
import { SextantService } from '../../src/service/service.js';
import { DEFAULT_RESOURCE_GROUP as DEF, type ResourceGroupConfigInput } from '../../src/service/resource-groups/types.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';
import { withTempDir } from '../support/tmp.js';

async function expectError(p: Promise<unknown>, code: number, reason: string | RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof MilvusError, `expected a MilvusError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (typeof reason === 'string') assert.equal(e.message, reason);
    else assert.match(e.message, reason);
    return;
  }
  assert.fail(`expected error ${code} ${String(reason)}, got success`);
}

const cfg = (requests: number, limits: number, more: Partial<ResourceGroupConfigInput> = {}): ResourceGroupConfigInput => ({
  requests: { nodeNum: requests }, limits: { nodeNum: limits }, ...more,
});

async function withCollection(svc: SextantService, name: string): Promise<void> {
  await svc.createCollection(vectorCollection(name, 4));
  await svc.insert({ collectionName: name, numRows: 5, columns: batch(0, 5, 4, rng(7)) });
  await svc.createIndex({ collectionName: name, fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
}

const nodesOf = (svc: SextantService, rg: string): number => svc.groups.describe({ resourceGroup: rg }).numAvailableNode;

test('the default group holds node 1; names and configs are validated as Milvus does', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    assert.deepEqual(await svc.listResourceGroups(), [DEF]);
    const d = await svc.describeResourceGroup({ resourceGroup: DEF });
    assert.equal(d.capacity, 1_000_000);
    assert.equal(d.numAvailableNode, 1);
    assert.deepEqual(d.config.requests, { nodeNum: 0 });
    assert.deepEqual(d.config.limits, { nodeNum: 1_000_000 });
    assert.equal(d.nodes.length, 1);
    assert.equal(d.nodes[0]?.nodeId, 1);

    await expectError(svc.createResourceGroup({ resourceGroup: '' }), 65535, "resource group name couldn't be empty");
    await expectError(svc.createResourceGroup({ resourceGroup: '12-s' }), 65535,
      'Invalid resource group name 12-s. the first character of a resource group name must be an underscore or letter');
    await expectError(svc.createResourceGroup({ resourceGroup: 'qw$_o90' }), 65535,
      'Invalid resource group name qw$_o90. resource group name can only contain numbers, letters and underscores');
    await expectError(svc.createResourceGroup({ resourceGroup: 'a'.repeat(256) }), 65535,
      /the length of a resource group name must be less than 255 characters$/);
    await expectError(svc.createResourceGroup({ resourceGroup: 'rg', config: cfg(2, 1) }), 303,
      'limits node num should not less than requests node num: resource group illegal config[rg=rg][config=requests:{node_num:2} limits:{node_num:1}]');
    await expectError(svc.createResourceGroup({ resourceGroup: 'rg', config: { limits: { nodeNum: 1 } } }), 303,
      /^requests or limits is required: resource group illegal config\[rg=rg\]/);
    await expectError(svc.createResourceGroup({ resourceGroup: 'rg', config: cfg(-1, 1) }), 303, /^node num in `requests` or `limits` should not less than 0/);
    await expectError(svc.createResourceGroup({ resourceGroup: 'rg', config: cfg(0, 0, { transferFrom: ['rg'] }) }), 303,
      /^resource group in `TransferFrom` rg should not be itself/);
    await expectError(svc.createResourceGroup({ resourceGroup: 'rg', config: cfg(0, 0, { transferTo: ['ghost'] }) }), 303,
      /^resource group in `TransferTo` ghost not exist/);

    await svc.createResourceGroup({ resourceGroup: 'rg' });
    await svc.createResourceGroup({ resourceGroup: 'rg' }); // same config: idempotent
    await expectError(svc.createResourceGroup({ resourceGroup: 'rg', config: cfg(0, 3) }), 301,
      'resource group already exist, but create with different config[rg=rg]');
    await expectError(svc.describeResourceGroup({ resourceGroup: 'ghost' }), 300, 'resource group not found[rg=ghost]');
    const rg = await svc.describeResourceGroup({ resourceGroup: 'rg' });
    assert.equal(rg.capacity, 0);
    assert.equal(rg.numAvailableNode, 0);
    assert.deepEqual(rg.nodes, []);
    assert.deepEqual(await svc.listResourceGroups(), [DEF, 'rg']);

    await svc.createResourceGroup({ resourceGroup: 'rg2', config: cfg(0, 0, { transferFrom: ['rg'], nodeFilter: { nodeLabels: [{ key: 'env', value: 'test' }] } }) });
    assert.deepEqual((await svc.describeResourceGroup({ resourceGroup: 'rg2' })).config.nodeFilter.nodeLabels, [{ key: 'env', value: 'test' }]);
    await expectError(svc.dropResourceGroup({ resourceGroup: DEF }), 1100,
      'default resource group is not deletable: invalid parameter[expected=not default resource group][actual=__default_resource_group]');
    await expectError(svc.dropResourceGroup({ resourceGroup: 'rg' }), 1100,
      "resource group rg is used by rg2's `TransferFrom`, remove that configuration first: invalid parameter[expected=not `TransferFrom` of resource group][actual=rg]");
    await svc.dropResourceGroup({ resourceGroup: 'ghost' }); // dropping a missing group succeeds
    await svc.dropResourceGroup({ resourceGroup: 'rg2' });
    await svc.dropResourceGroup({ resourceGroup: 'rg' });
    assert.deepEqual(await svc.listResourceGroups(), [DEF]);
    await svc.close();
  });
});

test('TransferNode and UpdateResourceGroups move the node as Milvus recovery does; loads follow the node', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    await withCollection(svc, 'c');
    // Declarative: a group requesting a node takes it from the default group; a filter it fails keeps it out.
    await svc.createResourceGroup({ resourceGroup: 'labelled', config: cfg(1, 1, { nodeFilter: { nodeLabels: [{ key: 'env', value: 'gpu' }] } }) });
    assert.equal(nodesOf(svc, DEF), 1, 'node 1 has no labels, so it stays in the default group');
    await svc.createResourceGroup({ resourceGroup: 'rg' });
    await expectError(svc.updateResourceGroups({ resourceGroups: { ghost: cfg(0, 0) } }), 300, 'resource group not found[rg=ghost]');
    await svc.updateResourceGroups({ resourceGroups: { rg: cfg(1, 2, { transferFrom: [DEF], transferTo: [DEF] }) } });
    assert.equal(nodesOf(svc, 'rg'), 1);
    assert.equal(nodesOf(svc, DEF), 0);
    await svc.updateResourceGroups({ resourceGroups: { rg: cfg(0, 0) } });
    assert.equal(nodesOf(svc, DEF), 1, 'a group over its limits gives the node back');
    await expectError(svc.transferNode({ sourceResourceGroup: 'rg', targetResourceGroup: 'rg', numNode: 1 }), 1100,
      'source resource group and target resource group should not be the same, resource group: rg: invalid parameter');
    await expectError(svc.transferNode({ sourceResourceGroup: DEF, targetResourceGroup: 'rg', numNode: 0 }), 1100,
      'invalid parameter[expected=NumNode > 0][actual=invalid NumNode 0]');
    await expectError(svc.transferNode({ sourceResourceGroup: DEF, targetResourceGroup: 'ghost', numNode: 1 }), 300, 'resource group not found[rg=ghost]');
    await expectError(svc.transferNode({ sourceResourceGroup: DEF, targetResourceGroup: 'rg', numNode: 2 }), 304,
      'resource group node not enough[rg=__default_resource_group][currentNodeNum=1][expectedNodeNum=2]');

    await svc.transferNode({ sourceResourceGroup: DEF, targetResourceGroup: 'rg', numNode: 1 });
    assert.equal(nodesOf(svc, 'rg'), 1);
    assert.equal(nodesOf(svc, DEF), 0);
    assert.equal((await svc.describeResourceGroup({ resourceGroup: 'rg' })).capacity, 1);
    await expectError(svc.loadCollection({ collectionName: 'c' }), 304,
      'resource group node not enough[rg=__default_resource_group][currentNodeNum=0][expectedNodeNum=1]');
    await svc.loadCollection({ collectionName: 'c', resourceGroups: ['rg'] });
    assert.equal((await svc.getReplicas({ collectionName: 'c' }))[0]?.resourceGroup, 'rg');
    assert.deepEqual((await svc.describeResourceGroup({ resourceGroup: 'rg' })).numLoadedReplica, { c: 1 });
    await expectError(svc.dropResourceGroup({ resourceGroup: 'rg' }), 1100,
      /^some replicas still loaded in resource group\[rg\], release it first: invalid parameter\[expected=empty resource group\]\[actual=resource group rg has collection \d+ loaded\]$/);
    await svc.releaseCollection({ collectionName: 'c' });
    await expectError(svc.dropResourceGroup({ resourceGroup: 'rg' }), 1100,
      "resource group's limits node num is not 0: invalid parameter[expected=not empty resource group][actual=rg]");
    await svc.transferNode({ sourceResourceGroup: 'rg', targetResourceGroup: DEF, numNode: 1 });
    assert.equal(nodesOf(svc, DEF), 1);
    assert.deepEqual((await svc.describeResourceGroup({ resourceGroup: 'rg' })).config.limits, { nodeNum: 0 });
    await svc.dropResourceGroup({ resourceGroup: 'rg' });

    await svc.close();
  });
});

test('loads are checked against the groups; TransferReplica moves the replica; all of it survives a restart', async () => {
  await withTempDir(async (dir) => {
    let svc = await SextantService.open({ dataDir: dir });
    await withCollection(svc, 'c');
    await expectError(svc.loadCollection({ collectionName: 'c', replicaNumber: 2 }), 304,
      'resource group node not enough[rg=__default_resource_group][currentNodeNum=1][expectedNodeNum=2]');
    await expectError(svc.loadCollection({ collectionName: 'c', replicaNumber: 2, resourceGroups: ['a', 'b', 'c'] }), 65535,
      'replica=[2] resource group=[a,b,c], resource group num can only be 0, 1 or same as replica number');
    await expectError(svc.loadCollection({ collectionName: 'c', resourceGroups: ['ghost'] }), 300, 'resource group not found[rg=ghost]');
    await expectError(svc.transferReplica({ sourceResourceGroup: DEF, targetResourceGroup: 'rg', collectionName: 'nope', numReplica: 1 }), 100,
      /^collection not found\[database=default\]\[collection=nope\]/);
    await svc.createResourceGroup({ resourceGroup: 'rg' });
    await expectError(svc.transferReplica({ sourceResourceGroup: 'ghost', targetResourceGroup: 'rg', collectionName: 'c', numReplica: 1 }), 300,
      "the source resource group[ghost] doesn't exist: resource group not found[rg=ghost]");
    await expectError(svc.transferReplica({ sourceResourceGroup: DEF, targetResourceGroup: 'rg', collectionName: 'c', numReplica: 1 }), 1100,
      /^invalid parameter\[expected=Collection not loaded\]\[actual=collectionID \d+\]$/);

    await svc.loadCollection({ collectionName: 'c' });
    assert.equal((await svc.getReplicas({ collectionName: 'c' }))[0]?.resourceGroup, DEF);
    await expectError(svc.loadCollection({ collectionName: 'c', replicaNumber: 2 }), 1100,
      "can't change the replica number for loaded collection: invalid parameter[expected=1][actual=2]");
    await expectError(svc.loadCollection({ collectionName: 'c', resourceGroups: ['rg'] }), 1100,
      "can't change the resource groups for loaded partitions: invalid parameter[expected=[__default_resource_group]][actual=[rg]]");
    await expectError(svc.transferReplica({ sourceResourceGroup: 'rg', targetResourceGroup: DEF, collectionName: 'c', numReplica: 1 }), 1100,
      /^invalid parameter\[expected=NumReplica not greater than the number of replica in source resource group\]\[actual=only found \[0\] replicas of collection \[\d+\] in source resource group \[rg\], but 1 require\]$/);
    await expectError(svc.transferReplica({ sourceResourceGroup: DEF, targetResourceGroup: 'rg', collectionName: 'c', numReplica: 0 }), 1100,
      'invalid parameter[expected=NumReplica > 0][actual=invalid NumReplica 0]');
    await svc.transferReplica({ sourceResourceGroup: DEF, targetResourceGroup: 'rg', collectionName: 'c', numReplica: 1 });
    assert.equal((await svc.getReplicas({ collectionName: 'c' }))[0]?.resourceGroup, 'rg');
    await svc.createResourceGroup({ resourceGroup: 'kept', config: cfg(0, 5, { transferTo: [DEF] }) });
    await svc.close();

    svc = await SextantService.open({ dataDir: dir });
    assert.deepEqual(await svc.listResourceGroups(), [DEF, 'rg', 'kept']);
    assert.deepEqual((await svc.describeResourceGroup({ resourceGroup: 'kept' })).config.transferTo, [DEF]);
    assert.equal((await svc.getReplicas({ collectionName: 'c' }))[0]?.resourceGroup, 'rg', 'the replica placement survives a restart');
    assert.equal(nodesOf(svc, DEF), 1);
    await svc.releaseCollection({ collectionName: 'c' });
    assert.deepEqual(await svc.getReplicas({ collectionName: 'c' }), []);
    await svc.dropResourceGroup({ resourceGroup: 'rg' });
    await svc.close();
  });
});
