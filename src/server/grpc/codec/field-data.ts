/**
 * `schema.FieldData` -> `Column` (reference §1.6). Input columns may be compact (only valid rows,
 * as the SDKs send nullable data) or row-dense; they always come out row-dense with `valid` set.
 * The way back is field-data-encode.ts.
 */
import { DataType } from '../../../core/enums.js';
import { errors } from '../../../core/errors.js';
import type { Column } from '../../../schema/column.js';
import { DYNAMIC_FIELD_NAME, type ArrayElement, type JsonValue, type SparseVector } from '../../../schema/types.js';
import { parseTimestamptz } from '../../../schema/temporal.js';
import { bool, bytes, int64, list, msg, num, oneofCase, str, type Wire } from './wire.js';
import { dataTypeOf } from './schema.js';
import { sparseFromBytes, uint16sFromBytes } from './vector-bytes.js';

/** The valid-row mask of a FieldData, or null when it has no `valid_data`. */
function validMask(fd: Wire, numRows: number, name: string): Uint8Array | null {
  const raw = list(fd['valid_data'], 'valid_data');
  if (raw.length === 0) return null;
  if (raw.length !== numRows) {
    throw errors.invalidParameter(`length of valid_data of field ${name}`, { expected: numRows, actual: raw.length });
  }
  const valid = new Uint8Array(numRows);
  for (let i = 0; i < numRows; i++) valid[i] = raw[i] === true ? 1 : 0;
  return valid;
}

function countValid(valid: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < valid.length; i++) n += valid[i] ?? 0;
  return n;
}

type Dense = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | BigInt64Array;

/**
 * Expand a compact typed array (one `width`-wide row per valid row) to one row per row; a
 * row-dense input is returned as is. Any other length is an error naming the field.
 */
function expandTyped<A extends Dense>(src: A, width: number, valid: Uint8Array | null, numRows: number, name: string, make: (n: number) => A): A {
  const rows = width === 0 ? 0 : src.length / width;
  if (rows === numRows || numRows < 0) return src; // numRows < 0: as many rows as given (struct members)
  if (valid === null || rows !== countValid(valid)) {
    throw errors.invalidParameter(`row count of field ${name}`, { expected: numRows, actual: rows });
  }
  const out = make(numRows * width);
  let from = 0;
  for (let row = 0; row < numRows; row++) {
    if (valid[row] !== 1) continue;
    out.set(src.subarray(from * width, (from + 1) * width) as never, row * width);
    from++;
  }
  return out;
}

function expandList<V>(src: V[], valid: Uint8Array | null, numRows: number, name: string, placeholder: () => V): V[] {
  if (src.length === numRows) return src;
  if (valid === null || src.length !== countValid(valid)) {
    throw errors.invalidParameter(`row count of field ${name}`, { expected: numRows, actual: src.length });
  }
  const out: V[] = new Array<V>(numRows);
  let from = 0;
  for (let row = 0; row < numRows; row++) out[row] = valid[row] === 1 ? (src[from++] as V) : placeholder();
  return out;
}

function scalarMember(fd: Wire, member: string, name: string): Wire {
  const scalars = msg(fd['scalars'], 'scalars');
  const arr = scalars[member];
  if (arr === undefined || arr === null) {
    throw errors.invalidParameter(`field ${name}`, { expected: `scalars.${member}`, actual: String(scalars['data'] ?? 'none') });
  }
  return msg(arr, member);
}

function scalarData(fd: Wire, member: string, name: string): unknown[] {
  return list(scalarMember(fd, member, name)['data'], `${name}.${member}`);
}

/** A LongArray's `data`: a BigInt64Array from the one-pass decoder (its own memory), or a list of decimal strings / numbers / Longs. */
function int64sOf(v: unknown, name: string): BigInt64Array {
  if (v instanceof BigInt64Array) return v;
  const items = list(v, name);
  const out = new BigInt64Array(items.length);
  for (let i = 0; i < items.length; i++) out[i] = int64(items[i], name);
  return out;
}

