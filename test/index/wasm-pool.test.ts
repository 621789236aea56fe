/**
 * The pool over several memories: jobs whose stores live in different wasm memories (resident
 * columns) run on the same workers, in place, with answers identical to searchExact; a released
 * memory is forgotten; the memories a worker holds are posted once, bounded, idle-evicted and forgettable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchExact, searchExactParallel, type ExactSearchRequest } from '../../src/index/flat.js';
import { defaultArena, residentArena } from '../../src/index/wasm/exact.js';
import { makeResident } from '../../src/index/wasm/resident.js';
import { WasmPool } from '../../src/index/wasm/pool.js';
import { HostCache } from '../../src/index/wasm/worker.js';
import { packPoolTask, registerPoolTask, unpackPoolTask } from '../../src/index/wasm/tasks.js';
import type { TopKTask } from '../../src/index/wasm/task.js';
import { ArenaScratch } from '../../src/index/wasm/arena.js';
import { KIND, METRIC } from '../../src/index/wasm/codes.js';
import { DIST_BLOCK_ROWS } from '../../src/index/scan-window.js';
import { MilvusError } from '../../src/core/errors.js';
import { WorkerMemories } from '../../src/index/wasm/worker-memories.js';
import { kernelModule, newSharedMemory } from '../../src/index/wasm/loader.js';
import type { WasmColumn } from '../../src/index/wasm/store.js';
import type { MetricType } from '../../src/core/enums.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { rng } from './helpers.js';
import { outOfBoundsTask, randomColumn } from './wasm-helpers.js';

const skip = process.env['SEXTANT_WASM'] === 'off' ? 'SEXTANT_WASM=off' : false;

test('jobs in three memories (two resident columns + the process arena) answer like searchExact, in place', { skip }, async () => {
  const a = defaultArena();
  assert.ok(a !== null);
  const pool = new WasmPool(a, { threads: 2, minParallelWorkBytes: 0 });
  const r = rng(901);
  const kinds = ['floatVector', 'int8Vector', 'binaryVector'] as const;
  const residents = kinds.slice(0, 2).map((k) => makeResident(randomColumn(k, 9000 + 17, 32, r), 9017));
  try {
    const cols: WasmColumn[] = [
      residents[0]!.column as WasmColumn, residents[1]!.column as WasmColumn, randomColumn('binaryVector', 40_000, 64, r),
    ];
    const arenas = cols.map((c) => residentArena(c));
    assert.ok(arenas[0] !== null && arenas[1] !== null && arenas[0] !== arenas[1], 'each resident column has its own arena');
    assert.equal(arenas[2], null);
    const usedBefore = arenas.map((x) => x?.usedBytes ?? 0);
    for (let round = 0; round < 6; round++) {
      const reqs: ExactSearchRequest[] = cols.map((column, i) => {
        const n = Math.floor(column.data.byteLength / (column.kind === 'binaryVector' ? column.dim / 8 : column.kind === 'int8Vector' ? column.dim : column.dim * 4));
        const filter = round % 2 === 0 ? null : Uint8Array.from({ length: n }, () => (r() < 0.6 ? 1 : 0));
        const metric: MetricType = column.kind === 'binaryVector' ? (round % 3 === 0 ? 'JACCARD' : 'HAMMING') : (['L2', 'IP', 'COSINE'] as const)[(round + i) % 3]!;
        const nq = [1, 5, 16][round % 3]!;
        return { metric, column, numRows: n, queries: randomColumn(column.kind, nq, column.dim, r), topK: 1 + ((round * 7 + i) % 40), filter };
      });
      const done = pool.tasksDone;
      const got = await searchExactParallel(pool, reqs);
      assert.ok(pool.tasksDone - done >= reqs.length, 'the workers ran the jobs');
      for (let i = 0; i < reqs.length; i++) assert.deepEqual(got[i], searchExact(reqs[i]!), `round ${round} request ${i}`);
    }
    // Nothing was copied into the resident arenas (only norms, kept once) and no scratch leaked.
    for (let i = 0; i < 2; i++) assert.ok(arenas[i]!.usedBytes - usedBefore[i]! <= 9017 * 8 + 64, `arena ${i} grew by ${arenas[i]!.usedBytes - usedBefore[i]!}`);
    const afterNorms = arenas.map((x) => x?.usedBytes ?? 0);
    await searchExactParallel(pool, [{ metric: 'COSINE', column: cols[0]!, numRows: 9017, queries: randomColumn('floatVector', 3, 32, r), topK: 5 }]);
    assert.equal(arenas[0]!.usedBytes, afterNorms[0], 'scratch is freed after each search');
  } finally {
    for (const res of residents) res?.release();
    await pool.close();
  }
});

test('a resident column released while its search runs stays readable until the tasks end, then is freed', { skip }, async () => {
  const a = defaultArena();
  assert.ok(a !== null);
  const pool = new WasmPool(a, { threads: 2, minParallelWorkBytes: 0 });
  try {
    const src = randomColumn('floatVector', 60_000, 64, rng(902));
    const expected = searchExact({ metric: 'L2', column: src, numRows: 60_000, queries: randomColumn('floatVector', 16, 64, rng(903)), topK: 10 });
    const res = makeResident(randomColumn('floatVector', 60_000, 64, rng(902)), 60_000);
    assert.ok(res !== null);
    const column = res.column as WasmColumn;
    const arena = residentArena(column);
    assert.ok(arena !== null);
    const rowsBytes = 60_000 * 64 * 4;
    const pending = searchExactParallel(pool, [{ metric: 'L2', column, numRows: 60_000, queries: randomColumn('floatVector', 16, 64, rng(903)), topK: 10 }]);
    res.release();
    assert.ok(arena.usedBytes >= rowsBytes, 'rows are kept while pinned by running tasks');
    const [got] = await pending;
    assert.deepEqual(got, expected);
    assert.equal(arena.usedBytes, 0, 'rows and scratch freed once the tasks ended');
    assert.equal(residentArena(column), null, 'a released column is no longer resident');
  } finally {
    await pool.close();
  }
});

test('a search with more tasks than the queue holds runs them in waves, and answers like searchExact', { skip }, async () => {
  const a = defaultArena();
  assert.ok(a !== null);
  const pool = new WasmPool(a, { threads: 2, maxQueuedTasks: 3, minParallelWorkBytes: 0 });
  try {
    const r = rng(904);
    const reqs: ExactSearchRequest[] = [];
    for (let i = 0; i < 12; i++) {
      reqs.push({ metric: 'IP', column: randomColumn('floatVector', 40_000, 8, r), numRows: 40_000, queries: randomColumn('floatVector', 4, 8, r), topK: 6 });
    }
    const got = await searchExactParallel(pool, reqs);
    assert.ok(pool.tasksDone >= 12, 'every job ran on the workers');
    for (let i = 0; i < reqs.length; i++) assert.deepEqual(got[i], searchExact(reqs[i]!), `request ${i}`);
  } finally {
    await pool.close();
  }
});

test('short tasks queued in one turn share a message, a failing one fails alone; other tasks go one to a message', { skip }, async () => {
  const a = defaultArena();
  assert.ok(a !== null);
  const pool = new WasmPool(a, { threads: 1, minParallelWorkBytes: 0 });
  const scratch = new ArenaScratch(a);
  try {
    const r = rng(905);
    const n = 3000, dim = 16, topK = 7;
    const column = randomColumn('floatVector', n, dim, r), queries = randomColumn('floatVector', 2, dim, r);
    const base = scratch.take(n * dim * 4), q = scratch.take(2 * dim * 4), qNorms = scratch.take(16);
    a.f32.set(column.data as Float32Array, base >>> 2);
    a.f32.set(queries.data as Float32Array, q >>> 2);
    // One exact L2 scan of query `i` over the rows, its outputs in scratch of its own.
    const scan = (i: number): TopKTask => ({
      kind: KIND.float32, metric: METRIC.L2, fast: 0, bounded: 0, dim, base, norms: 0, queries: q + i * dim * 4, qNorms: qNorms + i * 8, nq: 1,
      start: 0, end: n, mask: 0, dists: scratch.take(DIST_BLOCK_ROWS * 4), topK, negate: false, lo: -Infinity, hi: Infinity, ranged: false,
      outRows: scratch.take(topK * 4), outScores: scratch.take(topK * 4), outCounts: scratch.take(4),
    });
    const tasks = [scan(0), scan(1)];
    const [m0, t0] = [pool.messagesSent, pool.tasksDone];
    // Queued before the pool's dispatch (a microtask): one message carries all three to the one worker.
    const runs = [pool.runTask(tasks[0]!, a.memory, { short: true }), pool.runTask(outOfBoundsTask(), a.memory, { short: true }), pool.runTask(tasks[1]!, a.memory, { short: true })];
    const settled = await Promise.allSettled(runs);
    assert.equal(settled[0]!.status, 'fulfilled');
    assert.equal(settled[2]!.status, 'fulfilled');
    const failed = settled[1]!;
    assert.ok(failed.status === 'rejected' && failed.reason instanceof MilvusError && /out of bounds/.test(failed.reason.message));
    assert.equal(pool.tasksDone - t0, 3);
    assert.equal(pool.messagesSent - m0, 1, 'one message for the three');
    tasks.forEach((t, i) => {
      const want = searchExact({ metric: 'L2', column, numRows: n, queries: { kind: 'floatVector', dim, data: (queries.data as Float32Array).slice(i * dim, (i + 1) * dim), valid: null }, topK });
      assert.deepEqual([...a.i32.subarray(t.outRows >>> 2, (t.outRows >>> 2) + topK)], [...want.rows], `query ${i}: the tasks beside the failing one answered`);
    });
    // Not short: one message each, even when queued together.
    const [m1, t1] = [pool.messagesSent, pool.tasksDone];
    await Promise.all([pool.runTask(scan(0), a.memory), pool.runTask(scan(1), a.memory)]);
    assert.equal(pool.messagesSent - m1, 2);
    assert.equal(pool.tasksDone - t1, 2);
    // Seven exact jobs on two workers (tasks that are not short): same answers as searchExact.
    const pool2 = new WasmPool(a, { threads: 2, minParallelWorkBytes: 0 });
    try {
      const reqs: ExactSearchRequest[] = Array.from({ length: 7 }, (_, i) => ({
        metric: (['L2', 'IP', 'COSINE'] as const)[i % 3]!, column: randomColumn('floatVector', 20_000 + i, 16, r), numRows: 20_000 + i,
        queries: randomColumn('floatVector', 1 + (i % 3), 16, r), topK: 5 + i,
      }));
      const got = await searchExactParallel(pool2, reqs);
      for (let i = 0; i < reqs.length; i++) assert.deepEqual(got[i], searchExact(reqs[i]!), `request ${i}`);
      assert.equal(pool2.messagesSent, pool2.tasksDone, 'one message a task');
    } finally {
      await pool2.close();
    }
  } finally {
    scratch.releaseAll();
    await pool.close();
  }
});

test('a task type registered with its fields is posted as numbers and read back the same; others as objects', () => {
  interface Probe { type: 'probe-packed'; a: number; b: number; c: number }
  registerPoolTask<Probe>('probe-packed', () => undefined, ['a', 'b', 'c']);
  const task: Probe = { type: 'probe-packed', a: 1.5, b: -Infinity, c: 2 ** 40 + 3 };
  const packed = packPoolTask(task);
  assert.ok(packed !== null && packed.type === 'probe-packed');
  assert.deepEqual([...packed.values], [1.5, -Infinity, 2 ** 40 + 3]);
  assert.deepEqual(unpackPoolTask(packed.type, packed.values), task);
  assert.throws(() => packPoolTask({ type: 'probe-packed', a: 1, b: true, c: 3 }), /field b is boolean, not a number/);
  assert.throws(() => unpackPoolTask('probe-packed', new Float64Array(2)), /no packed layout of 2 fields/);
  assert.equal(packPoolTask({ kind: 0, start: 0 }), null, 'a type without a layout (here: topk) is posted as an object');
});

test('WorkerMemories: a memory is posted once, dropped when idle, least recently used out past the bound, forgettable', () => {
  const held = new WorkerMemories(2, 1000);
  assert.equal(held.use(1, 0), true, 'first use: post it');
  assert.equal(held.use(1, 10), false, 'held: not posted again');
  assert.equal(held.use(2, 20), true);
  assert.equal(held.use(1, 30), false); // 1 is now the most recent
  assert.equal(held.use(3, 40), true);
  assert.deepEqual(held.expire(40), [2], 'past the bound, the least recently used goes');
  assert.equal(held.use(2, 50), true, 'posted again after it was dropped');
  assert.deepEqual(held.expire(50), [1]);
  assert.equal(held.forget(2), true, 'held: tell the worker');
  assert.equal(held.forget(2), false, 'no longer held: nothing to tell');
  assert.deepEqual(held.expire(40 + 999), [], 'not idle yet');
  assert.deepEqual(held.expire(40 + 1001), [3], 'idle past the limit');
  assert.equal(held.size, 0);
});

test('HostCache: one instance per memory id, the first memory posted kept, forgettable; an unknown id is an error', { skip }, () => {
  const module = kernelModule();
  assert.ok(module !== null);
  const cache = new HostCache(module);
  const m = [newSharedMemory(2, 4), newSharedMemory(2, 4)];
  assert.throws(() => cache.host(1), /memory 1 was not posted/);
  cache.adopt(1, m[0]!);
  const h1 = cache.host(1);
  assert.equal(h1.memory, m[0]);
  assert.equal(cache.host(1), h1, 'instantiated once');
  cache.adopt(1, m[1]!);
  assert.equal(cache.host(1), h1, 'a second post of the same id keeps the first');
  cache.adopt(2, m[1]!);
  assert.equal(cache.size, 2);
  cache.forget(1);
  assert.equal(cache.size, 1);
  assert.throws(() => cache.host(1), /memory 1 was not posted/);
  assert.equal(cache.host(2).memory, m[1]);
});

test('a resident memory searched on the workers is given back to the OS when released', { skip }, async () => {
  setFlagsFromString('--expose_gc');
  const gc = runInNewContext('gc') as () => void;
  const a = defaultArena();
  assert.ok(a !== null);
  const pool = new WasmPool(a, { threads: 2, minParallelWorkBytes: 0 });
  const settle = async (): Promise<number> => {
    await new Promise((res) => setTimeout(res, 100)); // the workers handle `forget` and collect
    for (let i = 0; i < 4; i++) gc();
    return process.memoryUsage().rss;
  };
  try {
    await searchExactParallel(pool, [{ metric: 'L2', column: randomColumn('floatVector', 1000, 8, rng(1)), numRows: 1000, queries: randomColumn('floatVector', 1, 8, rng(2)), topK: 1 }]);
    const before = await settle();
    const n = 200_000, dim = 128, bytes = n * dim * 4; // 100 MiB
    const search = async (): Promise<void> => {
      const data = new Float32Array(n * dim);
      for (let i = 0; i < data.length; i++) data[i] = i % 89;
      const res = makeResident({ kind: 'floatVector', dim, data, valid: null }, n);
      assert.ok(res !== null);
      const done = pool.tasksDone;
      await searchExactParallel(pool, [{ metric: 'L2', column: res.column, numRows: n, queries: { kind: 'floatVector', dim, data: data.slice(0, dim), valid: null }, topK: 3 }]);
      assert.equal(pool.tasksDone - done, 2, 'both workers read the memory');
      res.release();
    };
    await search();
    const after = await settle();
    assert.ok(after - before < bytes / 4, `RSS grew by ${((after - before) / 2 ** 20).toFixed(0)} MiB after release (vectors: ${bytes / 2 ** 20} MiB)`);
  } finally {
    await pool.close();
  }
});
