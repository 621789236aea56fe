/** Unit tests of the IVF family's parts: k-means / k-majority, lists, PQ / SQ8 codes, params, payloads, probing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Column } from '../../src/schema/column.js';
import type { MetricType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import { searchExact, type ExactSearchResult } from '../../src/index/flat.js';
import type { VectorIndex } from '../../src/index/descriptor.js';
import { getIndexDescriptor, validateIndexParams, validateSearchParams } from '../../src/index/registry.js';
import { splitIntoEmpty, trainKMeans } from '../../src/index/impl/ivf/kmeans.js';
import { trainKModes } from '../../src/index/impl/ivf/kmodes.js';
import { pqCode, pqDecode, pqEncode, trainPq } from '../../src/index/impl/ivf/pq.js';
import { sq8Decode } from '../../src/index/impl/ivf/ivf-sq8.js';
import { BinIvfFlatIndex, IvfFlatIndex, IvfPqIndex, IvfSq8Index } from '../../src/index/impl/ivf/index.js';
import { seededRandom } from '../../src/index/impl/ivf/tuning.js';
import { crc32c } from '../../src/core/crc32c.js';
import { assertMilvusError, refScore, rng } from './helpers.js';
import { KIND_METRICS, makeColumn } from './columns.js';
import { clustered, denseColumn, gaussian } from './datasets.js';
import { makeResident } from '../../src/index/wasm/resident.js';
import { residentArena } from '../../src/index/wasm/exact.js';
import type { WasmColumn } from '../../src/index/wasm/store.js';

function build(name: string, column: Column, numRows: number, metric: MetricType, params: Record<string, string> = {}): VectorIndex {
  const desc = getIndexDescriptor(name);
  const kind = column.kind as Parameters<typeof validateIndexParams>[1];
  return desc.build(column, numRows, validateIndexParams(desc, kind, metric, params));
}

function sqDist(a: Float32Array, aOff: number, b: Float32Array, bOff: number, dim: number): number {
  let s = 0;
  for (let i = 0; i < dim; i++) s += (a[aOff + i]! - b[bOff + i]!) ** 2;
  return s;
}

/** Well-separated Gaussian blobs: `k` centres in [-10, 10]^dim, std 0.1. */
function blobs(n: number, dim: number, k: number, seed: number): { x: Float32Array; centres: Float32Array } {
  const r = rng(seed);
  const centres = new Float32Array(k * dim).map(() => r() * 20 - 10);
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    for (let d = 0; d < dim; d++) x[i * dim + d] = centres[c * dim + d]! + 0.1 * gaussian(r);
  }
  return { x, centres };
}

test('k-means: deterministic for a seed, puts a centroid on every well-separated cluster', () => {
  const dim = 8, k = 8, n = 2000;
  const { x, centres } = blobs(n, dim, k, 1);
  const opts = { k, iterations: 20, ip: false, spherical: false };
  const a = trainKMeans(x, n, dim, { ...opts, random: seededRandom(42) });
  const b = trainKMeans(x, n, dim, { ...opts, random: seededRandom(42) });
  assert.deepEqual(a, b, 'same seed, same centroids');
  for (let c = 0; c < k; c++) {
    let best = Infinity;
    for (let t = 0; t < k; t++) best = Math.min(best, sqDist(centres, c * dim, a, t * dim, dim));
    assert.ok(best < 0.01, `true centre ${c} has a centroid within 0.1 (squared distance ${best})`);
  }
});

