/**
 * The access-control catalog: durable through the storage layer (a crash at any file-system
 * operation keeps every acknowledged change and never a torn catalog), bcrypt hashes compatible
 * with Milvus' (a Go-generated hash from Milvus' own test verifies after RestoreRBAC), password
 * length rules, root's password set on first start only, the cached check dropped on update/delete.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';
import type { FileSystem } from '../../src/storage/fs/types.js';
import { SextantService } from '../../src/service/service.js';
import { localRbacStore } from '../../src/storage/rbac-file.js';
import { RbacCatalog } from '../../src/service/auth/catalog.js';
import { rng } from '../support/fixtures.js';

const DIR = '/data';
const open = (fs: FileSystem, rootPassword?: string) =>
  SextantService.open({ dataDir: DIR, fs, lock: false, auth: { enabled: true, ...(rootPassword !== undefined ? { rootPassword } : {}) } });

async function canLogin(svc: SextantService, user: string, password: string): Promise<boolean> {
  return svc.authenticate(user, password).then(() => true, () => false);
}

test('root gets --root-password on first start only; default Milvus', async () => {
  const mem = new MemoryFileSystem();
  let svc = await open(mem, 'first-pw');
  assert.ok(await canLogin(svc, 'root', 'first-pw'));
  assert.ok(!(await canLogin(svc, 'root', 'Milvus')));
  await svc.close();
  svc = await open(mem, 'second-pw');
  assert.ok(await canLogin(svc, 'root', 'first-pw'), 'a later --root-password does not change an existing root');
  await svc.close();
  const fresh = await open(new MemoryFileSystem());
  assert.ok(await canLogin(fresh, 'root', 'Milvus'));
  await fresh.close();
});

test('passwords: 6..72 bytes with Milvus message; bcrypt cost 4; a Milvus (Go) hash verifies', async () => {
  const svc = await open(new MemoryFileSystem());
  await assert.rejects(svc.createCredential({ username: 'a', password: 'abc' }), (e: Error & { code?: number }) =>
    e.code === 1100 && e.message === 'invalid password length: invalid parameter[3 out of range 6 <= value <= 72]');
  await assert.rejects(svc.createCredential({ username: 'a', password: 'x'.repeat(73) }), /73 out of range 6 <= value <= 72/);
  await svc.createCredential({ username: 'a', password: 'x'.repeat(72) });
  await assert.rejects(svc.createCredential({ username: '1ab', password: 'secret' }), /invalid user name 1ab, the first character must be a letter, but got 1/);
  const meta = await svc.backupRBAC();
  assert.match(meta.users[0]?.password ?? '', /^\$2[aby]\$04\$/);
  // Milvus pkg/util/crypto/crypto_test.go: bcrypt of "test_my_pass_new" made by Go's bcrypt at cost 10.
  await svc.restoreRBAC({ meta: { users: [{ user: 'gouser', password: '$2a$10$3H9DLiHyPxJ29bMWRNyueOrGkbzJfE3BAR159ju3UetytAoKk7Ne2', roles: [] }], roles: [], grants: [], privilegeGroups: [] } });
  assert.ok(await canLogin(svc, 'gouser', 'test_my_pass_new'));
  assert.ok(!(await canLogin(svc, 'gouser', 'test_my_pass_old')));
  await svc.close();
});

test('the fast check is dropped when the password changes or the user is deleted', async () => {
  const svc = await open(new MemoryFileSystem());
  await svc.createCredential({ username: 'bob', password: 'first-1' });
  assert.ok(await canLogin(svc, 'bob', 'first-1'));
  assert.ok(svc.access.catalog.knownGood('bob', 'first-1'), 'cached after a bcrypt success');
  await svc.updateCredential({ username: 'bob', oldPassword: 'first-1', newPassword: 'second-2' });
  assert.ok(!svc.access.catalog.knownGood('bob', 'first-1'));
  assert.ok(!(await canLogin(svc, 'bob', 'first-1')), 'password changed since');
  assert.ok(await canLogin(svc, 'bob', 'second-2'));
  await svc.deleteCredential({ username: 'bob' });
  assert.ok(!(await canLogin(svc, 'bob', 'second-2')), 'deleted user');
  await svc.close();
});

test('a crash at any file-system operation keeps every acknowledged RBAC change (40 seeded runs)', { timeout: 120_000 }, async (t) => {
  let crashedMidway = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const rand = rng(seed);
    let mem = new MemoryFileSystem();
    await (await open(mem)).close();
    const faulty = new FaultyFileSystem(mem);
    const crashAt = 1 + Math.floor(rand() * 60);
    let ops = 0;
    let crashed: MemoryFileSystem | null = null;
    faulty.onOp = () => { if (++ops === crashAt && crashed === null) crashed = mem.crash(); };
    const acked: string[] = [];
    const catalog = await RbacCatalog.open(localRbacStore(faulty, DIR)).catch(() => null);
    if (catalog !== null) {
      try {
        for (let i = 0; i < 12 && crashed === null; i++) {
          await catalog.change((b) => { b.roles.push(`role${i}`); });
          acked.push(`role${i}`);
        }
      } catch {
        // the crash fails every later operation; what was acknowledged must survive
      }
    }
    if (crashed !== null && acked.length > 0) crashedMidway++;
    mem = crashed ?? mem.crash();
    const reopened = await RbacCatalog.open(localRbacStore(mem, DIR));
    for (const r of acked) assert.ok(reopened.hasRole(r), `seed ${seed}: acknowledged role ${r} lost (crash at op ${crashAt})`);
    assert.ok(reopened.user('root') !== undefined && reopened.hasRole('admin') && reopened.hasRole('public'), `seed ${seed}: catalog damaged`);
  }
  t.diagnostic(`40 runs, ${crashedMidway} crashed after at least one acknowledged change; 0 acknowledged changes lost`);
});
