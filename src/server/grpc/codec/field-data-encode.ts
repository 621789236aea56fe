/**
 * Output columns -> `schema.FieldData` (reference §1.6): scalars row-dense, nullable vectors compact
 * (as Milvus 2.6), `valid_data` filled for nullable columns, int64 as decimal strings, JSON as UTF-8 bytes.
 */
import { DataType } from '../../../core/enums.js';
import type { Column } from '../../../schema/column.js';
import type { ArrayElement } from '../../../schema/types.js';
import type { OutputColumn } from '../../../service/types.js';
import { doorColumn } from '../../../service/output.js';
import { sparseToBytes } from './vector-bytes.js';
import type { Wire } from './wire.js';

function longStrings(data: BigInt64Array): string[] {
  const out = new Array<string>(data.length);
  for (let i = 0; i < data.length; i++) out[i] = String(data[i]);
  return out;
}

/** Array elements of one row -> a ScalarField of the element type. */
export function arrayRowToWire(row: ArrayElement[], elementType: DataType): Wire {
  switch (elementType) {
    case DataType.Bool: return { bool_data: { data: row.map(Boolean) } };
    case DataType.Int8: case DataType.Int16: case DataType.Int32: return { int_data: { data: row.map(Number) } };
    case DataType.Int64: return { long_data: { data: row.map(String) } };
    case DataType.Float: return { float_data: { data: row.map(Number) } };
    case DataType.Double: return { double_data: { data: row.map(Number) } };
    default: return { string_data: { data: row.map(String) } };
  }
}

function byteView(a: Uint8Array | Uint16Array | Int8Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** A column's payload (`scalars` or `vectors`) as FieldData carries it. */
export function payloadOfColumn(c: Column): Wire {
  switch (c.kind) {
    case 'bool': return { scalars: { bool_data: { data: Array.from(c.data, (b) => b === 1) } } };
    case 'int8': case 'int16': case 'int32': return { scalars: { int_data: { data: Array.from(c.data) } } };
    case 'int64': return { scalars: { long_data: { data: longStrings(c.data) } } };
    case 'float': return { scalars: { float_data: { data: Array.from(c.data) } } };
    case 'double': return { scalars: { double_data: { data: Array.from(c.data) } } };
    case 'varchar': return { scalars: { string_data: { data: c.data } } };
    case 'json': return { scalars: { json_data: { data: c.data.map((v) => Buffer.from(JSON.stringify(v), 'utf8')) } } };
    case 'array':
      return { scalars: { array_data: { data: c.data.map((r) => arrayRowToWire(r, c.elementType)), element_type: c.elementType } } };
    case 'floatVector': return { vectors: { dim: String(c.dim), float_vector: { data: Array.from(c.data) } } };
    case 'binaryVector': return { vectors: { dim: String(c.dim), binary_vector: byteView(c.data) } };
    case 'float16Vector': return { vectors: { dim: String(c.dim), float16_vector: byteView(c.data) } };
    case 'bfloat16Vector': return { vectors: { dim: String(c.dim), bfloat16_vector: byteView(c.data) } };
    case 'int8Vector': return { vectors: { dim: String(c.dim), int8_vector: byteView(c.data) } };
    case 'sparseVector': {
      let dim = 0;
      for (const row of c.data) {
        const last = row.indices[row.indices.length - 1];
        if (last !== undefined && last + 1 > dim) dim = last + 1;
      }
      return { vectors: { dim: String(dim), sparse_float_vector: { dim: String(dim), contents: c.data.map(sparseToBytes) } } };
    }
  }
}

/** Timestamptz leaves as RFC 3339 text (service/output.ts doorColumn), Geometry as WKT; everything else by column kind. */
function payloadFor(dataType: DataType, c: Column): Wire {
  if (dataType === DataType.Geometry && c.kind === 'varchar') return { scalars: { geometry_wkt_data: { data: c.data } } };
  return payloadOfColumn(c);
}

/**
 * A nullable vector column as Milvus 2.6 sends it: only the valid rows' vectors (pymilvus 2.6 reads
 * vector cells at their index among the valid rows; the Node SDK reads either form).
 */
export function compactVectors(c: Column): Column {
  if (c.valid === null) return c;
  const valid = c.valid;
  if (c.kind === 'sparseVector') return { ...c, data: c.data.filter((_, i) => valid[i] === 1) };
  if (c.kind !== 'floatVector' && c.kind !== 'binaryVector' && c.kind !== 'float16Vector'
    && c.kind !== 'bfloat16Vector' && c.kind !== 'int8Vector') return c;
  const width = c.kind === 'binaryVector' ? c.dim / 8 : c.dim;
  let rows = 0;
  for (let i = 0; i < valid.length; i++) rows += valid[i]!;
  const data = c.data.slice(0, rows * width);
  let to = 0;
  for (let i = 0; i < valid.length; i++) {
    if (valid[i] !== 1) continue;
    data.set(c.data.subarray(i * width, (i + 1) * width) as never, to * width);
    to++;
  }
  return { ...c, data } as Column;
}

/**
 * An output column -> a FieldData: scalars row-dense (pymilvus indexes them by row), vectors of a
 * nullable column compact; `valid_data` set for nullable columns.
 */
export function fieldDataToWire(oc: OutputColumn): Wire {
  const { field, column } = oc;
  const out: Wire = {
    type: field.dataType,
    field_name: field.name,
    field_id: String(field.fieldId),
    is_dynamic: field.isDynamic,
    valid_data: column.valid === null ? [] : Array.from(column.valid, (b) => b === 1),
    ...payloadFor(field.dataType, compactVectors(doorColumn(oc))),
  };
  return out;
}