/** A FloatArray's `data`: a Float32Array from the one-pass decoder (copied, so it is ours), or a list of numbers. */
function floatsOf(v: unknown, name: string): Float32Array {
  if (v instanceof Float32Array) return v;
  return Float32Array.from(list(v, name).map((x) => num(x, name)));
}

/** An absent payload of `member`: what a batch whose rows are all null sends (pymilvus 2.6 sets only `dim`). */
function emptyPayload(member: string): unknown {
  if (member === 'float_vector') return { data: [] };
  if (member === 'sparse_float_vector') return { contents: [] };
  return Buffer.alloc(0);
}

function vectorData(fd: Wire, member: string, name: string, valid: Uint8Array | null): { dim: number; data: unknown } {
  const vectors = msg(fd['vectors'], 'vectors');
  let data = vectors[member];
  if ((data === undefined || data === null) && valid !== null && countValid(valid) === 0) data = emptyPayload(member);
  if (data === undefined || data === null) {
    throw errors.invalidParameter(`field ${name}`, { expected: `vectors.${member}`, actual: String(vectors['data'] ?? 'none') });
  }
  return { dim: num(vectors['dim'], 'vectors.dim'), data };
}

const intRanges: Record<number, [number, number]> = {
  [DataType.Int8]: [-128, 127], [DataType.Int16]: [-32768, 32767], [DataType.Int32]: [-2147483648, 2147483647],
};

function intsFrom(values: unknown[], type: DataType, name: string): number[] {
  const [lo, hi] = intRanges[type] ?? [-Infinity, Infinity];
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = num(values[i], name);
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw errors.invalidParameter(`value of field ${name} out of range`, { expected: `[${lo}, ${hi}]`, actual: v });
    }
    out[i] = v;
  }
  return out;
}

function jsonFrom(b: unknown, name: string): JsonValue {
  const text = Buffer.from(bytes(b, name)).toString('utf8');
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    throw errors.invalidParameter(`JSON value of field ${name}`, { expected: 'valid JSON text', actual: text.slice(0, 64) });
  }
}

/** One row of an Array column (a ScalarField) -> its elements. */
export function arrayRowFrom(sf: unknown, elementType: DataType, name: string): ArrayElement[] {
  const m = msg(sf, 'array row');
  if (oneofCase(m, 'data') === undefined) return []; // an empty row may set no member
  const member = (key: string): unknown[] => list(msg(m[key], key)['data'], `${name}.${key}`);
  switch (elementType) {
    case DataType.Bool: return member('bool_data').map(bool);
    case DataType.Int8: case DataType.Int16: case DataType.Int32: return intsFrom(member('int_data'), elementType, name);
    // The one-pass decoder gives int64 lists as a BigInt64Array (codec/pb/decode.ts).
    case DataType.Int64: return Array.from(int64sOf(msg(m['long_data'], 'long_data')['data'], `${name}.long_data`));
    // The one-pass decoder gives packed floats as a Float32Array (codec/pb/decode.ts).
    case DataType.Float: return Array.from(floatsOf(msg(m['float_data'], 'float_data')['data'], `${name}.float_data`));
    case DataType.Double: return member('double_data').map((v) => num(v, name));
    case DataType.VarChar: return member('string_data').map((v) => str(v, name));
    default: throw errors.invalidParameter(`element type of array field ${name} not supported`, { actual: elementType });
  }
}

/** The element type a row's member implies, for requests that leave `element_type` unset. */
const MEMBER_TYPES: Readonly<Record<string, DataType>> = {
  bool_data: DataType.Bool, int_data: DataType.Int32, long_data: DataType.Int64,
  float_data: DataType.Float, double_data: DataType.Double, string_data: DataType.VarChar,
};

/**
 * pymilvus 2.5/2.6 never set `ArrayArray.element_type`; Milvus takes it from the schema. Each row is
 * read by the member it sets (ints as Int32, narrowed and range-checked against the schema later).
 */
