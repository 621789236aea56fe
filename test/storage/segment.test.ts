import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataType } from '../../src/core/enums.js';
import { crc32c } from '../../src/core/crc32c.js';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';
import type { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import { readSegmentFile, removeTempSegmentFiles, writeSegmentFile } from '../../src/storage/segment.js';
import type { SegmentData } from '../../src/storage/segment.js';
import { memoryDisk, putFile, rejectsMilvus } from './helpers.js';

function sample(): SegmentData {
  return {
    meta: { segmentId: 7, collection: 'books', minTs: '100', sealed: true },
    numRows: 3,
    cols: [
      { fieldId: 100, column: { kind: 'int64', data: BigInt64Array.of(1n, 2n, -3n), valid: null } },
      { fieldId: 101, column: { kind: 'floatVector', dim: 2, data: Float32Array.of(0.5, 1, 1.5, 2, 2.5, 3), valid: null } },
      { fieldId: 102, column: { kind: 'varchar', data: ['a', 'βγ', ''], valid: Uint8Array.of(1, 1, 0) } },
      { fieldId: 103, column: { kind: 'array', elementType: DataType.Int64, data: [[9007199254740993n], [], [-1n]], valid: null } },
    ],
  };
}

function assertSample(got: SegmentData): void {
  const want = sample();
  assert.deepStrictEqual(got.meta, want.meta);
  assert.equal(got.numRows, 3);
  assert.deepStrictEqual(got.cols.map((c) => c.fieldId), [100, 101, 102, 103]);
  const [pk, vec, name, arr] = got.cols.map((c) => c.column);
  assert.ok(pk?.kind === 'int64' && vec?.kind === 'floatVector' && name?.kind === 'varchar' && arr?.kind === 'array');
  assert.deepStrictEqual([...pk.data], [1n, 2n, -3n]);
  assert.deepStrictEqual([...vec.data], [0.5, 1, 1.5, 2, 2.5, 3]);
  assert.deepStrictEqual(name.data, ['a', 'βγ', '']);
  assert.deepStrictEqual([...(name.valid ?? [])], [1, 1, 0]);
  assert.deepStrictEqual(arr.data, [[9007199254740993n], [], [-1n]]);
}

test('segment round trip on the memory disk; nothing but the final file remains', async () => {
  const fs = await memoryDisk();
  const size = await writeSegmentFile(fs, '/db', 'seg-1.sxs', sample());
  assert.equal((await fs.stat('/db/seg-1.sxs')).size, size);
  assert.deepEqual(await fs.readdir('/db'), ['seg-1.sxs']);
  assertSample(await readSegmentFile(fs, '/db/seg-1.sxs'));
  assertSample(await readSegmentFile(fs.crash(), '/db/seg-1.sxs'));
});

test('segment round trip on the real disk', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sextant-seg-'));
  try {
    const fs = new NodeFileSystem();
    await writeSegmentFile(fs, root, 'seg-1.sxs', sample());
    assertSample(await readSegmentFile(fs, join(root, 'seg-1.sxs')));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('header layout: magic, version, row count, length, trailing CRC', async () => {
  const fs = await memoryDisk();
  await writeSegmentFile(fs, '/db', 's', sample());
  const bytes = fs.rawBytes('/db/s');
  const dv = new DataView(bytes.buffer);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x53, 0x58, 0x53, 0x45, 0x47, 0, 0, 0]);
  assert.equal(dv.getUint32(8, true), 1);
  assert.equal(dv.getUint32(12, true), 3);
  assert.equal(dv.getBigUint64(16, true), BigInt(bytes.length));
  assert.equal(dv.getUint32(bytes.length - 4, true), crc32c(bytes.subarray(0, bytes.length - 4)));
});

test('every single flipped byte is detected, with the file named', async () => {
  const fs = await memoryDisk();
  await writeSegmentFile(fs, '/db', 's', sample());
  const good = fs.rawBytes('/db/s');
  for (let i = 0; i < good.length; i++) {
    fs.flipByte('/db/s', i);
    await rejectsMilvus(readSegmentFile(fs, '/db/s'), /\/db\/s/);
    fs.flipByte('/db/s', i);
  }
  for (const cut of [0, 10, 40, good.length - 1]) {
    await putFile(fs, '/db/t', good.subarray(0, cut));
    await rejectsMilvus(readSegmentFile(fs, '/db/t'), /\/db\/t is corrupt/);
  }
});

test('a newer format version is refused by name, even with a valid CRC', async () => {
  const fs = await memoryDisk();
  await writeSegmentFile(fs, '/db', 's', sample());
  const bytes = fs.rawBytes('/db/s');
  const dv = new DataView(bytes.buffer);
  dv.setUint32(8, 2, true);
  dv.setUint32(bytes.length - 4, crc32c(bytes.subarray(0, bytes.length - 4)), true);
  await putFile(fs, '/db/s', bytes);
  await rejectsMilvus(readSegmentFile(fs, '/db/s'), /\/db\/s has format version 2; this build reads version 1/);
});

test('a crash at any step of writing leaves either no segment or the whole segment', async () => {
  let step = 1;
  for (;; step++) {
    const mem = await memoryDisk();
    const faulty = new FaultyFileSystem(mem);
    let survivor: MemoryFileSystem | null = null;
    let ops = 0;
    faulty.onOp = () => {
      if (++ops === step) survivor = mem.crash();
    };
    const done = await writeSegmentFile(faulty, '/db', 's', sample()).then(() => true, () => false);
    const disk: MemoryFileSystem = survivor ?? mem.crash();
    if (await disk.exists('/db/s')) assertSample(await readSegmentFile(disk, '/db/s'));
    else assert.equal(done, false, `step ${step}: a completed write must survive`);
    await removeTempSegmentFiles(disk, '/db');
    assert.ok((await disk.readdir('/db')).every((n) => !n.endsWith('.tmp')));
    if (survivor === null) break;
  }
  assert.ok(step >= 6, `only ${step} steps`);
});
