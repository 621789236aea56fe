/**
 * The credential / role / grant RPCs over the shared `RbacStore` (server/auth). NOTHING here is
 * enforced: calls are not checked against users, roles or grants; the RPCs exist so SDKs and tools
 * that manage users work, and the state they set is what REST `users/*` / `roles/*` see too.
 */
import { errors } from '../../core/errors.js';
import type { Grant, RbacStore } from '../auth/rbac.js';
import type { CallContext } from './codec/context.js';
import { bool, msg, num, str, type Wire } from './codec/wire.js';

export type RbacHandler = (rbac: RbacStore, req: Wire, ctx: CallContext) => Promise<Wire>;

const none: Wire = {};
const OBJECT_TYPES = ['Global', 'Collection', 'User'];

/** The SDKs send passwords base64-encoded (Node `stringToBase64`, pymilvus `base64.b64encode`). */
function password(v: unknown, what: string): string {
  return Buffer.from(str(v, what), 'base64').toString('utf8');
}

function required(v: unknown, what: string): string {
  const s = str(v, what);
  if (s === '') throw errors.missingParameter(what);
  return s;
}

function entityName(v: unknown, what: string): string {
  return str(msg(v, what)['name'], `${what}.name`);
}

function currentDb(dbName: string, ctx: CallContext): string {
  if (dbName !== '') return dbName;
  return ctx.headerDbName !== undefined && ctx.headerDbName !== '' ? ctx.headerDbName : 'default';
}

function grantToWire(role: string, g: Grant): Wire {
  return {
    role: { name: role }, object: { name: g.objectType }, object_name: g.objectName, db_name: g.dbName,
    grantor: { user: { name: g.grantor }, privilege: { name: g.privilege } },
  };
}

function requireRole(rbac: RbacStore, role: string): void {
  if (!rbac.listRoles().includes(role)) throw errors.invalidParameter('role not found', { role });
}

async function operatePrivilege(rbac: RbacStore, role: string, g: Grant, type: number): Promise<Wire> {
  if (!OBJECT_TYPES.includes(g.objectType)) {
    throw errors.invalidParameter('not found the object type', { expected: OBJECT_TYPES.join('|'), actual: g.objectType });
  }
  if (g.objectName === '') throw errors.missingParameter('object_name');
  if (g.privilege === '') throw errors.missingParameter('privilege');
  if (type === 0) await rbac.grantPrivilege(role, g);
  else if (type === 1) await rbac.revokePrivilege(role, g);
  else throw errors.invalidParameter('invalid operate privilege type', { expected: 'Grant|Revoke', actual: type });
  return none;
}

