/**
 * Reading a segment file in bounded pieces (storage/segment-stream.ts) gives the same columns as
 * reading it whole, places fixed-width columns where asked, skips mapped ones with their file
 * offset, and refuses a file with any byte changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { readSegmentFile, writeSegmentFile, type SegmentData } from '../../src/storage/segment.js';
import { readSegmentPieces, type ColumnPlacement } from '../../src/storage/segment-stream.js';
import { columnLength } from '../../src/schema/column.js';

function sample(n: number): SegmentData {
  const vec = new Float32Array(n * 4);
  for (let i = 0; i < vec.length; i++) vec[i] = i * 0.5;
  return {
    meta: { segment: 7 },
    numRows: n,
    cols: [
      { fieldId: 1, column: { kind: 'int64', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i * 3)), valid: null } },
      { fieldId: 2, column: { kind: 'floatVector', dim: 4, data: vec, valid: null } },
      { fieldId: 3, column: { kind: 'varchar', data: Array.from({ length: n }, (_, i) => `row ${i}`), valid: null } },
      { fieldId: 4, column: { kind: 'int16', data: Int16Array.from({ length: n }, (_, i) => i - 5), valid: Uint8Array.from({ length: n }, (_, i) => i % 3 === 0 ? 0 : 1) } },
      { fieldId: 5, column: { kind: 'binaryVector', dim: 16, data: Uint8Array.from({ length: n * 2 }, (_, i) => i & 255), valid: null } },
    ],
  };
}

async function written(n: number): Promise<{ fs: MemoryFileSystem; path: string; bytes: Uint8Array }> {
  const fs = new MemoryFileSystem();
  await fs.mkdir('/db', { recursive: true });
  await writeSegmentFile(fs, '/db', 'seg.sxs', sample(n));
  return { fs, path: '/db/seg.sxs', bytes: await fs.readFile('/db/seg.sxs') };
}

test('pieces of any size give the columns of a whole read; placed columns land in their destination', async () => {
  const { fs, path } = await written(37);
  const whole = await readSegmentFile(fs, path);
  const dest = new Uint8Array(37 * 16);
  const placement: ColumnPlacement = { place: (fieldId) => (fieldId === 2 ? { bytes: dest } : fieldId === 5 ? 'skip' : null) };
  for (const piece of [7, 64, 1 << 20]) {
    const got = await readSegmentPieces(fs, path, placement, piece);
    assert.equal(got.numRows, 37);
    assert.deepEqual(got.meta, whole.meta);
    for (const [i, w] of whole.cols.entries()) {
      const g = got.cols[i]!;
      assert.equal(g.fieldId, w.fieldId);
      if (g.skipped) {
        assert.equal(g.fieldId, 5);
        assert.equal(columnLength(g.column), 0);
        continue;
      }
      assert.deepEqual(g.column, w.column, `field ${w.fieldId}, pieces of ${piece} bytes`);
    }
    const vec = got.cols[1]!.column.data as Float32Array;
    assert.equal(vec.buffer, dest.buffer, 'the vector column is a view of its destination');
    // The skipped column's offset points at its rows in the file.
    const bytes = await fs.readFile(path);
    const skipped = got.cols[4]!;
    assert.deepEqual([...bytes.subarray(skipped.dataOffset, skipped.dataOffset + 74)], [...(whole.cols[4]!.column.data as Uint8Array)]);
  }
});

test('a changed byte anywhere is refused, skipped and placed columns included', async () => {
  const { fs, path, bytes } = await written(20);
  const placement: ColumnPlacement = { place: (fieldId) => (fieldId === 2 ? { bytes: new Uint8Array(20 * 16) } : fieldId === 5 ? 'skip' : null) };
  let refused = 0;
  for (let at = 0; at < bytes.length; at += 3) {
    const bad = bytes.slice();
    bad[at] = bad[at]! ^ 0x41;
    const h = await fs.open(path, 'w');
    await h.write(bad, 0);
    await h.close();
    await assert.rejects(readSegmentPieces(fs, path, placement, 16), `byte ${at} changed`);
    refused++;
  }
  assert.ok(refused > 100);
});

test('the native and wasm CRC-32C equal the JS one, whole, continued across pieces and inside a wasm memory', async () => {
  const { crc32c } = await import('../../src/core/crc32c.js');
  const { crc32cFast, crc32cInArena, crc32cWasm, crcKernel } = await import('../../src/index/wasm/crc.js');
  const { WasmArena } = await import('../../src/index/wasm/arena.js');
  const bytes = new Uint8Array((3 << 20) + 13);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  // The prebuilt addon loads on the platforms CI and development use (linux x64).
  if (process.platform === 'linux' && process.arch === 'x64') assert.equal(crcKernel, 'native');
  const cut = (1 << 20) + 5;
  for (const f of [crc32cFast, crc32cWasm]) {
    assert.equal(f(bytes), crc32c(bytes));
    assert.equal(f(bytes.subarray(cut), f(bytes.subarray(0, cut))), crc32c(bytes));
    assert.equal(f(bytes.subarray(0, 100_003)), crc32c(bytes.subarray(0, 100_003)));
    assert.equal(f(bytes.subarray(7, 50_007), 0xdeadbeef), crc32c(bytes.subarray(7, 50_007), 0xdeadbeef));
  }
  const arena = WasmArena.create();
  assert.ok(arena !== null, 'the wasm kernels load');
  const at = arena.alloc(200_001);
  const inArena = arena.u8.subarray(at, at + 200_001);
  inArena.set(bytes.subarray(3, 200_004));
  const want = crc32c(bytes.subarray(3, 200_004), 77);
  assert.equal(crc32cInArena(arena, inArena, 77), want);
  assert.equal(crc32cInArena(arena, inArena, 77, false), want);
});
