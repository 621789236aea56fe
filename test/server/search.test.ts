import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import type { FieldSchema } from '../../src/schema/types.js';
import type { SearchResult } from '../../src/service/types.js';
import { emptyContext } from '../../src/server/grpc/codec/context.js';
import { PlaceholderType, vectorsFromPlaceholderGroup, primaryKeysFromWire } from '../../src/server/grpc/codec/placeholder.js';
import { hybridSearchFromWire, queryFromWire, rankerFromParams, searchFromWire, searchResultsToWire } from '../../src/server/grpc/codec/search.js';
import { sparseToBytes } from '../../src/server/grpc/codec/vector-bytes.js';
import { roundTrip, sdkEncode, sdkMilvusRoot } from './wire-helpers.js';

/** Placeholder bytes built with the SDK's own camelCase descriptor. */
function placeholder(type: number, values: Buffer[]): Buffer {
  return Buffer.from(sdkEncode(sdkMilvusRoot, 'milvus.proto.common.PlaceholderGroup', { placeholders: [{ tag: '$0', type, values }] }));
}

function f32(...xs: number[]): Buffer {
  return Buffer.from(Float32Array.from(xs).buffer);
}

test('placeholder groups decode to columns of nq query vectors', () => {
  assert.deepEqual(vectorsFromPlaceholderGroup(placeholder(PlaceholderType.FloatVector, [f32(1, 2), f32(3, 4), f32(5, 6)])),
    { kind: 'floatVector', dim: 2, data: Float32Array.of(1, 2, 3, 4, 5, 6), valid: null });
  assert.deepEqual(vectorsFromPlaceholderGroup(placeholder(PlaceholderType.BinaryVector, [Buffer.from([1, 2])])),
    { kind: 'binaryVector', dim: 16, data: Uint8Array.of(1, 2), valid: null });
  const h = vectorsFromPlaceholderGroup(placeholder(PlaceholderType.Float16Vector, [Buffer.from([0x00, 0x3c, 0x00, 0xc0])]));
  assert.deepEqual(h, { kind: 'float16Vector', dim: 2, data: Uint16Array.of(0x3c00, 0xc000), valid: null });
  assert.equal(vectorsFromPlaceholderGroup(placeholder(PlaceholderType.BFloat16Vector, [Buffer.from([0, 0x3f])])).kind, 'bfloat16Vector');
  assert.deepEqual(vectorsFromPlaceholderGroup(placeholder(PlaceholderType.Int8Vector, [Buffer.from([0xff, 2])])).data, Int8Array.of(-1, 2));
  const sp = vectorsFromPlaceholderGroup(placeholder(PlaceholderType.SparseFloatVector, [sparseToBytes({ indices: Uint32Array.of(7), values: Float32Array.of(0.25) }), sparseToBytes({ indices: Uint32Array.of(1, 2), values: Float32Array.of(1, 2) })]));
  assert.ok(sp.kind === 'sparseVector');
  assert.deepEqual(sp.data.map((r) => Array.from(r.indices)), [[7], [1, 2]]);
  assert.deepEqual(vectorsFromPlaceholderGroup(placeholder(PlaceholderType.VarChar, [Buffer.from('hello')])).data, ['hello']);
});

test('placeholder groups with ragged vectors, no values or unknown types are rejected', () => {
  const isInput = (e: unknown): boolean => e instanceof MilvusError && e.code === 1100;
  assert.throws(() => vectorsFromPlaceholderGroup(placeholder(PlaceholderType.FloatVector, [f32(1, 2), f32(1)])), isInput);
  assert.throws(() => vectorsFromPlaceholderGroup(placeholder(PlaceholderType.FloatVector, [])), isInput);
  assert.throws(() => vectorsFromPlaceholderGroup(placeholder(300, [f32(1)])), isInput);
  assert.throws(() => vectorsFromPlaceholderGroup(Buffer.from([0xff, 0xff])), isInput);
});

function searchWire(params: Record<string, string>, extra: object = {}): Record<string, unknown> {
  return roundTrip('milvus.proto.milvus.SearchRequest', {
    collection_name: 'c', dsl: 'a > 1', output_fields: ['a'], partition_names: ['p'], nq: 1,
    placeholder_group: placeholder(PlaceholderType.FloatVector, [f32(1, 2)]), consistency_level: 0,
    search_params: Object.entries(params).map(([key, value]) => ({ key, value })), ...extra,
  });
}

