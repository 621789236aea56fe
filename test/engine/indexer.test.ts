/** Index builds per sealed segment: in a worker, persisted, loaded without rebuilding, dropped with their files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { SextantService } from '../../src/service/service.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';
import { withTempDir } from '../support/tmp.js';

const dim = 8;
const indexFiles = async (dir: string) => (await readdir(path.join(dir, 'segments'))).filter((f) => f.startsWith('idx-')).sort();

test('indexes are built per sealed segment in the background, persisted, and loaded without a rebuild', async () => {
  await withTempDir(async (dir) => {
    let svc = await SextantService.open({ dataDir: dir, sealRows: 400 });
    await svc.createCollection(vectorCollection('c', dim));
    const rand = rng(4);
    for (let i = 0; i < 5; i++) await svc.insert({ collectionName: 'c', numRows: 200, columns: batch(i * 200, 200, dim, rand) });
    await svc.flush({ collectionNames: ['c'] });
    await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'HNSW', metric_type: 'L2', M: '8', efConstruction: '32' } });
    await svc.engine.indexer.idle();
    const [d] = await svc.describeIndex({ collectionName: 'c' });
    assert.ok(d);
    assert.equal(d.state, 'Finished');
    assert.equal(d.indexedRows, 1000);
    assert.equal(d.pendingRows, 0);
    const files = await indexFiles(dir);
    assert.ok(files.length >= 2, `expected one index file per sealed segment, got ${files.join(',')}`);
    const mtimes = await Promise.all(files.map(async (f) => (await stat(path.join(dir, 'segments', f))).mtimeMs));
    await svc.loadCollection({ collectionName: 'c' });
    const loaded = [...svc.engine.collections.values()][0]!;
    const chunks = [...loaded.partitions.values()].flatMap((p) => p.sealed.map((s) => s.data));
    assert.ok(chunks.every((ch) => ch !== null && ch.indexes.has('vec')), 'every loaded sealed segment carries its index');
    const r = await svc.search({ collectionName: 'c', nq: 1, topK: 5, vectors: { kind: 'floatVector', dim, data: new Float32Array(dim), valid: null }, params: { ef: 64 } });
    assert.equal(r.topks[0], 5);
    await assert.rejects(svc.search({ collectionName: 'c', nq: 1, topK: 5, vectors: { kind: 'floatVector', dim, data: new Float32Array(dim), valid: null }, params: { ef: 'many' } }), /ef/);
    await svc.close();

    svc = await SextantService.open({ dataDir: dir });
    await svc.engine.indexer.idle();
    assert.deepEqual(await indexFiles(dir), files, 'reopening must not rebuild');
    const after = await Promise.all(files.map(async (f) => (await stat(path.join(dir, 'segments', f))).mtimeMs));
    assert.deepEqual(after, mtimes);
    await svc.releaseCollection({ collectionName: 'c' });
    await svc.dropIndex({ collectionName: 'c', fieldName: 'vec' });
    assert.deepEqual(await indexFiles(dir), [], 'dropping the index deletes its files');
    await svc.close();
  });
});

test('FLAT is exact by nature: nothing is built or stored, and the index reports Finished', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir, sealRows: 300 });
    await svc.createCollection(vectorCollection('c', dim));
    await svc.insert({ collectionName: 'c', numRows: 600, columns: batch(0, 600, dim, rng(2)) });
    await svc.flush({ collectionNames: ['c'] });
    await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.engine.indexer.idle();
    const [d] = await svc.describeIndex({ collectionName: 'c' });
    assert.equal(d?.state, 'Finished');
    assert.equal(d?.indexedRows, 600);
    assert.deepEqual(await indexFiles(dir), []);
    await svc.close();
  });
});

test('a schedule while a segment is being indexed does not build it again (a compaction finishing, a flush)', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir, autoCompaction: false });
    await svc.createCollection(vectorCollection('c', dim));
    await svc.insert({ collectionName: 'c', numRows: 3000, columns: batch(0, 3000, dim, rng(5)) });
    await svc.flush({ collectionNames: ['c'] });
    const builds: boolean[] = [];
    svc.engine.indexer.buildListeners.add((_type, _s, ok) => builds.push(ok));
    await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'HNSW', metric_type: 'L2', M: '8', efConstruction: '64' } });
    const c = [...svc.engine.collections.values()][0]!;
    assert.equal(svc.engine.indexer.activeBuilds, 1, 'the build is under way');
    // What a compaction that just finished (Compactor.run) or a flush sealing another segment does.
    svc.engine.indexer.schedule(c);
    svc.engine.indexer.schedule(c);
    await svc.engine.indexer.idle();
    assert.deepEqual(builds, [true], 'one build of the one segment');
    const [d] = await svc.describeIndex({ collectionName: 'c' });
    assert.equal(d?.state, 'Finished');
    assert.equal(d?.indexedRows, 3000);
    await svc.close();
  });
});

test('attaching a segment\'s index again closes the index it replaces', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir, autoCompaction: false });
    await svc.createCollection(vectorCollection('c', dim));
    await svc.insert({ collectionName: 'c', numRows: 3000, columns: batch(0, 3000, dim, rng(6)) });
    await svc.flush({ collectionNames: ['c'] });
    await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'IVF_FLAT', metric_type: 'L2', nlist: '8' } });
    await svc.engine.indexer.idle();
    await svc.loadCollection({ collectionName: 'c' });
    const c = [...svc.engine.collections.values()][0]!;
    const seg = [...c.partitions.values()].flatMap((p) => p.sealed).find((s) => s.data?.indexes.has('vec'));
    assert.ok(seg?.data, 'a loaded segment with its IVF_FLAT index');
    const first = seg.data.indexes.get('vec')!.index;
    assert.ok(first.close, 'IVF_FLAT holds memory it frees on close');
    let closed = 0;
    const close = first.close.bind(first);
    first.close = () => { closed++; close(); };
    await svc.engine.indexer.attach(c, seg);
    const second = seg.data.indexes.get('vec')!.index;
    assert.notEqual(second, first, 'the file was read again');
    assert.equal(closed, 1, 'the replaced index was closed');
    const q = { kind: 'floatVector' as const, dim, data: new Float32Array(dim), valid: null };
    const r = await svc.search({ collectionName: 'c', nq: 1, topK: 5, vectors: q, params: { nprobe: 8 } });
    assert.equal(r.topks[0], 5, 'searches use the new index');
    await svc.close();
  });
});
