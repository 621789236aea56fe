/**
 * Load really brings segment data into memory and release really frees it: load >= 200 MB of
 * vectors, release, and check the process's memory returns to within 10% of its pre-load level.
 * Also: a load over the memory budget is refused with code 3 and nothing stays loaded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SextantService } from '../../src/service/service.js';
import { MilvusError } from '../../src/core/errors.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';
import { withTempDir } from '../support/tmp.js';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

function settledMemory(): { rss: number; arrayBuffers: number } {
  for (let i = 0; i < 4; i++) gc();
  const m = process.memoryUsage();
  return { rss: m.rss, arrayBuffers: m.arrayBuffers };
}

const MB = 1024 * 1024;

test('load of >= 200 MB of vectors is really in memory, and release gives it back', { timeout: 600_000 }, async () => {
  await withTempDir(async (dir) => {
    const dim = 128;
    const rows = 420_000; // 420k x 128 x 4 B = 215 MB of vectors
    let svc = await SextantService.open({ dataDir: dir });
    await svc.createCollection(vectorCollection('big', dim));
    const rand = rng(7);
    const t0 = performance.now();
    for (let first = 0; first < rows; first += 20_000) {
      await svc.insert({ collectionName: 'big', numRows: 20_000, columns: batch(first, 20_000, dim, rand) });
    }
    const insertSec = (performance.now() - t0) / 1000;
    await svc.flush({ collectionNames: ['big'] });
    await svc.createIndex({ collectionName: 'big', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.close();
    // Reopen so nothing of the insert path is still referenced.
    svc = await SextantService.open({ dataDir: dir });
    await svc.engine.indexer.idle();
    // The search worker threads start on first use; start them before the baseline so it holds them.
    svc.engine.searchThreads.get();
    const before = settledMemory();
    const t1 = performance.now();
    await svc.loadCollection({ collectionName: 'big' });
    const loadMs = performance.now() - t1;
    const loaded = settledMemory();
    const vectorBytes = rows * dim * 4;
    // Vectors live in wasm memory (not counted as arrayBuffers), so check the engine's accounting and RSS.
    assert.ok(svc.engine.loader.loadedBytes >= vectorBytes, `engine holds only ${svc.engine.loader.loadedBytes / MB} MB`);
    assert.ok(loaded.rss - before.rss >= vectorBytes * 0.5, `load added only ${(loaded.rss - before.rss) / MB} MB of RSS`);
    const res = await svc.search({ collectionName: 'big', nq: 1, topK: 3, vectors: { kind: 'floatVector', dim, data: new Float32Array(dim).fill(0.1), valid: null } });
    assert.equal(res.topks[0], 3);
    await svc.releaseCollection({ collectionName: 'big' });
    // Search workers drop their view of a released memory when they process the release message,
    // so give them a moment (bounded) before judging.
    let after = settledMemory();
    for (let i = 0; i < 30 && after.rss > before.rss * 1.1; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = settledMemory();
    }
    console.log(`# rows=${rows} dim=${dim} insert ${Math.round(rows / insertSec)} rows/s; load ${loadMs.toFixed(0)} ms; ` +
      `rss before ${(before.rss / MB).toFixed(0)} MB, loaded ${(loaded.rss / MB).toFixed(0)} MB, after release ${(after.rss / MB).toFixed(0)} MB; ` +
      `buffers ${(before.arrayBuffers / MB).toFixed(0)} / ${(loaded.arrayBuffers / MB).toFixed(0)} / ${(after.arrayBuffers / MB).toFixed(0)} MB`);
    assert.equal(svc.engine.loader.loadedBytes, 0);
    assert.ok(after.arrayBuffers <= before.arrayBuffers * 1.1 + MB, 'array buffers were not freed by release');
    assert.ok(after.rss <= before.rss * 1.1, `RSS after release ${(after.rss / MB).toFixed(0)} MB is not within 10% of ${(before.rss / MB).toFixed(0)} MB`);

    // The budget refuses a load that would not fit, and leaves nothing loaded.
    svc.engine.loader.budgetBytes = vectorBytes / 2;
    await assert.rejects(svc.loadCollection({ collectionName: 'big' }), (e: unknown) => e instanceof MilvusError && e.code === 3 && /insufficient memory/.test(e.message));
    assert.equal((await svc.getLoadState({ collectionName: 'big' })).state, 'LoadStateNotLoad');
    await svc.close();
  });
});
