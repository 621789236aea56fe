/**
 * A failed fsync or an I/O error on the WAL, a segment or the manifest: the engine stops
 * acknowledging writes (code 5, every later insert / upsert / delete / DDL / flush), reports not
 * healthy with the reason, keeps answering reads from memory (only acknowledged rows), and a
 * restart on what the disk kept recovers every acknowledged write. A full disk (ENOSPC) is not a
 * failure: the write gets code 7 and writes resume once space returns, without a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusError } from '../../src/core/errors.js';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';
import { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { SextantService } from '../../src/service/service.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';

const dim = 4;
const DIR = '/data';

interface Setup { mem: MemoryFileSystem; faulty: FaultyFileSystem; svc: SextantService; acked: Set<number> }

/** A loaded collection with rows 0..59 acknowledged (some flushed to a segment, some only in the WAL). */
async function setup(): Promise<Setup> {
  const mem = new MemoryFileSystem();
  const faulty = new FaultyFileSystem(mem);
  const svc = await SextantService.open({ dataDir: DIR, fs: faulty, lock: false });
  await svc.createCollection(vectorCollection('c', dim));
  await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
  await svc.loadCollection({ collectionName: 'c' });
  const rand = rng(5);
  await svc.insert({ collectionName: 'c', numRows: 30, columns: batch(0, 30, dim, rand) });
  await svc.flush({ collectionNames: ['c'] });
  await svc.insert({ collectionName: 'c', numRows: 30, columns: batch(30, 30, dim, rand) });
  return { mem, faulty, svc, acked: new Set(Array.from({ length: 60 }, (_, i) => i)) };
}

async function ids(svc: SextantService): Promise<number[]> {
  const r = await svc.query({ collectionName: 'c', filter: 'id >= 0', outputFields: ['id'] });
  return Array.from(r.columns[0]!.column.data as BigInt64Array, Number).sort((a, b) => a - b);
}

async function codeOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (e) {
    assert.ok(e instanceof MilvusError, `a coded error, got ${String(e)}`);
    return e.code;
  }
}

/** Every kind of write is refused with code 5; nothing it tried is visible; reads answer the acknowledged rows. */
async function assertRefusesWrites(s: Setup, reason: RegExp): Promise<void> {
  const { svc } = s;
  const h = svc.checkHealth();
  assert.equal(h.isHealthy, false);
  assert.match(h.reasons.join(' '), reason);
  const rand = rng(8);
  assert.equal(await codeOf(svc.insert({ collectionName: 'c', numRows: 2, columns: batch(1000, 2, dim, rand) })), 5);
  assert.equal(await codeOf(svc.upsert({ collectionName: 'c', numRows: 2, columns: batch(0, 2, dim, rand) })), 5);
  assert.equal(await codeOf(svc.delete({ collectionName: 'c', filter: 'id in [1, 2]' })), 5);
  assert.equal(await codeOf(svc.createCollection(vectorCollection('d', dim))), 5);
  assert.equal(await codeOf(svc.createPartition({ collectionName: 'c', partitionName: 'p' })), 5);
  assert.equal(await codeOf(svc.flush({ collectionNames: ['c'] })), 5);
  assert.equal(await codeOf(svc.releaseCollection({ collectionName: 'c' })), 5);
  assert.equal(await svc.hasCollection({ collectionName: 'd' }), false);
  assert.deepEqual(await ids(svc), [...s.acked].sort((a, b) => a - b), 'reads answer exactly the acknowledged rows');
}

/** Power cut, reopen on what the disk kept: every acknowledged row is there once, refused ones are not. */
async function assertRecovers(s: Setup, refused: number[]): Promise<void> {
  await s.svc.close();
  const again = await SextantService.open({ dataDir: DIR, fs: s.mem.crash(), lock: false });
  try {
    assert.equal(again.checkHealth().isHealthy, true);
    const present = await ids(again);
    assert.equal(new Set(present).size, present.length, 'no duplicates');
    for (const id of s.acked) assert.ok(present.includes(id), `acknowledged row ${id} lost`);
    for (const id of refused) assert.ok(!present.includes(id), `refused row ${id} appeared`);
    assert.equal(await again.hasCollection({ collectionName: 'd' }), false);
    await again.insert({ collectionName: 'c', numRows: 1, columns: batch(5000, 1, dim, rng(2)) });
  } finally {
    await again.close();
  }
}

test('a failed WAL fsync: the insert is refused, never applied, and storage stops acknowledging', async () => {
  const s = await setup();
  s.faulty.failSyncs({ path: '/wal/', target: 'file' });
  const e = await codeOf(s.svc.insert({ collectionName: 'c', numRows: 5, columns: batch(100, 5, dim, rng(1)) }));
  assert.equal(e, 5);
  s.faulty.heal(); // the disk "works" again: an fsync is still never retried
  await assertRefusesWrites(s, /write-ahead log.*EIO.*fsync/);
  await assertRecovers(s, [100, 101, 102, 103, 104, 1000, 1001]);
});

