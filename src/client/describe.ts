/**
 * DescribeCollection as the SDK returns it: the proto response (names for enums, strings for
 * int64) passed through its formatDescribedCol (each field gains `dataType` and its type params as
 * properties; `anns_fields` / `scalar_fields` / `function_fields` maps). The `$meta` field is hidden.
 */
import { FUNCTION_TYPE_NAMES } from '../schema/functions.js';
import { DataType, dataTypeName } from '../core/enums.js';
import type { FieldSchema, FunctionSchema } from '../schema/types.js';
import type * as T from '../service/types.js';
import { toKeyValues } from './format.js';
import type { DescribeCollectionResponse, FieldSchemaResult, FunctionResult } from './types.js';

const CONSISTENCY_NAMES = ['Strong', 'Session', 'Bounded', 'Eventually', 'Customized'] as const;

function typeParamsOf(f: FieldSchema): Record<string, string> {
  const p: Record<string, string> = { ...f.typeParams };
  if (f.dim !== null && p['dim'] === undefined) p['dim'] = String(f.dim);
  if (f.maxLength !== null && p['max_length'] === undefined) p['max_length'] = String(f.maxLength);
  if (f.maxCapacity !== null && p['max_capacity'] === undefined) p['max_capacity'] = String(f.maxCapacity);
  return p;
}

/** ValueField after the SDK's `default_value[default_value.data]`: int64 as string. */
function defaultValueOf(f: FieldSchema): string | number | boolean | null {
  const v = f.defaultValue;
  if (v === null) return null;
  if (f.dataType === DataType.Int64 || typeof v === 'bigint') return String(v);
  return v;
}

export function fieldResult(f: FieldSchema, functionOutputs: ReadonlySet<string>): FieldSchemaResult {
  const typeParams = typeParamsOf(f);
  return {
    fieldID: String(f.fieldId),
    name: f.name,
    is_primary_key: f.isPrimaryKey,
    description: f.description,
    data_type: dataTypeName(f.dataType) ?? 'None',
    type_params: toKeyValues(typeParams),
    index_params: [],
    autoID: f.autoId,
    state: 'FieldCreated',
    element_type: f.elementType === null ? 'None' : dataTypeName(f.elementType) ?? 'None',
    default_value: defaultValueOf(f),
    is_dynamic: false,
    is_partition_key: f.isPartitionKey,
    is_clustering_key: f.isClusteringKey,
    nullable: f.nullable,
    is_function_output: functionOutputs.has(f.name),
    external_field: f.externalField ?? '',
    dataType: f.dataType,
    ...typeParams,
  };
}

function functionResult(fn: FunctionSchema): FunctionResult {
  return {
    name: fn.name,
    id: '0',
    description: fn.description,
    type: FUNCTION_TYPE_NAMES[fn.type] ?? 'Unknown',
    input_field_names: [...fn.inputFieldNames],
    input_field_ids: [],
    output_field_names: [...fn.outputFieldNames],
    output_field_ids: [],
    params: toKeyValues(fn.params),
  };
}

export function describeResult(d: T.CollectionDescription): Omit<DescribeCollectionResponse, 'status'> {
  const outputs = new Set(d.schema.functions.flatMap((fn) => fn.outputFieldNames));
  const fields = d.schema.fields.filter((f) => !f.isDynamic).map((f) => fieldResult(f, outputs));
  const anns: Record<string, FieldSchemaResult> = {};
  const scalars: Record<string, FieldSchemaResult> = {};
  const functionFields: Record<string, FieldSchemaResult> = {};
  for (const f of fields) {
    if (f.data_type.endsWith('Vector')) anns[f.name] = f;
    else scalars[f.name] = f;
    if (f.is_function_output) functionFields[f.name] = f;
  }
  const pk = d.schema.fields.find((f) => f.isPrimaryKey);
  return {
    schema: {
      name: d.schema.name,
      description: d.schema.description,
      autoID: pk?.autoId ?? false,
      fields,
      enable_dynamic_field: d.schema.enableDynamicField,
      properties: [],
      functions: d.schema.functions.map(functionResult),
      dbName: d.dbName,
      struct_array_fields: [],
      version: 0,
      external_source: d.schema.externalSource ?? '',
      external_spec: d.schema.externalSpec ?? '',
      file_resource_ids: [],
      enable_namespace: false,
    },
    collectionID: String(d.collectionId),
    virtual_channel_names: [],
    physical_channel_names: [],
    created_timestamp: String(d.createdTimestamp),
    created_utc_timestamp: String(d.createdUtcMs),
    shards_num: d.shardsNum,
    aliases: [...d.aliases],
    start_positions: [],
    consistency_level: CONSISTENCY_NAMES[d.consistencyLevel] ?? 'Bounded',
    collection_name: d.collectionName,
    properties: toKeyValues(d.properties),
    db_name: d.dbName,
    num_partitions: String(d.numPartitions),
    db_id: '0',
    request_time: '0',
    update_timestamp: String(d.updateTimestamp),
    update_timestamp_str: String(d.updateTimestamp),
    anns_fields: anns,
    scalar_fields: scalars,
    function_fields: functionFields,
  };
}

/** What a Milvus server sends with an error status: proto defaults. */
export function emptyDescribe(collectionName: string): Omit<DescribeCollectionResponse, 'status'> {
  return {
    schema: null, collectionID: '0', virtual_channel_names: [], physical_channel_names: [], created_timestamp: '0',
    created_utc_timestamp: '0', shards_num: 0, aliases: [], start_positions: [], consistency_level: 'Strong',
    collection_name: collectionName, properties: [], db_name: '', num_partitions: '0', db_id: '0', request_time: '0',
    update_timestamp: '0', update_timestamp_str: '', anns_fields: {}, scalar_fields: {}, function_fields: {},
  };
}