test('search_params map onto SearchRequest fields (Node and pymilvus spellings)', () => {
  const r = searchFromWire(searchWire({
    anns_field: 'vec', topk: '10', offset: '5', metric_type: 'ip', params: '{"ef":64,"metric_type":"IP"}', ef: '64',
    round_decimal: '3', ignore_growing: 'False', group_by_field: 'g', group_size: '2', strict_group_size: 'TRUE',
    hints: 'iterative_filter',
  }), emptyContext);
  assert.equal(r.hints, 'iterative_filter');
  assert.equal(r.annsField, 'vec');
  assert.equal(r.topK, 10);
  assert.equal(r.offset, 5);
  assert.equal(r.metricType, 'IP');
  assert.deepEqual(r.params, { ef: 64, metric_type: 'IP' });
  assert.equal(r.roundDecimal, 3);
  assert.equal(r.ignoreGrowing, false);
  assert.equal(r.groupByField, 'g');
  assert.equal(r.groupSize, 2);
  assert.equal(r.strictGroupSize, true);
  assert.equal(r.filter, 'a > 1');
  assert.deepEqual(r.partitionNames, ['p']);
  assert.equal(r.consistencyLevel, 0);
  assert.equal(r.nq, 1);
  assert.equal(r.vectors?.kind, 'floatVector');
  const bare = searchFromWire(searchWire({ topk: '3', round_decimal: '-1' }), emptyContext);
  assert.equal(bare.metricType, '');
  assert.equal(bare.roundDecimal, undefined);
  assert.equal(bare.annsField, undefined);
  assert.throws(() => searchFromWire(searchWire({}), emptyContext), /topk/);
  assert.throws(() => searchFromWire(searchWire({ topk: '3', params: '[1]' }), emptyContext), /params/);
  assert.throws(() => searchFromWire(searchWire({ topk: 'ten' }), emptyContext), /topk/);
});

test('search by ids and expr_template_values (int64 as bigint, nested arrays, JSON)', () => {
  const r = searchFromWire(searchWire({ topk: '2' }, {
    placeholder_group: undefined, nq: 0, ids: { int_id: { data: ['9007199254740993', '2'] } },
    expr_template_values: {
      big: { int64_val: '9007199254740993' }, f: { float_val: 0.5 }, s: { string_val: 'x' }, b: { bool_val: true },
      arr: { array_val: { array_data: { data: [{ long_data: { data: ['1', '2'] } }, { string_data: { data: ['a'] } }] } } },
      objs: { array_val: { json_data: { data: [Buffer.from('{"k":1}')] } } },
    },
  }), emptyContext);
  assert.equal(r.vectors, undefined);
  assert.deepEqual(r.ids, { kind: 'int64', data: BigInt64Array.of(9007199254740993n, 2n) });
  assert.equal(r.nq, 2);
  assert.deepEqual(r.templateValues, { big: 9007199254740993n, f: 0.5, s: 'x', b: true, arr: [[1n, 2n], ['a']], objs: [{ k: 1 }] });
  assert.deepEqual(primaryKeysFromWire({ str_id: { data: ['a'] }, id_field: 'str_id' }), { kind: 'varchar', data: ['a'] });
});

test('rank_params: Node default RRF(60), weighted with norm_score, bad strategies rejected', () => {
  assert.deepEqual(rankerFromParams({ strategy: 'rrf', params: '{"k":60}' }), { strategy: 'rrf', k: 60 });
  assert.deepEqual(rankerFromParams({}), { strategy: 'rrf', k: 60 });
  assert.deepEqual(rankerFromParams({ strategy: 'weighted', params: '{"weights":[0.7,0.3],"norm_score":true}' }), { strategy: 'weighted', weights: [0.7, 0.3], normScore: true });
  assert.throws(() => rankerFromParams({ strategy: 'weighted', params: '{"weights":"x"}' }), /weights/);
  assert.throws(() => rankerFromParams({ strategy: 'magic' }), /not supported/);
});

test('hybrid search: sub-requests inherit collection and db; limit/offset from rank_params', () => {
  const wire = roundTrip('milvus.proto.milvus.HybridSearchRequest', {
    db_name: 'd', collection_name: 'c', output_fields: ['*'], partition_names: [],
    requests: [searchWire({ anns_field: 'a', topk: '5' }), searchWire({ anns_field: 'b', topk: '7' })],
    rank_params: [{ key: 'strategy', value: 'rrf' }, { key: 'params', value: '{"k":10}' }, { key: 'limit', value: '3' }, { key: 'offset', value: '1' }, { key: 'round_decimal', value: '-1' }],
  });
  const r = hybridSearchFromWire(wire, emptyContext);
  assert.equal(r.topK, 3);
  assert.equal(r.offset, 1);
  assert.deepEqual(r.ranker, { strategy: 'rrf', k: 10 });
  assert.deepEqual(r.requests.map((x) => [x.annsField, x.topK, x.dbName, x.collectionName]), [['a', 5, 'd', 'c'], ['b', 7, 'd', 'c']]);
  assert.deepEqual(r.outputFields, ['*']);
});

