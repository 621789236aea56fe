/**
 * searchExact through the wasm kernels equals the JS scans (scanDense / scanBinary, the reference
 * and fallback) bit for bit; the worker pool answers exactly like the single-thread path; the pool
 * survives failing tasks, bounds its queue and lets the process exit. Big cached copies live in a
 * wasm memory of their own, which goes back to the system with the copy.
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
import { adoptStore, defaultArena, forgetColumn, ownCopyBytes, residentArena, CACHE_MIN_BYTES, OWN_MEMORY_MIN_BYTES } from '../../src/index/wasm/exact.js';
import { VectorStore, type WasmColumn } from '../../src/index/wasm/store.js';
import { WasmPool } from '../../src/index/wasm/pool.js';
import { rng } from './helpers.js';
import { WASM_KINDS, metricsOf, outOfBoundsTask, randomColumn } from './wasm-helpers.js';

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

test('the pool survives a failing task (wasm trap), and bounds its queue with a retriable error', { skip }, async () => {
  const a = defaultArena();
  assert.ok(a !== null);
  const pool = new WasmPool(a, { threads: 1, maxQueuedTasks: 1, minParallelWorkBytes: 0 });
  try {
    await assert.rejects(pool.runTask(outOfBoundsTask()), (e: unknown) => e instanceof MilvusError && e.code === 5 && /out of bounds/.test(e.message));
    const column = randomColumn('floatVector', 5000, 8, rng(307));
    const req: ExactSearchRequest = { metric: 'L2', column, numRows: 5000, queries: randomColumn('floatVector', 2, 8, rng(308)), topK: 3 };
    const [res] = await searchExactParallel(pool, [{ ...req, column: randomColumn('floatVector', 5000, 8, rng(307)) }]);
    assert.deepEqual(res, searchExact(req), 'the pool still answers after the failure');
    const first = pool.runTask(outOfBoundsTask()); // running
    const second = pool.runTask(outOfBoundsTask()); // queued (depth 1)
    await assert.rejects(pool.runTask(outOfBoundsTask()), (e: unknown) => e instanceof MilvusError && e.retriable && /queue is full/.test(e.message));
    await assert.rejects(first);
    await assert.rejects(second);
  } finally {
    await pool.close();
  }
  await assert.rejects(pool.runTask(outOfBoundsTask()), /closed/);
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

test('a cached copy of OWN_MEMORY_MIN_BYTES or more lives in a memory of its own, is searched there (inline and on the pool), and is dropped with the copy', { skip }, async () => {
  const a = defaultArena();
  assert.ok(a !== null);
  const r = rng(311);
  const dim = 32, n = Math.ceil(OWN_MEMORY_MIN_BYTES / (dim * 4)) + 101;
  const column = randomColumn('floatVector', n, dim, r, [7]);
  const filter = Uint8Array.from({ length: n }, () => (r() < 0.7 ? 1 : 0));
  const sizeBefore = a.sizeBytes, usedBefore = a.usedBytes, ownBefore = ownCopyBytes();
  const reqs = (['L2', 'IP', 'COSINE'] as const).map((metric, i): ExactSearchRequest => ({
    metric, column, numRows: n - 5, queries: randomColumn('floatVector', 1 + 2 * i, dim, r), topK: 17, filter: i === 1 ? null : filter,
  }));
  for (const req of reqs) {
    const want = jsSearch(req);
    assert.deepEqual(searchExact(req), want, `${req.metric}`);
    assert.deepEqual(searchExact(req), want, `cached: ${req.metric}`);
  }
  const own = residentArena(column);
  assert.ok(own !== null && own !== a, 'the copy has a memory of its own');
  assert.ok(ownCopyBytes() - ownBefore >= (n - 5) * dim * 4, 'and the gauge counts it');
  assert.equal(a.sizeBytes, sizeBefore, 'the process arena did not grow');
  // (At most: copies cached by earlier tests may be collected meanwhile.)
  assert.ok(a.usedBytes <= usedBefore, 'nor holds anything more');
  const pool = new WasmPool(a, { threads: 2, minParallelWorkBytes: 0 });
  try {
    const got = await searchExactParallel(pool, reqs);
    for (let i = 0; i < reqs.length; i++) assert.deepEqual(got[i], jsSearch(reqs[i]!), `pool: ${reqs[i]!.metric}`);
    assert.equal(residentArena(column), own, 'the workers read the same copy');
    assert.ok(a.usedBytes <= usedBefore, 'no scratch left in the process arena');
  } finally {
    await pool.close();
  }
  forgetColumn(column);
  assert.equal(residentArena(column), null);
  assert.ok(ownCopyBytes() <= ownBefore, 'the memory is no longer held');
  const small = randomColumn('floatVector', Math.ceil(CACHE_MIN_BYTES / (dim * 4)) + 10, dim, r);
  const req: ExactSearchRequest = { metric: 'L2', column: small, numRows: small.data.length / dim, queries: randomColumn('floatVector', 2, dim, r), topK: 4 };
  assert.deepEqual(searchExact(req), jsSearch(req));
  assert.equal(residentArena(small), a, 'a copy below the bound shares the process arena');
  forgetColumn(small);
});

test('a growing column\'s longer view extends its copy with the new rows instead of copying again; a changed row is copied anew', { skip }, () => {
  const dim = 16, n = Math.ceil(OWN_MEMORY_MIN_BYTES / (dim * 4)) + 33, extra = 1000;
  const r = rng(312);
  const whole = randomColumn('floatVector', 2 * n, dim, r).data as Float32Array; // a tail's buffer: rows written up to n, room past them
  const view = (rows: number): WasmColumn => ({ kind: 'floatVector', dim, data: whole.subarray(0, rows * dim), valid: null });
  // Queries: a random vector and the view's last row (found first only if the new rows were copied in).
  const ask = (rows: number, metric: MetricType): ExactSearchRequest => {
    const queries = new Float32Array(2 * dim);
    queries.set(randomColumn('floatVector', 1, dim, r).data as Float32Array);
    queries.set(whole.subarray((rows - 1) * dim, rows * dim), dim);
    return { metric, column: view(rows), numRows: rows, queries: { kind: 'floatVector', dim, data: queries, valid: null }, topK: 12 };
  };
  const first = ask(n, 'L2');
  assert.deepEqual(searchExact(first), jsSearch(first));
  const arena = residentArena(first.column as WasmColumn);
  const held = ownCopyBytes();
  // Rows n .. n + extra were appended past the first view (they were already there: random); a new view shows them.
  for (const [rows, metric] of [[n + extra, 'COSINE'], [n + 2 * extra, 'IP'], [n + 2 * extra - 7, 'L2']] as const) {
    const req = ask(rows, metric);
    const got = searchExact(req);
    assert.deepEqual(got, jsSearch(req), `${rows} rows, ${metric}`);
    if (metric !== 'IP') assert.equal(got.rows[12], rows - 1, 'the new last row is its own nearest');
    assert.equal(residentArena(req.column as WasmColumn), arena, 'the same copy, extended');
  }
  assert.equal(ownCopyBytes() - held, 2 * extra * dim * 4, 'only the new rows were copied in');
  whole[0] = 1e6; // a row below the copy's end changed in place: the guard sees it
  const again = ask(n + 2 * extra, 'L2');
  assert.deepEqual(searchExact(again), jsSearch(again));
  assert.notEqual(residentArena(again.column as WasmColumn), arena, 'copied anew');
  forgetColumn(again.column as WasmColumn);
  assert.equal(ownCopyBytes(), held - n * dim * 4, 'the memory went with it');
});

test('memory of a big cached copy goes back to the system when the copy is dropped (RSS, child process)', { skip }, (t) => {
  const flat = new URL('../../src/index/flat.js', import.meta.url).href;
  const exact = new URL('../../src/index/wasm/exact.js', import.meta.url).href;
  const script = `
    import { searchExact } from ${JSON.stringify(flat)};
    import { forgetColumn, processArenaBytes } from ${JSON.stringify(exact)};
    const mb = () => process.memoryUsage().rss / 2 ** 20;
    const settle = async () => { for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); } };
    const dim = 64, n = 600_000; // 146 MiB of rows, kept alive in JS throughout
    const data = new Float32Array(n * dim).map((_, i) => (i * 7919) % 1000 / 1000);
    const column = { kind: 'floatVector', dim, data, valid: null };
    searchExact({ metric: 'L2', column: { ...column, data: data.subarray(0, 64 * dim) }, numRows: 64, queries: { ...column, data: data.subarray(0, dim) }, topK: 1 });
    await settle();
    const before = mb();
    const r = searchExact({ metric: 'L2', column, numRows: n, queries: { ...column, data: data.slice(dim, 2 * dim) }, topK: 3 });
    const held = mb();
    forgetColumn(column);
    await settle();
    console.log(JSON.stringify({ hit: r.scores[0], before, held, after: mb(), arena: processArenaBytes().size / 2 ** 20 }));`;
  const res = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { timeout: 60_000, encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
  const f = JSON.parse(res.stdout) as { hit: number; before: number; held: number; after: number; arena: number };
  const copyMb = (600_000 * 64 * 4) / 2 ** 20;
  t.diagnostic(`RSS MiB: before ${f.before.toFixed(0)}, with the copy ${f.held.toFixed(0)}, after it was dropped ${f.after.toFixed(0)}; process arena ${f.arena.toFixed(1)} MiB`);
  assert.equal(f.hit, 0, 'the search found the query\'s own row (distance 0)');
  assert.ok(f.held - f.before >= 0.8 * copyMb, `the copy was made (${JSON.stringify(f)})`);
  assert.ok(f.after - f.before <= 0.2 * copyMb, `RSS went back after the copy was dropped (${JSON.stringify(f)})`);
  assert.ok(f.arena < 0.2 * copyMb, `the process arena never held it (${f.arena.toFixed(1)} MiB)`);
});
