/** Test helpers: schema builders and an in-memory RowSource built from RowValues. */
import { DataType } from '../../src/core/enums.js';
import type { Column, RowSource } from '../../src/schema/column.js';
import type { ArrayElement, CollectionSchema, FieldSchema, JsonValue } from '../../src/schema/types.js';
import type { RowValues } from '../../src/expr/index.js';

let nextId = 100;
export function field(name: string, dataType: DataType, opts: Partial<FieldSchema> = {}): FieldSchema {
  return {
    fieldId: nextId++, name, description: '', dataType, isPrimaryKey: false, autoId: false,
    isPartitionKey: false, isClusteringKey: false, isDynamic: false, nullable: false, defaultValue: null,
    dim: null, maxLength: dataType === DataType.VarChar ? 256 : null, maxCapacity: dataType === DataType.Array ? 64 : null,
    elementType: null, typeParams: {}, ...opts,
  };
}

export function schemaOf(fields: FieldSchema[], enableDynamicField = false): CollectionSchema {
  const all = [...fields];
  if (enableDynamicField) all.push(field('$meta', DataType.JSON, { isDynamic: true }));
  return { name: 'c', description: '', fields: all, enableDynamicField, functions: [] };
}

/** Build typed-array columns equivalent to `rows` for the scalar fields of `schema`. */
export function rowSource(schema: CollectionSchema, rows: RowValues[]): RowSource {
  const n = rows.length;
  const cols = new Map<string, Column>();
  for (const f of schema.fields) {
    const values = rows.map((r) => (Object.prototype.hasOwnProperty.call(r, f.name) ? r[f.name] : null));
    const nullable = f.nullable || f.dataType === DataType.JSON;
    const valid = nullable ? Uint8Array.from(values.map((v) => (v === null || v === undefined ? 0 : 1))) : null;
    const col = buildColumn(f, values, n, valid);
    if (col !== undefined) cols.set(f.name, col);
  }
  return { numRows: n, column: (name) => cols.get(name) };
}

function buildColumn(f: FieldSchema, values: unknown[], n: number, valid: Uint8Array | null): Column | undefined {
  const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
  switch (f.dataType) {
    case DataType.Bool: return { kind: 'bool', data: Uint8Array.from(values.map((v) => (v === true ? 1 : 0))), valid };
    case DataType.Int8: return { kind: 'int8', data: Int8Array.from(values.map(num)), valid };
    case DataType.Int16: return { kind: 'int16', data: Int16Array.from(values.map(num)), valid };
    case DataType.Int32: return { kind: 'int32', data: Int32Array.from(values.map(num)), valid };
    case DataType.Int64: return { kind: 'int64', data: BigInt64Array.from(values.map((v) => (typeof v === 'bigint' ? v : 0n))), valid };
    case DataType.Float: return { kind: 'float', data: Float32Array.from(values.map(num)), valid };
    case DataType.Double: return { kind: 'double', data: Float64Array.from(values.map(num)), valid };
    case DataType.VarChar: case DataType.Geometry: return { kind: 'varchar', data: values.map((v) => (typeof v === 'string' ? v : '')), valid };
    case DataType.JSON: return { kind: 'json', data: values.map((v) => (v === undefined ? null : (v as JsonValue))), valid };
    case DataType.Array:
      return { kind: 'array', elementType: f.elementType ?? DataType.None, data: values.map((v) => (Array.isArray(v) ? (v as ArrayElement[]) : [])), valid };
    case DataType.FloatVector: return { kind: 'floatVector', dim: f.dim ?? 2, data: new Float32Array(n * (f.dim ?? 2)), valid: null };
    default: return undefined;
  }
}
