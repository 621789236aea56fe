/**
 * The storage ports (storage/ports.ts): the engine runs on ports passed explicitly (the hook the
 * distributed mode uses), and the local implementations keep their contracts (log replay and
 * later reads, catalog compare-and-swap with the lease, blob ranged reads and listing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { NodeFileSystem } from '../../src/storage/fs/node.js';
import { openLocalPorts } from '../../src/storage/local/index.js';
import type { LogRecord } from '../../src/storage/ports.js';
import { SextantService } from '../../src/service/service.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';
import { withTempDir } from '../support/tmp.js';

const dim = 4;

async function all(records: AsyncIterable<LogRecord>): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of records) out.push(r);
  return out;
}

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
      const doc = await again.catalog.load();
      assert.ok(doc !== null && doc.version >= 1n);
    } finally {
      await svc2.close();
    }
  });
});

test('local Log: replay at open, then later appends read back from the files; truncation below a checkpoint', async () => {
  await withTempDir(async (dir) => {
    const fs = new NodeFileSystem();
    const first = await openLocalPorts(fs, dir, { wal: { maxFileBytes: 256 } });
    for (let i = 0; i < 10; i++) assert.equal(await first.log.append(1, new Uint8Array(40).fill(i)), BigInt(i + 1));
    await first.log.close();
    await first.lease.release();

    const ports = await openLocalPorts(fs, dir, { wal: { maxFileBytes: 256 } });
    const replayed = await all(ports.log.readFrom(4n));
    assert.deepEqual(replayed.map((r) => r.lsn), [4n, 5n, 6n, 7n, 8n, 9n, 10n]);
    assert.equal(replayed[0]!.payload[0], 3);
    for (let i = 10; i < 13; i++) await ports.log.append(2, new Uint8Array(40).fill(i));
    const later = await all(ports.log.readFrom(9n));
    assert.deepEqual(later.map((r) => [r.lsn, r.type]), [[9n, 1], [10n, 1], [11n, 2], [12n, 2], [13n, 2]]);
    await ports.log.truncateBelow(8n);
    const kept = await all(ports.log.readFrom(1n));
    assert.ok(kept[0]!.lsn > 1n && kept[0]!.lsn <= 8n, `records wholly below the checkpoint are gone (first kept ${kept[0]!.lsn})`);
    assert.equal(kept[kept.length - 1]!.lsn, 13n);
    assert.equal(ports.log.nextLsn, 14n);
    await ports.log.close();
    await ports.lease.release();
  });
});

test('local CatalogStore: compare-and-swap on the version, refused without the lease; BlobStore ranged reads', async () => {
  await withTempDir(async (dir) => {
    const fs = new NodeFileSystem();
    const ports = await openLocalPorts(fs, dir);
    const { catalog, lease, blobs } = ports;
    assert.equal(await catalog.load(), null);
    const body = (s: string): Uint8Array => new TextEncoder().encode(JSON.stringify({ s }));
    const v1 = await catalog.commit(0n, body('one'), lease);
    assert.equal(v1, 1n);
    await assert.rejects(catalog.commit(0n, body('stale'), lease), /version 1, not 0/);
    const v2 = await catalog.commit(v1, body('two'), lease);
    assert.equal(new TextDecoder().decode((await catalog.load())!.body), JSON.stringify({ s: 'two' }));
    assert.equal(v2, 2n);

    await writeFile(path.join(blobs.stagingDir, 'blob-1'), Uint8Array.from({ length: 100 }, (_, i) => i));
    await blobs.publish('blob-1');
    await assert.rejects(blobs.publish('missing'), /does not exist/);
    assert.deepEqual([...(await blobs.readRange('blob-1', 10, 5))], [10, 11, 12, 13, 14]);
    assert.equal(await blobs.localPath('blob-1'), path.join(blobs.stagingDir, 'blob-1'));
    assert.deepEqual(await blobs.list(), ['blob-1']);
    await blobs.remove(['blob-1', 'never-there']);
    assert.deepEqual(await blobs.list(), []);

    let lost = false;
    void lease.lost.then(() => { lost = true; });
    await ports.log.close();
    await lease.release();
    await new Promise((r) => setImmediate(r));
    assert.equal(lost, true, 'a released lease reports itself lost');
    await assert.rejects(catalog.commit(v2, body('fenced'), lease), /lease/);
    assert.equal(new TextDecoder().decode((await catalog.load())!.body), JSON.stringify({ s: 'two' }), 'a fenced commit changed nothing');
  });
});
