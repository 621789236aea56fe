/**
 * Grants and privilege groups: OperatePrivilege (v1), OperatePrivilegeV2, SelectGrant, the
 * privilege-group RPCs, BackupRBAC / RestoreRBAC. Granting twice and revoking an absent grant
 * succeed; granting Load also grants GetLoadState and GetLoadingProgress (Flush: GetFlushState).
 */
import { errors, rbacErrors } from '../../core/errors.js';
import type { CatalogBody, GrantRecord, RbacCatalog } from './catalog.js';
import {
  BUILTIN_GROUPS, BUILTIN_ROLES, isPrivilege, LEGACY_GROUPS, levelOf, OBJECT_TYPES, objectTypeOf, RELATED_PRIVILEGES,
  ROOT_USER, validForObject, type ObjectType,
} from './privileges.js';
import type { NameResolver } from './guard.js';
import type * as A from './types.js';
import { requireRole, validateRoleName } from './users.js';

const opFailed = (what: string) => rbacErrors.failed(what, 'OperatePrivilegeFailure');
const callerDb = (ctx: A.RequestContext): string => (ctx.dbName !== undefined && ctx.dbName !== '' ? ctx.dbName : 'default');
const sameGrant = (a: GrantRecord, b: GrantRecord): boolean =>
  a.role === b.role && a.objectType === b.objectType && a.dbName === b.dbName && a.objectName === b.objectName && a.privilege === b.privilege;

async function apply(catalog: RbacCatalog, grant: GrantRecord, type: A.GrantType): Promise<void> {
  const all = [grant, ...(RELATED_PRIVILEGES.get(grant.privilege) ?? []).map((privilege) => ({ ...grant, privilege }))];
  await catalog.change((b) => {
    for (const g of all) {
      if (type === 'Grant') { if (!b.grants.some((x) => sameGrant(x, g))) b.grants.push(g); }
      else b.grants = b.grants.filter((x) => !sameGrant(x, g));
    }
  });
}

function grantType(type: string): A.GrantType {
  if (type === 'Grant' || type === 'Revoke') return type;
  throw errors.invalidParameter('invalid operate privilege type', { expected: 'Grant|Revoke', actual: type });
}

export async function operatePrivilege(catalog: RbacCatalog, req: A.OperatePrivilegeRequest, ctx: A.RequestContext, resolve: NameResolver): Promise<void> {
  const type = grantType(req.type);
  if (!(OBJECT_TYPES as readonly string[]).includes(req.objectType)) {
    throw opFailed(`not found the object type[name: ${req.objectType}], supported the object types: [${OBJECT_TYPES.join(' ')}]`);
  }
  const objectType = req.objectType as ObjectType;
  if (BUILTIN_GROUPS.has(req.privilege)) throw opFailed(`can not operate the built-in privilege group [${req.privilege}]`);
  if (catalog.group(req.privilege) !== undefined) throw opFailed(`can not operate the custom privilege group [${req.privilege}]`);
  if (!validForObject(req.privilege, objectType)) throw opFailed(`not found the privilege name[${req.privilege}] in object[${objectType}]`);
  if (req.objectName === '') throw opFailed('the object name in the grant entity is empty');
  requireRole(catalog, req.roleName, 'OperatePrivilegeFailure');
  const dbName = req.dbName !== undefined && req.dbName !== '' ? req.dbName : callerDb(ctx);
  const objectName = objectType === 'Global' ? '*' : objectType === 'Collection' && req.objectName !== '*' ? resolve(dbName, req.objectName) : req.objectName;
  await apply(catalog, { role: req.roleName, objectType, dbName, objectName, privilege: req.privilege, grantor: ctx.user }, type);
}

