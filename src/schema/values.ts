/**
 * One value of one field, from what SDKs send (`unknown`) to what a Column stores, with Milvus'
 * insert checks: integer ranges, exact int64, float32 finiteness, VarChar byte length, Array
 * element type and capacity, vector dims. Each function throws a 1100 naming field and row.
 */
import type { ArrayElement } from './types.js';
import { DataType, dataTypeName } from '../core/enums.js';
import { INT64_MAX, INT64_MIN } from '../core/int64.js';
import { utf8ByteLength } from './json.js';
import { float32ToBFloat16Bits, float32ToFloat16Bits, isNonFiniteBFloat16, isNonFiniteFloat16 } from './half.js';
import { describe, invalidAt, type Where } from './where.js';

export const INT8_RANGE = [-128, 127] as const;
export const INT16_RANGE = [-32768, 32767] as const;
export const INT32_RANGE = [-2147483648, 2147483647] as const;

export function toBool(v: unknown, w: Where): boolean {
  if (typeof v !== 'boolean') throw invalidAt(w, `bool expected, got ${describe(v)}`);
  return v;
}

export function toIntInRange(v: unknown, min: number, max: number, w: Where): number {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'bigint' && v >= BigInt(min) && v <= BigInt(max)) n = Number(v);
  else throw invalidAt(w, `integer expected, got ${describe(v)}`);
  if (!Number.isInteger(n)) throw invalidAt(w, `integer expected, got ${describe(v)}`);
  if (n < min || n > max) throw invalidAt(w, `value ${n} out of range: [${min}, ${max}]`);
  return n;
}

/** Int64: bigint, a decimal string, or a JS number that is a safe integer (no silent precision loss). */
export function toInt64(v: unknown, w: Where): bigint {
  if (typeof v === 'bigint') {
    if (v < INT64_MIN || v > INT64_MAX) throw invalidAt(w, `value ${v} out of int64 range`);
    return v;
  }
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw invalidAt(w, `int64 expected, got ${describe(v)}`);
    if (!Number.isSafeInteger(v)) {
      throw invalidAt(w, `int64 value ${v} exceeds 2^53 and has lost precision as a JS number; send it as a string or bigint`);
    }
    return BigInt(v);
  }
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) {
    const b = BigInt(v.trim());
    if (b < INT64_MIN || b > INT64_MAX) throw invalidAt(w, `value ${v.trim()} out of int64 range`);
    return b;
  }
  throw invalidAt(w, `int64 expected, got ${describe(v)}`);
}

/** Float: a number representable as a finite float32; returns the float32-rounded value. */
export function toFloat32(v: unknown, w: Where): number {
  if (typeof v !== 'number') throw invalidAt(w, `float expected, got ${describe(v)}`);
  const f = Math.fround(v);
  if (!Number.isFinite(f)) throw invalidAt(w, `float value ${v} is NaN, infinite or out of float32 range`);
  return f;
}

export function toFloat64(v: unknown, w: Where): number {
  if (typeof v !== 'number') throw invalidAt(w, `double expected, got ${describe(v)}`);
  if (!Number.isFinite(v)) throw invalidAt(w, `double value ${v} is NaN or infinite`);
  return v;
}

export function toVarChar(v: unknown, maxLength: number, w: Where): string {
  if (typeof v !== 'string') throw invalidAt(w, `string expected, got ${describe(v)}`);
  const n = utf8ByteLength(v);
  if (n > maxLength) throw invalidAt(w, `the length (${n}) of string exceeds max length (${maxLength})`);
  return v;
}

/** One Array element of `elementType`; Int64 elements become bigint, Float ones are float32-rounded. */
export function toArrayElement(v: unknown, elementType: DataType, maxLength: number, w: Where): ArrayElement {
  switch (elementType) {
    case DataType.Bool: return toBool(v, w);
    case DataType.Int8: return toIntInRange(v, INT8_RANGE[0], INT8_RANGE[1], w);
    case DataType.Int16: return toIntInRange(v, INT16_RANGE[0], INT16_RANGE[1], w);
    case DataType.Int32: return toIntInRange(v, INT32_RANGE[0], INT32_RANGE[1], w);
    case DataType.Int64: return toInt64(v, w);
    case DataType.Float: return toFloat32(v, w);
    case DataType.Double: return toFloat64(v, w);
    case DataType.VarChar: return toVarChar(v, maxLength, w);
    default: throw invalidAt(w, `array element type ${dataTypeName(elementType) ?? elementType} is not supported`);
  }
}

