/** Micro-benchmark, printed not asserted: exact search throughput on this machine. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Column } from '../../src/schema/column.js';
import type { MetricType } from '../../src/core/enums.js';
import { searchExact } from '../../src/index/flat.js';
import { encodeFloat16 } from '../../src/index/kernels/half.js';
import { rng } from './helpers.js';

const N = 100_000, DIM = 128;

function measure(label: string, metric: MetricType, column: Column, queries: Column, nq: number): void {
  const run = () => searchExact({ metric, column, numRows: N, queries, topK: 10 });
  for (let i = 0; i < 3; i++) run();
  const iters = 10;
  const t0 = process.hrtime.bigint();
  let hits = 0;
  for (let i = 0; i < iters; i++) hits += run().counts[0]!;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6 / iters;
  assert.equal(hits, iters * 10);
  console.log(`bench ${label}: ${ms.toFixed(2)} ms/search, ${((1000 / ms) * nq).toFixed(1)} QPS (${N} x ${DIM}, nq=${nq}, topK=10)`);
}

test('bench: exact search 100k x 128, topK=10', () => {
  const r = rng(99);
  const data = new Float32Array(N * DIM);
  for (let i = 0; i < data.length; i++) data[i] = r() * 2 - 1;
  const column: Column = { kind: 'floatVector', dim: DIM, data, valid: null };
  const q = (nq: number): Column => ({ kind: 'floatVector', dim: DIM, data: data.slice(0, nq * DIM).map((x) => x + 0.01), valid: null });
  measure('float32 L2', 'L2', column, q(1), 1);
  measure('float32 IP', 'IP', column, q(1), 1);
  measure('float32 COSINE', 'COSINE', column, q(1), 1);
  measure('float32 L2 nq=8', 'L2', column, q(8), 8);
  const half = new Uint16Array(N * DIM);
  for (let i = 0; i < half.length; i++) half[i] = encodeFloat16(data[i]!);
  const hcol: Column = { kind: 'float16Vector', dim: DIM, data: half, valid: null };
  measure('float16 L2', 'L2', hcol, { kind: 'float16Vector', dim: DIM, data: half.slice(0, DIM), valid: null }, 1);
});
