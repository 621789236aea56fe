/**
 * Full-text search over gRPC with the Node SDK: the calls of the SDK repository's
 * test/grpc/FullTextSearch.spec.ts (official main, reference §5.1: describe, insert, BM25 index,
 * query refusal of function outputs, search by text, hybrid text + dense), with our own assertions,
 * plus scores checked against the formula computed here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, type MilvusClient } from '@zilliz/milvus2-sdk-node';
import { serverPerFile } from './harness.js';

let c: MilvusClient;
serverPerFile((r) => { c = r.client; });

type St = { error_code?: string | number; code?: number; reason?: string };
const ok = (r: St): void => assert.equal(r.error_code, 'Success', `expected Success, got ${String(r.code)} ${String(r.reason)}`);

const COLL = 'fts';
const TEXTS = ['apple', 'orange', 'apple', 'Abc9', 'orange', 'apple pie', 'orange', 'zz top', 'orange juice', 'kiwi'];

test('FullTextSearch.spec: create with two BM25 functions, describe, insert without outputs, index, load', async () => {
  ok(await c.createDatabase({ db_name: 'FullTextSearch' }));
  await c.use({ db_name: 'FullTextSearch' });
  ok(await c.createCollection({
    collection_name: COLL,
    fields: [
      { name: 'vector', data_type: DataType.FloatVector, dim: 4 },
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
      { name: 'int64', data_type: DataType.Int64, is_partition_key: true },
      { name: 'float', data_type: DataType.Float, default_value: 1 },
      { name: 'bool', data_type: DataType.Bool, nullable: true },
      { name: 'text', data_type: DataType.VarChar, max_length: 20, enable_analyzer: true },
      { name: 'sparse', data_type: DataType.SparseFloatVector, is_function_output: true },
      { name: 'sparse2', data_type: DataType.SparseFloatVector },
      { name: 'int_field', data_type: DataType.Int32 },
    ],
    functions: [
      { name: 'bm25f1', description: 'bm25 function', type: 1, input_field_names: ['text'], output_field_names: ['sparse'], params: {} },
      { name: 'bm25f2', description: 'bm25 function', type: 1, input_field_names: ['text'], output_field_names: ['sparse2'], params: {} },
    ],
    num_partitions: 3,
    enable_dynamic_field: true,
    consistency_level: 'Strong',
  }));
  const d = await c.describeCollection({ collection_name: COLL });
  ok(d.status);
  assert.equal(d.schema.fields.length, 9);
  assert.equal(d.schema.fields.find((f) => f.is_function_output)?.name, 'sparse');
  assert.equal(d.schema.fields.find((f) => f.name === 'sparse2')?.is_function_output, true);
  assert.equal(d.schema.functions.length, 2);
  assert.deepEqual(d.schema.functions.map((f) => [f.name, f.type, f.input_field_names, f.output_field_names]),
    [['bm25f1', 'BM25', ['text'], ['sparse']], ['bm25f2', 'BM25', ['text'], ['sparse2']]]);

  const rows = TEXTS.map((text, i) => ({
    id: i + 1, vector: [i, 1, 0, 1], int64: i % 4, bool: i % 2 === 0, text, int_field: i * 10,
    dynamic_int64: i, dynamic_varChar: `v${i}`, dynamic_JSON: { i },
  }));
  const ins = await c.insert({ collection_name: COLL, data: rows });
  ok(ins.status);
  assert.equal(ins.insert_cnt, '10');
  ok(await c.createIndex({ collection_name: COLL, field_name: 'vector', index_type: 'HNSW', metric_type: 'COSINE', params: { M: 4, efConstruction: 8 } }));
  for (const field of ['sparse', 'sparse2']) {
    ok(await c.createIndex({
      collection_name: COLL, field_name: field, index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25',
      params: { drop_ratio_build: 0.3, bm25_k1: 1.25, bm25_b: 0.8 },
    }));
  }
  ok(await c.loadCollectionSync({ collection_name: COLL }));
});

test('FullTextSearch.spec: function outputs cannot be read; * and plain fields can', async () => {
  const refused = await c.query({ collection_name: COLL, expr: 'id > 0', output_fields: ['vector', 'id', 'text', 'sparse', 'sparse2'], limit: 10 });
  assert.equal(refused.status.error_code, 'UnexpectedError');
  assert.equal(refused.status.reason, 'not allowed to retrieve raw data of field sparse');
  const q = await c.query({ collection_name: COLL, expr: 'id > 0', output_fields: ['vector', 'id', 'text', '$meta'], limit: 10 });
  ok(q.status);
  assert.equal(q.data.length, 10);
  const all = await c.query({ collection_name: COLL, expr: 'id == 1', output_fields: ['*'] });
  ok(all.status);
  assert.ok(!('sparse' in all.data[0]!) && !('sparse2' in all.data[0]!));
  assert.equal(all.data[0]!['text'], 'apple');
});

/** The reference formula (§1.5) over TEXTS with k1 1.25, b 0.8, for a one-term query, in float64. */
function expectedScore(term: string, text: string): number {
  const tok = (t: string): string[] => Array.from(t.toLowerCase().match(/[\p{Alphabetic}\p{N}]+/gu) ?? []);
  const docs = TEXTS.map(tok);
  const n = docs.length, avgdl = docs.reduce((a, d) => a + d.length, 0) / n;
  const df = docs.filter((d) => d.includes(term)).length;
  const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
  const d = tok(text), tf = d.filter((x) => x === term).length;
  return idf * (tf * 2.25) / (tf + 1.25 * (1 - 0.8 + 0.8 * d.length / avgdl));
}

