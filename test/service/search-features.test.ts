/** Range search, grouping search, hybrid search (RRF and weighted), partition key routing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import type { Column } from '../../src/schema/column.js';
import { SextantService } from '../../src/service/service.js';
import type { SearchResult } from '../../src/service/types.js';
import { withTempDir } from '../support/tmp.js';

function ids(r: SearchResult): number[] {
  assert.equal(r.ids.kind, 'int64');
  return Array.from(r.ids.data as BigInt64Array, Number);
}

/** 1-d points at x = id on two vector fields: a = [id, 0], b = [0, 100 - id]. */
async function lineCollection(svc: SextantService, n: number) {
  await svc.createCollection({
    collectionName: 'line',
    fields: [
      { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
      { name: 'grp', dataType: DataType.Int32 },
      { name: 'a', dataType: DataType.FloatVector, dim: 2 },
      { name: 'b', dataType: DataType.FloatVector, dim: 2 },
    ],
  });
  const a = new Float32Array(n * 2);
  const b = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) { a[i * 2] = i; b[i * 2 + 1] = 100 - i; }
  const cols = new Map<string, Column>([
    ['id', { kind: 'int64', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), valid: null }],
    ['grp', { kind: 'int32', data: Int32Array.from({ length: n }, (_, i) => i % 3), valid: null }],
    ['a', { kind: 'floatVector', dim: 2, data: a, valid: null }],
    ['b', { kind: 'floatVector', dim: 2, data: b, valid: null }],
  ]);
  await svc.insert({ collectionName: 'line', numRows: n, columns: cols });
  await svc.createIndex({ collectionName: 'line', fieldName: 'a', params: { index_type: 'FLAT', metric_type: 'L2' } });
  await svc.createIndex({ collectionName: 'line', fieldName: 'b', params: { index_type: 'FLAT', metric_type: 'IP' } });
  await svc.loadCollection({ collectionName: 'line' });
}

const at = (x: number, y = 0): Column => ({ kind: 'floatVector', dim: 2, data: new Float32Array([x, y]), valid: null });

test('range search keeps range_filter <= d < radius for L2 and radius < s <= range_filter for IP', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    await lineCollection(svc, 50);
    // L2 from x=10: squared distances (i-10)^2; keep 4 <= d < 25 -> |i-10| in {2,3,4}.
    let r = await svc.search({ collectionName: 'line', annsField: 'a', nq: 1, topK: 100, vectors: at(10), params: { radius: 25, range_filter: 4 } });
    assert.deepEqual(ids(r).sort((x, y) => x - y), [6, 7, 8, 12, 13, 14]);
    // IP on b with query [0,1]: score 100 - i; keep 90 < s <= 95 -> i in 5..9.
    r = await svc.search({ collectionName: 'line', annsField: 'b', nq: 1, topK: 100, vectors: at(0, 1), params: { radius: 90, range_filter: 95 } });
    assert.deepEqual(ids(r), [5, 6, 7, 8, 9]);
    // A metric that does not match the index is refused.
    await assert.rejects(svc.search({ collectionName: 'line', annsField: 'a', metricType: 'IP', nq: 1, topK: 3, vectors: at(0) }),
      (e: unknown) => e instanceof MilvusError && e.code === 1100 && /metric type not match/.test(e.message));
    // Two vector fields and no anns field: Milvus asks for one.
    await assert.rejects(svc.search({ collectionName: 'line', nq: 1, topK: 3, vectors: at(0) }), /anns_field/);
    await svc.close();
  });
});

test('grouping search returns `limit` groups of up to group_size best hits', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    await lineCollection(svc, 30);
    const r = await svc.search({ collectionName: 'line', annsField: 'a', nq: 1, topK: 2, vectors: at(10), groupByField: 'grp', groupSize: 2 });
    assert.deepEqual(ids(r), [10, 7, 9, 12]); // g1: 10 (d=0), 7 and 13 tie at d=9 -> smaller row first; g0: 9, 12
    const g = r.groupByValues!.column as { data: Int32Array };
    assert.deepEqual(Array.from(g.data), [1, 1, 0, 0]);
    await svc.close();
  });
});

test('hybrid search fuses routes with RRF and with weighted normalised scores', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    await lineCollection(svc, 20);
    const reqA = { collectionName: 'line', annsField: 'a', nq: 1, topK: 5, vectors: at(0) };      // ranks 0,1,2,3,4
    const reqB = { collectionName: 'line', annsField: 'b', nq: 1, topK: 5, vectors: at(0, 1) };   // ranks 0,1,2,3,4 too (100 - i)
    const reqC = { collectionName: 'line', annsField: 'a', nq: 1, topK: 5, vectors: at(19) };     // ranks 19,18,17,16,15
    let r = await svc.hybridSearch({ collectionName: 'line', requests: [reqA, reqC], ranker: { strategy: 'rrf', k: 60 }, topK: 4 });
    // Every hit appears in one route at ranks 1..5: ties broken by PK, scores 1/61, 1/61, 1/62, 1/62.
    assert.deepEqual(ids(r), [0, 19, 1, 18]);
    assert.ok(Math.abs(r.scores[0]! - 1 / 61) < 1e-7);
    r = await svc.hybridSearch({ collectionName: 'line', requests: [reqA, reqB], ranker: { strategy: 'rrf', k: 10 }, topK: 3 });
    assert.deepEqual(ids(r), [0, 1, 2]);
    assert.ok(Math.abs(r.scores[0]! - 2 / 11) < 1e-6);
    // Weighted: a route with weight 0 contributes nothing; L2 distances map through 1 - 2 atan(d)/pi.
    r = await svc.hybridSearch({ collectionName: 'line', requests: [reqA, reqC], ranker: { strategy: 'weighted', weights: [1, 0], normScore: true }, topK: 2 });
    assert.deepEqual(ids(r), [0, 1]);
    assert.ok(Math.abs(r.scores[1]! - (1 - (2 * Math.atan(1)) / Math.PI)) < 1e-6);
    await assert.rejects(svc.hybridSearch({ collectionName: 'line', requests: [reqA, reqC], ranker: { strategy: 'weighted', weights: [1], normScore: true }, topK: 2 }), /number of weights/);
    await svc.close();
  });
});

