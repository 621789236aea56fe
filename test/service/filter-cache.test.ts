/**
 * Cached filters (plans by text per schema, results per chunk) never outlive what they were computed
 * for: a field added by schema evolution takes over a dynamic key of the same name, and the same
 * filter text must then read the new field, not the result kept from the dynamic key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../src/core/enums.js';
import { SextantClient } from '../../src/client/client.js';
import { SextantService } from '../../src/service/service.js';
import { withTempDir } from '../support/tmp.js';

test('a repeated filter reads a field added by schema evolution, not the kept dynamic-key result', async () => withTempDir(async (dir) => {
  const svc = await SextantService.open({ dataDir: dir });
  try {
    const client = new SextantClient(svc);
    await client.createCollection({ collection_name: 'c', dimension: 2, enable_dynamic_field: true });
    await client.insert({ collection_name: 'c', data: [{ id: 1, vector: [1, 0], x: 5 }, { id: 2, vector: [0, 1], x: 0 }, { id: 3, vector: [1, 1], x: 9 }] });
    const ids = async (): Promise<string[]> => {
      const r = await client.query({ collection_name: 'c', filter: 'x > 1', output_fields: ['id'] });
      return r.data.map((row) => String(row['id'])).sort();
    };
    assert.deepEqual(await ids(), ['1', '3'], 'dynamic key x');
    assert.deepEqual(await ids(), ['1', '3'], 'the same filter again (cached plan and result)');
    await svc.addCollectionField({ collectionName: 'c', field: { name: 'x', dataType: DataType.Int64, nullable: true } });
    assert.deepEqual(await ids(), [], 'x is now the new field, NULL in every row');
  } finally {
    await svc.close();
  }
}));
