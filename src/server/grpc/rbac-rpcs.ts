/**
 * The credential / role / grant / privilege-group RPCs: decode, one service call, encode. The
 * semantics (and the privilege check of the caller) live in the service (service/auth).
 */
import { errors } from '../../core/errors.js';
import type { MilvusApi } from '../../service/api.js';
import type { GrantEntry, RbacMeta } from '../../service/auth/types.js';
import type { CallContext } from './codec/context.js';
import { bool, list, msg, num, str, type Wire } from './codec/wire.js';

export type RbacHandler = (api: MilvusApi, req: Wire, ctx: CallContext) => Promise<Wire>;

const none: Wire = {};

/** The SDKs send passwords base64-encoded (Node `stringToBase64`, pymilvus `base64.b64encode`). */
function password(v: unknown, what: string): string {
  return Buffer.from(str(v, what), 'base64').toString('utf8');
}

function entityName(v: unknown, what: string): string {
  return str(msg(v, what)['name'], `${what}.name`);
}

function grantType(v: unknown): 'Grant' | 'Revoke' {
  const t = num(v, 'type');
  if (t === 0) return 'Grant';
  if (t === 1) return 'Revoke';
  throw errors.invalidParameter('invalid operate privilege type', { expected: 'Grant|Revoke', actual: t });
}

function grantToWire(g: GrantEntry): Wire {
  return {
    role: { name: g.role }, object: { name: g.objectType }, object_name: g.objectName, db_name: g.dbName,
    grantor: { user: { name: g.grantor }, privilege: { name: g.privilege } },
  };
}

function grantFromWire(v: unknown): GrantEntry {
  const e = msg(v, 'grant');
  const grantor = msg(e['grantor'], 'grant.grantor');
  const objectType = entityName(e['object'], 'grant.object');
  if (objectType !== 'Global' && objectType !== 'Collection' && objectType !== 'User') {
    throw errors.invalidParameter('not found the object type', { actual: objectType });
  }
  return {
    role: entityName(e['role'], 'grant.role'), objectType, objectName: str(e['object_name'], 'grant.object_name'),
    dbName: str(e['db_name'], 'grant.db_name'), privilege: entityName(grantor['privilege'], 'grant.grantor.privilege'),
    grantor: entityName(grantor['user'], 'grant.grantor.user'),
  };
}

const names = (v: unknown, what: string): string[] => list(v, what).map((x) => entityName(x, what));

function metaToWire(m: RbacMeta): Wire {
  return {
    users: m.users.map((u) => ({ user: u.user, password: u.password, roles: u.roles.map((name) => ({ name })) })),
    roles: m.roles.map((name) => ({ name })),
    grants: m.grants.map(grantToWire),
    privilege_groups: m.privilegeGroups.map((g) => ({ group_name: g.groupName, privileges: g.privileges.map((name) => ({ name })) })),
  };
}

function metaFromWire(v: unknown): RbacMeta {
  const m = v === undefined || v === null ? {} : msg(v, 'RBAC_meta');
  return {
    users: list(m['users'], 'users').map((x) => {
      const u = msg(x, 'user');
      return { user: str(u['user'], 'user.user'), password: str(u['password'], 'user.password'), roles: names(u['roles'], 'user.roles') };
    }),
    roles: names(m['roles'], 'roles'),
    grants: list(m['grants'], 'grants').map(grantFromWire),
    privilegeGroups: list(m['privilege_groups'], 'privilege_groups').map((x) => {
      const g = msg(x, 'privilege_group');
      return { groupName: str(g['group_name'], 'group_name'), privileges: names(g['privileges'], 'privileges') };
    }),
  };
}

const dbOf = (v: unknown, what: string, ctx: CallContext): string => str(v, what) || (ctx.headerDbName ?? '');

