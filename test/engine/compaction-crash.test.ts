/**
 * A crash at every file-system operation of a compaction, one run per operation, on the
 * fault-injecting in-memory file system (everything not fsync'd is lost): after each crash the
 * engine reopens with either the old segments or the merged one, never both and never neither;
 * the rows (minus the deleted ones) are there exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../src/storage/fs/memory.js';
import { FaultyFileSystem } from '../../src/storage/fs/faulty.js';
import type { FileSystem } from '../../src/storage/fs/types.js';
import { SextantService } from '../../src/service/service.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';

const DIR = '/data';
const DIM = 4;
const EXPECTED = Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 17 !== 3);

async function setup(): Promise<MemoryFileSystem> {
  const mem = new MemoryFileSystem();
  const svc = await SextantService.open({ dataDir: DIR, fs: mem, lock: false, autoCompaction: false });
  await svc.createCollection(vectorCollection('c', DIM));
  await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'HNSW', metric_type: 'L2', M: '8', efConstruction: '16' } });
  const rand = rng(5);
  for (let f = 0; f < 6; f++) {
    await svc.insert({ collectionName: 'c', numRows: 50, columns: batch(f * 50, 50, DIM, rand) });
    await svc.flush({ collectionNames: ['c'] });
  }
  await svc.delete({ collectionName: 'c', filter: `id in [${Array.from({ length: 300 }, (_, i) => i).filter((i) => i % 17 === 3).join(',')}]` });
  await svc.loadCollection({ collectionName: 'c' });
  await svc.engine.indexer.idle();
  await svc.close();
  return mem;
}

/** Compact on `fs`; returns the segment count the manifest had when it finished (or crashed). */
async function compact(fs: FileSystem): Promise<void> {
  const svc = await SextantService.open({ dataDir: DIR, fs, lock: false, autoCompaction: false });
  try {
    await svc.compact({ collectionName: 'c' });
    await svc.engine.compactor.idle();
    await svc.engine.indexer.idle();
  } finally {
    await svc.close().catch(() => undefined);
  }
}

async function check(fs: FileSystem, what: string): Promise<number> {
  const svc = await SextantService.open({ dataDir: DIR, fs, lock: false, autoCompaction: false });
  try {
    await svc.loadCollection({ collectionName: 'c' });
    const r = await svc.query({ collectionName: 'c', filter: 'id >= 0', outputFields: ['id'] });
    const n = await svc.query({ collectionName: 'c', filter: 'id >= 0', outputFields: ['count(*)'] });
    const ids = Array.from(r.columns[0]!.column.data as BigInt64Array, Number).sort((a, b) => a - b);
    assert.equal(Number((n.columns[0]!.column.data as BigInt64Array)[0]), EXPECTED.length, `${what}: row count`);
    assert.deepEqual(ids, EXPECTED, `${what}: rows`);
    let segments = 0;
    for (const c of svc.engine.collections.values()) for (const p of c.partitions.values()) segments += p.meta.segments.length;
    return segments;
  } finally {
    await svc.close();
  }
}

test('a crash at every file-system operation of a compaction leaves the old segments or the new one, each row once', { timeout: 240_000 }, async (t) => {
  // A run without a crash: how many operations a compaction (from open to close) takes.
  const counting = new FaultyFileSystem(await setup());
  await compact(counting);
  const total = counting.stats.ops;
  const outcomes = { old: 0, merged: 0 };
  for (let at = 1; at <= total; at++) {
    const mem = await setup();
    const faulty = new FaultyFileSystem(mem);
    let ops = 0;
    let crashed: MemoryFileSystem | null = null;
    faulty.onOp = () => {
      if (++ops === at && crashed === null) crashed = mem.crash();
    };
    await compact(faulty).catch(() => undefined);
    const segments = await check(crashed ?? mem.crash(), `crash at operation ${at} of ${total}`);
    if (segments === 1) outcomes.merged++;
    else outcomes.old++;
  }
  t.diagnostic(`crashed at each of ${total} file-system operations: ${outcomes.old} recovered the old segments, ${outcomes.merged} the merged one`);
  assert.ok(outcomes.old > 0 && outcomes.merged > 0, 'the crashes covered both sides of the swap');
});
