/**
 * The resource groups' document in etcd (storage/dist/etcd-resource-groups.ts) against a real etcd:
 * the lease holder writes it, a holder that lost the lease (another took it) writes nothing, a store
 * without a lease only reads. The catalog above it (service/resource-groups/catalog.ts) over that
 * store: a group created through one owner is read by the next, with the query nodes placed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { etcdForFile } from '../support/cluster.js';
import { EtcdLeaseProvider } from '../../src/storage/dist/etcd-lease.js';
import { EtcdResourceGroupStore } from '../../src/storage/dist/etcd-resource-groups.js';
import { plainConfig, ResourceGroupCatalog } from '../../src/service/resource-groups/catalog.js';

const etcd = etcdForFile();

test('a resource-group write is fenced by the lease; a store without one only reads', async () => {
  const client = etcd.client;
  const provider = new EtcdLeaseProvider(client, { ttlSec: 5, pollMs: 100 });
  const a = await provider.campaign('rg-fence', { timeoutMs: 10_000 });
  const storeA = new EtcdResourceGroupStore(client, 'rg-fence', a);
  await storeA.write({ who: 'a' });
  // A's lease ends (as when it is paused past it) and B takes the data set.
  await a.release();
  const b = await provider.campaign('rg-fence', { timeoutMs: 10_000 });
  await assert.rejects(storeA.write({ who: 'stale a' }), /lease/i, 'the old holder writes nothing');
  const reader = new EtcdResourceGroupStore(client, 'rg-fence');
  assert.equal(reader.writable, false);
  assert.deepEqual(await reader.read(), { who: 'a' });
  await assert.rejects(reader.write({ who: 'reader' }), /writer that holds the lease/);
  await new EtcdResourceGroupStore(client, 'rg-fence', b).write({ who: 'b' });
  assert.deepEqual(await reader.read(), { who: 'b' });
  await b.release();
});

test('groups created through one owner are read by the next, with the nodes that exist placed', async () => {
  const client = etcd.client;
  const provider = new EtcdLeaseProvider(client, { ttlSec: 5, pollMs: 100 });
  const nodes = new Map([[11, []], [12, []]]);
  const a = await provider.campaign('rg-takeover', { timeoutMs: 10_000 });
  const first = await ResourceGroupCatalog.openStore(new EtcdResourceGroupStore(client, 'rg-takeover', a), nodes, new Map([[12, 'rg1']]));
  await first.change((d) => { d.groups.push({ name: 'rg1', config: plainConfig(1, 1), nodes: [] }); });
  assert.deepEqual(first.groups.map((g) => [g.name, g.nodes]), [['__default_resource_group', [11]], ['rg1', [12]]]);
  await a.release();
  const b = await provider.campaign('rg-takeover', { timeoutMs: 10_000 });
  const next = await ResourceGroupCatalog.openStore(new EtcdResourceGroupStore(client, 'rg-takeover', b), nodes);
  assert.deepEqual(next.groups, first.groups);
  const follower = await ResourceGroupCatalog.openStore(new EtcdResourceGroupStore(client, 'rg-takeover'), nodes);
  assert.deepEqual(follower.groups, first.groups);
  await b.release();
});
