/**
 * Column values -> plain row values for printing (both adapters produce these): int64 stays
 * `bigint`, fixed-width vectors become `number[]` (float16 / bfloat16 decoded), sparse vectors
 * `{index: value}`, the dynamic `$meta` object is spread into the row as the SDK does.
 */
import { bfloat16BitsToFloat32, float16BitsToFloat32 } from '../schema/half.js';
import type { Column } from '../schema/column.js';
import { columnValueAt } from '../schema/ops.js';
import type { FieldSchema, SparseVector } from '../schema/types.js';
import type { Row } from './backend.js';

function isSparse(v: unknown): v is SparseVector {
  return typeof v === 'object' && v !== null && 'indices' in v && v.indices instanceof Uint32Array;
}

function sparseObject(s: SparseVector): Record<string, number> {
  const out: Record<string, number> = {};
  for (let k = 0; k < s.indices.length; k++) out[String(s.indices[k])] = s.values[k] ?? 0;
  return out;
}

function halfToNumbers(h: Uint16Array, bf16: boolean): number[] {
  const out = new Array<number>(h.length);
  for (let i = 0; i < h.length; i++) {
    const bits = h[i] ?? 0;
    out[i] = bf16 ? bfloat16BitsToFloat32(bits) : float16BitsToFloat32(bits);
  }
  return out;
}

/** A float32 printed with the digits it really has (0.1, not 0.10000000149011612). */
export function roundFloat32(x: number): number {
  return Number(x.toPrecision(7));
}

/** One cell of a result column as a plain value. */
export function plainValueAt(c: Column, row: number): unknown {
  const v = columnValueAt(c, row);
  if (v === null) return null;
  if (c.kind === 'float16Vector' || c.kind === 'bfloat16Vector') return halfToNumbers(v as Uint16Array, c.kind === 'bfloat16Vector');
  if (c.kind === 'floatVector') return Array.from(v as Float32Array, roundFloat32);
  if (ArrayBuffer.isView(v)) return Array.from(v as Int8Array);
  if (isSparse(v)) return sparseObject(v);
  if (c.kind === 'float') return roundFloat32(v as number);
  return v;
}

/** Row `row` of a set of output columns, with `$meta` spread into the row. */
export function rowAt(columns: readonly { field: FieldSchema; column: Column }[], row: number): Row {
  const out: Row = {};
  for (const { field, column } of columns) {
    const v = plainValueAt(column, row);
    if (field.isDynamic) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, v);
      continue;
    }
    out[field.name] = v;
  }
  return out;
}

/** Index params as the server lists them (index_type, metric_type, params JSON) -> the build params only. */
export function buildParams(all: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) {
    if (k === 'index_type' || k === 'metric_type') continue;
    if (k !== 'params') { out[k] = v; continue; }
    let inner: unknown = null;
    try { inner = JSON.parse(v); } catch { out[k] = v; continue; }
    if (typeof inner === 'object' && inner !== null) for (const [ik, iv] of Object.entries(inner)) out[ik] = String(iv);
  }
  return out;
}
