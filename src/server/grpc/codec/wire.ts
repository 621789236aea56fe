/**
 * Narrowing helpers for decoded protobuf objects. Decoded messages start as `unknown`; these turn
 * them into typed values or throw `invalidParameter` naming the wire field.
 */
import { errors } from '../../../core/errors.js';
import { parseInt64 } from '../../../core/int64.js';

export type Wire = Record<string, unknown>;

export function isWire(v: unknown): v is Wire {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** A sub-message; absent or null gives an empty object (proto3 semantics). */
export function msg(v: unknown, what: string): Wire {
  if (v === undefined || v === null) return {};
  if (!isWire(v)) throw errors.invalidParameter(what, { expected: 'a message', actual: typeof v });
  return v;
}

export function str(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw errors.invalidParameter(what, { expected: 'a string', actual: typeof v });
  return v;
}

export function bool(v: unknown): boolean {
  return v === true;
}

/** int32 / float / double / enum values, or an int64 given as a decimal string. */
export function num(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  if (typeof v === 'bigint') return Number(v);
  if (isLongLike(v)) return Number(longToBigInt(v));
  throw errors.invalidParameter(what, { expected: 'a number', actual: typeof v });
}

interface LongLike { low: number; high: number; unsigned?: boolean }
function isLongLike(v: unknown): v is LongLike {
  return isWire(v) && typeof v['low'] === 'number' && typeof v['high'] === 'number';
}
function longToBigInt(v: LongLike): bigint {
  const lo = BigInt(v.low >>> 0);
  const hi = BigInt(v.high >>> 0);
  const u = (hi << 32n) | lo;
  return v.unsigned === true ? u : BigInt.asIntN(64, u);
}

/** int64 / uint64 from a decimal string, number or Long, without losing precision. */
export function int64(v: unknown, what: string): bigint {
  if (v === undefined || v === null || v === '') return 0n;
  if (isLongLike(v)) return longToBigInt(v);
  const b = parseInt64(v);
  if (b === undefined) {
    if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v); // uint64 above int64 max
    throw errors.invalidParameter(what, { expected: 'a 64-bit integer', actual: String(v) });
  }
  return b;
}

export function list(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw errors.invalidParameter(what, { expected: 'a list', actual: typeof v });
  return v;
}

export function strings(v: unknown, what: string): string[] {
  return list(v, what).map((x) => str(x, what));
}

export function bytes(v: unknown, what: string): Uint8Array {
  if (v === undefined || v === null) return new Uint8Array(0);
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return Uint8Array.from(v.map((x) => num(x, what)));
  throw errors.invalidParameter(what, { expected: 'bytes', actual: typeof v });
}

/** `common.KeyValuePair[]` -> record (later duplicates win). */
export function keyValues(v: unknown, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of list(v, what)) {
    const m = msg(kv, what);
    out[str(m['key'], `${what}.key`)] = str(m['value'], `${what}.value`);
  }
  return out;
}

/** `map<string,string>` fields decode as plain objects. */
export function stringMap(v: unknown, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(msg(v, what))) out[k] = str(x, `${what}.${k}`);
  return out;
}

/** record -> `common.KeyValuePair[]`. */
export function toKeyValues(r: Record<string, string | number>): { key: string; value: string }[] {
  return Object.entries(r).map(([key, value]) => ({ key, value: String(value) }));
}

/** Which member of a oneof is set (proto-loader's `oneofs: true` discriminator). */
export function oneofCase(m: Wire, oneofName: string): string | undefined {
  const c = m[oneofName];
  return typeof c === 'string' && c !== '' ? c : undefined;
}

/** Empty or absent database name means the header's, then `default`. */
export function optionalString(v: unknown, what: string): string | undefined {
  const s = str(v, what);
  return s === '' ? undefined : s;
}
