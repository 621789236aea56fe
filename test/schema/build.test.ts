import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCollectionSchema, validateName, type CollectionSpec, type FieldSpec } from '../../src/schema/build.js';
import { DataType } from '../../src/core/enums.js';
import { limits } from '../../src/core/limits.js';
import { expectMilvusError } from './helpers.js';

const pk: FieldSpec = { name: 'id', dataType: DataType.Int64, isPrimaryKey: true };
const vec: FieldSpec = { name: 'v', dataType: DataType.FloatVector, dim: 8 };
const spec = (fields: FieldSpec[], extra: Partial<CollectionSpec> = {}): CollectionSpec => ({ name: 'c', fields, ...extra });
const build = (fields: FieldSpec[], extra: Partial<CollectionSpec> = {}) => () => buildCollectionSchema(spec(fields, extra));

test('a valid schema: field ids from 100, typeParams as text, dynamic $meta appended last', () => {
  const s = buildCollectionSchema(spec([
    pk,
    { name: 'v', dataType: DataType.FloatVector, typeParams: { dim: '8', 'mmap.enabled': 'true' } },
    { name: 'title', dataType: DataType.VarChar, maxLength: 64, nullable: true, defaultValue: 'n/a' },
    { name: 'tags', dataType: DataType.Array, elementType: DataType.VarChar, typeParams: { max_capacity: 4, max_length: 10 } },
  ], { enableDynamicField: true, description: 'd' }));
  assert.deepEqual(s.fields.map((f) => [f.fieldId, f.name]), [[100, 'id'], [101, 'v'], [102, 'title'], [103, 'tags'], [104, '$meta']]);
  assert.deepEqual(s.fields[1]?.typeParams, { dim: '8', 'mmap.enabled': 'true' });
  assert.equal(s.fields[1]?.dim, 8);
  assert.deepEqual(s.fields[3]?.typeParams, { max_capacity: '4', max_length: '10' });
  assert.equal(s.fields[3]?.maxCapacity, 4);
  assert.equal(s.fields[3]?.maxLength, 10);
  assert.equal(s.fields[3]?.elementType, DataType.VarChar);
  assert.equal(s.fields[2]?.defaultValue, 'n/a');
  const meta = s.fields[4];
  assert.equal(meta?.isDynamic, true);
  assert.equal(meta?.dataType, DataType.JSON);
  assert.equal(s.enableDynamicField, true);
  assert.equal(s.description, 'd');
});

test('collection-level autoId applies to the primary key; Int64 default becomes bigint', () => {
  const s = buildCollectionSchema(spec([pk, vec, { name: 'n', dataType: DataType.Int64, defaultValue: '9007199254740993' }], { autoId: true }));
  assert.equal(s.fields[0]?.autoId, true);
  assert.equal(s.fields[2]?.defaultValue, 9007199254740993n);
  assert.equal(s.fields.length, 3, 'no $meta without the dynamic field');
});

test('several vector fields up to the limit, VarChar primary key, sparse without dim, binary dim multiple of 8', () => {
  const s = buildCollectionSchema(spec([
    { name: 'pk', dataType: DataType.VarChar, isPrimaryKey: true, maxLength: 36 },
    { name: 'b', dataType: DataType.BinaryVector, dim: 16 },
    { name: 's', dataType: DataType.SparseFloatVector },
    { name: 'h', dataType: DataType.Float16Vector, dim: 2 },
    { name: 'i', dataType: DataType.Int8Vector, dim: limits.maxDim },
  ]));
  assert.equal(s.fields[2]?.dim, null);
  assert.equal(s.fields[1]?.dim, 16);
});

