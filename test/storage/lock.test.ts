import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDirLock } from '../../src/storage/lock.js';
import { rejectsMilvus } from './helpers.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sextant-lock-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const lockPid = async (dir: string) => Number((await readFile(join(dir, 'LOCK'), 'utf8')).trim());

test('acquire writes our pid, a second acquire in this process is refused, release frees it', () =>
  withDir(async (dir) => {
    const lock = await acquireDirLock(dir);
    assert.equal(await lockPid(dir), process.pid);
    await rejectsMilvus(acquireDirLock(dir), new RegExp(`data directory ${dir} is in use by process ${process.pid}`));
    await lock.release();
    await assert.rejects(readFile(join(dir, 'LOCK')), { code: 'ENOENT' });
    const again = await acquireDirLock(dir);
    await again.release();
    await again.release();
  }));

test('a lock left by a dead process is taken over at once', () =>
  withDir(async (dir) => {
    const child = spawn(process.execPath, ['-e', '0']);
    await once(child, 'exit');
    assert.ok(child.pid !== undefined);
    await writeFile(join(dir, 'LOCK'), `${child.pid}\n`);
    const lock = await acquireDirLock(dir);
    assert.equal(await lockPid(dir), process.pid);
    await lock.release();
  }));

test('a lock held by another live process is refused, naming that process', () =>
  withDir(async (dir) => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      assert.ok(child.pid !== undefined);
      await writeFile(join(dir, 'LOCK'), `${child.pid}\n`);
      await rejectsMilvus(acquireDirLock(dir), new RegExp(`^data directory ${dir} is in use by process ${child.pid}$`));
      assert.equal(await lockPid(dir), child.pid, 'the holder keeps its lock');
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }));

test('an unreadable lock file (no pid) is treated as stale', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, 'LOCK'), 'garbage');
    const lock = await acquireDirLock(dir);
    assert.equal(await lockPid(dir), process.pid);
    await lock.release();
  }));