function checkLevel(privilege: string, db: string, collection: string): void {
  const group = BUILTIN_GROUPS.get(privilege);
  if (group?.level === 'Cluster' && (db !== '*' || collection !== '*')) {
    throw opFailed(`dbName and collectionName should be * for the cluster level privilege: ${privilege}`);
  }
  if (group?.level === 'Database' && collection !== '*') throw opFailed(`collectionName should be * for the database level privilege: ${privilege}`);
  if (group?.level === 'Collection' && db === '*' && collection !== '*') {
    throw opFailed(`please specify database name for the collection level privilege: ${privilege}`);
  }
}

export async function operatePrivilegeV2(catalog: RbacCatalog, req: A.OperatePrivilegeV2Request, ctx: A.RequestContext, resolve: NameResolver): Promise<void> {
  const type = grantType(req.type);
  const p = req.privilege;
  if (p !== '*' && !isPrivilege(p) && !BUILTIN_GROUPS.has(p) && catalog.group(p) === undefined) {
    throw opFailed(`not found the privilege name[${p}]`);
  }
  requireRole(catalog, req.roleName, 'OperatePrivilegeFailure');
  const db = req.dbName !== undefined && req.dbName !== '' ? req.dbName : callerDb(ctx);
  const given = req.collectionName !== undefined && req.collectionName !== '' ? req.collectionName : '*';
  checkLevel(p, db, given);
  const collection = given !== '*' && db !== '*' ? resolve(db, given) : given;
  await apply(catalog, { role: req.roleName, objectType: objectTypeOf(p), dbName: db, objectName: collection, privilege: p, grantor: ctx.user }, type);
}

const toEntry = (g: GrantRecord): A.GrantEntry => ({ ...g });

/** Grants of one role, unexpanded; db `*` lists every database, '' the caller's. */
export function selectGrant(catalog: RbacCatalog, req: A.SelectGrantRequest, ctx: A.RequestContext): A.GrantEntry[] {
  requireRole(catalog, req.roleName, 'SelectGrantFailure');
  const db = req.dbName !== undefined && req.dbName !== '' ? req.dbName : callerDb(ctx);
  const objectType = req.objectType ?? '';
  const objectName = req.objectName ?? '';
  if (objectType !== '' && objectName === '') throw rbacErrors.failed('the object name in the grant entity is empty', 'SelectGrantFailure');
  return catalog.grants.filter((g) => {
    if (g.role !== req.roleName) return false;
    if (objectType === '') return db === '*' || g.dbName === db;
    return g.objectType === objectType && g.objectName === objectName && (db === '*' || g.dbName === db || g.dbName === '*');
  }).map(toEntry);
}

// ---- privilege groups

const groupExists = (name: string) => new Set([...BUILTIN_GROUPS.keys(), ...LEGACY_GROUPS.keys(), '*']).has(name) || isPrivilege(name);

export async function createPrivilegeGroup(catalog: RbacCatalog, req: A.PrivilegeGroupRequest): Promise<void> {
  let name: string;
  try { name = validateRoleName(req.groupName, 'privilege group'); } catch (e) {
    throw rbacErrors.invalidGroupName(e instanceof Error ? e.message.replace(/: invalid parameter.*$/, '') : String(e));
  }
  if (groupExists(name)) throw rbacErrors.failed(`privilege group name [${name}] is defined by built in privileges or privilege groups in system`, 'CreatePrivilegeGroupFailure');
  await catalog.change((b) => {
    if (b.groups.some((g) => g.name === name)) throw rbacErrors.failed(`privilege group name [${name}] is defined by users`, 'CreatePrivilegeGroupFailure');
    b.groups.push({ name, privileges: [] });
  });
}

/** A group still granted cannot be dropped; dropping a name that is not a custom group succeeds. */
export async function dropPrivilegeGroup(catalog: RbacCatalog, req: A.PrivilegeGroupRequest): Promise<void> {
  await catalog.change((b) => {
    const user = b.grants.find((g) => g.privilege === req.groupName);
    if (user !== undefined && b.groups.some((g) => g.name === req.groupName)) {
      throw rbacErrors.failed(`privilege group [${req.groupName}] is used by role [${user.role}], Use REVOKE API to revoke it first`, 'DropPrivilegeGroupFailure');
    }
    b.groups = b.groups.filter((g) => g.name !== req.groupName);
  });
}

