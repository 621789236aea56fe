/**
 * searchExact through the wasm kernels equals the JS scans (scanDense / scanBinary, the reference
 * and fallback) bit for bit; the worker pool answers exactly like the single-thread path; the pool
 * survives failing tasks, bounds its queue and lets the process exit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { MetricType } from '../../src/core/enums.js';
import { smallerIsBetter } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import { searchExact, searchExactParallel, type ExactSearchRequest, type ExactSearchResult } from '../../src/index/flat.js';
import { TopKHeaps } from '../../src/index/topk.js';
import { scanDense, denseQueriesToF32, type DenseColumn } from '../../src/index/scan-dense.js';
import { scanBinary } from '../../src/index/scan-binary.js';
import { adoptStore, defaultArena, CACHE_MIN_BYTES } from '../../src/index/wasm/exact.js';
import { VectorStore } from '../../src/index/wasm/store.js';
import { WasmPool } from '../../src/index/wasm/pool.js';
import type { TopKTask } from '../../src/index/wasm/task.js';
import { rng } from './helpers.js';
import { WASM_KINDS, metricsOf, randomColumn } from './wasm-helpers.js';

/** SEXTANT_WASM=off forces the JS kernels; then there is nothing here to test. */
const skip = process.env['SEXTANT_WASM'] === 'off' ? 'SEXTANT_WASM=off' : false;

/** The JS-only answer: what searchExact returned before the wasm path (no range here). */
function jsSearch(req: ExactSearchRequest): ExactSearchResult {
  const { column, queries, metric, topK, numRows } = req;
  if (column.kind === 'sparseVector' || queries.kind === 'sparseVector' || !('dim' in column) || !('dim' in queries)) throw new Error('dense or binary only');
  const rb = column.kind === 'binaryVector' ? column.dim / 8 : column.dim;
  const nq = queries.data.length / rb;
  const heaps = new TopKHeaps(nq, topK);
  const negate = !smallerIsBetter(metric);
  const ctx = { heaps, filter: req.filter ?? null, valid: column.valid, window: null, negate };
  if (column.kind === 'binaryVector' && queries.kind === 'binaryVector') scanBinary(column, queries.data, metric, numRows, ctx);
  else scanDense(column as DenseColumn, denseQueriesToF32(queries as DenseColumn), metric, numRows, ctx);
  const rows = new Int32Array(nq * topK).fill(-1);
  const scores = new Float32Array(nq * topK).fill(negate ? -Infinity : Infinity);
  const counts = new Int32Array(nq);
  for (let q = 0; q < nq; q++) counts[q] = heaps.drainSorted(q, rows, scores, q * topK, negate);
  return { nq, topK, rows, scores, counts };
}

function requests(seed: number, bigRows: number): ExactSearchRequest[] {
  const r = rng(seed);
  const reqs: ExactSearchRequest[] = [];
  for (const kind of WASM_KINDS) {
    const dim = kind === 'binaryVector' ? 264 : 37;
    for (const [n, withFilter] of [[500, false], [bigRows, true]] as const) {
      const column = randomColumn(kind, n, dim, r, [1]);
      const valid = new Uint8Array(n).fill(1);
      valid[3] = 0;
      column.valid = valid;
      const filter = new Uint8Array(n);
      for (let i = 0; i < n; i++) filter[i] = r() < 0.8 ? 1 : 0;
      for (const metric of metricsOf(kind)) {
        reqs.push({ metric, column, numRows: n - 7, queries: randomColumn(kind, 3, dim, r, [0]), topK: 25, filter: withFilter ? filter : null });
      }
    }
  }
  return reqs;
}

test('searchExact (wasm path, cached and per-call columns) is bit-identical to the JS scans', { skip }, () => {
  assert.ok(defaultArena() !== null);
  const big = Math.ceil(CACHE_MIN_BYTES / (37 * 2)) + 100; // every kind but int8/binary above the cache threshold
  for (const req of requests(301, big)) {
    const want = jsSearch(req);
    assert.deepEqual(searchExact(req), want, `${req.column.kind} ${req.metric} n=${req.numRows}`);
    assert.deepEqual(searchExact(req), want, `cached again: ${req.column.kind} ${req.metric}`);
  }
});

test('a cached column that changed in place is re-copied (sampled guard on first and last rows)', { skip }, () => {
  const n = Math.ceil(CACHE_MIN_BYTES / (16 * 4)) + 10;
  const column = randomColumn('floatVector', n, 16, rng(302));
  const queries = randomColumn('floatVector', 1, 16, rng(303));
  const req: ExactSearchRequest = { metric: 'L2', column, numRows: n, queries, topK: 1 };
  searchExact(req);
  column.data.set(queries.data, (n - 1) * 16);
  const res = searchExact(req);
  assert.equal(res.rows[0], n - 1);
  assert.equal(res.scores[0], 0);
});

