/**
 * HNSW on the WasmPool's worker threads (`searchOnPool`) against `search` on the calling thread:
 * identical rows, scores and counts for every dense kind and metric, batched queries, filters, a
 * resident column (a loaded segment's own memory); and the requests it leaves to the caller.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getIndexDescriptor, validateIndexParams } from '../../src/index/registry.js';
import type { IndexSearchRequest, VectorIndex } from '../../src/index/descriptor.js';
import { defaultArena } from '../../src/index/wasm/exact.js';
import { makeResident } from '../../src/index/wasm/resident.js';
import { WasmPool } from '../../src/index/wasm/pool.js';
import type { HnswIndex } from '../../src/index/impl/hnsw/index.js';
import { MAX_BATCH_QUERIES, MAX_WAITING_QUERIES } from '../../src/index/impl/hnsw/walk-batch.js';
import type { Column } from '../../src/schema/column.js';
import type { VectorKind } from '../../src/index/metrics.js';
import { clustered, denseColumn } from './datasets.js';
import { rng } from './helpers.js';

const skip = process.env['SEXTANT_WASM'] === 'off' ? 'SEXTANT_WASM=off' : false;
const KINDS = ['floatVector', 'float16Vector', 'bfloat16Vector', 'int8Vector'] as const;
const METRICS = ['L2', 'IP', 'COSINE'] as const;

function build(type: string, column: Column, n: number, metric: (typeof METRICS)[number]): VectorIndex {
  const desc = getIndexDescriptor(type);
  const spec = validateIndexParams(desc, column.kind as VectorKind, metric, { M: '8', efConstruction: '48' });
  return desc.build(column, n, { metric, params: spec.params });
}

async function same(index: VectorIndex, pool: WasmPool, queries: Column, topK: number, filter: Uint8Array | null, ef: number, what: string): Promise<void> {
  await sameReq(index, pool, { queries, topK, filter, params: { ef } }, what);
}

async function sameParams(index: VectorIndex, pool: WasmPool, queries: Column, topK: number, params: Record<string, number>, what: string): Promise<void> {
  await sameReq(index, pool, { queries, topK, filter: null, params }, what);
}

async function sameReq(index: VectorIndex, pool: WasmPool, req: IndexSearchRequest, what: string): Promise<void> {
  const walk = index.searchOnPool!(pool, req);
  assert.ok(walk !== null, `${what}: runs on the pool`);
  const got = await walk;
  const want = index.search(req);
  assert.deepEqual(Array.from(got.counts), Array.from(want.counts), `${what}: counts`);
  assert.deepEqual(Array.from(got.rows), Array.from(want.rows), `${what}: rows`);
  assert.deepEqual(Array.from(got.scores), Array.from(want.scores), `${what}: scores`);
}

test('pool walks keep their scratch between searches: hundreds of walks on kept lanes, past the stamp wrap, answer as search does', { skip }, async () => {
  const pool = new WasmPool(defaultArena()!, { threads: 2 });
  try {
    const n = 3000, dim = 16, nq = 700;
    const d = clustered(n, nq, dim, 43);
    const index = build('HNSW', denseColumn('floatVector', d.data, dim), n, 'L2');
    const r = rng(44);
    const third = Uint8Array.from({ length: n }, () => (r() < 0.34 ? 1 : 0));
    // One query per walk (a lane's stamps wrap every 255 walks), then whole batches across lanes.
    for (let q = 0; q < nq; q++) {
      const query = denseColumn('floatVector', d.queries.subarray(q * dim, (q + 1) * dim), dim);
      await same(index, pool, query, 10, q % 3 === 2 ? third : null, 24 + (q % 5) * 8, `query ${q}`);
    }
    for (let round = 0; round < 3; round++) await same(index, pool, denseColumn('floatVector', d.queries, dim), 10, null, 48, `batch ${round}`);
  } finally {
    await pool.close();
  }
});

test('searchOnPool gives exactly the hits and scores of search, for every dense kind and metric, filtered or not', { skip }, async () => {
  const pool = new WasmPool(defaultArena()!, { threads: 2 });
  try {
    const n = 5000, dim = 24, nq = 9;
    const r = rng(31);
    const half = Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
    for (const kind of KINDS) {
      for (const metric of METRICS) {
        const d = clustered(n, nq, dim, 41);
        const index = build('HNSW', denseColumn(kind, d.data, dim), n, metric);
        const queries = denseColumn(kind, d.queries, dim);
        await same(index, pool, queries, 10, null, 32, `${kind} ${metric}`);
        await same(index, pool, queries, 7, half, 40, `${kind} ${metric} 50% filter`);
      }
    }
  } finally {
    await pool.close();
  }
});

test('HNSW_SQ on the pool (SQ8 / SQ6: query tables in the tasks; refine on this thread, FP16 / BF16 too): exactly the hits and scores of search', { skip }, async () => {
  const pool = new WasmPool(defaultArena()!, { threads: 2 });
  try {
    const n = 4000, nq = 9;
    const r = rng(57);
    const half = Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0));
    const desc = getIndexDescriptor('HNSW_SQ');
    // 32: the kernels' four-row path (dim a multiple of 16); 20: one row at a time.
    for (const dim of [32, 20]) {
      const d = clustered(n, nq, dim, 58 + dim);
      const column = denseColumn('floatVector', d.data, dim), queries = denseColumn('floatVector', d.queries, dim);
      for (const sqType of ['SQ8', 'SQ6', 'FP16', 'BF16']) {
        for (const metric of METRICS) {
          for (const refine of [false, true]) {
            const extra: Record<string, string> = refine ? { refine: 'true', refine_type: 'FP32' } : {};
            const spec = validateIndexParams(desc, 'floatVector', metric, { M: '8', efConstruction: '48', sq_type: sqType, ...extra });
            const index = desc.build(column, n, { metric, params: spec.params });
            const what = `${sqType} ${metric} dim ${dim}${refine ? ' refine' : ''}`;
            await same(index, pool, queries, 10, null, 32, what);
            await same(index, pool, queries, 7, half, 40, `${what}, 50% filter`);
            // One query at a time goes through the walk batcher; refine_k widens the walk.
            const one = denseColumn('floatVector', d.queries.subarray(0, dim), dim);
            await sameParams(index, pool, one, 10, refine ? { ef: 16, refine_k: 3 } : { ef: 16 }, `${what}, one query`);
          }
        }
      }
    }
  } finally {
    await pool.close();
  }
});

test('searchOnPool over a resident column, with 300 batched queries (visited bytes wrap past 255 epochs), and what it declines', { skip }, async () => {
  const pool = new WasmPool(defaultArena()!, { threads: 2 });
  const n = 4000, dim = 16;
  const d = clustered(n, 300, dim, 43);
  const resident = makeResident(denseColumn('floatVector', d.data, dim), n)!;
  try {
    const index = build('HNSW', resident.column, n, 'L2');
    const queries = denseColumn('floatVector', d.queries, dim);
    await same(index, pool, queries, 10, null, 20, 'resident, 300 queries');
    // A 1% filter is answered by an exact scan on this thread (no task posted), with search's answer.
    const few = new Uint8Array(n);
    for (let i = 0; i < n; i += 100) few[i] = 1;
    const tasksBefore = pool.tasksDone;
    await same(index, pool, queries, 10, few, 20, 'resident, 1% filter');
    assert.equal(pool.tasksDone, tasksBefore, 'the exact plan posts no task');
    // A range search stays with the calling thread.
    assert.equal(index.searchOnPool!(pool, { queries, topK: 10, range: { radius: 1 }, params: { ef: 20 } }), null);
    // HNSW_SQ's FP16 / BF16 rows are walked in wasm, on the pool too (SQ8 / SQ6 codes: the next test).
    for (const sqType of ['FP16', 'BF16']) {
      const desc = getIndexDescriptor('HNSW_SQ');
      const spec = validateIndexParams(desc, 'floatVector', 'COSINE', { M: '8', efConstruction: '48', sq_type: sqType });
      const half = desc.build(denseColumn('floatVector', d.data, dim), n, { metric: 'COSINE', params: spec.params });
      await same(half, pool, queries, 10, null, 24, `HNSW_SQ ${sqType}`);
    }
    // Bad input is refused before anything is posted, with the same error as search.
    assert.throws(() => index.searchOnPool!(pool, { queries, topK: 0, params: {} }), /topk/);
  } finally {
    resident.release();
    await pool.close();
  }
});

test('one-query walks in flight together share pool tasks (walk-batch.ts), each answered exactly as alone', { skip }, async () => {
  const pool = new WasmPool(defaultArena()!, { threads: 2 });
  try {
    const n = 6000, dim = 32, nq = 240;
    const d = clustered(n, nq, dim, 47);
    const index = build('HNSW', denseColumn('floatVector', d.data, dim), n, 'L2') as HnswIndex;
    const one = (q: number): Column => denseColumn('floatVector', d.queries.slice(q * dim, (q + 1) * dim), dim);
    // Two (ef, topK) groups interleaved: a batch only ever carries one group's queries.
    const reqOf = (q: number) => ({ queries: one(q), topK: q % 2 === 0 ? 10 : 5, filter: null, params: { ef: q % 2 === 0 ? 32 : 48 } });
    const walks: Promise<unknown>[] = [];
    for (let q = 0; q < nq; q++) {
      const walk = index.searchOnPool!(pool, reqOf(q));
      assert.ok(walk !== null, 'runs on the pool');
      walks.push(walk.then((got) => {
        const want = index.search(reqOf(q));
        assert.deepEqual(Array.from((got as typeof want).rows), Array.from(want.rows), `query ${q}: rows`);
        assert.deepEqual(Array.from((got as typeof want).scores), Array.from(want.scores), `query ${q}: scores`);
        assert.deepEqual(Array.from((got as typeof want).counts), Array.from(want.counts), `query ${q}: counts`);
      }));
    }
    await Promise.all(walks);
    const s = index.walkBatchStats;
    assert.equal(s.queries, nq, 'every query walked once');
    assert.ok(s.tasks < nq / 4, `queries in flight together share tasks (${s.tasks} tasks for ${nq} queries)`);
    // One search at a time: each goes at once, alone (no wait for company).
    const before = index.walkBatchStats.tasks;
    for (let q = 0; q < 5; q++) await index.searchOnPool!(pool, reqOf(q));
    assert.equal(index.walkBatchStats.tasks - before, 5, 'a lone query is a task of its own');
  } finally {
    await pool.close();
  }
});

test('walks waiting for a lane are bounded: past MAX_WAITING_QUERIES a search is refused (retriable), the rest are answered', { skip }, async () => {
  const pool = new WasmPool(defaultArena()!, { threads: 2 });
  try {
    const n = 800, dim = 8;
    const d = clustered(n, 1, dim, 53);
    const index = build('HNSW', denseColumn('floatVector', d.data, dim), n, 'L2') as HnswIndex;
    const req = { queries: denseColumn('floatVector', d.queries, dim), topK: 5, filter: null, params: { ef: 16 } };
    const want = index.search(req);
    // One goes at once (one lane on 2 threads), MAX_WAITING_QUERIES wait, the next is refused.
    const walks: Promise<unknown>[] = [];
    for (let i = 0; i < 1 + MAX_WAITING_QUERIES; i++) walks.push(index.searchOnPool!(pool, req)!);
    await assert.rejects(index.searchOnPool!(pool, req)!, /search queue is full/);
    const got = await Promise.all(walks);
    for (const g of got) assert.deepEqual(Array.from((g as typeof want).rows), Array.from(want.rows));
    assert.ok(index.walkBatchStats.tasks <= 2 + MAX_WAITING_QUERIES / MAX_BATCH_QUERIES, `${index.walkBatchStats.tasks} tasks`);
  } finally {
    await pool.close();
  }
});
