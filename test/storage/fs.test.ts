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
