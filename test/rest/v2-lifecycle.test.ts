/**
 * REST v2 with plain fetch through a whole lifecycle on a real server: schema and quick create,
 * insert, search (exact L2 oracle on axis vectors), query, get, delete, upsert, partitions, indexes,
 * aliases, databases, load/release, hybrid search, flush/compaction, int64 rendering.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { okData, rows, startRest, type RestHarness } from './helpers.js';

let h: RestHarness;
before(async () => { h = await startRest(); });
after(async () => {
  await h.stop();
  assert.deepEqual(h.unexpected, []);
});

const schemaForm = {
  collectionName: 'books',
  schema: {
    autoID: false,
    enableDynamicField: true,
    fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'title', dataType: 'VarChar', elementTypeParams: { max_length: 64 } },
      { fieldName: 'year', dataType: 'Int32' },
      { fieldName: 'big', dataType: 'Int64' },
      { fieldName: 'tags', dataType: 'Array', elementDataType: 'VarChar', elementTypeParams: { max_capacity: 4, max_length: 16 } },
      { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 4 } },
      { fieldName: 'w', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
    ],
  },
  indexParams: [
    { fieldName: 'v', indexName: 'v_idx', metricType: 'L2', params: { index_type: 'FLAT' } },
    { fieldName: 'w', indexName: 'w_idx', metricType: 'IP' },
  ],
};

/** Row i: v = [i, 0, 0, 0] (L2 to the origin is i*i), w = [1, i], year 2000 + i. */
function bookRows(from: number, to: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let i = from; i < to; i++) {
    out.push({ id: i, title: `book ${i}`, year: 2000 + i, big: String(2n ** 53n + BigInt(i)), tags: [`t${i % 2}`], v: [i, 0, 0, 0], w: [1, i], ...(i % 3 === 0 ? { shelf: `s${i}` } : {}) });
  }
  return out;
}

test('schema-form create with indexParams creates, indexes and loads', async () => {
  okData(await h.v2('collections/create', schemaForm));
  assert.deepEqual(okData(await h.v2('collections/has', { collectionName: 'books' })), { has: true });
  assert.deepEqual(okData(await h.v2('collections/has', { collectionName: 'nope' })), { has: false });
  assert.deepEqual(okData(await h.v2('collections/list', {})), ['books']);
  const state = okData(await h.v2('collections/get_load_state', { collectionName: 'books' })) as Record<string, unknown>;
  assert.equal(state['loadState'], 'LoadStateLoaded');
  assert.equal(state['loadProgress'], 100);
  const d = okData(await h.v2('collections/describe', { collectionName: 'books' })) as Record<string, unknown>;
  assert.equal(d['collectionName'], 'books');
  assert.equal(d['enableDynamicField'], true);
  assert.equal(d['load'], 'LoadStateLoaded');
  assert.equal(typeof d['collectionID'], 'number');
  const fields = d['fields'] as Record<string, unknown>[];
  assert.deepEqual(fields.map((f) => [f['name'], f['type']]), [
    ['id', 'Int64'], ['title', 'VarChar'], ['year', 'Int32'], ['big', 'Int64'], ['tags', 'Array'], ['v', 'FloatVector'], ['w', 'FloatVector'],
  ]);
  assert.equal(fields[0]?.['primaryKey'], true);
  assert.deepEqual(fields[5]?.['params'], [{ key: 'dim', value: '4' }]);
  assert.equal(fields[4]?.['elementType'], 'VarChar');
  const indexes = d['indexes'] as Record<string, unknown>[];
  assert.deepEqual(indexes.map((i) => [i['fieldName'], i['indexName'], i['metricType']]).sort(), [['v', 'v_idx', 'L2'], ['w', 'w_idx', 'IP']]);
});

