import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';
import type { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { readManifest, writeManifest } from '../../src/storage/manifest.js';
import { memoryDisk, putFile, rejectsMilvus } from './helpers.js';

const OLD = { version: 1, segments: ['a'], checkpointLsn: '10' };
const NEW = { version: 2, segments: ['a', 'b'], checkpointLsn: '42', note: 'ünïcode' };

test('no manifest reads as null; written manifests read back', async () => {
  const fs = await memoryDisk();
  assert.equal(await readManifest(fs, '/db'), null);
  await writeManifest(fs, '/db', OLD);
  assert.deepEqual(await readManifest(fs, '/db'), OLD);
  await writeManifest(fs, '/db', NEW);
  assert.deepEqual(await readManifest(fs, '/db'), NEW);
  assert.deepEqual(await readManifest(fs.crash(), '/db'), NEW);
});

test('layout: magic, version, length, JSON, CRC', async () => {
  const fs = await memoryDisk();
  await writeManifest(fs, '/db', { a: 1 });
  const bytes = fs.rawBytes('/db/MANIFEST');
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 5)), 'SXMAN');
  const dv = new DataView(bytes.buffer);
  assert.equal(dv.getUint32(8, true), 1);
  assert.equal(dv.getUint32(12, true), 7);
  assert.equal(new TextDecoder().decode(bytes.subarray(16, 23)), '{"a":1}');
  assert.equal(bytes.length, 27);
});

test('every flipped byte and every truncation refuses with the file named', async () => {
  const fs = await memoryDisk();
  await writeManifest(fs, '/db', NEW);
  const good = fs.rawBytes('/db/MANIFEST');
  for (let i = 0; i < good.length; i++) {
    fs.flipByte('/db/MANIFEST', i);
    await rejectsMilvus(readManifest(fs, '/db'), /\/db\/MANIFEST/);
    fs.flipByte('/db/MANIFEST', i);
  }
  for (let cut = 0; cut < good.length; cut += 5) {
    await putFile(fs, '/db/MANIFEST', good.subarray(0, cut));
    await rejectsMilvus(readManifest(fs, '/db'), /\/db\/MANIFEST is corrupt/);
  }
});

test('a leftover MANIFEST.tmp is ignored and removed', async () => {
  const fs = await memoryDisk();
  await writeManifest(fs, '/db', OLD);
  await putFile(fs, '/db/MANIFEST.tmp', Uint8Array.of(1, 2, 3));
  assert.deepEqual(await readManifest(fs, '/db'), OLD);
  assert.deepEqual(await fs.readdir('/db'), ['MANIFEST']);
  assert.deepEqual(await fs.crash().readdir('/db'), ['MANIFEST'], 'the removal is durable');
});

test('replacement survives a crash at any step: the old or the new manifest, never neither', async () => {
  let step = 1;
  const seen = new Set<number>();
  for (;; step++) {
    const mem = await memoryDisk();
    await writeManifest(mem, '/db', OLD);
    const faulty = new FaultyFileSystem(mem);
    let survivor: MemoryFileSystem | null = null;
    let ops = 0;
    faulty.onOp = () => {
      if (++ops === step) survivor = mem.crash();
    };
    const done = await writeManifest(faulty, '/db', NEW).then(() => true, () => false);
    const disk: MemoryFileSystem = survivor ?? mem.crash();
    const got = await readManifest(disk, '/db');
    assert.ok(got !== null);
    const version = (got as { version: number }).version;
    seen.add(version);
    assert.deepEqual(got, version === 1 ? OLD : NEW);
    if (done) assert.equal(version, 2, `step ${step}: an acknowledged manifest must survive`);
    if (survivor === null) break;
  }
  assert.deepEqual([...seen].sort(), [1, 2], 'both outcomes were exercised');
});

test('with dropped fsyncs the new manifest is lost on crash (the harness catches a missing fsync)', async () => {
  const mem = await memoryDisk();
  await writeManifest(mem, '/db', OLD);
  const faulty = new FaultyFileSystem(mem);
  faulty.dropSyncs({ target: 'dir' });
  await writeManifest(faulty, '/db', NEW);
  assert.deepEqual(await readManifest(mem.crash(), '/db'), OLD);
});
