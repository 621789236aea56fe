/** Timings, printed not asserted: per-distance cost JS vs wasm, exact-search QPS on 1 and 2 threads, crossover. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Column } from '../../src/schema/column.js';
import { l2SqF32 } from '../../src/index/kernels/dense.js';
import { encodeFloat16 } from '../../src/index/kernels/half.js';
import { searchExact, searchExactParallel, type ExactSearchRequest } from '../../src/index/flat.js';
import { TopKHeaps } from '../../src/index/topk.js';
import { scanDense } from '../../src/index/scan-dense.js';
import { defaultArena, storeForColumn } from '../../src/index/wasm/exact.js';
import { VectorStore } from '../../src/index/wasm/store.js';
import { WasmPool } from '../../src/index/wasm/pool.js';
import { loadavg } from 'node:os';
import { rng } from './helpers.js';

/** SEXTANT_WASM=off forces the JS kernels; then there is nothing here to test. */
const skip = process.env['SEXTANT_WASM'] === 'off' ? 'SEXTANT_WASM=off' : false;

const DIM = 128;

/** Best of `reps` wall-clock timings of fn, in ms (the machine is shared, so the minimum is the signal). */
async function best(reps: number, fn: () => unknown): Promise<number> {
  return (await bestBoth(reps, fn)).wall;
}

/**
 * Best wall-clock and best CPU time (this process, all threads) of `reps` runs, in ms. On a loaded
 * machine long runs are time-sliced, so for single-threaded work CPU time is the truer cost.
 */
async function bestBoth(reps: number, fn: () => unknown): Promise<{ wall: number; cpu: number }> {
  let wall = Infinity, cpu = Infinity;
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    await fn();
    wall = Math.min(wall, Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1000);
  }
  return { wall, cpu };
}

function randomF32(n: number, seed: number): Float32Array {
  const r = rng(seed);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = r() * 2 - 1;
  return data;
}

test('bench: ns per 128-d distance, JS vs wasm (rows in cache)', { skip }, async () => {
  const a = defaultArena();
  assert.ok(a !== null);
  const n = 2000;
  const data = randomF32(n * DIM, 1);
  let sink = 0;
  const js = await best(15, () => { for (let i = 0; i < n; i++) sink += l2SqF32(data, 0, data, i * DIM, DIM); });
  const store = VectorStore.fromColumn(a, { kind: 'floatVector', dim: DIM, data, valid: null }, n);
  const half = new Uint16Array(n * DIM);
  for (let i = 0; i < half.length; i++) half[i] = encodeFloat16(data[i]!);
  const hstore = VectorStore.fromColumn(a, { kind: 'float16Vector', dim: DIM, data: half, valid: null }, n);
  const q = store.query(data.subarray(0, DIM));
  const hq = hstore.query(half.subarray(0, DIM));
  const out = new Float32Array(n);
  const exact = await best(30, () => store.scan('L2', q, out));
  const fast = await best(30, () => store.scan('L2', q, out, { fast: true }));
  const hexact = await best(30, () => hstore.scan('L2', hq, out));
  const hfast = await best(30, () => hstore.scan('L2', hq, out, { fast: true }));
  const fn = store.distanceFn('L2', q, 0, true);
  const call = await best(15, () => { for (let i = 0; i < n; i++) sink += fn(i); });
  const ns = (ms: number): string => ((ms * 1e6) / n).toFixed(1);
  console.log(`bench wasm: JS l2SqF32 ${ns(js)} ns | wasm scan exact ${ns(exact)} ns, fast ${ns(fast)} ns | ` +
    `float16 (held as float32) exact ${ns(hexact)} ns, fast ${ns(hfast)} ns | distanceFn (fast) ${ns(call)} ns/call`);
  assert.ok(Number.isFinite(sink));
  q.free(); hq.free(); store.release(); hstore.release();
});

