/**
 * Collection schemas on the wire: `CreateCollectionRequest` (schema as serialized bytes) in, and
 * `DescribeCollectionResponse` out. The `$meta` field never appears in the wire schema's `fields`.
 */
import { DataType, isVectorType, type ConsistencyLevel } from '../../../core/enums.js';
import { errors } from '../../../core/errors.js';
import type { CollectionSchema, FieldSchema, FunctionSchema, ScalarValue } from '../../../schema/types.js';
import { structMembersOf } from '../../../schema/types.js';
import type * as T from '../../../service/types.js';
import { formatTimestamptz } from '../../../schema/temporal.js';
import { decodeCollectionSchemaBytes, decodeFieldSchemaBytes } from '../proto.js';
import { dbNameOf, type CallContext } from './context.js';
import { bool, bytes, int64, keyValues, list, msg, num, oneofCase, str, strings, toKeyValues, type Wire } from './wire.js';

const knownDataTypes: ReadonlySet<number> = new Set(Object.values(DataType));

export function dataTypeOf(v: unknown, what: string): DataType {
  const n = num(v, what);
  if (!knownDataTypes.has(n)) throw errors.invalidParameter(`${what} not supported`, { actual: n });
  return n as DataType;
}

export function consistencyOf(v: unknown): ConsistencyLevel | undefined {
  const n = num(v, 'consistency_level');
  return n >= 0 && n <= 4 ? (n as ConsistencyLevel) : undefined;
}

/** `ValueField` oneof -> scalar default value (null when unset). */
export function defaultValueFrom(v: unknown): ScalarValue | null {
  const m = msg(v, 'default_value');
  switch (oneofCase(m, 'data')) {
    case 'bool_data': return bool(m['bool_data']);
    case 'int_data': return num(m['int_data'], 'default_value.int_data');
    case 'long_data': return int64(m['long_data'], 'default_value.long_data');
    case 'float_data': return num(m['float_data'], 'default_value.float_data');
    case 'double_data': return num(m['double_data'], 'default_value.double_data');
    case 'string_data': return str(m['string_data'], 'default_value.string_data');
    case 'timestamptz_data': return int64(m['timestamptz_data'], 'default_value.timestamptz_data');
    default: return null;
  }
}

/** Scalar default value -> `ValueField` for the field's data type. */
export function defaultValueToWire(field: FieldSchema): Wire | null {
  const v = field.defaultValue;
  if (v === null) return null;
  switch (field.dataType) {
    case DataType.Bool: return { bool_data: Boolean(v) };
    case DataType.Int8: case DataType.Int16: case DataType.Int32: return { int_data: Number(v) };
    case DataType.Int64: return { long_data: String(v) };
    case DataType.Float: return { float_data: Number(v) };
    case DataType.Double: return { double_data: Number(v) };
    case DataType.Timestamptz: return { string_data: typeof v === 'bigint' ? formatTimestamptz(v) : String(v) };
    default: return { string_data: String(v) };
  }
}

function intTypeParam(params: Record<string, string>, key: string): number | undefined {
  const raw = params[key];
  if (raw === undefined) return undefined;
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isInteger(n)) {
    throw errors.invalidParameter(`type param ${key}`, { expected: 'an integer', actual: raw });
  }
  return n;
}

function fieldSpecFrom(v: unknown): T.FieldSpecInput {
  const f = msg(v, 'field');
  const typeParams = keyValues(f['type_params'], 'type_params');
  const spec: T.FieldSpecInput = {
    name: str(f['name'], 'field.name'),
    dataType: dataTypeOf(f['data_type'], 'data_type'),
    description: str(f['description'], 'field.description'),
    isPrimaryKey: bool(f['is_primary_key']),
    autoId: bool(f['autoID']),
    isPartitionKey: bool(f['is_partition_key']),
    isClusteringKey: bool(f['is_clustering_key']),
    nullable: bool(f['nullable']),
    typeParams,
  };
  const defaultValue = defaultValueFrom(f['default_value']);
  if (defaultValue !== null) spec.defaultValue = defaultValue; // absent, not an explicit null default
  const elementType = num(f['element_type'], 'element_type');
  if (elementType !== 0) spec.elementType = dataTypeOf(elementType, 'element_type');
  const dim = intTypeParam(typeParams, 'dim');
  if (dim !== undefined) spec.dim = dim;
  const maxLength = intTypeParam(typeParams, 'max_length');
  if (maxLength !== undefined) spec.maxLength = maxLength;
  const maxCapacity = intTypeParam(typeParams, 'max_capacity');
  if (maxCapacity !== undefined) spec.maxCapacity = maxCapacity;
  const externalField = str(f['external_field'], 'external_field');
  if (externalField !== '') spec.externalField = externalField;
  return spec;
}

