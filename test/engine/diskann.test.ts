/** DISKANN through the engine: built in the worker, opened in place from its index file, not rebuilt on reopen, closed on release. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { SextantService } from '../../src/service/service.js';
import { DiskAnnIndex } from '../../src/index/impl/diskann/index.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';
import { withTempDir } from '../support/tmp.js';

const dim = 16;
const indexFiles = async (dir: string) => (await readdir(path.join(dir, 'segments'))).filter((f) => f.startsWith('idx-')).sort();

test('DISKANN: built per sealed segment, read in place from its file, reopened without a rebuild, closed on release', async () => {
  await withTempDir(async (dir) => {
    let svc = await SextantService.open({ dataDir: dir, sealRows: 1000 });
    await svc.createCollection(vectorCollection('c', dim));
    const rand = rng(8);
    for (let i = 0; i < 2; i++) await svc.insert({ collectionName: 'c', numRows: 1000, columns: batch(i * 1000, 1000, dim, rand) });
    await svc.flush({ collectionNames: ['c'] });
    await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'DISKANN', metric_type: 'L2' } });
    await svc.engine.indexer.idle();
    const [d] = await svc.describeIndex({ collectionName: 'c' });
    assert.equal(d?.state, 'Finished');
    assert.equal(d?.indexedRows, 2000);
    const files = await indexFiles(dir);
    assert.ok(files.length >= 2, files.join(','));
    const mtimes = await Promise.all(files.map(async (f) => (await stat(path.join(dir, 'segments', f))).mtimeMs));
    await svc.loadCollection({ collectionName: 'c' });
    const query = { kind: 'floatVector' as const, dim, data: new Float32Array(dim).fill(0.5), valid: null };
    const first = await svc.search({ collectionName: 'c', nq: 1, topK: 10, vectors: query, params: {} });
    assert.equal(first.topks[0], 10);
    await assert.rejects(svc.search({ collectionName: 'c', nq: 1, topK: 10, vectors: query, params: { search_list: 5 } }), /search_list_size\(5\) should be larger than k\(10\)/);
    await svc.close();

    svc = await SextantService.open({ dataDir: dir });
    await svc.engine.indexer.idle();
    assert.deepEqual(await indexFiles(dir), files, 'reopening must not rebuild');
    assert.deepEqual(await Promise.all(files.map(async (f) => (await stat(path.join(dir, 'segments', f))).mtimeMs)), mtimes);
    const c = [...svc.engine.collections.values()][0]!;
    const indexes = [...c.partitions.values()].flatMap((p) => p.sealed.map((s) => s.data?.indexes.get('vec')));
    assert.ok(indexes.length >= 2 && indexes.every((x) => x !== undefined && x.index instanceof DiskAnnIndex));
    const again = await svc.search({ collectionName: 'c', nq: 1, topK: 10, vectors: query, params: {} });
    assert.deepEqual(again.scores, first.scores, 'same answers after a restart');
    const opened = indexes.map((x) => x!.index as DiskAnnIndex);
    assert.ok(opened.some((ix) => ix.stats.nodeReads > 0), 'nodes were read from the index files');
    for (const x of indexes) assert.ok((x!.index as DiskAnnIndex).memoryBytes > 0, 'the index reports what it holds');
    await svc.releaseCollection({ collectionName: 'c' });
    for (const ix of opened) assert.throws(() => ix.search({ queries: query, topK: 10 }), /closed/, 'release closes the index file');
    await svc.close();
  });
});
