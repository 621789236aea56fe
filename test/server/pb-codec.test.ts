/**
 * The gRPC door's one-pass request decoder and direct reply encoders against the descriptor-driven
 * codec (protobufjs decode + toObject with LOADER_OPTIONS; fromObject + encode):
 * - every request type of MilvusService (and the nested messages they carry) decodes field for field
 *   as the reference does, for random messages built from the descriptor (all scalar types, int64
 *   extremes, nested messages, repeated, maps, oneofs), and for random bytes;
 * - Search / mutation / bool replies are bit for bit what protobufjs writes for the rpc-table answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { DataType } from '../../src/core/enums.js';
import type { FieldSchema } from '../../src/schema/types.js';
import type { MutationResult, OutputColumn, PrimaryKeys, QueryResult, SearchResult } from '../../src/service/types.js';
import { boolReply, mutationReply, queryReply, searchReply } from '../../src/server/grpc/codec/replies.js';
import { mutationResultToWire } from '../../src/server/grpc/codec/results.js';
import { queryResultsToWire, searchResultsToWire } from '../../src/server/grpc/codec/search.js';
import { successStatus } from '../../src/server/grpc/codec/status.js';
import { fastDecode, messageCodec, milvusRoot, SERVICE_NAME } from '../../src/server/grpc/proto.js';

const INT64_EDGES = ['0', '1', '-1', '9007199254740991', '9007199254740992', '-9007199254740993', '4294967295', '4294967296', '-4294967296',
  '9223372036854775807', '-9223372036854775808'];
const UINT64_EDGES = ['0', '1', '4294967295', '4294967296', '9007199254740993', '18446744073709551615'];

function scalarArb(type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string': return fc.string({ unit: 'grapheme', maxLength: 12 });
    case 'bytes': return fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b));
    case 'bool': return fc.boolean();
    case 'double': return fc.double();
    case 'float': return fc.float();
    case 'int32': case 'sint32': case 'sfixed32': return fc.integer();
    case 'uint32': case 'fixed32': return fc.integer({ min: 0, max: 0xffffffff });
    case 'int64': case 'sint64': case 'sfixed64':
      return fc.oneof(fc.constantFrom(...INT64_EDGES), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String));
    case 'uint64': case 'fixed64':
      return fc.oneof(fc.constantFrom(...UINT64_EDGES), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String));
    default: throw new Error(`no arbitrary for ${type}`);
  }
}

/** A random plain object of `type` (fromObject input), at most `depth` levels of nested messages. */
function messageArb(type: protobuf.Type, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of type.fieldsArray) {
    f.resolve();
    const r = f.resolvedType;
    let one: fc.Arbitrary<unknown> | null;
    if (r instanceof protobuf.Enum) one = fc.constantFrom(...Object.values(r.values));
    else if (r instanceof protobuf.Type) one = depth > 0 ? messageArb(r, depth - 1) : null;
    else one = scalarArb(f.type);
    if (one === null) continue;
    if (f instanceof protobuf.MapField) parts[f.name] = fc.dictionary(fc.string({ maxLength: 6 }), one, { maxKeys: 2 });
    else if (f.repeated) parts[f.name] = fc.array(one, { maxLength: 3 });
    else parts[f.name] = one;
  }
  return fc.record(parts, { requiredKeys: [] });
}

function requestTypes(): protobuf.Type[] {
  const service = milvusRoot.lookupService(SERVICE_NAME);
  service.resolveAll();
  const out = new Set<protobuf.Type>();
  for (const m of service.methodsArray) if (m.resolvedRequestType !== null) out.add(m.resolvedRequestType);
  for (const n of ['milvus.proto.common.PlaceholderGroup', 'milvus.proto.schema.FieldData', 'milvus.proto.schema.CollectionSchema']) out.add(milvusRoot.lookupType(n));
  return [...out];
}

/** The typed decoder's Float32Arrays as number lists and BigInt64Arrays as decimal strings (what the reference gives), the rest as is. */
function plain(v: unknown): unknown {
  if (v instanceof Float32Array) return Array.from(v);
  if (v instanceof BigInt64Array) return Array.from(v, String);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = plain(x);
    return out;
  }
  return v;
}