/** Milvus's DataType of a struct member on the wire: Array (scalars) or ArrayOfVector (vectors). */
const ARRAY_OF_VECTOR = 106;

/** A struct member on the wire (Array / ArrayOfVector of its own type) -> a spec of its own type. */
function memberSpecFrom(v: unknown): T.FieldSpecInput {
  const f = msg(v, 'struct member');
  const wrapper = num(f['data_type'], 'data_type');
  const own = num(f['element_type'], 'element_type');
  if (wrapper !== DataType.Array && wrapper !== ARRAY_OF_VECTOR) {
    throw errors.invalidParameter(`field ${String(f['name'])} of a struct must be an Array or ArrayOfVector field`, { actual: wrapper });
  }
  return fieldSpecFrom({ ...f, data_type: own, element_type: 0 });
}

/** `StructArrayFieldSchema` -> spec; max_capacity from its own type_params, else its members' (what the SDK sends). */
function structFieldFrom(v: unknown): T.StructFieldSpecInput {
  const s = msg(v, 'struct_array_fields');
  const members = list(s['fields'], 'struct.fields');
  const own = intTypeParam(keyValues(s['type_params'], 'type_params'), 'max_capacity');
  const first = members[0] === undefined ? undefined : intTypeParam(keyValues(msg(members[0], 'field')['type_params'], 'type_params'), 'max_capacity');
  const spec: T.StructFieldSpecInput = {
    name: str(s['name'], 'struct.name'),
    description: str(s['description'], 'struct.description'),
    members: members.map(memberSpecFrom),
  };
  const cap = own ?? first;
  if (cap !== undefined) spec.maxCapacity = cap;
  if (s['nullable'] === true) spec.nullable = true;
  return spec;
}

function functionFrom(v: unknown): FunctionSchema {
  const f = msg(v, 'function');
  return {
    name: str(f['name'], 'function.name'),
    description: str(f['description'], 'function.description'),
    type: num(f['type'], 'function.type'),
    inputFieldNames: strings(f['input_field_names'], 'input_field_names'),
    outputFieldNames: strings(f['output_field_names'], 'output_field_names'),
    params: keyValues(f['params'], 'function.params'),
  };
}

/** `functionSchema` of Add/AlterCollectionFunctionRequest: absent (or empty) stays absent, as Milvus sees nil. */
function optionalFunction(v: unknown): FunctionSchema | undefined {
  return v === undefined || v === null ? undefined : functionFrom(v);
}

export function addCollectionFunctionFromWire(req: Wire, ctx: CallContext): T.AddCollectionFunctionRequest {
  const out: T.AddCollectionFunctionRequest = { dbName: dbNameOf(req, ctx), collectionName: str(req['collection_name'], 'collection_name') };
  const fn = optionalFunction(req['functionSchema']);
  if (fn !== undefined) out.function = fn;
  return out;
}

export function alterCollectionFunctionFromWire(req: Wire, ctx: CallContext): T.AlterCollectionFunctionRequest {
  const out: T.AlterCollectionFunctionRequest = {
    dbName: dbNameOf(req, ctx), collectionName: str(req['collection_name'], 'collection_name'), functionName: str(req['function_name'], 'function_name'),
  };
  const fn = optionalFunction(req['functionSchema']);
  if (fn !== undefined) out.function = fn;
  return out;
}

