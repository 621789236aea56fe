/**
 * Sparse float vectors from the shapes SDKs accept: `{index: value}` dicts (or a Map),
 * `[{index, value}]` (COO), `[[index, value]]` pairs, `{indices, values}` (CSR, arrays or typed
 * arrays, which is also the SparseVector column shape) and the Node SDK's dense `number[]` form
 * (position = index; undefined / NaN holes are skipped, zeros kept, like the SDK).
 * Output is sorted by index with duplicates removed (the last value given wins).
 */
import type { SparseVector } from './types.js';
import { describe, invalidAt, type Where } from './where.js';

/** Indices must be below 2^32 - 1 (Milvus reserves the maximum uint32). */
export const SPARSE_INDEX_LIMIT = 0xffffffff;

export function emptySparse(): SparseVector {
  return { indices: new Uint32Array(0), values: new Float32Array(0) };
}

export function toSparseVector(v: unknown, w: Where): SparseVector {
  const idx: number[] = [];
  const val: number[] = [];
  collect(v, idx, val, w);
  return normalizeSparse(idx, val);
}

function isNumberArray(v: ArrayLike<unknown>): boolean {
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' && x !== undefined) return false;
  }
  return true;
}

function collect(v: unknown, idx: number[], val: number[], w: Where): void {
  if (v instanceof Map) {
    for (const [k, x] of v) push(idx, val, Number(k), x, w);
    return;
  }
  if (Array.isArray(v)) return collectArray(v, idx, val, w);
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) {
    throw invalidAt(w, `sparse float vector expected, got ${describe(v)}`);
  }
  const rec = v as Record<string, unknown>;
  if ('indices' in rec && 'values' in rec) return collectCsr(rec['indices'], rec['values'], idx, val, w);
  for (const key of Object.keys(rec)) {
    if (!/^\d+$/.test(key)) throw invalidAt(w, `sparse float vector key ${JSON.stringify(key)} is not an index`);
    push(idx, val, Number(key), rec[key], w);
  }
}

function collectArray(v: unknown[], idx: number[], val: number[], w: Where): void {
  if (isNumberArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === 'number' && !Number.isNaN(x)) push(idx, val, i, x, w);
    }
    return;
  }
  for (const item of v) {
    if (Array.isArray(item) && item.length === 2) push(idx, val, item[0], item[1], w);
    else if (typeof item === 'object' && item !== null && 'index' in item && 'value' in item) {
      const e = item as { index: unknown; value: unknown };
      push(idx, val, e.index, e.value, w);
    } else throw invalidAt(w, `sparse float vector entry ${describe(item)} is neither [index, value] nor {index, value}`);
  }
}

function collectCsr(indices: unknown, values: unknown, idx: number[], val: number[], w: Where): void {
  const isList = (x: unknown): x is ArrayLike<unknown> => Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView));
  if (!isList(indices) || !isList(values)) throw invalidAt(w, 'sparse float vector indices and values must be arrays');
  if (indices.length !== values.length) {
    throw invalidAt(w, `sparse float vector has ${indices.length} indices but ${values.length} values`);
  }
  for (let i = 0; i < indices.length; i++) push(idx, val, indices[i], values[i], w);
}

function push(idx: number[], val: number[], i: unknown, x: unknown, w: Where): void {
  const index = typeof i === 'bigint' ? Number(i) : i;
  if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= SPARSE_INDEX_LIMIT) {
    throw invalidAt(w, `sparse float vector index must be an integer in [0, 2^32-1), got ${describe(i)}`);
  }
  if (typeof x !== 'number' || !Number.isFinite(Math.fround(x))) {
    throw invalidAt(w, `sparse float vector value at index ${index} must be a finite float32, got ${describe(x)}`);
  }
  idx.push(index);
  val.push(x);
}

/** Sort by index, keep the last value of duplicated indices. */
export function normalizeSparse(idx: number[], val: number[]): SparseVector {
  let sorted = true;
  for (let i = 1; i < idx.length; i++) {
    if ((idx[i] ?? 0) <= (idx[i - 1] ?? 0)) { sorted = false; break; }
  }
  if (sorted) return { indices: Uint32Array.from(idx), values: Float32Array.from(val) };
  const order = new Array<number>(idx.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => (idx[a] ?? 0) - (idx[b] ?? 0) || a - b);
  const outI: number[] = [];
  const outV: number[] = [];
  for (const o of order) {
    const i = idx[o] ?? 0;
    if (outI.length > 0 && outI[outI.length - 1] === i) outV[outV.length - 1] = val[o] ?? 0;
    else { outI.push(i); outV.push(val[o] ?? 0); }
  }
  return { indices: Uint32Array.from(outI), values: Float32Array.from(outV) };
}
