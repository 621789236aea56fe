/**
 * mmap.enabled through the doors the SDKs use besides gRPC (covered in test/server/sdk-compat):
 * REST v2 `collections/fields/alter_properties`, `indexes/alter_properties` / `drop_properties`, and
 * the embedded client's alterCollectionFieldProperties / alterIndexProperties / dropIndexProperties,
 * with Milvus's code 104 while loaded.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { okData, startRest, type RestHarness } from './helpers.js';
import { open, DataType } from '../../src/client/index.js';
import { withTempDir } from '../support/tmp.js';

let h: RestHarness;
before(async () => { h = await startRest(); });
after(async () => {
  await h.stop();
  assert.deepEqual(h.unexpected, []);
});

test('REST v2: field and index mmap.enabled, shown by describe, refused with 104 while loaded', async () => {
  okData(await h.v2('collections/create', {
    collectionName: 'mm',
    schema: { fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'n', dataType: 'Int32' },
      { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
    ] },
    indexParams: [{ fieldName: 'v', indexName: 'vi', metricType: 'L2', params: { index_type: 'FLAT' } }],
  }));
  okData(await h.v2('collections/release', { collectionName: 'mm' }));
  okData(await h.v2('collections/fields/alter_properties', { collectionName: 'mm', fieldName: 'n', fieldParams: { 'mmap.enabled': true } }));
  okData(await h.v2('indexes/alter_properties', { collectionName: 'mm', indexName: 'vi', properties: { 'mmap.enabled': 'true' } }));
  const d = okData(await h.v2('collections/describe', { collectionName: 'mm' })) as { fields: { name: string; params?: { key: string; value: string }[] }[] };
  const n = d.fields.find((f) => f.name === 'n');
  assert.ok(JSON.stringify(n).includes('mmap.enabled'), JSON.stringify(n));
  const idx = okData(await h.v2('indexes/describe', { collectionName: 'mm', indexName: 'vi' })) as Record<string, unknown>[];
  assert.ok(JSON.stringify(idx).includes('mmap.enabled'), JSON.stringify(idx));
  okData(await h.v2('indexes/drop_properties', { collectionName: 'mm', indexName: 'vi', propertyKeys: ['mmap.enabled'] }));
  assert.ok(!JSON.stringify(okData(await h.v2('indexes/describe', { collectionName: 'mm', indexName: 'vi' }))).includes('mmap.enabled'));
  const bad = await h.v2('indexes/alter_properties', { collectionName: 'mm', indexName: 'vi', properties: { 'mmap.enabled': 'maybe' } });
  assert.equal(bad.code, 65535);
  okData(await h.v2('collections/load', { collectionName: 'mm' }));
  const loaded = await h.v2('collections/fields/alter_properties', { collectionName: 'mm', fieldName: 'n', fieldParams: { 'mmap.enabled': false } });
  assert.equal(loaded.code, 104);
  assert.equal((await h.v2('indexes/alter_properties', { collectionName: 'mm', indexName: 'vi', properties: { 'mmap.enabled': 'true' } })).code, 104);
});

test('embedded client: alterCollectionFieldProperties, alterIndexProperties, dropIndexProperties', async () => {
  await withTempDir(async (dir) => {
    const c = await open(dir);
    await c.createCollection({
      collection_name: 'e',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'n', data_type: DataType.Int32 },
        { name: 'v', data_type: DataType.FloatVector, dim: 2 },
      ],
    });
    await c.createIndex({ collection_name: 'e', field_name: 'v', index_name: 'vi', index_type: 'HNSW', metric_type: 'L2' });
    assert.equal((await c.alterCollectionFieldProperties({ collection_name: 'e', field_name: 'n', properties: { 'mmap.enabled': true } })).error_code, 'Success');
    const d = await c.describeCollection({ collection_name: 'e' });
    assert.ok(JSON.stringify(d.schema?.fields.find((f) => f.name === 'n')).includes('mmap.enabled'));
    assert.equal((await c.alterIndexProperties({ collection_name: 'e', index_name: 'vi', params: { 'mmap.enabled': true } })).error_code, 'Success');
    const param = async () => (await c.describeIndex({ collection_name: 'e', index_name: 'vi' })).index_descriptions[0]?.params.find((p) => p.key === 'mmap.enabled')?.value;
    assert.equal(await param(), 'true');
    assert.equal((await c.dropIndexProperties({ collection_name: 'e', index_name: 'vi', properties: ['mmap.enabled'] })).error_code, 'Success');
    assert.equal(await param(), undefined);
    await c.loadCollection({ collection_name: 'e' });
    const r = await c.alterIndexProperties({ collection_name: 'e', index_name: 'vi', params: { 'mmap.enabled': true } });
    assert.equal(r.code, 104);
    await c.closeConnection();
  });
});
