import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import type { Column } from '../../src/schema/column.js';
import type { FieldSchema } from '../../src/schema/types.js';
import { emptyContext } from '../../src/server/grpc/codec/context.js';
import { columnsFromFieldData } from '../../src/server/grpc/codec/field-data.js';
import { fieldDataToWire } from '../../src/server/grpc/codec/field-data-encode.js';
import { insertRequest } from '../../src/server/grpc/codec/requests.js';
import { sparseToBytes } from '../../src/server/grpc/codec/vector-bytes.js';
import { roundTrip } from './wire-helpers.js';

/** Decode fields_data after a trip through the real protobuf codec. */
function decode(fieldsData: object[], numRows: number): Map<string, Column> {
  const wire = roundTrip('milvus.proto.milvus.InsertRequest', { collection_name: 'c', fields_data: fieldsData, num_rows: numRows });
  return insertRequest(wire, emptyContext).columns;
}

function col(m: Map<string, Column>, name: string): Column {
  const c = m.get(name);
  assert.ok(c, `column ${name}`);
  return c;
}

test('scalars of every type decode to typed columns; int64 keeps precision', () => {
  const m = decode([
    { type: DataType.Bool, field_name: 'b', scalars: { bool_data: { data: [true, false, true] } } },
    { type: DataType.Int8, field_name: 'i8', scalars: { int_data: { data: [-128, 0, 127] } } },
    { type: DataType.Int16, field_name: 'i16', scalars: { int_data: { data: [-300, 0, 300] } } },
    { type: DataType.Int32, field_name: 'i32', scalars: { int_data: { data: [-70000, 1, 70000] } } },
    { type: DataType.Int64, field_name: 'i64', scalars: { long_data: { data: ['9007199254740993', '-9223372036854775808', 5] } } },
    { type: DataType.Float, field_name: 'f', scalars: { float_data: { data: [0.5, 1.5, -2] } } },
    { type: DataType.Double, field_name: 'd', scalars: { double_data: { data: [0.1, 0.2, 0.3] } } },
    { type: DataType.VarChar, field_name: 's', scalars: { string_data: { data: ['a', 'ü', ''] } } },
    { type: DataType.JSON, field_name: 'j', scalars: { json_data: { data: [Buffer.from('{"a":1}'), Buffer.from('[1,2]'), Buffer.from('"x"')] } } },
    { type: DataType.Array, field_name: 'arr', scalars: { array_data: { element_type: DataType.Int64, data: [{ long_data: { data: ['1', '2'] } }, { long_data: { data: [] } }, { long_data: { data: ['9007199254740993'] } }] } } },
  ], 3);
  assert.deepEqual(col(m, 'b'), { kind: 'bool', data: Uint8Array.of(1, 0, 1), valid: null });
  assert.deepEqual(col(m, 'i8').data, Int8Array.of(-128, 0, 127));
  assert.deepEqual(col(m, 'i16').data, Int16Array.of(-300, 0, 300));
  assert.deepEqual(col(m, 'i32').data, Int32Array.of(-70000, 1, 70000));
  assert.deepEqual(col(m, 'i64').data, BigInt64Array.of(9007199254740993n, -9223372036854775808n, 5n));
  assert.deepEqual(col(m, 'f').data, Float32Array.of(0.5, 1.5, -2));
  assert.deepEqual(col(m, 'd').data, Float64Array.of(0.1, 0.2, 0.3));
  assert.deepEqual(col(m, 's').data, ['a', 'ü', '']);
  assert.deepEqual(col(m, 'j').data, [{ a: 1 }, [1, 2], 'x']);
  assert.deepEqual(col(m, 'arr'), { kind: 'array', elementType: DataType.Int64, data: [[1n, 2n], [], [9007199254740993n]], valid: null });
});

test('out-of-range small ints and invalid JSON are input errors', () => {
  const isInput = (e: unknown): boolean => e instanceof MilvusError && e.code === 1100;
  assert.throws(() => decode([{ type: DataType.Int8, field_name: 'x', scalars: { int_data: { data: [128] } } }], 1), isInput);
  assert.throws(() => decode([{ type: DataType.JSON, field_name: 'x', scalars: { json_data: { data: [Buffer.from('{oops')] } } }], 1), isInput);
  assert.throws(() => decode([{ type: DataType.Int64, field_name: 'x', scalars: { int_data: { data: [1] } } }], 1), /long_data/);
});

