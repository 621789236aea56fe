/**
 * Partial load (Milvus 2.5 `load_fields`, `skip_load_dynamic_field`) through the Node SDK over gRPC:
 * Milvus's rules for the field list (pk, a vector field, names that exist), a second load with another
 * list refused, fewer bytes loaded than a full load (the load budget's count), `*` naming loaded fields
 * only, and reads touching an unloaded field (output, filter, dynamic key) refused with Milvus's texts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusClient, DataType } from '@zilliz/milvus2-sdk-node';
import { SextantService } from '../../src/service/service.js';
import { startGrpcServer } from '../../src/server/grpc/server.js';
import { tempDataDir } from './harness.js';

const N = 300;

test('load_fields and skip_load_dynamic_field load only what they name; reads of the rest are refused', { timeout: 120_000 }, async () => {
  const tmp = await tempDataDir();
  const service = await SextantService.open({ dataDir: tmp.dir });
  const server = await startGrpcServer(service, { host: '127.0.0.1', port: 0, maxMessageBytes: 64 * 1024 * 1024 });
  const c = new MilvusClient({ address: `127.0.0.1:${server.port}`, logLevel: 'error' });
  try {
    await c.createCollection({
      collection_name: 'pl', enable_dynamic_field: true,
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'v', data_type: DataType.FloatVector, dim: 8 },
        { name: 'small', data_type: DataType.Int32 },
        { name: 'big', data_type: DataType.VarChar, max_length: 512 },
      ],
    });
    const rows = Array.from({ length: N }, (_, i) => ({ id: i, v: Array.from({ length: 8 }, (_, j) => (i * 7 + j) % 11), small: i, big: 'x'.repeat(400) + i, color: i % 3 }));
    await c.insert({ collection_name: 'pl', fields_data: rows });
    await c.flushSync({ collection_names: ['pl'] });
    await c.createIndex({ collection_name: 'pl', field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
    const bytesOf = (): number => service.engine.loader.loadedBytes;

    const noPk = await c.loadCollectionAsync({ collection_name: 'pl', load_fields: ['v', 'small'] });
    assert.match(noPk.reason, /load field list \[v small\] does not contain primary key field id/);
    const noVec = await c.loadCollectionAsync({ collection_name: 'pl', load_fields: ['id', 'small'] });
    assert.match(noVec.reason, /does not contain vector field/);
    const unknown = await c.loadCollectionAsync({ collection_name: 'pl', load_fields: ['id', 'v', 'color'] });
    assert.match(unknown.reason, /failed to get field schema by name: fieldName\(color\) not found/);

    assert.equal((await c.loadCollectionAsync({ collection_name: 'pl' })).error_code, 'Success');
    const fullBytes = bytesOf();
    await c.releaseCollection({ collection_name: 'pl' });
    const part = await c.loadCollectionAsync({ collection_name: 'pl', load_fields: ['id', 'v', 'small'], skip_load_dynamic_field: true });
    assert.equal(part.error_code, 'Success', part.reason);
    const partBytes = bytesOf();
    console.log(`loaded bytes: all fields ${fullBytes}, load_fields [id v small] + skip dynamic ${partBytes}`);
    // At least the `big` column's 400-byte strings are not held (the rest is fixed overhead: vector memory pages, caches).
    assert.ok(fullBytes - partBytes >= N * 400, `partial load holds fewer bytes (${partBytes} vs ${fullBytes})`);

    const again = await c.loadCollectionAsync({ collection_name: 'pl', load_fields: ['id', 'v', 'small', 'big'] });
    assert.match(again.reason, /can't change the load field list for loaded collection/);
    assert.match((await c.loadCollectionAsync({ collection_name: 'pl' })).reason, /can't change the load field list/);
    assert.equal((await c.loadCollectionAsync({ collection_name: 'pl', load_fields: ['id', 'v', 'small'], skip_load_dynamic_field: true })).error_code, 'Success');

    const q = await c.query({ collection_name: 'pl', filter: 'small < 3', output_fields: ['*'] });
    assert.equal(q.status.error_code, 'Success', q.status.reason);
    assert.equal(q.data.length, 3);
    assert.deepEqual(Object.keys(q.data[0]!).sort(), ['id', 'small', 'v'], '* names the loaded fields only');
    const outBig = await c.query({ collection_name: 'pl', filter: 'small < 3', output_fields: ['big'] });
    assert.match(outBig.status.reason, /field big is not loaded/);
    const filterBig = await c.query({ collection_name: 'pl', filter: 'big like "x%"', output_fields: ['id'] });
    assert.match(filterBig.status.reason, /cannot parse expression: big like "x%", error: field big is not loaded/);
    const dynOut = await c.search({ collection_name: 'pl', data: [[1, 2, 3, 4, 5, 6, 7, 8]], limit: 3, output_fields: ['color'] });
    assert.match(dynOut.status.reason, /field color cannot be returned since dynamic field not loaded/);
    const dynFilter = await c.search({ collection_name: 'pl', data: [[1, 2, 3, 4, 5, 6, 7, 8]], limit: 3, filter: 'color > 0' });
    assert.match(dynFilter.status.reason, /field color is dynamic but dynamic field is not loaded/);
    const s = await c.search({ collection_name: 'pl', data: [[1, 2, 3, 4, 5, 6, 7, 8]], limit: 3, filter: 'small >= 0', output_fields: ['small'] });
    assert.equal(s.status.error_code, 'Success', s.status.reason);
    assert.equal(s.results.length, 3);

    // Released, then loaded with every field again: everything is readable.
    await c.releaseCollection({ collection_name: 'pl' });
    assert.equal((await c.loadCollectionAsync({ collection_name: 'pl' })).error_code, 'Success');
    const all = await c.query({ collection_name: 'pl', filter: 'color == 1 and small < 5', output_fields: ['big', 'color'] });
    assert.equal(all.status.error_code, 'Success', all.status.reason);
    assert.equal(all.data.length, 2);
  } finally {
    await c.closeConnection();
    await server.close();
    await service.close();
    await tmp.remove();
  }
});