function arrayRowUntyped(sf: unknown, name: string): ArrayElement[] {
  const m = msg(sf, 'array row');
  const member = oneofCase(m, 'data');
  if (member === undefined) return [];
  const t = MEMBER_TYPES[member];
  if (t === undefined) throw errors.invalidParameter(`element type of array field ${name} not supported`, { actual: member });
  return arrayRowFrom(m, t, name);
}

function decodeArray(fd: Wire, name: string, valid: Uint8Array | null, n: number): Column {
  const arr = msg(msg(fd['scalars'], 'scalars')['array_data'], 'array_data');
  const given = arr['element_type'];
  const elementType = given === undefined || given === null || num(given, 'element_type') === 0
    ? DataType.None : dataTypeOf(given, 'element_type');
  const raw = list(arr['data'], `${name}.array_data`);
  // Row-dense input with null rows: a null row's ScalarField is a placeholder, not data.
  const dense = raw.length === n && valid !== null;
  const rows = raw.map((r, i) => (dense && valid[i] !== 1 ? []
    : elementType === DataType.None ? arrayRowUntyped(r, name) : arrayRowFrom(r, elementType, name)));
  return { kind: 'array', elementType, data: expandList(rows, valid, n, name, () => []), valid };
}

function decodeScalar(fd: Wire, type: DataType, name: string, valid: Uint8Array | null, n: number): Column {
  switch (type) {
    case DataType.Bool: {
      const v = scalarData(fd, 'bool_data', name);
      const data = new Uint8Array(v.length);
      for (let i = 0; i < v.length; i++) data[i] = v[i] === true ? 1 : 0;
      return { kind: 'bool', data: expandTyped(data, 1, valid, n, name, (k) => new Uint8Array(k)), valid };
    }
    case DataType.Int8:
      return { kind: 'int8', data: expandTyped(Int8Array.from(intsFrom(scalarData(fd, 'int_data', name), type, name)), 1, valid, n, name, (k) => new Int8Array(k)), valid };
    case DataType.Int16:
      return { kind: 'int16', data: expandTyped(Int16Array.from(intsFrom(scalarData(fd, 'int_data', name), type, name)), 1, valid, n, name, (k) => new Int16Array(k)), valid };
    case DataType.Int32:
      return { kind: 'int32', data: expandTyped(Int32Array.from(intsFrom(scalarData(fd, 'int_data', name), type, name)), 1, valid, n, name, (k) => new Int32Array(k)), valid };
    case DataType.Int64: {
      const data = int64sOf(scalarMember(fd, 'long_data', name)['data'], `${name}.long_data`);
      return { kind: 'int64', data: expandTyped(data, 1, valid, n, name, (k) => new BigInt64Array(k)), valid };
    }
    case DataType.Float:
      return { kind: 'float', data: expandTyped(floatsOf(scalarMember(fd, 'float_data', name)['data'], name), 1, valid, n, name, (k) => new Float32Array(k)), valid };
    case DataType.Double:
      return { kind: 'double', data: expandTyped(Float64Array.from(scalarData(fd, 'double_data', name).map((x) => num(x, name))), 1, valid, n, name, (k) => new Float64Array(k)), valid };
    case DataType.VarChar:
      return { kind: 'varchar', data: expandList(scalarData(fd, 'string_data', name).map((x) => str(x, name)), valid, n, name, () => ''), valid };
    case DataType.Geometry: {
      const wkt = oneofCase(msg(fd['scalars'], 'scalars'), 'data') === 'geometry_data'
        ? unsupportedWkb(name) : scalarData(fd, 'geometry_wkt_data', name).map((x) => str(x, name));
      return { kind: 'varchar', data: expandList(wkt, valid, n, name, () => ''), valid };
    }
    case DataType.Timestamptz: {
      if (oneofCase(msg(fd['scalars'], 'scalars'), 'data') !== 'timestamptz_data') {
        // ISO text (what the SDKs send) stays text: the service reads it in the collection's zone.
        return { kind: 'varchar', data: expandList(timestamptzText(fd, name), valid, n, name, () => ''), valid };
      }
      const data = int64sOf(scalarMember(fd, 'timestamptz_data', name)['data'], `${name}.timestamptz_data`);
      return { kind: 'int64', data: expandTyped(data, 1, valid, n, name, (k) => new BigInt64Array(k)), valid };
    }
    case DataType.JSON: return decodeJson(fd, name, valid, n);
    case DataType.Array: return decodeArray(fd, name, valid, n);
    default:
      throw errors.invalidParameter(`data type of field ${name} not supported`, { actual: type });
  }
}

