import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { limits } from '../../src/core/limits.js';
import { MilvusError } from '../../src/core/errors.js';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';
import { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import { Wal, walFileName } from '../../src/storage/wal.js';
import { WAL_FILE_HEADER_BYTES, walRecordBytes } from '../../src/storage/wal-format.js';
import { memoryDisk, payloadFor, payloadNumber, putFile, rejectsMilvus } from './helpers.js';

const DIR = '/db/wal';
const FIRST = `${DIR}/${walFileName(1n)}`;

async function appendN(wal: Wal, from: number, count: number): Promise<bigint[]> {
  const out: bigint[] = [];
  for (let j = from; j < from + count; j++) out.push(await wal.append(j % 7, payloadFor(j)));
  return out;
}

function assertRecords(records: { lsn: bigint; type: number; payload: Uint8Array }[], count: number): void {
  assert.equal(records.length, count);
  for (let i = 0; i < count; i++) {
    const r = records[i];
    assert.ok(r !== undefined);
    assert.equal(r.lsn, BigInt(i + 1));
    assert.equal(r.type, i % 7);
    assert.deepEqual(r.payload, payloadFor(i));
  }
}

describe('WAL basics', () => {
  test('round trip across reopen; LSNs start at 1 and continue', async () => {
    const fs = await memoryDisk();
    const a = await Wal.open(fs, DIR);
    assert.deepEqual(a.records, []);
    assert.equal(a.tail, null);
    assert.equal(a.wal.nextLsn, 1n);
    assert.deepEqual(await appendN(a.wal, 0, 20), Array.from({ length: 20 }, (_, i) => BigInt(i + 1)));
    await a.wal.close();
    const b = await Wal.open(fs, DIR);
    assertRecords(b.records, 20);
    assert.equal(b.tail, null);
    assert.equal(b.wal.nextLsn, 21n);
    assert.equal(await b.wal.append(20 % 7, payloadFor(20)), 21n);
    await b.wal.close();
    assertRecords((await Wal.open(fs, DIR)).records, 21);
  });

  test('round trip on the real disk', async () => {
    const root = await mkdtemp(join(tmpdir(), 'sextant-wal-'));
    try {
      const fs = new NodeFileSystem();
      const dir = join(root, 'wal');
      const a = await Wal.open(fs, dir, { maxFileBytes: 300 });
      await Promise.all(Array.from({ length: 30 }, (_, j) => a.wal.append(j % 7, payloadFor(j))));
      await appendN(a.wal, 30, 10);
      await a.wal.close();
      const b = await Wal.open(fs, dir);
      assertRecords(b.records, 40);
      assert.ok(b.wal.fileNames.length > 1);
      await b.wal.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  test('the file layout is exactly header + records as documented', async () => {
    const fs = await memoryDisk();
    const { wal } = await Wal.open(fs, DIR);
    await wal.append(3, Uint8Array.of(0xaa, 0xbb));
    await wal.close();
    const bytes = fs.rawBytes(FIRST);
    assert.equal(bytes.length, WAL_FILE_HEADER_BYTES + walRecordBytes(2));
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 5)), 'SXWAL');
    const dv = new DataView(bytes.buffer);
    assert.equal(dv.getUint32(8, true), 1);
    assert.equal(dv.getBigUint64(16, true), 1n);
    assert.equal(dv.getUint32(32, true), 2);
    assert.equal(dv.getUint8(36), 3);
    assert.equal(dv.getBigUint64(37, true), 1n);
    assert.deepEqual([...bytes.subarray(45, 47)], [0xaa, 0xbb]);
  });

  test('rejects a bad record type and an oversized record without poisoning the WAL', async () => {
    const { wal } = await Wal.open(await memoryDisk(), DIR);
    await assert.rejects(wal.append(256, new Uint8Array(1)), (e: unknown) => e instanceof MilvusError && e.code === 1100);
    const huge = new Uint8Array(limits.walMaxRecordBytes - 16);
    const err = await rejectsMilvus(wal.append(1, huge), /wal record: parameter too large/);
    assert.equal(err.code, 1102);
    assert.equal(await wal.append(1, new Uint8Array(1)), 1n);
    await wal.close();
    await rejectsMilvus(wal.append(1, new Uint8Array(1)), /closed/);
  });

  test('close waits for queued appends', async () => {
    const fs = await memoryDisk();
    const { wal } = await Wal.open(fs, DIR);
    const pending = [wal.append(0, payloadFor(0)), wal.append(1, payloadFor(1))];
    await wal.close();
    assert.deepEqual(await Promise.all(pending), [1n, 2n]);
    assert.equal((await Wal.open(fs, DIR)).records.length, 2);
  });
});

describe('WAL group commit', () => {
  test('100 concurrent appends share far fewer than 100 fsyncs', async () => {
    const faulty = new FaultyFileSystem(await memoryDisk());
    const { wal } = await Wal.open(faulty, DIR);
    const syncsBefore = faulty.stats.syncs;
    const lsns = await Promise.all(Array.from({ length: 100 }, (_, j) => wal.append(j % 7, payloadFor(j))));
    assert.deepEqual(lsns, Array.from({ length: 100 }, (_, i) => BigInt(i + 1)));
    const syncs = faulty.stats.syncs - syncsBefore;
    assert.ok(syncs >= 1 && syncs <= 3, `${syncs} fsyncs for 100 appends`);
    await wal.close();
    assertRecords((await Wal.open(faulty, DIR)).records, 100);
  });

  test('appends queued during an in-flight fsync go out in one write and one fsync', async () => {
    const faulty = new FaultyFileSystem(await memoryDisk());
    const { wal } = await Wal.open(faulty, DIR);
    const writes0 = faulty.stats.writes;
    const syncs0 = faulty.stats.syncs;
    const later: Promise<bigint>[] = [];
    let resolvedEarly = false;
    faulty.onOp = (op) => {
      if (op !== 'sync' || later.length > 0) return;
      for (let j = 1; j < 100; j++) later.push(wal.append(j % 7, payloadFor(j)));
    };
    const first = wal.append(0, payloadFor(0)).then((lsn) => {
      resolvedEarly = later.length === 99;
      return lsn;
    });
    assert.equal(await first, 1n);
    assert.ok(resolvedEarly);
    await Promise.all(later);
    assert.equal(faulty.stats.writes - writes0, 2);
    assert.equal(faulty.stats.syncs - syncs0, 2);
    await wal.close();
  });

  test('the queue is bounded: writers wait for room and nothing is lost', async () => {
    const faulty = new FaultyFileSystem(await memoryDisk());
    const { wal } = await Wal.open(faulty, DIR, { queueMaxRecords: 8 });
    const recordBytes = walRecordBytes(16);
    const batches: number[] = [];
    let lastBytes = faulty.stats.bytesWritten;
    faulty.onOp = (op) => {
      if (op !== 'sync') return;
      batches.push((faulty.stats.bytesWritten - lastBytes) / recordBytes);
      lastBytes = faulty.stats.bytesWritten;
    };
    const lsns = await Promise.all(Array.from({ length: 50 }, () => wal.append(1, new Uint8Array(16))));
    assert.deepEqual(lsns, Array.from({ length: 50 }, (_, i) => BigInt(i + 1)));
    assert.equal(batches.reduce((a, b) => a + b, 0), 50);
    assert.ok(batches.every((n) => n >= 1 && n <= 8), `batch sizes ${batches.join(',')}`);
    assert.ok(batches.length >= 7);
    await wal.close();
  });
});

describe('WAL files', () => {
  test('rotation by size, explicit rotate, and file names carry the first LSN', async () => {
    const fs = await memoryDisk();
    const { wal } = await Wal.open(fs, DIR, { maxFileBytes: 256 });
    await appendN(wal, 0, 10);
    await Promise.all(Array.from({ length: 20 }, (_, k) => wal.append((10 + k) % 7, payloadFor(10 + k))));
    await wal.rotate();
    await wal.rotate(); // no-op: the new file is empty
    const names = wal.fileNames;
    assert.ok(names.length >= 4);
    assert.deepEqual(await fs.readdir(DIR), names);
    assert.equal(names[names.length - 1], walFileName(31n));
    await appendN(wal, 30, 2);
    await wal.close();
    const again = await Wal.open(fs, DIR, { maxFileBytes: 256 });
    assertRecords(again.records, 32);
    for (const name of again.wal.fileNames) {
      const size = (await fs.stat(`${DIR}/${name}`)).size;
      assert.ok(size <= 256, `${name} is ${size} bytes`);
    }
    await again.wal.close();
  });

  test('dropBefore deletes exactly the files whose records are all older', async () => {
    const fs = await memoryDisk();
    const { wal } = await Wal.open(fs, DIR, { maxFileBytes: 200 });
    await appendN(wal, 0, 40);
    const firsts = wal.fileNames.map((n) => BigInt(n.slice(4, 24)));
    const cut = 17n;
    await wal.dropBefore(cut);
    const keptFirsts = wal.fileNames.map((n) => BigInt(n.slice(4, 24)));
    // The oldest kept file is the one holding lsn `cut` (or an older record that shares its file).
    const holder = firsts.filter((f) => f <= cut).pop();
    assert.equal(keptFirsts[0], holder);
    assert.deepEqual(await fs.readdir(DIR), wal.fileNames);
    await wal.dropBefore(1000n);
    assert.equal(wal.fileNames.length, 1, 'the current file is never dropped');
    await appendN(wal, 40, 1);
    await wal.close();
    const after = (await Wal.open(fs.crash(), DIR)).records;
    assert.equal(after[after.length - 1]?.lsn, 41n);
    for (let i = 1; i < after.length; i++) assert.equal(after[i]?.lsn, (after[i - 1]?.lsn ?? 0n) + 1n);
  });

  test('a missing file in the middle refuses to open, naming the file', async () => {
    const fs = await memoryDisk();
    const { wal } = await Wal.open(fs, DIR, { maxFileBytes: 200 });
    await appendN(wal, 0, 30);
    await wal.close();
    const names = wal.fileNames;
    await fs.unlink(`${DIR}/${names[1]}`);
    await rejectsMilvus(Wal.open(fs, DIR), new RegExp(`${names[2]} is corrupt at byte offset 0`));
  });
});

/** Writes N records into a fresh memory disk and returns its WAL file bytes. */
async function walBytes(n: number): Promise<Uint8Array> {
  const fs = await memoryDisk();
  const { wal } = await Wal.open(fs, DIR);
  await appendN(wal, 0, n);
  await wal.close();
  return fs.rawBytes(FIRST);
}

async function diskWith(bytes: Uint8Array): Promise<MemoryFileSystem> {
  const fs = await memoryDisk();
  await fs.mkdir(DIR);
  await fs.fsyncDir('/db');
  await putFile(fs, FIRST, bytes);
  return fs;
}

describe('WAL recovery', () => {
  test('tail truncation at every byte offset of the last record', async () => {
    const N = 6;
    const full = await walBytes(N);
    const lastLen = walRecordBytes(payloadFor(N - 1).length);
    const lastStart = full.length - lastLen;
    for (let k = 0; k < lastLen; k++) {
      const fs = await diskWith(full.subarray(0, lastStart + k));
      const { wal, records, tail } = await Wal.open(fs, DIR);
      assertRecords(records, N - 1);
      if (k === 0) assert.equal(tail, null);
      else assert.deepEqual(tail, { file: FIRST, offset: lastStart, droppedBytes: k, reason: tail?.reason });
      assert.equal((await fs.stat(FIRST)).size, lastStart, 'file cut back to the last good record');
      assert.equal(await wal.append((N - 1) % 7, payloadFor(N - 1)), BigInt(N));
      const reopened = await Wal.open(fs.crash(), DIR);
      assertRecords(reopened.records, N);
      assert.equal(reopened.tail, null);
    }
  });

  test('the truncated tail was synced: a crash right after open does not bring it back', async () => {
    const full = await walBytes(3);
    const fs = await diskWith(full.subarray(0, full.length - 5));
    const first = await Wal.open(fs, DIR);
    assert.notEqual(first.tail, null);
    const second = await Wal.open(fs.crash(), DIR);
    assert.equal(second.tail, null);
    assertRecords(second.records, 2);
  });

  test('a damaged last record with nothing after it is a torn tail', async () => {
    const full = await walBytes(4);
    const fs = await diskWith(full);
    fs.flipByte(FIRST, full.length - 3);
    const { records, tail } = await Wal.open(fs, DIR);
    assertRecords(records, 3);
    assert.match(tail?.reason ?? '', /checksum/);
  });

  test('a flipped byte anywhere in a middle record refuses to open, naming file and offset', async () => {
    const N = 5;
    const full = await walBytes(N);
    let start = WAL_FILE_HEADER_BYTES;
    for (let j = 0; j < 2; j++) start += walRecordBytes(payloadFor(j).length);
    const len = walRecordBytes(payloadFor(2).length);
    for (let k = 0; k < len; k++) {
      const fs = await diskWith(full);
      fs.flipByte(FIRST, start + k);
      await rejectsMilvus(Wal.open(fs, DIR), new RegExp(`${FIRST} is corrupt at byte offset ${start}\\b`));
    }
  });

  test('a bad record at the end of a non-last file refuses to open', async () => {
    const fs = await memoryDisk();
    const { wal } = await Wal.open(fs, DIR);
    await appendN(wal, 0, 3);
    await wal.rotate();
    await appendN(wal, 3, 2);
    await wal.close();
    const size = (await fs.stat(FIRST)).size;
    fs.flipByte(FIRST, size - 1);
    const lastStart = size - walRecordBytes(payloadFor(2).length);
    await rejectsMilvus(Wal.open(fs, DIR), new RegExp(`${FIRST} is corrupt at byte offset ${lastStart}\\b`));
  });

  test('a torn header of a freshly rotated last file is repaired', async () => {
    const fs = await memoryDisk();
    const { wal } = await Wal.open(fs, DIR);
    await appendN(wal, 0, 3);
    await wal.rotate();
    await wal.close();
    const second = `${DIR}/${walFileName(4n)}`;
    await putFile(fs, second, fs.rawBytes(second).subarray(0, 11));
    const r = await Wal.open(fs, DIR);
    assertRecords(r.records, 3);
    assert.deepEqual(r.tail, { file: second, offset: 0, droppedBytes: 11, reason: r.tail?.reason });
    assert.equal(await r.wal.append(3, payloadFor(3)), 4n);
    assertRecords((await Wal.open(fs.crash(), DIR)).records, 4);
  });

  test('a damaged header in the last file (not torn) refuses to open', async () => {
    const full = await walBytes(2);
    const fs = await diskWith(full);
    fs.flipByte(FIRST, 18);
    await rejectsMilvus(Wal.open(fs, DIR), /is corrupt at byte offset 0: file header checksum mismatch/);
  });

  test('payloads returned by open are independent copies', async () => {
    const fs = await diskWith(await walBytes(2));
    const { records } = await Wal.open(fs, DIR);
    assert.equal(payloadNumber(records[1]?.payload ?? new Uint8Array(4)), 1);
    assert.equal(records[0]?.payload.byteOffset, 0);
  });
});
