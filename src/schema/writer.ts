/**
 * FieldWriter: fills one field's column of a fixed number of rows, value by value, applying the
 * Milvus conversion and checks (values.ts) and the nullable / default rules of reference §3.5:
 * a NULL or missing value takes the default when there is one (the row stays valid), else is NULL
 * when the field is nullable, else is refused. Row input and columnar input both go through here,
 * which is what makes their results identical.
 */
import type { FieldSchema, JsonValue } from './types.js';
import type { Column } from './column.js';
import { limits } from '../core/limits.js';
import { DataType } from '../core/enums.js';
import { assert } from '../core/assert.js';
import { shapeOfField, type ColumnShape } from './ops.js';
import { jsonByteLength, toJsonValue } from './json.js';
import { emptySparse, toSparseVector } from './sparse.js';
import { invalidAt, type Where } from './where.js';
import { DEFAULT_TIMEZONE, toGeometryWkt, toTimestamptz } from './temporal.js';
import {
  INT16_RANGE, INT32_RANGE, INT8_RANGE, toArrayValue, toBool, toFloat32, toFloat64, toInt64, toIntInRange, toVarChar,
  writeBinaryVector, writeFloatVector, writeHalfVector, writeInt8Vector,
} from './values.js';

/** Checks a JSON value's stored size; `dynamic` picks Milvus' wording for `$meta`. */
export function checkJsonSize(v: JsonValue, dynamic: boolean, w: Where): void {
  const n = jsonByteLength(v);
  if (n <= limits.maxJsonBytes) return;
  throw invalidAt(w, dynamic
    ? `the length (${n}) of dynamic field exceeds max length (${limits.maxJsonBytes})`
    : `the length (${n}) of json field (${w.field}) exceeds max length (${limits.maxJsonBytes})`);
}

export class FieldWriter {
  readonly shape: ColumnShape;
  private readonly where: Where;
  private readonly width: number;
  private readonly valid: Uint8Array | null;
  private readonly col: Column;

  constructor(readonly field: FieldSchema, readonly numRows: number, private readonly timezone: string = DEFAULT_TIMEZONE) {
    this.shape = shapeOfField(field);
    this.where = { field: field.name, row: -1 };
    this.width = this.shape.kind === 'binaryVector' ? this.shape.dim / 8 : Math.max(1, this.shape.dim);
    this.valid = field.nullable ? new Uint8Array(numRows).fill(1) : null;
    this.col = allocColumn(this.shape, numRows, this.width, this.valid);
  }

  /** Write a present (non-null) value for `row`. */
  set(row: number, v: unknown): void {
    const w = this.where;
    w.row = row;
    const f = this.field;
    const c = this.col;
    switch (c.kind) {
      case 'bool': c.data[row] = toBool(v, w) ? 1 : 0; return;
      case 'int8': c.data[row] = toIntInRange(v, INT8_RANGE[0], INT8_RANGE[1], w); return;
      case 'int16': c.data[row] = toIntInRange(v, INT16_RANGE[0], INT16_RANGE[1], w); return;
      case 'int32': c.data[row] = toIntInRange(v, INT32_RANGE[0], INT32_RANGE[1], w); return;
      case 'int64': c.data[row] = f.dataType === DataType.Timestamptz ? toTimestamptz(v, w, this.timezone) : toInt64(v, w); return;
      case 'float': c.data[row] = toFloat32(v, w); return;
      case 'double': c.data[row] = toFloat64(v, w); return;
      case 'varchar':
        c.data[row] = f.dataType === DataType.Geometry ? toGeometryWkt(v, w) : toVarChar(v, f.maxLength ?? limits.maxVarCharBytes, w);
        return;
      case 'json': {
        const j = toJsonValue(v, w);
        checkJsonSize(j, f.isDynamic, w);
        c.data[row] = j;
        return;
      }
      case 'array':
        c.data[row] = toArrayValue(v, c.elementType, f.maxCapacity ?? limits.maxArrayCapacity, f.maxLength ?? limits.maxVarCharBytes, w);
        return;
      case 'sparseVector': c.data[row] = toSparseVector(v, w); return;
      case 'floatVector': writeFloatVector(v, c.dim, c.data, row * this.width, w); return;
      case 'float16Vector': writeHalfVector(v, c.dim, c.data, row * this.width, false, w); return;
      case 'bfloat16Vector': writeHalfVector(v, c.dim, c.data, row * this.width, true, w); return;
      case 'int8Vector': writeInt8Vector(v, c.dim, c.data, row * this.width, w); return;
      case 'binaryVector': writeBinaryVector(v, c.dim, c.data, row * this.width, w); return;
    }
  }

  /**
   * A missing or null value for `row`: writes the default, or NULL for a nullable field.
   * Returns false (writing nothing) when the field takes neither; the caller reports the error.
   */
  setNull(row: number): boolean {
    if (this.field.defaultValue !== null) {
      this.set(row, this.field.defaultValue);
      return true;
    }
    if (this.valid === null) return false;
    this.valid[row] = 0;
    return true;
  }

  finish(): Column {
    return this.col;
  }
}

/** A column of `n` rows holding NULL placeholders (zeros, '', null, [], empty sparse). */
function allocColumn(s: ColumnShape, n: number, width: number, valid: Uint8Array | null): Column {
  switch (s.kind) {
    case 'bool': return { kind: 'bool', data: new Uint8Array(n), valid };
    case 'int8': return { kind: 'int8', data: new Int8Array(n), valid };
    case 'int16': return { kind: 'int16', data: new Int16Array(n), valid };
    case 'int32': return { kind: 'int32', data: new Int32Array(n), valid };
    case 'int64': return { kind: 'int64', data: new BigInt64Array(n), valid };
    case 'float': return { kind: 'float', data: new Float32Array(n), valid };
    case 'double': return { kind: 'double', data: new Float64Array(n), valid };
    case 'varchar': return { kind: 'varchar', data: new Array<string>(n).fill(''), valid };
    case 'json': return { kind: 'json', data: new Array<JsonValue>(n).fill(null), valid };
    case 'array': {
      assert(s.elementType !== DataType.None, 'array field without element type');
      const data = new Array<never[]>(n);
      for (let i = 0; i < n; i++) data[i] = [];
      return { kind: 'array', elementType: s.elementType, data, valid };
    }
    case 'sparseVector': {
      const data = new Array<ReturnType<typeof emptySparse>>(n);
      for (let i = 0; i < n; i++) data[i] = emptySparse();
      return { kind: 'sparseVector', data, valid };
    }
    case 'floatVector': return { kind: 'floatVector', dim: s.dim, data: new Float32Array(n * width), valid };
    case 'float16Vector': return { kind: 'float16Vector', dim: s.dim, data: new Uint16Array(n * width), valid };
    case 'bfloat16Vector': return { kind: 'bfloat16Vector', dim: s.dim, data: new Uint16Array(n * width), valid };
    case 'int8Vector': return { kind: 'int8Vector', dim: s.dim, data: new Int8Array(n * width), valid };
    case 'binaryVector': return { kind: 'binaryVector', dim: s.dim, data: new Uint8Array(n * width), valid };
  }
}
