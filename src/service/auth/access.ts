/**
 * Access control of one service: the durable catalog, whether auth is on, authentication (password
 * check with the cached fast path) and the access-control operations. `SextantService` delegates
 * to this; `guardedFor` gives the checked view of the API for one caller.
 */
import type { Engine } from '../../engine/engine.js';
import { accessErrors } from '../../core/errors.js';
import type { DocStore } from '../../storage/ports.js';
import { localRbacStore } from '../../storage/rbac-file.js';
import type { MilvusApi } from '../api.js';
import { findCollection } from '../resolve.js';
import { DEFAULT_ROOT_PASSWORD, RbacCatalog } from './catalog.js';
import * as grants from './grants.js';
import { guarded, type NameResolver } from './guard.js';
import type * as A from './types.js';
import * as users from './users.js';

export interface AuthOptions {
  /** Check credentials and privileges on every request (`--auth`). Off: credentials are ignored. */
  enabled: boolean;
  /** root's password when the catalog is created (first start only); default `Milvus`. */
  rootPassword?: string;
}

export class AccessControl {
  private constructor(readonly catalog: RbacCatalog, readonly enabled: boolean, private readonly resolve: NameResolver) {}

  /** `store`: where users, roles and grants live (the ports' `rbac`); default: the data directory's RBAC file. */
  static async open(engine: Engine, opts: AuthOptions | undefined, store: DocStore = localRbacStore(engine.fs, engine.dataDir)): Promise<AccessControl> {
    const catalog = await RbacCatalog.open(store, opts?.rootPassword ?? DEFAULT_ROOT_PASSWORD);
    const resolve: NameResolver = (db, name) => findCollection(engine, db, name)?.meta.name ?? name;
    return new AccessControl(catalog, opts?.enabled === true, resolve);
  }

  async authenticate(user: string, password: string, fastOnly = false): Promise<A.RequestContext> {
    const ok = fastOnly ? this.catalog.knownGood(user, password) : await this.catalog.verifyPassword(user, password);
    if (!ok) throw accessErrors.badCredentials();
    return { user };
  }

  /** The API as `ctx`'s caller: unchanged when auth is off, checked operation by operation when on. */
  guardedFor(api: MilvusApi, ctx: A.RequestContext): MilvusApi {
    return this.enabled ? guarded(api, this.catalog, ctx, this.resolve) : api;
  }

  createCredential = (req: A.CredentialRequest) => users.createCredential(this.catalog, req);
  updateCredential = (req: A.UpdateCredentialRequest) => users.updateCredential(this.catalog, req);
  deleteCredential = (req: { username: string }) => users.deleteCredential(this.catalog, req);
  listCredUsers = async () => this.catalog.users.map((u) => u.name);
  createRole = (req: { roleName: string }) => users.createRole(this.catalog, req);
  dropRole = (req: A.DropRoleRequest) => users.dropRole(this.catalog, req);
  operateUserRole = (req: A.UserRoleRequest) => users.operateUserRole(this.catalog, req);
  selectRole = async (req: A.SelectRoleRequest) => users.selectRole(this.catalog, req);
  selectUser = async (req: A.SelectUserRequest) => users.selectUser(this.catalog, req);
  operatePrivilege = (req: A.OperatePrivilegeRequest, ctx: A.RequestContext) => grants.operatePrivilege(this.catalog, req, ctx, this.resolve);
  operatePrivilegeV2 = (req: A.OperatePrivilegeV2Request, ctx: A.RequestContext) => grants.operatePrivilegeV2(this.catalog, req, ctx, this.resolve);
  selectGrant = async (req: A.SelectGrantRequest, ctx: A.RequestContext) => grants.selectGrant(this.catalog, req, ctx);
  createPrivilegeGroup = (req: A.PrivilegeGroupRequest) => grants.createPrivilegeGroup(this.catalog, req);
  dropPrivilegeGroup = (req: A.PrivilegeGroupRequest) => grants.dropPrivilegeGroup(this.catalog, req);
  listPrivilegeGroups = async () => grants.listPrivilegeGroups(this.catalog);
  operatePrivilegeGroup = (req: A.OperatePrivilegeGroupRequest) => grants.operatePrivilegeGroup(this.catalog, req);
  backupRBAC = async () => grants.backupRBAC(this.catalog);
  restoreRBAC = (req: { meta: A.RbacMeta }) => grants.restoreRBAC(this.catalog, req);
}
