/**
 * DISKANN on the WasmPool's worker threads (`searchOnPool`): an index opened from its file walks there,
 * reading nodes through the file's descriptor, with exactly the hits and scores of `search` on the
 * calling thread, for every metric and for batched queries (the visited stamps wrap past 255 walks);
 * the requests it leaves to the caller; and a release during a pool search closes the file only
 * once the search is done.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getIndexDescriptor, validateIndexParams, validateSearchParams } from '../../src/index/registry.js';
import { defaultArena } from '../../src/index/wasm/exact.js';
import { WasmPool } from '../../src/index/wasm/pool.js';
import type { Column } from '../../src/schema/column.js';
import { clustered } from './datasets.js';
import { openImageFile } from './diskann-file.js';
import { withTempDir } from '../support/tmp.js';

const skip = process.env['SEXTANT_WASM'] === 'off' ? 'SEXTANT_WASM=off' : false;
const desc = getIndexDescriptor('DISKANN');
const floatColumn = (data: Float32Array, dim: number): Column => ({ kind: 'floatVector', dim, data, valid: null });

const SPEC_PARAMS = { max_degree: '24', search_list_size: '48' };

/** Run `fn` with a 2-thread pool and a temporary directory, closing the pool after. */
async function withPool(fn: (pool: WasmPool, dir: string) => Promise<void>): Promise<void> {
  const pool = new WasmPool(defaultArena()!, { threads: 2 });
  try {
    await withTempDir((dir) => fn(pool, dir));
  } finally {
    await pool.close();
  }
}

test('DISKANN searchOnPool gives exactly the hits and scores of search, for every metric, one query or 300', { skip }, async () => {
  await withPool(async (pool, dir) => {
    const n = 4000, dim = 40;
    const d = clustered(n, 300, dim, 9);
    const column = floatColumn(d.data, dim);
    for (const metric of ['L2', 'IP', 'COSINE']) {
      const spec = validateIndexParams(desc, 'floatVector', metric, SPEC_PARAMS);
      const { index } = await openImageFile(dir, `idx-${metric}.sxi`, desc.build(column, n, spec), column, n, spec);
      for (const nq of [1, 300]) {
        const queries = floatColumn(d.queries.subarray(0, nq * dim), dim);
        const req = { queries, topK: 10, params: validateSearchParams(desc, { search_list: 30, beamwidth: nq === 1 ? 4 : 16 }) };
        const reads = index.stats.nodeReads;
        const walk = index.searchOnPool(pool, req);
        assert.ok(walk !== null, `${metric}: runs on the pool`);
        const got = await walk;
        assert.ok(index.stats.nodeReads > reads, `${metric}: the workers read nodes (counted)`);
        const want = index.search(req);
        assert.deepEqual(Array.from(got.counts), Array.from(want.counts), `${metric} nq ${nq}: counts`);
        assert.deepEqual(Array.from(got.rows), Array.from(want.rows), `${metric} nq ${nq}: rows`);
        assert.deepEqual(Array.from(got.scores), Array.from(want.scores), `${metric} nq ${nq}: scores`);
      }
      index.close();
    }
  });
});

test('DISKANN searchOnPool declines filters, range searches and images in memory; a release waits for the running search', { skip }, async () => {
  await withPool(async (pool, dir) => {
    const n = 3000, dim = 32;
    const d = clustered(n, 20, dim, 4);
    const column = floatColumn(d.data, dim), queries = floatColumn(d.queries, dim);
    const spec = validateIndexParams(desc, 'floatVector', 'L2', SPEC_PARAMS);
    const built = desc.build(column, n, spec);
    const params = validateSearchParams(desc, {});
    assert.equal(built.searchOnPool?.(pool, { queries, topK: 10, params }) ?? null, null, 'an image in memory walks here');
    const { index } = await openImageFile(dir, 'idx.sxi', built, column, n, spec);
    assert.equal(index.searchOnPool(pool, { queries, topK: 10, params, filter: new Uint8Array(n).fill(1) }), null, 'filtered');
    assert.equal(index.searchOnPool(pool, { queries, topK: 10, params, range: { radius: 10 } }), null, 'range');
    const want = index.search({ queries, topK: 10, params });
    const walk = index.searchOnPool(pool, { queries, topK: 10, params })!;
    index.close(); // released while the workers read through the descriptor
    const got = await walk;
    assert.deepEqual(Array.from(got.rows), Array.from(want.rows), 'the running search finished on the open file');
    assert.throws(() => index.search({ queries, topK: 10, params }), /closed/);
    await assert.rejects(index.searchOnPool(pool, { queries, topK: 10, params })!, /closed/);
  });
});