test('function_score and highlighter decode from the wire (params as strings); a function of another type is refused', () => {
  const decay = { name: 'decay', type: 3, input_field_names: ['ts'], params: [{ key: 'reranker', value: 'decay' }, { key: 'origin', value: '100' }] };
  const boost = { name: 'b', type: 3, params: [{ key: 'reranker', value: 'boost' }, { key: 'weight', value: '0.5' }] };
  const withFn = { function_score: { functions: [decay, boost], params: [{ key: 'boost_mode', value: 'Sum' }] } };
  const highlighter = { type: 0, params: [{ key: 'pre_tags', value: '["<b>"]' }, { key: 'highlight_search_text', value: 'true' }] };
  const r = searchFromWire(searchWire({ topk: '3' }, { ...withFn, highlighter }), emptyContext);
  assert.deepEqual(r.functionScore, {
    functions: [
      { name: 'decay', inputFieldNames: ['ts'], params: { reranker: 'decay', origin: '100' } },
      { name: 'b', inputFieldNames: [], params: { reranker: 'boost', weight: '0.5' } },
    ],
    params: { boost_mode: 'Sum' },
  });
  assert.deepEqual(r.highlighter, { type: 'lexical', params: { pre_tags: '["<b>"]', highlight_search_text: 'true' } });
  const hybrid = roundTrip('milvus.proto.milvus.HybridSearchRequest', { collection_name: 'c', requests: [searchWire({ topk: '1' })], rank_params: [{ key: 'limit', value: '1' }], ...withFn });
  assert.equal(hybridSearchFromWire(hybrid, emptyContext).functionScore?.functions.length, 2);
  const bm25 = { function_score: { functions: [{ name: 'x', type: 1, params: [] }], params: [] } };
  assert.throws(() => searchFromWire(searchWire({ topk: '3' }, bm25), emptyContext), (e: unknown) => e instanceof MilvusError && e.code === 1100 && /BM25 is not rerank function/.test(e.message));
  assert.equal(searchFromWire(searchWire({ topk: '3' }), emptyContext).functionScore, undefined);
});

test('query_params give limit and offset; db_name falls back to the header', () => {
  const wire = roundTrip('milvus.proto.milvus.QueryRequest', {
    collection_name: 'c', expr: '', output_fields: ['count(*)'],
    query_params: [{ key: 'limit', value: '10' }, { key: 'offset', value: '2' }, { key: 'ignore_growing', value: 'false' }],
  });
  const q = queryFromWire(wire, { headerDbName: 'h', user: undefined });
  assert.deepEqual([q.limit, q.offset, q.dbName, q.filter], [10, 2, 'h', '']);
  assert.deepEqual(q.outputFields, ['count(*)']);
});

test('search results: flat arrays sliced by topks, ids, fields, int64 strings on the wire', () => {
  const pk: FieldSchema = {
    fieldId: 100, name: 'id', description: '', dataType: DataType.Int64, isPrimaryKey: true, autoId: false, isPartitionKey: false,
    isClusteringKey: false, isDynamic: false, nullable: false, defaultValue: null, dim: null, maxLength: null, maxCapacity: null, elementType: null, typeParams: {},
  };
  const r: SearchResult = {
    nq: 2, topK: 2, topks: [2, 1],
    ids: { kind: 'int64', data: BigInt64Array.of(9007199254740993n, 1n, 2n) },
    scores: Float32Array.of(0.5, 0.25, 1),
    columns: [{ field: pk, column: { kind: 'int64', data: BigInt64Array.of(9007199254740993n, 1n, 2n), valid: null } }],
    outputFields: ['id'], primaryFieldName: 'id', groupByValues: null,
  };
  const back = roundTrip('milvus.proto.milvus.SearchResults', searchResultsToWire(r, 'c'));
  const res = back['results'] as Record<string, unknown>;
  assert.equal(res['num_queries'], '2');
  assert.equal(res['top_k'], '2');
  assert.deepEqual(res['topks'], ['2', '1']);
  assert.deepEqual(res['scores'], [0.5, 0.25, 1]);
  assert.deepEqual((res['ids'] as { int_id: { data: string[] } }).int_id.data, ['9007199254740993', '1', '2']);
  assert.deepEqual(res['output_fields'], ['id']);
  assert.equal(res['primary_field_name'], 'id');
  assert.equal((res['fields_data'] as unknown[]).length, 1);
  assert.equal(back['collection_name'], 'c');
});
