/** SDK shapes <-> the backend vocabulary, for the remote adapter only. */
import type { FieldSchema as SdkField } from '@zilliz/milvus2-sdk-node';
import { DataType, dataTypeFromName } from '../core/enums.js';
import type { CollectionSchema, FieldSchema, ScalarValue } from '../schema/types.js';
import type { Row } from './backend.js';
import { roundFloat32 } from './values.js';

/** bigint -> decimal string, recursively (the SDK sends int64 as strings). */
export function toWire(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(toWire);
  if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toWire(x);
    return out;
  }
  return v;
}

function fromWireValue(f: FieldSchema, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (f.dataType) {
    case DataType.Int64: return BigInt(String(v));
    case DataType.Float: return roundFloat32(Number(v));
    case DataType.FloatVector: return Array.isArray(v) ? v.map((x) => roundFloat32(Number(x))) : v;
    case DataType.Array:
      return f.elementType === DataType.Int64 && Array.isArray(v) ? v.map((x) => BigInt(String(x))) : v;
    default: return v;
  }
}

/** A result row from the SDK: int64 strings -> bigint by the schema; unknown keys (dynamic) as given. */
export function fromWire(schema: CollectionSchema, row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) {
    const f = schema.fields.find((x) => x.name === k);
    out[k] = f === undefined ? v : fromWireValue(f, v);
  }
  return out;
}

function typeOf(name: string | undefined, numeric: number | undefined): DataType {
  if (numeric !== undefined && numeric !== null) return numeric as DataType;
  return (name !== undefined ? dataTypeFromName(name) : undefined) ?? DataType.None;
}

function defaultOf(dt: DataType, v: unknown): ScalarValue | null {
  if (v === undefined || v === null) return null;
  if (dt === DataType.Int64) return BigInt(String(v));
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  return null;
}

/** The SDK's formatted DescribeCollection field -> a FieldSchema. */
export function fieldFromSdk(f: SdkField): FieldSchema {
  const params: Record<string, string> = {};
  for (const p of f.type_params ?? []) params[p.key] = typeof p.value === 'object' ? JSON.stringify(p.value) : String(p.value);
  const num = (k: string): number | null => (params[k] !== undefined ? Number(params[k]) : null);
  const dataType = typeOf(f.data_type, f.dataType);
  return {
    fieldId: Number(f.fieldID), name: f.name, description: f.description ?? '', dataType,
    isPrimaryKey: f.is_primary_key === true, autoId: f.autoID === true, isPartitionKey: f.is_partition_key === true,
    isClusteringKey: f.is_clustering_key === true, isDynamic: f.is_dynamic === true, nullable: f.nullable === true,
    defaultValue: defaultOf(dataType, f.default_value), dim: num('dim'), maxLength: num('max_length'),
    maxCapacity: num('max_capacity'),
    elementType: dataType === DataType.Array ? typeOf(f.element_type, undefined) : null,
    typeParams: params,
    ...(typeof f.external_field === 'string' && f.external_field !== '' ? { externalField: f.external_field } : {}),
  };
}