test('insert returns counts and ids; int64 ids are strings unless Accept-Type-Allow-Int64: true', async () => {
  const r = okData(await h.v2('entities/insert', { collectionName: 'books', data: bookRows(0, 10) })) as Record<string, unknown>;
  assert.equal(r['insertCount'], 10);
  assert.deepEqual(r['insertIds'], ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  const one = okData(await h.v2('entities/insert', { collectionName: 'books', data: bookRows(10, 11)[0] }, { 'Accept-Type-Allow-Int64': 'true' })) as Record<string, unknown>;
  assert.deepEqual(one['insertIds'], [10]);
  assert.deepEqual(okData(await h.v2('collections/get_stats', { collectionName: 'books' })), { rowCount: 11 });
});

test('search: nearest axis vectors with exact squared L2, hits of several queries concatenated with topks', async () => {
  const r = await h.v2('entities/search', { collectionName: 'books', annsField: 'v', data: [[0, 0, 0, 0], [10, 0, 0, 0]], limit: 3, outputFields: ['title', 'year'] });
  const hits = rows(r);
  assert.deepEqual(r.body['topks'], [3, 3]);
  assert.deepEqual(hits.map((x) => [x['id'], x['distance'], x['title'], x['year']]), [
    ['0', 0, 'book 0', 2000], ['1', 1, 'book 1', 2001], ['2', 4, 'book 2', 2002],
    ['10', 0, 'book 10', 2010], ['9', 1, 'book 9', 2009], ['8', 4, 'book 8', 2008],
  ]);
  const filtered = rows(await h.v2('entities/search', {
    collectionName: 'books', annsField: 'v', data: [[0, 0, 0, 0]], limit: 2, filter: 'year >= 2005 and id != 6', searchParams: { metricType: 'L2' },
  }));
  assert.deepEqual(filtered.map((x) => x['id']), ['5', '7']);
  const templated = rows(await h.v2('entities/search', {
    collectionName: 'books', annsField: 'v', data: [[0, 0, 0, 0]], limit: 5, filter: 'year > {y}', exprParams: { y: 2007 },
  }));
  assert.deepEqual(templated.map((x) => x['id']), ['8', '9', '10']);
});

test('hybrid_search over two vector fields with RRF', async () => {
  const hits = rows(await h.v2('entities/hybrid_search', {
    collectionName: 'books',
    search: [
      { data: [[3, 0, 0, 0]], annsField: 'v', limit: 3 },
      { data: [[0, 1]], annsField: 'w', limit: 3, filter: 'id <= 3' },
    ],
    rerank: { strategy: 'rrf', params: { k: 60 } },
    limit: 2,
    outputFields: ['title'],
  }));
  // v ranks 3 first; w (IP with [0,1]) ranks 3 first among id <= 3: 3 wins in both lists.
  assert.equal(hits.length, 2);
  assert.equal(hits[0]?.['id'], '3');
  assert.equal(hits[0]?.['title'], 'book 3');
});

test('query, count, get; dynamic keys are flattened into the row', async () => {
  const q = rows(await h.v2('entities/query', { collectionName: 'books', filter: 'id in [3, 4]', outputFields: ['title', 'tags', 'shelf'] }));
  const byId = new Map(q.map((x) => [x['id'], x]));
  assert.deepEqual(byId.get('3'), { id: '3', title: 'book 3', tags: ['t1'], shelf: 's3' });
  assert.deepEqual(byId.get('4'), { id: '4', title: 'book 4', tags: ['t0'] });
  assert.deepEqual(rows(await h.v2('entities/query', { collectionName: 'books', filter: '', outputFields: ['count(*)'] })), [{ 'count(*)': '11' }]);
  assert.deepEqual(rows(await h.v2('entities/query', { collectionName: 'books', filter: 'id >= 0', outputFields: ['count(*)'] }, { 'Accept-Type-Allow-Int64': 'true' })), [{ 'count(*)': 11 }]);
  const limited = rows(await h.v2('entities/query', { collectionName: 'books', filter: 'id >= 0', outputFields: ['id'], limit: 2, offset: 1 }));
  assert.equal(limited.length, 2);
  const got = rows(await h.v2('entities/get', { collectionName: 'books', id: 7, outputFields: ['title', 'v'] }));
  assert.deepEqual(got, [{ id: '7', title: 'book 7', v: [7, 0, 0, 0] }]);
  const many = rows(await h.v2('entities/get', { collectionName: 'books', id: ['1', '2'], outputFields: ['year'] }));
  assert.deepEqual(many.map((x) => x['year']).sort(), [2001, 2002]);
  // A query names its consistency level as a search does (a query node waits for it).
  assert.equal(rows(await h.v2('entities/query', { collectionName: 'books', filter: 'id == 3', consistencyLevel: 'Strong' })).length, 1);
  const bad = await h.v2('entities/query', { collectionName: 'books', filter: 'id == 3', consistencyLevel: 'Sometimes' });
  assert.equal(bad.code, 1100, bad.text);
});

test('int64 values beyond 2^53 are exact: numbers with the header, strings without', async () => {
  const asNumber = await h.v2('entities/get', { collectionName: 'books', id: 5, outputFields: ['big'] }, { 'Accept-Type-Allow-Int64': 'true' });
  assert.match(asNumber.text, /"big":9007199254740997[,}]/);
  assert.match(asNumber.text, /"id":5[,}]/);
  const asString = await h.v2('entities/get', { collectionName: 'books', id: 5, outputFields: ['big'] });
  assert.match(asString.text, /"big":"9007199254740997"/);
});

