import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';
import { fileSystemSuite } from './fs.case.js';

fileSystemSuite('NodeFileSystem', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sextant-fs-'));
  return { fs: new NodeFileSystem(), root, cleanup: () => rm(root, { recursive: true, force: true }) };
});

fileSystemSuite('MemoryFileSystem', async () => {
  const fs = new MemoryFileSystem();
  await fs.mkdir('/data');
  return { fs, root: '/data', cleanup: async () => undefined };
});

fileSystemSuite('FaultyFileSystem over MemoryFileSystem, no faults armed', async () => {
  const mem = new MemoryFileSystem();
  await mem.mkdir('/data');
  return { fs: new FaultyFileSystem(mem), root: '/data', cleanup: async () => undefined };
});

test('NodeFileSystem.readFile returns a view of exactly the file bytes', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sextant-fs-'));
  try {
    const fs = new NodeFileSystem();
    const fh = await fs.open(join(root, 'f'), 'w');
    await fh.write(Uint8Array.from([7, 8, 9]), 0);
    await fh.close();
    const got = await fs.readFile(join(root, 'f'));
    assert.ok(got instanceof Uint8Array);
    assert.deepEqual([...got], [7, 8, 9]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('NodeFileSystem writes and reads files past 2 GiB (a 2 GiB segment\'s DISKANN index file is ~3 GB; node refuses one call past 2^31 - 1)', { timeout: 120_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'sextant-fs-'));
  try {
    const fs = new NodeFileSystem();
    const size = 2 ** 31 + 8192;
    const data = new Uint8Array(size);
    for (let at = 0; at < size; at += 4096) data[at] = (at >>> 12) & 0xff;
    data[size - 1] = 0x5a;
    const path = join(root, 'big');
    const h = await fs.open(path, 'w');
    await h.write(data, 0);
    await h.close();
    assert.equal((await fs.stat(path)).size, size);
    const back = await fs.readFile(path);
    assert.equal(back.length, size);
    for (let at = 0; at < size; at += 4096) if (back[at] !== ((at >>> 12) & 0xff)) assert.fail(`byte ${at} is ${back[at]}`);
    assert.equal(back[size - 1], 0x5a);
    const tail = new Uint8Array(16);
    const r = await fs.open(path, 'r');
    assert.equal(await r.read(tail, size - 16), 16);
    await r.close();
    assert.equal(tail[15], 0x5a);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
