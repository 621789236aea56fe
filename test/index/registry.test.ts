import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Column } from '../../src/schema/column.js';
import {
  defaultMetricFor, getIndexDescriptor, listIndexDescriptors, metricsForKind, validateIndexParams, validateSearchParams,
} from '../../src/index/registry.js';
import { searchExact } from '../../src/index/flat.js';
import { VECTOR_KINDS } from '../../src/index/metrics.js';
import { assertMilvusError, rng } from './helpers.js';
import { makeColumn } from './columns.js';

test('getIndexDescriptor: registered names (case-insensitive), empty = AUTOINDEX, unknown = 701', () => {
  for (const name of ['FLAT', 'BIN_FLAT', 'SPARSE_INVERTED_INDEX', 'SPARSE_WAND', 'AUTOINDEX']) {
    assert.equal(getIndexDescriptor(name).name, name);
  }
  assert.equal(getIndexDescriptor('flat').name, 'FLAT');
  assert.equal(getIndexDescriptor('').name, 'AUTOINDEX');
  assertMilvusError(() => getIndexDescriptor('NOT_AN_INDEX'), 701, 'NOT_AN_INDEX');
});

test('every descriptor only lists metrics valid for at least one of its kinds', () => {
  for (const d of listIndexDescriptors()) {
    assert.ok(d.vectorKinds.length > 0 && d.metrics.length > 0, d.name);
    for (const m of d.metrics) assert.ok(d.vectorKinds.some((k) => metricsForKind(k).includes(m)), `${d.name} ${m}`);
  }
  assert.deepEqual([...getIndexDescriptor('AUTOINDEX').vectorKinds].sort(), [...VECTOR_KINDS].sort());
});

test('defaultMetricFor: COSINE for dense kinds, HAMMING for binary, IP for sparse', () => {
  for (const k of ['floatVector', 'float16Vector', 'bfloat16Vector', 'int8Vector'] as const) assert.equal(defaultMetricFor(k), 'COSINE');
  assert.equal(defaultMetricFor('binaryVector'), 'HAMMING');
  assert.equal(defaultMetricFor('sparseVector'), 'IP');
});

test('validateIndexParams: metric defaults and case, kind/metric mismatches are 1100 naming the metric', () => {
  const flat = getIndexDescriptor('FLAT');
  assert.equal(validateIndexParams(flat, 'floatVector', undefined, {}).metric, 'COSINE');
  assert.equal(validateIndexParams(flat, 'float16Vector', 'l2', {}).metric, 'L2');
  assert.equal(validateIndexParams(getIndexDescriptor('AUTOINDEX'), 'binaryVector', '', {}).metric, 'HAMMING');
  assert.equal(validateIndexParams(getIndexDescriptor('AUTOINDEX'), 'sparseVector', undefined, {}).metric, 'IP');
  assertMilvusError(() => validateIndexParams(flat, 'floatVector', 'HAMMING', {}), 1100, 'HAMMING');
  assertMilvusError(() => validateIndexParams(getIndexDescriptor('AUTOINDEX'), 'floatVector', 'JACCARD', {}), 1100, 'JACCARD');
  assertMilvusError(() => validateIndexParams(getIndexDescriptor('BIN_FLAT'), 'binaryVector', 'COSINE', {}), 1100, 'COSINE');
  assertMilvusError(() => validateIndexParams(flat, 'floatVector', 'BOGUS', {}), 1100, 'BOGUS');
  assertMilvusError(() => validateIndexParams(flat, 'binaryVector', 'HAMMING', {}), 1100, 'binaryVector', 'FLAT');
  assertMilvusError(() => validateIndexParams(getIndexDescriptor('SPARSE_INVERTED_INDEX'), 'floatVector', 'IP', {}), 1100, 'floatVector');
});

test('validateIndexParams: sparse build params are typed, defaulted and range-checked by name', () => {
  const sparse = getIndexDescriptor('SPARSE_INVERTED_INDEX');
  const ok = validateIndexParams(sparse, 'sparseVector', 'IP', { drop_ratio_build: '0.2', extra: 'kept' });
  assert.equal(ok.params['drop_ratio_build'], 0.2);
  assert.equal(ok.params['inverted_index_algo'], 'DAAT_MAXSCORE');
  assert.equal(ok.params['extra'], 'kept');
  assert.equal(validateIndexParams(sparse, 'sparseVector', 'IP', {}).params['drop_ratio_build'], 0);
  assertMilvusError(() => validateIndexParams(sparse, 'sparseVector', 'IP', { drop_ratio_build: '1' }), 1100, "'drop_ratio_build'", '[0, 1)');
  assertMilvusError(() => validateIndexParams(sparse, 'sparseVector', 'IP', { drop_ratio_build: '-0.1' }), 1100, 'drop_ratio_build');
  assertMilvusError(() => validateIndexParams(sparse, 'sparseVector', 'IP', { drop_ratio_build: 'abc' }), 1100, 'drop_ratio_build', 'float');
  assertMilvusError(() => validateIndexParams(sparse, 'sparseVector', 'IP', { inverted_index_algo: 'FAST' }), 1100, 'inverted_index_algo', 'DAAT_WAND');
});

