/**
 * Users, roles and grants, shared by the REST `users/*` / `roles/*` endpoints and the gRPC
 * credential/role RPCs (one store per server instance): a small store kept in one JSON file
 * (replaced by write-temp + rename) or only in memory. It is NOT enforced: requests are not
 * checked against it until Sextant gets an authentication issue; it exists so tools that manage
 * users work. Passwords are kept as salted scrypt hashes, never in clear.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { errors } from '../../core/errors.js';
import { validateName } from '../../schema/build.js';

export interface Grant { objectType: string; objectName: string; privilege: string; dbName: string; grantor: string }
interface UserRecord { name: string; salt: string; hash: string; roles: string[] }
interface RoleRecord { name: string; grants: Grant[] }
interface StoreBody { version: 1; users: UserRecord[]; roles: RoleRecord[] }

const BUILTIN_ROLES = ['admin', 'public'];
const ROOT = 'root';

const scryptAsync = promisify(scrypt) as (password: string, salt: string, keyLength: number) => Promise<Buffer>;

async function hashPassword(password: string, salt: string): Promise<string> {
  return (await scryptAsync(password, salt, 32)).toString('hex');
}

async function freshBody(): Promise<StoreBody> {
  const salt = randomBytes(16).toString('hex');
  return {
    version: 1,
    users: [{ name: ROOT, salt, hash: await hashPassword('Milvus', salt), roles: ['admin'] }],
    roles: BUILTIN_ROLES.map((name) => ({ name, grants: [] })),
  };
}

function checkPassword(password: string): void {
  if (password.length < 6 || password.length > 256) {
    throw errors.invalidParameter('invalid password length', { expected: '6-256 characters', actual: password.length });
  }
}

export class RbacStore {
  private writing: Promise<void> = Promise.resolve();

  private constructor(private body: StoreBody, private readonly file: string | null) {}

  /** Open the store in `file` (created on first change), or a memory-only store when file is null. */
  static async open(file: string | null): Promise<RbacStore> {
    if (file === null) return new RbacStore(await freshBody(), null);
    try {
      const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
      if (typeof parsed === 'object' && parsed !== null && (parsed as StoreBody).version === 1) return new RbacStore(parsed as StoreBody, file);
      throw new Error(`${file}: not a Sextant user store`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new RbacStore(await freshBody(), file);
      throw e;
    }
  }

  private async persist(): Promise<void> {
    const file = this.file;
    if (file === null) return;
    const text = JSON.stringify(this.body);
    const next = this.writing.then(async () => {
      await writeFile(`${file}.tmp`, text, { mode: 0o600 });
      await rename(`${file}.tmp`, file);
    });
    this.writing = next.catch(() => undefined);
    await next;
  }

  private user(name: string): UserRecord {
    const u = this.body.users.find((x) => x.name === name);
    if (u === undefined) throw errors.invalidParameter('user not found', { user: name });
    return u;
  }

  private role(name: string): RoleRecord {
    const r = this.body.roles.find((x) => x.name === name);
    if (r === undefined) throw errors.invalidParameter('role not found', { role: name });
    return r;
  }

  listUsers(): string[] { return this.body.users.map((u) => u.name); }
  userRoles(name: string): string[] { return [...this.user(name).roles]; }
  listRoles(): string[] { return this.body.roles.map((r) => r.name); }
  roleGrants(name: string): Grant[] { return this.role(name).grants.map((g) => ({ ...g })); }

  async createUser(name: string, password: string): Promise<void> {
    validateName('collection', name);
    checkPassword(password);
    const salt = randomBytes(16).toString('hex');
    const hash = await hashPassword(password, salt);
    if (this.body.users.some((u) => u.name === name)) throw errors.invalidParameter('user already exists', { user: name });
    this.body.users.push({ name, salt, hash, roles: [] });
    await this.persist();
  }

  async updatePassword(name: string, oldPassword: string, newPassword: string): Promise<void> {
    const u = this.user(name);
    const given = Buffer.from(await hashPassword(oldPassword, u.salt), 'hex');
    if (!timingSafeEqual(given, Buffer.from(u.hash, 'hex'))) throw errors.invalidParameter('old password is not correct', { user: name });
    checkPassword(newPassword);
    const salt = randomBytes(16).toString('hex');
    const hash = await hashPassword(newPassword, salt);
    u.salt = salt;
    u.hash = hash;
    await this.persist();
  }

  async dropUser(name: string): Promise<void> {
    if (name === ROOT) throw errors.invalidParameter('root user cannot be deleted');
    this.body.users = this.body.users.filter((u) => u.name !== name);
    await this.persist();
  }

  async grantRole(user: string, role: string): Promise<void> {
    this.role(role);
    const u = this.user(user);
    if (!u.roles.includes(role)) u.roles.push(role);
    await this.persist();
  }

  async revokeRole(user: string, role: string): Promise<void> {
    const u = this.user(user);
    u.roles = u.roles.filter((r) => r !== role);
    await this.persist();
  }

  async createRole(name: string): Promise<void> {
    validateName('collection', name);
    if (this.body.roles.some((r) => r.name === name)) throw errors.invalidParameter('role already exists', { role: name });
    this.body.roles.push({ name, grants: [] });
    await this.persist();
  }

  async dropRole(name: string): Promise<void> {
    if (BUILTIN_ROLES.includes(name)) throw errors.invalidParameter('the built-in role cannot be dropped', { role: name });
    this.body.roles = this.body.roles.filter((r) => r.name !== name);
    for (const u of this.body.users) u.roles = u.roles.filter((r) => r !== name);
    await this.persist();
  }

  async grantPrivilege(role: string, g: Grant): Promise<void> {
    const r = this.role(role);
    const same = (x: Grant): boolean => x.objectType === g.objectType && x.objectName === g.objectName && x.privilege === g.privilege && x.dbName === g.dbName;
    if (!r.grants.some(same)) r.grants.push(g);
    await this.persist();
  }

  async revokePrivilege(role: string, g: Grant): Promise<void> {
    const r = this.role(role);
    r.grants = r.grants.filter((x) => !(x.objectType === g.objectType && x.objectName === g.objectName && x.privilege === g.privilege && x.dbName === g.dbName));
    await this.persist();
  }

  /** Wait for pending writes (close). */
  async flush(): Promise<void> {
    await this.writing;
  }
}
