/**
 * SDK collection definitions -> the service's CreateCollectionRequest, following the SDK's
 * formatCollectionSchema (data types by number or name, `dim` / `max_length` / `max_capacity` at the
 * top level or in `type_params`, collection-level `partition_key_field` / `clustering_key_field`) and
 * its client-side checks (checkCollectionFields), which throw.
 */
import type { CreateCollectionReq, FieldType, FunctionObject } from '@zilliz/milvus2-sdk-node';
import { ConsistencyLevel } from '../core/enums.js';
import type { DataType as CoreDataType } from '../core/enums.js';
import type { FunctionSchema, ScalarValue } from '../schema/types.js';
import type * as T from '../service/types.js';
import { DataType, DataTypeMap, ERROR_REASONS, FunctionType } from './enums.js';
import { stringifyValues } from './format.js';
import { clientError } from './status.js';

const TYPE_PARAM_KEYS = ['dim', 'max_length', 'max_capacity', 'enable_match', 'enable_analyzer', 'analyzer_params', 'multi_analyzer_params', 'mmap.enabled'] as const;

/** The SDK's convertToDataType: a DataType number or a DataTypeMap name. */
export function toDataType(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && Object.prototype.hasOwnProperty.call(DataTypeMap, v)) {
    return DataTypeMap[v as keyof typeof DataTypeMap];
  }
  throw clientError(ERROR_REASONS.FIELD_TYPE_IS_NOT_SUPPORT);
}

function isVector(t: number): boolean {
  return t === DataType.BinaryVector || t === DataType.FloatVector || t === DataType.Float16Vector
    || t === DataType.BFloat16Vector || t === DataType.SparseFloatVector || t === DataType.Int8Vector;
}

/** The SDK's assignTypeParams: top-level keys win over `type_params`, all values as strings. */
function typeParamsOf(f: FieldType): Record<string, string> {
  const out: Record<string, string> = stringifyValues(f.type_params);
  const top: Record<string, unknown> = f;
  for (const k of TYPE_PARAM_KEYS) {
    if (!(k in f)) continue;
    const v = top[k];
    out[k] = v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v ?? '');
  }
  return out;
}

function intParam(params: Record<string, string>, key: string): number | undefined {
  const raw = params[key];
  return raw === undefined || raw.trim() === '' ? undefined : Number(raw);
}

/** The SDK's checkCollectionFields (throws like the SDK). */
/** The SDK's checkCollectionFieldsWithOptions: an external collection needs no primary key or vector field of its own. */
export function checkFields(fields: readonly FieldType[], external = false): void {
  let hasPrimaryKey = false;
  let hasVector = false;
  let partitionKeys = 0;
  for (const f of fields) {
    if (!Object.prototype.hasOwnProperty.call(f, 'data_type')) throw clientError(ERROR_REASONS.CREATE_COLLECTION_MISS_DATA_TYPE);
    const t = toDataType(f.data_type);
    const params = typeParamsOf(f);
    if (f.is_primary_key && (t === DataType.Int64 || t === DataType.VarChar)) hasPrimaryKey = true;
    if (f.is_partition_key) {
      if ((t !== DataType.Int64 && t !== DataType.VarChar) || f.is_primary_key) throw clientError(ERROR_REASONS.INVALID_PARTITION_KEY_FIELD_TYPE);
      partitionKeys++;
    }
    if (isVector(t)) {
      const dim = Number(params['dim']);
      if (!dim && t !== DataType.SparseFloatVector) throw clientError(ERROR_REASONS.CREATE_COLLECTION_CHECK_MISS_DIM);
      if (t === DataType.BinaryVector && dim % 8 !== 0) throw clientError(ERROR_REASONS.CREATE_COLLECTION_CHECK_BINARY_DIM);
      hasVector = true;
    }
    if (t === DataType.VarChar && !params['max_length']) throw clientError(ERROR_REASONS.CREATE_COLLECTION_CHECK_MISS_MAX_LENGTH);
  }
  if (external) return;
  if (!hasPrimaryKey) throw clientError(ERROR_REASONS.CREATE_COLLECTION_CHECK_PRIMARY_KEY);
  if (!hasVector) throw clientError(ERROR_REASONS.CREATE_COLLECTION_CHECK_VECTOR_FIELD_EXIST);
  if (partitionKeys > 1) throw clientError(ERROR_REASONS.PARTITION_KEY_FIELD_MAXED_OUT);
}

function defaultValueOf(v: unknown): ScalarValue | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return v;
  return String(v);
}