test('k-means: empty clusters are repaired by splitting the largest; duplicate-heavy data ends with distinct centroids', () => {
  const dim = 2;
  const centroids = new Float32Array([1, 2, 0, 0, 5, 5, 0, 0]);
  const sizes = new Int32Array([10, 0, 4, 0]);
  assert.equal(splitIntoEmpty(centroids, sizes, 4, dim), 2);
  assert.ok(sizes.every((s) => s > 0), `sizes ${Array.from(sizes)}`);
  assert.equal(sizes.reduce((s, v) => s + v, 0), 14, 'no point lost or invented');
  assert.ok(sqDist(centroids, 0, centroids, 2, dim) > 0 && sqDist(centroids, 0, centroids, 2, dim) < 1e-3, 'split halves are close but distinct');

  // 400 points, only 4 distinct values: 4 clusters must land exactly on them.
  const pts = [[0, 0], [10, 0], [0, 10], [10, 10]];
  const x = new Float32Array(400 * dim);
  for (let i = 0; i < 400; i++) x.set(pts[i % 4]!, i * dim);
  const c = trainKMeans(x, 400, dim, { k: 4, iterations: 10, random: seededRandom(3), ip: false, spherical: false });
  const got = [0, 1, 2, 3].map((i) => `${c[i * 2]},${c[i * 2 + 1]}`).sort();
  assert.deepEqual(got, ['0,0', '0,10', '10,0', '10,10']);
});

test('k-majority: recovers binary prototypes from noisy copies, deterministically', () => {
  const bytes = 8, k = 4, n = 800;
  const r = rng(5);
  const protos = new Uint8Array(k * bytes).map(() => Math.floor(r() * 256));
  const x = new Uint8Array(n * bytes);
  for (let i = 0; i < n; i++) {
    for (let b = 0; b < bytes; b++) {
      let v = protos[(i % k) * bytes + b]!;
      for (let bit = 0; bit < 8; bit++) if (r() < 0.05) v ^= 1 << bit;
      x[i * bytes + b] = v;
    }
  }
  for (const jaccard of [false, true]) {
    const c = trainKModes(x, n, bytes, { k, iterations: 10, random: seededRandom(9), jaccard });
    assert.deepEqual(trainKModes(x, n, bytes, { k, iterations: 10, random: seededRandom(9), jaccard }), c);
    const want = [0, 1, 2, 3].map((i) => Array.from(protos.subarray(i * bytes, (i + 1) * bytes)).join(',')).sort();
    const got = [0, 1, 2, 3].map((i) => Array.from(c.subarray(i * bytes, (i + 1) * bytes)).join(',')).sort();
    assert.deepEqual(got, want, `jaccard=${jaccard}`);
  }
});

test('inverted lists: every non-NULL row exactly once, in the list of its nearest centroid', () => {
  const d = clustered(3000, 1, 16, 11);
  const column = denseColumn('floatVector', d.data, 16);
  const valid = new Uint8Array(3000).fill(1);
  for (let i = 0; i < 3000; i += 7) valid[i] = 0;
  column.valid = valid;
  for (const metric of ['L2', 'IP', 'COSINE'] as const) {
    const index = build('IVF_FLAT', column, 3000, metric, { nlist: '40' });
    assert.ok(index instanceof IvfFlatIndex);
    const { lists, coarse } = index;
    assert.equal(lists.nlist, 40);
    assert.deepEqual(Array.from(lists.ids).sort((a, b) => a - b), Array.from({ length: 3000 }, (_, i) => i).filter((i) => valid[i] === 1));
    for (let l = 0; l < lists.nlist; l++) {
      for (let j = lists.offsets[l]!; j < lists.offsets[l + 1]!; j++) {
        const row = lists.ids[j]!;
        let best = -1, bestKey = Infinity;
        for (let c = 0; c < coarse.nlist; c++) {
          let key = 0;
          for (let i = 0; i < 16; i++) {
            const x = d.data[row * 16 + i]!, y = coarse.centroids[c * 16 + i]!;
            key += metric === 'L2' ? (x - y) ** 2 : -x * y;
          }
          if (key < bestKey - 1e-9) { bestKey = key; best = c; }
        }
        assert.equal(l, best, `${metric}: row ${row} in list ${l}, nearest centroid ${best}`);
      }
    }
  }
});

