/**
 * IVF bench, printed not asserted: build time, recall@10 against FLAT and QPS at several nprobe on
 * 100k x 128 clustered float32 data (L2, nlist 128; IVF_PQ m 32). Takes minutes on a busy 2-core machine, so it
 * runs only with SEXTANT_IVF_BENCH=1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Column } from '../../src/schema/column.js';
import { searchExact, type ExactSearchResult } from '../../src/index/flat.js';
import { getIndexDescriptor, validateIndexParams, validateSearchParams } from '../../src/index/registry.js';
import { clustered } from './datasets.js';

const N = 100_000, DIM = 128, NQ = 200, TOP_K = 10;

function recallAt10(ann: ExactSearchResult, exact: ExactSearchResult): number {
  let hit = 0, want = 0;
  for (let q = 0; q < exact.nq; q++) {
    const truth = new Set(exact.rows.subarray(q * TOP_K, q * TOP_K + exact.counts[q]!));
    want += truth.size;
    for (let i = 0; i < ann.counts[q]!; i++) if (truth.has(ann.rows[q * TOP_K + i]!)) hit++;
  }
  return hit / want;
}

test('bench: IVF on 100k x 128 clustered, nlist 128, L2', { skip: process.env['SEXTANT_IVF_BENCH'] !== '1' }, () => {
  // 1024 Gaussians of std 0.5: in 128 dims a row's cluster-mates are nearly as far as other clusters'
  // centres (2 * 128 * 0.25 = 64 vs ~85), so recall depends on nprobe (std 0.2 gives 1.0 everywhere).
  const d = clustered(N, NQ, DIM, 2024, 1024, 0.5);
  const column: Column = { kind: 'floatVector', dim: DIM, data: d.data, valid: null };
  const queries: Column = { kind: 'floatVector', dim: DIM, data: d.queries, valid: null };
  const exact = searchExact({ metric: 'L2', column, numRows: N, queries, topK: TOP_K });
  const cases: [string, Record<string, string>][] = [['IVF_FLAT', {}], ['IVF_SQ8', {}], ['IVF_PQ', { m: '32' }]];
  for (const [name, params] of cases) {
    const desc = getIndexDescriptor(name);
    const spec = validateIndexParams(desc, 'floatVector', 'L2', { nlist: '128', ...params });
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const index = desc.build(column, N, spec);
    const buildCpuS = process.cpuUsage(c0).user / 1e6;
    const buildMs = performance.now() - t0;
    console.log(`bench ${name} ${JSON.stringify(spec.params)}: build ${(buildMs / 1000).toFixed(2)} s wall, ` +
      `${buildCpuS.toFixed(2)} s CPU, payload ${(index.serialize().length / 1e6).toFixed(1)} MB`);
    for (const nprobe of [8, 16, 32, 64]) {
      const sp = validateSearchParams(desc, { nprobe });
      const t1 = performance.now();
      const c1 = process.cpuUsage();
      const res = index.search({ queries, topK: TOP_K, params: sp });
      const cpuMs = process.cpuUsage(c1).user / 1000;
      const ms = performance.now() - t1;
      assert.equal(res.nq, NQ);
      // CPU-time QPS is the better number on a shared machine: wall time includes waiting for a core.
      console.log(`bench ${name} nprobe=${nprobe}: recall@10 ${recallAt10(res, exact).toFixed(4)}, ` +
        `${((NQ * 1000) / ms).toFixed(0)} QPS wall, ${((NQ * 1000) / cpuMs).toFixed(0)} QPS per CPU-second (nq=${NQ} batch, topK=10)`);
    }
  }
});