export const rbacRpcs: Record<string, RbacHandler> = {
  CreateCredential: async (rbac, req) => {
    await rbac.createUser(required(req['username'], 'username'), password(req['password'], 'password'));
    return none;
  },
  UpdateCredential: async (rbac, req) => {
    await rbac.updatePassword(required(req['username'], 'username'), password(req['oldPassword'], 'oldPassword'), password(req['newPassword'], 'newPassword'));
    return none;
  },
  DeleteCredential: async (rbac, req) => { await rbac.dropUser(required(req['username'], 'username')); return none; },
  ListCredUsers: async (rbac) => ({ usernames: rbac.listUsers() }),

  CreateRole: async (rbac, req) => { await rbac.createRole(required(msg(req['entity'], 'entity')['name'], 'entity.name')); return none; },
  /** Milvus refuses to drop a role that still holds grants unless `force_drop` is set. */
  DropRole: async (rbac, req) => {
    const role = required(req['role_name'], 'role_name');
    requireRole(rbac, role);
    if (!bool(req['force_drop']) && rbac.roleGrants(role).length > 0) {
      throw errors.invalidParameter('fail to drop the role that it has privileges, use REVOKE API to revoke privileges', { role });
    }
    await rbac.dropRole(role);
    return none;
  },
  OperateUserRole: async (rbac, req) => {
    const user = required(req['username'], 'username');
    const role = required(req['role_name'], 'role_name');
    const type = num(req['type'], 'type');
    if (type === 0) await rbac.grantRole(user, role);
    else if (type === 1) { requireRole(rbac, role); await rbac.revokeRole(user, role); }
    else throw errors.invalidParameter('invalid operate user role type', { expected: 'AddUserToRole|RemoveUserFromRole', actual: type });
    return none;
  },
  /** A missing role answers success with no results, as Milvus does. */
  SelectRole: async (rbac, req) => {
    const wanted = entityName(req['role'], 'role');
    const withUsers = bool(req['include_user_info']);
    const roles = rbac.listRoles().filter((r) => wanted === '' || r === wanted);
    const users = rbac.listUsers();
    return {
      results: roles.map((role) => ({
        role: { name: role, description: '' },
        users: withUsers ? users.filter((u) => rbac.userRoles(u).includes(role)).map((name) => ({ name })) : [],
      })),
    };
  },
  /** A missing user answers success with no results, as Milvus does. */
  SelectUser: async (rbac, req) => {
    const wanted = entityName(req['user'], 'user');
    const withRoles = bool(req['include_role_info']);
    const users = rbac.listUsers().filter((u) => wanted === '' || u === wanted);
    return {
      results: users.map((user) => ({
        user: { name: user },
        roles: withRoles ? rbac.userRoles(user).map((name) => ({ name, description: '' })) : [],
        description: '',
      })),
    };
  },

  OperatePrivilege: async (rbac, req, ctx) => {
    const e = msg(req['entity'], 'entity');
    const grantor = msg(e['grantor'], 'entity.grantor');
    const role = required(msg(e['role'], 'entity.role')['name'], 'entity.role.name');
    return operatePrivilege(rbac, role, {
      objectType: entityName(e['object'], 'entity.object'),
      objectName: str(e['object_name'], 'entity.object_name'),
      privilege: entityName(grantor['privilege'], 'entity.grantor.privilege'),
      dbName: currentDb(str(e['db_name'], 'entity.db_name'), ctx),
      grantor: ctx.user ?? 'root',
    }, num(req['type'], 'type'));
  },
  /**
   * V2 names a database and collection instead of an object type; Sextant files `*`/`*` grants as
   * `Global` and every other as `Collection` (Milvus derives the type from the privilege's level).
   */
  OperatePrivilegeV2: async (rbac, req, ctx) => {
    const role = required(msg(req['role'], 'role')['name'], 'role.name');
    const db = str(req['db_name'], 'db_name') || '*';
    const collection = str(req['collection_name'], 'collection_name') || '*';
    return operatePrivilege(rbac, role, {
      objectType: db === '*' && collection === '*' ? 'Global' : 'Collection',
      objectName: collection,
      privilege: entityName(msg(req['grantor'], 'grantor')['privilege'], 'grantor.privilege'),
      dbName: db,
      grantor: ctx.user ?? 'root',
    }, num(req['type'], 'type'));
  },
  /** Grants of one role, filtered by object type / name when given; db `*` lists every database. */
  SelectGrant: async (rbac, req, ctx) => {
    const e = msg(req['entity'], 'entity');
    const role = required(msg(e['role'], 'entity.role')['name'], 'entity.role.name');
    const objectType = entityName(e['object'], 'entity.object');
    const objectName = str(e['object_name'], 'entity.object_name');
    const db = currentDb(str(e['db_name'], 'entity.db_name'), ctx);
    if (objectType !== '' && objectName === '') throw errors.invalidParameter('the object name in the grant entity is empty');
    requireRole(rbac, role);
    const grants = rbac.roleGrants(role).filter((g) =>
      (db === '*' || g.dbName === db) && (objectType === '' || (g.objectType === objectType && g.objectName === objectName)));
    return { entities: grants.map((g) => grantToWire(role, g)) };
  },
};