test('nprobe = nlist makes IVF_FLAT / BIN_IVF_FLAT answer exactly like FLAT (every kind and metric, filtered, range)', () => {
  const r = rng(21);
  for (const [kind, metric] of KIND_METRICS) {
    if (kind === 'sparseVector') continue;
    const dim = kind === 'binaryVector' ? 32 : 12;
    const n = 700;
    const column = makeColumn(kind, n, dim, r, true);
    const queries = makeColumn(kind, 4, dim, r, true);
    const name = kind === 'binaryVector' ? 'BIN_IVF_FLAT' : 'IVF_FLAT';
    const index = build(name, column, n, metric, { nlist: '16' });
    const params = validateSearchParams(getIndexDescriptor(name), { nprobe: 16 });
    const filter = new Uint8Array(n).map(() => (r() < 0.5 ? 1 : 0));
    for (const f of [null, filter]) {
      const want = searchExact({ metric, column, numRows: n, queries, topK: 15, filter: f });
      assert.deepEqual(index.search({ queries, topK: 15, filter: f, params }), want, `${kind}/${metric} filter=${f !== null}`);
    }
    const exact = searchExact({ metric, column, numRows: n, queries, topK: 40 });
    const range = { radius: exact.scores[30]!, rangeFilter: exact.scores[5]! };
    if (range.radius !== range.rangeFilter) {
      const want = searchExact({ metric, column, numRows: n, queries, topK: 10, range });
      assert.deepEqual(index.search({ queries, topK: 10, range, params }), want, `${kind}/${metric} range`);
    }
  }
});

function meanRecall(ann: ExactSearchResult, exact: ExactSearchResult): number {
  let hit = 0, want = 0;
  for (let q = 0; q < exact.nq; q++) {
    const truth = new Set(exact.rows.subarray(q * exact.topK, q * exact.topK + exact.counts[q]!));
    want += truth.size;
    for (let i = 0; i < ann.counts[q]!; i++) if (truth.has(ann.rows[q * ann.topK + i]!)) hit++;
  }
  return hit / want;
}

test('IVF_FLAT recall@10 >= 0.95 at nprobe 16, nlist 128 on 20k x 32 clustered data (L2, COSINE, IP)', (t) => {
  const n = 20_000, dim = 32;
  // 1024 Gaussians of std 0.3: hard enough that nprobe 4 stays below 0.95 (measured ~0.87-0.90).
  const d = clustered(n, 100, dim, 77, 1024, 0.3);
  const column = denseColumn('floatVector', d.data, dim);
  const queries = denseColumn('floatVector', d.queries, dim);
  const params = validateSearchParams(getIndexDescriptor('IVF_FLAT'), { nprobe: 16 });
  for (const metric of ['L2', 'COSINE', 'IP'] as const) {
    const index = build('IVF_FLAT', column, n, metric, { nlist: '128' });
    const exact = searchExact({ metric, column, numRows: n, queries, topK: 10 });
    const recall = meanRecall(index.search({ queries, topK: 10, params }), exact);
    const narrow = meanRecall(index.search({ queries, topK: 10, params: { nprobe: 2 } }), exact);
    t.diagnostic(`IVF_FLAT ${metric} 20k x 32 nlist 128: recall@10 ${recall.toFixed(4)} at nprobe 16, ${narrow.toFixed(4)} at nprobe 2`);
    assert.ok(recall >= 0.95, `${metric}: recall ${recall}`);
    assert.ok(narrow < recall, `${metric}: probing fewer lists must cost recall on this data (${narrow} vs ${recall})`);
  }
});

