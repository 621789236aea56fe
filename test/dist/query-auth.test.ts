/**
 * A query node reads users, roles and grants from the cluster's access-control catalog in etcd
 * (issue #14), not from a file of its own: with `--auth` on every node, a user created, given a
 * role and granted Query on the writer can read on a query node; a wrong password is refused there;
 * creating a user on the query node is refused naming the writer (it is read-only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConsistencyLevelEnum, DataType, MilvusClient, RbacObjects } from '@zilliz/milvus2-sdk-node';
import { clusterRun, startNode, waitOutput, type SextantNode } from './nodes.js';

const run = clusterRun('sextant-qauth-');
const { procs, clients } = run;

async function serve(id: string, role: 'writer' | 'query'): Promise<SextantNode> {
  const node = await startNode(run.cluster, id, { dataSet: 'qa', leaseTtlSec: 3, dir: run.dir, extraEnv: { SEXTANT_ROLE: role, SEXTANT_AUTH: 'true' } });
  procs.push(node);
  await waitOutput(node, /serving Milvus gRPC/, 60_000);
  return node;
}

function connect(n: SextantNode, username: string, password: string): MilvusClient {
  const c = new MilvusClient({ address: `127.0.0.1:${n.port}`, username, password, logLevel: 'error' });
  // The SDK checks the credentials as it connects; a user not yet on the query node (refreshed every
  // second) is refused there, and the calls below retry: that early refusal is not the test's failure.
  c.connectPromise.catch(() => undefined);
  clients.push(c);
  return c;
}

const ok = (r: { error_code?: string | number; code?: number }, what: string) =>
  assert.ok(r.error_code === 'Success' || r.code === 0, `${what}: ${JSON.stringify(r)}`);

test('a user created on the writer reads on a query node (--auth)', { timeout: 150_000 }, async (t) => {
  const w = await serve('w1', 'writer');
  const q = await serve('q1', 'query');
  const root = connect(w, 'root', 'Milvus');
  ok(await root.createCollection({ collection_name: 'c', fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'v', data_type: DataType.FloatVector, dim: 4 },
  ] }), 'create');
  ok((await root.insert({ collection_name: 'c', data: [{ id: 1, v: [1, 0, 0, 0] }, { id: 2, v: [0, 1, 0, 0] }] })).status, 'insert');
  ok(await root.createIndex({ collection_name: 'c', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }), 'index');
  ok(await root.loadCollection({ collection_name: 'c' }), 'load');
  ok(await root.createUser({ username: 'alice', password: 'alice-secret' }), 'create user');
  ok(await root.createRole({ roleName: 'reader' }), 'create role');
  ok(await root.grantRolePrivilege({ roleName: 'reader', object: RbacObjects.Collection, objectName: 'c', privilegeName: 'Query' }), 'grant Query');
  ok(await root.addUserToRole({ username: 'alice', roleName: 'reader' }), 'assign role');

  const alice = connect(q, 'alice', 'alice-secret');
  const startedAt = performance.now();
  let last = '';
  for (;;) {
    const r = await alice.query({ collection_name: 'c', filter: 'id >= 0', output_fields: ['id'], consistency_level: ConsistencyLevelEnum.Strong })
      .catch((e: unknown) => ({ status: { code: -1, reason: String(e) }, data: [] }));
    if (r.status.code === 0) { assert.equal(r.data.length, 2); break; }
    last = r.status.reason;
    if (performance.now() - startedAt > 20_000) assert.fail(`alice cannot read on the query node: ${last}`);
    await new Promise((res) => setTimeout(res, 200));
  }
  t.diagnostic(`alice read on the query node ${Math.round(performance.now() - startedAt)} ms after the grant (last refusal: ${last || 'none'})`);

  const mallory = connect(q, 'alice', 'wrong-password');
  // The SDK checks the credentials when it connects: that check must fail.
  const refused = await mallory.connectPromise.then(() => 'accepted', (e: unknown) => String(e));
  assert.match(refused, /UNAUTHENTICATED|auth/i, 'a wrong password is refused on the query node');

  const rootOnQ = connect(q, 'root', 'Milvus');
  const created = await rootOnQ.createUser({ username: 'bob', password: 'bob-secret-1' });
  assert.notEqual(created.code, 0, `a user change on the query node is refused: ${JSON.stringify(created)}`);
  assert.match(created.reason, /w1|read-only/);
  // Query privilege only: alice may not drop the collection.
  await assert.rejects(alice.dropCollection({ collection_name: 'c' }), /PERMISSION_DENIED|permission deny/);
});
