import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Column } from '../../src/schema/column.js';
import type { MetricType } from '../../src/core/enums.js';
import { searchExact, type ExactSearchResult } from '../../src/index/flat.js';
import type { VectorKind } from '../../src/index/metrics.js';
import { assertMilvusError, refScore, refSearch, rng, type RefHits } from './helpers.js';
import { KIND_METRICS, copyRow, makeColumn } from './columns.js';

const asc = (m: MetricType): boolean => m === 'L2' || m === 'HAMMING' || m === 'JACCARD';

function dimFor(kind: VectorKind, variant: number): number {
  if (kind === 'binaryVector') return variant === 0 ? 24 : 64; // 3 bytes (byte kernel), 8 bytes (word kernel)
  if (kind === 'sparseVector') return 0;
  return variant === 0 ? 7 : 16;
}

function expectMatches(res: ExactSearchResult, q: number, ref: RefHits, metric: MetricType, what: string): void {
  const k = res.topK;
  const rows = Array.from(res.rows.subarray(q * k, (q + 1) * k));
  const scores = Array.from(res.scores.subarray(q * k, (q + 1) * k));
  const pad = asc(metric) ? Infinity : -Infinity;
  const wantRows = [...ref.rows, ...new Array<number>(k - ref.rows.length).fill(-1)];
  const wantScores = [...ref.scores, ...new Array<number>(k - ref.scores.length).fill(pad)];
  assert.equal(res.counts[q], ref.rows.length, `${what}: count`);
  assert.deepEqual(rows, wantRows, `${what}: rows`);
  assert.deepEqual(scores, wantScores, `${what}: scores`);
}

/** Range bounds taken from the query's own score distribution (so they hit real values). */
function pickRange(metric: MetricType, column: Column, queries: Column, n: number): { radius: number; rangeFilter?: number } {
  const all: number[] = [];
  for (let row = 0; row < n; row++) all.push(Math.fround(refScore(metric, column, queries, 0, row)));
  all.sort((a, b) => a - b);
  const at = (f: number): number => all[Math.floor(f * (all.length - 1))]!;
  if (asc(metric)) {
    const radius = at(0.6), rangeFilter = at(0.2);
    return rangeFilter < radius ? { radius, rangeFilter } : { radius };
  }
  const radius = at(0.3), rangeFilter = at(0.8);
  return rangeFilter > radius ? { radius, rangeFilter } : { radius };
}

test('searchExact equals a sort-everything reference for every kind and metric (filters, nulls, topK > n, nq > 1, range)', () => {
  const r = rng(11);
  for (const [kind, metric] of KIND_METRICS) {
    for (const variant of [0, 1]) {
      const dim = dimFor(kind, variant);
      const n = 57, nq = 3;
      const column = makeColumn(kind, n, dim, r);
      const queries = makeColumn(kind, nq, dim, r);
      // Null rows hold a copy of query 0 (the best possible match) so skipping them is observable.
      const valid = new Uint8Array(n).fill(1);
      for (const row of [3, 17, 40]) {
        valid[row] = 0;
        copyRow(column, row, queries, 0);
      }
      column.valid = valid;
      const filter = new Uint8Array(n);
      for (let i = 0; i < n; i++) filter[i] = r() < 0.7 ? 1 : 0;
      for (const topK of [1, 5, 100]) {
        for (const f of [null, filter]) {
          for (const range of [null, pickRange(metric, column, queries, n), pickRange(metric, column, queries, n).radius]) {
            const rp = typeof range === 'number' ? { radius: range } : range;
            const res = searchExact({ metric, column, numRows: n, queries, topK, filter: f, range: rp });
            assert.equal(res.nq, nq);
            for (let q = 0; q < nq; q++) {
              const ref = refSearch(metric, column, n, queries, q, topK, f, rp);
              expectMatches(res, q, ref, metric, `${kind}/${metric} dim=${dim} k=${topK} filter=${f !== null} range=${JSON.stringify(rp)} q=${q}`);
            }
          }
        }
      }
    }
  }
});

