/**
 * Upsert in merge mode (Milvus 2.6 `partial_update`) and `field_ops` ARRAY_APPEND / ARRAY_REMOVE,
 * through the Node SDK over gRPC and through the embedded client: fields left out keep their stored
 * values (vectors, nullable scalars, dynamic keys merged), a new primary key needs every field that is
 * neither nullable nor defaulted, a non-REPLACE op turns merge mode on by itself, ARRAY_REMOVE drops
 * every equal element, and Milvus's refusals (capacity, op on a non-array field, op on the pk).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, type InsertReq, type QueryReq, type UpsertReq } from '@zilliz/milvus2-sdk-node';
import { open } from '../../src/client/index.js';
import { startSextant, tempDataDir } from './harness.js';

interface Status { error_code: string | number; reason: string }
interface Api {
  upsert(req: UpsertReq): Promise<{ status: Status }>;
  query(req: QueryReq): Promise<{ status: Status; data: Record<string, unknown>[] }>;
}

const schema = [
  { name: 'id', data_type: DataType.Int64, is_primary_key: true },
  { name: 'v', data_type: DataType.FloatVector, dim: 2 },
  { name: 'a', data_type: DataType.Int32 },
  { name: 'd', data_type: DataType.Double, nullable: true },
  { name: 'tags', data_type: DataType.Array, element_type: DataType.VarChar, max_capacity: 4, max_length: 16 },
];

async function rowOf(c: Api, collection: string, id: number): Promise<Record<string, unknown>> {
  const r = await c.query({ collection_name: collection, filter: `id == ${id}`, output_fields: ['*'] });
  assert.equal(r.status.error_code, 'Success', r.status.reason);
  assert.equal(r.data.length, 1, `one row for id ${id}`);
  return r.data[0]!;
}

async function ok(p: Promise<{ status: Status }>): Promise<void> {
  const r = await p;
  assert.equal(r.status.error_code, 'Success', r.status.reason);
}

async function refused(p: Promise<{ status: Status }>, text: RegExp): Promise<void> {
  const r = await p;
  assert.notEqual(r.status.error_code, 'Success');
  assert.match(r.status.reason, text);
}

async function scenario(c: Api, name: string): Promise<void> {
  // Merge mode: only `a` and a new dynamic key are given; v, d, tags and the old dynamic key stay.
  await ok(c.upsert({ collection_name: name, partial_update: true, data: [{ id: 1, a: 10, color: 'red' }] }));
  const one = await rowOf(c, name, 1);
  assert.equal(one['a'], 10);
  assert.equal(one['d'], 1.5);
  assert.deepEqual(one['tags'], ['x', 'y']);
  assert.deepEqual((one['v'] as number[]).map((x) => Math.round(x * 10) / 10), [0.1, 0.2]);
  const meta = (one['$meta'] ?? one) as Record<string, unknown>;
  assert.equal(meta['size'], 3, 'stored dynamic key kept');
  assert.equal(meta['color'], 'red', 'given dynamic key added');
  // A new primary key is an insert: a field neither nullable nor defaulted must be given.
  await refused(c.upsert({ collection_name: name, partial_update: true, data: [{ id: 9, a: 1 }] }), /fieldSchema\(v\) has no corresponding fieldData pass in/);
  await ok(c.upsert({ collection_name: name, partial_update: true, data: [{ id: 9, a: 1, v: [1, 1], tags: [] }] }));
  assert.equal((await rowOf(c, name, 9))['d'], null, 'a nullable field left out of a new row is null');
  // field_ops: ARRAY_APPEND turns merge mode on without partial_update; `a` (not given) keeps 10.
  await ok(c.upsert({ collection_name: name, data: [{ id: 1, tags: ['x', 'z'] }], field_ops: [{ field_name: 'tags', op: 'ARRAY_APPEND' }] }));
  assert.deepEqual((await rowOf(c, name, 1))['tags'], ['x', 'y', 'x', 'z']);
  assert.equal((await rowOf(c, name, 1))['a'], 10);
  await refused(c.upsert({ collection_name: name, data: [{ id: 1, tags: ['w'] }], field_ops: [{ field_name: 'tags', op: 'ARRAY_APPEND' }] }),
    /ARRAY_APPEND on field "tags" row 0 gives length 5 exceeding max_capacity 4/);
  await refused(c.upsert({ collection_name: name, data: [{ id: 1, tags: ['1', '2', '3', '4', '5'] }], field_ops: [{ field_name: 'tags', op: 'ARRAY_APPEND' }] }),
    // (the embedded client converts rows first, so its row check speaks first there)
    /ARRAY_APPEND payload for field "tags" row 0 has length 5 exceeding max_capacity 4|the length \(5\) of array exceeds max capacity \(4\)/);
  // ARRAY_REMOVE drops every equal element; a value not there changes nothing.
  await ok(c.upsert({ collection_name: name, data: [{ id: 1, tags: ['x', 'q'] }, { id: 2, tags: ['q'] }], field_ops: [{ field_name: 'tags', op: 'ARRAY_REMOVE' }] }));
  assert.deepEqual((await rowOf(c, name, 1))['tags'], ['y', 'z']);
  assert.deepEqual((await rowOf(c, name, 2))['tags'], ['k']);
  await refused(c.upsert({ collection_name: name, data: [{ id: 1, a: 3 }], field_ops: [{ field_name: 'a', op: 'ARRAY_APPEND' }] }),
    /op ARRAY_APPEND requires Array field, but field "a" is Int32/);
  await refused(c.upsert({ collection_name: name, data: [{ id: 1, tags: [] }], field_ops: [{ field_name: 'id', op: 'ARRAY_REMOVE' }] }),
    /field "id" is the primary key and cannot carry a partial-update op/);
  // Without merge mode a left-out nullable field becomes null (override mode, unchanged).
  await ok(c.upsert({ collection_name: name, data: [{ id: 2, v: [0, 1], a: 5, tags: [] }] }));
  assert.equal((await rowOf(c, name, 2))['d'], null);
  const all = await c.query({ collection_name: name, filter: 'id > 0', output_fields: ['id'] });
  assert.deepEqual(all.data.map((r) => String(r['id'])).sort(), ['1', '2', '9'], 'each primary key once');
}

interface Setup {
  createCollection(req: { collection_name: string; fields: typeof schema; enable_dynamic_field: boolean }): Promise<unknown>;
  insert(req: InsertReq): Promise<unknown>;
  createIndex(req: { collection_name: string; field_name: string; index_type: string; metric_type: string }): Promise<unknown>;
  loadCollection(req: { collection_name: string }): Promise<unknown>;
}

async function prepare(c: Setup, name: string): Promise<void> {
  await c.createCollection({ collection_name: name, fields: schema, enable_dynamic_field: true });
  await c.insert({
    collection_name: name,
    fields_data: [
      { id: 1, v: [0.1, 0.2], a: 1, d: 1.5, tags: ['x', 'y'], size: 3 },
      { id: 2, v: [0.3, 0.4], a: 2, d: 2.5, tags: ['k'], size: 4 },
    ],
  });
  await c.createIndex({ collection_name: name, field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
  await c.loadCollection({ collection_name: name });
}

test('partial upsert and array field ops through the SDK over gRPC', { timeout: 120_000 }, async () => {
  const tmp = await tempDataDir();
  const s = await startSextant(tmp.dir);
  try {
    await prepare(s.client, 'pu');
    await scenario(s.client, 'pu');
    assert.deepEqual(s.unexpected, []);
  } finally {
    await s.stop();
    await tmp.remove();
  }
});

test('partial upsert and array field ops through the embedded client', { timeout: 120_000 }, async () => {
  const tmp = await tempDataDir();
  const client = await open(tmp.dir);
  try {
    await prepare(client, 'pu');
    await scenario(client, 'pu');
  } finally {
    await client.close();
    await tmp.remove();
  }
});
