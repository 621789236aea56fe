/**
 * The lifecycle of the Node SDK's test/grpc/User.spec.ts (milvus-sdk-node 2.6, assertion by
 * assertion as in the reference §5.2), run with auth ON as root:Milvus through the official SDK,
 * plus the same user's own client after its password changed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { MilvusClient, RbacObjects } from '@zilliz/milvus2-sdk-node';
import { SextantService } from '../../src/service/service.js';
import { startSextantServer, type RunningSextantServer } from '../../src/server/http/server.js';
import { makeTempDir } from '../support/tmp.js';

let svc: SextantService;
let server: RunningSextantServer;
let dataDir: string;
let c: MilvusClient;
const USER = 'username';
const ROLE = 'role_lifecycle';
const COLL = 'coll_lifecycle';
type St = { error_code?: string | number; reason?: string };
const ok = (s: St): void => assert.equal(s.error_code, 'Success', String(s.reason));

before(async () => {
  dataDir = await makeTempDir();
  svc = await SextantService.open({ dataDir, auth: { enabled: true } });
  server = await startSextantServer(svc, { host: '127.0.0.1', port: 0, httpPort: 0, maxMessageBytes: 64 << 20, maxHttpBodyBytes: 1 << 20, shutdownGraceMs: 500 });
  c = new MilvusClient({ address: `127.0.0.1:${server.port}`, token: 'root:Milvus', logLevel: 'error' });
  await c.connectPromise;
  ok(await c.createCollection({ collection_name: COLL, dimension: 4 }));
  ok(await c.createDatabase({ db_name: 'another_db' }));
});
after(async () => {
  await c.closeConnection();
  await server.close();
  await svc.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('User.spec lifecycle with auth on (root:Milvus)', async () => {
  ok(await c.createUser({ username: USER, password: '123456' }));
  const users = await c.listUsers();
  assert.deepEqual([...users.usernames].sort(), ['root', USER]);
  const asUser = new MilvusClient({ address: `127.0.0.1:${server.port}`, username: USER, password: '123456', logLevel: 'error' });
  await asUser.connectPromise;
  await assert.rejects(asUser.listUsers(), /PERMISSION_DENIED: PrivilegeSelectOwnership: permission deny to username in the `default` database/);
  await asUser.closeConnection();

  // dropAllRoles: revoke every grant (a missing one too), drop roles; admin and public stay (1401)
  for (const r of (await c.listRoles()).results) {
    for (const g of (await c.listGrants({ roleName: r.role.name })).entities) {
      ok(await c.revokeRolePrivilege({ roleName: r.role.name, object: g.object.name as RbacObjects, objectName: g.object_name, privilegeName: g.grantor.privilege.name }));
    }
    const dropped = await c.dropRole({ roleName: r.role.name });
    if (r.role.name === 'admin' || r.role.name === 'public') assert.equal((dropped as { code?: number }).code, 1401);
  }
  assert.deepEqual((await c.listRoles()).results.map((r) => r.role.name).sort(), ['admin', 'public']);

  ok(await c.updateUser({ username: USER, oldPassword: '123456', newPassword: '1234567' }));
  const old = new MilvusClient({ address: `127.0.0.1:${server.port}`, username: USER, password: '123456', logLevel: 'error' });
  await assert.rejects(old.connectPromise, /UNAUTHENTICATED/);
  await old.closeConnection().catch(() => undefined);

  ok(await c.createRole({ roleName: ROLE }));
  ok(await c.addUserToRole({ username: USER, roleName: ROLE }));
  const role = await c.selectRole({ roleName: ROLE, includeUserInfo: true });
  assert.equal(role.results[0]?.users[0]?.name, USER);
  const user = await c.selectUser({ username: USER, includeRoleInfo: true });
  assert.equal(user.results[0]?.roles[0]?.name, ROLE);

  for (let i = 0; i < 2; i++) {
    ok(await c.grantRolePrivilege({ roleName: ROLE, object: RbacObjects.Collection, objectName: COLL, privilegeName: 'Search' }));
  }
  ok(await c.grantPrivilegeV2({ role: ROLE, collection_name: COLL, db_name: 'default', privilege: 'Query' }));
  ok(await c.grantPrivilegeV2({ role: ROLE, collection_name: COLL, db_name: 'another_db', privilege: 'Query' }));
  const grants = await c.listGrants({ roleName: ROLE });
  assert.equal(grants.entities.length, 3);
  assert.ok(grants.entities.every((e) => e.object_name === COLL));
  assert.deepEqual([...new Set(grants.entities.map((e) => e.db_name))].sort(), ['another_db', 'default']);
  assert.equal((await c.listGrants({ roleName: ROLE, db_name: 'another_db' })).entities.length, 1);
  assert.equal((await c.selectGrant({ roleName: ROLE, object: RbacObjects.Collection, objectName: COLL })).entities.length, 2);
  assert.equal((await c.selectGrant({ roleName: ROLE, object: RbacObjects.Collection, objectName: COLL, db_name: 'another_db' })).entities.length, 1);

  // the user can now search its collection but not drop it
  const granted = new MilvusClient({ address: `127.0.0.1:${server.port}`, token: `${USER}:1234567`, logLevel: 'error' });
  await granted.connectPromise;
  assert.deepEqual((await granted.showCollections()).data.map((x) => x.name), [COLL]);
  await assert.rejects(granted.dropCollection({ collection_name: COLL }), /PrivilegeDropCollection: permission deny to username/);
  await granted.closeConnection();

  ok(await c.revokeRolePrivilege({ roleName: ROLE, object: RbacObjects.Collection, objectName: COLL, privilegeName: 'Search' }));
  ok(await c.revokePrivilegeV2({ role: ROLE, collection_name: COLL, db_name: 'default', privilege: 'Query' }));
  ok(await c.revokePrivilegeV2({ role: ROLE, collection_name: COLL, db_name: 'another_db', privilege: 'Query' }));
  ok(await c.removeUserFromRole({ username: USER, roleName: ROLE }));
  ok(await c.dropRole({ roleName: ROLE }));
  ok(await c.deleteUser({ username: USER }));

  ok(await c.createPrivilegeGroup({ group_name: 'group_lifecycle' }));
  ok(await c.addPrivilegesToGroup({ group_name: 'group_lifecycle', privileges: ['Query', 'Search'] }));
  ok(await c.removePrivilegesFromGroup({ group_name: 'group_lifecycle', privileges: ['Query'] }));
  const groups = await c.listPrivilegeGroups();
  const mine = groups.privilege_groups.find((g) => g.group_name === 'group_lifecycle');
  assert.deepEqual(mine?.privileges.map((p) => p.name), ['Search']);
  const backup = await c.backupRBAC();
  ok(backup.status);
  assert.equal(backup.RBAC_meta.privilege_groups.length, 1);
  ok(await c.dropPrivilegeGroup({ group_name: 'group_lifecycle' }));
  assert.ok(!(await c.listPrivilegeGroups()).privilege_groups.some((g) => g.group_name === 'group_lifecycle'));
  ok(await c.restoreRBAC({ RBAC_meta: backup.RBAC_meta }));
  const restored = (await c.listPrivilegeGroups()).privilege_groups.find((g) => g.group_name === 'group_lifecycle');
  assert.deepEqual(restored?.privileges.map((p) => p.name), ['Search']);
  ok(await c.dropPrivilegeGroup({ group_name: 'group_lifecycle' }));
});