const failing: [string, () => unknown, number, string][] = [
  ['collection name first char', build([pk, vec], { name: '1abc' }), 1100,
    'Invalid collection name: 1abc. the first character of a collection name must be an underscore or letter: invalid parameter'],
  ['collection name chars', build([pk, vec], { name: 'a-b' }), 1100, 'collection name can only contain numbers, letters and underscores'],
  ['collection name empty', build([pk, vec], { name: '' }), 1100, 'collection name should not be empty'],
  ['collection name too long', build([pk, vec], { name: 'a'.repeat(limits.maxNameLength + 1) }), 1100, 'must be less than 255'],
  ['field name', build([pk, vec, { name: 'a b', dataType: DataType.Bool }]), 1701, 'Invalid field name: a b'],
  ['field name first char', build([pk, vec, { name: '9x', dataType: DataType.Bool }]), 1701, 'the first character of a field name'],
  ['$meta reserved', build([pk, vec, { name: '$meta', dataType: DataType.JSON }]), 1701, '$meta'],
  ['no primary key', build([vec]), 1100, 'primary key is not specified'],
  ['two primary keys', build([pk, { name: 'id2', dataType: DataType.Int64, isPrimaryKey: true }, vec]), 1100, 'more than one primary key, field name = id, id2'],
  ['primary key type', build([{ name: 'id', dataType: DataType.Int32, isPrimaryKey: true }, vec]), 1100, 'primary key should be Int64 or VarChar'],
  ['VarChar pk needs max_length', build([{ name: 'id', dataType: DataType.VarChar, isPrimaryKey: true }, vec]), 1100, 'max_length'],
  ['pk nullable', build([{ ...pk, nullable: true }, vec]), 1100, 'primary field not support null'],
  ['pk default', build([{ ...pk, defaultValue: 1n }, vec]), 1100, "primary key can't be with default value"],
  ['autoId off the pk', build([pk, vec, { name: 'x', dataType: DataType.Int64, autoId: true }]), 1100, 'only primary field can speficy AutoID'],
  ['duplicate field names', build([pk, vec, { name: 'v', dataType: DataType.Bool }]), 1100, 'duplicated field name v'],
  ['too many fields', build([pk, vec, ...Array.from({ length: limits.maxFieldsPerCollection - 1 }, (_, i) => ({ name: `f${i}`, dataType: DataType.Bool }))]), 1100, "maximum field's number"],
  ['no vector field', build([pk]), 1100, 'schema does not contain vector field'],
  ['too many vector fields', build([pk, ...Array.from({ length: limits.maxVectorFieldsPerCollection + 1 }, (_, i) => ({ name: `v${i}`, dataType: DataType.FloatVector, dim: 4 }))]), 1100, "maximum vector field's number should be limited to 4"],
  ['dim missing', build([pk, { name: 'v', dataType: DataType.FloatVector }]), 1100, 'dimension is not defined'],
  ['dim too small', build([pk, { name: 'v', dataType: DataType.FloatVector, dim: 1 }]), 1100, 'invalid dimension: 1'],
  ['dim too large', build([pk, { name: 'v', dataType: DataType.FloatVector, dim: limits.maxDim + 1 }]), 1100, `invalid dimension: ${limits.maxDim + 1}`],
  ['dim not an integer', build([pk, { name: 'v', dataType: DataType.FloatVector, typeParams: { dim: '8.5' } }]), 1100, 'must be an integer'],
  ['dim given twice differently', build([pk, { name: 'v', dataType: DataType.FloatVector, dim: 8, typeParams: { dim: 16 } }]), 1100, 'twice'],
  ['binary dim not multiple of 8', build([pk, { name: 'b', dataType: DataType.BinaryVector, dim: 12 }]), 1100, 'multiple of 8'],
  ['sparse with dim', build([pk, { name: 's', dataType: DataType.SparseFloatVector, dim: 8 }]), 1100, 'dim should not be specified for sparse'],
  ['varchar max_length 0', build([pk, vec, { name: 't', dataType: DataType.VarChar, maxLength: 0 }]), 1100, 'should be in (0, 65535]'],
  ['varchar max_length too big', build([pk, vec, { name: 't', dataType: DataType.VarChar, maxLength: 65536 }]), 1100, 'should be in (0, 65535]'],
  ['array without element type', build([pk, vec, { name: 'a', dataType: DataType.Array, maxCapacity: 4 }]), 1100, 'element type None'],
  ['array of JSON', build([pk, vec, { name: 'a', dataType: DataType.Array, elementType: DataType.JSON, maxCapacity: 4 }]), 1100, 'element type JSON'],
  ['array without capacity', build([pk, vec, { name: 'a', dataType: DataType.Array, elementType: DataType.Int64 }]), 1100, 'max_capacity'],
  ['array capacity too big', build([pk, vec, { name: 'a', dataType: DataType.Array, elementType: DataType.Int64, maxCapacity: 4097 }]), 1100, '(0, 4096]'],
  ['varchar array without max_length', build([pk, vec, { name: 'a', dataType: DataType.Array, elementType: DataType.VarChar, maxCapacity: 4 }]), 1100, 'max_length'],
  ['String type', build([pk, vec, { name: 's', dataType: 20 as DataType }]), 1100, 'please use VarChar'],
  ['unknown type', build([pk, vec, { name: 's', dataType: 99 as DataType }]), 1100, 'not supported'],
  ['default on vector', build([pk, { ...vec, defaultValue: 1 }]), 1100, 'vector type not support default value'],
  ['default on JSON', build([pk, vec, { name: 'j', dataType: DataType.JSON, defaultValue: '{}' }]), 1100, 'JSON type not support default value'],
  ['default on Array', build([pk, vec, { name: 'a', dataType: DataType.Array, elementType: DataType.Int8, maxCapacity: 2, defaultValue: 1 }]), 1100, 'Array type not support default'],
  ['default type mismatch', build([pk, vec, { name: 'b', dataType: DataType.Bool, defaultValue: 1 }]), 1100, 'default value type mismatches'],
  ['default out of Int8 range', build([pk, vec, { name: 'b', dataType: DataType.Int8, defaultValue: 128 }]), 1100, 'default value out of range'],
  ['default string too long', build([pk, vec, { name: 't', dataType: DataType.VarChar, maxLength: 2, defaultValue: 'héé' }]), 1100, 'the length (5) of string exceeds max length (2)'],
  ['null default on non-nullable', build([pk, vec, { name: 't', dataType: DataType.Int32, defaultValue: null }]), 1100, 'cannot be null for a non-nullable'],
  ['two partition keys', build([pk, vec, { name: 'p1', dataType: DataType.Int64, isPartitionKey: true }, { name: 'p2', dataType: DataType.Int64, isPartitionKey: true }]), 1100, 'more than one partition key'],
  ['partition key on pk', build([{ ...pk, isPartitionKey: true }, vec]), 1100, 'must not be primary field'],
  ['partition key type', build([pk, vec, { name: 'p', dataType: DataType.Int32, isPartitionKey: true }]), 1100, 'partition key should be Int64 or VarChar'],
  ['partition key nullable', build([pk, vec, { name: 'p', dataType: DataType.Int64, isPartitionKey: true, nullable: true }]), 1100, 'partition key field not support nullable'],
  ['two clustering keys', build([pk, vec, { name: 'c1', dataType: DataType.Int64, isClusteringKey: true }, { name: 'c2', dataType: DataType.Float, isClusteringKey: true }]), 105, 'more than one clustering key'],
  ['clustering key on JSON', build([pk, vec, { name: 'c', dataType: DataType.JSON, isClusteringKey: true }]), 105, 'unsupported data type JSON'],
  ['clustering key on vector', build([pk, { ...vec, isClusteringKey: true }]), 105, 'vector clustering key not allowed'],
  ['function with unknown field', build([pk, vec], { functions: [{ name: 'f', description: '', type: 1, inputFieldNames: ['nope'], outputFieldNames: ['v'], params: {} }] }), 1100, 'function input field not found: nope'],
  ['BM25 input without enable_analyzer', build([pk, vec, { name: 't', dataType: DataType.VarChar, maxLength: 9 }, { name: 's', dataType: DataType.SparseFloatVector }],
    { functions: [{ name: 'f', description: '', type: 1, inputFieldNames: ['t'], outputFieldNames: ['s'], params: {} }] }), 1100, 'BM25 function input field must set enable_analyzer to true'],
  ['TextEmbedding function (not computed yet)', build([pk, vec, { name: 't', dataType: DataType.VarChar, maxLength: 9 }, { name: 'e', dataType: DataType.FloatVector, dim: 4 }],
    { functions: [{ name: 'f', description: '', type: 2, inputFieldNames: ['t'], outputFieldNames: ['e'], params: {} }] }), 1100, 'function type TextEmbedding is not supported yet'],
];

