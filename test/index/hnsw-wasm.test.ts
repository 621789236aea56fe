/** WasmSpace (HNSW distances in wasm) against the JS F32Space, and its use of resident columns. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Column } from '../../src/schema/column.js';
import { getIndexDescriptor, validateIndexParams } from '../../src/index/registry.js';
import { decodeDenseRows, F32Space, type VectorSpace } from '../../src/index/impl/hnsw/space.js';
import { WasmSpace } from '../../src/index/impl/hnsw/wasm-space.js';
import { buildGraph, DEFAULT_SEED } from '../../src/index/impl/hnsw/build.js';
import { GraphSearcher } from '../../src/index/impl/hnsw/searcher.js';
import { trainQuantiser } from '../../src/index/impl/hnsw/sq.js';
import { makeResident } from '../../src/index/wasm/resident.js';
import { kernelModule } from '../../src/index/wasm/loader.js';
import type { DenseColumn } from '../../src/index/scan-dense.js';
import { clustered, denseColumn } from './datasets.js';
import { rng } from './helpers.js';

const skip = kernelModule() === null ? 'wasm kernels unavailable (SEXTANT_WASM=off?)' : false;
const KINDS = ['floatVector', 'float16Vector', 'bfloat16Vector', 'int8Vector'] as const;
const METRICS = ['L2', 'IP', 'COSINE'] as const;

function spaces(kind: (typeof KINDS)[number], metric: (typeof METRICS)[number], n: number, dim: number) {
  const d = clustered(n, 4, dim, 3);
  const column = denseColumn(kind, d.data, dim) as DenseColumn;
  const queries = decodeDenseRows(denseColumn(kind, d.queries, dim) as DenseColumn, 4);
  const js = new F32Space(decodeDenseRows(column, n), n, dim, metric);
  const wasm = WasmSpace.forColumn(column, n, metric);
  assert.ok(wasm !== null, 'wasm space');
  return { column, queries, js, wasm };
}

/** hnswlib's heuristic, written out plainly over `pairDistance`. */
function refSelect(space: VectorSpace, ids: Int32Array, keys: Float64Array, n: number, m: number): number[] {
  const kept: number[] = [];
  for (let i = 0; i < n && kept.length < m; i++) {
    if (kept.every((o) => !(space.pairDistance(ids[i]!, o) < keys[i]!))) kept.push(ids[i]!);
  }
  return kept;
}

test('WasmSpace: fast keys within float32 tolerance of F32Space, rescored keys bit-identical, every kind and metric', { skip }, () => {
  const n = 300, dim = 37;
  const r = rng(5);
  for (const kind of KINDS) {
    for (const metric of METRICS) {
      const what = `${kind}/${metric}`;
      const { queries, js, wasm } = spaces(kind, metric, n, dim);
      const ids = new Int32Array(40);
      for (let i = 0; i < ids.length; i++) ids[i] = Math.floor(r() * n);
      const plain = new Float32Array(ids.length), viaViews = wasm.batchBuffers(ids.length);
      viaViews.ids.set(ids);
      for (let q = 0; q < 4; q++) {
        js.setQuery(queries, q * dim);
        wasm.setQuery(queries, q * dim);
        wasm.distances(ids, 0, ids.length, plain);
        wasm.distances(viaViews.ids, 0, ids.length, viaViews.out);
        const exact = new Float64Array(ids.length);
        wasm.rescore(ids, exact, ids.length);
        for (let i = 0; i < ids.length; i++) {
          const want = js.distance(ids[i]!);
          assert.equal(exact[i], want, `${what} q${q} rescore row ${ids[i]}`);
          assert.equal(viaViews.out[i], plain[i], `${what}: zero-copy batch equals copied batch`);
          assert.ok(Math.abs(plain[i]! - want) <= 1e-5 * Math.max(1, Math.abs(want)), `${what}: fast ${plain[i]} vs ${want}`);
          assert.equal(wasm.distance(ids[i]!), plain[i], `${what}: single equals batch`);
        }
      }
      // Stored row as query (build), pair distances and the selection heuristic.
      wasm.setQueryRow(7);
      js.setQueryRow(7);
      const pd = new Float32Array(ids.length);
      wasm.pairDistances(7, ids, 0, ids.length, pd);
      for (let i = 0; i < ids.length; i++) {
        assert.ok(Math.abs(wasm.distance(ids[i]!) - js.distance(ids[i]!)) <= 1e-5 * Math.max(1, Math.abs(js.distance(ids[i]!))), what);
        assert.equal(pd[i], wasm.pairDistance(7, ids[i]!), `${what}: pairDistances equals pairDistance`);
      }
      const order = Array.from(ids, (id, i) => ({ id, key: pd[i]! })).sort((a, b) => a.key - b.key);
      const cIds = Int32Array.from(order, (o) => o.id), cKeys = Float64Array.from(order, (o) => o.key);
      const outIds = new Int32Array(8), outKeys = new Float64Array(8);
      const k = wasm.select(cIds, cKeys, cIds.length, 8, outIds, outKeys);
      const want = refSelect(wasm, cIds, cKeys, cIds.length, 8);
      assert.ok(want.length > 1 && want.length < cIds.length, `${what}: the heuristic drops some candidates`);
      assert.deepEqual(Array.from(outIds.subarray(0, k)), want, `${what}: select`);
      for (let i = 0; i < k; i++) assert.equal(outKeys[i], cKeys[cIds.indexOf(outIds[i]!)], `${what}: select keeps keys`);
    }
  }
});

