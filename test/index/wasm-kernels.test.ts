/** Every wasm kernel against the JS reference kernels (src/index/kernels/), at many dims. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WasmArena } from '../../src/index/wasm/arena.js';
import { VectorStore } from '../../src/index/wasm/store.js';
import { TopKHeaps } from '../../src/index/topk.js';
import { FLOAT16_TABLE } from '../../src/index/kernels/half.js';
import { rng } from './helpers.js';
import { WASM_KINDS, jsScore, metricsOf, randomColumn } from './wasm-helpers.js';

/** SEXTANT_WASM=off forces the JS kernels; then there is nothing here to test. */
const skip = process.env['SEXTANT_WASM'] === 'off' ? 'SEXTANT_WASM=off' : false;

const arena = WasmArena.create();
const DENSE_DIMS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 127, 128, 130, 257];
const BINARY_DIMS = [8, 16, 24, 56, 64, 72, 120, 128, 136, 1000];

test('wasm is available in this build (npm run build compiles asm/kernels.ts)', { skip }, () => {
  assert.ok(arena !== null, 'dist/asm/kernels.wasm loads');
});

test('exact scans are bit-identical to the JS kernels for every kind, metric and dim (zero rows and a zero query included)', { skip }, () => {
  if (arena === null) return;
  const r = rng(101);
  for (const kind of WASM_KINDS) {
    for (const dim of kind === 'binaryVector' ? BINARY_DIMS : DENSE_DIMS) {
      const n = 23;
      const column = randomColumn(kind, n, dim, r, [0, 11]);
      const queries = randomColumn(kind, 3, dim, r, [2]);
      const store = VectorStore.fromColumn(arena, column, n);
      const qb = store.query(queries.data);
      const out = new Float32Array(n);
      for (const metric of metricsOf(kind)) {
        for (let q = 0; q < 3; q++) {
          store.scan(metric, qb, out, { queryIndex: q });
          for (let row = 0; row < n; row++) {
            const want = jsScore(metric, column, queries, q, row);
            assert.equal(out[row], want, `${kind} ${metric} dim=${dim} q=${q} row=${row}`);
            assert.equal(Math.fround(store.distance(metric, qb, row, q)), want, `distance() ${kind} ${metric} dim=${dim}`);
          }
        }
      }
      qb.free();
      store.release();
    }
  }
});

test('fast (float32-accumulating) scans stay within float32 rounding of the reference; int8 and binary stay exact', { skip }, () => {
  if (arena === null) return;
  const r = rng(102);
  for (const kind of WASM_KINDS) {
    for (const dim of kind === 'binaryVector' ? [8, 136] : [3, 17, 128, 257]) {
      const n = 40;
      const column = randomColumn(kind, n, dim, r, [5]);
      const queries = randomColumn(kind, 1, dim, r);
      const store = VectorStore.fromColumn(arena, column, n);
      const qb = store.query(queries.data);
      const out = new Float32Array(n);
      for (const metric of metricsOf(kind)) {
        store.scan(metric, qb, out, { fast: true });
        for (let row = 0; row < n; row++) {
          const want = jsScore(metric, column, queries, 0, row);
          // Error bound ~ dim * eps * sum|terms|; values are in [-4, 4] (int8: exact).
          const scale = metric === 'COSINE' ? 1 : dim * 64;
          const tol = kind === 'int8Vector' || kind === 'binaryVector' ? 0 : dim * 2 ** -22 * scale;
          assert.ok(Math.abs(out[row]! - want) <= tol, `${kind} ${metric} dim=${dim} row=${row}: ${out[row]} vs ${want}`);
        }
      }
      qb.free();
      store.release();
    }
  }
});

