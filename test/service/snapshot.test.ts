/**
 * Snapshots (Milvus 2.6): a snapshot holds the collection's flushed rows as they were when taken;
 * deletes, compaction and dropping the source afterwards do not change it or remove its files;
 * restore makes a new collection with those rows; snapshots and restore jobs survive a restart;
 * dropping the last holder removes the files; pins block a drop until unpinned.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import { SextantService } from '../../src/service/service.js';
import { makeTempDir } from '../support/tmp.js';
import { batch, refusal, rng, vectorCollection } from '../support/fixtures.js';

const DIM = 4;

async function count(svc: SextantService, collectionName: string): Promise<number> {
  await svc.loadCollection({ collectionName });
  const n = await svc.query({ collectionName, filter: 'id >= 0', outputFields: ['count(*)'] });
  return Number((n.columns[0]!.column.data as BigInt64Array)[0]);
}

const segFiles = async (dir: string): Promise<string[]> => (await readdir(dir, { recursive: true })).map(String).filter((f) => f.endsWith('.sxs')).sort();

test('snapshot: immutable after deletes, compaction and drop; restore; durable; files freed with the last holder', { timeout: 120_000 }, async () => {
  const dir = await makeTempDir();
  try {
    let svc = await SextantService.open({ dataDir: dir, autoCompaction: false });
    const rand = rng(3);
    await svc.createCollection(vectorCollection('src', DIM));
    await svc.createIndex({ collectionName: 'src', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    for (let f = 0; f < 3; f++) {
      await svc.insert({ collectionName: 'src', numRows: 100, columns: batch(f * 100, 100, DIM, rand) });
      await svc.flush({ collectionNames: ['src'] });
    }
    await svc.insert({ collectionName: 'src', numRows: 50, columns: batch(300, 50, DIM, rand) }); // unflushed: the snapshot flushes first
    await svc.createSnapshot({ collectionName: 'src', name: 's1', description: 'first', compactionProtectionSeconds: 0 });
    assert.match((await refusal(svc.createSnapshot({ collectionName: 'src', name: 's1' }))).message, /snapshot s1 already exists/);
    assert.deepEqual(await svc.listSnapshots({ collectionName: 'src' }), ['s1']);
    const d = await svc.describeSnapshot({ collectionName: 'src', name: 's1' });
    assert.equal(d.description, 'first');
    assert.deepEqual(d.partitionNames, ['_default']);

    await svc.loadCollection({ collectionName: 'src' });
    await svc.delete({ collectionName: 'src', filter: 'id < 120' });
    await svc.flush({ collectionNames: ['src'] });
    const before = await segFiles(dir);
    const job = await svc.compact({ collectionName: 'src' });
    for (let i = 0; i < 400 && (await svc.getCompactionState({ compactionId: job.compactionId })).state !== 'Completed'; i++) await new Promise((res) => setTimeout(res, 25));
    assert.equal((await svc.getCompactionState({ compactionId: job.compactionId })).state, 'Completed');
    const after = await segFiles(dir);
    const snapFiles = svc.engine.catalog.snapshots[0]!.collection.partitions.flatMap((p) => p.segments.map((x) => x.file));
    const liveFiles = [...svc.engine.collections.values()].flatMap((c) => [...c.partitions.values()].flatMap((p) => p.meta.segments.map((x) => x.file)));
    assert.ok(snapFiles.some((f) => !liveFiles.includes(f)), `compaction replaced segments the snapshot names: ${snapFiles.join(',')} vs ${liveFiles.join(',')}`);
    for (const f of snapFiles) assert.ok(after.some((a) => a.endsWith(f)), `the snapshot's ${f} is still on disk after compaction (${before.length} -> ${after.length} files)`);
    assert.equal(await count(svc, 'src'), 230);

    const r = await svc.restoreSnapshot({ collectionName: 'src', name: 's1', targetCollectionName: 'copy' });
    assert.equal((await svc.getRestoreSnapshotState({ jobId: r.jobId })).state, 'completed');
    assert.equal(await count(svc, 'copy'), 350, 'the restored collection has the rows the snapshot was taken with');
    assert.match((await refusal(svc.restoreSnapshot({ collectionName: 'src', name: 's1', targetCollectionName: 'copy' }))).message, /collection copy already exists/);

    await svc.dropCollection({ collectionName: 'src' });
    await svc.dropCollection({ collectionName: 'copy' });
    const held = await segFiles(dir);
    assert.ok(held.length >= 3, `the snapshot still holds its segment files: ${held.join(', ')}`);
    await svc.close();

    svc = await SextantService.open({ dataDir: dir, autoCompaction: false });
    assert.deepEqual(await svc.listSnapshots({ collectionName: 'src' }), ['s1'], 'the snapshot survives a restart');
    assert.equal((await svc.listRestoreSnapshotJobs({})).length, 1);
    await svc.restoreSnapshot({ collectionName: 'src', name: 's1', targetCollectionName: 'again' });
    assert.equal(await count(svc, 'again'), 350, 'restored after the source was dropped and the process restarted');
    await svc.dropCollection({ collectionName: 'again' });

    const pin = await svc.pinSnapshotData({ collectionName: 'src', name: 's1', ttlSeconds: 60 });
    assert.match((await refusal(svc.dropSnapshot({ collectionName: 'src', name: 's1' }))).message, /snapshot s1 is pinned/);
    await svc.unpinSnapshotData({ pinId: pin.pinId });
    await svc.dropSnapshot({ collectionName: 'src', name: 's1' });
    assert.deepEqual(await svc.listSnapshots({ collectionName: 'src' }), []);
    assert.deepEqual(await segFiles(dir), [], 'no collection or snapshot names the files any more: they are removed');
    await svc.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('snapshot pins are durable: a pin outlives a restart until it lapses or is unpinned', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  try {
    let svc = await SextantService.open({ dataDir: dir, autoCompaction: false });
    await svc.createCollection(vectorCollection('src', DIM));
    await svc.insert({ collectionName: 'src', numRows: 10, columns: batch(0, 10, DIM, rng(5)) });
    await svc.createSnapshot({ collectionName: 'src', name: 's1' });
    const long = await svc.pinSnapshotData({ collectionName: 'src', name: 's1', ttlSeconds: 600 });
    const short = await svc.pinSnapshotData({ collectionName: 'src', name: 's1', ttlSeconds: 1 });
    const shortUntil = Date.now() + 1_000;
    await svc.close();

    svc = await SextantService.open({ dataDir: dir, autoCompaction: false });
    assert.match((await refusal(svc.dropSnapshot({ collectionName: 'src', name: 's1' }))).message, /snapshot s1 is pinned/, 'the pins came back with the snapshot');
    await svc.unpinSnapshotData({ pinId: long.pinId });
    assert.match((await refusal(svc.unpinSnapshotData({ pinId: long.pinId }))).message, /snapshot pin not found/);
    while (Date.now() <= shortUntil) await new Promise((res) => setTimeout(res, 50));
    await svc.close();

    svc = await SextantService.open({ dataDir: dir, autoCompaction: false });
    assert.match((await refusal(svc.unpinSnapshotData({ pinId: short.pinId }))).message, /snapshot pin not found/, 'a lapsed pin is gone');
    await svc.dropSnapshot({ collectionName: 'src', name: 's1' });
    assert.deepEqual(await svc.listSnapshots({ collectionName: 'src' }), []);
    await svc.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
