/**
 * SPARSE_INVERTED_INDEX against searchExact (the merge kernel) on the same rows: identical hits and
 * scores, in wasm and in JS, filtered, with NULL and empty rows, range search, drop ratios, and
 * after a serialise / deserialise round trip; a corrupt payload is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { searchExact } from '../../src/index/flat.js';
import { SPARSE_INVERTED_INDEX, SparseInvertedIndex } from '../../src/index/impl/sparse.js';
import type { Column } from '../../src/schema/column.js';
import type { SparseVector } from '../../src/schema/types.js';
import type { ExactSearchResult } from '../../src/index/flat.js';
import { rng } from './helpers.js';

type SparseColumn = Extract<Column, { kind: 'sparseVector' }>;

function randomSparse(r: () => number, dims: number, maxNnz: number, coarse = true): SparseVector {
  const set = new Set<number>();
  const nnz = Math.floor(r() * (maxNnz + 1));
  while (set.size < nnz) set.add(Math.floor(r() * dims));
  const indices = Uint32Array.from([...set].sort((a, b) => a - b));
  // Coarse values make exact ties between rows likely.
  const values = Float32Array.from(indices, () => (coarse ? Math.round((r() * 2 - 1) * 8) / 4 : r() * 2 - 1));
  return { indices, values };
}

function column(n: number, r: () => number, withNulls: boolean, coarse = true): SparseColumn {
  const data = Array.from({ length: n }, () => randomSparse(r, 300, 12, coarse));
  const valid = withNulls ? Uint8Array.from({ length: n }, () => (r() < 0.9 ? 1 : 0)) : null;
  if (valid !== null) for (let i = 0; i < n; i++) if (valid[i] === 0) data[i] = { indices: new Uint32Array(0), values: new Float32Array(0) };
  return { kind: 'sparseVector', data, valid };
}

function same(got: ExactSearchResult, want: ExactSearchResult, what: string): void {
  assert.deepEqual(Array.from(got.counts), Array.from(want.counts), `${what}: counts`);
  assert.deepEqual(Array.from(got.rows), Array.from(want.rows), `${what}: rows`);
  assert.deepEqual(Array.from(got.scores), Array.from(want.scores), `${what}: scores`);
}

test('the inverted index answers exactly like searchExact (wasm and JS, filters, NULL rows, k > n, range, round trip)', () => {
  const r = rng(77);
  for (const [n, withNulls] of [[0, false], [7, true], [2000, false], [5000, true]] as const) {
    const col = column(n, r, withNulls);
    const queries: SparseColumn = { kind: 'sparseVector', valid: null, data: Array.from({ length: 6 }, () => randomSparse(r, 320, 20)) };
    queries.data.push({ indices: new Uint32Array(0), values: new Float32Array(0) }); // an empty query: every row scores 0
    const spec = { metric: 'IP' as const, params: {} };
    const wasm = new SparseInvertedIndex('SPARSE_INVERTED_INDEX', col, n, spec, null);
    const js = new SparseInvertedIndex('SPARSE_INVERTED_INDEX', col, n, spec, null, { wasm: false });
    const loaded = SPARSE_INVERTED_INDEX.deserialize(wasm.serialize(), col, n, spec);
    const filter = Uint8Array.from({ length: n }, () => (r() < 0.3 ? 1 : 0));
    for (const [topK, f, range] of [[10, null, null], [n + 5, null, null], [25, filter, null], [50, null, { radius: 0.5, rangeFilter: 4 }]] as const) {
      const want = searchExact({ metric: 'IP', column: col, numRows: n, queries, topK, filter: f, range });
      for (const [name, index] of [['wasm', wasm], ['js', js], ['deserialized', loaded]] as const) {
        same(index.search({ queries, topK, filter: f, range }), want, `n=${n} ${name} topK=${topK} filter=${f !== null} range=${range !== null}`);
      }
    }
  }
});

test('drop_ratio_build / drop_ratio_search prune as before; a payload for another row count or with bad offsets is refused', () => {
  const r = rng(78);
  const n = 1500;
  const col = column(n, r, false, false);
  const queries: SparseColumn = { kind: 'sparseVector', valid: null, data: Array.from({ length: 4 }, () => randomSparse(r, 300, 30, false)) };
  const index = SPARSE_INVERTED_INDEX.build(col, n, { metric: 'IP', params: { drop_ratio_build: 0.3 } });
  const full = SPARSE_INVERTED_INDEX.build(col, n, { metric: 'IP', params: {} });
  const a = index.search({ queries, topK: 10 }), b = full.search({ queries, topK: 10 });
  assert.notDeepEqual(Array.from(a.scores), Array.from(b.scores), 'pruned values change scores');
  const pruned = full.search({ queries, topK: 10, params: { drop_ratio_search: 0.5 } });
  assert.notDeepEqual(Array.from(pruned.scores), Array.from(b.scores), 'pruned queries change scores');
  const payload = index.serialize();
  assert.throws(() => SPARSE_INVERTED_INDEX.deserialize(payload, column(n + 1, r, false), n + 1, { metric: 'IP', params: {} }), /rows/);
  const bad = payload.slice();
  new DataView(bad.buffer).setUint32(16 + 4 * new DataView(bad.buffer).getUint32(8, true), 7, true); // offsets[0] != 0
  assert.throws(() => SPARSE_INVERTED_INDEX.deserialize(bad, col, n, { metric: 'IP', params: {} }), /offsets/);
});
