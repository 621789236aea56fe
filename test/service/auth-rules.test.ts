/**
 * The privilege table, generated from the service's operations (RULES): every checked operation x
 * {granted, not granted, granted through a custom group, through `*`, through an alias} decides as
 * the table says, through the one authorization point (`SextantService.as(ctx)`). Listing
 * operations are narrowed to what the caller may see.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { AccessError } from '../../src/core/errors.js';
import { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { SextantService } from '../../src/service/service.js';
import { RULES, type Operation, type Rule } from '../../src/service/auth/rules.js';
import type { MilvusApi } from '../../src/service/api.js';
import { vectorCollection } from '../support/fixtures.js';

let svc: SextantService;
const PUBLIC_DEFAULTS = new Set(['DescribeCollection', 'ListAliases', 'IndexDetail']);

before(async () => {
  svc = await SextantService.open({ dataDir: '/d', fs: new MemoryFileSystem(), lock: false, auth: { enabled: true } });
  await svc.createCredential({ username: 'u', password: 'secret-u' });
  await svc.createCredential({ username: 'other', password: 'secret-o' });
  await svc.createRole({ roleName: 'r' });
  await svc.operateUserRole({ username: 'u', roleName: 'r', type: 'AddUserToRole' });
});
after(async () => { await svc.close(); });

async function ensureCollection(): Promise<void> {
  if (!(await svc.hasCollection({ collectionName: 'c' }))) await svc.createCollection(vectorCollection('c', 4));
  if ((await svc.listAliases({})).every((a) => a.alias !== 'a')) await svc.createAlias({ collectionName: 'c', alias: 'a' });
}

async function clearGrants(): Promise<void> {
  for (const g of await svc.selectGrant({ roleName: 'r', dbName: '*' })) {
    if (g.objectType === 'Collection' || g.objectType === 'Global' || g.objectType === 'User') {
      await svc.operatePrivilegeV2({ roleName: 'r', privilege: g.privilege, dbName: g.dbName, collectionName: g.objectName, type: 'Revoke' });
      await svc.operatePrivilege({ roleName: 'r', objectType: g.objectType, objectName: g.objectName, dbName: g.dbName, privilege: g.privilege, type: 'Revoke' }).catch(() => undefined);
    }
  }
  for (const g of await svc.listPrivilegeGroups()) if (g.groupName.startsWith('g_')) await svc.dropPrivilegeGroup({ groupName: g.groupName });
  assert.equal((await svc.selectGrant({ roleName: 'r', dbName: '*' })).length, 0);
}

type Check = Extract<Rule, { kind: 'check' }>;
type Mode = 'granted' | 'not granted' | 'group' | 'star' | 'alias';

async function grant(op: Operation, rule: Check, mode: Mode): Promise<void> {
  const name = rule.object === 'Collection' ? 'c' : rule.object === 'User' ? 'other' : '*';
  if (mode === 'granted' || mode === 'alias') {
    // through an alias: the grant names the alias and covers the collection, and the reverse below
    const objectName = mode === 'alias' && rule.object === 'Collection' ? 'a' : name;
    await svc.operatePrivilege({ roleName: 'r', objectType: rule.object, objectName, dbName: 'default', privilege: rule.privilege, type: 'Grant' });
  } else if (mode === 'group') {
    const group = `g_${op}`;
    await svc.createPrivilegeGroup({ groupName: group });
    await svc.operatePrivilegeGroup({ groupName: group, privileges: [rule.privilege], type: 'AddPrivilegesToGroup' });
    await svc.operatePrivilegeV2({ roleName: 'r', privilege: group, dbName: 'default', collectionName: rule.object === 'Collection' ? 'c' : '*', type: 'Grant' });
  } else if (mode === 'star') {
    await svc.operatePrivilegeV2({ roleName: 'r', privilege: '*', dbName: '*', collectionName: '*', type: 'Grant' });
  }
}

function requestFor(rule: Check, mode: Mode): Record<string, unknown> {
  const collection = mode === 'alias' ? 'c' : 'c';
  return {
    dbName: 'default', collectionName: collection, collectionNames: [collection], username: 'other',
    partitionName: 'p', partitionNames: ['p'], alias: 'x', roleName: 'nope', groupName: 'nope', privileges: [],
    meta: { users: [], roles: [], grants: [], privilegeGroups: [] }, objectType: rule.object,
  };
}

async function decision(api: MilvusApi, op: Operation, req: Record<string, unknown>): Promise<'allowed' | string> {
  const fn = api[op] as unknown as (r: unknown) => Promise<unknown>;
  try {
    await fn(req);
    return 'allowed';
  } catch (e) {
    if (e instanceof AccessError) return `${e.grpcCode} ${e.message}`;
    return 'allowed'; // authorization passed; the operation itself may refuse this made-up request
  }
}

const checked = (Object.entries(RULES) as [Operation, Rule][]).filter((e): e is [Operation, Check] => e[1].kind === 'check');

for (const mode of ['granted', 'not granted', 'group', 'star', 'alias'] as Mode[]) {
  test(`every checked operation (${checked.length}) decides as the table says: ${mode}`, async (t) => {
    let n = 0;
    for (const [op, rule] of checked) {
      if (mode === 'alias' && rule.object !== 'Collection') continue;
      await ensureCollection();
      await clearGrants();
      await grant(op, rule, mode);
      const api = svc.as({ user: 'u', dbName: 'default' });
      const got = await decision(api, op, requestFor(rule, mode));
      const deniedMessage = `7 Privilege${rule.privilege}: permission deny to u in the \`default\` database`;
      const expectAllowed = mode !== 'not granted' || PUBLIC_DEFAULTS.has(rule.privilege);
      assert.equal(got, expectAllowed ? 'allowed' : deniedMessage, `${op} (${rule.object} ${rule.privilege}) ${mode}`);
      n++;
    }
    t.diagnostic(`${n} operations decided (${mode})`);
  });
}

test('the alias and the collection are one object: a grant on the collection covers calls through the alias', async () => {
  await ensureCollection();
  await clearGrants();
  await svc.operatePrivilege({ roleName: 'r', objectType: 'Collection', objectName: 'c', dbName: 'default', privilege: 'Query', type: 'Grant' });
  const api = svc.as({ user: 'u' });
  assert.equal(await decision(api, 'query', { collectionName: 'a', filter: 'id >= 0' }), 'allowed');
  assert.match(await decision(api, 'search', { collectionName: 'a' }), /^7 PrivilegeSearch: permission deny to u in the `default` database$/);
  // the request's db is the one checked (safer than Milvus, which checks the `dbname` header only)
  await svc.createDatabase({ dbName: 'db2' });
  assert.match(await decision(svc.as({ user: 'u', dbName: 'default' }), 'query', { dbName: 'db2', collectionName: 'c' }), /in the `db2` database/);
});

test('root and role admin pass; a user acts on itself; Load grants GetLoadState and GetLoadingProgress', async () => {
  await ensureCollection();
  await clearGrants();
  assert.equal(await decision(svc.as({ user: 'root' }), 'dropRole', { roleName: 'nope' }), 'allowed');
  await svc.createCredential({ username: 'boss', password: 'secret-b' });
  await svc.operateUserRole({ username: 'boss', roleName: 'admin', type: 'AddUserToRole' });
  assert.equal(await decision(svc.as({ user: 'boss' }), 'backupRBAC', {}), 'allowed');
  assert.equal(await decision(svc.as({ user: 'u' }), 'selectUser', { username: 'u' }), 'allowed');
  assert.match(await decision(svc.as({ user: 'u' }), 'selectUser', { username: 'other' }), /PrivilegeSelectUser/);
  await svc.operatePrivilege({ roleName: 'r', objectType: 'Collection', objectName: 'c', dbName: 'default', privilege: 'Load', type: 'Grant' });
  assert.deepEqual((await svc.selectGrant({ roleName: 'r', dbName: '*' })).map((g) => g.privilege).sort(), ['GetLoadState', 'GetLoadingProgress', 'Load']);
  assert.equal(await decision(svc.as({ user: 'u' }), 'getLoadingProgress', { collectionName: 'c' }), 'allowed');
  // granting twice and revoking what is absent both succeed
  await svc.operatePrivilege({ roleName: 'r', objectType: 'Collection', objectName: 'c', dbName: 'default', privilege: 'Load', type: 'Grant' });
  await svc.operatePrivilege({ roleName: 'r', objectType: 'Collection', objectName: 'c', dbName: 'default', privilege: 'Insert', type: 'Revoke' });
  assert.equal((await svc.selectGrant({ roleName: 'r', dbName: '*' })).length, 3);
});

test('ListDatabases and ShowCollections show only what the caller was granted', async () => {
  await ensureCollection();
  await clearGrants();
  if (!(await svc.hasCollection({ collectionName: 'hidden' }))) await svc.createCollection(vectorCollection('hidden', 4));
  const u = svc.as({ user: 'u' });
  assert.deepEqual(await u.listDatabases(), []);
  assert.deepEqual(await u.listCollections({}), []);
  await assert.rejects(u.describeCollection({ collectionName: 'c' }), /not allowed to access collection, collection name: c: privilege not permitted/);
  await svc.operatePrivilegeV2({ roleName: 'r', privilege: 'CollectionReadOnly', dbName: 'default', collectionName: 'c', type: 'Grant' });
  assert.deepEqual((await u.listDatabases()).map((d) => d.dbName), ['default']);
  assert.deepEqual((await u.listCollections({})).map((c) => c.name), ['c']);
  assert.equal((await u.describeCollection({ collectionName: 'a' })).collectionName, 'c');
  assert.ok((await svc.listCollections({})).length >= 2, 'root sees everything');
});

test('v2 level rules and v1 refusal of built-in groups use Milvus messages', async () => {
  await clearGrants();
  await assert.rejects(svc.operatePrivilegeV2({ roleName: 'r', privilege: 'ClusterAdmin', dbName: 'default', collectionName: '*', type: 'Grant' }),
    /dbName and collectionName should be \* for the cluster level privilege: ClusterAdmin/);
  await assert.rejects(svc.operatePrivilegeV2({ roleName: 'r', privilege: 'DatabaseAdmin', dbName: 'default', collectionName: 'c', type: 'Grant' }),
    /collectionName should be \* for the database level privilege: DatabaseAdmin/);
  await assert.rejects(svc.operatePrivilegeV2({ roleName: 'r', privilege: 'CollectionAdmin', dbName: '*', collectionName: 'c', type: 'Grant' }),
    /please specify database name for the collection level privilege: CollectionAdmin/);
  await assert.rejects(svc.operatePrivilege({ roleName: 'r', objectType: 'Collection', objectName: 'c', privilege: 'CollectionReadOnly', type: 'Grant' }),
    /can not operate the built-in privilege group \[CollectionReadOnly\]/);
  await assert.rejects(svc.operatePrivilege({ roleName: 'r', objectType: 'Global', objectName: '*', privilege: 'Search', type: 'Grant' }),
    /not found the privilege name\[Search\] in object\[Global\]/);
});
