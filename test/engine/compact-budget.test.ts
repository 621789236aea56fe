/**
 * A compaction target is loaded within the memory budget (issue #14): while its sources are still
 * loaded, a target whose estimate would pass the budget is refused like a load (code 3): the
 * sources stay served, the plan fails, the refusal is counted (the metric
 * `sextant_segment_loads_refused_over_budget`) and the target's files are removed. With room, the
 * same compaction goes through.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { SextantService } from '../../src/service/service.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';
import { withTempDir } from '../support/tmp.js';

async function count(svc: SextantService): Promise<number> {
  const n = await svc.query({ collectionName: 'c', filter: '', outputFields: ['count(*)'] });
  return Number((n.columns[0]!.column.data as BigInt64Array)[0]);
}

async function compactOnce(svc: SextantService): Promise<number> {
  const started = await svc.compact({ collectionName: 'c' });
  await svc.engine.compactor.idle();
  return (await svc.getCompactionState({ compactionId: started.compactionId })).failedPlans;
}

test('a compaction target over the load budget is refused: the sources stay served, nothing is left behind', async (t) => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    try {
      const dim = 32, rand = rng(3);
      await svc.createCollection(vectorCollection('c', dim));
      for (let first = 0; first < 6000; first += 2000) {
        await svc.insert({ collectionName: 'c', numRows: 2000, columns: batch(first, 2000, dim, rand) });
        await svc.flush({ collectionNames: ['c'] });
      }
      await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
      await svc.loadCollection({ collectionName: 'c' });
      await svc.delete({ collectionName: 'c', filter: 'id < 300' });
      const segments = () => [...svc.engine.collections.values()].flatMap((c) => [...c.partitions.values()].flatMap((p) => p.meta.segments.map((s) => s.id)));
      const before = segments();
      // Segment and index files (the compaction's own flush adds a delete file).
      const files = async () => (await readdir(path.join(dir, 'segments'))).filter((f) => !f.startsWith('del-')).sort();
      const filesBefore = await files();
      // Room for what is loaded, not for a second copy of it.
      svc.engine.loader.budgetBytes = svc.engine.loader.loadedBytes + 64 * 1024;
      const failed = await compactOnce(svc);
      t.diagnostic(`budget ${svc.engine.loader.budgetBytes} B, loaded ${svc.engine.loader.loadedBytes} B: ${failed} plan(s) failed, ${svc.engine.loader.refusedOverBudget} refused`);
      assert.ok(failed >= 1, 'the plan fails');
      assert.equal(svc.engine.loader.refusedOverBudget, failed, 'the refusal is counted');
      assert.ok(svc.engine.loader.loadedBytes <= svc.engine.loader.budgetBytes, 'nothing was loaded over the budget');
      assert.deepEqual(segments(), before, 'the sources stay');
      assert.equal(await count(svc), 5700, 'and are served');
      assert.deepEqual(await files(), filesBefore, 'the target\'s files are removed');
      svc.engine.loader.budgetBytes = Number.MAX_SAFE_INTEGER;
      assert.equal(await compactOnce(svc), 0);
      assert.notDeepEqual(segments(), before, 'with room, the compaction goes through');
      assert.equal(await count(svc), 5700);
    } finally {
      await svc.close();
    }
  });
});