/** Wire `AddCollectionFieldRequest` -> service request (`schema` holds one serialized FieldSchema). */
export function addCollectionFieldFromWire(req: Wire, ctx: CallContext): T.AddCollectionFieldRequest {
  const fieldBytes = bytes(req['schema'], 'schema');
  if (fieldBytes.length === 0) throw errors.missingParameter('schema');
  let field: unknown;
  try {
    field = decodeFieldSchemaBytes(fieldBytes);
  } catch (e) {
    throw errors.invalidParameter('field schema', { reason: e instanceof Error ? e.message : String(e) });
  }
  return { dbName: dbNameOf(req, ctx), collectionName: str(req['collection_name'], 'collection_name'), field: fieldSpecFrom(field) };
}

/** Wire `AddCollectionStructFieldRequest` (milvus-proto v3.0.0) -> service request. */
export function addCollectionStructFieldFromWire(req: Wire, ctx: CallContext): T.AddCollectionStructFieldRequest {
  const schema = req['struct_array_field_schema'];
  if (schema === undefined || schema === null) throw errors.missingParameter('struct_array_field_schema');
  return { dbName: dbNameOf(req, ctx), collectionName: str(req['collection_name'], 'collection_name'), struct: structFieldFrom(schema) };
}

/**
 * Wire `AlterCollectionSchemaRequest` (what SDK 3.x sends for addCollectionField) -> the fields to
 * add. Dropping fields or adding functions this way is not supported.
 */
export function alterSchemaAddFromWire(req: Wire, ctx: CallContext): T.AddCollectionFieldRequest[] {
  const action = msg(req['action'], 'action');
  if (oneofCase(action, 'op') !== 'add_request') throw errors.unsupported('AlterCollectionSchema drop_request');
  const add = msg(action['add_request'], 'add_request');
  if (list(add['func_schema'], 'func_schema').length > 0) throw errors.unsupported('AlterCollectionSchema with functions');
  const scope = { dbName: dbNameOf(req, ctx), collectionName: str(req['collection_name'], 'collection_name') };
  return list(add['field_infos'], 'field_infos').map((info) => ({ ...scope, field: fieldSpecFrom(msg(info, 'field_info')['field_schema']) }));
}

/** Wire `CreateCollectionRequest` -> service request (decodes the schema bytes). */
export function createCollectionFromWire(req: Wire, ctx: CallContext): T.CreateCollectionRequest {
  const schemaBytes = bytes(req['schema'], 'schema');
  if (schemaBytes.length === 0) throw errors.missingParameter('schema');
  let schema: Wire;
  try {
    schema = msg(decodeCollectionSchemaBytes(schemaBytes), 'schema');
  } catch (e) {
    throw errors.invalidParameter('schema', { reason: e instanceof Error ? e.message : String(e) });
  }
  const out: T.CreateCollectionRequest = {
    dbName: dbNameOf(req, ctx),
    collectionName: str(req['collection_name'], 'collection_name'),
    fields: list(schema['fields'], 'schema.fields').map(fieldSpecFrom),
    description: str(schema['description'], 'schema.description'),
    enableDynamicField: bool(schema['enable_dynamic_field']),
    autoId: bool(schema['autoID']),
    functions: list(schema['functions'], 'schema.functions').map(functionFrom),
    structFields: list(schema['struct_array_fields'], 'schema.struct_array_fields').map(structFieldFrom),
    properties: { ...keyValues(schema['properties'], 'schema.properties'), ...keyValues(req['properties'], 'properties') },
  };
  const externalSource = str(schema['external_source'], 'schema.external_source');
  if (externalSource !== '') out.externalSource = externalSource;
  const externalSpec = str(schema['external_spec'], 'schema.external_spec');
  if (externalSpec !== '') out.externalSpec = externalSpec;
  const shards = num(req['shards_num'], 'shards_num');
  if (shards !== 0) out.shardsNum = shards;
  const parts = num(req['num_partitions'], 'num_partitions');
  if (parts !== 0) out.numPartitions = parts;
  const level = consistencyOf(req['consistency_level']);
  if (level !== undefined) out.consistencyLevel = level;
  return out;
}

