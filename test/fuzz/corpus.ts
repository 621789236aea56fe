/**
 * Valid gRPC requests for every method, built from the descriptor: each message field gets a value
 * by its name (collection_name -> the populated collection, field_name -> a real field...), so
 * mutated requests reach the handlers' depths; Search, Query, Insert and friends are written out.
 */
import protobuf from 'protobufjs';
import { milvusRoot } from '../../src/server/grpc/proto.js';
import type { Rng } from '../expr/gen.js';
import { NASTY_INT64, NASTY_NUMBERS, NASTY_STRINGS } from './mutate.js';
import { FUZZ, vectorOf } from './server.js';

type Obj = Record<string, unknown>;

const BY_NAME: Record<string, unknown[]> = {
  collection_name: [FUZZ, FUZZ, FUZZ, 'fz_other'], db_name: ['', 'default'], partition_name: ['_default', 'p1'], partition_names: [['_default'], ['p1']],
  field_name: ['vec', 'a', 's', 'meta'], index_name: ['vec_idx', 'a_idx', ''], alias: ['fz_alias'], expr: ['id < 50', 'a > 0 and flag', 'meta["a"] == 1', ''],
  dsl: ['id < 50'], output_fields: [['id', 'a', 's', 'meta', 'arr', 'dk1']], collection_names: [[FUZZ]], oldName: [FUZZ, 'fz_other'], newName: ['fz_renamed'],
  username: ['fuzzer'], password: ['cGFzc3dvcmQ='], role_name: ['fuzz_role'], dbName: ['', 'default'], newDBName: [''], key: ['mmap.enabled', 'limit'],
  value: ['true', '10'], object_name: [FUZZ], object_type: ['Collection'], privilege: ['Search'], group_name: ['g1'], resource_group: ['__default_resource_group'],
};

const dim = 2;
const floatBytes = (xs: number[]): Buffer => Buffer.from(new Float32Array(xs).buffer);
const kv = (o: Record<string, string>): Obj[] => Object.entries(o).map(([key, value]) => ({ key, value }));

function encodeAs(typeName: string, value: Obj): Buffer {
  const t = milvusRoot.lookupType(typeName);
  return Buffer.from(t.encode(t.fromObject(value)).finish());
}

function placeholders(vectors: number[][]): Buffer {
  return encodeAs('milvus.proto.common.PlaceholderGroup', { placeholders: [{ tag: '$0', type: 101, values: vectors.map(floatBytes) }] });
}

function searchRequest(r: Rng): Obj {
  const i = r.int(0, 199);
  return {
    collection_name: FUZZ, dsl: r.pick(['', 'id >= 0', 'a > 0 or flag', 'meta["a"] == 1', 'arr[0] > 1']), dsl_type: 1, placeholder_group: placeholders([vectorOf(i)]), nq: 1,
    search_params: kv({ anns_field: 'vec', topk: String(r.int(1, 20)), metric_type: 'L2', params: '{}', offset: String(r.int(0, 3)), round_decimal: '-1' }),
    output_fields: r.pick([['id'], ['id', 'a', 's', 'meta', 'arr'], ['*'], ['dk1']]), consistency_level: 2,
  };
}

function fieldData(r: Rng, n: number): Obj[] {
  const ids = Array.from({ length: n }, () => String(r.int(1000, 9999)));
  const jsonBytes = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));
  return [
    { type: 5, field_name: 'id', scalars: { long_data: { data: ids } } },
    { type: 4, field_name: 'a', scalars: { int_data: { data: ids.map((_, i) => i) } }, valid_data: ids.map(() => true) },
    { type: 5, field_name: 'b', scalars: { long_data: { data: ids.map(() => '7') } } },
    { type: 21, field_name: 's', scalars: { string_data: { data: ids.map(() => 'ab') } }, valid_data: ids.map(() => true) },
    { type: 1, field_name: 'flag', scalars: { bool_data: { data: ids.map(() => true) } } },
    { type: 23, field_name: 'meta', scalars: { json_data: { data: ids.map(() => jsonBytes({ a: 1 })) } }, valid_data: ids.map(() => true) },
    { type: 22, field_name: 'arr', scalars: { array_data: { element_type: 5, data: ids.map(() => ({ long_data: { data: ['1', '2'] } })) } }, valid_data: ids.map(() => true) },
    { type: 101, field_name: 'vec', vectors: { dim, float_vector: { data: ids.flatMap((_, i) => vectorOf(i)) } } },
    { type: 23, field_name: '$meta', is_dynamic: true, scalars: { json_data: { data: ids.map(() => jsonBytes({ dk1: 'x' })) } } },
  ];
}

