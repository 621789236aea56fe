/**
 * Regressions found by running milvus-sdk-node's own test/grpc specs against Sextant: each test
 * pins one Milvus behaviour those specs rely on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, type MilvusClient } from '@zilliz/milvus2-sdk-node';
import { formatTimestamptz, parseTimestamptz } from '../../src/schema/temporal.js';
import { serverPerFile } from './harness.js';

let c: MilvusClient;
serverPerFile((r) => { c = r.client; });

type St = { error_code?: string | number; code?: number; reason?: string };
const ok = (r: St): void => assert.equal(r.error_code, 'Success', `expected Success, got ${String(r.code)} ${String(r.reason)}`);

test('timestamptz text: offsets normalise to UTC microseconds and format back as RFC 3339 UTC', () => {
  assert.equal(parseTimestamptz('1970-01-01T00:00:00Z'), 0n);
  assert.equal(parseTimestamptz('1970-01-01T08:00:00+08:00'), 0n);
  assert.equal(parseTimestamptz('1969-12-31T23:59:59.999999Z'), -1n);
  assert.equal(parseTimestamptz('2024-02-29T12:00:00.5-05:30'), BigInt(Date.UTC(2024, 1, 29, 17, 30)) * 1000n + 500_000n);
  assert.equal(parseTimestamptz('2023-02-29T00:00:00Z'), null, 'no Feb 29 in 2023');
  assert.equal(parseTimestamptz('2025-13-01T00:00:00Z'), null);
  assert.equal(parseTimestamptz('yesterday'), null);
  assert.equal(formatTimestamptz(0n), '1970-01-01T00:00:00Z');
  assert.equal(formatTimestamptz(-1n), '1969-12-31T23:59:59.999999Z');
  assert.equal(formatTimestamptz(1_500_000n), '1970-01-01T00:00:01.5Z');
  const t = parseTimestamptz('2025-01-02T00:00:00.123456+08:00');
  assert.ok(t !== null);
  assert.equal(formatTimestamptz(t), '2025-01-01T16:00:00.123456Z');
});

test('Geometry (WKT) and Timestamptz fields: create, default, insert, query', async () => {
  ok(await c.createCollection({
    collection_name: 'geo_tz',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
      { name: 'g', data_type: DataType.Geometry },
      { name: 't', data_type: DataType.Timestamptz, default_value: '1984-04-14T15:00:00+08:00' },
    ],
  }));
  const d = await c.describeCollection({ collection_name: 'geo_tz' });
  const byName = new Map(d.schema.fields.map((f) => [f.name, f]));
  assert.equal(byName.get('g')?.data_type, 'Geometry');
  assert.equal(byName.get('t')?.data_type, 'Timestamptz');
  assert.equal(new Date(String(byName.get('t')?.default_value)).toISOString(), '1984-04-14T07:00:00.000Z');

  ok((await c.insert({
    collection_name: 'geo_tz',
    data: [
      { id: 1, v: [1, 0], g: 'POINT (1 2)', t: '2025-01-02T00:00:00.123456+08:00' },
      { id: 2, v: [0, 1], g: 'LINESTRING (0 0, 1 1)' },
    ],
  })).status);
  const bad = await c.insert({ collection_name: 'geo_tz', data: [{ id: 3, v: [1, 1], g: 'POINT (1 2)', t: 'not a time' }] });
  assert.equal(bad.status.code, 1100);
  const badGeo = await c.insert({ collection_name: 'geo_tz', data: [{ id: 3, v: [1, 1], g: 'CIRCLE (1 2)' }] });
  assert.equal(badGeo.status.code, 1100);

  ok(await c.createIndex({ collection_name: 'geo_tz', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
  ok(await c.loadCollectionSync({ collection_name: 'geo_tz' }));
  const q = await c.query({ collection_name: 'geo_tz', filter: 'id > 0', output_fields: ['id', 'g', 't'] });
  ok(q.status);
  const rows = q.data.map((r) => [String(r['id']), r['g'], r['t']]).sort();
  assert.deepEqual(rows, [
    ['1', 'POINT (1 2)', '2025-01-01T16:00:00.123456Z'],
    ['2', 'LINESTRING (0 0, 1 1)', '1984-04-14T07:00:00Z'],
  ]);
});

test('a null JSON value sent as empty bytes (how the Node SDK encodes it) is stored as NULL', async () => {
  ok(await c.createCollection({
    collection_name: 'json_null',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
      { name: 'j', data_type: DataType.JSON, nullable: true },
    ],
  }));
  ok((await c.insert({ collection_name: 'json_null', data: [{ id: 1, v: [1, 0], j: { a: 1 } }, { id: 2, v: [0, 1], j: null }] })).status);
  ok(await c.createIndex({ collection_name: 'json_null', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
  ok(await c.loadCollectionSync({ collection_name: 'json_null' }));
  const q = await c.query({ collection_name: 'json_null', filter: 'j is null', output_fields: ['id', 'j'] });
  ok(q.status);
  assert.deepEqual(q.data.map((r) => [String(r['id']), r['j']]), [['2', null]]);
});

test('AddCollectionField: old rows read the default or NULL (in memory, after flush and reload); bad adds are 1100', async () => {
  ok(await c.createCollection({
    collection_name: 'evolve',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
    ],
  }));
  ok((await c.insert({ collection_name: 'evolve', data: [{ id: 1, v: [1, 0] }] })).status);
  ok((await c.flushSync({ collection_names: ['evolve'] })).status);
  ok((await c.insert({ collection_name: 'evolve', data: [{ id: 2, v: [0, 1] }] })).status);
  ok(await c.createIndex({ collection_name: 'evolve', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
  ok(await c.loadCollectionSync({ collection_name: 'evolve' }));

  ok(await c.addCollectionField({
    collection_name: 'evolve',
    field: { name: 'tag', data_type: DataType.VarChar, max_length: 16, nullable: true, default_value: 'none' },
  }));
  ok(await c.addCollectionField({
    collection_name: 'evolve',
    field: { name: 'arr', data_type: DataType.Array, element_type: DataType.Int32, max_capacity: 4, nullable: true },
  }));
  const dup = await c.addCollectionField({ collection_name: 'evolve', field: { name: 'tag', data_type: DataType.Int32, nullable: true } });
  assert.equal(dup.code, 1100);
  const notNull = await c.addCollectionField({ collection_name: 'evolve', field: { name: 'n', data_type: DataType.Int32 } });
  assert.equal(notNull.code, 1100);
  const d = await c.describeCollection({ collection_name: 'evolve' });
  assert.deepEqual(d.schema.fields.map((f) => f.name), ['id', 'v', 'tag', 'arr']);
  assert.equal(new Set(d.schema.fields.map((f) => f.fieldID)).size, 4, 'the new fields get fresh ids');

  ok((await c.insert({ collection_name: 'evolve', data: [{ id: 3, v: [1, 1], tag: 'x', arr: [7] }] })).status);
  const read = async (): Promise<unknown[]> => {
    const q = await c.query({ collection_name: 'evolve', filter: 'id > 0', output_fields: ['id', 'tag', 'arr'] });
    ok(q.status);
    return q.data.map((r) => [String(r['id']), r['tag'], r['arr']]).sort();
  };
  const want = [['1', 'none', null], ['2', 'none', null], ['3', 'x', [7]]];
  assert.deepEqual(await read(), want);
  ok((await c.flushSync({ collection_names: ['evolve'] })).status);
  ok(await c.releaseCollection({ collection_name: 'evolve' }));
  ok(await c.loadCollectionSync({ collection_name: 'evolve' }));
  assert.deepEqual(await read(), want, 'segments written before the add are filled when read back');
  const f = await c.query({ collection_name: 'evolve', filter: 'tag == "none"', output_fields: ['id'] });
  assert.deepEqual(f.data.map((r) => String(r['id'])).sort(), ['1', '2']);

  // Milvus 2.6 adds nullable vector fields: rows written before read as null, searches skip them.
  await assert.rejects(c.addCollectionField({ collection_name: 'evolve', field: { name: 'w0', data_type: DataType.FloatVector, dim: 2 } }), /nullable=true/, 'the SDK refuses it before sending');
  ok(await c.addCollectionField({ collection_name: 'evolve', field: { name: 'w', data_type: DataType.FloatVector, dim: 2, nullable: true } }));
  const old = await c.query({ collection_name: 'evolve', filter: 'id > 0', output_fields: ['id', 'w'] });
  assert.deepEqual(old.data.map((r) => r['w']), [null, null, null]);
  ok((await c.insert({ collection_name: 'evolve', data: [{ id: 4, v: [0, 1], w: [5, 5] }] })).status);
  ok(await c.releaseCollection({ collection_name: 'evolve' }));
  ok(await c.createIndex({ collection_name: 'evolve', field_name: 'w', index_type: 'FLAT', metric_type: 'L2' }));
  ok(await c.loadCollectionSync({ collection_name: 'evolve' }));
  const hits = await c.search({ collection_name: 'evolve', anns_field: 'w', data: [[5, 5]], limit: 10, output_fields: ['id'] });
  ok(hits.status);
  assert.deepEqual(hits.results.map((h) => String(h['id'])), ['4'], 'only the row that has the new vector is found');
  for (const name of ['w2', 'w3']) ok(await c.addCollectionField({ collection_name: 'evolve', field: { name, data_type: DataType.FloatVector, dim: 2, nullable: true } }));
  const fifth = await c.addCollectionField({ collection_name: 'evolve', field: { name: 'w4', data_type: DataType.FloatVector, dim: 2, nullable: true } });
  assert.equal(fifth.code, 1100, 'four vector fields at most');
});

test('partition-key collections: Milvus error codes for create partition (65535), search (65535) and query (1100) with partition names', async () => {
  ok(await c.createCollection({
    collection_name: 'pkey',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
      { name: 'k', data_type: DataType.VarChar, max_length: 8, is_partition_key: true },
    ],
    num_partitions: 4,
  }));
  const cp = await c.createPartition({ collection_name: 'pkey', partition_name: 'p' });
  assert.equal(cp.code, 65535);
  assert.equal(cp.error_code, 'UnexpectedError');
  ok((await c.insert({ collection_name: 'pkey', data: [{ id: 1, v: [1, 0], k: 'a' }] })).status);
  ok(await c.createIndex({ collection_name: 'pkey', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
  ok(await c.loadCollectionSync({ collection_name: 'pkey' }));
  const q = await c.query({ collection_name: 'pkey', filter: 'id > 0', partition_names: ['p'] });
  assert.equal(q.status.code, 1100);
  const s = await c.search({ collection_name: 'pkey', data: [1, 0], partition_names: ['p'] });
  assert.equal(s.status.code, 65535);
  assert.match(s.status.reason, /partition key mode/);
});

test('CreateIndex without a name on a field that has an index adopts its name: same params succeed, different ones fail', async () => {
  ok(await c.createCollection({
    collection_name: 'idx_again',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
    ],
  }));
  ok(await c.createIndex({ collection_name: 'idx_again', field_name: 'v', index_name: 'named', index_type: 'FLAT', metric_type: 'COSINE' }));
  ok(await c.createIndex({ collection_name: 'idx_again', field_name: 'v', index_type: 'FLAT', metric_type: 'COSINE' }));
  const other = await c.createIndex({ collection_name: 'idx_again', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
  assert.notEqual(other.error_code, 'Success');
  const missing = await c.createIndex({ collection_name: 'idx_again', field_name: 'nope', index_type: 'FLAT', metric_type: 'L2' });
  assert.equal(missing.code, 65535);
  assert.match(missing.reason, /cannot create index on non-exist field: nope/);
  const d = await c.describeIndex({ collection_name: 'idx_again' });
  assert.deepEqual(d.index_descriptions.map((i) => i.index_name), ['named']);
});

test('ShowPartitions with type InMemory lists only loaded partitions', async () => {
  ok(await c.createCollection({
    collection_name: 'parts_loaded',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
    ],
  }));
  ok(await c.createPartition({ collection_name: 'parts_loaded', partition_name: 'hot' }));
  ok(await c.createPartition({ collection_name: 'parts_loaded', partition_name: 'cold' }));
  ok(await c.createIndex({ collection_name: 'parts_loaded', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
  ok(await c.loadPartitionsSync({ collection_name: 'parts_loaded', partition_names: ['hot'] }));
  const loaded = await c.showPartitions({ collection_name: 'parts_loaded', type: 1 });
  ok(loaded.status);
  assert.deepEqual(loaded.partition_names, ['hot']);
  const all = await c.showPartitions({ collection_name: 'parts_loaded' });
  assert.deepEqual([...all.partition_names].sort(), ['_default', 'cold', 'hot']);
});

test('AlterIndex sets and deletes mmap.enabled (seen in DescribeIndex); GetIndexStatistics describes indexes; other keys are 1100', async () => {
  ok(await c.createCollection({
    collection_name: 'idx_alter',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
    ],
  }));
  ok(await c.createIndex({ collection_name: 'idx_alter', field_name: 'v', index_name: 'vi', index_type: 'FLAT', metric_type: 'L2' }));
  const param = async (key: string): Promise<string | undefined> => {
    const d = await c.describeIndex({ collection_name: 'idx_alter', index_name: 'vi' });
    const v = d.index_descriptions[0]?.params.find((p) => p.key === key)?.value;
    return v === undefined ? undefined : String(v);
  };
  ok(await c.alterIndexProperties({ collection_name: 'idx_alter', index_name: 'vi', params: { 'mmap.enabled': true } }));
  assert.equal(await param('mmap.enabled'), 'true');
  ok(await c.dropIndexProperties({ collection_name: 'idx_alter', index_name: 'vi', properties: ['mmap.enabled'] }));
  assert.equal(await param('mmap.enabled'), undefined);
  assert.equal(await param('index_type'), 'FLAT');
  const bad = await c.alterIndexProperties({ collection_name: 'idx_alter', index_name: 'vi', params: { nlist: 8 } });
  assert.equal(bad.code, 1100);
  const stats = await c.getIndexStatistics({ collection_name: 'idx_alter', index_name: 'vi' });
  ok(stats.status);
  assert.deepEqual(stats.index_descriptions.map((i) => i.index_name), ['vi']);
});

test('search iterator v2: batches continue beyond the last bound and visit every row once, best first', async () => {
  ok(await c.createCollection({
    collection_name: 'iter',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
    ],
  }));
  const n = 50;
  const data = Array.from({ length: n }, (_, i) => ({ id: i, v: [Math.cos(i * 0.37) * (1 + i / 7), Math.sin(i * 0.37) * (1 + i / 7)] }));
  ok((await c.insert({ collection_name: 'iter', data })).status);
  ok(await c.createIndex({ collection_name: 'iter', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
  ok(await c.loadCollectionSync({ collection_name: 'iter' }));
  const it = await c.searchIterator({ collection_name: 'iter', data: [0.5, 0.5], batchSize: 7, limit: n });
  const seen: string[] = [];
  const scores: number[] = [];
  for await (const batch of it as AsyncIterable<{ id: string; score: number }[]>) {
    assert.ok(batch.length <= 7);
    for (const hit of batch) { seen.push(String(hit.id)); scores.push(hit.score); }
  }
  assert.equal(seen.length, n);
  assert.equal(new Set(seen).size, n, 'no row twice');
  for (let i = 1; i < scores.length; i++) assert.ok(scores[i]! >= scores[i - 1]!, 'L2 batches are best first');
});

test('GetCompactionStateWithPlans answers the compaction state', async () => {
  ok(await c.createCollection({
    collection_name: 'compact_plans',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
    ],
  }));
  const res = await c.compact({ collection_name: 'compact_plans' });
  ok(res.status);
  const plans = await c.getCompactionStateWithPlans({ compactionID: res.compactionID });
  ok(plans.status);
  const state = await c.getCompactionState({ compactionID: res.compactionID });
  assert.equal(plans.state, state.state);
});

test('AlterCollectionField: mmap.enabled and a larger VarChar max_length show in DescribeCollection and apply to inserts', async () => {
  ok(await c.createCollection({
    collection_name: 'alter_field',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
      { name: 's', data_type: DataType.VarChar, max_length: 4 },
    ],
  }));
  const long = { id: 1, v: [1, 0], s: 'abcdefgh' };
  assert.equal((await c.insert({ collection_name: 'alter_field', data: [long] })).status.code, 1100);
  ok(await c.alterCollectionFieldProperties({ collection_name: 'alter_field', field_name: 's', properties: { max_length: 16, 'mmap.enabled': true } }));
  const d = await c.describeCollection({ collection_name: 'alter_field' });
  const s = d.schema.fields.find((f) => f.name === 's') as unknown as Record<string, unknown>;
  assert.equal(s['max_length'], '16');
  assert.equal(s['mmap.enabled'], 'true');
  ok((await c.insert({ collection_name: 'alter_field', data: [long] })).status);
  const bad = await c.alterCollectionFieldProperties({ collection_name: 'alter_field', field_name: 'id', properties: { max_length: 16 } });
  assert.equal(bad.code, 1100);
});

test('Array fields of every element type round-trip through the SDK (packed floats arrive as a Float32Array)', async () => {
  const elements: [string, DataType][] = [
    ['a_bool', DataType.Bool], ['a_i8', DataType.Int8], ['a_i16', DataType.Int16], ['a_i32', DataType.Int32],
    ['a_i64', DataType.Int64], ['a_f32', DataType.Float], ['a_f64', DataType.Double], ['a_str', DataType.VarChar],
  ];
  ok(await c.createCollection({
    collection_name: 'arrays_all',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: 2 },
      ...elements.map(([name, element_type]) => ({ name, data_type: DataType.Array, element_type, max_capacity: 4, max_length: 8 })),
    ],
  }));
  const row = (i: number) => ({
    id: i, v: [i, 1],
    a_bool: [i % 2 === 0, true], a_i8: [i, -3], a_i16: [300, i], a_i32: [70000, i], a_i64: [i, 5],
    a_f32: [0.5, i + 0.25], a_f64: [1.125, i], a_str: [`s${i}`, 'x'],
  });
  ok((await c.insert({ collection_name: 'arrays_all', data: [row(1), row(2)] })).status);
  ok(await c.createIndex({ collection_name: 'arrays_all', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
  ok(await c.loadCollectionSync({ collection_name: 'arrays_all' }));
  const q = await c.query({ collection_name: 'arrays_all', filter: 'id > 0', output_fields: ['*'] });
  ok(q.status);
  const got = q.data.map((r) => Object.fromEntries(elements.map(([name]) => [name, (r[name] as unknown[]).map(String)])));
  got.sort((a, b) => String(a['a_str']).localeCompare(String(b['a_str'])));
  const want = [row(1), row(2)].map((r: Record<string, unknown>) => Object.fromEntries(elements.map(([name]) => [name, (r[name] as unknown[]).map(String)])));
  assert.deepEqual(got, want);
});