test('int64 literals beyond 2^53 in request bodies are not rounded', async () => {
  const text = '{"collectionName": "books", "data": [{"id": 9007199254740993, "title": "big", "year": 1, "big": 9223372036854775807, "tags": [], "v": [100, 0, 0, 0], "w": [0, 0]}]}';
  const ins = await h.v2('entities/insert', text, { 'Accept-Type-Allow-Int64': 'true' });
  assert.match(ins.text, /"insertIds":\[9007199254740993\]/);
  const got = await h.v2('entities/get', '{"collectionName": "books", "id": 9007199254740993, "outputFields": ["big"]}', { 'Accept-Type-Allow-Int64': 'true' });
  assert.match(got.text, /^\{"code":0,"data":\[\{"id":9007199254740993,"big":9223372036854775807\}\]\}$/);
  okData(await h.v2('entities/delete', '{"collectionName": "books", "filter": "id == 9007199254740993"}'));
  assert.deepEqual(rows(await h.v2('entities/get', { collectionName: 'books', id: '9007199254740993' })), []);
});

test('delete by filter and by id, upsert replaces a row', async () => {
  okData(await h.v2('entities/delete', { collectionName: 'books', filter: 'id in [0]' }));
  okData(await h.v2('entities/delete', { collectionName: 'books', id: [1] }));
  const hits = rows(await h.v2('entities/search', { collectionName: 'books', annsField: 'v', data: [[0, 0, 0, 0]], limit: 1 }));
  assert.equal(hits[0]?.['id'], '2');
  const up = okData(await h.v2('entities/upsert', { collectionName: 'books', data: [{ ...bookRows(2, 3)[0], title: 'changed' }] })) as Record<string, unknown>;
  assert.equal(up['upsertCount'], 1);
  assert.deepEqual(up['upsertIds'], ['2']);
  const got = rows(await h.v2('entities/get', { collectionName: 'books', id: 2, outputFields: ['title'] }));
  assert.deepEqual(got, [{ id: '2', title: 'changed' }]);
  assert.deepEqual(rows(await h.v2('entities/query', { collectionName: 'books', filter: '', outputFields: ['count(*)'] })), [{ 'count(*)': '9' }]);
});

test('release makes reads fail with 101; load and refresh_load bring them back', async () => {
  okData(await h.v2('collections/release', { collectionName: 'books' }));
  assert.equal((okData(await h.v2('collections/get_load_state', { collectionName: 'books' })) as Record<string, unknown>)['loadState'], 'LoadStateNotLoad');
  const failed = await h.v2('entities/search', { collectionName: 'books', annsField: 'v', data: [[0, 0, 0, 0]], limit: 1 });
  assert.equal(failed.status, 200);
  assert.equal(failed.code, 101);
  assert.match(failed.message ?? '', /collection not loaded/);
  assert.equal(failed.data, undefined);
  okData(await h.v2('collections/load', { collectionName: 'books' }));
  okData(await h.v2('collections/refresh_load', { collectionName: 'books' }));
  assert.equal(rows(await h.v2('entities/query', { collectionName: 'books', filter: 'id == 4', outputFields: ['id'] })).length, 1);
});

test('partitions: create, list, has, insert into, stats, release/load, drop', async () => {
  okData(await h.v2('partitions/create', { collectionName: 'books', partitionName: 'p1' }));
  assert.deepEqual(okData(await h.v2('partitions/list', { collectionName: 'books' })), ['_default', 'p1']);
  assert.deepEqual(okData(await h.v2('partitions/has', { collectionName: 'books', partitionName: 'p1' })), { has: true });
  assert.deepEqual(okData(await h.v2('partitions/has', { collectionName: 'books', partitionName: 'p9' })), { has: false });
  okData(await h.v2('entities/insert', { collectionName: 'books', partitionName: 'p1', data: bookRows(20, 23) }));
  assert.deepEqual(okData(await h.v2('partitions/get_stats', { collectionName: 'books', partitionName: 'p1' })), { rowCount: 3 });
  okData(await h.v2('partitions/release', { collectionName: 'books', partitionNames: ['p1'] }));
  const r = await h.v2('entities/query', { collectionName: 'books', filter: 'id >= 20', partitionNames: ['p1'] });
  assert.equal(r.code, 201);
  assert.equal((okData(await h.v2('collections/get_load_state', { collectionName: 'books', partitionNames: ['p1'] })) as Record<string, unknown>)['loadState'], 'LoadStateNotLoad');
  assert.equal((okData(await h.v2('collections/get_load_state', { collectionName: 'books', partitionNames: '_default' })) as Record<string, unknown>)['loadState'], 'LoadStateLoaded');
  okData(await h.v2('partitions/load', { collectionName: 'books', partitionNames: ['p1'] }));
  assert.equal(rows(await h.v2('entities/query', { collectionName: 'books', filter: 'id >= 20', partitionNames: ['p1'], outputFields: ['id'] })).length, 3);
  okData(await h.v2('partitions/release', { collectionName: 'books', partitionNames: ['p1'] }));
  okData(await h.v2('partitions/drop', { collectionName: 'books', partitionName: 'p1' }));
  assert.deepEqual(okData(await h.v2('partitions/list', { collectionName: 'books' })), ['_default']);
});

