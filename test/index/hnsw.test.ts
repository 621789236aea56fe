/** HNSW / HNSW_SQ specifics beyond the shared case suite: params, payload checks, graph invariants, scores. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Column } from '../../src/schema/column.js';
import type { MetricType } from '../../src/core/enums.js';
import { searchExact } from '../../src/index/flat.js';
import { getIndexDescriptor, validateIndexParams, validateSearchParams } from '../../src/index/registry.js';
import { decodeHnsw } from '../../src/index/impl/hnsw/codec.js';
import type { HnswGraph } from '../../src/index/impl/hnsw/graph.js';
import type { HnswIndex } from '../../src/index/impl/hnsw/index.js';
import { recallOf } from './cases.js';
import { assertMilvusError } from './helpers.js';
import { clustered, denseColumn } from './datasets.js';

const HNSW = getIndexDescriptor('HNSW');
const HNSW_SQ = getIndexDescriptor('HNSW_SQ');
const METRIC_CODE: Record<string, number> = { L2: 0, IP: 1, COSINE: 2 };

function data(n: number, dim = 16, seed = 1): { column: Column; queries: Column } {
  const d = clustered(n, 8, dim, seed);
  return { column: denseColumn('floatVector', d.data, dim), queries: denseColumn('floatVector', d.queries, dim) };
}

function graphOf(payload: Uint8Array, n: number, dim: number, metric: MetricType): HnswGraph {
  return decodeHnsw(payload, { numRows: n, dim, metricCode: METRIC_CODE[metric]! }).graph;
}

test('HNSW params: knowhere defaults and ranges; out-of-range values are 1100 naming the param', () => {
  const p = validateIndexParams(HNSW, 'floatVector', 'L2', {}).params;
  assert.equal(p['M'], 30);
  assert.equal(p['efConstruction'], 360);
  assert.equal(validateIndexParams(HNSW, 'float16Vector', 'COSINE', { M: '2', efConstruction: '1' }).params['M'], 2);
  assertMilvusError(() => validateIndexParams(HNSW, 'floatVector', 'L2', { M: '1' }), 1100, "'M'", '[2, 2048]');
  assertMilvusError(() => validateIndexParams(HNSW, 'floatVector', 'L2', { M: '2049' }), 1100, "'M'");
  assertMilvusError(() => validateIndexParams(HNSW, 'floatVector', 'L2', { efConstruction: '0' }), 1100, 'efConstruction');
  assertMilvusError(() => validateIndexParams(HNSW, 'floatVector', 'HAMMING', {}), 1100, 'HAMMING');
  assertMilvusError(() => validateIndexParams(HNSW, 'binaryVector', 'HAMMING', {}), 1100, 'binaryVector');
  const sq = validateIndexParams(HNSW_SQ, 'floatVector', 'L2', {}).params;
  assert.equal(sq['sq_type'], 'SQ8');
  assert.equal(sq['refine'], false);
  assertMilvusError(() => validateIndexParams(HNSW_SQ, 'floatVector', 'L2', { sq_type: 'SQ4' }), 1100, 'sq_type', 'SQ4');
  assertMilvusError(() => validateIndexParams(HNSW_SQ, 'floatVector', 'L2', { refine_type: 'INT4' }), 1100, 'refine_type');
  // refine_type must be more precise than sq_type (checked at build, where both are known).
  const { column } = data(50);
  const spec = validateIndexParams(HNSW_SQ, 'floatVector', 'L2', { sq_type: 'FP16', refine: 'true', refine_type: 'SQ8' });
  assertMilvusError(() => HNSW_SQ.build(column, 50, spec), 1100, 'refine_type');
});

test('HNSW search params: ef must be in [topK, max(65536, 2 topK)] (1100 naming ef); bad queries are 1100', () => {
  const { column, queries } = data(300);
  const index = HNSW.build(column, 300, validateIndexParams(HNSW, 'floatVector', 'L2', {}));
  const params = (ef: unknown) => validateSearchParams(HNSW, { ef });
  assert.equal(index.search({ queries, topK: 10, params: params(10) }).counts[0], 10);
  assertMilvusError(() => index.search({ queries, topK: 10, params: params(9) }), 1100, 'ef');
  assertMilvusError(() => index.search({ queries, topK: 10, params: params(70_000) }), 1100, 'ef');
  assertMilvusError(() => validateSearchParams(HNSW, { ef: 0 }), 1100, 'ef');
  assertMilvusError(() => index.search({ queries: denseColumn('floatVector', new Float32Array(8), 8), topK: 5 }), 1100, 'dimension');
  assertMilvusError(() => index.search({ queries, topK: 0 }), 1100, 'topk');
  const f16 = denseColumn('float16Vector', new Float32Array(16), 16);
  assertMilvusError(() => index.search({ queries: f16, topK: 5 }), 1100, 'vector type not match');
});

test('HNSW graph invariants: caps, no self or duplicate links, NULL rows isolated, every row reachable on layer 0', () => {
  const n = 2000;
  const { column } = data(n, 12, 3);
  const valid = new Uint8Array(n).fill(1);
  for (let r = 0; r < n; r += 97) valid[r] = 0;
  column.valid = valid;
  const spec = validateIndexParams(HNSW, 'floatVector', 'L2', { M: '16', efConstruction: '100' });
  const g = graphOf(HNSW.build(column, n, spec).serialize(), n, 12, 'L2');
  assert.equal(g.M, 16);
  assert.equal(g.levels[g.entryPoint], g.maxLevel);
  for (let r = 0; r < n; r++) {
    for (let l = 0; l <= g.levels[r]!; l++) {
      const links = g.listArray(l), off = g.listOffset(l, r), count = links[off]!;
      assert.ok(count <= g.maxLinks(l));
      const seen = new Set<number>();
      for (let i = 1; i <= count; i++) {
        const nb = links[off + i]!;
        assert.notEqual(nb, r, `row ${r} links to itself`);
        assert.ok(!seen.has(nb), `row ${r} layer ${l} links ${nb} twice`);
        assert.equal(valid[nb], 1, `row ${r} links to NULL row ${nb}`);
        seen.add(nb);
      }
      if (valid[r] === 0) assert.equal(count, 0, `NULL row ${r} has links`);
    }
  }
  const reached = new Uint8Array(n);
  const stack = [g.entryPoint];
  reached[g.entryPoint] = 1;
  while (stack.length > 0) {
    const r = stack.pop()!;
    const off = g.listOffset(0, r);
    for (let i = 1; i <= g.layer0[off]!; i++) {
      const nb = g.layer0[off + i]!;
      if (reached[nb] === 0) { reached[nb] = 1; stack.push(nb); }
    }
  }
  for (let r = 0; r < n; r++) if (valid[r] === 1) assert.equal(reached[r], 1, `row ${r} unreachable`);
});

test('HNSW payload: header fields, and corruption / mismatches fail with a MilvusError instead of a broken graph', () => {
  const n = 400, dim = 16;
  const { column } = data(n, dim, 4);
  const spec = validateIndexParams(HNSW, 'floatVector', 'IP', { M: '8', efConstruction: '50' });
  const payload = HNSW.build(column, n, spec).serialize();
  const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  assert.equal(new TextDecoder().decode(payload.subarray(0, 4)), 'HNSW');
  assert.equal(dv.getUint16(4, true), 1, 'version');
  assert.equal(dv.getUint32(8, true), n);
  assert.equal(dv.getUint32(12, true), dim);
  assert.equal(dv.getUint32(16, true), 8);
  assert.equal(dv.getUint32(20, true), 50);
  assert.equal(dv.getUint8(24), 1, 'metric IP');
  // A neighbour id past the last row, somewhere in layer 0.
  const bad = payload.slice();
  const layer0At = 40 + ((n + 3) & ~3);
  new DataView(bad.buffer).setInt32(layer0At + 4, n + 5, true);
  assert.equal(new DataView(payload.buffer, payload.byteOffset).getInt32(layer0At, true) > 0, true, 'row 0 has links');
  assertMilvusError(() => HNSW.deserialize(bad, column, n, spec), 5, 'corrupt');
  assertMilvusError(() => HNSW.deserialize(payload, column, n - 1, spec), 5, 'rows');
  assertMilvusError(() => HNSW.deserialize(payload, column, n, { ...spec, metric: 'L2' }), 5, 'metric');
  assertMilvusError(() => HNSW_SQ.deserialize(payload, column, n, spec), 5, 'quantiser');
  const sqPayload = HNSW_SQ.build(column, n, validateIndexParams(HNSW_SQ, 'floatVector', 'IP', {})).serialize();
  assertMilvusError(() => HNSW.deserialize(sqPayload, column, n, spec), 5, 'quantiser');
});

test('HNSW through the graph, every kind and metric: scores equal searchExact bit for bit (COSINE via norms), recall >= 0.9', () => {
  const n = 2500, dim = 24, nq = 8;
  for (const kind of ['floatVector', 'float16Vector', 'bfloat16Vector', 'int8Vector'] as const) {
    for (const metric of ['L2', 'IP', 'COSINE'] as const) {
      const d = clustered(n, nq, dim, 9);
      const column = denseColumn(kind, d.data, dim), queries = denseColumn(kind, d.queries, dim);
      const index = HNSW.build(column, n, validateIndexParams(HNSW, kind, metric, { M: '8', efConstruction: '60' })) as HnswIndex;
      const res = index.search({ queries, topK: 10 });
      assert.equal(index.stats.graphQueries, nq, `${kind}/${metric}: the graph answered`);
      const all = searchExact({ metric, column, numRows: n, queries, topK: n });
      const top = searchExact({ metric, column, numRows: n, queries, topK: 10 });
      let hits = 0;
      for (let q = 0; q < nq; q++) {
        const exactScore = new Map<number, number>();
        for (let i = 0; i < n; i++) exactScore.set(all.rows[q * n + i]!, all.scores[q * n + i]!);
        for (let i = 0; i < res.counts[q]!; i++) {
          assert.equal(res.scores[q * 10 + i], exactScore.get(res.rows[q * 10 + i]!), `${kind}/${metric} q${q} hit ${i}`);
        }
        hits += recallOf(res, top, metric, q, { column, queries }) * 10;
      }
      assert.ok(hits / (nq * 10) >= 0.9, `${kind}/${metric}: recall ${hits / (nq * 10)}`);
    }
  }
});

test('HNSW_SQ: unrefined scores are approximate, refined scores are exact; SQ6 is coarser than SQ8', () => {
  const n = 4000, dim = 32;
  const d = clustered(n, 20, dim, 12);
  const column = denseColumn('floatVector', d.data, dim), queries = denseColumn('floatVector', d.queries, dim);
  const exactAll = searchExact({ metric: 'L2', column, numRows: n, queries, topK: n });
  const err = (sqType: string, refine: boolean): number => {
    const spec = validateIndexParams(HNSW_SQ, 'floatVector', 'L2', {
      M: '8', efConstruction: '60', sq_type: sqType, refine: String(refine), refine_type: 'FP32',
    });
    const index = HNSW_SQ.build(column, n, spec) as HnswIndex;
    const res = index.search({ queries, topK: 10, params: validateSearchParams(HNSW_SQ, {}) });
    assert.equal(index.stats.graphQueries, 20, 'the graph answered');
    let worst = 0;
    for (let q = 0; q < 20; q++) {
      const m = new Map<number, number>();
      for (let i = 0; i < n; i++) m.set(exactAll.rows[q * n + i]!, exactAll.scores[q * n + i]!);
      for (let i = 0; i < res.counts[q]!; i++) {
        const want = m.get(res.rows[q * 10 + i]!)!;
        worst = Math.max(worst, Math.abs(res.scores[q * 10 + i]! - want) / want);
      }
    }
    return worst;
  };
  const sq8 = err('SQ8', false), sq6 = err('SQ6', false);
  assert.ok(sq8 > 0 && sq8 < 0.05, `SQ8 relative score error ${sq8}`);
  assert.ok(sq6 > sq8, `SQ6 error ${sq6} should exceed SQ8 error ${sq8}`);
  assert.equal(err('SQ8', true), 0);
  assert.equal(err('FP16', true), 0);
});

test('AUTOINDEX on dense vectors builds HNSW with M=18, efConstruction=240 and the requested metric', () => {
  const auto = getIndexDescriptor('AUTOINDEX');
  const { column } = data(200);
  const spec = validateIndexParams(auto, 'floatVector', 'IP', {});
  const index = auto.build(column, 200, spec);
  assert.equal(index.indexType, 'HNSW');
  assert.equal(index.metric, 'IP');
  const dv = new DataView(index.serialize().buffer);
  assert.equal(dv.getUint32(16, true), 18);
  assert.equal(dv.getUint32(20, true), 240);
  assert.equal(auto.deserialize(index.serialize(), column, 200, spec).indexType, 'HNSW');
});

test('HNSW planner: 1% selectivity goes exact (identical answer), 50% walks the graph; tiny segments go exact', () => {
  const n = 3000;
  const { column, queries } = data(n, 16, 6);
  const index = HNSW.build(column, n, validateIndexParams(HNSW, 'floatVector', 'L2', { M: '8', efConstruction: '60' })) as HnswIndex;
  const sparse = new Uint8Array(n), half = new Uint8Array(n);
  for (let r = 0; r < n; r++) { sparse[r] = r % 100 === 0 ? 1 : 0; half[r] = r % 2; }
  const got = index.search({ queries, topK: 10, filter: sparse });
  assert.deepEqual(got, searchExact({ metric: 'L2', column, numRows: n, queries, topK: 10, filter: sparse }));
  assert.deepEqual(index.stats, { graphQueries: 0, exactQueries: 8, fallbackQueries: 0 });
  index.search({ queries, topK: 10, filter: half });
  assert.equal(index.stats.graphQueries, 8);
  const small = data(300);
  const tiny = HNSW.build(small.column, 300, validateIndexParams(HNSW, 'floatVector', 'L2', {})) as HnswIndex;
  tiny.search({ queries: small.queries, topK: 10 });
  assert.equal(tiny.stats.exactQueries, 8, 'an exact scan of 300 rows is cheaper than an ef=32, M=30 walk');
});
