/**
 * Binary column codec: typed-array columns to bytes and back, little-endian, vectors as raw arrays.
 *
 * Layout version 1 (every section starts at an offset that is a multiple of 8, zero padded):
 *
 *   0  u32  codec version (1)
 *   4  u32  numRows
 *   8  u32  numCols
 *  12  u32  reserved (0)
 *  16  columns, each:
 *        0  u32  fieldId
 *        4  u16  kind, as the DataType code (Bool 1 ... Int8Vector 105)
 *        6  u8   flags: bit 0 = has a valid bitmap
 *        7  u8   reserved (0)
 *        8  u32  param: dim for vectors (bits for binary), element DataType for arrays, else 0
 *       12  u32  reserved (0)
 *       16  u64  body length in bytes (everything after this 24-byte header, padding included)
 *       24  body:
 *           [valid bitmap: ceil(numRows / 8) bytes, bit i%8 of byte i/8 = row i is present]
 *           bool / int* / float / double / *Vector: the raw element array
 *           varchar, json: u32 offsets[numRows + 1] into the UTF-8 bytes that follow
 *                          (json rows are JSON text; a NULL row's placeholder is `null`)
 *           array:   u32 elementOffsets[numRows + 1], then the elements: Bool u8, Int8 i8,
 *                    Int16 i16, Int32 i32, Int64 i64, Float f32, Double f64, or for VarChar
 *                    u32 byteOffsets[numElements + 1] and the UTF-8 bytes
 *           sparse:  u32 nnzOffsets[numRows + 1], u32 indices[nnz], f32 values[nnz]
 *
 * Decoded typed arrays are views into `bytes` when suitably aligned, otherwise copies: do not
 * modify the input after decoding.
 */
import { assert } from '../core/assert.js';
import { DataType } from '../core/enums.js';
import type { Column, ColumnKind } from '../schema/column.js';
import { columnLength } from '../schema/column.js';
import { pad8 } from './codec-decode.js';
import type { ArrayElement, JsonValue, SparseVector } from '../schema/types.js';
import { errors } from '../core/errors.js';

export const CODEC_VERSION = 1;

export interface FieldColumn {
  fieldId: number;
  column: Column;
}

export interface DecodedColumns {
  numRows: number;
  cols: FieldColumn[];
}

assert(new Uint8Array(new Uint16Array([1]).buffer)[0] === 1, 'the column codec needs a little-endian platform');

