/**
 * Index builds' k-means on the build threads (asm/kmeans.ts, ivf/kmeans-threads.ts): an IVF index is
 * the same bytes on 1 and 2 threads (rows are assigned by whichever thread takes them), and DISKANN's
 * PQ codes are the same on 1 and 2 threads and the nearest code words (the JS encoder's up to float32
 * rounding).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Column } from '../../src/schema/column.js';
import type { MetricType } from '../../src/core/enums.js';
import { getIndexDescriptor, validateIndexParams } from '../../src/index/registry.js';
import { chunkOffsets, encodeRow, PQ_CODE_WORDS, trainChunkedPq } from '../../src/index/impl/diskann/pq.js';
import { encodePqRows } from '../../src/index/impl/diskann/pq-encode.js';
import { PARALLEL_MIN_WORK } from '../../src/index/impl/ivf/assign.js';
import { clustered } from './datasets.js';

/** Enough rows that training and assignment pass PARALLEL_MIN_WORK (helpers really start). */
const N = 50_000, DIM = 64, NLIST = 200;

test('IVF_FLAT / IVF_SQ8 (L2, COSINE): the same index bytes on 1 and 2 build threads', () => {
  assert.ok(NLIST * DIM * N >= PARALLEL_MIN_WORK, 'the 2-thread build uses a helper');
  const d = clustered(N, 1, DIM, 11, 50, 0.35);
  const column: Column = { kind: 'floatVector', dim: DIM, data: d.data, valid: null };
  for (const name of ['IVF_FLAT', 'IVF_SQ8']) {
    for (const metric of ['L2', 'COSINE'] as MetricType[]) {
      const desc = getIndexDescriptor(name);
      const spec = validateIndexParams(desc, 'floatVector', metric, { nlist: String(NLIST) });
      const one = desc.build(column, N, { ...spec, threads: 1 }).serialize();
      const two = desc.build(column, N, { ...spec, threads: 2 }).serialize();
      assert.ok(Buffer.from(one).equals(Buffer.from(two)), `${name} ${metric}: same bytes`);
    }
  }
});

test('DISKANN PQ codes: the same on 1 and 2 threads, a nearest code word for every chunk', () => {
  const n = 40_000, dim = 64, m = 16;
  const x = clustered(n, 1, dim, 5, 50, 0.35).data;
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const pq = trainChunkedPq(x, dim, rows, m);
  const one = new Uint8Array(n * m), two = new Uint8Array(n * m);
  encodePqRows(pq, x, rows, one, 1);
  encodePqRows(pq, x, rows, two, 2);
  assert.ok(Buffer.from(one).equals(Buffer.from(two)), 'same codes on 2 threads');
  const offsets = chunkOffsets(dim, m), ref = new Uint8Array(n * m);
  let same = 0;
  for (let r = 0; r < n; r++) {
    encodeRow(pq, x, r, ref);
    for (let j = 0; j < m; j++) {
      const got = one[r * m + j]!, want = ref[r * m + j]!;
      if (got === want) { same++; continue; }
      const lo = offsets[j]!, w = offsets[j + 1]! - lo;
      const dist = (c: number): number => {
        let s = 0;
        for (let i = 0; i < w; i++) s += (x[r * dim + lo + i]! - pq.centroids[PQ_CODE_WORDS * lo + c * w + i]!) ** 2;
        return s;
      };
      assert.ok(dist(got) - dist(want) <= 1e-4, `row ${r} chunk ${j}: code ${got} (${dist(got)}) vs nearest ${want} (${dist(want)})`);
    }
  }
  assert.ok(same >= n * m * 0.99, `${same} of ${n * m} codes are the JS encoder's`);
});