test('searchExact on random float data: scores match the float64 reference within float32 tolerance', () => {
  const r = rng(12);
  for (const kind of ['floatVector', 'float16Vector', 'bfloat16Vector'] as const) {
    for (const metric of ['L2', 'IP', 'COSINE'] as const) {
      const n = 300, dim = 37, nq = 4, topK = 10;
      const column = makeColumn(kind, n, dim, r, true);
      const queries = makeColumn(kind, nq, dim, r, true);
      const res = searchExact({ metric, column, numRows: n, queries, topK });
      for (let q = 0; q < nq; q++) {
        const ref = refSearch(metric, column, n, queries, q, topK, null, null);
        assert.equal(res.counts[q], topK);
        const seen = new Set<number>();
        for (let i = 0; i < topK; i++) {
          const row = res.rows[q * topK + i]!, s = res.scores[q * topK + i]!;
          const tol = 1e-5 * Math.max(1, Math.abs(s));
          assert.ok(!seen.has(row), 'rows are distinct');
          seen.add(row);
          assert.ok(Math.abs(s - refScore(metric, column, queries, q, row)) <= tol, `${kind}/${metric}: score is the row's metric`);
          assert.ok(Math.abs(s - ref.scores[i]!) <= tol, `${kind}/${metric}: i-th best score ${s} vs ${ref.scores[i]}`);
          if (i > 0) {
            const prev = res.scores[q * topK + i - 1]!;
            assert.ok(asc(metric) ? prev <= s : prev >= s, 'best first');
          }
        }
      }
    }
  }
});

test('multi-block dense scan (dim 1000, 150 rows) agrees with the reference for every dense kind', () => {
  const r = rng(13);
  for (const kind of ['floatVector', 'float16Vector', 'bfloat16Vector', 'int8Vector'] as const) {
    const n = 150, dim = 1000, nq = 2, topK = 20;
    const column = makeColumn(kind, n, dim, r);
    const queries = makeColumn(kind, nq, dim, r);
    for (const metric of ['L2', 'IP'] as const) {
      const res = searchExact({ metric, column, numRows: n, queries, topK });
      for (let q = 0; q < nq; q++) expectMatches(res, q, refSearch(metric, column, n, queries, q, topK, null, null), metric, `${kind}/${metric}`);
    }
  }
});

test('ties are broken by the smaller row offset, and numRows bounds the scan', () => {
  const dim = 4;
  const data = new Float32Array(10 * dim).fill(9);
  for (const row of [7, 2, 5]) data.set([1, 1, 1, 1], row * dim);
  const column: Column = { kind: 'floatVector', dim, data, valid: null };
  const queries: Column = { kind: 'floatVector', dim, data: Float32Array.from([1, 1, 1, 1]), valid: null };
  const l2 = searchExact({ metric: 'L2', column, numRows: 10, queries, topK: 4 });
  assert.deepEqual(Array.from(l2.rows), [2, 5, 7, 0]);
  assert.deepEqual(Array.from(l2.scores), [0, 0, 0, 256]);
  const ip = searchExact({ metric: 'IP', column, numRows: 6, queries, topK: 3 });
  assert.deepEqual(Array.from(ip.rows), [0, 1, 3]); // all rows of 9s score 36, rows 2/5 score 4
  assert.deepEqual(Array.from(ip.scores), [36, 36, 36]);
});

test('range search boundaries: L2 keeps rangeFilter <= d < radius, IP keeps radius < d <= rangeFilter', () => {
  const column: Column = { kind: 'floatVector', dim: 2, data: Float32Array.from([0, 0, 1, 0, 2, 0, 3, 0, 4, 0]), valid: null };
  const queries: Column = { kind: 'floatVector', dim: 2, data: Float32Array.from([0, 0]), valid: null };
  // L2 distances are 0, 1, 4, 9, 16
  const l2 = searchExact({ metric: 'L2', column, numRows: 5, queries, topK: 10, range: { radius: 9, rangeFilter: 1 } });
  assert.deepEqual(Array.from(l2.rows.subarray(0, l2.counts[0]!)), [1, 2]);
  const q1: Column = { kind: 'floatVector', dim: 2, data: Float32Array.from([1, 0]), valid: null };
  // IP scores are 0, 1, 2, 3, 4
  const ip = searchExact({ metric: 'IP', column, numRows: 5, queries: q1, topK: 10, range: { radius: 1, rangeFilter: 3 } });
  assert.deepEqual(Array.from(ip.rows.subarray(0, ip.counts[0]!)), [3, 2]);
  const ipOpen = searchExact({ metric: 'IP', column, numRows: 5, queries: q1, topK: 2, range: { radius: 0 } });
  assert.deepEqual(Array.from(ipOpen.rows), [4, 3]); // still capped by topK
});

