/**
 * ManualCompaction's `target_size` (Milvus 2.6 force merge): a target below the size an ordinary
 * compaction writes is refused with Milvus's message (twice that size when every dense vector field
 * has a DISKANN index); an accepted target merges the segments into ones of up to that size, where
 * an ordinary manual compaction stops at the configured maximum. Rows are the same before and after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { SextantService } from '../../src/service/service.js';
import { makeTempDir } from '../support/tmp.js';
import { batch, refusal, rng, vectorCollection } from '../support/fixtures.js';

const DIM = 8;
const C = 'c';

function segmentSizes(svc: SextantService): number[] {
  const out: number[] = [];
  for (const c of svc.engine.collections.values()) for (const p of c.partitions.values()) for (const s of p.meta.segments) out.push(s.sizeBytes);
  return out;
}

async function count(svc: SextantService): Promise<number> {
  const n = await svc.query({ collectionName: C, filter: 'id >= 0', outputFields: ['count(*)'] });
  return Number((n.columns[0]!.column.data as BigInt64Array)[0]);
}


test('target_size below the configured segment maximum is refused with Milvus words (1024 MB, 2048 MB with DISKANN only)', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  try {
    const svc = await SextantService.open({ dataDir: dir, autoCompaction: false });
    await svc.createCollection(vectorCollection(C, DIM));
    const e = await refusal(svc.compact({ collectionName: C, targetSizeMb: 1n }));
    assert.equal(e.code, 1100);
    assert.match(e.message, /^targetSize 1 MB should be greater than or equal to configMaxSize 1024 MB/);
    await svc.createIndex({ collectionName: C, fieldName: 'vec', params: { index_type: 'DISKANN', metric_type: 'L2' } });
    const d = await refusal(svc.compact({ collectionName: C, targetSizeMb: 1024n }));
    assert.match(d.message, /targetSize 1024 MB should be greater than or equal to configMaxSize 2048 MB/);
    const ok = await svc.compact({ collectionName: C, targetSizeMb: 2048n });
    assert.ok(ok.compactionId > 0n);
    await svc.engine.compactor.idle();
    await svc.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a force merge writes segments up to target_size where an ordinary manual compaction stops at the maximum', { timeout: 120_000 }, async () => {
  const dir = await makeTempDir();
  try {
    const svc = await SextantService.open({ dataDir: dir, autoCompaction: false, maxSegmentBytes: 30_000 });
    await svc.createCollection(vectorCollection(C, DIM));
    const rand = rng(3);
    for (let f = 0; f < 12; f++) {
      await svc.insert({ collectionName: C, numRows: 200, columns: batch(f * 200, 200, DIM, rand) });
      await svc.flush({ collectionNames: [C] });
    }
    await svc.createIndex({ collectionName: C, fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.loadCollection({ collectionName: C });
    const one = segmentSizes(svc)[0]!;
    assert.ok(one * 3 > 30_000 && one * 2 <= 30_000, `segment of ${one} bytes: two fit under the maximum, three do not`);
    await svc.compact({ collectionName: C });
    await svc.engine.compactor.idle();
    const ordinary = segmentSizes(svc);
    assert.ok(ordinary.length >= 4, `ordinary manual compaction keeps segments <= 30000 bytes: ${ordinary.join(',')}`);
    assert.ok(ordinary.every((b) => b <= 30_000));
    assert.equal(await count(svc), 2400);

    const job = await svc.compact({ collectionName: C, targetSizeMb: 1n });
    await svc.engine.compactor.idle();
    const state = await svc.getCompactionState({ compactionId: job.compactionId });
    assert.equal(state.state, 'Completed');
    assert.equal(state.failedPlans, 0);
    assert.equal(segmentSizes(svc).length, 1, `force merge to 1 MB: ${segmentSizes(svc).join(',')}`);
    assert.equal(await count(svc), 2400);
    await svc.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an ordinary compaction of a DISKANN-only collection writes segments up to twice the maximum (Milvus diskSegmentMaxSize)', { timeout: 120_000 }, async () => {
  const dir = await makeTempDir();
  try {
    const svc = await SextantService.open({ dataDir: dir, autoCompaction: false, maxSegmentBytes: 30_000 });
    await svc.createCollection(vectorCollection(C, DIM));
    await svc.createIndex({ collectionName: C, fieldName: 'vec', params: { index_type: 'DISKANN', metric_type: 'L2' } });
    const rand = rng(5);
    for (let f = 0; f < 12; f++) {
      await svc.insert({ collectionName: C, numRows: 200, columns: batch(f * 200, 200, DIM, rand) });
      await svc.flush({ collectionNames: [C] });
    }
    const one = segmentSizes(svc)[0]!;
    assert.ok(one * 3 > 30_000 && one * 4 <= 60_000, `segment of ${one} bytes: four fit under twice the maximum, three not under it`);
    await svc.compact({ collectionName: C });
    await svc.engine.compactor.idle();
    const merged = segmentSizes(svc);
    assert.ok(merged.every((b) => b <= 60_000), `segments <= 60000 bytes: ${merged.join(',')}`);
    assert.ok(merged.some((b) => b > 30_000), `some segment is past the ordinary maximum: ${merged.join(',')}`);
    assert.ok(merged.length <= 3, `12 segments merged four by four: ${merged.join(',')}`);
    await svc.loadCollection({ collectionName: C });
    assert.equal(await count(svc), 2400);
    await svc.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
