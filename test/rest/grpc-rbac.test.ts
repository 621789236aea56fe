/**
 * The gRPC credential / role / grant RPCs, driven by the Node SDK against the real server
 * (`startSextantServer`), sharing the service's access-control catalog with REST v2 `users/*` / `roles/*`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusClient, RbacObjects } from '@zilliz/milvus2-sdk-node';
import { okData, startRest, type RestHarness } from './helpers.js';

let h: RestHarness;
let c: MilvusClient;

async function connect(): Promise<MilvusClient> {
  const client = new MilvusClient({ address: `127.0.0.1:${h.server.port}`, logLevel: 'error' });
  await client.connectPromise;
  return client;
}

before(async () => {
  h = await startRest();
  c = await connect();
});
after(async () => {
  await c.closeConnection();
  await h.stop();
  assert.deepEqual(h.unexpected, []);
});

type St = { error_code?: string | number; code?: number; reason?: string };
const ok = (s: St): void => assert.equal(s.error_code, 'Success', `expected Success, got ${String(s.code)} ${String(s.reason)}`);

test('createUser / listUsers / updateUser / deleteUser with Milvus errors', async () => {
  ok(await c.createUser({ username: 'alice', password: 'secret-1' }));
  const users = await c.listUsers();
  ok(users.status);
  assert.deepEqual([...users.usernames].sort(), ['alice', 'root']);

  const dup = await c.createUser({ username: 'alice', password: 'secret-2' });
  assert.equal(dup.code, 1100);
  assert.match(dup.reason ?? '', /already exists/);

  const wrong = await c.updateUser({ username: 'alice', oldPassword: 'not-it!', newPassword: 'secret-3' });
  assert.equal(wrong.code, 1400);
  assert.equal(wrong.reason, 'old password not correct for alice: not authenticated');
  ok(await c.updateUser({ username: 'alice', oldPassword: 'secret-1', newPassword: 'secret-3' }));
  // the new password is what the store holds now (checked through the REST door)
  assert.equal((await h.v2('users/update_password', { userName: 'alice', password: 'secret-1', newPassword: 'xxxxxx9' })).code, 1400);
  assert.equal((await h.v2('users/update_password', { userName: 'alice', password: 'secret-3', newPassword: 'secret-4' })).code, 0);

  const root = await c.deleteUser({ username: 'root' });
  assert.equal(root.code, 1401);
  assert.equal(root.reason, 'root user cannot be deleted: privilege not permitted');
  ok(await c.deleteUser({ username: 'alice' }));
  assert.deepEqual((await c.listUsers()).usernames, ['root']);
});

test('the password arrives base64-decoded: a user made over gRPC logs in to REST update with the clear text', async () => {
  ok(await c.createUser({ username: 'bob', password: 'clear-pw' }));
  assert.deepEqual(okData(await h.v2('users/list')), ['root', 'bob']);
  assert.equal((await h.v2('users/update_password', { userName: 'bob', password: 'clear-pw', newPassword: 'clear-pw2' })).code, 0);
  const short = await c.createUser({ username: 'carol', password: 'abc' });
  assert.equal(short.code, 1100);
});

test('roles: createRole / listRoles / addUserToRole / describeUser / removeUserFromRole / dropRole', async () => {
  ok(await c.createRole({ roleName: 'reader' }));
  const dupRole = await c.createRole({ roleName: 'reader' });
  assert.equal(dupRole.code, 1100);
  ok(await c.addUserToRole({ username: 'bob', roleName: 'reader' }));
  const unknownRole = await c.addUserToRole({ username: 'bob', roleName: 'nope' });
  assert.notEqual(unknownRole.error_code, 'Success');

  const roles = await c.listRoles();
  ok(roles.status);
  const reader = roles.results.find((r) => r.role.name === 'reader');
  assert.ok(reader);
  assert.deepEqual(reader.users.map((u) => u.name), ['bob']);
  assert.deepEqual(roles.results.map((r) => r.role.name).sort(), ['admin', 'public', 'reader']);

  const bob = await c.describeUser({ username: 'bob', includeRoleInfo: true });
  ok(bob.status);
  assert.equal(bob.results.length, 1);
  assert.deepEqual(bob.results[0]?.roles.map((r) => r.name), ['reader']);
  const ghost = await c.selectUser({ username: 'ghost', includeRoleInfo: true });
  ok(ghost.status);
  assert.equal(ghost.results.length, 0);
  assert.deepEqual(okData(await h.v2('users/describe', { userName: 'bob' })), ['reader']);

  ok(await c.removeUserFromRole({ username: 'bob', roleName: 'reader' }));
  assert.deepEqual((await c.describeUser({ username: 'bob', includeRoleInfo: true })).results[0]?.roles, []);
});

test('grants: grantRolePrivilege / listGrants / selectGrant / revoke; dropRole refuses a role with grants', async () => {
  ok(await c.grantRolePrivilege({ roleName: 'reader', object: RbacObjects.Collection, objectName: 'books', privilegeName: 'Search' }));
  ok(await c.grantRolePrivilege({ roleName: 'reader', object: RbacObjects.Global, objectName: '*', privilegeName: 'DescribeCollection' }));
  ok(await c.grantRolePrivilege({ roleName: 'reader', object: RbacObjects.Collection, objectName: 'books', privilegeName: 'Search' })); // idempotent
  const bad = await c.grantRolePrivilege({ roleName: 'reader', object: 'Table' as RbacObjects, objectName: 'books', privilegeName: 'Search' });
  assert.equal(bad.code, 1100);

  const all = await c.listGrants({ roleName: 'reader' });
  ok(all.status);
  assert.equal(all.entities.length, 2);
  const search = all.entities.find((e) => e.grantor.privilege.name === 'Search');
  assert.ok(search);
  assert.equal(search.object.name, 'Collection');
  assert.equal(search.object_name, 'books');
  assert.equal(search.db_name, 'default');
  assert.equal(search.role.name, 'reader');

  const one = await c.selectGrant({ roleName: 'reader', object: RbacObjects.Global, objectName: '*' });
  ok(one.status);
  assert.deepEqual(one.entities.map((e) => e.grantor.privilege.name), ['DescribeCollection']);
  const otherDb = await c.selectGrant({ roleName: 'reader', object: RbacObjects.Collection, objectName: 'books', db_name: 'db2' });
  assert.equal(otherDb.entities.length, 0);

  const refused = await c.dropRole({ roleName: 'reader' });
  assert.notEqual(refused.error_code, 'Success');
  assert.match(refused.reason ?? '', /privileges/);

  ok(await c.revokeRolePrivilege({ roleName: 'reader', object: RbacObjects.Collection, objectName: 'books', privilegeName: 'Search' }));
  ok(await c.revokeRolePrivilege({ roleName: 'reader', object: RbacObjects.Global, objectName: '*', privilegeName: 'DescribeCollection' }));
  assert.equal((await c.listGrants({ roleName: 'reader' })).entities.length, 0);
  ok(await c.dropRole({ roleName: 'reader' }));
  assert.ok(!(await c.listRoles()).results.some((r) => r.role.name === 'reader'));
  const builtin = await c.dropRole({ roleName: 'admin' });
  assert.notEqual(builtin.error_code, 'Success');
});

test('OperatePrivilegeV2 (grantPrivilegeV2) is stored and listed', async () => {
  ok(await c.createRole({ roleName: 'writer' }));
  ok(await c.grantPrivilegeV2({ role: 'writer', privilege: 'Insert', db_name: 'default', collection_name: 'books' }));
  const g = await c.listGrants({ roleName: 'writer' });
  assert.deepEqual(g.entities.map((e) => [e.object.name, e.object_name, e.grantor.privilege.name, e.db_name]), [['Collection', 'books', 'Insert', 'default']]);
  ok(await c.revokePrivilegeV2({ role: 'writer', privilege: 'Insert', db_name: 'default', collection_name: 'books' }));
  assert.equal((await c.listGrants({ roleName: 'writer' })).entities.length, 0);
});

test('the store survives a restart (one file shared by both transports)', async () => {
  await c.closeConnection();
  const dataDir = h.dataDir;
  await h.stop(true);
  h = await startRest({ dataDir });
  c = await connect();
  assert.deepEqual([...(await c.listUsers()).usernames].sort(), ['bob', 'root']);
  assert.ok((await c.listRoles()).results.some((r) => r.role.name === 'writer'));
});
