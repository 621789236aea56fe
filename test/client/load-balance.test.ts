/**
 * LoadBalance on one process, as Milvus answers it: the collection is looked up without a name
 * check (100, legacy CollectionNotExists, what the SDK spec expects for an empty name), then it must
 * be loaded (101), then every node named must hold its replica (901); a valid request moves nothing.
 * Checked through the embedded client so the SDK-shaped statuses are what is compared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { DataType, open } from '../../src/client/index.js';
import { makeTempDir } from '../support/tmp.js';

test('LoadBalance answers 100 / 101 / 901 in Milvus order and moves nothing on one node', { timeout: 60_000 }, async () => {
  const dir = await makeTempDir();
  const client = await open(dir);
  try {
    const none = await client.loadBalance({ src_nodeID: 1 });
    assert.equal(none.error_code, 'CollectionNotExists');
    assert.equal(none.code, 100);
    await assert.rejects(client.loadBalance({} as never), /The `src_nodeID` property is missing/);
    await client.createCollection({
      collection_name: 'c',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'v', data_type: DataType.FloatVector, dim: 2 },
      ],
    });
    assert.equal((await client.loadBalance({ src_nodeID: 1, collectionName: 'c' })).code, 101);
    await client.insert({ collection_name: 'c', data: [{ id: 1, v: [0, 1] }] });
    await client.flush({ collection_names: ['c'] });
    await client.createIndex({ collection_name: 'c', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
    await client.loadCollection({ collection_name: 'c' });
    const wrongSrc = await client.loadBalance({ src_nodeID: 7, collectionName: 'c' });
    assert.equal(wrongSrc.code, 901);
    assert.match(wrongSrc.reason, /node not found\[node=7\]/);
    assert.equal((await client.loadBalance({ src_nodeID: 1, dst_nodeIDs: [2], collectionName: 'c' })).code, 901);
    assert.equal((await client.loadBalance({ src_nodeID: 1, sealed_segmentIDs: [123456789], collectionName: 'c' })).code, 1100);
    const ok = await client.loadBalance({ src_nodeID: 1, collectionName: 'c' });
    assert.equal(ok.error_code, 'Success');
    const res = await client.query({ collection_name: 'c', filter: 'id > 0', output_fields: ['id'] });
    assert.equal(res.data.length, 1, 'nothing moved, nothing lost');
  } finally {
    await client.close();
    await rm(dir, { recursive: true, force: true });
  }
});