test('quick create: id + vector, index with metricType, loaded, dynamic field on', async () => {
  okData(await h.v2('collections/create', { collectionName: 'quick', dimension: 3, metricType: 'IP' }));
  const d = okData(await h.v2('collections/describe', { collectionName: 'quick' })) as Record<string, unknown>;
  assert.deepEqual((d['fields'] as Record<string, unknown>[]).map((f) => f['name']), ['id', 'vector']);
  assert.equal(d['enableDynamicField'], true);
  assert.equal(d['load'], 'LoadStateLoaded');
  assert.deepEqual(okData(await h.v2('indexes/list', { collectionName: 'quick' })), ['vector']);
  const idx = okData(await h.v2('indexes/describe', { collectionName: 'quick', indexName: 'vector' })) as Record<string, unknown>[];
  assert.equal(idx[0]?.['metricType'], 'IP');
  assert.equal(idx[0]?.['indexType'], 'AUTOINDEX');
  assert.equal(idx[0]?.['indexState'], 'Finished');
  okData(await h.v2('entities/insert', { collectionName: 'quick', data: [{ id: 1, vector: [1, 0, 0], note: 'a' }, { id: 2, vector: [0, 2, 0] }] }));
  const hits = rows(await h.v2('entities/search', { collectionName: 'quick', data: [[0, 1, 0]], limit: 2, outputFields: ['note'] }));
  assert.deepEqual(hits.map((x) => [x['id'], x['distance']]), [['2', 2], ['1', 0]]);
  assert.equal(hits[1]?.['note'], 'a');
  okData(await h.v2('collections/create', { collectionName: 'quick_str', dimension: 2, idType: 'VarChar', autoID: false, params: { max_length: 8 } }));
  const ins = okData(await h.v2('entities/insert', { collectionName: 'quick_str', data: [{ id: 'k1', vector: [1, 1] }] })) as Record<string, unknown>;
  assert.deepEqual(ins['insertIds'], ['k1']);
});

test('indexes: create and drop on a released collection', async () => {
  okData(await h.v2('collections/create', {
    collectionName: 'ix', schema: { fields: [{ fieldName: 'pk', dataType: 'Int64', isPrimary: true }, { fieldName: 'e', dataType: 'FloatVector', elementTypeParams: { dim: 2 } }] },
  }));
  assert.deepEqual(okData(await h.v2('indexes/list', { collectionName: 'ix' })), []);
  assert.equal((await h.v2('collections/load', { collectionName: 'ix' })).code, 700);
  okData(await h.v2('indexes/create', { collectionName: 'ix', indexParams: [{ fieldName: 'e', indexName: 'e_hnsw', metricType: 'COSINE', params: { index_type: 'HNSW', M: 8, efConstruction: 64 } }] }));
  const idx = okData(await h.v2('indexes/describe', { collectionName: 'ix', indexName: 'e_hnsw' })) as Record<string, unknown>[];
  assert.deepEqual([idx[0]?.['indexType'], idx[0]?.['metricType'], idx[0]?.['fieldName']], ['HNSW', 'COSINE', 'e']);
  okData(await h.v2('indexes/drop', { collectionName: 'ix', indexName: 'e_hnsw' }));
  assert.deepEqual(okData(await h.v2('indexes/list', { collectionName: 'ix' })), []);
});

