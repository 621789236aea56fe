/**
 * SCANN and IVF_RABITQ against exact search (recall of the reorder / refine step and of the codes
 * alone, every dense metric), their parameters and refusals, save / load, memory accounting; and the
 * k-means assignment kernel against the JS loop it replaced.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Column } from '../../src/schema/column.js';
import type { MetricType } from '../../src/core/enums.js';
import { searchExact, type ExactSearchResult } from '../../src/index/flat.js';
import type { VectorIndex } from '../../src/index/descriptor.js';
import { getIndexDescriptor, validateIndexParams, validateSearchParams } from '../../src/index/registry.js';
import { MemoryTally } from '../../src/index/memory.js';
import { CentroidAssigner, nearestCentroid } from '../../src/index/impl/ivf/assign.js';
import { defaultArena } from '../../src/index/wasm/index.js';
import { assertMilvusError, refScore, rng } from './helpers.js';
import { clustered } from './datasets.js';

const N = 4000, DIM = 32, NQ = 40, K = 10;
const METRICS: readonly MetricType[] = ['L2', 'IP', 'COSINE'];

function data(seed: number): { column: Column; queries: Column } {
  const d = clustered(N, NQ, DIM, seed, 64, 0.35);
  return { column: { kind: 'floatVector', dim: DIM, data: d.data, valid: null }, queries: { kind: 'floatVector', dim: DIM, data: d.queries, valid: null } };
}

function build(name: string, column: Column, metric: MetricType, params: Record<string, string>): VectorIndex {
  const desc = getIndexDescriptor(name);
  return desc.build(column, N, validateIndexParams(desc, 'floatVector', metric, params));
}

function search(index: VectorIndex, queries: Column, params: Record<string, unknown>): ExactSearchResult {
  return index.search({ queries, topK: K, params: validateSearchParams(getIndexDescriptor(index.indexType), params) });
}

function recall(got: ExactSearchResult, want: ExactSearchResult): number {
  let hit = 0, all = 0;
  for (let q = 0; q < want.nq; q++) {
    const truth = new Set(want.rows.subarray(q * K, q * K + want.counts[q]!));
    all += truth.size;
    for (let i = 0; i < got.counts[q]!; i++) if (truth.has(got.rows[q * K + i]!)) hit++;
  }
  return hit / all;
}

function assertExactScores(res: ExactSearchResult, metric: MetricType, column: Column, queries: Column, what: string): void {
  for (let q = 0; q < res.nq; q++) {
    for (let i = 0; i < res.counts[q]!; i++) {
      const want = refScore(metric, column, queries, q, res.rows[q * K + i]!);
      assert.ok(Math.abs(res.scores[q * K + i]! - want) <= 1e-4 * Math.max(1, Math.abs(want)), `${what}: q${q} score`);
    }
  }
}

test('SCANN: the reorder step lifts the 4-bit PQ recall and returns exact scores (L2, IP, COSINE)', (t) => {
  const { column, queries } = data(11);
  for (const metric of METRICS) {
    const exact = searchExact({ metric, column, numRows: N, queries, topK: K });
    const withRaw = build('SCANN', column, metric, { nlist: '32' });
    const noRaw = build('SCANN', column, metric, { nlist: '32', with_raw_data: 'false' });
    const reordered = search(withRaw, queries, { nprobe: 8, reorder_k: 100 });
    const pqOnly = search(noRaw, queries, { nprobe: 8 });
    const r1 = recall(reordered, exact), r0 = recall(pqOnly, exact);
    t.diagnostic(`SCANN ${metric}: recall@10 reorder_k 100 ${r1.toFixed(3)}, PQ codes only ${r0.toFixed(3)}`);
    assert.ok(r1 >= 0.9, `${metric}: reorder recall ${r1}`);
    assert.ok(r1 > r0, `${metric}: reorder ${r1} vs codes ${r0}`);
    assert.ok(r0 >= 0.3, `${metric}: codes recall ${r0}`); // one bit per dimension at dim 32: refine is what reaches 0.9
    assertExactScores(reordered, metric, column, queries, `SCANN ${metric}`);
  }
});

test('SCANN: reorder_k below k and an odd dimension are refused', () => {
  const { column, queries } = data(12);
  const ix = build('SCANN', column, 'L2', { nlist: '16' });
  assertMilvusError(() => search(ix, queries, { reorder_k: 5 }), 1100, 'reorder_k');
  const odd: Column = { kind: 'floatVector', dim: 5, data: new Float32Array(5 * 2000).map((_, i) => Math.sin(i)), valid: null };
  const desc = getIndexDescriptor('SCANN');
  assertMilvusError(() => desc.build(odd, 2000, validateIndexParams(desc, 'floatVector', 'L2', {})), 1100, 'dimension');
  assertMilvusError(() => validateIndexParams(desc, 'int8Vector', 'L2', {}), 1100, 'SCANN');
});

test('IVF_RABITQ: estimates from the bit codes, refine with every refine_type, rbq_query_bits (L2, IP, COSINE)', (t) => {
  const { column, queries } = data(13);
  for (const metric of METRICS) {
    const exact = searchExact({ metric, column, numRows: N, queries, topK: K });
    const plain = build('IVF_RABITQ', column, metric, { nlist: '32' });
    const r0 = recall(search(plain, queries, { nprobe: 8 }), exact);
    const r6 = recall(search(plain, queries, { nprobe: 8, rbq_query_bits: 6 }), exact);
    t.diagnostic(`IVF_RABITQ ${metric}: recall@10 codes only ${r0.toFixed(3)}, rbq_query_bits 6 ${r6.toFixed(3)}`);
    assert.ok(r0 >= 0.3, `${metric}: codes recall ${r0}`); // one bit per dimension at dim 32: refine is what reaches 0.9
    assert.ok(r6 >= r0 - 0.1, `${metric}: 6-bit query recall ${r6} vs ${r0}`);
    for (const type of ['FP32', 'SQ8', 'SQ6', 'FP16', 'BF16']) {
      const ix = build('IVF_RABITQ', column, metric, { nlist: '32', refine: 'true', refine_type: type });
      const res = search(ix, queries, { nprobe: 8, refine_k: 4 });
      const r = recall(res, exact);
      t.diagnostic(`IVF_RABITQ ${metric} refine ${type} refine_k 4: recall@10 ${r.toFixed(3)}`);
      assert.ok(r >= 0.85 && r > r0, `${metric} refine ${type}: ${r} (codes only ${r0})`);
      if (type === 'FP32') assertExactScores(res, metric, column, queries, `IVF_RABITQ ${metric} FP32`);
    }
  }
});

test('SCANN / IVF_RABITQ: a saved index loads to the same hits and scores; a damaged one is refused; memory counts the codes', () => {
  const { column, queries } = data(14);
  const cases: [string, Record<string, string>, Record<string, unknown>][] = [
    ['SCANN', { nlist: '16' }, { nprobe: 4, reorder_k: 30 }],
    ['SCANN', { nlist: '16', with_raw_data: 'false' }, { nprobe: 4 }],
    ['IVF_RABITQ', { nlist: '16' }, { nprobe: 4 }],
    ['IVF_RABITQ', { nlist: '16', refine: 'true', refine_type: 'SQ8' }, { nprobe: 4, refine_k: 3 }],
  ];
  for (const metric of METRICS) {
    for (const [name, params, sp] of cases) {
      const desc = getIndexDescriptor(name);
      const spec = validateIndexParams(desc, 'floatVector', metric, params);
      const ix = desc.build(column, N, spec);
      const payload = ix.serialize();
      const loaded = desc.deserialize(payload, column, N, spec);
      assert.deepEqual(search(loaded, queries, sp), search(ix, queries, sp), `${name} ${metric} ${JSON.stringify(params)}`);
      const bad = payload.slice();
      bad[bad.length >> 1] = bad[bad.length >> 1]! ^ 0x40;
      assert.throws(() => desc.deserialize(bad, column, N, spec), /corrupt|checksum/);
      const tally = new MemoryTally();
      loaded.countMemory(tally);
      assert.ok(tally.bytes >= payload.length * 0.5, `${name}: memory ${tally.bytes} for a ${payload.length}-byte payload`);
    }
  }
});

test('k-means assignment on the wasm kernel picks a nearest centroid (within float32 rounding of the JS loop), the same on 1 and 2 threads', () => {
  if (process.env['SEXTANT_WASM'] !== 'off') assert.ok(defaultArena() !== null, 'wasm kernels available');
  const r = rng(7);
  for (const [n, dim, k, ip] of [[3001, 33, 40, false], [2002, 16, 7, true], [503, 3, 300, false], [40_000, 64, 129, false]] as const) {
    const x = new Float32Array(n * dim).map(() => r() * 2 - 1);
    const centroids = new Float32Array(k * dim).map(() => r() * 2 - 1);
    const outs: Int32Array[] = [];
    for (const threads of [1, 2]) {
      const got = new Int32Array(n).fill(-1);
      const assigner = new CentroidAssigner(k, dim, ip, { blockRows: n, threads });
      try {
        assigner.block.set(x);
        assigner.setCentroids(centroids);
        assert.equal(assigner.assign(n, got, 0), n);
        assert.equal(assigner.assign(n, got, 0), 0, 'unchanged on a second pass');
      } finally {
        assigner.close();
      }
      outs.push(got);
    }
    assert.deepEqual(outs[1], outs[0], `same lists on 2 threads (n ${n}, dim ${dim}, k ${k})`);
    const got = outs[0]!;
    let same = 0;
    for (let i = 0; i < n; i++) {
      const want = nearestCentroid(x, i * dim, centroids, k, dim, ip);
      if (got[i] === want) { same++; continue; }
      const key = (c: number): number => {
        let s = 0;
        for (let d = 0; d < dim; d++) s += ip ? -x[i * dim + d]! * centroids[c * dim + d]! : (x[i * dim + d]! - centroids[c * dim + d]!) ** 2;
        return s;
      };
      assert.ok(key(got[i]!) - key(want) <= 1e-4 * dim, `row ${i}: centroid ${got[i]} (key ${key(got[i]!)}) vs nearest ${want} (${key(want)})`);
    }
    assert.ok(same >= n * 0.99, `${same} of ${n} rows on the JS loop's centroid`);
  }
});