const KIND_CODE: Record<ColumnKind, number> = {
  bool: DataType.Bool, int8: DataType.Int8, int16: DataType.Int16, int32: DataType.Int32,
  int64: DataType.Int64, float: DataType.Float, double: DataType.Double, varchar: DataType.VarChar,
  json: DataType.JSON, array: DataType.Array, floatVector: DataType.FloatVector,
  float16Vector: DataType.Float16Vector, bfloat16Vector: DataType.BFloat16Vector,
  int8Vector: DataType.Int8Vector, binaryVector: DataType.BinaryVector, sparseVector: DataType.SparseFloatVector,
};

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function asBytes(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Collects byte sections, each padded to a multiple of 8 (views of the columns' arrays: nothing copied yet). */
export class SectionWriter {
  readonly parts: Uint8Array[] = [];
  lengthBytes = 0;

  section(bytes: Uint8Array): void {
    this.parts.push(bytes);
    const padded = pad8(bytes.length);
    if (padded > bytes.length) this.parts.push(new Uint8Array(padded - bytes.length));
    this.lengthBytes += padded;
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.lengthBytes);
    this.copyInto(out, 0);
    return out;
  }

  /** Copies the sections into `out` at `at` (the one copy of the data); returns the offset after them. */
  copyInto(out: Uint8Array, at: number): number {
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return at;
  }
}

// ---- encode ----

export function encodeColumns(cols: FieldColumn[], numRows: number): Uint8Array {
  return columnSections(cols, numRows).concat();
}

/**
 * The encoded columns as sections (`lengthBytes` in all) for a caller that copies them into a buffer
 * of its own with its own header (a WAL record, a segment file): the column data is copied once.
 */
export function columnSections(cols: FieldColumn[], numRows: number): SectionWriter {
  const w = new SectionWriter();
  const head = new Uint8Array(16);
  const hv = new DataView(head.buffer);
  hv.setUint32(0, CODEC_VERSION, true);
  hv.setUint32(4, numRows, true);
  hv.setUint32(8, cols.length, true);
  w.section(head);
  for (const { fieldId, column } of cols) {
    assert(columnLength(column) === numRows, `field ${fieldId} has ${columnLength(column)} rows, expected ${numRows}`);
    const body = new SectionWriter();
    if (column.valid !== null) body.section(packBits(column.valid, numRows));
    encodeBody(body, column);
    const ch = new Uint8Array(24);
    const cv = new DataView(ch.buffer);
    cv.setUint32(0, fieldId, true);
    cv.setUint16(4, KIND_CODE[column.kind], true);
    cv.setUint8(6, column.valid === null ? 0 : 1);
    cv.setUint32(8, columnParam(column), true);
    cv.setBigUint64(16, BigInt(body.lengthBytes), true);
    w.section(ch);
    for (const p of body.parts) w.parts.push(p);
    w.lengthBytes += body.lengthBytes;
  }
  return w;
}

function columnParam(c: Column): number {
  switch (c.kind) {
    case 'floatVector': case 'float16Vector': case 'bfloat16Vector': case 'int8Vector': case 'binaryVector':
      return c.dim;
    case 'array':
      return c.elementType;
    default:
      return 0;
  }
}

function packBits(valid: Uint8Array, numRows: number): Uint8Array {
  assert(valid.length === numRows, 'valid bitmap length differs from the row count');
  const out = new Uint8Array((numRows + 7) >>> 3);
  for (let i = 0; i < numRows; i++) if (valid[i] !== 0) out[i >>> 3] = (out[i >>> 3] as number) | (1 << (i & 7));
  return out;
}

function encodeBody(w: SectionWriter, c: Column): void {
  switch (c.kind) {
    case 'bool': case 'int8': case 'int16': case 'int32': case 'int64': case 'float': case 'double':
    case 'floatVector': case 'float16Vector': case 'bfloat16Vector': case 'int8Vector': case 'binaryVector':
      w.section(asBytes(c.data));
      return;
    case 'varchar':
      encodeStrings(w, c.data);
      return;
    case 'json': {
      const texts = new Array<string>(c.data.length);
      for (let i = 0; i < c.data.length; i++) texts[i] = JSON.stringify(c.data[i] ?? null);
      encodeStrings(w, texts);
      return;
    }
    case 'array':
      encodeArrays(w, c.elementType, c.data);
      return;
    case 'sparseVector':
      encodeSparse(w, c.data);
      return;
  }
}

function encodeStrings(w: SectionWriter, strings: readonly string[]): void {
  const encoded = new Array<Uint8Array>(strings.length);
  const offsets = new Uint32Array(strings.length + 1);
  let total = 0;
  for (let i = 0; i < strings.length; i++) {
    const b = utf8Encoder.encode(strings[i] ?? '');
    encoded[i] = b;
    total += b.length;
    assert(total <= 0xffffffff, 'string column exceeds 4 GiB');
    offsets[i + 1] = total;
  }
  const blob = new Uint8Array(total);
  for (let i = 0; i < encoded.length; i++) blob.set(encoded[i] as Uint8Array, offsets[i] as number);
  w.section(asBytes(offsets));
  w.section(blob);
}

function encodeArrays(w: SectionWriter, elementType: DataType, rows: readonly ArrayElement[][]): void {
  const offsets = new Uint32Array(rows.length + 1);
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    total += (rows[i] as ArrayElement[]).length;
    offsets[i + 1] = total;
  }
  w.section(asBytes(offsets));
  const flat: ArrayElement[] = [];
  for (const row of rows) for (let j = 0; j < row.length; j++) flat.push(row[j] as ArrayElement);
  if (elementType === DataType.VarChar) {
    const strings = new Array<string>(flat.length);
    for (let i = 0; i < flat.length; i++) {
      const e = flat[i];
      assert(typeof e === 'string', 'VarChar array element is not a string');
      strings[i] = e;
    }
    encodeStrings(w, strings);
    return;
  }
  w.section(asBytes(packElements(elementType, flat)));
}

function packElements(elementType: DataType, flat: readonly ArrayElement[]): ArrayBufferView {
  const n = flat.length;
  switch (elementType) {
    case DataType.Bool: {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const e = flat[i];
        assert(typeof e === 'boolean', 'Bool array element is not a boolean');
        out[i] = e ? 1 : 0;
      }
      return out;
    }
    case DataType.Int64: {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) {
        const e = flat[i];
        assert(typeof e === 'bigint', 'Int64 array element is not a bigint');
        out[i] = e;
        assert(out[i] === e, 'Int64 array element out of range');
      }
      return out;
    }
    case DataType.Int8: return packNumbers(new Int8Array(n), flat, true);
    case DataType.Int16: return packNumbers(new Int16Array(n), flat, true);
    case DataType.Int32: return packNumbers(new Int32Array(n), flat, true);
    case DataType.Float: return packNumbers(new Float32Array(n), flat, false);
    case DataType.Double: return packNumbers(new Float64Array(n), flat, false);
    default:
      throw errors.invalidParameter('array element type', { actual: elementType });
  }
}

type NumberArray = Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

function packNumbers<T extends NumberArray>(out: T, flat: readonly ArrayElement[], exact: boolean): T {
  for (let i = 0; i < flat.length; i++) {
    const e = flat[i];
    assert(typeof e === 'number', 'numeric array element is not a number');
    out[i] = e;
    if (exact) assert(out[i] === e, `integer array element ${e} does not fit its type`);
  }
  return out;
}

function encodeSparse(w: SectionWriter, rows: readonly SparseVector[]): void {
  const offsets = new Uint32Array(rows.length + 1);
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as SparseVector;
    assert(r.indices.length === r.values.length, 'sparse vector indices and values differ in length');
    total += r.indices.length;
    offsets[i + 1] = total;
  }
  const indices = new Uint32Array(total);
  const values = new Float32Array(total);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as SparseVector;
    indices.set(r.indices, offsets[i] as number);
    values.set(r.values, offsets[i] as number);
  }
  w.section(asBytes(offsets));
  w.section(asBytes(indices));
  w.section(asBytes(values));
}

export { decodeColumns } from './codec-decode.js';