test('bench: exact search 100k x 128 L2 topK=10, nq=1 and 16, JS vs wasm 1 thread vs wasm 2 threads', { skip }, async () => {
  const a = defaultArena();
  assert.ok(a !== null);
  const N = 100_000;
  const data = randomF32(N * DIM, 2);
  const column: Column = { kind: 'floatVector', dim: DIM, data, valid: null };
  const pool = new WasmPool(a, { threads: 2, minParallelWorkBytes: 0 });
  try {
    for (const nq of [1, 16]) {
      const queries: Column = { kind: 'floatVector', dim: DIM, data: randomF32(nq * DIM, 3 + nq), valid: null };
      const req: ExactSearchRequest = { metric: 'L2', column, numRows: N, queries, topK: 10 };
      const js = await bestBoth(nq === 1 ? 5 : 2, () => {
        const heaps = new TopKHeaps(nq, 10);
        scanDense(column, queries.data as Float32Array, 'L2', N, { heaps, filter: null, valid: null, window: null, negate: false });
      });
      searchExact(req);
      const one = await bestBoth(8, () => searchExact(req));
      const two = await best(8, () => searchExactParallel(pool, [req]));
      const store = storeForColumn(a, column, N);
      const qb = store.query(queries.data as Float32Array);
      const twoFast = await best(8, () => pool.searchParallel([{ store, metric: 'L2', queries: qb, topK: 10, fast: true }]));
      qb.free();
      const qps = (ms: number): string => ((1000 / ms) * nq).toFixed(0);
      console.log(`bench wasm search nq=${nq} (load avg ${loadavg()[0]!.toFixed(1)}; cpu = CPU ms, wall = wall ms): ` +
        `JS cpu ${js.cpu.toFixed(1)} (${qps(js.cpu)} QPS) wall ${js.wall.toFixed(1)} | wasm 1 thread cpu ${one.cpu.toFixed(1)} (${qps(one.cpu)} QPS) wall ${one.wall.toFixed(1)} (${qps(one.wall)} QPS)` +
        ` | wasm 2 threads wall ${two.toFixed(1)} (${qps(two)} QPS) | 2 threads fast-f32 wall ${twoFast.toFixed(1)} (${qps(twoFast)} QPS)`);
    }
  } finally {
    await pool.close();
  }
});

test('bench: single-thread vs pool crossover (128-d float32 L2, nq=1)', { skip }, async () => {
  const a = defaultArena();
  assert.ok(a !== null);
  const pool = new WasmPool(a, { threads: 2, minParallelWorkBytes: 0 });
  try {
    const parts: string[] = [];
    const tiny = new Float32Array(DIM);
    const hopReq: ExactSearchRequest = {
      metric: 'L2', column: { kind: 'floatVector', dim: DIM, data: tiny, valid: null }, numRows: 1,
      queries: { kind: 'floatVector', dim: DIM, data: tiny, valid: null }, topK: 1,
    };
    const store = VectorStore.fromColumn(a, { kind: 'floatVector', dim: DIM, data: tiny, valid: null }, 1);
    const qb = store.query(tiny);
    const hop = await best(50, () => pool.searchParallel([{ store, metric: 'L2', queries: qb, topK: 1 }]));
    qb.free();
    store.release();
    parts.push(`round trip of a 1-row job through the pool ${hop.toFixed(3)} ms (sync ${(await best(50, () => searchExact(hopReq))).toFixed(3)} ms)`);
    for (const n of [2_000, 8_000, 32_000]) {
      const data = randomF32(n * DIM, 10 + n);
      const req: ExactSearchRequest = {
        metric: 'L2', column: { kind: 'floatVector', dim: DIM, data, valid: null }, numRows: n,
        queries: { kind: 'floatVector', dim: DIM, data: data.slice(0, DIM), valid: null }, topK: 10,
      };
      searchExact(req);
      const one = await best(15, () => searchExact(req));
      const two = await best(15, () => searchExactParallel(pool, [req]));
      parts.push(`${n} rows (${((n * DIM * 4) / 2 ** 20).toFixed(1)} MiB): 1 thread ${one.toFixed(2)} ms, pool ${two.toFixed(2)} ms`);
    }
    console.log(`bench wasm crossover: ${parts.join(' | ')}`);
  } finally {
    await pool.close();
  }
});
