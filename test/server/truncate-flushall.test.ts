/**
 * Milvus 2.6 collection RPCs through the Node SDK over gRPC: TruncateCollection (rows gone from
 * sealed segments, growing data and the WAL, schema / index / load state kept, and still gone after
 * a restart that replays the WAL), BatchDescribeCollection (one answer per name, each with its own
 * status) and FlushAll / GetFlushAllState (every collection of every database flushed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, type MilvusClient } from '@zilliz/milvus2-sdk-node';
import { startSextant, tempDataDir } from './harness.js';

const fields = [
  { name: 'id', data_type: DataType.Int64, is_primary_key: true },
  { name: 'v', data_type: DataType.FloatVector, dim: 2 },
];
const rows = (from: number, n: number): { id: number; v: number[] }[] => Array.from({ length: n }, (_, i) => ({ id: from + i, v: [from + i, 1] }));

async function count(c: MilvusClient, name: string): Promise<number> {
  const r = await c.query({ collection_name: name, filter: '', output_fields: ['count(*)'] });
  assert.equal(r.status.error_code, 'Success', r.status.reason);
  return Number(r.data[0]?.['count(*)']);
}

test('TruncateCollection empties a loaded collection (sealed, growing, WAL) and keeps its schema, index and load state, across a restart', { timeout: 120_000 }, async () => {
  const tmp = await tempDataDir();
  let s = await startSextant(tmp.dir);
  try {
    const c = s.client;
    assert.equal((await c.createCollection({ collection_name: 't', fields })).error_code, 'Success');
    await c.createPartition({ collection_name: 't', partition_name: 'p1' });
    await c.insert({ collection_name: 't', data: rows(0, 50) });
    await c.flushSync({ collection_names: ['t'] });
    await c.insert({ collection_name: 't', data: rows(50, 30) });
    await c.insert({ collection_name: 't', partition_name: 'p1', data: rows(100, 10) });
    await c.delete({ collection_name: 't', filter: 'id in [1, 2]' });
    await c.createIndex({ collection_name: 't', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
    await c.loadCollectionSync({ collection_name: 't' });
    assert.equal(await count(c, 't'), 88);

    const r = await c.truncateCollection({ collection_name: 't' });
    assert.equal(r.status.error_code, 'Success', r.status.reason);
    assert.equal(await count(c, 't'), 0);
    assert.equal((await c.getLoadState({ collection_name: 't' })).state, 'LoadStateLoaded');
    assert.deepEqual((await c.listPartitions({ collection_name: 't' })).data.map((p) => p.name), ['_default', 'p1']);
    assert.equal((await c.describeIndex({ collection_name: 't' })).index_descriptions.length, 1);
    await c.insert({ collection_name: 't', data: rows(1000, 3) });
    const hit = await c.search({ collection_name: 't', data: [1000, 1], limit: 5 });
    assert.deepEqual(hit.results.map((h) => String(h.id)).sort(), ['1000', '1001', '1002']);
    const missing = await c.truncateCollection({ collection_name: 'nope' });
    assert.equal(missing.status.code, 100);

    await s.stop();
    s = await startSextant(tmp.dir);
    await s.client.loadCollectionSync({ collection_name: 't' });
    assert.equal(await count(s.client, 't'), 3, 'a restart replays the WAL without the truncated rows');
    assert.deepEqual(s.unexpected, []);
  } finally {
    await s.stop();
    await tmp.remove();
  }
});

test('BatchDescribeCollection answers per name; FlushAll flushes every collection of every database', { timeout: 120_000 }, async () => {
  const tmp = await tempDataDir();
  const s = await startSextant(tmp.dir);
  try {
    const c = s.client;
    await c.createCollection({ collection_name: 'a', fields });
    await c.createCollection({ collection_name: 'b', fields: [...fields, { name: 'x', data_type: DataType.Int32 }] });
    const batch = await c.batchDescribeCollections({ collection_names: ['b', 'a'] });
    assert.equal(batch.status.error_code, 'Success', batch.status.reason);
    assert.deepEqual(batch.responses.map((r) => [r.status.code, r.collection_name, r.schema.name, r.schema.fields.length]), [[0, 'b', 'b', 3], [0, 'a', 'a', 2]]);
    const missing = await c.batchDescribeCollections({ collection_names: ['a', 'missing'] });
    assert.equal(missing.status.code, 100, 'a name that does not resolve fails the call');
    const empty = await c.batchDescribeCollections({ collection_names: [] });
    assert.notEqual(empty.status.error_code, 'Success');

    await c.createDatabase({ db_name: 'other' });
    await c.createCollection({ db_name: 'other', collection_name: 'o', fields });
    await c.insert({ collection_name: 'a', data: rows(0, 5) });
    await c.insert({ db_name: 'other', collection_name: 'o', data: rows(0, 7) });
    const persisted = async (db: string, name: string): Promise<number> => {
      const info = await c.getPersistentSegmentInfo({ dbName: db, collectionName: name } as Parameters<MilvusClient['getPersistentSegmentInfo']>[0]);
      return info.infos.filter((seg) => String(seg.state) !== 'Growing').reduce((n, seg) => n + Number(seg.num_rows), 0);
    };
    assert.equal(await persisted('default', 'a'), 0, 'not flushed yet');
    const all = await c.flushAllSync();
    assert.equal(all.status.error_code, 'Success', all.status.reason);
    assert.equal(all.flushed, true);
    assert.equal(await persisted('default', 'a'), 5);
    assert.equal(await persisted('other', 'o'), 7);
    const fa = await c.flushAll();
    assert.ok(BigInt(fa.flush_all_ts) > 0n);
    assert.equal((await c.getFlushAllState({ flush_all_ts: fa.flush_all_ts })).flushed, true);
    assert.deepEqual(s.unexpected, []);
  } finally {
    await s.stop();
    await tmp.remove();
  }
});