test('filtered search probes past nprobe until topK allowed rows are found (never under-fills)', () => {
  const n = 4000, dim = 8;
  const d = clustered(n, 5, dim, 13, 8, 0.05);
  const column = denseColumn('floatVector', d.data, dim);
  const queries = denseColumn('floatVector', d.queries, dim);
  const index = build('IVF_FLAT', column, n, 'L2', { nlist: '32' });
  assert.ok(index instanceof IvfFlatIndex);
  const params = validateSearchParams(getIndexDescriptor('IVF_FLAT'), { nprobe: 1 });
  for (let q = 0; q < 5; q++) {
    // Allow only the rows of the list whose centroid is farthest from the query (>= 2% of rows, so no exact fallback).
    let far = 0, farD = -1;
    for (let l = 0; l < index.coarse.nlist; l++) {
      const size = index.lists.offsets[l + 1]! - index.lists.offsets[l]!;
      const dist = sqDist(d.queries, q * dim, index.coarse.centroids, l * dim, dim);
      if (size >= 0.02 * n && size >= 10 && dist > farD) { farD = dist; far = l; }
    }
    const filter = new Uint8Array(n);
    for (let j = index.lists.offsets[far]!; j < index.lists.offsets[far + 1]!; j++) filter[index.lists.ids[j]!] = 1;
    const one = denseColumn('floatVector', d.queries.slice(q * dim, (q + 1) * dim), dim);
    const res: ExactSearchResult = index.search({ queries: one, topK: 10, filter, params });
    const want = searchExact({ metric: 'L2', column, numRows: n, queries: one, topK: 10, filter });
    assert.deepEqual(res, want, `q${q}: the farthest list is eventually scanned in full`);
  }
});

test('PQ: codes round-trip with bounded error that shrinks with nbits; few points reconstruct exactly; wide codes', () => {
  const n = 3000, dim = 16, m = 4;
  const r = rng(17);
  const x = new Float32Array(n * dim).map(() => gaussian(r));
  const mse = (nbits: number): number => {
    const pq = trainPq(x, n, dim, m, nbits, seededRandom(1));
    const codes = new Uint8Array(n * m * pq.bytesPerCode);
    const out = new Float32Array(dim);
    let err = 0;
    for (let i = 0; i < n; i++) {
      pqEncode(pq, x, i * dim, codes, i * m * pq.bytesPerCode);
      for (let j = 0; j < m; j++) assert.ok(pqCode(pq, codes, i * m * pq.bytesPerCode, j) < pq.ksub);
      pqDecode(pq, codes, i * m * pq.bytesPerCode, out, 0);
      err += sqDist(x, i * dim, out, 0, dim);
    }
    return err / (n * dim); // the data's per-coordinate variance is 1
  };
  const e2 = mse(2), e4 = mse(4), e8 = mse(8);
  assert.ok(e8 < 0.3, `nbits 8: mse ${e8}`);
  assert.ok(e2 > e4 && e4 > e8, `error shrinks with nbits: ${e2} ${e4} ${e8}`);
  // 200 points and nbits 10: ksub = 200 (one code word per point), two bytes per code, exact.
  const pq = trainPq(x, 200, dim, m, 10, seededRandom(1));
  assert.equal(pq.ksub, 200);
  assert.equal(pq.bytesPerCode, 2);
  const codes = new Uint8Array(m * 2), out = new Float32Array(dim);
  for (let i = 0; i < 200; i++) {
    pqEncode(pq, x, i * dim, codes, 0);
    pqDecode(pq, codes, 0, out, 0);
    assert.deepEqual(out, x.slice(i * dim, (i + 1) * dim), `point ${i}`);
  }
});

test('IVF_PQ / IVF_SQ8 scores are the metric between the query and the decoded row (ADC tables, SQ8 codes)', () => {
  const n = 2000, dim = 16;
  const d = clustered(n, 6, dim, 19);
  const column = denseColumn('floatVector', d.data, dim);
  const queries = denseColumn('floatVector', d.queries, dim);
  for (const metric of ['L2', 'IP', 'COSINE'] as const) {
    for (const name of ['IVF_PQ', 'IVF_SQ8']) {
      const index = build(name, column, n, metric, { nlist: '16', m: '4' });
      const res = index.search({ queries, topK: 10, params: { nprobe: 4 } });
      const decoded = new Float32Array(dim);
      for (let q = 0; q < 6; q++) {
        assert.equal(res.counts[q], 10);
        for (let i = 0; i < 10; i++) {
          const row = res.rows[q * 10 + i]!;
          decodeRow(index, row, decoded);
          const want = refScore(metric, denseColumn('floatVector', decoded, dim), queries, q, 0);
          const got = res.scores[q * 10 + i]!;
          assert.ok(Math.abs(got - want) <= 1e-4 * Math.max(1, Math.abs(want)), `${name}/${metric} q${q} row ${row}: ${got} vs ${want}`);
        }
      }
    }
  }
});