function fieldToWire(f: FieldSchema, functionOutputs: ReadonlySet<string>): Wire {
  const typeParams: Record<string, string> = { ...f.typeParams };
  if (f.dim !== null && typeParams['dim'] === undefined) typeParams['dim'] = String(f.dim);
  if (f.maxLength !== null && typeParams['max_length'] === undefined) typeParams['max_length'] = String(f.maxLength);
  if (f.maxCapacity !== null && typeParams['max_capacity'] === undefined) typeParams['max_capacity'] = String(f.maxCapacity);
  const out: Wire = {
    fieldID: String(f.fieldId),
    name: f.name,
    is_primary_key: f.isPrimaryKey,
    description: f.description,
    data_type: f.dataType,
    type_params: toKeyValues(typeParams),
    index_params: [],
    autoID: f.autoId,
    element_type: f.elementType ?? 0,
    is_dynamic: false,
    is_partition_key: f.isPartitionKey,
    is_clustering_key: f.isClusteringKey,
    nullable: f.nullable,
    is_function_output: functionOutputs.has(f.name),
    external_field: f.externalField ?? '',
  };
  const dv = defaultValueToWire(f);
  if (dv !== null) out['default_value'] = dv;
  return out;
}

/** A stored member -> the wire's member FieldSchema: its plain name, Array / ArrayOfVector of its own type. */
function memberToWire(f: FieldSchema, t: DataType): Wire {
  const { max_capacity: _cap, ...rest } = f.typeParams;
  const base = fieldToWire({ ...f, maxCapacity: null, typeParams: rest }, new Set());
  const cap = structCapacity(f);
  return {
    ...base,
    name: f.structMember?.name ?? f.name,
    data_type: isVectorType(t) ? ARRAY_OF_VECTOR : DataType.Array,
    element_type: t,
    type_params: [...list(base['type_params'], 'type_params'), { key: 'max_capacity', value: String(cap) }],
  };
}

function structCapacity(f: FieldSchema): number {
  return Number(f.typeParams['max_capacity'] ?? f.maxCapacity ?? 0);
}

function structFieldsToWire(schema: CollectionSchema): Wire[] {
  return (schema.structFields ?? []).map((s) => ({
    fieldID: String(s.fieldId),
    name: s.name,
    description: s.description,
    fields: structMembersOf(schema, s.name).map((m) => memberToWire(m, m.structMember?.type ?? DataType.None)),
    type_params: [{ key: 'max_capacity', value: String(s.maxCapacity) }],
    nullable: s.nullable === true,
  }));
}

function functionToWire(fn: FunctionSchema): Wire {
  return {
    name: fn.name,
    description: fn.description,
    type: fn.type,
    input_field_names: fn.inputFieldNames,
    output_field_names: fn.outputFieldNames,
    params: toKeyValues(fn.params),
  };
}

/** Service description -> wire `DescribeCollectionResponse` (without `status`). */
export function describeCollectionToWire(d: T.CollectionDescription): Wire {
  const functionOutputs = new Set(d.schema.functions.flatMap((f) => f.outputFieldNames));
  const pk = d.schema.fields.find((f) => f.isPrimaryKey);
  return {
    schema: {
      name: d.schema.name,
      description: d.schema.description,
      autoID: pk?.autoId ?? false,
      fields: d.schema.fields.filter((f) => !f.isDynamic && f.structMember === undefined).map((f) => fieldToWire(f, functionOutputs)),
      struct_array_fields: structFieldsToWire(d.schema),
      enable_dynamic_field: d.schema.enableDynamicField,
      properties: [],
      functions: d.schema.functions.map(functionToWire),
      dbName: d.dbName,
      external_source: d.schema.externalSource ?? '',
      external_spec: d.schema.externalSpec ?? '',
    },
    collectionID: String(d.collectionId),
    virtual_channel_names: [],
    physical_channel_names: [],
    created_timestamp: String(d.createdTimestamp),
    created_utc_timestamp: String(d.createdUtcMs),
    shards_num: d.shardsNum,
    aliases: d.aliases,
    consistency_level: d.consistencyLevel,
    collection_name: d.collectionName,
    properties: toKeyValues(d.properties),
    db_name: d.dbName,
    num_partitions: String(d.numPartitions),
    update_timestamp: String(d.updateTimestamp),
    update_timestamp_str: String(d.updateTimestamp),
  };
}
