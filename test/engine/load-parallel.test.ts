/**
 * Segments load several at once (limits.loadSegmentsInFlight): a load of many HNSW-indexed segments
 * answers as before, and one bad file among them fails the whole load with nothing left loaded or
 * counted (the others in flight finish first, then everything is released).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { SextantService } from '../../src/service/service.js';
import { limits } from '../../src/core/limits.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';
import { withTempDir } from '../support/tmp.js';

const dim = 8;

test('many segments load at once; a bad index file among them fails the load and leaves nothing loaded', async () => {
  assert.ok(limits.loadSegmentsInFlight > 1, 'several segments in flight');
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir, sealRows: 300 });
    try {
      await svc.createCollection(vectorCollection('c', dim));
      const rand = rng(21);
      for (let i = 0; i < 9; i++) await svc.insert({ collectionName: 'c', numRows: 300, columns: batch(i * 300, 300, dim, rand) });
      await svc.flush({ collectionNames: ['c'] });
      await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'HNSW', metric_type: 'L2', M: '8', efConstruction: '32' } });
      await svc.engine.indexer.idle();
      const query = { kind: 'floatVector' as const, dim, data: new Float32Array(dim).fill(0.25), valid: null };
      await svc.loadCollection({ collectionName: 'c' });
      const c = [...svc.engine.collections.values()][0]!;
      const sealed = [...c.partitions.values()].flatMap((p) => p.sealed);
      assert.ok(sealed.length >= 3, `${sealed.length} sealed segments`);
      assert.ok(sealed.every((s) => s.data?.indexes.has('vec')), 'every segment loaded with its index');
      const first = await svc.search({ collectionName: 'c', nq: 1, topK: 10, vectors: query, params: { ef: 64 } });
      await svc.releaseCollection({ collectionName: 'c' });
      assert.equal(svc.engine.loader.loadedBytes, 0);

      const files = (await readdir(path.join(dir, 'segments'))).filter((f) => f.startsWith('idx-')).sort();
      const victim = path.join(dir, 'segments', files[Math.floor(files.length / 2)]!);
      const good = await readFile(victim);
      const bad = Buffer.from(good);
      bad[bad.length - 10] = bad[bad.length - 10]! ^ 0x55;
      await writeFile(victim, bad);
      await assert.rejects(svc.loadCollection({ collectionName: 'c' }), /CRC|checksum|corrupt/i);
      assert.equal(svc.engine.loader.loadedBytes, 0, 'nothing of the failed load is held');
      assert.ok(sealed.every((s) => s.data === null && s.residents === undefined), 'every segment released');
      assert.ok([...c.partitions.values()].every((p) => !p.loaded));

      await writeFile(victim, good);
      await svc.loadCollection({ collectionName: 'c' });
      const again = await svc.search({ collectionName: 'c', nq: 1, topK: 10, vectors: query, params: { ef: 64 } });
      assert.deepEqual(again.ids, first.ids, 'the same hits after a reload');
    } finally {
      await svc.close();
    }
  });
});