test('requests decode field for field as protobufjs + toObject(LOADER_OPTIONS) gives them', () => {
  const types = requestTypes();
  assert.ok(types.length > 100, `${types.length} request types`);
  for (const type of types) {
    const name = type.fullName.slice(1);
    const reference = messageCodec(name);
    fc.assert(fc.property(messageArb(type, 3), fc.boolean(), (obj, typed) => {
      const bytes = Buffer.from(type.encode(type.fromObject(obj)).finish());
      assert.deepStrictEqual(plain(fastDecode(name, bytes, typed)), reference.deserialize(bytes), name);
    }), { numRuns: 15 });
  }
});

test('the vector-carrying requests decode the same with floats as Float32Array', () => {
  for (const name of ['milvus.proto.milvus.InsertRequest', 'milvus.proto.milvus.UpsertRequest', 'milvus.proto.milvus.SearchRequest']) {
    const type = milvusRoot.lookupType(name);
    fc.assert(fc.property(messageArb(type, 5), (obj) => {
      const bytes = Buffer.from(type.encode(type.fromObject(obj)).finish());
      assert.deepStrictEqual(plain(fastDecode(name, bytes, true)), messageCodec(name).deserialize(bytes));
    }), { numRuns: 100 });
  }
});

test('typed repeated int64 and float: packed runs and single values interleaved decode as the reference gives them', () => {
  const int64s = fc.oneof(fc.constantFrom(...INT64_EDGES.map(BigInt)), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
  // A field is a sequence of runs: a packed run (wire type 2) or a single value (wire type 0 / 5), in any order.
  const runs = <T>(value: fc.Arbitrary<T>) => fc.array(fc.record({ packed: fc.boolean(), values: fc.array(value, { minLength: 1, maxLength: 5 }) }), { maxLength: 6 });
  fc.assert(fc.property(runs(int64s), runs(fc.float()), (longRuns, floatRuns) => {
    const w = protobuf.Writer.create();
    for (const run of longRuns) {
      const asLong = (v: bigint) => String(v) as unknown as number; // protobufjs writes an int64 given as a decimal string
      if (run.packed) {
        w.uint32((1 << 3) | 2).fork();
        for (const v of run.values) w.int64(asLong(v));
        w.ldelim();
      } else for (const v of run.values) w.uint32((1 << 3) | 0).int64(asLong(v));
    }
    const longBytes = Buffer.from(w.finish());
    const mine = fastDecode('milvus.proto.schema.LongArray', longBytes, true)['data'];
    const expected = longRuns.flatMap((r) => r.values);
    assert.ok(mine instanceof BigInt64Array || (Array.isArray(mine) && mine.length === 0), 'a BigInt64Array (or the default [] when absent)');
    assert.deepStrictEqual(Array.from(mine as BigInt64Array), expected);
    assert.deepStrictEqual(plain(fastDecode('milvus.proto.schema.LongArray', longBytes, true)), messageCodec('milvus.proto.schema.LongArray').deserialize(longBytes));
    const fw = protobuf.Writer.create();
    for (const run of floatRuns) {
      if (run.packed) {
        fw.uint32((1 << 3) | 2).fork();
        for (const v of run.values) fw.float(v);
        fw.ldelim();
      } else for (const v of run.values) fw.uint32((1 << 3) | 5).float(v);
    }
    const floatBytes = Buffer.from(fw.finish());
    assert.deepStrictEqual(plain(fastDecode('milvus.proto.schema.FloatArray', floatBytes, true)), messageCodec('milvus.proto.schema.FloatArray').deserialize(floatBytes));
  }), { numRuns: 300 });
  // A packed run whose last varint is cut off, and an 11-byte varint, are refused.
  const cut = Buffer.from([0x0a, 0x02, 0x01, 0x80]);
  assert.throws(() => fastDecode('milvus.proto.schema.LongArray', cut, true), RangeError);
  const long = Buffer.from([0x0a, 0x0b, ...new Array<number>(10).fill(0x80), 0x01]);
  assert.throws(() => fastDecode('milvus.proto.schema.LongArray', long, true), /invalid varint/);
});

test('random bytes: where both decoders accept them, they agree', () => {
  const names = ['milvus.proto.milvus.SearchRequest', 'milvus.proto.milvus.InsertRequest', 'milvus.proto.milvus.HasCollectionRequest'];
  fc.assert(fc.property(fc.constantFrom(...names), fc.uint8Array({ maxLength: 64 }), (name, raw) => {
    const bytes = Buffer.from(raw);
    let ref: unknown, refFailed = false;
    try { ref = messageCodec(name).deserialize(bytes); } catch { refFailed = true; }
    let mine: unknown, mineFailed = false;
    try { mine = fastDecode(name, bytes); } catch { mineFailed = true; }
    if (!refFailed && !mineFailed) assert.deepStrictEqual(mine, ref);
  }), { numRuns: 2000 });
});

const pkArb: fc.Arbitrary<PrimaryKeys> = fc.oneof(
  fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { maxLength: 20 }).map((a) => ({ kind: 'int64' as const, data: BigInt64Array.from(a) })),
  fc.array(fc.string({ unit: 'grapheme', maxLength: 8 }), { maxLength: 20 }).map((a) => ({ kind: 'varchar' as const, data: a })),
);

