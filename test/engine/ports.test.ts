/**
 * The engine runs on storage ports passed explicitly (EngineOptions.ports: the hook the distributed
 * mode uses). The ports' own contract is test/support/port-contracts.ts (run by test/storage/local-ports.test.ts).
 */
import { test } from 'node:test';
import { writeFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import assert from 'node:assert/strict';
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import { openLocalPorts } from '../../src/storage/local/index.js';
import { SextantService } from '../../src/service/service.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';
import { withTempDir } from '../support/tmp.js';

const dim = 4;

async function ids(svc: SextantService): Promise<number[]> {
  const r = await svc.query({ collectionName: 'c', filter: 'id >= 0', outputFields: ['id'] });
  return Array.from(r.columns[0]!.column.data as BigInt64Array, Number).sort((a, b) => a - b);
}

test('the engine runs on storage ports passed explicitly, and recovers from them', async () => {
  await withTempDir(async (dir) => {
    const fs = new NodeFileSystem();
    const ports = await openLocalPorts(fs, dir);
    const svc = await SextantService.open({ dataDir: dir, fs, ports, searchThreads: 0 });
    assert.equal(svc.engine.wal, ports.log, 'the engine logs through the given Log');
    assert.equal(svc.engine.clock, ports.clock, 'and takes timestamps from the given oracle');
    await svc.createCollection(vectorCollection('c', dim));
    await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.loadCollection({ collectionName: 'c' });
    await svc.insert({ collectionName: 'c', numRows: 20, columns: batch(0, 20, dim, rng(1)) });
    await svc.flush({ collectionNames: ['c'] });
    await svc.insert({ collectionName: 'c', numRows: 5, columns: batch(20, 5, dim, rng(2)) }); // only in the log
    const blobs = await ports.blobs.list();
    assert.ok(blobs.some((b) => b.startsWith('seg-')), `a segment blob was published: ${blobs.join(', ')}`);
    await svc.close();
    assert.equal(ports.lease.held, false, 'closing the engine released the lease');

    const again = await openLocalPorts(fs, dir);
    const svc2 = await SextantService.open({ dataDir: dir, fs, ports: again, searchThreads: 0 });
    try {
      assert.deepEqual(await ids(svc2), Array.from({ length: 25 }, (_, i) => i), 'flushed rows and logged rows are back');
      const doc = await again.catalog.load(); // a reader next to the owner's commits
      assert.ok(doc !== null && doc.version >= 1n);
      await svc2.insert({ collectionName: 'c', numRows: 1, columns: batch(25, 1, dim, rng(3)) });
    } finally {
      await svc2.close();
    }
  });
});

test('orphan files are removed at open only by the lease holder', async () => {
  await withTempDir(async (dir) => {
    const fs = new NodeFileSystem();
    const first = await SextantService.open({ dataDir: dir, fs, searchThreads: 0 });
    await first.close();
    const orphan = 'seg-999999.sxs';
    // Opened with a lease that is already lost (as by a writer paused past it): the file stays.
    await writeFile(path.join(dir, 'segments', orphan), 'not named by the catalog');
    const stale = await openLocalPorts(fs, dir);
    await stale.lease.release();
    const svc = await SextantService.open({ dataDir: dir, fs, ports: stale, searchThreads: 0 });
    await svc.close();
    assert.ok((await readdir(path.join(dir, 'segments'))).includes(orphan), 'a writer without the lease removed an orphan');
    // The holder removes it.
    const holder = await SextantService.open({ dataDir: dir, fs, searchThreads: 0 });
    await holder.close();
    assert.equal((await readdir(path.join(dir, 'segments'))).includes(orphan), false, 'the lease holder removes orphans at open');
  });
});
