/**
 * Typed-array columns: the in-memory shape of every field's data, shared by growing segments,
 * sealed segments, the WAL codec, the expression evaluator and the search kernels.
 * `valid` is null for a non-nullable column, else one byte per row (1 = value present, 0 = NULL);
 * a NULL row's slot in `data` holds a zero / empty placeholder.
 */
import type { ArrayElement, JsonValue, SparseVector } from './types.js';
import { DataType } from '../core/enums.js';

export type Column =
  | { kind: 'bool'; data: Uint8Array; valid: Uint8Array | null }
  | { kind: 'int8'; data: Int8Array; valid: Uint8Array | null }
  | { kind: 'int16'; data: Int16Array; valid: Uint8Array | null }
  | { kind: 'int32'; data: Int32Array; valid: Uint8Array | null }
  | { kind: 'int64'; data: BigInt64Array; valid: Uint8Array | null }
  | { kind: 'float'; data: Float32Array; valid: Uint8Array | null }
  | { kind: 'double'; data: Float64Array; valid: Uint8Array | null }
  | { kind: 'varchar'; data: string[]; valid: Uint8Array | null }
  /** Parsed JSON values, one per row (null placeholder for NULL rows). */
  | { kind: 'json'; data: JsonValue[]; valid: Uint8Array | null }
  | { kind: 'array'; elementType: DataType; data: ArrayElement[][]; valid: Uint8Array | null }
  | { kind: 'floatVector'; dim: number; data: Float32Array; valid: Uint8Array | null }
  | { kind: 'float16Vector'; dim: number; data: Uint16Array; valid: Uint8Array | null }
  | { kind: 'bfloat16Vector'; dim: number; data: Uint16Array; valid: Uint8Array | null }
  | { kind: 'int8Vector'; dim: number; data: Int8Array; valid: Uint8Array | null }
  /** dim is in bits; each row holds dim / 8 bytes. */
  | { kind: 'binaryVector'; dim: number; data: Uint8Array; valid: Uint8Array | null }
  | { kind: 'sparseVector'; data: SparseVector[]; valid: Uint8Array | null };

export type ColumnKind = Column['kind'];

export function columnKindFor(t: DataType): ColumnKind {
  switch (t) {
    case DataType.Bool: return 'bool';
    case DataType.Int8: return 'int8';
    case DataType.Int16: return 'int16';
    case DataType.Int32: return 'int32';
    case DataType.Int64: return 'int64';
    case DataType.Float: return 'float';
    case DataType.Double: return 'double';
    case DataType.VarChar: return 'varchar';
    case DataType.Geometry: return 'varchar'; // WKT text
    case DataType.Timestamptz: return 'int64'; // microseconds since the epoch, UTC
    case DataType.JSON: return 'json';
    case DataType.Array: return 'array';
    case DataType.FloatVector: return 'floatVector';
    case DataType.Float16Vector: return 'float16Vector';
    case DataType.BFloat16Vector: return 'bfloat16Vector';
    case DataType.Int8Vector: return 'int8Vector';
    case DataType.BinaryVector: return 'binaryVector';
    case DataType.SparseFloatVector: return 'sparseVector';
    default: throw new Error(`no column kind for data type ${t}`);
  }
}

/** Elements per row in `data` for fixed-width vector columns (binary: bytes per row). */
export function vectorWidth(c: Column): number {
  switch (c.kind) {
    case 'floatVector': case 'float16Vector': case 'bfloat16Vector': case 'int8Vector': return c.dim;
    case 'binaryVector': return c.dim / 8;
    default: return 1;
  }
}

/** Number of rows in a column. */
export function columnLength(c: Column): number {
  switch (c.kind) {
    case 'floatVector': case 'float16Vector': case 'bfloat16Vector': case 'int8Vector':
      return c.data.length / c.dim;
    case 'binaryVector':
      return c.data.length / (c.dim / 8);
    default:
      return c.data.length;
  }
}

export function isNullAt(c: Column, row: number): boolean {
  return c.valid !== null && c.valid[row] === 0;
}

/** Rows that a filter or search may see: one byte per row, 1 = selected. */
export type Bitset = Uint8Array;

/** Read-only access to a set of rows by field name: what the filter evaluator runs over. */
export interface RowSource {
  readonly numRows: number;
  /** The column of a schema field (or `$meta`), or undefined when the field was not loaded. */
  column(fieldName: string): Column | undefined;
}