test('filtered and partial scans: masked rows are NaN, others unchanged; gather and distanceFn agree with scan', { skip }, () => {
  if (arena === null) return;
  const r = rng(103);
  const n = 300, dim = 19;
  const column = randomColumn('floatVector', n, dim, r);
  const queries = randomColumn('floatVector', 2, dim, r);
  const store = VectorStore.fromColumn(arena, column, n);
  const qb = store.query(queries.data);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = r() < 0.5 ? 1 : 0;
  const full = new Float32Array(n), masked = new Float32Array(n), part = new Float32Array(100);
  for (const metric of ['L2', 'IP', 'COSINE'] as const) {
    store.scan(metric, qb, full, { queryIndex: 1 });
    store.scan(metric, qb, masked, { queryIndex: 1, filter: mask });
    store.scan(metric, qb, part, { queryIndex: 1, start: 150, end: 250, filter: mask });
    for (let i = 0; i < n; i++) {
      if (mask[i] === 0) assert.ok(Number.isNaN(masked[i]), `row ${i} masked`);
      else assert.equal(masked[i], full[i]);
    }
    for (let i = 0; i < 100; i++) assert.ok(Object.is(part[i], masked[150 + i]), `partial row ${150 + i}`);
    const ids = Int32Array.from([299, 0, 7, 7, 123]);
    const got = new Float32Array(ids.length);
    store.gather(metric, qb, ids, got, 1);
    const fn = store.distanceFn(metric, qb, 1);
    for (let i = 0; i < ids.length; i++) {
      assert.equal(got[i], full[ids[i]!]);
      assert.equal(Math.fround(fn(ids[i]!)), full[ids[i]!]);
    }
  }
  qb.free();
  store.release();
});

test('the in-wasm float16 decoder matches the JS table for all 65,536 bit patterns', { skip }, () => {
  if (arena === null) return;
  const src = arena.alloc(65536 * 2), dst = arena.alloc(65536 * 4);
  const u16 = new Uint16Array(arena.memory.buffer, src, 65536);
  for (let h = 0; h < 65536; h++) u16[h] = h;
  arena.k.decodeF16(src, 65536, dst);
  const got = new Float32Array(arena.memory.buffer, dst, 65536);
  for (let h = 0; h < 65536; h++) {
    const want = FLOAT16_TABLE[h]!;
    if (Number.isNaN(want)) assert.ok(Number.isNaN(got[h]), `0x${h.toString(16)} is NaN`);
    else assert.ok(Object.is(got[h], want), `0x${h.toString(16)}: ${got[h]} vs ${want}`);
  }
  arena.release(src);
  arena.release(dst);
});

test('scanBounded: kept rows are exact, skipped rows provably cannot beat the threshold (near-ties, tiny and huge values)', { skip }, () => {
  if (arena === null) return;
  const r = rng(104);
  for (const kind of ['floatVector', 'float16Vector', 'bfloat16Vector'] as const) {
    for (const dim of [3, 16, 33, 128]) {
      for (const scale of [1, 1e-18, 1e15]) {
        const n = 200;
        const column = randomColumn(kind, n, dim, r, [4]);
        if (kind === 'floatVector') {
          const d = column.data as Float32Array;
          for (let i = 0; i < d.length; i++) d[i] = d[i]! * scale;
          for (let row = 100; row < 150; row++) for (let i = 0; i < dim; i++) d[row * dim + i] = d[i]! + (r() - 0.5) * 1e-6 * scale; // near-ties of row 0
        }
        const queries = kind === 'floatVector' ? { ...column, data: (column.data as Float32Array).slice(0, dim) } : randomColumn(kind, 1, dim, r);
        const store = VectorStore.fromColumn(arena, column, n);
        const qb = store.query(queries.data);
        const exact = new Float32Array(n), got = new Float32Array(n);
        const outPtr = arena.alloc(n * 4);
        for (const metric of ['L2', 'IP', 'COSINE'] as const) {
          const m = store.metric(metric);
          store.scan(metric, qb, exact);
          const keys = Array.from(exact, (s) => (metric === 'L2' ? s : -s)).sort((x, y) => x - y);
          for (const thr of [Infinity, keys[5]!, keys[60]!, keys[0]!]) {
            arena.k.scanBounded(store.code, m, qb.at(0), store.ptr, dim, 0, n, 0, store.normsFor(m, true), qb.norm(0), outPtr, thr);
            got.set(new Float32Array(arena.memory.buffer, outPtr, n));
            for (let row = 0; row < n; row++) {
              const key = metric === 'L2' ? exact[row]! : -exact[row]!;
              if (Number.isNaN(got[row])) assert.ok(key >= thr, `${kind} ${metric} dim=${dim} scale=${scale}: skipped row ${row} key ${key} < thr ${thr}`);
              else assert.equal(got[row], exact[row], `${kind} ${metric} dim=${dim} kept row ${row} is exact`);
            }
            if (thr === Infinity) assert.ok(got.every((x) => !Number.isNaN(x)), 'no threshold, nothing skipped');
          }
        }
        arena.release(outPtr);
        qb.free();
        store.release();
      }
    }
  }
});

