/**
 * Index builds of several segments run at once on the build threads: with two threads two builds
 * are under way together, the indexes are the same as built one at a time (same hits, same recall
 * against exact search), and DescribeIndex's progress stays consistent while they run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { SextantService } from '../../src/service/service.js';
import { makeTempDir } from '../support/tmp.js';
import { batch, rng, vectorCollection } from '../support/fixtures.js';

const DIM = 16;
const SEGMENTS = 4;
const ROWS = 3000;
const NQ = 20;

interface Run { hits: BigInt64Array; maxConcurrent: number; recall: number }

function exactTop10(data: Float32Array, n: number, q: Float32Array, qi: number): Set<bigint> {
  const d = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let k = 0; k < DIM; k++) { const x = data[r * DIM + k]! - q[qi * DIM + k]!; s += x * x; }
    d[r] = s;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[a]! - d[b]!);
  return new Set(order.slice(0, 10).map((i) => BigInt(i)));
}

async function run(threads: number): Promise<Run> {
  const dir = await makeTempDir();
  try {
    const svc = await SextantService.open({ dataDir: dir, indexBuildThreads: threads, autoCompaction: false });
    await svc.createCollection(vectorCollection('c', DIM));
    const all = new Float32Array(SEGMENTS * ROWS * DIM);
    for (let s = 0; s < SEGMENTS; s++) {
      const cols = batch(s * ROWS, ROWS, DIM, rng(s + 1));
      all.set((cols.get('vec') as { data: Float32Array }).data, s * ROWS * DIM);
      await svc.insert({ collectionName: 'c', numRows: ROWS, columns: cols });
      await svc.flush({ collectionNames: ['c'] });
    }
    let maxConcurrent = 0;
    const probe = setInterval(() => { maxConcurrent = Math.max(maxConcurrent, svc.engine.indexer.activeBuilds); }, 1);
    await svc.createIndex({ collectionName: 'c', fieldName: 'vec', params: { index_type: 'HNSW', metric_type: 'L2', M: '12', efConstruction: '64' } });
    for (;;) {
      const d = (await svc.describeIndex({ collectionName: 'c' }))[0]!;
      assert.equal(d.indexedRows + d.pendingRows, d.totalRows, 'progress adds up while building');
      assert.equal(d.totalRows, SEGMENTS * ROWS);
      if (d.indexedRows === d.totalRows) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    clearInterval(probe);
    await svc.loadCollection({ collectionName: 'c' });
    const q = new Float32Array(NQ * DIM);
    const rand = rng(99);
    for (let i = 0; i < q.length; i++) q[i] = rand() * 2 - 1;
    const res = await svc.search({ collectionName: 'c', nq: NQ, topK: 10, vectors: { kind: 'floatVector', dim: DIM, data: q, valid: null }, params: { ef: '64' } });
    const hits = res.ids.data as BigInt64Array;
    let found = 0;
    for (let qi = 0; qi < NQ; qi++) {
      const truth = exactTop10(all, SEGMENTS * ROWS, q, qi);
      for (let k = 0; k < 10; k++) if (truth.has(hits[qi * 10 + k]!)) found++;
    }
    await svc.close();
    return { hits, maxConcurrent, recall: found / (NQ * 10) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('two build threads build two segments at once, with the same indexes and recall as one thread', { timeout: 180_000 }, async (t) => {
  const serial = await run(1);
  const parallel = await run(2);
  t.diagnostic(`recall@10 serial ${serial.recall}, parallel ${parallel.recall}; builds at once: serial ${serial.maxConcurrent}, parallel ${parallel.maxConcurrent}`);
  assert.equal(serial.maxConcurrent, 1);
  assert.equal(parallel.maxConcurrent, 2, 'builds ran one at a time');
  assert.ok(serial.recall >= 0.9, `recall ${serial.recall}`);
  assert.equal(parallel.recall, serial.recall);
  assert.deepEqual(parallel.hits, serial.hits);
});