test('an adopted store backs a column that views wasm memory: searched without another copy', { skip }, () => {
  const a = defaultArena();
  assert.ok(a !== null);
  const n = Math.ceil(CACHE_MIN_BYTES / (24 * 4)) + 50;
  const source = randomColumn('floatVector', n, 24, rng(309));
  const store = VectorStore.fromColumn(a, source, n);
  const column = { kind: 'floatVector' as const, dim: 24, data: store.rows() as Float32Array, valid: null };
  adoptStore(column, store);
  const queries = randomColumn('floatVector', 2, 24, rng(310));
  const req: ExactSearchRequest = { metric: 'COSINE', column, numRows: n, queries, topK: 9 };
  searchExact(req); // computes the norms once
  const used = a.usedBytes;
  assert.deepEqual(searchExact(req), jsSearch({ ...req, column: source }));
  assert.equal(a.usedBytes, used, 'no copy, nothing leaked');
  assert.throws(() => adoptStore({ ...column, dim: 12 }, store), (e: unknown) => e instanceof MilvusError && e.code === 1100);
  store.release();
});

test('searchExactParallel on 2 workers answers every segment like searchExact (nq = 3 and 16)', { skip }, async () => {
  const a = defaultArena();
  assert.ok(a !== null);
  const pool = new WasmPool(a, { threads: 2, minParallelWorkBytes: 0 });
  try {
    const big = Math.ceil(CACHE_MIN_BYTES / (37 * 2)) + 3000;
    const reqs = requests(304, big);
    const got = await searchExactParallel(pool, reqs);
    for (let i = 0; i < reqs.length; i++) assert.deepEqual(got[i], searchExact(reqs[i]!), `request ${i}`);
    const column = randomColumn('floatVector', 20_000, 16, rng(305));
    const many: ExactSearchRequest = { metric: 'IP' as MetricType, column, numRows: 20_000, queries: randomColumn('floatVector', 16, 16, rng(306)), topK: 7, range: { radius: 0 } };
    const [res] = await searchExactParallel(pool, [many]);
    assert.deepEqual(res, searchExact(many));
    assert.ok(res!.counts.every((c) => c === 7));
    await assert.rejects(searchExactParallel(pool, [{ ...many, topK: 0 }]), (e: unknown) => e instanceof MilvusError && e.code === 1100);
  } finally {
    await pool.close();
  }
});

function badTask(): TopKTask {
  return {
    kind: 0, metric: 0, fast: 0, bounded: 0, dim: 128, base: 0x7ff0_0000, norms: 0, queries: 0x7ff0_0000, qNorms: 65536, nq: 1,
    start: 0, end: 1000, mask: 0, dists: 65536, topK: 1, negate: false, lo: -Infinity, hi: Infinity, ranged: false,
    outRows: 65536, outScores: 65536, outCounts: 65536,
  };
}

test('the pool survives a failing task (wasm trap), and bounds its queue with a retriable error', { skip }, async () => {
  const a = defaultArena();
  assert.ok(a !== null);
  const pool = new WasmPool(a, { threads: 1, maxQueuedTasks: 1, minParallelWorkBytes: 0 });
  try {
    await assert.rejects(pool.runTask(badTask()), (e: unknown) => e instanceof MilvusError && e.code === 5 && /out of bounds/.test(e.message));
    const column = randomColumn('floatVector', 5000, 8, rng(307));
    const req: ExactSearchRequest = { metric: 'L2', column, numRows: 5000, queries: randomColumn('floatVector', 2, 8, rng(308)), topK: 3 };
    const [res] = await searchExactParallel(pool, [{ ...req, column: randomColumn('floatVector', 5000, 8, rng(307)) }]);
    assert.deepEqual(res, searchExact(req), 'the pool still answers after the failure');
    const first = pool.runTask(badTask()); // running
    const second = pool.runTask(badTask()); // queued (depth 1)
    await assert.rejects(pool.runTask(badTask()), (e: unknown) => e instanceof MilvusError && e.retriable && /queue is full/.test(e.message));
    await assert.rejects(first);
    await assert.rejects(second);
  } finally {
    await pool.close();
  }
  await assert.rejects(pool.runTask(badTask()), /closed/);
});

test('a process with an idle pool, or a closed one, exits on its own', { skip }, () => {
  const flat = new URL('../../src/index/flat.js', import.meta.url).href;
  const wasm = new URL('../../src/index/wasm/index.js', import.meta.url).href;
  for (const close of [true, false]) {
    const script = `
      import { searchExactParallel } from ${JSON.stringify(flat)};
      import { WasmPool, defaultArena } from ${JSON.stringify(wasm)};
      const pool = new WasmPool(defaultArena(), { threads: 2, minParallelWorkBytes: 0 });
      const data = new Float32Array(100000 * 8).map((_, i) => i % 13);
      const col = { kind: 'floatVector', dim: 8, data, valid: null };
      const [r] = await searchExactParallel(pool, [{ metric: 'L2', column: col, numRows: 100000, queries: { ...col, data: data.slice(0, 8) }, topK: 2 }]);
      console.log('hits', r.counts[0]);
      ${close ? 'await pool.close();' : ''}`;
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000, encoding: 'utf8' });
    assert.equal(res.error, undefined, `exited in time (close=${close})`);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /hits 2/);
  }
});
