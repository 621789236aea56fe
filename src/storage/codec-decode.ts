/** Decoding half of the column codec (layout documented in codec.ts). Every length is bounds-checked. */
import { DataType } from '../core/enums.js';
import type { Column, ColumnKind } from '../schema/column.js';
import { columnKindFor } from '../schema/column.js';
import type { ArrayElement, JsonValue, SparseVector } from '../schema/types.js';
import { storageErrors } from './errors.js';

const CODEC_VERSION = 1;

interface FieldColumn {
  fieldId: number;
  column: Column;
}

/** Where the bytes came from, for error messages. */
export interface DecodeSource {
  file: string;
  baseOffset: number;
}

interface TypedCtor<T> {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** `n` rounded up to a multiple of 8 (sections of segment and index files); lengths pass 2 GiB, so no int32 bit operations. */
export function pad8(n: number): number {
  return n + ((8 - (n % 8)) % 8);
}

class Reader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array, private readonly source: DecodeSource) {}

  fail(why: string, at = this.offset): never {
    throw storageErrors.corruptFile(this.source.file, this.source.baseOffset + at, why);
  }

  private need(lengthBytes: number, what: string): void {
    if (!Number.isSafeInteger(lengthBytes) || this.offset + lengthBytes > this.bytes.length) {
      this.fail(`${what} needs ${lengthBytes} bytes, ${this.bytes.length - this.offset} left`);
    }
  }

  /** A typed array of `count` elements: a view when aligned, else a copy. Advances to the next 8-byte boundary. */
  typed<T>(ctor: TypedCtor<T>, count: number, what: string): T {
    const lengthBytes = count * ctor.BYTES_PER_ELEMENT;
    this.need(pad8(lengthBytes), what);
    const at = this.offset;
    this.offset += pad8(lengthBytes);
    const abs = this.bytes.byteOffset + at;
    if (abs % ctor.BYTES_PER_ELEMENT === 0) return new ctor(this.bytes.buffer, abs, count);
    return new ctor(this.bytes.slice(at, at + lengthBytes).buffer, 0, count);
  }

  header(lengthBytes: number, what: string): DataView {
    this.need(lengthBytes, what);
    const dv = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, lengthBytes);
    this.offset += lengthBytes;
    return dv;
  }
}

export function decodeColumns(bytes: Uint8Array, source: DecodeSource = { file: '<column data>', baseOffset: 0 }): { numRows: number; cols: FieldColumn[] } {
  const r = new Reader(bytes, source);
  const head = r.header(16, 'codec header');
  const version = head.getUint32(0, true);
  if (version !== CODEC_VERSION) r.fail(`unsupported column codec version ${version}`, 0);
  const numRows = head.getUint32(4, true);
  const numCols = head.getUint32(8, true);
  if (numCols * 24 > bytes.length) r.fail(`column count ${numCols} does not fit in ${bytes.length} bytes`, 8);
  const cols: FieldColumn[] = [];
  for (let i = 0; i < numCols; i++) cols.push(decodeColumn(r, numRows));
  if (r.offset !== bytes.length) r.fail(`${bytes.length - r.offset} unexpected trailing bytes`);
  return { numRows, cols };
}

/** One column (its 24-byte header and body, nothing after) decoded from `bytes`. */
export function decodeColumnBytes(bytes: Uint8Array, numRows: number, source: DecodeSource): FieldColumn {
  const r = new Reader(bytes, source);
  const col = decodeColumn(r, numRows);
  if (r.offset !== bytes.length) r.fail(`${bytes.length - r.offset} unexpected trailing bytes`);
  return col;
}

/** Bytes of a column header in a segment file. */
export const COLUMN_HEADER_BYTES = 24;

/** A column header's fields (field id, data type code, validity flag, dim/param, body length). */
export function columnHeaderFields(h: DataView): { fieldId: number; code: number; hasValid: boolean; param: number; bodyBytes: number } {
  return { fieldId: h.getUint32(0, true), code: h.getUint16(4, true), hasValid: (h.getUint8(6) & 1) === 1, param: h.getUint32(8, true), bodyBytes: Number(h.getBigUint64(16, true)) };
}

function decodeColumn(r: Reader, numRows: number): FieldColumn {
  const start = r.offset;
  const { fieldId, code, hasValid, param, bodyBytes } = columnHeaderFields(r.header(COLUMN_HEADER_BYTES, 'column header'));
  let kind: ColumnKind;
  try {
    kind = columnKindFor(code as DataType);
  } catch {
    return r.fail(`unknown column kind ${code}`, start + 4);
  }
  const valid = hasValid ? unpackBits(r.typed(Uint8Array, (numRows + 7) >>> 3, 'valid bitmap'), numRows) : null;
  const column = decodeBody(r, kind, param, numRows, valid);
  if (r.offset - start - 24 !== bodyBytes) r.fail(`column body is ${r.offset - start - 24} bytes, header says ${bodyBytes}`, start + 16);
  return { fieldId, column };
}

/** One byte per row from a bitmap (bit i%8 of byte i/8). */
export function unpackBits(bits: Uint8Array, numRows: number): Uint8Array {
  const out = new Uint8Array(numRows);
  for (let i = 0; i < numRows; i++) out[i] = ((bits[i >>> 3] as number) >>> (i & 7)) & 1;
  return out;
}

