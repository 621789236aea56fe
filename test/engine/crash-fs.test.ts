/**
 * Crash at every kind of moment, on the fault-injecting in-memory file system: the real WAL,
 * segment and manifest code runs while the "disk" loses everything not yet fsync'd. After each
 * crash the engine reopens and every acknowledged write is there exactly once; and a full disk
 * during a flush loses nothing either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';
import type { FileSystem } from '../../src/storage/fs/types.js';
import { SextantService } from '../../src/service/service.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';

const dim = 4;
const DIR = '/data';

async function liveIds(fs: FileSystem): Promise<{ ids: number[]; count: number }> {
  const svc = await SextantService.open({ dataDir: DIR, fs, lock: false });
  try {
    if (!(await svc.hasCollection({ collectionName: 'c' }))) return { ids: [], count: 0 };
    if ((await svc.describeIndex({ collectionName: 'c' }).catch(() => [])).length === 0) {
      await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    }
    await svc.loadCollection({ collectionName: 'c' });
    const r = await svc.query({ collectionName: 'c', filter: 'id >= 0', outputFields: ['id'] });
    const n = await svc.query({ collectionName: 'c', filter: 'id >= 0', outputFields: ['count(*)'] });
    const ids = Array.from(r.columns[0]!.column.data as BigInt64Array, Number);
    return { ids, count: Number((n.columns[0]!.column.data as BigInt64Array)[0]) };
  } finally {
    await svc.releaseCollection({ collectionName: 'c' }).catch(() => undefined);
    await svc.close().catch(() => undefined);
  }
}

test('a crash at any file-system operation keeps every acknowledged write exactly once (60 seeded runs)', { timeout: 120_000 }, async () => {
  let midWorkload = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const rand = rng(seed);
    let mem = new MemoryFileSystem();
    // Set up a collection durably first.
    const setup = await SextantService.open({ dataDir: DIR, fs: mem, lock: false });
    await setup.createCollection(vectorCollection('c', dim));
    await setup.close();

    const faulty = new FaultyFileSystem(mem);
    const crashAt = 5 + Math.floor(rand() * 160);
    let ops = 0;
    let crashed: MemoryFileSystem | null = null;
    faulty.onOp = () => {
      if (++ops === crashAt && crashed === null) crashed = mem.crash();
    };
    const acked = new Set<number>();
    const deleted = new Set<number>();
    const svc = await SextantService.open({ dataDir: DIR, fs: faulty, lock: false, sealRows: 60 }).catch(() => null);
    if (svc) {
      try {
        for (let i = 0; i < 40 && crashed === null; i++) {
          const first = i * 20;
          await svc.insert({ collectionName: 'c', numRows: 20, columns: batch(first, 20, dim, rand) });
          for (let k = first; k < first + 20; k++) acked.add(k);
          if (i % 5 === 4) {
            await svc.delete({ collectionName: 'c', filter: `id in [${first}, ${first + 1}]` });
            deleted.add(first); deleted.add(first + 1);
          }
          if (i % 9 === 8) await svc.flush({ collectionNames: ['c'] });
        }
      } catch {
        // The crash makes every later operation fail with EIO; what was acknowledged must survive.
      }
      await svc.close().catch(() => undefined);
    }
    if (crashed !== null && acked.size > 0) midWorkload++;
    mem = crashed ?? mem.crash();
    const { ids, count } = await liveIds(mem);
    const present = new Set(ids);
    assert.equal(count, present.size, `seed ${seed}: duplicate rows after recovery`);
    for (const id of acked) {
      if (deleted.has(id)) assert.ok(!present.has(id), `seed ${seed}: acknowledged delete of ${id} was lost`);
      else assert.ok(present.has(id), `seed ${seed}: acknowledged insert ${id} was lost (crash at op ${crashAt})`);
    }
  }
  assert.ok(midWorkload >= 40, `only ${midWorkload} of 60 runs crashed in the middle of the workload`);
});

test('a full disk during flush fails the flush, keeps the data, and it is all there after a crash', async () => {
  const mem = new MemoryFileSystem();
  const faulty = new FaultyFileSystem(mem);
  const svc = await SextantService.open({ dataDir: DIR, fs: faulty, lock: false });
  await svc.createCollection(vectorCollection('c', dim));
  const rand = rng(9);
  await svc.insert({ collectionName: 'c', numRows: 100, columns: batch(0, 100, dim, rand) });
  faulty.noSpaceAfter(64);
  await assert.rejects(svc.flush({ collectionNames: ['c'] }), (e: unknown) => /ENOSPC|no space/i.test(String((e as Error).message ?? e) + String((e as { code?: string }).code)));
  faulty.heal();
  await svc.close().catch(() => undefined);
  const { ids } = await liveIds(mem.crash());
  assert.equal(ids.length, 100);
});
