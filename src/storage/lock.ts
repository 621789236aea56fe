/**
 * One process per data directory: `<dir>/LOCK` holds the owner's pid. A lock whose pid is no
 * longer alive (a crashed earlier run) is taken over at once. Uses node:fs directly, because it
 * guards the real directory, not a simulated one.
 */
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { storageErrors } from './errors.js';

export interface DirLock {
  release(): Promise<void>;
}

/** Directories locked by this process (a second open in the same process must fail too). */
const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: unknown }).code !== 'ESRCH';
  }
}

async function createExclusive(path: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'wx');
  } catch (e) {
    if ((e as { code?: unknown }).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await fh.writeFile(`${process.pid}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return true;
}

async function readPid(path: string): Promise<number | null> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    return /^\d+$/.test(text) ? Number(text) : null;
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return null;
    throw e;
  }
}

async function takeOver(dir: string, path: string): Promise<void> {
  const tmp = join(dir, `LOCK.${process.pid}.tmp`);
  await writeFile(tmp, `${process.pid}\n`);
  await rename(tmp, path);
}

export async function acquireDirLock(dir: string): Promise<DirLock> {
  const key = resolve(dir);
  const path = join(key, 'LOCK');
  if (heldHere.has(key)) throw storageErrors.dataDirInUse(dir, process.pid);
  if (!(await createExclusive(path))) {
    let pid = await readPid(path);
    if (pid === null) {
      // Perhaps another process is between creating LOCK and writing its pid.
      await new Promise((r) => setTimeout(r, 50));
      pid = await readPid(path);
    }
    if (pid !== null && pid !== process.pid && isAlive(pid)) throw storageErrors.dataDirInUse(dir, pid);
    await takeOver(key, path);
    const now = await readPid(path);
    if (now !== process.pid) throw storageErrors.dataDirInUse(dir, now ?? -1);
  }
  heldHere.add(key);
  let released = false;
  return {
    async release(): Promise<void> {
      if (released) return;
      released = true;
      heldHere.delete(key);
      if ((await readPid(path)) === process.pid) await unlink(path);
    },
  };
}
