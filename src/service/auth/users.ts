/** Users and roles: CreateCredential ... SelectUser, with Milvus 2.6's codes and messages. */
import { errors, rbacErrors } from '../../core/errors.js';
import type { RbacCatalog } from './catalog.js';
import { hashPassword, validatePassword } from './passwords.js';
import { BUILTIN_ROLES, ROOT_USER } from './privileges.js';
import type * as A from './types.js';

const MAX_USERNAME_BYTES = 32;
const MAX_NAME_BYTES = 255;
const isLetter = (c: string): boolean => /^[A-Za-z]$/.test(c);

/** ValidateUsername (2.6: letters, digits, `_`, `-`, `.`; a letter first; at most 32 bytes). */
export function validateUsername(raw: string): string {
  const name = raw.trim();
  if (name === '') throw errors.invalidParameter('username must be not empty');
  if (Buffer.byteLength(name) > MAX_USERNAME_BYTES) {
    throw errors.invalidParameter(`invalid username ${name} with length ${Buffer.byteLength(name)}, the length of username must be less than ${MAX_USERNAME_BYTES}`);
  }
  const first = name[0] as string;
  if (!isLetter(first)) throw errors.invalidParameter(`invalid user name ${name}, the first character must be a letter, but got ${first}`);
  for (const c of name.slice(1)) {
    if (!/^[A-Za-z0-9_.-]$/.test(c)) {
      throw errors.invalidParameter(`invalid user name ${name}, username must contain only numbers, letters, underscores, dots, and hyphens, but got ${c}`);
    }
  }
  return name;
}

/** ValidateRoleName / privilege group names: a letter or `_` first, then letters, digits, `_`. */
export function validateRoleName(raw: string, what = 'role'): string {
  const name = raw.trim();
  if (name === '') throw errors.invalidParameter(`the ${what} name should not be empty`);
  if (Buffer.byteLength(name) > MAX_NAME_BYTES) throw errors.invalidParameter(`the length of a ${what} name must be less than ${MAX_NAME_BYTES} characters`);
  const first = name[0] as string;
  if (!isLetter(first) && first !== '_') throw errors.invalidParameter(`the first character of a ${what} name must be an underscore or letter`);
  if (!/^[A-Za-z0-9_]*$/.test(name)) throw errors.invalidParameter(`${what} name can only contain numbers, letters and underscores`);
  return name;
}

const roleNotFound = (failure: 'DropRoleFailure' | 'OperateUserRoleFailure' | 'SelectGrantFailure' | 'OperatePrivilegeFailure') =>
  rbacErrors.failed('not found the role, maybe the role isn\'t existed or internal system error', failure);

export function requireRole(catalog: RbacCatalog, role: string, failure: Parameters<typeof roleNotFound>[0]): void {
  if (!catalog.hasRole(role)) throw roleNotFound(failure);
}

export async function createCredential(catalog: RbacCatalog, req: A.CredentialRequest): Promise<void> {
  const name = validateUsername(req.username);
  validatePassword(req.password);
  const passwordHash = await hashPassword(req.password);
  await catalog.change((b) => {
    if (b.users.some((u) => u.name === name)) throw rbacErrors.failed(`user already exists: ${name}`, 'CreateCredentialFailure');
    b.users.push({ name, passwordHash, roles: [], description: '' });
  });
}

/** The old password must match (wrong: 1400); the cached fast check dies with the old hash. */
export async function updateCredential(catalog: RbacCatalog, req: A.UpdateCredentialRequest): Promise<void> {
  validatePassword(req.newPassword);
  if (!(await catalog.verifyPassword(req.username, req.oldPassword))) {
    throw rbacErrors.notAuthenticated(`old password not correct for ${req.username}`);
  }
  const passwordHash = await hashPassword(req.newPassword);
  await catalog.change((b) => {
    const u = b.users.find((x) => x.name === req.username);
    if (u === undefined) throw rbacErrors.notAuthenticated(`old password not correct for ${req.username}`);
    u.passwordHash = passwordHash;
  });
  catalog.passwords.forget(req.username);
}

/** Deleting root: 1401. Deleting a user that does not exist succeeds. */
export async function deleteCredential(catalog: RbacCatalog, req: { username: string }): Promise<void> {
  if (req.username === ROOT_USER) throw rbacErrors.notPermitted('root user cannot be deleted', 'DeleteCredentialFailure');
  await catalog.change((b) => { b.users = b.users.filter((u) => u.name !== req.username); });
  catalog.passwords.forget(req.username);
}

export async function createRole(catalog: RbacCatalog, req: { roleName: string }): Promise<void> {
  const name = validateRoleName(req.roleName);
  await catalog.change((b) => {
    if (b.roles.includes(name)) throw rbacErrors.failed(`role [${name}] already exists`, 'CreateRoleFailure');
    b.roles.push(name);
  });
}

export async function dropRole(catalog: RbacCatalog, req: A.DropRoleRequest): Promise<void> {
  if ((BUILTIN_ROLES as readonly string[]).includes(req.roleName)) {
    throw rbacErrors.notPermitted(`the role[${req.roleName}] is a default role, which can't be dropped`, 'DropRoleFailure');
  }
  requireRole(catalog, req.roleName, 'DropRoleFailure');
  await catalog.change((b) => {
    const held = b.grants.some((g) => g.role === req.roleName);
    if (held && req.forceDrop !== true) {
      throw rbacErrors.failed('fail to drop the role that it has privileges. Use REVOKE API to revoke privileges', 'DropRoleFailure');
    }
    b.roles = b.roles.filter((r) => r !== req.roleName);
    b.grants = b.grants.filter((g) => g.role !== req.roleName);
    for (const u of b.users) u.roles = u.roles.filter((r) => r !== req.roleName);
  });
}

export async function operateUserRole(catalog: RbacCatalog, req: A.UserRoleRequest): Promise<void> {
  requireRole(catalog, req.roleName, 'OperateUserRoleFailure');
  await catalog.change((b) => {
    const u = b.users.find((x) => x.name === req.username);
    if (req.type === 'AddUserToRole') {
      if (u === undefined) throw rbacErrors.failed(`user "${req.username}" not found`, 'OperateUserRoleFailure');
      if (!u.roles.includes(req.roleName)) u.roles.push(req.roleName);
    } else if (u !== undefined) {
      u.roles = u.roles.filter((r) => r !== req.roleName);
    }
  });
}

/** A role that does not exist: success with no results. */
export function selectRole(catalog: RbacCatalog, req: A.SelectRoleRequest): A.RoleResult[] {
  const wanted = req.roleName ?? '';
  return catalog.roles.filter((r) => wanted === '' || r === wanted).map((role) => ({
    role,
    users: req.includeUserInfo === true ? catalog.users.filter((u) => u.roles.includes(role)).map((u) => u.name) : [],
  }));
}

/** A user that does not exist: success with no results. */
export function selectUser(catalog: RbacCatalog, req: A.SelectUserRequest): A.UserResult[] {
  const wanted = req.username ?? '';
  return catalog.users.filter((u) => wanted === '' || u.name === wanted).map((u) => ({
    user: u.name,
    roles: req.includeRoleInfo === true ? [...u.roles] : [],
  }));
}