test('validateSearchParams: known params checked by name, others passed through', () => {
  const sparse = getIndexDescriptor('SPARSE_WAND');
  const p = validateSearchParams(sparse, { drop_ratio_search: '0.5', radius: 3, nested: { a: 1 } });
  assert.equal(p['drop_ratio_search'], 0.5);
  assert.equal(p['radius'], 3);
  assert.equal(p['nested'], undefined);
  assertMilvusError(() => validateSearchParams(sparse, { drop_ratio_search: 1.5 }), 1100, 'drop_ratio_search', '[0, 1)');
  assert.equal(validateSearchParams(getIndexDescriptor('AUTOINDEX'), {})['level'], 1);
  assertMilvusError(() => validateSearchParams(getIndexDescriptor('AUTOINDEX'), { level: 0 }), 1100, 'level');
  assertMilvusError(() => validateSearchParams(getIndexDescriptor('AUTOINDEX'), { level: 2.5 }), 1100, 'level', 'int');
});

test('FLAT builds a VectorIndex that answers like searchExact and round-trips an empty payload (AUTOINDEX dense = HNSW: hnsw.test.ts)', () => {
  const r = rng(31);
  const column = makeColumn('floatVector', 40, 6, r);
  const queries = makeColumn('floatVector', 2, 6, r);
  for (const name of ['FLAT']) {
    const desc = getIndexDescriptor(name);
    const spec = validateIndexParams(desc, 'floatVector', 'IP', {});
    const index = desc.build(column, 40, spec);
    assert.equal(index.indexType, 'FLAT');
    const payload = index.serialize();
    assert.equal(payload.length, 0);
    const again = desc.deserialize(payload, column, 40, spec);
    const want = searchExact({ metric: 'IP', column, numRows: 40, queries, topK: 5 });
    assert.deepEqual(again.search({ queries, topK: 5 }), want);
    assert.throws(() => desc.deserialize(new Uint8Array(1), column, 40, spec));
  }
  const bin = makeColumn('binaryVector', 10, 16, r);
  const auto = getIndexDescriptor('AUTOINDEX');
  assert.equal(auto.build(bin, 10, validateIndexParams(auto, 'binaryVector', undefined, {})).indexType, 'BIN_FLAT');
  assertMilvusError(() => getIndexDescriptor('FLAT').build(bin, 10, { metric: 'L2', params: {} }), 1100, 'binaryVector');
});

test('sparse index: drop_ratio_search drops small query values, drop_ratio_build drops small stored values', () => {
  const vec = (idx: number[], val: number[]) => ({ indices: Uint32Array.from(idx), values: Float32Array.from(val) });
  const column: Column = { kind: 'sparseVector', data: [vec([1, 2], [1, 10]), vec([2, 3], [0.5, 8])], valid: null };
  const queries: Column = { kind: 'sparseVector', data: [vec([1, 2, 3], [0.1, 1, 100])], valid: null };
  const desc = getIndexDescriptor('SPARSE_INVERTED_INDEX');
  const plain = desc.build(column, 2, validateIndexParams(desc, 'sparseVector', 'IP', {}));
  const full = plain.search({ queries, topK: 2 });
  assert.deepEqual(Array.from(full.scores), [800.5, Math.fround(10.1)]);
  const pruned = plain.search({ queries, topK: 2, params: validateSearchParams(desc, { drop_ratio_search: 0.5 }) });
  assert.deepEqual(Array.from(pruned.scores), [800.5, 10]); // the 0.1 component is gone
  const built = desc.build(column, 2, validateIndexParams(desc, 'sparseVector', 'IP', { drop_ratio_build: '0.5' }));
  assert.deepEqual(Array.from(built.search({ queries, topK: 2 }).scores), [800, 10]); // stored 1 and 0.5 dropped
});
