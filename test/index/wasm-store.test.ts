/** The arena allocator (alloc / free / coalescing / growth / limit) and VectorStore lifetime. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusError } from '../../src/core/errors.js';
import { WasmArena, ALIGN_BYTES } from '../../src/index/wasm/arena.js';
import { VectorStore } from '../../src/index/wasm/store.js';
import { zeroShared } from '../../src/index/wasm/zero.js';
import { rng } from './helpers.js';
import { randomColumn } from './wasm-helpers.js';

/** SEXTANT_WASM=off forces the JS kernels; then there is nothing here to test. */
const skip = process.env['SEXTANT_WASM'] === 'off' ? 'SEXTANT_WASM=off' : false;

const PAGE = 65536;

test('alloc returns aligned, disjoint ranges; freeing everything coalesces back to one free range', { skip }, () => {
  const a = WasmArena.create(4);
  if (a === null) return;
  const r = rng(201);
  const live: { ptr: number; size: number }[] = [];
  for (let i = 0; i < 200; i++) {
    if (live.length > 0 && r() < 0.4) {
      const [x] = live.splice(Math.floor(r() * live.length), 1);
      a.release(x!.ptr);
    } else {
      const size = 1 + Math.floor(r() * 5000);
      const ptr = a.alloc(size);
      assert.equal(ptr % ALIGN_BYTES, 0);
      assert.ok(ptr >= PAGE, 'page 0 is never handed out');
      for (const o of live) assert.ok(ptr + size <= o.ptr || o.ptr + o.size <= ptr, 'ranges are disjoint');
      live.push({ ptr, size });
    }
  }
  for (const x of live) a.release(x.ptr);
  assert.equal(a.usedBytes, 0);
  assert.equal(a.freeRanges, 1);
  assert.throws(() => a.release(PAGE), /release of a live allocation/);
});

test('zero clears exactly the bytes asked for, at every alignment of both ends', { skip }, () => {
  const a = WasmArena.create(4);
  if (a === null) return;
  const r = rng(202);
  const ptr = a.alloc(256);
  for (let i = 0; i < 500; i++) {
    a.u8.fill(0xab, ptr, ptr + 256);
    const from = Math.floor(r() * 200), to = from + Math.floor(r() * (256 - from));
    a.zero(ptr + from, to - from);
    for (let b = 0; b < 256; b++) {
      const want = b >= from && b < to ? 0 : 0xab;
      if (a.u8[ptr + b] !== want) assert.fail(`zero(${from}, ${to - from}): byte ${b} is ${a.u8[ptr + b]}, want ${want}`);
    }
  }
});

test('the arena grows on demand, keeps earlier contents, and refuses past its maximum with code 3', { skip }, () => {
  const a = WasmArena.create(2, 40);
  if (a === null) return;
  const first = a.alloc(1000);
  a.u8.fill(7, first, first + 1000);
  assert.equal(a.sizeBytes, 2 * PAGE);
  const big = a.alloc(20 * PAGE);
  assert.ok(a.sizeBytes >= 21 * PAGE, 'memory grew');
  assert.equal(a.u8[first + 999], 7, 'contents survive growth');
  a.u8[big + 20 * PAGE - 1] = 9; // the fresh view reaches the new end
  assert.equal(a.u8[big + 20 * PAGE - 1], 9);
  assert.throws(() => a.alloc(30 * PAGE), (e: unknown) => e instanceof MilvusError && e.code === 3);
  a.release(big);
  const again = a.alloc(30 * PAGE - PAGE * 3); // reuses the freed range plus the tail
  assert.ok(again > 0);
});

test('a store copies its rows once and frees them on release; release while pinned waits for unpin', { skip }, () => {
  const a = WasmArena.create();
  if (a === null) return;
  const column = randomColumn('floatVector', 1000, 32, rng(202));
  const base = a.usedBytes;
  const store = VectorStore.fromColumn(a, column, 1000);
  assert.ok(a.usedBytes >= base + 1000 * 32 * 4);
  column.data[0] = 12345; // the store holds a copy
  assert.notEqual((store.rows() as Float32Array)[0], 12345);
  store.norms();
  store.pin();
  store.release();
  assert.ok(a.usedBytes > base, 'pinned store keeps its memory');
  assert.throws(() => store.pin(), /after release/);
  store.unpin();
  assert.equal(a.usedBytes, base, 'rows and norms freed');
  store.release(); // idempotent
  assert.equal(a.usedBytes, base);
});

test('a store rejects a metric its kind does not support with 1100', { skip }, () => {
  const a = WasmArena.create();
  if (a === null) return;
  const store = VectorStore.fromColumn(a, randomColumn('binaryVector', 4, 16, rng(203)), 4);
  const q = store.query(new Uint8Array(2));
  assert.throws(() => store.scan('L2', q, new Float32Array(4)), (e: unknown) => e instanceof MilvusError && e.code === 1100);
  q.free();
  store.release();
});

test('zero past 2 GiB clears exactly its bytes and nothing below (offsets are not int32)', { skip }, () => {
  const buffer = new SharedArrayBuffer(2 ** 31 + 4 * PAGE);
  const u8 = new Uint8Array(buffer), f64 = new Float64Array(buffer);
  const high = 2 ** 31 + 3 * PAGE;
  for (const at of [0, 4096, 2 ** 31 - 8, high - 1, high + 1001]) u8[at] = 0xab;
  u8.fill(0xcd, high, high + 1001);
  zeroShared(u8, f64, high, high + 1001);
  for (let b = high; b < high + 1001; b++) if (u8[b] !== 0) assert.fail(`byte ${b} was not zeroed`);
  for (const at of [0, 4096, 2 ** 31 - 8, high - 1, high + 1001]) assert.equal(u8[at], 0xab, `byte ${at} outside the range kept`);
  u8.fill(0xcd, high + 3, high + 21);
  zeroShared(u8, f64, high + 5, high + 19);
  assert.deepEqual([...u8.subarray(high + 3, high + 21)], [0xcd, 0xcd, ...new Array<number>(14).fill(0), 0xcd, 0xcd]);
});

test('extend copies (float16: decodes) just the new rows: the store then equals one made whole; refused past the capacity or while pinned', () => {
  const a = WasmArena.create();
  if (a === null) return;
  for (const kind of ['floatVector', 'float16Vector', 'int8Vector'] as const) {
    const dim = 24, n = 300;
    const column = randomColumn(kind, n, dim, rng(41));
    const grown = VectorStore.fromColumn(a, column, 100, 250);
    assert.ok(grown.extend(column, 180), kind);
    assert.ok(grown.extend(column, 250));
    const whole = VectorStore.fromColumn(a, column, 250);
    assert.equal(grown.numRows, 250);
    assert.deepEqual(grown.rows(), whole.rows(), `${kind}: rows extended in place equal a fresh copy`);
    assert.equal(grown.extend(column, 251), false, 'past the capacity');
    grown.pin();
    assert.equal(grown.extend(column, 240), true, 'no new rows: nothing to do');
    grown.unpin();
    const small = VectorStore.fromColumn(a, column, 10, 20);
    small.pin();
    assert.equal(small.extend(column, 20), false, 'not while tasks read it');
    small.unpin();
    for (const s of [grown, whole, small]) s.release();
  }
});