export const rbacRpcs: Record<string, RbacHandler> = {
  CreateCredential: async (api, req) => {
    await api.createCredential({ username: str(req['username'], 'username'), password: password(req['password'], 'password') });
    return none;
  },
  UpdateCredential: async (api, req) => {
    await api.updateCredential({
      username: str(req['username'], 'username'), oldPassword: password(req['oldPassword'], 'oldPassword'), newPassword: password(req['newPassword'], 'newPassword'),
    });
    return none;
  },
  DeleteCredential: async (api, req) => { await api.deleteCredential({ username: str(req['username'], 'username') }); return none; },
  ListCredUsers: async (api) => ({ usernames: await api.listCredUsers({}) }),
  CreateRole: async (api, req) => { await api.createRole({ roleName: entityName(req['entity'], 'entity') }); return none; },
  DropRole: async (api, req) => { await api.dropRole({ roleName: str(req['role_name'], 'role_name'), forceDrop: bool(req['force_drop']) }); return none; },
  OperateUserRole: async (api, req) => {
    const t = num(req['type'], 'type');
    if (t !== 0 && t !== 1) throw errors.invalidParameter('invalid operate user role type', { expected: 'AddUserToRole|RemoveUserFromRole', actual: t });
    await api.operateUserRole({ username: str(req['username'], 'username'), roleName: str(req['role_name'], 'role_name'), type: t === 0 ? 'AddUserToRole' : 'RemoveUserFromRole' });
    return none;
  },
  SelectRole: async (api, req) => {
    const r = await api.selectRole({ roleName: entityName(req['role'], 'role'), includeUserInfo: bool(req['include_user_info']) });
    return { results: r.map((x) => ({ role: { name: x.role, description: '' }, users: x.users.map((name) => ({ name })) })) };
  },
  SelectUser: async (api, req) => {
    const r = await api.selectUser({ username: entityName(req['user'], 'user'), includeRoleInfo: bool(req['include_role_info']) });
    return { results: r.map((x) => ({ user: { name: x.user }, roles: x.roles.map((name) => ({ name, description: '' })), description: '' })) };
  },
  OperatePrivilege: async (api, req, ctx) => {
    const e = msg(req['entity'], 'entity');
    const grantor = msg(e['grantor'], 'entity.grantor');
    await api.operatePrivilege({
      roleName: entityName(e['role'], 'entity.role'), objectType: entityName(e['object'], 'entity.object'),
      objectName: str(e['object_name'], 'entity.object_name'), dbName: dbOf(e['db_name'], 'entity.db_name', ctx),
      privilege: entityName(grantor['privilege'], 'entity.grantor.privilege'), type: grantType(req['type']),
    });
    return none;
  },
  OperatePrivilegeV2: async (api, req, ctx) => {
    await api.operatePrivilegeV2({
      roleName: entityName(req['role'], 'role'), privilege: entityName(msg(req['grantor'], 'grantor')['privilege'], 'grantor.privilege'),
      dbName: dbOf(req['db_name'], 'db_name', ctx), collectionName: str(req['collection_name'], 'collection_name'), type: grantType(req['type']),
    });
    return none;
  },
  SelectGrant: async (api, req, ctx) => {
    const e = msg(req['entity'], 'entity');
    const entities = await api.selectGrant({
      roleName: entityName(e['role'], 'entity.role'), objectType: entityName(e['object'], 'entity.object'),
      objectName: str(e['object_name'], 'entity.object_name'), dbName: dbOf(e['db_name'], 'entity.db_name', ctx),
    });
    return { entities: entities.map(grantToWire) };
  },
  CreatePrivilegeGroup: async (api, req) => { await api.createPrivilegeGroup({ groupName: str(req['group_name'], 'group_name') }); return none; },
  DropPrivilegeGroup: async (api, req) => { await api.dropPrivilegeGroup({ groupName: str(req['group_name'], 'group_name') }); return none; },
  ListPrivilegeGroups: async (api) => ({
    privilege_groups: (await api.listPrivilegeGroups({})).map((g) => ({ group_name: g.groupName, privileges: g.privileges.map((name) => ({ name })) })),
  }),
  OperatePrivilegeGroup: async (api, req) => {
    const t = num(req['type'], 'type');
    await api.operatePrivilegeGroup({
      groupName: str(req['group_name'], 'group_name'), privileges: names(req['privileges'], 'privileges'),
      type: t === 0 ? 'AddPrivilegesToGroup' : 'RemovePrivilegesFromGroup',
    });
    return none;
  },
  BackupRBAC: async (api) => ({ RBAC_meta: metaToWire(await api.backupRBAC({})) }),
  RestoreRBAC: async (api, req) => { await api.restoreRBAC({ meta: metaFromWire(req['RBAC_meta']) }); return none; },
};