function unsupportedWkb(name: string): never {
  throw errors.invalidParameter(`geometry field ${name}: WKB input (geometry_data) is not supported`, { expected: 'WKT text in geometry_wkt_data' });
}

/**
 * Timestamptz values arrive as ISO strings (`string_data`, what the SDKs send) or microseconds
 * (`timestamptz_data`). Strings are checked here and read later, in the collection's zone.
 */
function timestamptzText(fd: Wire, name: string): string[] {
  const v = scalarData(fd, 'string_data', name);
  const out = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) {
    const text = str(v[i], name);
    if (parseTimestamptz(text) === null) {
      throw errors.invalidParameter(`invalid timestamptz value of field ${name}`, { expected: 'an ISO 8601 timestamp such as 2025-01-02T00:00:00+08:00', actual: text.slice(0, 64) });
    }
    out[i] = text;
  }
  return out;
}

/**
 * JSON rows. Empty bytes are a NULL row: the Node SDK sends `Buffer.alloc(0)` for a null JSON
 * value with `valid_data` true, and Milvus answers such rows as empty bytes, which SDKs read as null.
 */
function decodeJson(fd: Wire, name: string, valid: Uint8Array | null, n: number): Column {
  const raw = scalarData(fd, 'json_data', name);
  let mask = valid;
  const values = new Array<JsonValue>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const b = bytes(raw[i], name);
    if (b.length > 0) { values[i] = jsonFrom(b, name); continue; }
    values[i] = null;
    if (raw.length !== n) continue; // compact input: only valid rows are present, placement comes from `valid`
    mask ??= new Uint8Array(n).fill(1);
    mask[i] = 0;
  }
  return { kind: 'json', data: expandList(values, mask, n, name, () => null), valid: mask };
}

function fixedDim(dim: number, name: string): number {
  if (!Number.isInteger(dim) || dim <= 0) throw errors.invalidParameter(`dim of vector field ${name}`, { expected: 'a positive integer', actual: dim });
  return dim;
}

/**
 * Data whose length does not divide the dim the request states: an insert column without nulls is
 * passed on as it came, because Milvus measures it against the schema's dim (pymilvus states the
 * last row's), which schema/rows.ts knows; nullable columns and struct members are refused here.
 */
function defersLength(valid: Uint8Array | null, numRows: number): boolean {
  return valid === null && numRows >= 0;
}

