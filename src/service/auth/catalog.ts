/**
 * The access-control catalog: users (bcrypt hashes), roles, grants and custom privilege groups,
 * durable through a DocStore port (the data directory's storage/rbac-file.ts: checksummed, fsync'd,
 * replaced atomically; in a cluster etcd, storage/dist/etcd-rbac.ts, which query nodes read and
 * `refresh` from). A change is written before it becomes visible: `change()` copies the body, applies
 * the edit, writes the copy, and only then swaps it in, one change at a time. On first start it
 * holds `root` (with the configured password), roles `admin` and `public`, and public's default
 * grants (Global DescribeCollection and ListAliases, Collection IndexDetail on `*`.`*`).
 */
import { storageErrors } from '../../storage/errors.js';
import type { DocStore } from '../../storage/ports.js';
import { Mutex } from '../../engine/mutex.js';
import { hashPassword, PasswordChecker } from './passwords.js';
import { BUILTIN_ROLES, ROOT_USER, type ObjectType } from './privileges.js';

export interface UserRecord { name: string; passwordHash: string; roles: string[]; description: string }
export interface GrantRecord {
  role: string; objectType: ObjectType; dbName: string; objectName: string; privilege: string; grantor: string;
}
export interface GroupRecord { name: string; privileges: string[] }
export interface CatalogBody {
  formatVersion: 1;
  users: UserRecord[];
  roles: string[];
  grants: GrantRecord[];
  groups: GroupRecord[];
}

export const DEFAULT_ROOT_PASSWORD = 'Milvus';

function publicGrants(): GrantRecord[] {
  const g = (objectType: ObjectType, privilege: string): GrantRecord => ({ role: 'public', objectType, dbName: '*', objectName: '*', privilege, grantor: ROOT_USER });
  return [g('Global', 'DescribeCollection'), g('Global', 'ListAliases'), g('Collection', 'IndexDetail')];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkBody(json: unknown, file: string): CatalogBody {
  const bad = (why: string) => storageErrors.corruptFile(file, 16, why);
  if (!isRecord(json) || json['formatVersion'] !== 1) throw bad('not an access-control catalog body of format 1');
  for (const k of ['users', 'roles', 'grants', 'groups']) if (!Array.isArray(json[k])) throw bad(`member ${k} is not a list`);
  return json as unknown as CatalogBody;
}

export class RbacCatalog {
  readonly passwords = new PasswordChecker();
  private readonly lock = new Mutex();

  private constructor(private body: CatalogBody, private readonly store: DocStore) {}

  /**
   * Read the store's document; on first start create it with root (password `rootPassword`), admin
   * and public. A read-only store (a query node) that holds none yet is not written: that body is used in memory.
   */
  static async open(store: DocStore, rootPassword: string = DEFAULT_ROOT_PASSWORD): Promise<RbacCatalog> {
    const json = await store.read();
    if (json !== null) {
      const catalog = new RbacCatalog(checkBody(json, 'RBAC'), store);
      if (catalog.user(ROOT_USER) === undefined && store.writable) await catalog.change(async (b) => { b.users.push(await rootUser(rootPassword)); });
      return catalog;
    }
    const body: CatalogBody = { formatVersion: 1, users: [await rootUser(rootPassword)], roles: [...BUILTIN_ROLES], grants: publicGrants(), groups: [] };
    if (store.writable) await store.write(body);
    return new RbacCatalog(body, store);
  }

  /** Read the document again (a query node follows the writer's changes); a missing one changes nothing. */
  async refresh(): Promise<void> {
    await this.lock.run(async () => {
      const json = await this.store.read();
      if (json !== null) this.body = checkBody(json, 'RBAC');
    });
  }

  get users(): readonly UserRecord[] { return this.body.users; }
  get roles(): readonly string[] { return this.body.roles; }
  get grants(): readonly GrantRecord[] { return this.body.grants; }
  get groups(): readonly GroupRecord[] { return this.body.groups; }

  user(name: string): UserRecord | undefined { return this.body.users.find((u) => u.name === name); }
  hasRole(name: string): boolean { return this.body.roles.includes(name); }
  group(name: string): GroupRecord | undefined { return this.body.groups.find((g) => g.name === name); }

  /** The user's roles plus `public`, which every user holds. */
  rolesOf(user: string): string[] {
    const own = this.user(user)?.roles ?? [];
    return own.includes('public') ? [...own] : [...own, 'public'];
  }

  /** Apply `edit` to a copy, write it durably, then make it current. One change at a time. */
  async change<T>(edit: (draft: CatalogBody) => T | Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      const draft = structuredClone(this.body);
      const out = await edit(draft);
      await this.store.write(draft);
      this.body = draft;
      return out;
    });
  }

  /** True when `password` is `user`'s current password (cached fast check after the first bcrypt). */
  verifyPassword(user: string, password: string): Promise<boolean> {
    return this.passwords.verify(user, password, this.user(user)?.passwordHash);
  }

  /** The fast check alone (no bcrypt): used to let known-good logins through a rate limit. */
  knownGood(user: string, password: string): boolean {
    return this.passwords.checkCached(user, password, this.user(user)?.passwordHash);
  }
}

async function rootUser(password: string): Promise<UserRecord> {
  return { name: ROOT_USER, passwordHash: await hashPassword(password), roles: [], description: '' };
}
