import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricType } from '../../src/core/enums.js';
import { mergeTopK, searchExact, type ExactSearchResult } from '../../src/index/flat.js';
import { makeColumn } from './columns.js';
import { rng } from './helpers.js';

interface Hit { segment: number; row: number; score: number }

function globalSort(parts: { result: ExactSearchResult; segmentIndex: number }[], q: number, metric: MetricType, topK: number): Hit[] {
  const hits: Hit[] = [];
  for (const { result, segmentIndex } of parts) {
    for (let i = 0; i < result.counts[q]!; i++) {
      hits.push({ segment: segmentIndex, row: result.rows[q * result.topK + i]!, score: result.scores[q * result.topK + i]! });
    }
  }
  const asc = metric === 'L2' || metric === 'HAMMING' || metric === 'JACCARD';
  hits.sort((a, b) => (a.score !== b.score ? (asc ? a.score - b.score : b.score - a.score) : a.segment - b.segment || a.row - b.row));
  return hits.slice(0, topK);
}

test('mergeTopK equals a global sort of all per-segment hits (ties by segment, then row)', () => {
  const r = rng(21);
  for (const [kind, metric, dim] of [['floatVector', 'L2', 5], ['int8Vector', 'COSINE', 3], ['binaryVector', 'HAMMING', 16], ['sparseVector', 'IP', 0]] as const) {
    const nq = 3, segTopK = 6;
    const queries = makeColumn(kind, nq, dim, r);
    const parts = [];
    for (const [segmentIndex, n] of [[4, 30], [0, 3], [7, 0], [2, 25]] as const) {
      const column = makeColumn(kind, n, dim, r);
      parts.push({ segmentIndex, result: searchExact({ metric, column, numRows: n, queries, topK: segTopK }) });
    }
    for (const topK of [1, 8, 40]) {
      const merged = mergeTopK(parts, metric, topK);
      assert.equal(merged.nq, nq);
      for (let q = 0; q < nq; q++) {
        const want = globalSort(parts, q, metric, topK);
        assert.equal(merged.counts[q], want.length);
        for (let i = 0; i < topK; i++) {
          const at = q * topK + i;
          const w = want[i];
          assert.deepEqual(
            [merged.segment[at], merged.rows[at], merged.scores[at]],
            w === undefined ? [-1, -1, metric === 'HAMMING' || metric === 'L2' ? Infinity : -Infinity] : [w.segment, w.row, w.score],
            `${kind}/${metric} topK=${topK} q=${q} i=${i}`,
          );
        }
      }
    }
  }
});

test('mergeTopK with no parts yields empty per-query slots', () => {
  const merged = mergeTopK([], 'IP', 2, 2);
  assert.deepEqual(Array.from(merged.rows), [-1, -1, -1, -1]);
  assert.deepEqual(Array.from(merged.counts), [0, 0]);
});
