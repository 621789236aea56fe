/** Requests and results of the access-control operations (Milvus' credential / role / grant RPCs). */
import type { ObjectType } from './privileges.js';

/** Who is calling, in which database, until when. Transports build it; the service checks it. */
export interface RequestContext {
  /** The authenticated user (`root` for trusted in-process callers). */
  readonly user: string;
  /** The database the caller named (gRPC `dbname` metadata, REST `dbName`), '' or absent = default. */
  readonly dbName?: string;
  /** Epoch ms after which the caller no longer waits (gRPC deadline), absent = none. */
  readonly deadlineMs?: number;
}

export const ROOT_CONTEXT: RequestContext = { user: 'root' };

export interface CredentialRequest { username: string; password: string }
export interface UpdateCredentialRequest { username: string; oldPassword: string; newPassword: string }
export interface UserRoleRequest { username: string; roleName: string; type: 'AddUserToRole' | 'RemoveUserFromRole' }
export interface DropRoleRequest { roleName: string; forceDrop?: boolean }
export interface SelectRoleRequest { roleName?: string; includeUserInfo?: boolean }
export interface SelectUserRequest { username?: string; includeRoleInfo?: boolean }
export interface RoleResult { role: string; users: string[] }
export interface UserResult { user: string; roles: string[] }

export type GrantType = 'Grant' | 'Revoke';
/** v1: an object type and name; `dbName` '' means the caller's database. */
export interface OperatePrivilegeRequest {
  roleName: string; objectType: string; objectName: string; dbName?: string; privilege: string; type: GrantType;
}
/** v2: a database and collection (`*` for all), any privilege or group (`*` for all). */
export interface OperatePrivilegeV2Request {
  roleName: string; privilege: string; dbName?: string; collectionName?: string; type: GrantType;
}
export interface SelectGrantRequest { roleName: string; objectType?: string; objectName?: string; dbName?: string }
export interface GrantEntry {
  role: string; objectType: ObjectType; objectName: string; dbName: string; privilege: string; grantor: string;
}
export interface PrivilegeGroupRequest { groupName: string }
export interface OperatePrivilegeGroupRequest {
  groupName: string; privileges: string[]; type: 'AddPrivilegesToGroup' | 'RemovePrivilegesFromGroup';
}
export interface PrivilegeGroupInfo { groupName: string; privileges: string[] }

/** BackupRBAC / RestoreRBAC (`RBACMeta`): everything except root, admin, public and built-in groups. */
export interface RbacMeta {
  users: { user: string; password: string; roles: string[] }[];
  roles: string[];
  grants: GrantEntry[];
  privilegeGroups: PrivilegeGroupInfo[];
}