test('the in-kernel float16 path (kind 1, rows kept 16-bit) is also bit-identical; stores use the decoded float32 copy', { skip }, () => {
  if (arena === null) return;
  const r = rng(105);
  for (const dim of [5, 16, 37]) {
    const n = 30;
    const column = randomColumn('float16Vector', n, dim, r, [2]);
    const queries = randomColumn('float16Vector', 1, dim, r);
    const rows = arena.alloc(n * dim * 2), q = arena.alloc(dim * 2), out = arena.alloc(n * 4), norms = arena.alloc(n * 8), qn = arena.alloc(8);
    new Uint16Array(arena.memory.buffer, rows, n * dim).set(column.data as Uint16Array);
    new Uint16Array(arena.memory.buffer, q, dim).set(queries.data as Uint16Array);
    arena.k.normsSq(1, rows, dim, n, norms);
    arena.k.normsSq(1, q, dim, 1, qn);
    const qNorm = Math.sqrt(new Float64Array(arena.memory.buffer, qn, 1)[0]!);
    for (const [m, metric] of [[0, 'L2'], [1, 'IP'], [2, 'COSINE']] as const) {
      arena.k.scan(1, m, 0, q, rows, dim, 0, n, 0, norms, qNorm, out);
      const got: Float32Array = new Float32Array(arena.memory.buffer, out, n);
      for (let row = 0; row < n; row++) assert.equal(got[row], jsScore(metric, column, queries, 0, row), `f16 kind 1 ${metric} dim=${dim} row=${row}`);
    }
    for (const p of [rows, q, out, norms, qn]) arena.release(p);
  }
  const store = VectorStore.fromColumn(arena, randomColumn('float16Vector', 3, 4, r), 3);
  assert.ok(store.rows() instanceof Float32Array, 'float16 stores hold float32');
  store.release();
});

test('gather (four rows at a time) and offerListed (bounded) give the exact scores and the same top-k as a scan', { skip }, () => {
  if (arena === null) return;
  const r = rng(104);
  for (const kind of ['floatVector', 'float16Vector', 'bfloat16Vector', 'int8Vector'] as const) {
    for (const dim of [3, 4, 17, 128, 130]) {
      const n = 400;
      const column = randomColumn(kind, n, dim, r, [5, 6]);
      // Duplicate rows make exact ties the bound must not break.
      if (kind === 'floatVector') column.data.copyWithin(10 * dim, 11 * dim, 12 * dim);
      const queries = randomColumn(kind, 2, dim, r);
      const store = VectorStore.fromColumn(arena, column, n);
      const qb = store.query(queries.data);
      const ids = Int32Array.from({ length: 203 }, (_, i) => (i * 7) % n).sort();
      const full = new Float32Array(n), got = new Float32Array(ids.length);
      for (const metric of metricsOf(kind)) {
        for (let q = 0; q < 2; q++) {
          store.scan(metric, qb, full, { queryIndex: q });
          store.gather(metric, qb, ids, got, q);
          for (let i = 0; i < ids.length; i++) assert.ok(Object.is(got[i], full[ids[i]!]), `gather ${kind} ${metric} dim=${dim} row ${ids[i]}`);
        }
        for (const k of [1, 10, 57]) {
          const negate = metric !== 'L2';
          const heaps = new TopKHeaps(2, k);
          store.offerListed(metric, qb, ids, { heaps, filter: null, valid: null, window: null, negate });
          for (let q = 0; q < 2; q++) {
            store.scan(metric, qb, full, { queryIndex: q });
            const want = Array.from(ids).map((row) => ({ row, s: full[row]! }))
              .sort((a, b) => (negate ? b.s - a.s : a.s - b.s) || a.row - b.row).slice(0, k);
            const rows = new Int32Array(k), scores = new Float32Array(k);
            const count = heaps.drainSorted(q, rows, scores, 0, negate);
            assert.equal(count, Math.min(k, ids.length));
            assert.deepEqual(Array.from(rows.subarray(0, count)), want.map((w) => w.row), `offerListed ${kind} ${metric} dim=${dim} k=${k} q=${q}`);
            assert.deepEqual(Array.from(scores.subarray(0, count)), want.map((w) => w.s));
          }
        }
      }
      qb.free();
      store.release();
    }
  }
});
