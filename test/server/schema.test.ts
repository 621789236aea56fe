import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import type { FieldSchema } from '../../src/schema/types.js';
import type { CollectionDescription } from '../../src/service/types.js';
import { emptyContext } from '../../src/server/grpc/codec/context.js';
import { createCollectionFromWire, describeCollectionToWire } from '../../src/server/grpc/codec/schema.js';
import { roundTrip, sdkEncode, sdkSchemaRoot } from './wire-helpers.js';

function sdkSchemaBytes(): Uint8Array {
  return sdkEncode(sdkSchemaRoot, 'milvus.proto.schema.CollectionSchema', {
    name: 'books',
    description: 'a library',
    enableDynamicField: true,
    fields: [
      { name: 'id', dataType: DataType.Int64, isPrimaryKey: true, autoID: true },
      { name: 'vec', dataType: DataType.FloatVector, typeParams: [{ key: 'dim', value: '8' }] },
      { name: 'title', dataType: DataType.VarChar, typeParams: [{ key: 'max_length', value: '64' }], nullable: true, defaultValue: { stringData: 'untitled' } },
      { name: 'year', dataType: DataType.Int64, isPartitionKey: true, defaultValue: { longData: '9007199254740993' } },
      { name: 'tags', dataType: DataType.Array, elementType: DataType.VarChar, typeParams: [{ key: 'max_capacity', value: '4' }, { key: 'max_length', value: '10' }] },
      { name: 'text', dataType: DataType.VarChar, typeParams: [{ key: 'max_length', value: '1000' }, { key: 'enable_analyzer', value: 'true' }] },
      { name: 'sparse', dataType: DataType.SparseFloatVector, isFunctionOutput: true },
    ],
    functions: [{ name: 'bm25', type: 1, inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: [] }],
    properties: [{ key: 'mmap.enabled', value: 'false' }],
  });
}

test('CreateCollection: schema bytes built by the SDK descriptor decode to service field specs', () => {
  const wire = roundTrip('milvus.proto.milvus.CreateCollectionRequest', {
    db_name: '', collection_name: 'books', schema: Buffer.from(sdkSchemaBytes()), shards_num: 1, consistency_level: 2,
    properties: [{ key: 'collection.ttl.seconds', value: '60' }], num_partitions: '16',
  });
  const req = createCollectionFromWire(wire, { headerDbName: 'lib', user: undefined });
  assert.equal(req.dbName, 'lib', 'dbname header used when db_name is empty');
  assert.equal(req.collectionName, 'books');
  assert.equal(req.enableDynamicField, true);
  assert.equal(req.numPartitions, 16);
  assert.equal(req.consistencyLevel, 2);
  assert.deepEqual(req.properties, { 'mmap.enabled': 'false', 'collection.ttl.seconds': '60' });
  const [id, vec, title, year, tags] = req.fields;
  assert.equal(id?.isPrimaryKey, true);
  assert.equal(id?.autoId, true);
  assert.equal(vec?.dim, 8);
  assert.equal(vec?.typeParams?.['dim'], '8');
  assert.equal(title?.nullable, true);
  assert.equal(title?.defaultValue, 'untitled');
  assert.equal(title?.maxLength, 64);
  assert.equal(year?.defaultValue, 9007199254740993n, 'int64 default keeps precision');
  assert.equal(year?.isPartitionKey, true);
  assert.equal(tags?.elementType, DataType.VarChar);
  assert.equal(tags?.maxCapacity, 4);
  assert.equal(req.fields[5]?.typeParams?.['enable_analyzer'], 'true');
  assert.deepEqual(req.functions?.[0], { name: 'bm25', description: '', type: 1, inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {} });
});

test('CreateCollection: missing or garbage schema bytes and bad dims are input errors', () => {
  assert.throws(() => createCollectionFromWire({ collection_name: 'c', schema: Buffer.alloc(0) }, emptyContext), (e: unknown) => e instanceof MilvusError && e.code === 1101);
  assert.throws(() => createCollectionFromWire({ collection_name: 'c', schema: Buffer.from([0xff, 0xff, 0xff]) }, emptyContext), (e: unknown) => e instanceof MilvusError && e.code === 1100);
  const bad = sdkEncode(sdkSchemaRoot, 'milvus.proto.schema.CollectionSchema', {
    name: 'c', fields: [{ name: 'v', dataType: DataType.FloatVector, typeParams: [{ key: 'dim', value: 'eight' }] }],
  });
  assert.throws(() => createCollectionFromWire({ collection_name: 'c', schema: Buffer.from(bad) }, emptyContext), /dim/);
  const unknownType = sdkEncode(sdkSchemaRoot, 'milvus.proto.schema.CollectionSchema', { name: 'c', fields: [{ name: 'g', dataType: 106 }] });
  assert.throws(() => createCollectionFromWire({ collection_name: 'c', schema: Buffer.from(unknownType) }, emptyContext), /not supported/);
});

function field(p: Partial<FieldSchema> & Pick<FieldSchema, 'name' | 'dataType' | 'fieldId'>): FieldSchema {
  return {
    description: '', isPrimaryKey: false, autoId: false, isPartitionKey: false, isClusteringKey: false, isDynamic: false,
    nullable: false, defaultValue: null, dim: null, maxLength: null, maxCapacity: null, elementType: null, typeParams: {}, ...p,
  };
}

test('DescribeCollection: $meta omitted, dynamic flag kept, int64 as strings, encodable', () => {
  const d: CollectionDescription = {
    dbName: 'default', collectionName: 'books', collectionId: 449000000000000001n,
    schema: {
      name: 'books', description: '', enableDynamicField: true,
      fields: [
        field({ fieldId: 100, name: 'id', dataType: DataType.Int64, isPrimaryKey: true, autoId: true }),
        field({ fieldId: 101, name: 'vec', dataType: DataType.FloatVector, dim: 8 }),
        field({ fieldId: 102, name: 'n', dataType: DataType.Int64, nullable: true, defaultValue: 9007199254740993n }),
        field({ fieldId: 103, name: '$meta', dataType: DataType.JSON, isDynamic: true }),
      ],
      functions: [],
    },
    aliases: ['b'], createdTimestamp: 450000000000000000n, createdUtcMs: 1700000000000, shardsNum: 1, numPartitions: 1,
    consistencyLevel: 2, properties: { a: 'b' }, updateTimestamp: 450000000000000001n,
  };
  const back = roundTrip('milvus.proto.milvus.DescribeCollectionResponse', describeCollectionToWire(d));
  assert.equal(back['collectionID'], '449000000000000001');
  assert.equal(back['created_timestamp'], '450000000000000000');
  const schema = back['schema'] as { fields: Record<string, unknown>[]; enable_dynamic_field: boolean; autoID: boolean };
  assert.deepEqual(schema.fields.map((f) => f['name']), ['id', 'vec', 'n']);
  assert.equal(schema.enable_dynamic_field, true);
  assert.equal(schema.autoID, true);
  assert.deepEqual(schema.fields[1]?.['type_params'], [{ key: 'dim', value: '8' }]);
  assert.deepEqual(schema.fields[2]?.['default_value'], { long_data: '9007199254740993', data: 'long_data' });
  assert.deepEqual(back['properties'], [{ key: 'a', value: 'b' }]);
  assert.deepEqual(back['aliases'], ['b']);
});