test('a failed WAL write (torn, EIO) is a storage failure', async () => {
  const s = await setup();
  s.faulty.tearNextWrite(17, { path: '/wal/' });
  assert.equal(await codeOf(s.svc.insert({ collectionName: 'c', numRows: 5, columns: batch(100, 5, dim, rng(1)) })), 5);
  await assertRefusesWrites(s, /write-ahead log.*EIO.*write/);
  await assertRecovers(s, [100, 1000]);
});

test('a failed fsync of a segment file during flush: the flush fails, storage stops, the WAL recovers the rows', async () => {
  const s = await setup();
  s.faulty.failSyncs({ path: '/segments/seg-', target: 'file' });
  assert.equal(await codeOf(s.svc.flush({ collectionNames: ['c'] })), 5);
  await assertRefusesWrites(s, /segment flush.*EIO/);
  await assertRecovers(s, [1000]);
});

test('a failed manifest replacement (DDL): refused, not healthy, recovered on restart', async () => {
  const s = await setup();
  s.faulty.failSyncs({ path: 'MANIFEST', target: 'file' });
  assert.equal(await codeOf(s.svc.createPartition({ collectionName: 'c', partitionName: 'q' })), 5);
  await assertRefusesWrites(s, /manifest.*EIO/);
  await assertRecovers(s, [1000]);
});

test('a failed directory fsync after the manifest rename (flush): storage stops, nothing acknowledged is lost', async () => {
  const s = await setup();
  s.faulty.onOp = (op, path) => {
    if (op === 'rename' && path.endsWith('MANIFEST.tmp')) s.faulty.failSyncs({ path: DIR, target: 'dir' });
  };
  assert.equal(await codeOf(s.svc.flush({ collectionNames: ['c'] })), 5);
  s.faulty.onOp = null;
  await assertRefusesWrites(s, /manifest.*EIO/);
  await assertRecovers(s, [1000]);
});

test('ENOSPC on the WAL: code 7, healthy with DenyToWrite, reads go on, writes resume when space returns', async () => {
  const s = await setup();
  s.faulty.noSpaceAfter(40);
  const err = await s.svc.insert({ collectionName: 'c', numRows: 5, columns: batch(100, 5, dim, rng(1)) }).catch((e: unknown) => e);
  assert.ok(err instanceof MilvusError && err.code === 7 && err.errorCode === 'DiskQuotaExhausted', String(err));
  assert.match(err.message, /disk limit exceeded.*ENOSPC/);
  const h = s.svc.checkHealth();
  assert.deepEqual([h.isHealthy, h.quotaStates], [true, ['DenyToWrite']]);
  assert.match(h.reasons.join(' '), /disk limit exceeded/);
  assert.deepEqual(await ids(s.svc), [...s.acked].sort((a, b) => a - b));
  s.faulty.heal();
  await s.svc.insert({ collectionName: 'c', numRows: 5, columns: batch(200, 5, dim, rng(1)) });
  for (let i = 200; i < 205; i++) s.acked.add(i);
  assert.deepEqual(s.svc.checkHealth(), { isHealthy: true, reasons: [], quotaStates: [] });
  await s.svc.createPartition({ collectionName: 'c', partitionName: 'after' });
  await assertRecovers(s, [100, 101, 102, 103, 104]);
});

test('ENOSPC during flush and on the manifest: code 7, the flush is retried once space returns, nothing lost', async () => {
  const s = await setup();
  s.faulty.noSpaceAfter(100);
  assert.equal(await codeOf(s.svc.flush({ collectionNames: ['c'] })), 7);
  assert.equal(s.svc.checkHealth().isHealthy, true);
  assert.deepEqual(await ids(s.svc), [...s.acked].sort((a, b) => a - b));
  // DDL whose manifest finds no space: code 7; the catalog is written before anything else is acknowledged.
  s.faulty.heal();
  s.faulty.noSpaceAfter(0);
  assert.equal(await codeOf(s.svc.createPartition({ collectionName: 'c', partitionName: 'p2' })), 7);
  assert.equal(await codeOf(s.svc.insert({ collectionName: 'c', numRows: 1, columns: batch(300, 1, dim, rng(1)) })), 7);
  s.faulty.heal();
  await s.svc.flush({ collectionNames: ['c'] });
  const segs = await s.svc.getPersistentSegmentInfo({ collectionName: 'c' });
  assert.equal(segs.reduce((n, x) => n + x.numRows, 0), 60, 'every row is in a segment after the retried flush');
  await assertRecovers(s, [300]);
});