function vectorDim(r: Reader, dim: number, multiple: number): number {
  if (dim === 0 || dim % multiple !== 0) r.fail(`bad vector dim ${dim}`);
  return dim;
}

function decodeBody(r: Reader, kind: ColumnKind, param: number, n: number, valid: Uint8Array | null): Column {
  switch (kind) {
    case 'bool': return { kind, data: r.typed(Uint8Array, n, kind), valid };
    case 'int8': return { kind, data: r.typed(Int8Array, n, kind), valid };
    case 'int16': return { kind, data: r.typed(Int16Array, n, kind), valid };
    case 'int32': return { kind, data: r.typed(Int32Array, n, kind), valid };
    case 'int64': return { kind, data: r.typed(BigInt64Array, n, kind), valid };
    case 'float': return { kind, data: r.typed(Float32Array, n, kind), valid };
    case 'double': return { kind, data: r.typed(Float64Array, n, kind), valid };
    case 'floatVector': return { kind, dim: vectorDim(r, param, 1), data: r.typed(Float32Array, n * param, kind), valid };
    case 'float16Vector': return { kind, dim: vectorDim(r, param, 1), data: r.typed(Uint16Array, n * param, kind), valid };
    case 'bfloat16Vector': return { kind, dim: vectorDim(r, param, 1), data: r.typed(Uint16Array, n * param, kind), valid };
    case 'int8Vector': return { kind, dim: vectorDim(r, param, 1), data: r.typed(Int8Array, n * param, kind), valid };
    case 'binaryVector': return { kind, dim: vectorDim(r, param, 8), data: r.typed(Uint8Array, (n * param) / 8, kind), valid };
    case 'varchar': return { kind, data: decodeStrings(r, n), valid };
    case 'json': return { kind, data: decodeJson(r, n), valid };
    case 'array': return { kind, elementType: param as DataType, data: decodeArrays(r, param, n), valid };
    case 'sparseVector': return { kind, data: decodeSparse(r, n), valid };
  }
}

/** u32 offsets[count + 1], checked to start at 0 and never decrease. */
function readOffsets(r: Reader, count: number, what: string): Uint32Array {
  const at = r.offset;
  const offsets = r.typed(Uint32Array, count + 1, what);
  if (offsets[0] !== 0) r.fail(`${what} do not start at 0`, at);
  for (let i = 0; i < count; i++) if ((offsets[i + 1] as number) < (offsets[i] as number)) r.fail(`${what} decrease at ${i}`, at);
  return offsets;
}

function decodeStrings(r: Reader, count: number): string[] {
  const offsets = readOffsets(r, count, 'string offsets');
  const at = r.offset;
  const blob = r.typed(Uint8Array, offsets[count] as number, 'string bytes');
  const out = new Array<string>(count);
  try {
    for (let i = 0; i < count; i++) out[i] = utf8Decoder.decode(blob.subarray(offsets[i], offsets[i + 1]));
  } catch {
    r.fail('invalid UTF-8 in a string column', at);
  }
  return out;
}

function decodeJson(r: Reader, count: number): JsonValue[] {
  const at = r.offset;
  const texts = decodeStrings(r, count);
  const out = new Array<JsonValue>(count);
  for (let i = 0; i < count; i++) {
    try {
      out[i] = JSON.parse(texts[i] as string) as JsonValue;
    } catch {
      r.fail(`row ${i} holds invalid JSON`, at);
    }
  }
  return out;
}

function decodeArrays(r: Reader, elementType: number, count: number): ArrayElement[][] {
  const offsets = readOffsets(r, count, 'array offsets');
  const flat = decodeElements(r, elementType, offsets[count] as number);
  const rows = new Array<ArrayElement[]>(count);
  for (let i = 0; i < count; i++) rows[i] = flat.slice(offsets[i], offsets[i + 1]);
  return rows;
}

function decodeElements(r: Reader, elementType: number, total: number): ArrayElement[] {
  switch (elementType) {
    case DataType.VarChar: return decodeStrings(r, total);
    case DataType.Bool: {
      const raw = r.typed(Uint8Array, total, 'bool elements');
      const out = new Array<boolean>(total);
      for (let i = 0; i < total; i++) out[i] = raw[i] !== 0;
      return out;
    }
    case DataType.Int8: return Array.from(r.typed(Int8Array, total, 'int8 elements'));
    case DataType.Int16: return Array.from(r.typed(Int16Array, total, 'int16 elements'));
    case DataType.Int32: return Array.from(r.typed(Int32Array, total, 'int32 elements'));
    case DataType.Int64: return Array.from(r.typed(BigInt64Array, total, 'int64 elements'));
    case DataType.Float: return Array.from(r.typed(Float32Array, total, 'float elements'));
    case DataType.Double: return Array.from(r.typed(Float64Array, total, 'double elements'));
    default: return r.fail(`unsupported array element type ${elementType}`);
  }
}

function decodeSparse(r: Reader, count: number): SparseVector[] {
  const offsets = readOffsets(r, count, 'sparse offsets');
  const total = offsets[count] as number;
  const indices = r.typed(Uint32Array, total, 'sparse indices');
  const values = r.typed(Float32Array, total, 'sparse values');
  const out = new Array<SparseVector>(count);
  for (let i = 0; i < count; i++) {
    out[i] = { indices: indices.subarray(offsets[i], offsets[i + 1]), values: values.subarray(offsets[i], offsets[i + 1]) };
  }
  return out;
}