test('searchExact rejects bad input with code 1100 naming the problem', () => {
  const column: Column = { kind: 'floatVector', dim: 4, data: new Float32Array(16), valid: null };
  const queries: Column = { kind: 'floatVector', dim: 4, data: new Float32Array(4), valid: null };
  assertMilvusError(() => searchExact({ metric: 'HAMMING', column, numRows: 4, queries, topK: 1 }), 1100, 'metric type not match', 'HAMMING');
  const bin: Column = { kind: 'binaryVector', dim: 8, data: new Uint8Array(4), valid: null };
  assertMilvusError(() => searchExact({ metric: 'L2', column: bin, numRows: 4, queries: bin, topK: 1 }), 1100, 'metric type not match', 'L2');
  const q3: Column = { kind: 'floatVector', dim: 3, data: new Float32Array(3), valid: null };
  assertMilvusError(() => searchExact({ metric: 'L2', column, numRows: 4, queries: q3, topK: 1 }), 1100, 'dimension');
  assertMilvusError(() => searchExact({ metric: 'L2', column, numRows: 4, queries: bin, topK: 1 }), 1100, 'vector type not match');
  assertMilvusError(() => searchExact({ metric: 'L2', column, numRows: 4, queries, topK: 0 }), 1100, 'topk');
  assertMilvusError(() => searchExact({ metric: 'L2', column, numRows: 4, queries, topK: 16385 }), 1100, 'topk');
  assertMilvusError(() => searchExact({ metric: 'L2', column, numRows: 4, queries, topK: 1, range: { radius: 1, rangeFilter: 2 } }), 1100, 'range_filter');
  assertMilvusError(() => searchExact({ metric: 'IP', column, numRows: 4, queries, topK: 1, range: { radius: 2, rangeFilter: 1 } }), 1100, 'range_filter');
  const scalar: Column = { kind: 'float', data: new Float32Array(4), valid: null };
  assertMilvusError(() => searchExact({ metric: 'L2', column: scalar, numRows: 4, queries, topK: 1 }), 1100, 'vector');
});

test('empty inputs: zero rows or all rows filtered give no hits; zero queries give an empty result', () => {
  const column: Column = { kind: 'floatVector', dim: 2, data: Float32Array.from([1, 2, 3, 4]), valid: null };
  const queries: Column = { kind: 'floatVector', dim: 2, data: Float32Array.from([1, 2]), valid: null };
  const none = searchExact({ metric: 'L2', column, numRows: 0, queries, topK: 3 });
  assert.deepEqual(Array.from(none.rows), [-1, -1, -1]);
  assert.equal(none.counts[0], 0);
  const filtered = searchExact({ metric: 'COSINE', column, numRows: 2, queries, topK: 2, filter: new Uint8Array(2) });
  assert.deepEqual(Array.from(filtered.scores), [-Infinity, -Infinity]);
  const noQ = searchExact({ metric: 'L2', column, numRows: 2, queries: { ...queries, data: new Float32Array(0) }, topK: 2 });
  assert.equal(noQ.nq, 0);
  assert.equal(noQ.rows.length, 0);
});

test('binary scan gives the same answer on unaligned data (byte kernel) as on aligned data (word kernel)', () => {
  const r = rng(14);
  const aligned = makeColumn('binaryVector', 200, 128, r);
  const queries = makeColumn('binaryVector', 2, 128, r);
  if (aligned.kind !== 'binaryVector') throw new Error('kind');
  const backing = new Uint8Array(aligned.data.length + 1);
  backing.set(aligned.data, 1);
  const unaligned: Column = { kind: 'binaryVector', dim: 128, data: backing.subarray(1), valid: null };
  for (const metric of ['HAMMING', 'JACCARD'] as const) {
    const a = searchExact({ metric, column: aligned, numRows: 200, queries, topK: 15 });
    const u = searchExact({ metric, column: unaligned, numRows: 200, queries, topK: 15 });
    assert.deepEqual(u, a);
    for (let q = 0; q < 2; q++) expectMatches(a, q, refSearch(metric, aligned, 200, queries, q, 15, null, null), metric, `binary 128 ${metric}`);
  }
  const bad: Column = { kind: 'binaryVector', dim: 12, data: new Uint8Array(3), valid: null };
  assertMilvusError(() => searchExact({ metric: 'HAMMING', column: bad, numRows: 1, queries: bad, topK: 1 }), 1100, 'multiple of 8');
});
