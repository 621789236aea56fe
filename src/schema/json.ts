/** JSON values for JSON fields and the dynamic `$meta` field: validation, copying, byte sizes. */
import type { JsonValue } from './types.js';
import { invalidAt, type Where } from './where.js';
import { limits } from '../core/limits.js';

/** Nesting depth a JSON value may have (objects and arrays). */
export const JSON_MAX_DEPTH = limits.maxJsonDepth;

/** UTF-8 byte length of a JS string (lone surrogates count as 3 bytes, as TextEncoder's U+FFFD). */
export function utf8ByteLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Validate `v` as JSON and return an independent copy. Follows JSON.stringify where it is lenient
 * (object keys holding undefined are dropped, undefined array items become null) and rejects what
 * it would corrupt or throw on (NaN/Infinity, bigint, functions, symbols, class instances, cycles).
 */
export function toJsonValue(v: unknown, w: Where, depth = 0): JsonValue {
  if (depth > JSON_MAX_DEPTH) throw invalidAt(w, `json value nested deeper than ${JSON_MAX_DEPTH} levels`);
  switch (typeof v) {
    case 'string': case 'boolean': return v;
    case 'number':
      if (!Number.isFinite(v)) throw invalidAt(w, `json value contains a non-finite number ${v}`);
      return v;
    case 'object': break;
    default: throw invalidAt(w, `json value contains a ${typeof v}, which JSON cannot represent`);
  }
  if (v === null) return null;
  if (Array.isArray(v)) {
    const out: JsonValue[] = new Array<JsonValue>(v.length);
    for (let i = 0; i < v.length; i++) {
      const item: unknown = v[i];
      out[i] = item === undefined ? null : toJsonValue(item, w, depth + 1);
    }
    return out;
  }
  if (!isPlainObject(v)) throw invalidAt(w, `json value contains a ${v.constructor.name}, which JSON cannot represent`);
  const out: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(v)) {
    const item = v[key];
    if (item !== undefined) setOwn(out, key, toJsonValue(item, w, depth + 1));
  }
  return out;
}

/** `obj[key] = value` that also works for the key `__proto__` (an own property, as JSON.parse makes it). */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Bytes of the JSON text Milvus would store for `v`. */
export function jsonByteLength(v: JsonValue): number {
  return utf8ByteLength(JSON.stringify(v));
}

export function isJsonObject(v: JsonValue): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