for (const [label, fn, code, part] of failing) {
  test(`rejects: ${label}`, () => {
    expectMilvusError(fn, code, part);
  });
}

test('each rejected rule has a passing neighbour', () => {
  buildCollectionSchema(spec([pk, vec], { name: '_a1' }));
  buildCollectionSchema(spec([pk, vec], { name: 'a'.repeat(limits.maxNameLength) }));
  buildCollectionSchema(spec([pk, { name: 'v', dataType: DataType.FloatVector, dim: 8, typeParams: { dim: '8' } }]));
  buildCollectionSchema(spec([pk, { name: 'v', dataType: DataType.FloatVector, dim: limits.minDim }]));
  buildCollectionSchema(spec([pk, vec, { name: 't', dataType: DataType.VarChar, maxLength: 65535, defaultValue: 'hé' }]));
  buildCollectionSchema(spec([pk, vec, { name: 'a', dataType: DataType.Array, elementType: DataType.Int64, maxCapacity: 4096, nullable: true }]));
  buildCollectionSchema(spec([pk, vec, { name: 'b', dataType: DataType.Int8, defaultValue: 127 }]));
  buildCollectionSchema(spec([pk, vec, { name: 't', dataType: DataType.Int32, nullable: true, defaultValue: null }]));
  buildCollectionSchema(spec([pk, vec, { name: 'p', dataType: DataType.VarChar, maxLength: 8, isPartitionKey: true }]));
  buildCollectionSchema(spec([pk, vec, { name: 'c', dataType: DataType.VarChar, maxLength: 8, isClusteringKey: true }]));
  buildCollectionSchema(spec([pk, vec, { name: 'j', dataType: DataType.JSON, nullable: true }]));
  buildCollectionSchema(spec([pk, { ...vec, nullable: true }]));
  buildCollectionSchema(spec([pk, ...Array.from({ length: limits.maxVectorFieldsPerCollection }, (_, i) => ({ name: `v${i}`, dataType: DataType.FloatVector, dim: 4 }))]));
  buildCollectionSchema(spec([pk, vec, ...Array.from({ length: limits.maxFieldsPerCollection - 2 }, (_, i) => ({ name: `f${i}`, dataType: DataType.Bool }))]));
});

test('validateName names the kind; partitions may start with a digit', () => {
  expectMilvusError(() => validateName('alias', '1x'), 1100, 'the first character of a alias name');
  expectMilvusError(() => validateName('database', 'd-b'), 1100, 'database name can only contain');
  expectMilvusError(() => validateName('index', 'é'), 1100, 'Invalid index name');
  expectMilvusError(() => validateName('partition', 'p q'), 1100, 'partition name can only contain');
  expectMilvusError(() => validateName('partition', '-p'), 1100, 'the first character of a partition name');
  validateName('partition', '2024_01');
  validateName('database', 'default');
  validateName('field', '_x9');
});
