/**
 * Over gRPC with the Node SDK: the "Collection Function Operations" block of the SDK repository's
 * test/grpc/FullTextSearch.spec.ts (official main: add a TextEmbedding function, alter it, drop it),
 * Milvus's refusals with their status, the change surviving a server restart, and `analyzer_name`
 * picking the query analyzer of a multi-language BM25 field (`params: {analyzer_name}`, which the SDK
 * also flattens into the top-level search params Milvus reads).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, FunctionType, type MilvusClient } from '@zilliz/milvus2-sdk-node';
import { startSextant, tempDataDir, type Running } from './harness.js';
import { DOCS, MULTI, assertHits, expectedHits } from '../support/multi-lang.js';

let data: Awaited<ReturnType<typeof tempDataDir>>;
let s: Running;
let c: MilvusClient;
before(async () => {
  data = await tempDataDir();
  s = await startSextant(data.dir);
  c = s.client;
});
after(async () => {
  await s.stop();
  assert.deepEqual(s.unexpected, []);
  await data.remove();
});

type St = { error_code?: string | number; code?: number; reason?: string };
const ok = (r: St): void => assert.equal(r.error_code, 'Success', `expected Success, got ${String(r.code)} ${String(r.reason)}`);
const COLL = 'fn_ops';
const embedding = (description: string) => ({
  name: 'embedding_new', description, type: FunctionType.TEXTEMBEDDING, input_field_names: ['text'], output_field_names: ['vector'],
  params: { provider: 'openai', model_name: 'text-embedding-3-small' },
});

test('FullTextSearch.spec function operations: add, alter, drop a TextEmbedding function; client-side errors', async () => {
  ok(await c.createCollection({
    collection_name: COLL,
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'vector', data_type: DataType.FloatVector, dim: 1536 },
      { name: 'sparse', data_type: DataType.SparseFloatVector },
      { name: 'text', data_type: DataType.VarChar, max_length: 20, enable_analyzer: true },
      { name: 'int_field', data_type: DataType.Int32 },
    ],
  }));
  await assert.rejects(c.addCollectionFunction({ collection_name: COLL } as never), /The `function` property is missing./);
  await assert.rejects(c.alterCollectionFunction({ collection_name: COLL, function: embedding('x') } as never), /The `function_name` property is missing./);
  await assert.rejects(c.dropCollectionFunction({ collection_name: COLL } as never), /The `function_name` property is missing./);

  ok(await c.addCollectionFunction({ collection_name: COLL, function: embedding('text embedding function added via API') }));
  let d = await c.describeCollection({ collection_name: COLL });
  const added = d.schema.functions.find((f) => f.name === 'embedding_new');
  assert.deepEqual(added?.input_field_names, ['text']);
  assert.equal(added?.type, 'TextEmbedding');
  assert.equal(d.schema.fields.find((f) => f.name === 'vector')?.is_function_output, true);

  ok(await c.alterCollectionFunction({ collection_name: COLL, function_name: 'embedding_new', function: embedding('text embedding function altered via API') }));
  d = await c.describeCollection({ collection_name: COLL });
  assert.equal(d.schema.functions.find((f) => f.name === 'embedding_new')?.description, 'text embedding function altered via API');

  ok(await c.dropCollectionFunction({ collection_name: COLL, function_name: 'embedding_new' }));
  d = await c.describeCollection({ collection_name: COLL, cache: false });
  assert.equal(d.schema.functions.find((f) => f.name === 'embedding_new'), undefined);
  assert.equal(d.schema.fields.find((f) => f.name === 'vector')?.is_function_output, false);

  const missing = await c.addCollectionFunction({ collection_name: 'non_existent_collection', function: embedding('x') });
  assert.equal(missing.code, 100);
  const unknown = await c.alterCollectionFunction({ collection_name: COLL, function_name: 'non_existent_embedding_function', function: { ...embedding('x'), name: 'non_existent_embedding_function' } });
  assert.deepEqual([unknown.error_code, unknown.code, unknown.reason], ['UnexpectedError', 65535, 'Function non_existent_embedding_function not found']);
  ok(await c.dropCollectionFunction({ collection_name: COLL, function_name: 'non_existent_embedding_function' }));
});

test('BM25 functions cannot be added, altered or dropped (Milvus 2.6), with its status', async () => {
  const bm25 = { name: 'bm25', description: '', type: FunctionType.BM25, input_field_names: ['text'], output_field_names: ['sparse'], params: {} };
  const add = await c.addCollectionFunction({ collection_name: COLL, function: bm25 });
  assert.deepEqual([add.error_code, add.code, add.reason], ['UnexpectedError', 65535, 'Currently does not support adding BM25 function']);
  const alter = await c.alterCollectionFunction({ collection_name: COLL, function_name: 'bm25', function: bm25 });
  assert.deepEqual([alter.code, alter.reason], [65535, 'Currently does not support alter BM25 function']);
  const bad = await c.addCollectionFunction({ collection_name: COLL, function: { ...embedding('x'), output_field_names: ['sparse'] } });
  assert.deepEqual([bad.code, bad.reason?.includes('TextEmbedding function output field must be a FloatVector or Int8Vector field, but got SparseFloatVector')], [1100, true]);
});

test('a function added over gRPC is still there after a server restart', async () => {
  ok(await c.addCollectionFunction({ collection_name: COLL, function: embedding('kept') }));
  await s.stop();
  s = await startSextant(data.dir);
  c = s.client;
  const d = await c.describeCollection({ collection_name: COLL });
  assert.equal(d.schema.functions.find((f) => f.name === 'embedding_new')?.description, 'kept');
});

test('analyzer_name picks the query analyzer of a multi-language BM25 field over gRPC', async () => {
  ok(await c.createCollection({
    collection_name: 'ml',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'lang', data_type: DataType.VarChar, max_length: 16, nullable: true },
      { name: 'text', data_type: DataType.VarChar, max_length: 200, enable_analyzer: true, multi_analyzer_params: JSON.parse(MULTI) as Record<string, unknown> },
      { name: 'sparse', data_type: DataType.SparseFloatVector },
    ],
    functions: [{ name: 'bm25', description: '', type: FunctionType.BM25, input_field_names: ['text'], output_field_names: ['sparse'], params: {} }],
  }));
  ok((await c.insert({ collection_name: 'ml', data: DOCS.map((d) => ({ id: Number(d.id), lang: d.lang, text: d.text })) })).status);
  ok(await c.createIndex({ collection_name: 'ml', field_name: 'sparse', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' }));
  ok(await c.loadCollection({ collection_name: 'ml' }));
  const search = async (text: string, params: Record<string, unknown>): Promise<[string, number][]> => {
    const r = await c.search({ collection_name: 'ml', data: text, anns_field: 'sparse', limit: 10, params });
    ok(r.status);
    return r.results.map((h) => [String(h['id']), Number(h['score'])]);
  };
  assertHits(await search('running', { analyzer_name: 'en' }), expectedHits(['run']), 'en');
  assertHits(await search('running', {}), expectedHits(['running']), 'default');
  assertHits(await search('Running', { analyzer_name: 'nope' }), expectedHits(['Running']), 'unknown -> default');
  assertHits(await search('The sleeping dogs', { analyzer_name: 'english', drop_ratio_search: 0 }), expectedHits(['sleep', 'dog']), 'english');
});