test('WasmSpace reads a resident column in place; HNSW over it answers exactly as over the plain column', { skip }, () => {
  const n = 3000, dim = 32;
  const d = clustered(n, 16, dim, 11);
  const column = denseColumn('floatVector', d.data, dim), queries = denseColumn('floatVector', d.queries, dim);
  const plain = WasmSpace.forColumn(column as DenseColumn, n, 'L2');
  assert.equal(plain?.ownsRows, true, 'a plain column is copied');
  const resident = makeResident(column, n);
  assert.ok(resident !== null);
  try {
    const space = WasmSpace.forColumn(resident.column as DenseColumn, n, 'L2');
    assert.equal(space?.ownsRows, false, 'a resident column is read in place');
    const HNSW = getIndexDescriptor('HNSW');
    const spec = validateIndexParams(HNSW, 'floatVector', 'L2', { M: '8', efConstruction: '40' });
    const built = HNSW.build(column, n, spec);
    const loaded = HNSW.deserialize(built.serialize(), resident.column as Column, n, spec);
    const a = built.search({ queries, topK: 10 }), b = loaded.search({ queries, topK: 10 });
    assert.deepEqual(b, a);
    assert.ok(a.counts.every((c) => c === 10));
  } finally {
    resident.release();
  }
});

test('native layer-0 search (links in wasm memory), with and without a filter, returns exactly what the JS walk over the same space returns', { skip }, () => {
  const n = 4000, dim = 24;
  for (const metric of METRICS) {
    const d = clustered(n, 30, dim, 21);
    const column = denseColumn('floatVector', d.data, dim) as DenseColumn;
    const space = WasmSpace.forColumn(column, n, metric)!;
    const graph = buildGraph(space, null, { M: 8, efConstruction: 40, seed: DEFAULT_SEED });
    assert.ok(space.layer0Searcher(graph) !== null, 'the built graph walks natively');
    const plain = graph.relocate((length) => new Int32Array(length));
    assert.equal(space.layer0Searcher(plain), null, 'a JS layer 0 does not');
    const native = new GraphSearcher(graph, space), js = new GraphSearcher(plain, space);
    const r = rng(4);
    const filter = Uint8Array.from({ length: n }, () => (r() < 0.3 ? 1 : 0));
    native.useFilter(filter);
    for (const [ef, f] of [[10, null], [50, null], [10, filter], [50, filter]] as const) {
      for (let q = 0; q < 30; q++) {
        space.setQuery(d.queries, q * dim);
        const ep = graph.entryPoint, epKey = space.distance(ep);
        const got = [native, js].map((s) => {
          s.searchLayer(0, ep, epKey, ef, f);
          const keys = new Float64Array(s.resultCount), ids = new Int32Array(s.resultCount);
          assert.equal(s.drainResults(keys, ids), keys.length);
          return { keys: Array.from(keys), ids: Array.from(ids), expanded: s.expanded };
        });
        assert.equal(got[0]!.ids.length, ef, `${metric} ef=${ef} q${q}: ef results`);
        if (f !== null) assert.ok(got[0]!.ids.every((id) => f[id] === 1), 'only filtered rows');
        assert.deepEqual(got[0], got[1], `${metric} ef=${ef} filtered=${f !== null} q${q}`);
      }
    }
  }
});

