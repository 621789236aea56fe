/**
 * Regression (found by test/fuzz/rest.test.ts): POST /api/v1/entities sized its rows from num_rows
 * before checking any column, so num_rows 2^32 threw RangeError (an unexpected 65535 with an error
 * logged) and num_rows 10^8 would allocate 10^8 row objects for a one-row body. num_rows must now
 * be a non-negative integer equal to every column's length before anything is allocated.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRest } from './helpers.js';

test('/api/v1 insert refuses a num_rows that does not match its columns, before allocating', { timeout: 60_000 }, async () => {
  const h = await startRest();
  try {
    const created = await h.v1('POST', 'collection', {
      collection_name: 'hostile',
      schema: { fields: [{ name: 'id', data_type: 5, is_primary_key: true }, { name: 'v', data_type: 101, type_params: [{ key: 'dim', value: '2' }] }] },
    });
    assert.deepEqual(created.json, {}, created.text);
    for (const numRows of [2 ** 32, -1, 1.5, 100_000_000]) {
      const t0 = Date.now();
      const r = await h.v1('POST', 'entities', { collection_name: 'hostile', num_rows: numRows, fields_data: [{ field_name: 'id', field: [1] }, { field_name: 'v', field: [[1, 0]] }] });
      const status = r.json['status'] as { code?: number; reason?: string };
      assert.equal(status.code, 1100, `num_rows ${numRows}: ${r.text}`);
      assert.ok(Date.now() - t0 < 2_000, `num_rows ${numRows} answered without building rows`);
    }
    const good = await h.v1('POST', 'entities', { collection_name: 'hostile', num_rows: 1, fields_data: [{ field_name: 'id', field: [1] }, { field_name: 'v', field: [[1, 0]] }] });
    assert.equal((good.json['status'] as { code?: number }).code, undefined, good.text);
    assert.deepEqual(h.unexpected, []);
  } finally {
    await h.stop();
  }
});