test('compact nullable input expands to row-dense with valid; dense input is kept', () => {
  const compact = decode([{ type: DataType.Int32, field_name: 'n', valid_data: [true, false, true, false], scalars: { int_data: { data: [7, 9] } } }], 4);
  assert.deepEqual(col(compact, 'n'), { kind: 'int32', data: Int32Array.of(7, 0, 9, 0), valid: Uint8Array.of(1, 0, 1, 0) });
  const dense = decode([{ type: DataType.VarChar, field_name: 's', valid_data: [false, true], scalars: { string_data: { data: ['', 'x'] } } }], 2);
  assert.deepEqual(col(dense, 's'), { kind: 'varchar', data: ['', 'x'], valid: Uint8Array.of(0, 1) });
  const vec = decode([{ type: DataType.FloatVector, field_name: 'v', valid_data: [false, true], vectors: { dim: 2, float_vector: { data: [1, 2] } } }], 2);
  assert.deepEqual(col(vec, 'v'), { kind: 'floatVector', dim: 2, data: Float32Array.of(0, 0, 1, 2), valid: Uint8Array.of(0, 1) });
  assert.throws(() => decode([{ type: DataType.Int32, field_name: 'n', valid_data: [true, true, false], scalars: { int_data: { data: [1] } } }], 3), /row count of field n/);
  assert.throws(() => decode([{ type: DataType.Int32, field_name: 'n', scalars: { int_data: { data: [1, 2] } } }], 3), /row count of field n/);
  assert.throws(() => decode([{ type: DataType.Int32, field_name: 'n', valid_data: [true], scalars: { int_data: { data: [1] } } }], 3), /valid_data/);
});

test('vectors: float, binary, float16, bfloat16, int8 and sparse (dim not trusted)', () => {
  const f16 = Buffer.alloc(8);
  f16.writeUInt16LE(0x3c00, 0); f16.writeUInt16LE(0xc000, 2); f16.writeUInt16LE(0x0001, 4); f16.writeUInt16LE(0x7bff, 6);
  const sparseRow = Buffer.concat([sparseToBytes({ indices: Uint32Array.of(3, 4000000000), values: Float32Array.of(0.5, -1) })]);
  const m = decode([
    { type: DataType.FloatVector, field_name: 'fv', vectors: { dim: 3, float_vector: { data: [1, 2, 3, 4, 5, 6] } } },
    { type: DataType.BinaryVector, field_name: 'bv', vectors: { dim: 16, binary_vector: Buffer.from([1, 2, 3, 4]) } },
    { type: DataType.Float16Vector, field_name: 'hv', vectors: { dim: 2, float16_vector: f16 } },
    { type: DataType.BFloat16Vector, field_name: 'bf', vectors: { dim: 2, bfloat16_vector: f16 } },
    { type: DataType.Int8Vector, field_name: 'iv', vectors: { dim: 2, int8_vector: Buffer.from([0xff, 1, 0x80, 127]) } },
    { type: DataType.SparseFloatVector, field_name: 'sv', vectors: { dim: 2, sparse_float_vector: { dim: 2, contents: [sparseRow, Buffer.alloc(0)] } } },
  ], 2);
  assert.deepEqual(col(m, 'fv'), { kind: 'floatVector', dim: 3, data: Float32Array.of(1, 2, 3, 4, 5, 6), valid: null });
  assert.deepEqual(col(m, 'bv'), { kind: 'binaryVector', dim: 16, data: Uint8Array.of(1, 2, 3, 4), valid: null });
  assert.deepEqual(col(m, 'hv'), { kind: 'float16Vector', dim: 2, data: Uint16Array.of(0x3c00, 0xc000, 0x0001, 0x7bff), valid: null });
  assert.equal(col(m, 'bf').kind, 'bfloat16Vector');
  assert.deepEqual(col(m, 'iv').data, Int8Array.of(-1, 1, -128, 127));
  const sv = col(m, 'sv');
  assert.ok(sv.kind === 'sparseVector');
  assert.deepEqual(sv.data[0], { indices: Uint32Array.of(3, 4000000000), values: Float32Array.of(0.5, -1) });
  assert.equal(sv.data[1]?.indices.length, 0);
  // Without nulls, data that does not divide the stated dim is passed on: schema/rows.ts measures it against the schema's dim.
  assert.throws(() => decode([{ type: DataType.FloatVector, field_name: 'fv', valid_data: [true, true], vectors: { dim: 3, float_vector: { data: [1, 2, 3, 4] } } }], 2), /the length\(4\) of float data should divide the dim\(3\)/);
  assert.throws(() => decode([{ type: DataType.SparseFloatVector, field_name: 'sv', vectors: { sparse_float_vector: { contents: [Buffer.alloc(5)] } } }], 1), /multiple of 8/);
});

