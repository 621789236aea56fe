/** Load / release rules of Milvus 2.3+ (reference §2), through the service layer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusError } from '../../src/core/errors.js';
import { SextantService } from '../../src/service/service.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';
import { withTempDir } from '../support/tmp.js';

const dim = 4;
const q = { kind: 'floatVector' as const, dim, data: new Float32Array([0.1, 0.2, 0.3, 0.4]), valid: null };

function code(e: unknown): number {
  assert.ok(e instanceof MilvusError, `expected a MilvusError, got ${String(e)}`);
  return e.code;
}

async function expectCode(p: Promise<unknown>, expected: number, text?: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.equal(code(e), expected, (e as Error).message);
    if (text) assert.match((e as Error).message, text);
    return;
  }
  assert.fail(`expected error code ${expected}, got success`);
}

test('load needs an index; search/query on released data fail with 101/201; partitions load and release independently', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    const name = 'book';
    await svc.createCollection(vectorCollection(name, dim));
    await svc.createPartition({ collectionName: name, partitionName: 'novel' });
    const rand = rng(1);
    await svc.insert({ collectionName: name, numRows: 10, columns: batch(0, 10, dim, rand) });
    await svc.insert({ collectionName: name, partitionName: 'novel', numRows: 10, columns: batch(100, 10, dim, rand) });

    // Not loaded yet.
    assert.equal((await svc.getLoadState({ collectionName: name })).state, 'LoadStateNotLoad');
    await expectCode(svc.search({ collectionName: name, nq: 1, topK: 5, vectors: q }), 101, /collection not loaded\[collection=book\]/);
    await expectCode(svc.query({ collectionName: name, filter: 'id > 0' }), 101);
    await expectCode(svc.getLoadingProgress({ collectionName: name }), 101);
    // Load needs an index on every vector field.
    await expectCode(svc.loadCollection({ collectionName: name }), 700, /index not found\[collection=book\]/);
    await svc.createIndex({ collectionName: name, fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.loadCollection({ collectionName: name });
    await svc.loadCollection({ collectionName: name }); // idempotent
    assert.equal((await svc.getLoadState({ collectionName: name })).state, 'LoadStateLoaded');
    assert.equal((await svc.getLoadingProgress({ collectionName: name })).progress, 100);
    let r = await svc.search({ collectionName: name, nq: 1, topK: 100, vectors: q });
    assert.equal(r.topks[0], 20);

    // Dropping the index or a loaded partition is refused while loaded.
    await expectCode(svc.dropIndex({ collectionName: name, fieldName: 'vec' }), 65535, /collection is loaded/);
    await expectCode(svc.dropPartition({ collectionName: name, partitionName: 'novel' }), 65535, /partition is loaded/);

    // Release one partition of a loaded collection: allowed; targeting it gives 201.
    await svc.releasePartitions({ collectionName: name, partitionNames: ['novel'] });
    await svc.releasePartitions({ collectionName: name, partitionNames: ['novel'] }); // twice is fine
    assert.equal((await svc.getLoadState({ collectionName: name, partitionNames: ['novel'] })).state, 'LoadStateNotLoad');
    assert.equal((await svc.getLoadState({ collectionName: name })).state, 'LoadStateLoaded');
    await expectCode(svc.search({ collectionName: name, nq: 1, topK: 5, vectors: q, partitionNames: ['novel'] }), 201, /partition not loaded\[partition=novel\]/);
    await expectCode(svc.getLoadingProgress({ collectionName: name, partitionNames: ['novel'] }), 201);
    r = await svc.search({ collectionName: name, nq: 1, topK: 100, vectors: q });
    assert.equal(r.topks[0], 10, 'search without partition_names covers loaded partitions only');
    const ids = r.ids.kind === 'int64' ? Array.from(r.ids.data, Number) : [];
    assert.ok(ids.every((id) => id < 100));

    // Released partition can be dropped now; a new partition created while loaded as a whole is loaded.
    await svc.createPartition({ collectionName: name, partitionName: 'poem' });
    // After the partial release the load is of partitions, so the new one stays unloaded (inferred rule).
    assert.equal((await svc.getLoadState({ collectionName: name, partitionNames: ['poem'] })).state, 'LoadStateNotLoad');
    await svc.loadCollection({ collectionName: name });
    await svc.createPartition({ collectionName: name, partitionName: 'essay' });
    assert.equal((await svc.getLoadState({ collectionName: name, partitionNames: ['essay'] })).state, 'LoadStateLoaded');

    // Releasing every partition one by one makes the collection NotLoad.
    await svc.releasePartitions({ collectionName: name, partitionNames: ['_default', 'novel', 'poem', 'essay'] });
    assert.equal((await svc.getLoadState({ collectionName: name })).state, 'LoadStateNotLoad');
    await expectCode(svc.search({ collectionName: name, nq: 1, topK: 5, vectors: q }), 101);

    // Load a partition, then the whole collection.
    await svc.loadPartitions({ collectionName: name, partitionNames: ['novel'] });
    assert.equal((await svc.getLoadState({ collectionName: name })).state, 'LoadStateLoaded');
    r = await svc.search({ collectionName: name, nq: 1, topK: 100, vectors: q });
    assert.equal(r.topks[0], 10);
    await svc.loadCollection({ collectionName: name });
    r = await svc.search({ collectionName: name, nq: 1, topK: 100, vectors: q });
    assert.equal(r.topks[0], 20);

    // Release is idempotent; missing collections are 100; load state of a missing one is NotExist.
    await svc.releaseCollection({ collectionName: name });
    await svc.releaseCollection({ collectionName: name });
    await expectCode(svc.releaseCollection({ collectionName: 'nope' }), 100, /collection not found\[database=default\]\[collection=nope\]/);
    await expectCode(svc.loadCollection({ collectionName: 'nope' }), 100);
    assert.equal((await svc.getLoadState({ collectionName: 'nope' })).state, 'LoadStateNotExist');

    // Dropping a loaded collection is allowed.
    await svc.loadCollection({ collectionName: name });
    await svc.dropCollection({ collectionName: name });
    assert.equal(await svc.hasCollection({ collectionName: name }), false);
    await svc.close();
  });
});

test('load state survives a restart', async () => {
  await withTempDir(async (dir) => {
    let svc = await SextantService.open({ dataDir: dir });
    await svc.createCollection(vectorCollection('c', dim));
    await svc.insert({ collectionName: 'c', numRows: 5, columns: batch(0, 5, dim, rng(3)) });
    await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'IP' } });
    await svc.loadCollection({ collectionName: 'c' });
    await svc.close();
    svc = await SextantService.open({ dataDir: dir });
    assert.equal((await svc.getLoadState({ collectionName: 'c' })).state, 'LoadStateLoaded');
    const r = await svc.search({ collectionName: 'c', nq: 1, topK: 10, vectors: q });
    assert.equal(r.topks[0], 5);
    await svc.close();
  });
});
