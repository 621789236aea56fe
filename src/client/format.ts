/**
 * Service values -> the JS values the Node SDK hands its users for a real Milvus (proto-loader with
 * `longs: String`, then the SDK's utils/Data.js formatters):
 *   bool -> boolean; int8/16/32, float, double -> number; int64 -> decimal string; varchar -> string;
 *   JSON -> parsed value; array -> element array (int64 elements as strings); float / int8 vectors
 *   -> number[]; float16 / bfloat16 -> number[] of decoded floats; binary -> number[] of bytes;
 *   sparse -> `{ "index": value }` without zero entries; NULL -> null.
 */
import { bfloat16BitsToFloat32, float16BitsToFloat32 } from '../schema/half.js';
import { vectorWidth, type Column } from '../schema/column.js';
import type { JsonValue } from '../schema/types.js';
import type { KeyValuePair } from './types.js';

export function toKeyValues(r: Readonly<Record<string, string>>): KeyValuePair[] {
  return Object.entries(r).map(([key, value]) => ({ key, value }));
}

/** The SDK's parseToKeyValue(x, true): objects as JSON text, everything else String(). */
export function stringifyValues(r: Readonly<Record<string, unknown>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(r ?? {})) {
    out[k] = v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

function copyJson(v: JsonValue): JsonValue {
  return v === null || typeof v !== 'object' ? v : structuredClone(v);
}

function vectorAt(c: Column, row: number): number[] {
  const w = vectorWidth(c);
  const out = new Array<number>(w);
  const base = row * w;
  switch (c.kind) {
    case 'float16Vector':
      for (let i = 0; i < w; i++) out[i] = float16BitsToFloat32(c.data[base + i]!);
      return out;
    case 'bfloat16Vector':
      for (let i = 0; i < w; i++) out[i] = bfloat16BitsToFloat32(c.data[base + i]!);
      return out;
    case 'floatVector': case 'int8Vector': case 'binaryVector':
      for (let i = 0; i < w; i++) out[i] = c.data[base + i]!;
      return out;
    default:
      return out;
  }
}

/** The SDK-visible value of one row of a column. */
export function formatValue(c: Column, row: number): unknown {
  if (c.valid !== null && c.valid[row] === 0) return null;
  switch (c.kind) {
    case 'bool': return c.data[row] !== 0;
    case 'int8': case 'int16': case 'int32': case 'float': case 'double': return c.data[row];
    case 'int64': return String(c.data[row]);
    case 'varchar': return c.data[row];
    case 'json': return copyJson(c.data[row] ?? null);
    case 'array': return (c.data[row] ?? []).map((e) => (typeof e === 'bigint' ? String(e) : e));
    case 'sparseVector': {
      const s = c.data[row];
      const out: Record<string, number> = {};
      if (s) for (let i = 0; i < s.indices.length; i++) if (s.values[i] !== 0) out[String(s.indices[i])] = s.values[i]!;
      return out;
    }
    default: return vectorAt(c, row);
  }
}

/** The SDK's formatNumberPrecision: cut (not round) the decimal digits after `precision`. */
export function cutDecimals(n: number, precision: number): number {
  return Number(n.toString().split('.').map((v, i) => (i === 1 ? v.slice(0, precision) : v)).join('.'));
}
