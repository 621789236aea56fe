/**
 * The Node SDK's HttpClient (REST v2) against the real server: the paths, bodies and headers it
 * sends (dbName on every body, `Accept-Type-Allow-Int64: false`, Bearer user:password) must work.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpClient } from '@zilliz/milvus2-sdk-node';
import { startRest, type RestHarness } from './helpers.js';

let h: RestHarness;
let client: HttpClient;
before(async () => {
  h = await startRest();
  client = new HttpClient({ endpoint: h.baseUrl, username: 'root', password: 'Milvus' });
});
after(async () => {
  await h.stop();
  assert.deepEqual(h.unexpected, []);
});

function ok<T extends { code: number; message?: string }>(r: T): T {
  assert.equal(r.code, 0, r.message);
  return r;
}

test('HttpClient lifecycle: create (quick and schema), insert, search, query, get, delete, upsert, load, release', async () => {
  ok(await client.createCollection({ collectionName: 'sdk_quick', dimension: 2, metricType: 'L2' }));
  ok(await client.createCollection({
    collectionName: 'sdk_schema',
    schema: {
      autoID: true,
      fields: [
        { fieldName: 'pk', dataType: 'Int64', isPrimary: true },
        { fieldName: 'label', dataType: 'VarChar', elementTypeParams: { max_length: 16 } },
        { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
      ],
    },
    indexParams: [{ fieldName: 'vec', indexName: 'vec_idx', metricType: 'L2', params: { index_type: 'AUTOINDEX' } }],
  }));
  assert.deepEqual((ok(await client.listCollections())).data.sort(), ['sdk_quick', 'sdk_schema']);
  assert.equal(ok(await client.hasCollection({ collectionName: 'sdk_quick', dbName: 'default' })).data.has, true);
  const described = ok(await client.describeCollection({ collectionName: 'sdk_schema' }));
  assert.equal(described.data.load, 'LoadStateLoaded');
  assert.equal(described.data.fields.find((f) => f.primaryKey)?.autoId, true);

  const ins = ok(await client.insert({ collectionName: 'sdk_schema', data: [{ label: 'a', vec: [0, 0] }, { label: 'b', vec: [3, 0] }, { label: 'c', vec: [0, 4] }] }));
  assert.equal(ins.data.insertCount, 3);
  const ids = ins.data.insertIds as unknown as string[];
  assert.equal(ids.length, 3);
  assert.ok(ids.every((id) => typeof id === 'string' && /^\d+$/.test(id)), 'int64 ids as strings (the SDK sends Accept-Type-Allow-Int64: false)');

  const found = ok(await client.search({ collectionName: 'sdk_schema', data: [[0, 0]], limit: 3, outputFields: ['label'] }));
  const hits = found.data as unknown as Record<string, unknown>[];
  assert.deepEqual(hits.map((x) => [x['label'], x['distance']]), [['a', 0], ['b', 9], ['c', 16]]);
  assert.deepEqual(found.topks, [3]);

  const q = ok(await client.query({ collectionName: 'sdk_schema', filter: 'label in ["b", "c"]', outputFields: ['label'] }));
  assert.deepEqual(q.data.map((r) => r['label']).sort(), ['b', 'c']);
  const got = ok(await client.get({ collectionName: 'sdk_schema', id: [ids[1]!], outputFields: ['label'] }));
  assert.deepEqual(got.data.map((r) => r['label']), ['b']);

  ok(await client.delete({ collectionName: 'sdk_schema', filter: 'label == "a"' }));
  const after = ok(await client.search({ collectionName: 'sdk_schema', data: [[0, 0]], limit: 1, outputFields: ['label'] }));
  assert.equal((after.data as unknown as Record<string, unknown>[])[0]?.['label'], 'b');

  ok(await client.insert({ collectionName: 'sdk_quick', data: [{ id: 1, vector: [1, 1] }] }));
  const up = ok(await client.upsert({ collectionName: 'sdk_quick', data: [{ id: 1, vector: [5, 5], extra: 'x' }] }));
  assert.equal(up.data.upsertCount, 1);
  const row = ok(await client.get({ collectionName: 'sdk_quick', id: 1, outputFields: ['vector', 'extra'] }));
  assert.deepEqual(row.data, [{ id: '1', vector: [5, 5], extra: 'x' }]);

  ok(await client.releaseCollection({ collectionName: 'sdk_quick' }));
  assert.equal(ok(await client.getCollectionLoadState({ collectionName: 'sdk_quick' })).data.loadState, 'LoadStateNotLoad');
  const refused = await client.query({ collectionName: 'sdk_quick', filter: 'id > 0', outputFields: ['id'] });
  assert.equal(refused.code, 101);
  ok(await client.loadCollection({ collectionName: 'sdk_quick' }));
  assert.equal(ok(await client.getCollectionLoadState({ collectionName: 'sdk_quick' })).data.loadState, 'LoadStateLoaded');
  // Statistics count written rows (the upsert's replaced row until compaction); count(*) sees live rows.
  assert.equal(ok(await client.getCollectionStatistics({ collectionName: 'sdk_quick' })).data.rowCount, 2);
  const count = ok(await client.query({ collectionName: 'sdk_quick', filter: '', outputFields: ['count(*)'] }));
  assert.deepEqual(count.data, [{ 'count(*)': '1' }]);
});

test('HttpClient partitions, indexes, aliases, databases', async () => {
  ok(await client.createPartition({ collectionName: 'sdk_quick', partitionName: 'part' }));
  assert.deepEqual(ok(await client.listPartitions({ collectionName: 'sdk_quick' })).data, ['_default', 'part']);
  assert.equal(ok(await client.hasPartition({ collectionName: 'sdk_quick', partitionName: 'part' })).data.has, true);
  ok(await client.releasePartitions({ collectionName: 'sdk_quick', partitionNames: ['part'] }));
  ok(await client.dropPartition({ collectionName: 'sdk_quick', partitionName: 'part' }));
  assert.deepEqual(ok(await client.listIndexes({ collectionName: 'sdk_schema' })).data, ['vec_idx']);
  const idx = ok(await client.describeIndex({ collectionName: 'sdk_schema', indexName: 'vec_idx' }));
  assert.equal(idx.data[0]?.metricType, 'L2');
  ok(await client.createAlias({ collectionName: 'sdk_schema', aliasName: 'sdk_alias' }));
  assert.equal(ok(await client.describeAlias({ aliasName: 'sdk_alias' })).data.collectionName, 'sdk_schema');
  ok(await client.dropAlias({ aliasName: 'sdk_alias' }));
  ok(await client.createDatabase({ dbName: 'sdk_db' }));
  assert.ok(ok(await client.listDatabases()).data.includes('sdk_db'));
  assert.equal(ok(await client.describeDatabase({ dbName: 'sdk_db' })).data.dbName, 'sdk_db');
  ok(await client.dropDatabase({ dbName: 'sdk_db' }));
  ok(await client.dropCollection({ collectionName: 'sdk_quick' }));
  assert.equal(ok(await client.hasCollection({ collectionName: 'sdk_quick', dbName: 'default' })).data.has, false);
});

test('HttpClient users and roles: kept in a JSON file under the data dir (unenforced)', async () => {
  assert.deepEqual(ok(await client.listUsers()).data, ['root']);
  ok(await client.createUser({ userName: 'alice', password: 'secret-1' }));
  ok(await client.createRole({ roleName: 'reader' }));
  ok(await client.grantRoleToUser({ userName: 'alice', roleName: 'reader' }));
  ok(await client.grantPrivilegeToRole({ roleName: 'reader', objectType: 'Collection', objectName: '*', privilege: 'Search' }));
  assert.deepEqual(ok(await client.describeUser({ userName: 'alice' })).data, ['reader']);
  const role = ok(await client.describeRole({ roleName: 'reader' }));
  assert.deepEqual(role.data.map((g) => [g.objectType, g.objectName, g.privilege]), [['Collection', '*', 'Search']]);
  const wrong = await client.updateUserPassword({ userName: 'alice', password: 'not-it', newPassword: 'secret-2' });
  assert.notEqual(wrong.code, 0);
  ok(await client.updateUserPassword({ userName: 'alice', password: 'secret-1', newPassword: 'secret-2' }));
  const dup = await client.createUser({ userName: 'alice', password: 'secret-3' });
  assert.equal(dup.code, 1100);
  assert.deepEqual(ok(await client.listRoles()).data.sort(), ['admin', 'public', 'reader']);
  ok(await client.revokePrivilegeFromRole({ roleName: 'reader', objectType: 'Collection', objectName: '*', privilege: 'Search' }));
  ok(await client.revokeRoleFromUser({ userName: 'alice', roleName: 'reader' }));
  assert.deepEqual(ok(await client.describeUser({ userName: 'alice' })).data, []);
});