/** Custom groups first, then the nine built-in groups. */
export function listPrivilegeGroups(catalog: RbacCatalog): A.PrivilegeGroupInfo[] {
  return [
    ...catalog.groups.map((g) => ({ groupName: g.name, privileges: [...g.privileges] })),
    ...[...BUILTIN_GROUPS].map(([groupName, g]) => ({ groupName, privileges: [...g.members] })),
  ];
}

export async function operatePrivilegeGroup(catalog: RbacCatalog, req: A.OperatePrivilegeGroupRequest): Promise<void> {
  const failed = (what: string) => rbacErrors.failed(what, 'OperatePrivilegeGroupFailure');
  for (const p of req.privileges) {
    if (!isPrivilege(p)) throw failed(`there is no privilege name or privilege group name [${p}] defined in system to operate`);
  }
  await catalog.change((b) => {
    const group = b.groups.find((g) => g.name === req.groupName);
    if (group === undefined) throw failed(`there is no privilege group name [${req.groupName}] defined in system to operate`);
    if (req.type === 'AddPrivilegesToGroup') {
      const next = [...new Set([...group.privileges, ...req.privileges])];
      if (new Set(next.map(levelOf)).size > 1) throw failed('privileges are not the same privilege level');
      group.privileges = next;
    } else if (req.type === 'RemovePrivilegesFromGroup') {
      group.privileges = group.privileges.filter((p) => !req.privileges.includes(p));
    } else {
      throw failed(`invalid operate privilege group type ${String(req.type)}`);
    }
  });
}

// ---- backup / restore

const isDefaultRole = (r: string): boolean => (BUILTIN_ROLES as readonly string[]).includes(r);

/** Everything but root, admin, public (and their grants) and the built-in groups; hashes verbatim. */
export function backupRBAC(catalog: RbacCatalog): A.RbacMeta {
  return {
    users: catalog.users.filter((u) => u.name !== ROOT_USER).map((u) => ({ user: u.name, password: u.passwordHash, roles: [...u.roles] })),
    roles: catalog.roles.filter((r) => !isDefaultRole(r)),
    grants: catalog.grants.filter((g) => !isDefaultRole(g.role)).map(toEntry),
    privilegeGroups: catalog.groups.map((g) => ({ groupName: g.name, privileges: [...g.privileges] })),
  };
}

function checkRestorable(b: CatalogBody, meta: A.RbacMeta): void {
  for (const r of meta.roles) if (b.roles.includes(r)) throw errors.invalidParameter(`role [${r}] already exists`);
  for (const g of meta.privilegeGroups) if (b.groups.some((x) => x.name === g.groupName)) throw errors.invalidParameter(`privilege group [${g.groupName}] already exists`);
  for (const u of meta.users) if (b.users.some((x) => x.name === u.user)) throw errors.invalidParameter(`user [${u.user}] already exists`);
}

/** Fails when any user, role or group already exists; an empty meta is a no-op. */
export async function restoreRBAC(catalog: RbacCatalog, req: { meta: A.RbacMeta }): Promise<void> {
  const m = req.meta;
  if (m.users.length + m.roles.length + m.grants.length + m.privilegeGroups.length === 0) return;
  await catalog.change((b) => {
    checkRestorable(b, m);
    b.roles.push(...m.roles);
    b.groups.push(...m.privilegeGroups.map((g) => ({ name: g.groupName, privileges: [...g.privileges] })));
    b.users.push(...m.users.map((u) => ({ name: u.user, passwordHash: u.password, roles: [...u.roles], description: '' })));
    for (const g of m.grants) if (!b.grants.some((x) => sameGrant(x, g))) b.grants.push({ ...g });
  });
}
