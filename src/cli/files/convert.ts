/**
 * File values -> row values for `rowsToBatch`, with errors that name the file, the line and the
 * column (`rows.csv line 7, column "vec": expected 4 numbers, got 3`). CSV cells arrive as text;
 * JSON lines and Parquet values arrive already typed. Checks here are the ones whose message is
 * clearer with a column name; everything else is left to `rowsToBatch`, whose errors are mapped
 * back to lines by `locateBatchError`.
 */
import { DataType } from '../../core/enums.js';
import { MilvusError } from '../../core/errors.js';
import type { FieldSchema } from '../../schema/types.js';

export interface Loc { file: string; line: number; column: string; unit: 'line' | 'row' }

/** A bad value in an input file (code 1100, like every invalid parameter). */
export function fileError(l: { file: string; line: number; unit: 'line' | 'row' }, column: string | null, what: string): MilvusError {
  const col = column === null ? '' : `, column "${column}"`;
  return new MilvusError(1100, `${l.file} ${l.unit} ${l.line}${col}: ${what}`, { inputError: true });
}

const bad = (l: Loc, what: string): MilvusError => fileError(l, l.column, what);
const show = (t: string): string => (t.length > 40 ? `"${t.slice(0, 37)}..."` : `"${t}"`);

const FIXED_VECTORS = new Set<DataType>([DataType.FloatVector, DataType.Float16Vector, DataType.BFloat16Vector, DataType.Int8Vector]);
const TEXT_AS_JSON = new Set<DataType>([...FIXED_VECTORS, DataType.BinaryVector, DataType.SparseFloatVector, DataType.JSON, DataType.Array]);

function parseJsonCell(text: string, l: Loc): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw bad(l, `not valid JSON: ${show(text)}`);
  }
}

/** One CSV cell. Empty means NULL (or the default) for nullable / defaulted fields. */
export function fromText(f: FieldSchema, text: string, l: Loc): unknown {
  const t = text.trim();
  if (t === '' && (f.nullable || f.defaultValue !== null)) return null;
  if (f.dataType === DataType.VarChar) return text;
  if (t === '') throw bad(l, 'empty value');
  if (f.nullable && /^null$/i.test(t)) return null;
  switch (f.dataType) {
    case DataType.Bool:
      if (/^(true|1)$/i.test(t)) return true;
      if (/^(false|0)$/i.test(t)) return false;
      throw bad(l, `expected true or false, got ${show(t)}`);
    case DataType.Int64:
      if (!/^[+-]?\d+$/.test(t)) throw bad(l, `expected an integer, got ${show(t)}`);
      return BigInt(t);
    case DataType.Int8: case DataType.Int16: case DataType.Int32: case DataType.Float: case DataType.Double: {
      const n = Number(t);
      if (!Number.isFinite(n)) throw bad(l, `expected a number, got ${show(t)}`);
      return n;
    }
    default:
      if (TEXT_AS_JSON.has(f.dataType)) return fromJson(f, parseJsonCell(t, l), l);
      return text;
  }
}

function vectorLength(f: FieldSchema): number {
  const dim = f.dim ?? 0;
  return f.dataType === DataType.BinaryVector ? dim / 8 : dim;
}

function checkVector(f: FieldSchema, v: unknown, l: Loc): unknown {
  const want = vectorLength(f);
  const what = f.dataType === DataType.BinaryVector ? 'bytes' : 'numbers';
  if (!Array.isArray(v)) throw bad(l, `expected a list of ${want} ${what}`);
  if (v.length !== want) throw bad(l, `expected ${want} ${what}, got ${v.length}`);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'number' || !Number.isFinite(v[i])) throw bad(l, `element ${i} is not a number: ${JSON.stringify(v[i]) ?? String(v[i])}`);
  }
  return v;
}

function toBigInt(v: unknown, l: Loc): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw bad(l, `${v} is not an exact int64 (write integers above 2^53 as strings)`);
    return BigInt(v);
  }
  if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) return BigInt(v.trim());
  throw bad(l, `expected an integer, got ${JSON.stringify(v) ?? String(v)}`);
}

/** A typed value from JSON lines or Parquet. */
export function fromJson(f: FieldSchema, v: unknown, l: Loc): unknown {
  if (v === null || v === undefined) return null;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView) && f.dataType !== DataType.JSON) v = Array.from(v as Uint8Array);
  switch (f.dataType) {
    case DataType.Int64: return toBigInt(v, l);
    case DataType.Array:
      if (f.elementType === DataType.Int64 && Array.isArray(v)) return v.map((x) => toBigInt(x, l));
      return v;
    default:
      if (FIXED_VECTORS.has(f.dataType) || f.dataType === DataType.BinaryVector) return checkVector(f, v, l);
      return v;
  }
}

/** A value of a column that is not a schema field (goes to the dynamic field). */
export function dynamicFromText(text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  try { return JSON.parse(t); } catch { return text; }
}

/**
 * Rewrite a `rowsToBatch` error (`...: invalid parameter[field=f][row=i]`) to name the file line
 * of row i and the column; other errors pass through.
 */
export function locateBatchError(e: unknown, file: string, lines: readonly number[], unit: 'line' | 'row'): unknown {
  if (!(e instanceof MilvusError)) return e;
  const m = /^(.*?)(?:: invalid parameter)?\[field=([^\]]*)\](?:\[row=(\d+)\])?$/s.exec(e.message);
  if (m === null) return e;
  const row = m[3] === undefined ? -1 : Number(m[3]);
  const line = row >= 0 ? lines[row] : undefined;
  if (line === undefined) return new MilvusError(e.code, `${file}, column "${m[2] ?? ''}": ${m[1] ?? e.message}`, { inputError: true });
  return fileError({ file, line, unit }, m[2] ?? null, m[1] ?? e.message);
}