const int64Field: FieldSchema = {
  fieldId: 101, name: 'n', description: '', dataType: DataType.Int64, isPrimaryKey: false, autoId: false, isPartitionKey: false,
  isClusteringKey: false, isDynamic: false, nullable: false, defaultValue: null, dim: null, maxLength: null, maxCapacity: null,
  elementType: null, typeParams: {},
};

const int64ColumnArb: fc.Arbitrary<OutputColumn> = fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { maxLength: 5 })
  .map((a) => ({ field: int64Field, column: { kind: 'int64', data: BigInt64Array.from(a), valid: null } }));

/**
 * Output columns of every kind the direct FieldData writer takes (codec/field-data-bytes.ts) and some it
 * leaves to the descriptor (JSON, geometry, NaN floats), nullable or not, dynamic or not, 0-4 rows.
 */
const anyColumnArb: fc.Arbitrary<OutputColumn> = fc.record({
  rows: fc.integer({ min: 0, max: 4 }), dim: fc.integer({ min: 1, max: 4 }), nullable: fc.boolean(), dynamic: fc.boolean(),
  name: fc.string({ maxLength: 6 }), fieldId: fc.nat(100_000), seed: fc.integer(), variant: fc.nat(15), nan: fc.boolean(),
}).map(({ rows, dim, nullable, dynamic, name, fieldId, seed, variant, nan }) => {
  let x = seed | 0;
  const rnd = (): number => { x = (Math.imul(x, 1103515245) + 12345) | 0; return x; };
  const valid = nullable ? Uint8Array.from({ length: rows }, () => rnd() & 1) : null;
  const f = (dataType: DataType, extra: Partial<FieldSchema> = {}): FieldSchema => ({ ...int64Field, fieldId, name, dataType, isDynamic: dynamic, nullable, ...extra });
  const floats = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => (nan && i === 0 ? NaN : rnd() / 65536));
  switch (variant) {
    case 0: return { field: f(DataType.Bool), column: { kind: 'bool', data: Uint8Array.from({ length: rows }, () => rnd() & 1), valid } };
    case 1: return { field: f(DataType.Int8), column: { kind: 'int8', data: Int8Array.from({ length: rows }, rnd), valid } };
    case 2: return { field: f(DataType.Int16), column: { kind: 'int16', data: Int16Array.from({ length: rows }, rnd), valid } };
    case 3: return { field: f(DataType.Int32), column: { kind: 'int32', data: Int32Array.from({ length: rows }, rnd), valid } };
    case 4: return { field: f(DataType.Int64), column: { kind: 'int64', data: BigInt64Array.from({ length: rows }, () => BigInt(rnd()) * BigInt(rnd())), valid } };
    case 5: return { field: f(DataType.Float), column: { kind: 'float', data: floats(rows), valid } };
    case 6: return { field: f(DataType.Double), column: { kind: 'double', data: Float64Array.from(floats(rows), (v) => v / 3), valid } };
    case 7: return { field: f(DataType.VarChar), column: { kind: 'varchar', data: Array.from({ length: rows }, () => String.fromCodePoint(0x20 + (rnd() & 0x2ff)).repeat(rnd() & 3)), valid } };
    case 8: return { field: f(DataType.FloatVector, { dim }), column: { kind: 'floatVector', dim, data: floats(rows * dim), valid } };
    case 9: return { field: f(DataType.BinaryVector, { dim: 8 * dim }), column: { kind: 'binaryVector', dim: 8 * dim, data: Uint8Array.from({ length: rows * dim }, rnd), valid } };
    case 10: return { field: f(DataType.Float16Vector, { dim }), column: { kind: 'float16Vector', dim, data: Uint16Array.from({ length: rows * dim }, rnd), valid } };
    case 11: return { field: f(DataType.BFloat16Vector, { dim }), column: { kind: 'bfloat16Vector', dim, data: Uint16Array.from({ length: rows * dim }, rnd), valid } };
    case 12: return { field: f(DataType.Int8Vector, { dim }), column: { kind: 'int8Vector', dim, data: Int8Array.from({ length: rows * dim }, rnd), valid } };
    case 13: return { field: f(DataType.JSON), column: { kind: 'json', data: Array.from({ length: rows }, () => ({ a: rnd() & 7 })), valid } };
    case 14: return { field: f(DataType.Geometry), column: { kind: 'varchar', data: Array.from({ length: rows }, () => 'POINT (1 2)'), valid } };
    default: return { field: f(DataType.Timestamptz), column: { kind: 'int64', data: BigInt64Array.from({ length: rows }, () => BigInt(rnd()) * 1000n), valid } };
  }
});

