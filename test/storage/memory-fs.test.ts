/** The durability model of MemoryFileSystem and the faults of FaultyFileSystem. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';

const b = (...xs: number[]) => Uint8Array.from(xs);

async function withDir(): Promise<MemoryFileSystem> {
  const fs = new MemoryFileSystem();
  await fs.mkdir('/d');
  await fs.fsyncDir('/');
  return fs;
}

async function writeFile(fs: { open: MemoryFileSystem['open'] }, path: string, data: Uint8Array, sync: boolean): Promise<void> {
  const fh = await fs.open(path, 'w');
  await fh.write(data, 0);
  if (sync) await fh.sync();
  await fh.close();
}

describe('MemoryFileSystem crash model', () => {
  test('synced bytes survive, bytes written after the last sync do not', async () => {
    const fs = await withDir();
    const fh = await fs.open('/d/f', 'w');
    await fh.write(b(1, 2, 3), 0);
    await fh.sync();
    await fh.write(b(4, 5), 3);
    await fh.write(b(9), 0);
    await fs.fsyncDir('/d');
    const after = fs.crash();
    assert.deepEqual(await after.readFile('/d/f'), b(1, 2, 3));
  });

  test('a created file is lost without fsyncDir even if its data was synced', async () => {
    const fs = await withDir();
    await writeFile(fs, '/d/f', b(1), true);
    const after = fs.crash();
    assert.equal(await after.exists('/d/f'), false);
    assert.deepEqual(await after.readdir('/d'), []);
  });

  test('rename and unlink are undone unless the directory was fsynced', async () => {
    const fs = await withDir();
    await writeFile(fs, '/d/a', b(1), true);
    await writeFile(fs, '/d/gone', b(2), true);
    await fs.fsyncDir('/d');
    await fs.rename('/d/a', '/d/b');
    await fs.unlink('/d/gone');
    const undone = fs.crash();
    assert.deepEqual(await undone.readdir('/d'), ['a', 'gone']);
    await undone.rename('/d/a', '/d/b');
    await undone.unlink('/d/gone');
    await undone.fsyncDir('/d');
    const kept = undone.crash();
    assert.deepEqual(await kept.readdir('/d'), ['b']);
    assert.deepEqual(await kept.readFile('/d/b'), b(1));
  });

  test('mkdir needs an fsync of the parent', async () => {
    const fs = await withDir();
    await fs.mkdir('/d/x/y', { recursive: true });
    await fs.fsyncDir('/d');
    const after = fs.crash();
    assert.equal(await after.exists('/d/x'), true);
    assert.equal(await after.exists('/d/x/y'), false);
  });

  test('the crashed instance and its open handles fail with EIO', async () => {
    const fs = await withDir();
    const fh = await fs.open('/d/f', 'w');
    fs.crash();
    await assert.rejects(fh.write(b(1), 0), { code: 'EIO' });
    await assert.rejects(fs.readdir('/d'), { code: 'EIO' });
    assert.throws(() => fs.crash(), { code: 'EIO' });
  });

  test('keepFraction keeps a prefix of unsynced appended bytes', async () => {
    const fs = await withDir();
    const fh = await fs.open('/d/f', 'w');
    await fh.write(b(1, 2), 0);
    await fh.sync();
    await fs.fsyncDir('/d');
    await fh.write(b(3, 4, 5, 6), 2);
    const after = fs.crash({ keepFraction: () => 0.5 });
    assert.deepEqual(await after.readFile('/d/f'), b(1, 2, 3, 4));
  });

  test('corrupt and flipByte change the durable image too', async () => {
    const fs = await withDir();
    await writeFile(fs, '/d/f', b(1, 2, 3), true);
    await fs.fsyncDir('/d');
    fs.flipByte('/d/f', 1);
    fs.corrupt('/d/f', 2, b(0x77));
    assert.deepEqual(fs.rawBytes('/d/f'), b(1, 0xfd, 0x77));
    assert.deepEqual(await fs.crash().readFile('/d/f'), b(1, 0xfd, 0x77));
  });
});

describe('FaultyFileSystem', () => {
  test('torn write lands only the first k bytes, then throws EIO', async () => {
    const mem = await withDir();
    const fs = new FaultyFileSystem(mem);
    const fh = await fs.open('/d/f', 'w');
    fs.tearNextWrite(3);
    await assert.rejects(fh.write(b(1, 2, 3, 4, 5), 0), { code: 'EIO', syscall: 'write' });
    assert.deepEqual(mem.rawBytes('/d/f'), b(1, 2, 3));
    await fh.write(b(9), 3);
    assert.deepEqual(mem.rawBytes('/d/f'), b(1, 2, 3, 9));
  });

  test('dropped fsync resolves but the data does not survive a crash', async () => {
    const mem = await withDir();
    const fs = new FaultyFileSystem(mem);
    await writeFile(fs, '/d/f', b(1), true);
    await fs.fsyncDir('/d');
    fs.dropSyncs({ target: 'file' });
    const fh = await fs.open('/d/f', 'r+');
    await fh.write(b(2), 0);
    await fh.sync();
    assert.equal(fs.stats.droppedSyncs, 1);
    assert.deepEqual(await mem.crash().readFile('/d/f'), b(1));
  });

  test('ENOSPC after N more bytes, with the fitting prefix written', async () => {
    const mem = await withDir();
    const fs = new FaultyFileSystem(mem);
    const fh = await fs.open('/d/f', 'w');
    fs.noSpaceAfter(5);
    await fh.write(b(1, 2, 3), 0);
    await assert.rejects(fh.write(b(4, 5, 6, 7), 3), (e: unknown) => (e as { code?: unknown }).code === 'ENOSPC');
    assert.deepEqual(mem.rawBytes('/d/f'), b(1, 2, 3, 4, 5));
    await assert.rejects(fh.write(b(8), 5), { code: 'ENOSPC' });
    fs.heal();
    await fh.write(b(8), 5);
    assert.equal(mem.rawBytes('/d/f').length, 6);
  });

  test('read faults hit handle reads and readFile, once by default; sync faults throw', async () => {
    const mem = await withDir();
    const fs = new FaultyFileSystem(mem);
    await writeFile(fs, '/d/f', b(1, 2), true);
    fs.failReads({ times: 2 });
    await assert.rejects(fs.readFile('/d/f'), { code: 'EIO' });
    const fh = await fs.open('/d/f', 'r+');
    await assert.rejects(fh.read(new Uint8Array(2), 0), { code: 'EIO' });
    assert.equal(await fh.read(new Uint8Array(2), 0), 2);
    fs.failSyncs({ path: '/d/f' });
    await assert.rejects(fh.sync(), { code: 'EIO' });
    await fh.sync();
    assert.equal(fs.stats.syncs, 2);
  });

  test('onOp sees every operation in order', async () => {
    const fs = new FaultyFileSystem(await withDir());
    const seen: string[] = [];
    fs.onOp = (op, path) => seen.push(`${op} ${path}`);
    await writeFile(fs, '/d/f', b(1), true);
    await fs.fsyncDir('/d');
    assert.deepEqual(seen, ['open /d/f', 'write /d/f', 'sync /d/f', 'close /d/f', 'fsyncDir /d']);
  });
});
