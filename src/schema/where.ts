/** Where a bad value sits, so every insert error names the field and (for row input) the row. */
import { errors, type MilvusError } from '../core/errors.js';

export interface Where {
  field: string;
  /** Row index in the request; -1 when the error is not about one row. */
  row: number;
}

/** `<what>: invalid parameter[field=..][row=..]` (code 1100). */
export function invalidAt(w: Where, what: string): MilvusError {
  return errors.invalidParameter(what, w.row >= 0 ? { field: w.field, row: w.row } : { field: w.field });
}

/** A short, bounded description of a bad value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `array(${v.length})`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as Uint8Array).length})`;
  if (typeof v === 'string') return v.length > 32 ? `string(${v.length})` : JSON.stringify(v);
  if (typeof v === 'object') return 'object';
  return `${typeof v} ${String(v)}`;
}