test('the dynamic column is keyed $meta whatever its field_name', () => {
  const m = decode([{ type: DataType.JSON, field_name: 'whatever', is_dynamic: true, scalars: { json_data: { data: [Buffer.from('{"color":"red"}')] } } }], 1);
  assert.deepEqual(col(m, '$meta').data, [{ color: 'red' }]);
  assert.throws(() => columnsFromFieldData([
    { type: DataType.Bool, field_name: 'x', scalars: { bool_data: { data: [true] } } },
    { type: DataType.Bool, field_name: 'x', scalars: { bool_data: { data: [true] } } },
  ], 1), /duplicated/);
});

function schemaField(name: string, dataType: FieldSchema['dataType'], extra: Partial<FieldSchema> = {}): FieldSchema {
  return {
    fieldId: 101, name, description: '', dataType, isPrimaryKey: false, autoId: false, isPartitionKey: false, isClusteringKey: false,
    isDynamic: false, nullable: false, defaultValue: null, dim: null, maxLength: null, maxCapacity: null, elementType: null, typeParams: {}, ...extra,
  };
}

test('output columns encode row-dense with valid_data and survive the codec back to the same column', () => {
  const cases: [FieldSchema, Column][] = [
    [schemaField('n', DataType.Int64, { nullable: true }), { kind: 'int64', data: BigInt64Array.of(9007199254740993n, 0n, -1n), valid: Uint8Array.of(1, 0, 1) }],
    [schemaField('s', DataType.VarChar), { kind: 'varchar', data: ['a', 'b', 'c'], valid: null }],
    [schemaField('$meta', DataType.JSON, { isDynamic: true }), { kind: 'json', data: [{ a: 1 }, null, [true]], valid: null }],
    [schemaField('a', DataType.Array, { elementType: DataType.VarChar }), { kind: 'array', elementType: DataType.VarChar, data: [['x'], [], ['y', 'z']], valid: null }],
    [schemaField('v', DataType.FloatVector), { kind: 'floatVector', dim: 2, data: Float32Array.of(1, 2, 3, 4, 5, 6), valid: null }],
    [schemaField('h', DataType.Float16Vector), { kind: 'float16Vector', dim: 1, data: Uint16Array.of(1, 2, 3), valid: null }],
    [schemaField('i', DataType.Int8Vector), { kind: 'int8Vector', dim: 1, data: Int8Array.of(-1, 0, 1), valid: null }],
    [schemaField('sp', DataType.SparseFloatVector), { kind: 'sparseVector', data: [{ indices: Uint32Array.of(1, 9), values: Float32Array.of(1, 2) }, { indices: new Uint32Array(0), values: new Float32Array(0) }, { indices: Uint32Array.of(0), values: Float32Array.of(3) }], valid: null }],
  ];
  for (const [field, column] of cases) {
    const wire = roundTrip('milvus.proto.schema.FieldData', fieldDataToWire({ field, column }));
    if (column.valid !== null) assert.deepEqual(wire['valid_data'], [true, false, true]);
    assert.equal(wire['is_dynamic'], field.isDynamic);
    const back = columnsFromFieldData([wire], 3).get(field.isDynamic ? '$meta' : field.name);
    assert.deepEqual(back, column, field.name);
  }
  const sparseCase = cases[7];
  assert.ok(sparseCase);
  const sp = roundTrip('milvus.proto.schema.FieldData', fieldDataToWire({ field: sparseCase[0], column: sparseCase[1] }));
  assert.equal((sp['vectors'] as { dim: string }).dim, '10', 'sparse dim = max index + 1');
});