export function toArrayValue(v: unknown, elementType: DataType, maxCapacity: number, maxLength: number, w: Where): ArrayElement[] {
  if (!Array.isArray(v)) throw invalidAt(w, `array expected, got ${describe(v)}`);
  if (v.length > maxCapacity) throw invalidAt(w, `the length (${v.length}) of array exceeds max capacity (${maxCapacity})`);
  const out = new Array<ArrayElement>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = toArrayElement(v[i], elementType, maxLength, w);
  return out;
}

type NumberList = ArrayLike<unknown>;

function numberList(v: unknown): NumberList | null {
  if (Array.isArray(v)) return v;
  if (v instanceof Float32Array || v instanceof Float64Array) return v;
  return null;
}

function checkLength(n: number, want: number, what: string, w: Where): void {
  if (n !== want) throw invalidAt(w, `the dim (${n}) of ${what} is not equal to schema dim (${want})`);
}

/** FloatVector: number[] / Float32Array / Float64Array of `dim` finite float32 values. */
export function writeFloatVector(v: unknown, dim: number, out: Float32Array, offset: number, w: Where): void {
  const src = numberList(v);
  if (src === null) throw invalidAt(w, `float vector expected, got ${describe(v)}`);
  checkLength(src.length, dim, 'float vector', w);
  for (let i = 0; i < dim; i++) {
    const x = src[i];
    const f = typeof x === 'number' ? Math.fround(x) : NaN;
    if (!Number.isFinite(f)) throw invalidAt(w, `float vector element ${i} is ${describe(x)}: NaN, infinite or not a float32`);
    out[offset + i] = f;
  }
}

/**
 * Float16Vector / BFloat16Vector: numbers (converted), bytes (Uint8Array/Buffer, 2 per element,
 * little-endian) or a Uint16Array of bit patterns. Inf/NaN are rejected either way.
 */
export function writeHalfVector(v: unknown, dim: number, out: Uint16Array, offset: number, bf16: boolean, w: Where): void {
  const what = bf16 ? 'bfloat16 vector' : 'float16 vector';
  const nonFinite = bf16 ? isNonFiniteBFloat16 : isNonFiniteFloat16;
  if (v instanceof Uint8Array) {
    checkLength(v.length / 2, dim, `${what} (bytes)`, w);
    for (let i = 0; i < dim; i++) out[offset + i] = (v[2 * i] ?? 0) | ((v[2 * i + 1] ?? 0) << 8);
  } else if (v instanceof Uint16Array) {
    checkLength(v.length, dim, what, w);
    out.set(v, offset);
  } else {
    const src = numberList(v);
    if (src === null) throw invalidAt(w, `${what} expected, got ${describe(v)}`);
    checkLength(src.length, dim, what, w);
    const conv = bf16 ? float32ToBFloat16Bits : float32ToFloat16Bits;
    for (let i = 0; i < dim; i++) {
      const x = src[i];
      if (typeof x !== 'number') throw invalidAt(w, `${what} element ${i} is ${describe(x)}, not a number`);
      out[offset + i] = conv(x);
    }
  }
  for (let i = 0; i < dim; i++) {
    if (nonFinite(out[offset + i] ?? 0)) throw invalidAt(w, `${what} element ${i} is NaN, infinite or out of range`);
  }
}

/** Int8Vector: number[] of integers in [-128, 127] or an Int8Array. */
export function writeInt8Vector(v: unknown, dim: number, out: Int8Array, offset: number, w: Where): void {
  if (v instanceof Int8Array) {
    checkLength(v.length, dim, 'int8 vector', w);
    out.set(v, offset);
    return;
  }
  if (!Array.isArray(v)) throw invalidAt(w, `int8 vector expected, got ${describe(v)}`);
  checkLength(v.length, dim, 'int8 vector', w);
  for (let i = 0; i < dim; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < -128 || x > 127) {
      throw invalidAt(w, `int8 vector element ${i} is ${describe(x)}, not an integer in [-128, 127]`);
    }
    out[offset + i] = x;
  }
}

/** BinaryVector: dim/8 bytes, as number[] of integers 0..255 or a Uint8Array / Buffer. */
export function writeBinaryVector(v: unknown, dim: number, out: Uint8Array, offset: number, w: Where): void {
  const bytes = dim / 8;
  if (v instanceof Uint8Array) {
    if (v.length !== bytes) throw invalidAt(w, `binary vector of dim ${dim} needs ${bytes} bytes, got ${v.length}`);
    out.set(v, offset);
    return;
  }
  if (!Array.isArray(v)) throw invalidAt(w, `binary vector expected, got ${describe(v)}`);
  if (v.length !== bytes) throw invalidAt(w, `binary vector of dim ${dim} needs ${bytes} bytes, got ${v.length}`);
  for (let i = 0; i < bytes; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 255) {
      throw invalidAt(w, `binary vector byte ${i} is ${describe(x)}, not an integer in [0, 255]`);
    }
    out[offset + i] = x;
  }
}