test('a whole native query (descent through wasm upper layers, then layer 0) returns exactly what the JS descent + walk returns', { skip }, () => {
  const n = 6000, dim = 20;
  for (const kind of KINDS) {
    for (const metric of METRICS) {
      const d = clustered(n, 30, dim, 22);
      const column = denseColumn(kind, d.data, dim) as DenseColumn;
      const space = WasmSpace.forColumn(column, n, metric)!;
      const graph = buildGraph(space, null, { M: 6, efConstruction: 40, seed: DEFAULT_SEED });
      assert.ok(graph.maxLevel >= 2, 'the graph has upper layers to descend');
      const whole = new GraphSearcher(graph, space);
      assert.ok(whole.canSearchWhole, 'links of every layer are in wasm memory');
      const plain = graph.relocate((length) => new Int32Array(length));
      const js = new GraphSearcher(plain, space);
      assert.equal(js.canSearchWhole, false);
      const r = rng(6);
      const filter = Uint8Array.from({ length: n }, () => (r() < 0.2 ? 1 : 0));
      whole.useFilter(filter);
      const queries = decodeDenseRows(denseColumn(kind, d.queries, dim) as DenseColumn, 20);
      for (const [ef, f] of [[10, null], [64, null], [24, filter]] as const) {
        for (let q = 0; q < 20; q++) {
          space.setQuery(queries, q * dim);
          whole.searchWhole(ef, f);
          let ep = plain.entryPoint, epKey = space.distance(ep);
          for (let l = plain.maxLevel; l > 0; l--) {
            ep = js.greedy(l, ep, epKey);
            epKey = js.greedyKey;
          }
          js.searchLayer(0, ep, epKey, ef, f);
          const got = [whole, js].map((s) => {
            const keys = new Float64Array(s.resultCount), ids = new Int32Array(s.resultCount);
            s.drainResults(keys, ids);
            return { keys: Array.from(keys), ids: Array.from(ids), expanded: s.expanded };
          });
          assert.equal(got[0]!.ids.length, ef, `${kind} ${metric} ef=${ef}: ef results`);
          assert.deepEqual(got[0], got[1], `${kind} ${metric} ef=${ef} filtered=${f !== null} q${q}`);
        }
      }
    }
  }
});

test('HNSW_SQ code spaces in wasm (SQ8, SQ6) agree with the JS SqSpace: keys within float32 rounding, same nearest rows', { skip }, () => {
  const n = 2000, dim = 37;
  for (const type of ['SQ8', 'SQ6'] as const) {
    for (const metric of METRICS) {
      const d = clustered(n, 10, dim, 23);
      const quantiser = trainQuantiser(type, d.data, n, dim, metric, null);
      const wasm = quantiser.space(d.data, n, dim, metric);
      const js = quantiser.referenceSpace!(d.data, n, dim, metric);
      assert.ok(wasm instanceof WasmSpace, `${type} ${metric}: the codes are searched in wasm`);
      assert.equal(wasm.hasRows, false, 'codes, not rows: no graph is built over them');
      const ids = Int32Array.from({ length: 50 }, (_, i) => i * 37 % n);
      const a = new Float32Array(50), b = new Float32Array(50);
      for (let q = 0; q < 10; q++) {
        wasm.setQuery(d.queries, q * dim);
        js.setQuery(d.queries, q * dim);
        wasm.distances(ids, 0, 50, a);
        js.distances(ids, 0, 50, b);
        for (let i = 0; i < 50; i++) {
          const tol = 1e-4 * Math.max(1, Math.abs(b[i]!));
          assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${type} ${metric} q${q} row ${ids[i]}: ${a[i]} vs ${b[i]}`);
          assert.ok(Math.abs(wasm.distance(ids[i]!) - js.distance(ids[i]!)) <= tol, `${type} ${metric} distance()`);
        }
        assert.equal(wasm.score(a[0]!), metric === 'L2' ? a[0] : -a[0]!);
      }
    }
  }
});

test('HNSW_SQ batches four code rows at a time (dim a multiple of 16): keys bit-identical to one row at a time', { skip }, () => {
  const n = 1500;
  for (const dim of [16, 48, 128]) {
    for (const type of ['SQ8', 'SQ6'] as const) {
      for (const metric of METRICS) {
        const d = clustered(n, 10, dim, 29 + dim);
        const quantiser = trainQuantiser(type, d.data, n, dim, metric, null);
        const space = quantiser.space(d.data, n, dim, metric);
        // 51 ids: twelve batches of four and a tail of three; scattered rows, as a node's neighbours are.
        const ids = Int32Array.from({ length: 51 }, (_, i) => (i * 613 + 7) % n);
        const batched = new Float32Array(ids.length);
        for (let q = 0; q < 8; q++) {
          space.setQuery(d.queries, q * dim);
          space.distances(ids, 0, ids.length, batched);
          for (let i = 0; i < ids.length; i++) {
            assert.equal(batched[i], space.distance(ids[i]!), `${type} ${metric} dim ${dim} q${q} row ${ids[i]}`);
          }
        }
      }
    }
  }
});