/** The vector an IVF_PQ / IVF_SQ8 index holds for `row`, reconstructed independently of its search code. */
function decodeRow(index: VectorIndex, row: number, out: Float32Array): void {
  if (!(index instanceof IvfPqIndex) && !(index instanceof IvfSq8Index)) throw new Error('quantised index expected');
  const pos = index.lists.ids.indexOf(row);
  const dim = out.length;
  if (index instanceof IvfSq8Index) {
    for (let i = 0; i < dim; i++) out[i] = sq8Decode(index.sq, i, index.codes[pos * dim + i]!);
    return;
  }
  let list = 0;
  while (index.lists.offsets[list + 1]! <= pos) list++;
  pqDecode(index.pq, index.codes, pos * index.pq.m * index.pq.bytesPerCode, out, 0);
  for (let i = 0; i < dim; i++) out[i] = out[i]! + index.coarse.centroids[list * dim + i]!;
}

test('params: ranges and defaults from knowhere; violations are 1100 naming the param', () => {
  const flat = getIndexDescriptor('IVF_FLAT'), pq = getIndexDescriptor('IVF_PQ');
  assert.equal(validateIndexParams(flat, 'floatVector', 'L2', {}).params['nlist'], 128);
  assert.equal(validateSearchParams(flat, {})['nprobe'], 8);
  assert.equal(validateSearchParams(flat, {})['max_empty_result_buckets'], 2);
  assert.equal(validateIndexParams(pq, 'floatVector', 'L2', { m: '4' }).params['nbits'], 8);
  for (const name of ['IVF_FLAT', 'IVF_SQ8', 'IVF_PQ', 'BIN_IVF_FLAT']) {
    const desc = getIndexDescriptor(name);
    assert.equal(desc.trains, true);
    assert.equal(desc.filtersNatively, true);
    const kind = name === 'BIN_IVF_FLAT' ? 'binaryVector' : 'floatVector';
    const metric = name === 'BIN_IVF_FLAT' ? 'HAMMING' : 'L2';
    for (const bad of ['0', '65537', 'abc', '1.5']) {
      assertMilvusError(() => validateIndexParams(desc, kind, metric, { nlist: bad, m: '4' }), 1100, 'nlist');
    }
    assert.equal(validateIndexParams(desc, kind, metric, { nlist: '65536', m: '4' }).params['nlist'], 65536);
    for (const bad of [0, 65537, 2.5]) assertMilvusError(() => validateSearchParams(desc, { nprobe: bad }), 1100, 'nprobe');
    assertMilvusError(() => validateSearchParams(desc, { max_empty_result_buckets: 0 }), 1100, 'max_empty_result_buckets');
  }
  assertMilvusError(() => validateIndexParams(pq, 'floatVector', 'L2', {}), 1100, "'m'");
  assertMilvusError(() => validateIndexParams(pq, 'floatVector', 'L2', { m: '4', nbits: '25' }), 1100, 'nbits');
  assertMilvusError(() => validateIndexParams(pq, 'floatVector', 'L2', { m: '4', nbits: '0' }), 1100, 'nbits');
  const column = makeColumn('floatVector', 50, 12, rng(1), true);
  assertMilvusError(() => build('IVF_PQ', column, 50, 'L2', { m: '5' }), 1100, "'m'", '12');
  assertMilvusError(() => validateIndexParams(flat, 'floatVector', 'HAMMING', {}), 1100, 'HAMMING');
  assertMilvusError(() => validateIndexParams(getIndexDescriptor('BIN_IVF_FLAT'), 'binaryVector', 'L2', {}), 1100, 'L2');
});