export function decodeVector(fd: Wire, type: DataType, name: string, valid: Uint8Array | null, n: number): Column {
  switch (type) {
    case DataType.FloatVector: {
      const { dim, data } = vectorData(fd, 'float_vector', name, valid);
      const d = fixedDim(dim, name);
      const flat = floatsOf(msg(data, 'float_vector')['data'], name);
      if (flat.length % d !== 0) {
        if (defersLength(valid, n)) return { kind: 'floatVector', dim: d, data: flat, valid };
        throw errors.invalidParameter(`the length(${flat.length}) of float data should divide the dim(${d})`);
      }
      return { kind: 'floatVector', dim: d, data: expandTyped(flat, d, valid, n, name, (k) => new Float32Array(k)), valid };
    }
    case DataType.BinaryVector: {
      const { dim, data } = vectorData(fd, 'binary_vector', name, valid);
      const d = fixedDim(dim, name);
      if (d % 8 !== 0) throw errors.invalidParameter(`dim(${d}) should divide 8`);
      const raw = Uint8Array.from(bytes(data, name));
      if (raw.length % (d / 8) !== 0) {
        if (defersLength(valid, n)) return { kind: 'binaryVector', dim: d, data: raw, valid };
        throw errors.invalidParameter(`the num(${raw.length * 8}) of all bits should divide the dim(${d})`);
      }
      return { kind: 'binaryVector', dim: d, data: expandTyped(raw, d / 8, valid, n, name, (k) => new Uint8Array(k)), valid };
    }
    case DataType.Float16Vector: case DataType.BFloat16Vector: {
      const member = type === DataType.Float16Vector ? 'float16_vector' : 'bfloat16_vector';
      const { dim, data } = vectorData(fd, member, name, valid);
      const d = fixedDim(dim, name);
      const raw = uint16sFromBytes(bytes(data, name), name);
      const undivided = raw.length % d !== 0;
      if (undivided && !defersLength(valid, n)) {
        throw errors.invalidParameter(`the length(${raw.length * 2}) of ${member === 'float16_vector' ? 'float16' : 'bfloat16'} data should divide the dim(${d})`);
      }
      const dense = undivided ? raw : expandTyped(raw, d, valid, n, name, (k) => new Uint16Array(k));
      return type === DataType.Float16Vector
        ? { kind: 'float16Vector', dim: d, data: dense, valid }
        : { kind: 'bfloat16Vector', dim: d, data: dense, valid };
    }
    case DataType.Int8Vector: {
      const { dim, data } = vectorData(fd, 'int8_vector', name, valid);
      const d = fixedDim(dim, name);
      const b = bytes(data, name);
      const raw = new Int8Array(b.length);
      raw.set(new Int8Array(b.buffer, b.byteOffset, b.length));
      if (raw.length % d !== 0) {
        if (defersLength(valid, n)) return { kind: 'int8Vector', dim: d, data: raw, valid };
        throw errors.invalidParameter(`the length(${raw.length}) of int8 data should divide the dim(${d})`);
      }
      return { kind: 'int8Vector', dim: d, data: expandTyped(raw, d, valid, n, name, (k) => new Int8Array(k)), valid };
    }
    case DataType.SparseFloatVector: {
      const { data } = vectorData(fd, 'sparse_float_vector', name, valid); // its `dim` is not trusted
      const rows = list(msg(data, 'sparse_float_vector')['contents'], name).map((c) => sparseFromBytes(bytes(c, name), name));
      const empty = (): SparseVector => ({ indices: new Uint32Array(0), values: new Float32Array(0) });
      return { kind: 'sparseVector', data: expandList(rows, valid, n, name, empty), valid };
    }
    default:
      throw errors.invalidParameter(`data type of field ${name} not supported`, { actual: type });
  }
}

const vectorTypes: ReadonlySet<number> = new Set([
  DataType.FloatVector, DataType.BinaryVector, DataType.Float16Vector, DataType.BFloat16Vector,
  DataType.Int8Vector, DataType.SparseFloatVector,
]);

/** One FieldData -> its name (`$meta` for the dynamic column) and a row-dense column. */
export function columnFromFieldData(v: unknown, numRows: number): { name: string; column: Column } {
  const fd = msg(v, 'fields_data');
  const isDynamic = bool(fd['is_dynamic']);
  const name = isDynamic ? DYNAMIC_FIELD_NAME : str(fd['field_name'], 'field_name');
  const type = dataTypeOf(fd['type'], `data type of field ${name}`);
  const valid = validMask(fd, numRows, name);
  const column = vectorTypes.has(type) ? decodeVector(fd, type, name, valid, numRows) : decodeScalar(fd, type, name, valid, numRows);
  return { name, column };
}

/** `fields_data[]` -> columns keyed by field name. Duplicate names are an error. */
export function columnsFromFieldData(fieldsData: unknown, numRows: number): Map<string, Column> {
  const out = new Map<string, Column>();
  for (const fd of list(fieldsData, 'fields_data')) {
    const { name, column } = columnFromFieldData(fd, numRows);
    if (out.has(name)) throw errors.invalidParameter(`duplicated field ${name} in fields_data`);
    out.set(name, column);
  }
  return out;
}