const columnArb: fc.Arbitrary<OutputColumn> = fc.oneof(int64ColumnArb, anyColumnArb);

const searchArb: fc.Arbitrary<SearchResult> = fc.record({
  nq: fc.nat(1000), topK: fc.nat(16384), topks: fc.array(fc.nat(100), { maxLength: 5 }), ids: pkArb,
  scores: fc.array(fc.float({ noNaN: true }), { maxLength: 20 }).map((a) => Float32Array.from(a)),
  columns: fc.array(columnArb, { maxLength: 3 }), outputFields: fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
  primaryFieldName: fc.string({ maxLength: 6 }), groupByValues: fc.option(columnArb, { nil: null }),
  iterator: fc.option(fc.record({ token: fc.string({ maxLength: 8 }), lastBound: fc.float({ noNaN: true }) }), { nil: undefined }),
  highlights: fc.option(fc.array(fc.record({
    fieldName: fc.string({ maxLength: 6 }),
    datas: fc.array(fc.record({
      fragments: fc.array(fc.string({ unit: 'grapheme', maxLength: 12 }), { maxLength: 3 }),
      scores: fc.array(fc.float({ noNaN: true }), { maxLength: 3 }),
    }), { maxLength: 4 }),
  }), { maxLength: 2 }), { nil: undefined }),
}, { requiredKeys: ['nq', 'topK', 'topks', 'ids', 'scores', 'columns', 'outputFields', 'primaryFieldName', 'groupByValues'] });

test('Search replies are bit for bit the descriptor-driven encoding of the rpc-table answer', () => {
  const reference = messageCodec('milvus.proto.milvus.SearchResults');
  fc.assert(fc.property(searchArb, fc.string({ maxLength: 8 }), (r, name) => {
    const expected = reference.serialize({ ...searchResultsToWire(r, name), status: successStatus() });
    assert.deepStrictEqual(searchReply(r, name).bytes, expected);
  }), { numRuns: 500 });
});

test('Query replies are bit for bit the descriptor-driven encoding of the rpc-table answer', () => {
  const reference = messageCodec('milvus.proto.milvus.QueryResults');
  const queryArb: fc.Arbitrary<QueryResult> = fc.record({
    numRows: fc.nat(10), columns: fc.array(columnArb, { maxLength: 4 }), outputFields: fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
    primaryFieldName: fc.string({ maxLength: 6 }),
    elementIndices: fc.option(fc.array(fc.array(fc.nat(1_000_000), { maxLength: 3 }), { maxLength: 3 }), { nil: undefined }),
  }, { requiredKeys: ['numRows', 'columns', 'outputFields', 'primaryFieldName'] });
  fc.assert(fc.property(queryArb, fc.string({ maxLength: 8 }), (r, name) => {
    assert.deepStrictEqual(queryReply(r, name).bytes, reference.serialize({ ...queryResultsToWire(r, name), status: successStatus() }));
  }), { numRuns: 500 });
});

test('mutation and bool replies are bit for bit the descriptor-driven encoding', () => {
  const reference = messageCodec('milvus.proto.milvus.MutationResult');
  const mutationArb: fc.Arbitrary<MutationResult> = fc.record({
    ids: pkArb, insertCount: fc.nat(), upsertCount: fc.nat(), deleteCount: fc.nat(), timestamp: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  });
  fc.assert(fc.property(mutationArb, (r) => {
    assert.deepStrictEqual(mutationReply(r).bytes, reference.serialize({ ...mutationResultToWire(r), status: successStatus() }));
  }), { numRuns: 500 });
  const bool = messageCodec('milvus.proto.milvus.BoolResponse');
  for (const v of [true, false]) assert.deepStrictEqual(boolReply(v).bytes, bool.serialize({ value: v, status: successStatus() }));
});