test('nlist above the row count (and duplicate rows) still builds, lists every row once and fills', () => {
  const dim = 8, n = 300;
  const base = makeColumn('floatVector', 5, dim, rng(2), true);
  const data = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) data.set((base.data as Float32Array).subarray((i % 5) * dim, (i % 5 + 1) * dim), i * dim);
  const column: Column = { kind: 'floatVector', dim, data, valid: null };
  for (const [rows, name] of [[n, 'IVF_FLAT'], [40, 'IVF_SQ8'], [n, 'IVF_PQ']] as const) {
    const index = build(name, column, rows, 'L2', { nlist: '128', m: '2' });
    const ivf = index as IvfFlatIndex;
    assert.equal(ivf.lists.ids.length, rows);
    assert.equal(new Set(ivf.lists.ids).size, rows);
    const res = index.search({ queries: base, topK: 20, params: { nprobe: 1 } });
    for (let q = 0; q < 5; q++) assert.equal(res.counts[q], 20, `${name} q${q}`);
  }
});

test('payload: CRC, version, type and metric are checked on load', () => {
  const column = makeColumn('floatVector', 500, 8, rng(4), true);
  const flat = getIndexDescriptor('IVF_FLAT');
  const spec = validateIndexParams(flat, 'floatVector', 'L2', { nlist: '8' });
  const payload = flat.build(column, 500, spec).serialize();
  const mid = payload.slice();
  const at = Math.floor(mid.length / 2);
  mid[at] = mid[at]! ^ 1;
  assertMilvusError(() => flat.deserialize(mid, column, 500, spec), 5, 'checksum');
  const v2 = payload.slice();
  v2[4] = 2;
  new DataView(v2.buffer).setUint32(v2.length - 4, crc32c(v2.subarray(0, v2.length - 4)), true);
  assertMilvusError(() => flat.deserialize(v2, column, 500, spec), 5, 'version');
  const sq8 = getIndexDescriptor('IVF_SQ8');
  assertMilvusError(() => sq8.deserialize(payload, column, 500, validateIndexParams(sq8, 'floatVector', 'L2', {})), 5, 'type');
  assertMilvusError(() => flat.deserialize(payload, column, 500, { ...spec, metric: 'IP' }), 5, 'metric');
  assertMilvusError(() => flat.deserialize(payload, column, 499, spec), 5, 'rows');
  assert.throws(() => flat.deserialize(new Uint8Array(3), column, 500, spec), MilvusError);
  const bin = makeColumn('binaryVector', 300, 32, rng(5));
  const b = build('BIN_IVF_FLAT', bin, 300, 'JACCARD', { nlist: '4' });
  assert.ok(b instanceof BinIvfFlatIndex);
  const desc = getIndexDescriptor('BIN_IVF_FLAT');
  const back = desc.deserialize(b.serialize(), bin, 300, validateIndexParams(desc, 'binaryVector', 'JACCARD', { nlist: '4' }));
  assert.deepEqual(back.serialize(), b.serialize());
});

test('IP clusters by direction: rows of very different norms still spread over every list', () => {
  const n = 6000, dim = 16;
  const d = clustered(n, 20, dim, 23);
  const r = rng(29);
  for (let i = 0; i < n; i++) {
    const f = 0.2 + 4.8 * r();
    for (let j = 0; j < dim; j++) d.data[i * dim + j] = d.data[i * dim + j]! * f;
  }
  const column = denseColumn('floatVector', d.data, dim);
  const index = build('IVF_FLAT', column, n, 'IP', { nlist: '64' });
  assert.ok(index instanceof IvfFlatIndex);
  let empty = 0;
  for (let l = 0; l < 64; l++) if (index.lists.offsets[l + 1] === index.lists.offsets[l]) empty++;
  assert.ok(empty <= 3, `${empty} of 64 lists are empty`);
  const queries = denseColumn('floatVector', d.queries, dim);
  const recall = meanRecall(index.search({ queries, topK: 10, params: { nprobe: 8 } }), searchExact({ metric: 'IP', column, numRows: n, queries, topK: 10 }));
  assert.ok(recall >= 0.9, `IP recall ${recall}`);
});