test('property: int64 and float columns round-trip exactly through the codec', () => {
  fc.assert(fc.property(
    fc.array(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), { minLength: 1, maxLength: 20 }),
    fc.array(fc.float({ noNaN: true }), { minLength: 1, maxLength: 20 }),
    (ints, floats) => {
      const c: Column = { kind: 'int64', data: BigInt64Array.from(ints), valid: null };
      const w = roundTrip('milvus.proto.schema.FieldData', fieldDataToWire({ field: schemaField('x', DataType.Int64), column: c }));
      assert.deepEqual(columnsFromFieldData([w], ints.length).get('x'), c);
      const f: Column = { kind: 'float', data: Float32Array.from(floats), valid: null };
      const wf = roundTrip('milvus.proto.schema.FieldData', fieldDataToWire({ field: schemaField('y', DataType.Float), column: f }));
      assert.deepEqual(columnsFromFieldData([wf], floats.length).get('y'), f);
    },
  ), { numRuns: 100 });
});

test('nullable vector columns go out compact, as Milvus 2.6 sends them (pymilvus 2.6 reads the k-th valid row at k)', () => {
  const valid = Uint8Array.of(0, 1, 0, 1);
  const cases: [FieldSchema, Column, unknown][] = [
    [schemaField('v', DataType.FloatVector, { nullable: true }), { kind: 'floatVector', dim: 2, data: Float32Array.of(0, 0, 1, 2, 0, 0, 3, 4), valid }, [1, 2, 3, 4]],
    [schemaField('b', DataType.BinaryVector, { nullable: true }), { kind: 'binaryVector', dim: 8, data: Uint8Array.of(0, 7, 0, 9), valid }, [7, 9]],
    [schemaField('i', DataType.Int8Vector, { nullable: true }), { kind: 'int8Vector', dim: 1, data: Int8Array.of(0, -5, 0, 6), valid }, [-5, 6]],
  ];
  for (const [field, column, payload] of cases) {
    const wire = roundTrip('milvus.proto.schema.FieldData', fieldDataToWire({ field, column }));
    assert.deepEqual(wire['valid_data'], [false, true, false, true]);
    const vectors = wire['vectors'] as Record<string, unknown>;
    const data = field.name === 'v' ? (vectors['float_vector'] as { data: number[] }).data : [...(vectors[field.name === 'b' ? 'binary_vector' : 'int8_vector'] as Buffer)].map((x) => (field.name === 'i' ? (x << 24) >> 24 : x));
    assert.deepEqual(data, payload, field.name);
    // The decoder reads the compact form back to the same row-dense column.
    assert.deepEqual(columnsFromFieldData([wire], 4).get(field.name), column, field.name);
  }
  const sparse = fieldDataToWire({
    field: schemaField('sp', DataType.SparseFloatVector, { nullable: true }),
    column: { kind: 'sparseVector', data: [{ indices: new Uint32Array(0), values: new Float32Array(0) }, { indices: Uint32Array.of(2), values: Float32Array.of(1) }], valid: Uint8Array.of(0, 1) },
  });
  assert.equal(((sparse['vectors'] as { sparse_float_vector: { contents: unknown[] } }).sparse_float_vector.contents).length, 1);
});

test('a batch whose nullable vector rows are all null may leave the payload out (pymilvus 2.6 sends only the dim)', () => {
  const m = decode([{ type: DataType.FloatVector, field_name: 'v', valid_data: [false, false], vectors: { dim: 4 } }], 2);
  assert.deepEqual(m.get('v'), { kind: 'floatVector', dim: 4, data: new Float32Array(8), valid: Uint8Array.of(0, 0) });
  // Without valid_data the payload is still required.
  assert.throws(() => decode([{ type: DataType.FloatVector, field_name: 'v', vectors: { dim: 4 } }], 1), /vectors.float_vector/);
});