test('partition key: rows spread over hash partitions, manual partitions refused, filters still exact', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    await svc.createCollection({
      collectionName: 'pk',
      numPartitions: 4,
      fields: [
        { name: 'id', dataType: DataType.VarChar, isPrimaryKey: true, maxLength: 16 },
        { name: 'tenant', dataType: DataType.Int64, isPartitionKey: true },
        { name: 'v', dataType: DataType.FloatVector, dim: 2 },
      ],
    });
    const n = 200;
    await svc.insert({
      collectionName: 'pk',
      numRows: n,
      columns: new Map<string, Column>([
        ['id', { kind: 'varchar', data: Array.from({ length: n }, (_, i) => `k${i}`), valid: null }],
        ['tenant', { kind: 'int64', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i % 10)), valid: null }],
        ['v', { kind: 'floatVector', dim: 2, data: new Float32Array(n * 2).map((_, i) => i), valid: null }],
      ]),
    });
    const parts = await svc.listPartitions({ collectionName: 'pk' });
    assert.deepEqual(parts.map((p) => p.name), ['_default_0', '_default_1', '_default_2', '_default_3']);
    const sizes = await Promise.all(parts.map((p) => svc.getPartitionStatistics({ collectionName: 'pk', partitionName: p.name })));
    assert.equal(sizes.reduce((s, x) => s + x.rowCount, 0), n);
    assert.ok(sizes.filter((s) => s.rowCount > 0).length >= 2, 'rows should spread over partitions');
    await assert.rejects(svc.createPartition({ collectionName: 'pk', partitionName: 'x' }), /partition key mode/);
    await svc.createIndex({ collectionName: 'pk', fieldName: 'v', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.loadCollection({ collectionName: 'pk' });
    const q = await svc.query({ collectionName: 'pk', filter: 'tenant == 3', outputFields: ['count(*)'] });
    assert.equal((q.columns[0]!.column.data as BigInt64Array)[0], 20n);
    await svc.close();
  });
});

test('databases, aliases and rename resolve names as Milvus does', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    const fields = [
      { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
      { name: 'v', dataType: DataType.FloatVector, dim: 2 },
    ];
    await svc.createDatabase({ dbName: 'shop' });
    await svc.createCollection({ dbName: 'shop', collectionName: 'items', fields });
    assert.deepEqual((await svc.listCollections({ dbName: 'shop' })).map((c) => c.name), ['items']);
    assert.deepEqual((await svc.listCollections({})).map((c) => c.name), []);
    await assert.rejects(svc.describeCollection({ collectionName: 'items' }), (e: unknown) => e instanceof MilvusError && e.code === 100 && e.errorCode === 'UnexpectedError' && /can't find collection/.test(e.message));
    await assert.rejects(svc.listCollections({ dbName: 'nope' }), (e: unknown) => e instanceof MilvusError && e.code === 800);
    await svc.createAlias({ dbName: 'shop', alias: 'goods', collectionName: 'items' });
    assert.equal((await svc.describeCollection({ dbName: 'shop', collectionName: 'goods' })).collectionName, 'items');
    await assert.rejects(svc.createAlias({ dbName: 'shop', alias: 'items', collectionName: 'items' }), (e: unknown) => e instanceof MilvusError && e.code === 1601);
    await assert.rejects(svc.describeAlias({ dbName: 'shop', alias: 'nope' }), (e: unknown) => e instanceof MilvusError && e.code === 1600);
    await assert.rejects(svc.dropCollection({ dbName: 'shop', collectionName: 'items' }), /associated aliases/);
    await svc.renameCollection({ dbName: 'shop', oldName: 'items', newName: 'products' });
    assert.equal((await svc.describeAlias({ dbName: 'shop', alias: 'goods' })).collectionName, 'products');
    await assert.rejects(svc.dropDatabase({ dbName: 'shop' }), /drop all collections first/);
    await svc.dropAlias({ dbName: 'shop', alias: 'goods' });
    await svc.dropCollection({ dbName: 'shop', collectionName: 'products' });
    await svc.dropDatabase({ dbName: 'shop' });
    assert.deepEqual((await svc.listDatabases()).map((d) => d.dbName), ['default']);
    await svc.close();
  });
});