/** Hand-written valid requests for the methods whose generic request would not get far. */
const SPECIAL: Record<string, (r: Rng) => Obj> = {
  Search: searchRequest,
  HybridSearch: (r) => ({
    collection_name: FUZZ, requests: [searchRequest(r), searchRequest(r)], output_fields: ['id'],
    rank_params: kv(r.chance(0.5) ? { strategy: 'rrf', params: '{"k":60}', limit: '5' } : { strategy: 'weighted', params: '{"weights":[0.5,0.5]}', limit: '5' }),
  }),
  Query: (r) => ({
    collection_name: FUZZ, expr: r.pick(['id < 20', 'a in [1,2,3]', 's like "a%"', 'json_contains(arr, 1)', '']), output_fields: r.pick([['id', 'a'], ['count(*)'], ['*']]),
    query_params: kv({ limit: String(r.int(1, 50)), offset: String(r.int(0, 5)) }),
  }),
  Insert: (r) => { const n = r.int(1, 4); return { collection_name: FUZZ, fields_data: fieldData(r, n), num_rows: n }; },
  Upsert: (r) => { const n = r.int(1, 4); return { collection_name: FUZZ, fields_data: fieldData(r, n), num_rows: n }; },
  Delete: (r) => ({ collection_name: FUZZ, expr: r.pick(['id in [1000, 1001]', 'id > 9000', 'a == 3']) }),
  CreateCollection: (r) => ({
    collection_name: r.pick(['fz_new', 'fz_new2']), shards_num: 1, consistency_level: 2,
    schema: encodeAs('milvus.proto.schema.CollectionSchema', {
      name: 'fz_new', enable_dynamic_field: true,
      fields: [
        { name: 'id', data_type: 5, is_primary_key: true, autoID: r.chance(0.5) },
        { name: 'v', data_type: 101, type_params: kv({ dim: String(r.int(2, 8)) }) },
        { name: 'j', data_type: 23, nullable: true },
      ],
    }),
  }),
  CreateIndex: (r) => ({
    collection_name: FUZZ, field_name: r.pick(['vec', 'a']), index_name: r.pick(['vec_idx', 'idx2']),
    extra_params: kv(r.pick<Record<string, string>>([{ index_type: 'HNSW', metric_type: 'L2', params: '{"M":8,"efConstruction":32}' }, { index_type: 'IVF_FLAT', metric_type: 'L2', params: '{"nlist":4}' }, { index_type: 'STL_SORT' }])),
  }),
  CalcDistance: (r) => ({
    op_left: { data_array: { dim, float_vector: { data: [...vectorOf(r.int(0, 9)), ...vectorOf(3)] } } },
    op_right: { data_array: { dim, float_vector: { data: vectorOf(5) } } }, params: kv({ metric: 'L2' }),
  }),
  AddCollectionField: () => ({ collection_name: FUZZ, schema: encodeAs('milvus.proto.schema.FieldSchema', { name: 'added', data_type: 4, nullable: true }) }),
  LoadCollection: () => ({ collection_name: FUZZ, replica_number: 1 }),
};

