/** Crash and fault tests: the real WAL on the simulated disk. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusError } from '../../src/core/errors.js';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';
import type { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { Wal } from '../../src/storage/wal.js';
import type { WalRecord } from '../../src/storage/wal.js';
import { memoryDisk, payloadFor, rejectsMilvus, rng } from './helpers.js';

const DIR = '/db/wal';

/** Records must be LSN 1..n in order, and record with LSN i must carry payload number i - 1. */
function assertConsistent(records: WalRecord[]): void {
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as WalRecord;
    assert.equal(r.lsn, BigInt(i + 1));
    assert.deepEqual(r.payload, payloadFor(i));
  }
}

/** Issues `count` appends, payload j for the j-th; returns the settled outcomes. */
async function issue(wal: Wal, from: number, count: number): Promise<PromiseSettledResult<bigint>[]> {
  const ps: Promise<bigint>[] = [];
  for (let j = from; j < from + count; j++) ps.push(wal.append(1, payloadFor(j)));
  return Promise.allSettled(ps);
}

function acknowledged(results: PromiseSettledResult<bigint>[]): bigint[] {
  const out: bigint[] = [];
  for (const r of results) if (r.status === 'fulfilled') out.push(r.value);
  return out;
}

describe('WAL under power loss', () => {
  test('every acknowledged append survives a crash at any step', async () => {
    let crashedMidway = 0;
    let tornTails = 0;
    let maxAcked = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const next = rng(seed);
      const mem = await memoryDisk();
      const faulty = new FaultyFileSystem(mem);
      let survivor: MemoryFileSystem | null = null;
      const crashAtOp = 1 + Math.floor(next() * 80);
      let ops = 0;
      faulty.onOp = () => {
        if (++ops === crashAtOp) survivor = mem.crash({ keepFraction: next });
      };
      const acked: bigint[] = [];
      let issued = 0;
      try {
        const { wal } = await Wal.open(faulty, DIR, { maxFileBytes: 400 });
        for (let wave = 0; wave < 12 && survivor === null; wave++) {
          const n = 1 + Math.floor(next() * 8);
          acked.push(...acknowledged(await issue(wal, issued, n)));
          issued += n;
          if (next() < 0.2) await wal.rotate().catch(() => undefined);
        }
      } catch (e) {
        assert.ok(survivor !== null, `failure without a crash: ${String(e)}`);
      }
      if (survivor !== null) crashedMidway++;
      maxAcked = Math.max(maxAcked, acked.length);
      const disk: MemoryFileSystem = survivor ?? mem.crash({ keepFraction: next });
      const { wal, records, tail } = await Wal.open(disk, DIR, { maxFileBytes: 400 });
      if (tail !== null) tornTails++;
      assertConsistent(records);
      const have = BigInt(records.length);
      for (const lsn of acked) assert.ok(lsn <= have, `seed ${seed}: acknowledged lsn ${lsn} lost (have ${have})`);
      assert.equal(await wal.append(1, payloadFor(records.length)), have + 1n);
      assertConsistent((await Wal.open(disk.crash(), DIR)).records);
    }
    // The test only means something if crashes hit mid-workload and left torn tails behind.
    assert.ok(crashedMidway >= 40, `${crashedMidway} crashes mid-workload`);
    assert.ok(tornTails >= 5, `${tornTails} torn tails`);
    assert.ok(maxAcked >= 20, `at most ${maxAcked} acknowledged appends`);
  });

  test('dropBefore interrupted at any step leaves a log without gaps that still holds every needed record', async () => {
    let step = 1;
    for (;; step++) {
      const mem = await memoryDisk();
      const faulty = new FaultyFileSystem(mem);
      const { wal } = await Wal.open(faulty, DIR, { maxFileBytes: 200 });
      for (let j = 0; j < 40; j++) await wal.append(1, payloadFor(j));
      assert.ok(wal.fileNames.length >= 5);
      let survivor: MemoryFileSystem | null = null;
      let ops = 0;
      faulty.onOp = () => {
        if (++ops === step) survivor = mem.crash();
      };
      await wal.dropBefore(30n).catch(() => undefined);
      const disk: MemoryFileSystem = survivor ?? mem.crash();
      const { records } = await Wal.open(disk, DIR);
      const first = records[0]?.lsn ?? 0n;
      assert.ok(first <= 30n, `step ${step}: record 30 was dropped`);
      for (let i = 0; i < records.length; i++) {
        assert.equal(records[i]?.lsn, first + BigInt(i));
        assert.deepEqual(records[i]?.payload, payloadFor(Number(first) - 1 + i));
      }
      assert.equal(records[records.length - 1]?.lsn, 40n);
      if (survivor === null) break;
    }
    assert.ok(step > 4, `only ${step} steps`);
  });

  test('a disk that drops fsyncs loses acknowledged appends (the harness would catch a WAL that skipped fsync)', async () => {
    const mem = await memoryDisk();
    const faulty = new FaultyFileSystem(mem);
    const { wal } = await Wal.open(faulty, DIR);
    faulty.dropSyncs();
    const results = await issue(wal, 0, 10);
    assert.equal(acknowledged(results).length, 10);
    const { records } = await Wal.open(mem.crash(), DIR);
    assert.equal(records.length, 0);
  });
});