test('aliases, rename, properties', async () => {
  okData(await h.v2('aliases/create', { collectionName: 'books', aliasName: 'library' }));
  assert.deepEqual(okData(await h.v2('aliases/list', {})), ['library']);
  assert.deepEqual(okData(await h.v2('aliases/describe', { aliasName: 'library' })), { aliasName: 'library', collectionName: 'books', dbName: 'default' });
  assert.equal(rows(await h.v2('entities/get', { collectionName: 'library', id: 4, outputFields: ['title'] }))[0]?.['title'], 'book 4');
  okData(await h.v2('aliases/alter', { collectionName: 'quick', aliasName: 'library' }));
  assert.equal((okData(await h.v2('aliases/describe', { aliasName: 'library' })) as Record<string, unknown>)['collectionName'], 'quick');
  okData(await h.v2('aliases/drop', { aliasName: 'library' }));
  assert.deepEqual(okData(await h.v2('aliases/list', {})), []);

  okData(await h.v2('collections/alter_properties', { collectionName: 'ix', properties: { 'collection.ttl.seconds': 60 } }));
  let d = okData(await h.v2('collections/describe', { collectionName: 'ix' })) as Record<string, unknown>;
  assert.deepEqual(d['properties'], [{ key: 'timezone', value: 'UTC' }, { key: 'collection.ttl.seconds', value: '60' }]);
  okData(await h.v2('collections/drop_properties', { collectionName: 'ix', propertyKeys: ['collection.ttl.seconds'] }));
  d = okData(await h.v2('collections/describe', { collectionName: 'ix' })) as Record<string, unknown>;
  assert.deepEqual(d['properties'], [{ key: 'timezone', value: 'UTC' }], 'the zone every new collection carries stays');
  okData(await h.v2('collections/rename', { collectionName: 'ix', newCollectionName: 'ix2' }));
  assert.deepEqual(okData(await h.v2('collections/has', { collectionName: 'ix2' })), { has: true });
  assert.equal((await h.v2('collections/describe', { collectionName: 'ix' })).code, 100);
});

test('databases: create, list, describe, alter, use via dbName, drop', async () => {
  okData(await h.v2('databases/create', { dbName: 'db2', properties: { 'database.max.collections': 5 } }));
  assert.deepEqual((okData(await h.v2('databases/list', {})) as string[]).sort(), ['db2', 'default']);
  const d = okData(await h.v2('databases/describe', { dbName: 'db2' })) as Record<string, unknown>;
  assert.equal(d['dbName'], 'db2');
  assert.deepEqual(d['properties'], [{ key: 'database.max.collections', value: '5' }]);
  okData(await h.v2('databases/alter', { dbName: 'db2', properties: { 'database.force.deny.writing': false } }));
  okData(await h.v2('databases/drop_properties', { dbName: 'db2', propertyKeys: ['database.max.collections'] }));
  assert.deepEqual((okData(await h.v2('databases/describe', { dbName: 'db2' })) as Record<string, unknown>)['properties'], [{ key: 'database.force.deny.writing', value: 'false' }]);
  okData(await h.v2('collections/create', { dbName: 'db2', collectionName: 'inner', dimension: 2 }));
  assert.deepEqual(okData(await h.v2('collections/list', { dbName: 'db2' })), ['inner']);
  assert.ok(!(okData(await h.v2('collections/list', {})) as string[]).includes('inner'));
  assert.equal((await h.v2('collections/list', { dbName: 'nodb' })).code, 800);
  okData(await h.v2('collections/drop', { dbName: 'db2', collectionName: 'inner' }));
  okData(await h.v2('databases/drop', { dbName: 'db2' }));
  assert.deepEqual(okData(await h.v2('databases/list', {})), ['default']);
});

test('flush, compact, compaction state; drop', async () => {
  okData(await h.v2('collections/flush', { collectionName: 'books' }));
  const c = okData(await h.v2('collections/compact', { collectionName: 'books' })) as Record<string, unknown>;
  assert.equal(typeof c['compactionID'], 'number');
  // Compaction runs in the background (as in Milvus): Executing, then Completed; the deleted rows
  // stop counting once it completes.
  let state = '';
  for (let i = 0; i < 400 && state !== 'Completed'; i++) {
    const s = okData(await h.v2('collections/get_compaction_state', { collectionName: 'books', compactionID: c['compactionID'] })) as Record<string, unknown>;
    state = String(s['state']);
    assert.ok(state === 'Completed' || state === 'Executing', state);
    if (state !== 'Completed') await new Promise((r) => setTimeout(r, 25));
  }
  assert.equal(state, 'Completed');
  assert.deepEqual(okData(await h.v2('collections/get_stats', { collectionName: 'books' })), { rowCount: 9 });
  okData(await h.v2('collections/drop', { collectionName: 'books' }));
  assert.deepEqual(okData(await h.v2('collections/has', { collectionName: 'books' })), { has: false });
  assert.deepEqual(okData(await h.v2('collections/get_load_state', { collectionName: 'books' })), { loadState: 'LoadStateNotExist', loadProgress: 0, message: '' });
});