function scalarOf(r: Rng, f: protobuf.Field): unknown {
  switch (f.type) {
    case 'string': return r.pick(NASTY_STRINGS.slice(0, 12));
    case 'bytes': return Buffer.from([r.int(0, 255), r.int(0, 255)]);
    case 'bool': return r.chance(0.5);
    case 'int64': case 'uint64': case 'sint64': case 'fixed64': case 'sfixed64': return String(r.int(0, 3));
    case 'float': case 'double': return r.int(0, 3) / 2;
    default: return r.int(0, 3);
  }
}

function valueOf(r: Rng, f: protobuf.Field, depth: number): unknown {
  const named = BY_NAME[f.name];
  if (named !== undefined && f.type === 'string') {
    const v = r.pick(named);
    return f.repeated && !Array.isArray(v) ? [v] : v;
  }
  const one = (): unknown => {
    f.resolve();
    const t = f.resolvedType;
    if (t instanceof protobuf.Type) return depth > 2 ? {} : genericOf(r, t, depth + 1);
    if (t instanceof protobuf.Enum) return r.pick(Object.values(t.values));
    return scalarOf(r, f);
  };
  if (f instanceof protobuf.MapField) return { [String(r.pick(NASTY_STRINGS.slice(0, 6)))]: one() };
  return f.repeated ? Array.from({ length: r.int(0, 2) }, one) : one();
}

export function genericOf(r: Rng, t: protobuf.Type, depth = 0): Obj {
  const out: Obj = {};
  for (const f of t.fieldsArray) if (r.chance(0.8)) out[f.name] = valueOf(r, f, depth);
  return out;
}

/** A valid-looking request object for the method (its request type's fields filled in). */
export function requestOf(r: Rng, method: string, type: protobuf.Type): Obj {
  const special = SPECIAL[method];
  return special !== undefined && r.chance(0.9) ? special(r) : genericOf(r, type);
}

function nastyValue(r: Rng, f: protobuf.Field): unknown {
  f.resolve();
  if (f.resolvedType instanceof protobuf.Type) return r.chance(0.5) ? {} : genericOf(r, f.resolvedType, 2);
  switch (f.type) {
    case 'string': return r.pick(NASTY_STRINGS);
    case 'bytes': return Buffer.alloc(r.pick([0, 1, 3, 7, 8, 4096]), r.int(0, 255));
    case 'int64': case 'uint64': case 'sint64': case 'fixed64': case 'sfixed64': return r.pick(NASTY_INT64);
    case 'bool': return r.chance(0.5);
    case 'float': case 'double': return r.pick(NASTY_NUMBERS);
    default: return Math.trunc(r.pick(NASTY_NUMBERS.filter(Number.isFinite))) | 0;
  }
}

/** Replace, drop or blow up one field of the request (recursing into sub-messages sometimes). */
export function mutateFields(r: Rng, t: protobuf.Type, value: Obj): Obj {
  const out: Obj = { ...value };
  const fields = t.fieldsArray;
  if (fields.length === 0) return out;
  const f = r.pick(fields);
  f.resolve();
  const current = out[f.name];
  const roll = r.int(0, 5);
  if (roll === 0) delete out[f.name];
  else if (roll === 1 && f.resolvedType instanceof protobuf.Type && typeof current === 'object' && current !== null && !Array.isArray(current) && !Buffer.isBuffer(current)) {
    out[f.name] = mutateFields(r, f.resolvedType, current as Obj);
  } else if (roll === 2 && f.repeated && Array.isArray(current) && current.length > 0) {
    out[f.name] = Array.from({ length: r.pick([0, 2, 50, 1000]) }, () => r.pick(current as unknown[]));
  } else if (f.repeated && !(f instanceof protobuf.MapField)) {
    out[f.name] = Array.from({ length: r.int(0, 3) }, () => nastyValue(r, f));
  } else if (f instanceof protobuf.MapField) {
    out[f.name] = { [r.pick(NASTY_STRINGS)]: f.type === 'string' ? r.pick(NASTY_STRINGS) : nastyValue(r, f) };
  } else out[f.name] = nastyValue(r, f);
  return out;
}
