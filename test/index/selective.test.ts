/** A selective filter takes the allowed-rows path; its hits and scores equal a sort of every allowed row. */
import { seededRandom } from '../../src/core/random.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchExact } from '../../src/index/flat.js';
import { cosineF32, ipF32, l2SqF32, normSqF32 } from '../../src/index/kernels/dense.js';
import type { MetricType } from '../../src/core/enums.js';

const rng = seededRandom;

test('1% filters: exact hits and scores over the allowed rows only, for L2, IP and COSINE', () => {
  const rand = rng(5);
  const n = 20_000;
  const dim = 24;
  const data = new Float32Array(n * dim).map(() => rand() * 2 - 1);
  const nq = 3;
  const queries = new Float32Array(nq * dim).map(() => rand() * 2 - 1);
  // Word-aligned and unaligned filters take different loops; both must agree with the reference.
  const aligned = new Uint8Array(n);
  for (let i = 0; i < n; i++) aligned[i] = rand() < 0.01 ? 1 : 0;
  aligned[n - 1] = 1; // a row in the tail after the last whole word
  const unaligned = new Uint8Array(n + 3).subarray(1, n + 1);
  unaligned.set(aligned);
  for (const filter of [aligned, unaligned]) check(filter);
  function check(filter: Uint8Array): void {
  const f32 = new Float32Array(1);
  const allowed = [...filter.keys()].filter((i) => filter[i] === 1);
  for (const metric of ['L2', 'IP', 'COSINE'] as MetricType[]) {
    const r = searchExact({
      metric, column: { kind: 'floatVector', dim, data, valid: null }, numRows: n,
      queries: { kind: 'floatVector', dim, data: queries, valid: null }, topK: 10, filter,
    });
    for (let q = 0; q < nq; q++) {
      const qn = Math.sqrt(normSqF32(queries, q * dim, dim));
      const scored = allowed.map((row) => {
        f32[0] = metric === 'L2' ? l2SqF32(queries, q * dim, data, row * dim, dim)
          : metric === 'IP' ? ipF32(queries, q * dim, data, row * dim, dim) : cosineF32(queries, q * dim, qn, data, row * dim, dim);
        return { row, s: f32[0]! };
      });
      scored.sort((a, b) => (metric === 'L2' ? a.s - b.s : b.s - a.s) || a.row - b.row);
      const want = scored.slice(0, 10);
      assert.deepEqual(Array.from(r.rows.subarray(q * 10, q * 10 + 10)), want.map((w) => w.row), `${metric} q${q} rows`);
      assert.deepEqual(Array.from(r.scores.subarray(q * 10, q * 10 + 10)), want.map((w) => w.s), `${metric} q${q} scores`);
      assert.ok(want.every((w) => filter[w.row] === 1));
    }
  }
  }
});
