/** Conformance, data edge cases: int64 precision, template values, progress errors, more vector types, grouping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, type MilvusClient } from '@zilliz/milvus2-sdk-node';
import { serverPerFile } from './harness.js';

let c: MilvusClient;
serverPerFile((r) => { c = r.client; });

type St = { error_code?: string | number; code?: number; reason?: string };
const ok = (r: St): void => assert.equal(r.error_code, 'Success', `expected Success, got ${String(r.code)} ${String(r.reason)}`);

const BIG = '9007199254740993'; // 2^53 + 1: lost by a double

test('int64 keys above 2^53 round-trip exactly; template values reach the filter', async () => {
  ok(await c.createCollection({
    collection_name: 'big',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
      { name: 'n', data_type: DataType.Int64, nullable: true },
      { name: 'cat', data_type: DataType.VarChar, max_length: 8 },
    ],
  }));
  const ins = await c.insert({
    collection_name: 'big',
    data: [
      { id: BIG, v: [1, 0], n: BIG, cat: 'a' },
      { id: '2', v: [0, 1], n: null, cat: 'b' },
      { id: '3', v: [1, 1], n: '-5', cat: 'a' },
    ],
  });
  ok(ins.status);
  assert.ok('int_id' in ins.IDs);
  assert.deepEqual(ins.IDs.int_id.data.map(String), [BIG, '2', '3']);
  ok(await c.createIndex({ collection_name: 'big', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
  const progress = await c.getLoadingProgress({ collection_name: 'big' });
  assert.equal(progress.status.code, 101, 'progress of an unloaded collection is an error, not 0%');
  ok(await c.loadCollectionSync({ collection_name: 'big' }));

  const q = await c.query({ collection_name: 'big', filter: `id == ${BIG}`, output_fields: ['id', 'n'] });
  ok(q.status);
  assert.equal(String(q.data[0]?.['id']), BIG);
  assert.equal(String(q.data[0]?.['n']), BIG);
  const nulls = await c.query({ collection_name: 'big', filter: 'n is null', output_fields: ['id', 'n'] });
  ok(nulls.status);
  assert.deepEqual(nulls.data.map((r) => [String(r['id']), r['n']]), [['2', null]]);

  const t = await c.query({ collection_name: 'big', filter: 'cat == {c} and id in {ids}', exprValues: { c: 'a', ids: [3, 2] }, output_fields: ['id'] });
  ok(t.status);
  assert.deepEqual(t.data.map((r) => String(r['id'])), ['3']);

  const del = await c.delete({ collection_name: 'big', filter: `id in [${BIG}]` });
  ok(del.status);
  assert.equal(Number(del.delete_cnt), 1);
  const count = await c.count({ collection_name: 'big' });
  assert.equal(count.data, 2);
});

test('int8 and bfloat16 vectors insert, index and search', async () => {
  ok(await c.createCollection({
    collection_name: 'vt',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'i8', data_type: DataType.Int8Vector, dim: 2 },
      { name: 'bf', data_type: DataType.BFloat16Vector, dim: 2 },
    ],
  }));
  const rows = [];
  for (let i = 0; i < 6; i++) rows.push({ id: i, i8: [i * 10, -i], bf: [i / 4, 1] });
  ok((await c.insert({ collection_name: 'vt', data: rows })).status);
  ok(await c.createIndex({ collection_name: 'vt', field_name: 'i8', index_type: 'FLAT', metric_type: 'L2' }));
  ok(await c.createIndex({ collection_name: 'vt', field_name: 'bf', index_type: 'FLAT', metric_type: 'L2' }));
  ok(await c.loadCollectionSync({ collection_name: 'vt' }));
  const a = await c.search({ collection_name: 'vt', anns_field: 'i8', data: [30, -3], limit: 1, output_fields: ['id'] });
  ok(a.status);
  assert.equal(Number(a.results[0]?.id), 3);
  const b = await c.search({ collection_name: 'vt', anns_field: 'bf', data: [1.25, 1], limit: 1, output_fields: ['id'] });
  ok(b.status);
  assert.equal(Number(b.results[0]?.id), 5);
});

test('grouping search returns at most group_size hits per group value', async () => {
  ok(await c.createCollection({
    collection_name: 'grp',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
      { name: 'g', data_type: DataType.VarChar, max_length: 4 },
    ],
  }));
  const rows = [];
  for (let i = 0; i < 12; i++) rows.push({ id: i, v: [i, 1], g: `g${i % 3}` });
  ok((await c.insert({ collection_name: 'grp', data: rows })).status);
  ok(await c.createIndex({ collection_name: 'grp', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
  ok(await c.loadCollectionSync({ collection_name: 'grp' }));
  const r = await c.search({ collection_name: 'grp', data: [0, 1], limit: 3, group_by_field: 'g', output_fields: ['id', 'g'] });
  ok(r.status);
  const groups = r.results.map((h) => String(h['g']));
  assert.equal(new Set(groups).size, groups.length, `one hit per group: ${groups.join(',')}`);
  assert.equal(groups.length, 3);
});

test('default output (*) carries dynamic keys to the SDK', async () => {
  ok(await c.createCollection({ collection_name: 'quick', dimension: 2 }));
  ok((await c.insert({ collection_name: 'quick', data: [{ id: 1, vector: [1, 2], extra: 'dyn' }] })).status);
  const r = await c.search({ collection_name: 'quick', data: [1, 2], limit: 1 });
  ok(r.status);
  const hit = r.results[0] as Record<string, unknown> | undefined;
  const meta = hit?.['$meta'] as Record<string, unknown> | undefined;
  assert.equal(hit?.['extra'] ?? meta?.['extra'], 'dyn');
});

test('upsert on an autoID collection replaces the row named by the supplied PK', async () => {
  ok(await c.createCollection({
    collection_name: 'auto',
    fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: true }, { name: 'v', data_type: DataType.FloatVector, dim: 2 }],
  }));
  const ins = await c.insert({ collection_name: 'auto', data: [{ v: [1, 2] }] });
  ok(ins.status);
  assert.ok('int_id' in ins.IDs);
  const up = await c.upsert({ collection_name: 'auto', data: [{ id: ins.IDs.int_id.data[0], v: [3, 4] }] });
  ok(up.status);
  assert.equal(Number(up.upsert_cnt), 1);
  ok(await c.createIndex({ collection_name: 'auto', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
  await c.loadCollectionSync({ collection_name: 'auto' });
  const rows = await c.query({ collection_name: 'auto', filter: 'id > 0', output_fields: ['v'] });
  assert.equal(rows.data.length, 1, 'the old row is replaced, not kept');
  assert.deepEqual(rows.data[0]?.['v'], [3, 4]);
});