function fieldSpec(f: FieldType, req: CreateCollectionReq): T.FieldSpecInput {
  const typeParams = typeParamsOf(f);
  const spec: T.FieldSpecInput = {
    name: f.name,
    // The service validates the number against its own DataType catalogue.
    dataType: toDataType(f.data_type) as CoreDataType,
    description: f.description ?? '',
    isPrimaryKey: f.is_primary_key === true,
    autoId: f.autoID === true,
    isPartitionKey: f.is_partition_key === true || f.name === req.partition_key_field,
    isClusteringKey: f.is_clustering_key === true || f.name === req.clustering_key_field,
    nullable: f.nullable === true,
    typeParams,
  };
  if (f.external_field !== undefined && f.external_field !== '') spec.externalField = f.external_field;
  const defaultValue = defaultValueOf(f.default_value);
  if (defaultValue !== null) spec.defaultValue = defaultValue;
  if (f.element_type !== undefined) spec.elementType = toDataType(f.element_type) as CoreDataType;
  const dim = intParam(typeParams, 'dim');
  if (dim !== undefined) spec.dim = dim;
  const maxLength = intParam(typeParams, 'max_length');
  if (maxLength !== undefined) spec.maxLength = maxLength;
  const maxCapacity = intParam(typeParams, 'max_capacity');
  if (maxCapacity !== undefined) spec.maxCapacity = maxCapacity;
  return spec;
}

/** An Array-of-Struct field as the SDK declares it: `data_type: Array, element_type: Struct, fields: [...]`. */
function isStructField(f: FieldType): boolean {
  return f.element_type !== undefined && toDataType(f.element_type) === STRUCT_ELEMENT_TYPE;
}

const STRUCT_ELEMENT_TYPE = 201;

export function structFieldSpec(f: FieldType, req: CreateCollectionReq): T.StructFieldSpecInput {
  const spec: T.StructFieldSpecInput = {
    name: f.name, description: f.description ?? '', members: (f.fields ?? []).map((m) => fieldSpec(m, req)),
  };
  const cap = intParam(typeParamsOf(f), 'max_capacity');
  if (cap !== undefined) spec.maxCapacity = cap;
  if (f.nullable === true) spec.nullable = true;
  return spec;
}

function functionTypeOf(t: FunctionObject['type']): number {
  if (typeof t === 'number') return t;
  const byName: Record<string, number> = { ...FunctionType, TextEmbedding: 2, Rerank: 3, MinHash: 4, MolFingerprint: 5 };
  return byName[t] ?? byName[t.toUpperCase()] ?? 0;
}

export function functionSchema(fn: FunctionObject): FunctionSchema {
  return {
    name: fn.name,
    description: fn.description ?? '',
    type: functionTypeOf(fn.type),
    inputFieldNames: fn.input_field_names ?? [],
    outputFieldNames: fn.output_field_names ?? [],
    params: stringifyValues(fn.params as Record<string, unknown> | undefined),
  };
}

/** 'Strong' / 'Bounded' / ... or the enum number; anything else is Bounded, as in the SDK. */
export function consistencyOf(v: unknown): ConsistencyLevel | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && v >= 0 && v <= 4) return v as ConsistencyLevel;
  if (typeof v === 'string' && Object.prototype.hasOwnProperty.call(ConsistencyLevel, v)) {
    return ConsistencyLevel[v as keyof typeof ConsistencyLevel];
  }
  return ConsistencyLevel.Bounded;
}

export function fieldsOf(req: CreateCollectionReq): FieldType[] {
  return 'schema' in req && req.schema ? req.schema : 'fields' in req ? req.fields : [];
}

export function createCollectionRequest(req: CreateCollectionReq, dbName: string): T.CreateCollectionRequest {
  const all = fieldsOf(req);
  const fields = all.filter((f) => !isStructField(f));
  const out: T.CreateCollectionRequest = {
    dbName,
    collectionName: req.collection_name,
    fields: fields.map((f) => fieldSpec(f, req)),
    structFields: all.filter(isStructField).map((f) => structFieldSpec(f, req)),
    description: req.description ?? '',
    enableDynamicField: req.enableDynamicField === true || req.enable_dynamic_field === true,
    functions: (req.functions ?? []).map(functionSchema),
    properties: stringifyValues(req.properties),
  };
  if (req.external_source !== undefined && req.external_source !== '') out.externalSource = req.external_source;
  if (req.external_spec !== undefined && req.external_spec !== '') out.externalSpec = req.external_spec;
  if (req.shards_num !== undefined) out.shardsNum = req.shards_num;
  if (req.num_partitions !== undefined) out.numPartitions = req.num_partitions;
  const level = consistencyOf(req.consistency_level);
  if (level !== undefined) out.consistencyLevel = level;
  return out;
}
