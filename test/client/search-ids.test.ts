/** Search by primary keys through the embedded client: the service types the ids (no describe in the client). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, open } from '../../src/client/index.js';
import { withTempDir } from '../support/tmp.js';

test('search by ids: the stored vectors are the queries; ids of the wrong type get 1100 from the service', async () => {
  await withTempDir(async (dir) => {
    const client = await open(dir);
    try {
      const C = 'by_ids';
      await client.createCollection({ collection_name: C, fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim: 2 },
      ] });
      await client.insert({ collection_name: C, data: [{ id: 1, v: [0, 0] }, { id: 2, v: [1, 1] }, { id: 3, v: [5, 5] }] });
      await client.createIndex({ collection_name: C, field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
      await client.loadCollection({ collection_name: C });
      const r = await client.search({ collection_name: C, ids: [2, '3'], limit: 2 } as unknown as Parameters<typeof client.search>[0]);
      assert.equal(r.status.error_code, 'Success', r.status.reason);
      const hits = r.results as unknown as { id: string; score: number }[][];
      assert.deepEqual(hits.map((q) => q.map((h) => [h.id, h.score])), [[['2', 0], ['1', 2]], [['3', 0], ['2', 32]]]);
      const bad = await client.search({ collection_name: C, ids: ['x'], limit: 1 } as unknown as Parameters<typeof client.search>[0]);
      assert.equal(bad.status.code, 1100);
      assert.match(bad.status.reason, /primary key field id is Int64/);
    } finally {
      await client.close();
    }
  });
});
