/**
 * The etcd implementations of Lease, CatalogStore and TimestampOracle against a real etcd on
 * loopback: the shared port contracts, then fencing with real processes (a lease holder paused by
 * SIGSTOP past its TTL, a standby taking over, the resumed holder's commit refused) and timestamps
 * across an owner change (kill -9, and a new owner whose clock is behind).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Etcd3 } from 'etcd3';
import { startCluster, type Cluster } from '../support/cluster.js';
import { catalogContract, leaseContract, tsoContract } from '../support/port-contracts.js';
import { EtcdLeaseProvider } from '../../src/storage/dist/etcd-lease.js';
import { EtcdCatalogStore } from '../../src/storage/dist/etcd-catalog.js';
import { EtcdTso } from '../../src/storage/dist/etcd-tso.js';
import { EtcdRbacStore } from '../../src/storage/dist/etcd-rbac.js';
import { RbacCatalog } from '../../src/service/auth/catalog.js';
import { createCredential, createRole, operateUserRole } from '../../src/service/auth/users.js';
import { listNodes, registerNode } from '../../src/storage/dist/etcd-nodes.js';
import { EventChild } from './child.js';

let cluster: Cluster;
let client: Etcd3;
let seq = 0;
const fresh = (what: string) => `${what}-${++seq}-${randomBytes(3).toString('hex')}`;

before(async () => {
  cluster = await startCluster({ etcd: true, nats: 0, s3: false });
  client = new Etcd3({ hosts: cluster.etcdEndpoint });
});
after(async () => {
  client?.close();
  await cluster?.close();
});

leaseContract('etcd', async () => {
  const provider = new EtcdLeaseProvider(client, { ttlSec: 2, pollMs: 100 });
  const name = fresh('lease');
  return { acquire: () => provider.campaign(name, { timeoutMs: 20_000 }), waits: true, cleanup: async () => undefined };
});

catalogContract('etcd', async () => {
  const name = fresh('catalog');
  const lease = await new EtcdLeaseProvider(client, { ttlSec: 5 }).campaign(name);
  const store = new EtcdCatalogStore(client, { name });
  return { store, lease, loseLease: () => lease.release(), anyBytes: true, cleanup: () => lease.release() };
});

tsoContract('etcd', async () => {
  const name = fresh('tso');
  const lease = await new EtcdLeaseProvider(client, { ttlSec: 5 }).campaign(name);
  const tso = await EtcdTso.open(client, lease, { name });
  return { tso, cleanup: async () => { tso.close(); await lease.release(); } };
});

describe('etcd fencing and failover', () => {
  test('a holder paused past its TTL is fenced: the standby takes over, the resumed commit is refused, lost resolves', async (t) => {
    const name = fresh('fence');
    const holder = new EventChild('./lease-holder.js', [cluster.etcdEndpoint, name, '2']);
    try {
      const held = await holder.waitFor((e) => e.event === 'held', 20_000);
      holder.send('commit 0 owner-one');
      const c1 = await holder.waitFor((e) => e.event === 'commit', 10_000);
      assert.equal(c1.ok, true, JSON.stringify(c1));
      const v1 = BigInt(String(c1.version));

      holder.proc.kill('SIGSTOP');
      const pausedAt = Date.now();
      const standby = new EtcdLeaseProvider(client, { ttlSec: 2, pollMs: 100, holder: 'standby' });
      const lease = await standby.campaign(name, { timeoutMs: 20_000 });
      const takeoverMs = Date.now() - pausedAt;
      t.diagnostic(`standby took the lease ${takeoverMs} ms after SIGSTOP (TTL 2 s); tokens ${String(held.token)} -> ${lease.token}`);
      assert.ok(lease.token > BigInt(String(held.token)));
      const store = new EtcdCatalogStore(client, { name });
      const v2 = await store.commit(v1, new TextEncoder().encode('owner-two'), lease);

      const from = holder.events.length;
      holder.proc.kill('SIGCONT');
      // Built on the newest version, so only the lease fence can refuse it.
      holder.send(`commit ${v2} stale-write`);
      const c2 = await holder.waitFor((e) => e.event === 'commit', 10_000, from);
      assert.equal(c2.ok, false, `the resumed holder's commit must be refused: ${JSON.stringify(c2)}`);
      assert.match(String(c2.error), /lease lost/);
      await holder.waitFor((e) => e.event === 'lost', 10_000);
      assert.deepEqual(await store.load(), { body: new TextEncoder().encode('owner-two'), version: v2 });
      await lease.release();
    } finally {
      holder.kill();
    }
  });

  test('timestamps keep growing across a kill -9 of the owner and a new owner whose clock is 30 s behind', async (t) => {
    const name = fresh('tso-failover');
    const holder = new EventChild('./lease-holder.js', [cluster.etcdEndpoint, name, '2']);
    let lastOld: bigint;
    try {
      await holder.waitFor((e) => e.event === 'held', 20_000);
      holder.send('tso 50000');
      const e = await holder.waitFor((ev) => ev.event === 'tso', 20_000);
      assert.equal(e.ok, true, JSON.stringify(e));
      lastOld = BigInt(String(e.last));
    } finally {
      holder.kill();
    }
    const behind = () => Date.now() - 30_000;
    const lease = await new EtcdLeaseProvider(client, { ttlSec: 2, pollMs: 100 }).campaign(name, { timeoutMs: 20_000 });
    const tso = await EtcdTso.open(client, lease, { name, nowMs: behind });
    try {
      const first = tso.next();
      t.diagnostic(`old owner's last ${lastOld}, new owner's first ${first} (clock 30 s behind)`);
      assert.ok(first > lastOld, 'no timestamp goes back across the owner change');
      let prev = first;
      for (let i = 0; i < 10_000; i++) { const ts = tso.next(); assert.ok(ts > prev); prev = ts; }
    } finally {
      tso.close();
      await lease.release();
    }
  });

  test('a TSO stops handing out timestamps once its lease is lost', async () => {
    const name = fresh('tso-lost');
    const lease = await new EtcdLeaseProvider(client, { ttlSec: 2 }).campaign(name);
    const tso = await EtcdTso.open(client, lease, { name });
    tso.next();
    await client.delete().key(lease.ownerKey);
    await lease.lost;
    assert.throws(() => tso.next(), /lease lost/);
    tso.close();
  });

  test('a commit with a lease whose owner key was taken is refused by etcd even before the holder notices', async () => {
    const name = fresh('stale');
    const provider = new EtcdLeaseProvider(client, { ttlSec: 5 });
    const lease = await provider.campaign(name);
    const store = new EtcdCatalogStore(client, { name });
    const v1 = await store.commit(0n, new Uint8Array([1]), lease);
    // Another owner's key replaces this one's in one step (as after expiry and a takeover).
    await client.delete().key(lease.ownerKey);
    await client.put(lease.ownerKey).value('intruder');
    await assert.rejects(store.commit(v1, new Uint8Array([2]), lease), /lease lost/);
    assert.deepEqual(await store.load(), { body: new Uint8Array([1]), version: v1 });
    await client.delete().key(lease.ownerKey);
  });

  test('access-control writes are fenced by the lease: a holder whose owner key went or was taken changes no user or role', async () => {
    const name = fresh('rbac');
    const lease = await new EtcdLeaseProvider(client, { ttlSec: 5, holder: 'old' }).campaign(name);
    const catalog = await RbacCatalog.open(new EtcdRbacStore(client, name, lease));
    await createCredential(catalog, { username: 'alice', password: 'secret-1' });
    await createRole(catalog, { roleName: 'reader' });
    const reader = new EtcdRbacStore(client, name, null);
    const written = JSON.stringify(await reader.read());
    assert.match(written, /alice/);
    // The owner key goes (as when the lease expires while its holder is paused): etcd refuses at once.
    await client.delete().key(lease.ownerKey);
    await assert.rejects(createCredential(catalog, { username: 'bob', password: 'secret-2' }), /lease lost/);
    // Another holder takes the data set: the old holder is still refused.
    const next = await new EtcdLeaseProvider(client, { ttlSec: 5, holder: 'new' }).campaign(name);
    await assert.rejects(operateUserRole(catalog, { username: 'alice', roleName: 'reader', type: 'AddUserToRole' }), /lease lost/);
    await assert.rejects(createRole(catalog, { roleName: 'writer' }), /lease lost/);
    assert.equal(JSON.stringify(await reader.read()), written, 'nothing was written');
    assert.equal(catalog.user('bob'), undefined, 'nor published in the old holder\'s memory');
    assert.deepEqual(catalog.user('alice')?.roles, []);
    // The new holder writes.
    const current = await RbacCatalog.open(new EtcdRbacStore(client, name, next));
    await createCredential(current, { username: 'bob', password: 'secret-2' });
    assert.match(JSON.stringify(await reader.read()), /bob/);
    assert.equal(reader.writable, false, 'a store without a lease (a query node) is read only');
    await assert.rejects(reader.write({}), /read only/);
    await next.release();
  });

  test('a catalog larger than one etcd value is split into parts committed in one transaction', async () => {
    const name = fresh('parts');
    const lease = await new EtcdLeaseProvider(client, { ttlSec: 5 }).campaign(name);
    const store = new EtcdCatalogStore(client, { name, chunkBytes: 256 * 1024 });
    const body = new Uint8Array(randomBytes(1024 * 1024 + 7));
    const v = await store.commit(0n, body, lease);
    const keys = await client.getAll().prefix(`/sextant/catalog/${name}/part/`).keys();
    assert.equal(keys.length, 5);
    const revs = (await client.getAll().prefix(`/sextant/catalog/${name}/`).exec()).kvs.map((kv) => BigInt(kv.mod_revision));
    assert.ok(revs.every((r) => r === v), 'head and every part carry the one transaction revision');
    await lease.release();
  });

  test('node registration disappears with its lease', async () => {
    const reg = await registerNode(client, { id: fresh('node'), endpoint: '127.0.0.1:19530', role: 'writer' }, { ttlSec: 2 });
    assert.equal((await listNodes(client)).length, 1);
    await reg.unregister();
    assert.equal((await listNodes(client)).length, 0);
  });
});