describe('WAL write and fsync failures', () => {
  async function setup(): Promise<{ mem: MemoryFileSystem; faulty: FaultyFileSystem; wal: Wal }> {
    const mem = await memoryDisk();
    const faulty = new FaultyFileSystem(mem);
    const { wal } = await Wal.open(faulty, DIR);
    assert.deepEqual(acknowledged(await issue(wal, 0, 5)), [1n, 2n, 3n, 4n, 5n]);
    return { mem, faulty, wal };
  }

  async function assertPoisonedAndRecoverable(wal: Wal, mem: MemoryFileSystem, code: string): Promise<void> {
    const err = await rejectsMilvus(wal.append(1, payloadFor(99)), /failed earlier and must be reopened/);
    assert.equal((err.cause as { code?: unknown }).code, code);
    for (const disk of [mem.crash()]) {
      const { wal: again, records } = await Wal.open(disk, DIR);
      assertConsistent(records);
      assert.ok(records.length >= 5, 'acknowledged records survive');
      assert.equal(await again.append(1, payloadFor(records.length)), BigInt(records.length + 1));
    }
  }

  for (const keep of [0, 1, 20, 150]) {
    test(`torn write keeping ${keep} bytes rejects every waiting append`, async () => {
      const { mem, faulty, wal } = await setup();
      faulty.tearNextWrite(keep);
      const results = await issue(wal, 5, 10);
      for (const r of results) {
        assert.equal(r.status, 'rejected');
        assert.equal((r.reason as { code?: unknown }).code, 'EIO');
      }
      await assertPoisonedAndRecoverable(wal, mem, 'EIO');
    });
  }

  test('ENOSPC rejects the batch and appends queued behind it, cuts the torn bytes off, and the WAL goes on', async () => {
    const { mem, faulty, wal } = await setup();
    faulty.noSpaceAfter(30);
    let behind: Promise<PromiseSettledResult<bigint>[]> | null = null;
    faulty.onOp = (op) => {
      if (op === 'write' && behind === null) behind = issue(wal, 100, 3);
    };
    const results = await issue(wal, 5, 4);
    assert.ok(results.every((r) => r.status === 'rejected' && (r.reason as { code?: unknown }).code === 'ENOSPC'));
    assert.ok(behind !== null);
    const queued = await (behind as Promise<PromiseSettledResult<bigint>[]>);
    assert.ok(queued.every((r) => r.status === 'rejected' && (r.reason as { code?: unknown }).code === 'ENOSPC'));
    assert.equal(wal.failure, null, 'a full disk does not poison the WAL');
    faulty.onOp = null;
    faulty.heal();
    // The rejected records' LSNs are handed out again: payload j at LSN j + 1.
    assert.deepEqual(acknowledged(await issue(wal, 5, 3)), [6n, 7n, 8n]);
    const { records } = await Wal.open(mem.crash(), DIR);
    assertConsistent(records);
    assert.equal(records.length, 8, 'the refused records never appear, the later ones are there');
  });

  test('after ENOSPC the torn bytes are cut off durably: a crash keeping every unsynced byte finds no tail', async () => {
    const { mem, faulty, wal } = await setup();
    faulty.noSpaceAfter(30);
    const results = await issue(wal, 5, 4);
    assert.ok(results.every((r) => r.status === 'rejected'));
    const { records, tail } = await Wal.open(mem.crash({ keepFraction: () => 1 }), DIR);
    assert.equal(records.length, 5);
    assert.equal(tail, null);
  });

  test('a failed fsync rejects the appends; their bytes were written but are not acknowledged', async () => {
    const { mem, faulty, wal } = await setup();
    faulty.failSyncs({ target: 'file' });
    const results = await issue(wal, 5, 3);
    assert.ok(results.every((r) => r.status === 'rejected'));
    const { records } = await Wal.open(mem.crash(), DIR);
    assert.equal(records.length, 5, 'unsynced records are gone after power loss');
  });

  test('rotation failure poisons the WAL', async () => {
    const { mem, faulty, wal } = await setup();
    faulty.failSyncs({ target: 'dir' });
    await assert.rejects(wal.rotate(), { code: 'EIO' });
    await assertPoisonedAndRecoverable(wal, mem, 'EIO');
  });

  test('read errors during open propagate instead of being mistaken for a torn tail', async () => {
    const { mem, wal } = await setup();
    await wal.close();
    const faulty = new FaultyFileSystem(mem);
    faulty.failReads({ path: '/db/wal/wal-' });
    await assert.rejects(Wal.open(faulty, DIR), (e: unknown) => !(e instanceof MilvusError) && (e as { code?: unknown }).code === 'EIO');
    assert.equal((await Wal.open(mem, DIR)).records.length, 5);
  });
});