test('IVF_FLAT over a resident column (a loaded segment) reads it in place: the resident copy stays, answers match FLAT', { skip: process.env['SEXTANT_WASM'] === 'off' }, () => {
  const n = 20_000, dim = 16;
  const d = clustered(n, 5, dim, 61);
  const resident = makeResident(denseColumn('floatVector', d.data, dim), n);
  assert.ok(resident !== null);
  try {
    const column = resident.column;
    const arena = residentArena(column as WasmColumn);
    assert.ok(arena !== null);
    const used = arena.usedBytes;
    const desc = getIndexDescriptor('IVF_FLAT');
    const index = desc.build(column, n, { metric: 'L2', params: validateIndexParams(desc, 'floatVector', 'L2', { nlist: '32' }).params });
    const queries = denseColumn('floatVector', d.queries, dim);
    const got = index.search({ queries, topK: 10, params: { nprobe: 32 } });
    const want = searchExact({ metric: 'L2', column, numRows: n, queries, topK: 10 });
    assert.deepEqual(Array.from(got.rows), Array.from(want.rows));
    assert.deepEqual(Array.from(got.scores), Array.from(want.scores));
    assert.equal(residentArena(column as WasmColumn), arena, 'the column is still resident in its own memory');
    assert.equal(arena.usedBytes, used, 'the search gave back what it took there');
  } finally {
    resident.release();
  }
});

/** An index of `type` scored by its wasm kernels against the same index forced onto its JS loops: identical answers. */
function sameAsJsLoops(type: string, dim: number, extra: Record<string, string>): void {
  for (const metric of ['L2', 'IP', 'COSINE'] as const) {
    const n = 3000;
    const d = clustered(n, 6, dim, 71 + dim);
    const column = denseColumn('floatVector', d.data, dim);
    const desc = getIndexDescriptor(type);
    const spec = validateIndexParams(desc, 'floatVector', metric, { nlist: '16', ...extra });
    const req = { queries: denseColumn('floatVector', d.queries, dim), topK: 10, params: { nprobe: 5 } };
    const wasm = desc.build(column, n, { metric, params: spec.params });
    const js = desc.build(column, n, { metric, params: spec.params });
    (js as unknown as { wasm: null }).wasm = null; // the JS path, as without the kernels
    const a = wasm.search(req), b = js.search(req);
    assert.ok((wasm as unknown as { wasm: unknown }).wasm !== null, `${type}: the kernel path ran`);
    const what = `${type} ${metric} dim=${dim} ${JSON.stringify(extra)}`;
    assert.deepEqual(Array.from(a.rows), Array.from(b.rows), `${what}: rows`);
    assert.deepEqual(Array.from(a.scores), Array.from(b.scores), `${what}: scores`);
  }
}

test('IVF_SQ8: the wasm code kernel and the JS loops give identical hits and scores (every metric, dims with a tail, and 128: the four-row kernel)', { skip: process.env['SEXTANT_WASM'] === 'off' }, () => {
  for (const dim of [7, 16, 33, 128]) sameAsJsLoops('IVF_SQ8', dim, {});
});

test('IVF_PQ: the wasm tables and code kernel give the hits and scores of the JS loops (every metric, sub-vector dims 3, 4, 5)', { skip: process.env['SEXTANT_WASM'] === 'off' }, () => {
  for (const [dim, m] of [[24, 8], [32, 8], [30, 6]] as const) sameAsJsLoops('IVF_PQ', dim, { m: String(m), nbits: '8' });
});
