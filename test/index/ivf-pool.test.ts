/**
 * IVF_FLAT and IVF_SQ8 on the WasmPool's worker threads (`searchOnPool`) against `search` on the calling thread:
 * identical rows, scores and counts for every dense kind and metric, batched queries and filters;
 * and the requests it leaves to the caller.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getIndexDescriptor, validateIndexParams } from '../../src/index/registry.js';
import type { VectorIndex } from '../../src/index/descriptor.js';
import type { VectorKind } from '../../src/index/metrics.js';
import { defaultArena } from '../../src/index/wasm/exact.js';
import { WasmPool } from '../../src/index/wasm/pool.js';
import type { Column } from '../../src/schema/column.js';
import { clustered, denseColumn } from './datasets.js';
import { rng } from './helpers.js';

const skip = process.env['SEXTANT_WASM'] === 'off' ? 'SEXTANT_WASM=off' : false;

function build(column: Column, n: number, metric: 'L2' | 'IP' | 'COSINE', type = 'IVF_FLAT'): VectorIndex {
  const desc = getIndexDescriptor(type);
  const spec = validateIndexParams(desc, column.kind as VectorKind, metric, { nlist: '24' });
  return desc.build(column, n, { metric, params: spec.params });
}

for (const type of ['IVF_FLAT', 'IVF_SQ8']) test(`${type} searchOnPool gives exactly the hits and scores of search (every dense kind and metric, filters, nq up to 9)`, { skip }, async () => {
  const pool = new WasmPool(defaultArena()!, { threads: 2 });
  try {
    const n = 6000, dim = 20, nq = 9;
    const r = rng(51);
    const half = Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
    for (const kind of ['floatVector', 'float16Vector', 'bfloat16Vector', 'int8Vector'] as const) {
      for (const metric of ['L2', 'IP', 'COSINE'] as const) {
        const d = clustered(n, nq, dim, 52);
        const index = build(denseColumn(kind, d.data, dim), n, metric, type);
        const queries = denseColumn(kind, d.queries, dim);
        for (const [topK, filter, nprobe] of [[10, null, 3], [25, half, 2], [5, null, 24]] as const) {
          const req = { queries, topK, filter, params: { nprobe } };
          const walk = index.searchOnPool!(pool, req);
          assert.ok(walk !== null, `${kind} ${metric}: runs on the pool`);
          const got = await walk;
          const want = index.search(req);
          const what = `${kind} ${metric} topK=${topK} filter=${filter !== null} nprobe=${nprobe}`;
          assert.deepEqual(Array.from(got.counts), Array.from(want.counts), `${what}: counts`);
          assert.deepEqual(Array.from(got.rows), Array.from(want.rows), `${what}: rows`);
          assert.deepEqual(Array.from(got.scores), Array.from(want.scores), `${what}: scores`);
        }
        // A range search stays on the calling thread; a 1% filter is an exact scan there, posting no task.
        assert.equal(index.searchOnPool!(pool, { queries, topK: 10, range: { radius: 1e9 }, params: {} }), null);
        const few = new Uint8Array(n);
        for (let i = 0; i < n; i += 100) few[i] = 1;
        const tasksBefore = pool.tasksDone;
        const req = { queries, topK: 10, filter: few, params: {} };
        const got = await index.searchOnPool!(pool, req)!;
        const want = index.search(req);
        assert.deepEqual(Array.from(got.rows), Array.from(want.rows), `${kind} ${metric} 1%: rows`);
        assert.deepEqual(Array.from(got.scores), Array.from(want.scores), `${kind} ${metric} 1%: scores`);
        assert.equal(pool.tasksDone, tasksBefore, 'the exact plan posts no task');
      }
    }
  } finally {
    await pool.close();
  }
});