test('FullTextSearch.spec: search by text (one and two texts, drop_ratio_search, no metric), hybrid text + dense', async () => {
  const one = await c.search({ collection_name: COLL, data: 'apple', anns_field: 'sparse', output_fields: ['*'], params: { drop_ratio_search: 0.6 }, limit: 10 });
  ok(one.status);
  assert.deepEqual(one.results.map((r) => r['id']).sort(), ['1', '3', '6']);
  assert.equal(one.results[0]!['text'], 'apple');
  assert.ok(!('sparse' in one.results[0]!), 'function outputs are not returned by *');
  for (const r of one.results) assert.ok(Math.abs(r.score - expectedScore('apple', String(r['text']))) < 1e-5, `score ${r.score} for ${String(r['text'])}`);
  assert.ok(one.results[0]!.score > one.results[2]!.score, 'a shorter text with the term scores higher');

  const two = await c.search({ collection_name: COLL, data: ['apple', 'banana'], anns_field: 'sparse', output_fields: ['*'], params: { drop_ratio_search: 0.6 }, limit: 10 });
  ok(two.status);
  assert.equal(two.results.length, 2);
  const [apple, banana] = two.results as unknown as unknown[][];
  assert.equal(apple!.length, 3);
  assert.equal(banana!.length, 0, 'a term no document holds finds nothing');

  const hybrid = await c.search({
    collection_name: COLL, output_fields: ['id', 'text'], limit: 5,
    data: [{ data: 'apple', anns_field: 'sparse', params: { nprobe: 2 } }, { data: [1, 2, 3, 4], anns_field: 'vector' }],
  });
  ok(hybrid.status);
  assert.equal(hybrid.results.length, 5);
  const ids = new Set(hybrid.results.map((r) => String(r['id'])));
  for (const id of ['1', '3', '6']) assert.ok(ids.has(id), `text hit ${id} fused in`);

  const weighted = await c.search({
    collection_name: COLL, output_fields: ['id'], limit: 3, rerank: { strategy: 'weighted', params: { weights: [1, 0], norm_score: true } },
    data: [{ data: 'orange juice', anns_field: 'sparse2' }, { data: [1, 2, 3, 4], anns_field: 'vector' }],
  });
  ok(weighted.status);
  // With norm_score, BM25 is normalised as Milvus does (2·atan(s)/π): the best text hit first.
  assert.equal(String(weighted.results[0]!['id']), '9');
  const bm = await c.search({ collection_name: COLL, data: 'orange juice', anns_field: 'sparse2', limit: 1 });
  assert.ok(Math.abs(weighted.results[0]!.score - (2 * Math.atan(bm.results[0]!.score)) / Math.PI) < 1e-6);
});

test('BM25 metric rules: only on a BM25 output field; a search metric other than BM25 is refused', async () => {
  ok(await c.createCollection({
    collection_name: 'plain_sparse',
    fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'sp', data_type: DataType.SparseFloatVector }],
  }));
  const r = await c.createIndex({ collection_name: 'plain_sparse', field_name: 'sp', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' });
  assert.equal(r.code, 1100);
  assert.match(r.reason, /only BM25 Function output field support BM25 metric type/);
  const ip = await c.search({ collection_name: COLL, data: 'apple', anns_field: 'sparse', metric_type: 'IP', limit: 3 });
  assert.equal(ip.status.code, 1100);
  assert.match(ip.status.reason, /metric type not match/);
});
