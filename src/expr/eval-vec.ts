/**
 * Column-at-a-time values for the vectorised evaluator. A `Vec` is one value per row; `k` is the
 * "known" mask (null = every row known), and a row whose k is 0 is SQL NULL / UNKNOWN.
 * Predicates are `B3` (three-valued): invariant v[i] = 0 wherever k[i] = 0.
 */
import { errors } from '../core/errors.js';
import type { Column, RowSource } from '../schema/column.js';
import type { ArrayElement, JsonValue } from '../schema/types.js';
import type { PathStep } from './ast.js';
import type { ConstValue } from './plan.js';

export type NumArray = Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
export type Mask = Uint8Array | null;

export interface B3 { v: Uint8Array; k: Mask }

export type Vec =
  | { t: 'const'; value: ConstValue | undefined }
  | { t: 'i64'; v: BigInt64Array; k: Mask }
  | { t: 'num'; v: NumArray; k: Mask }
  | { t: 'str'; v: string[]; k: Mask }
  | { t: 'bool'; v: Uint8Array; k: Mask }
  /** Arbitrary JS values per row (JSON values, arrays, array elements); undefined = unknown. */
  | { t: 'gen'; v: unknown[] };

/** AND of two known masks (null = all known); always returns a fresh array or null. */
export function andMask(a: Mask, b: Mask, n: number): Mask {
  if (a === null && b === null) return null;
  const out = new Uint8Array(n);
  if (a === null) out.set(b as Uint8Array);
  else if (b === null) out.set(a);
  else for (let i = 0; i < n; i++) out[i] = a[i]! & b[i]!;
  return out;
}

/** Apply a known mask to predicate values in place (v = 0 where unknown). */
export function applyMask(v: Uint8Array, k: Mask): void {
  if (k === null) return;
  for (let i = 0; i < v.length; i++) v[i] = v[i]! & k[i]!;
}

export function requireColumn(rows: RowSource, field: string): Column {
  const c = rows.column(field);
  if (c === undefined) throw errors.internal(`filter reads field ${field}, which is not loaded`);
  return c;
}

/** The value of a row in a Vec as a plain JS value (undefined = unknown). */
export function valueAt(x: Vec, i: number): unknown {
  switch (x.t) {
    case 'const': return x.value;
    case 'gen': return x.v[i];
    case 'bool': return x.k !== null && x.k[i] === 0 ? undefined : x.v[i] === 1;
    default: return x.k !== null && x.k[i] === 0 ? undefined : x.v[i];
  }
}

const INDEX_RE = /^(0|[1-9][0-9]*)$/;

/** Follow a JSON-pointer-like path; undefined when a step is missing. */
export function navigate(root: JsonValue | undefined, path: readonly PathStep[]): JsonValue | undefined {
  let cur: JsonValue | undefined = root;
  for (let s = 0; s < path.length; s++) {
    if (cur === undefined || cur === null || typeof cur !== 'object') return undefined;
    const step = path[s] as PathStep;
    if (Array.isArray(cur)) {
      const idx = typeof step === 'number' ? step : INDEX_RE.test(step) ? Number(step) : -1;
      cur = idx >= 0 && idx < cur.length ? cur[idx] : undefined;
    } else {
      const key = String(step);
      cur = Object.prototype.hasOwnProperty.call(cur, key) ? cur[key] : undefined;
    }
  }
  return cur;
}

/** The JSON value at `path` of every row: undefined for a NULL column value or a missing path. */
export function jsonColumnAt(rows: RowSource, field: string, path: readonly PathStep[]): (JsonValue | undefined)[] {
  const n = rows.numRows;
  const out = new Array<JsonValue | undefined>(n);
  const c = rows.column(field);
  if (c === undefined) return out.fill(undefined);
  if (c.kind !== 'json') throw errors.internal(`field ${field} is not a JSON column`);
  const valid = c.valid;
  for (let i = 0; i < n; i++) {
    const root = c.data[i];
    // A JSON column whose whole value is null is NULL (reference §3.5).
    out[i] = (valid !== null && valid[i] === 0) || root === null || root === undefined ? undefined : navigate(root, path);
  }
  return out;
}

/** Each row's Array value (undefined for NULL). */
export function arrayColumn(rows: RowSource, field: string): (ArrayElement[] | undefined)[] {
  const c = requireColumn(rows, field);
  if (c.kind !== 'array') throw errors.internal(`field ${field} is not an Array column`);
  const n = rows.numRows;
  const out = new Array<ArrayElement[] | undefined>(n);
  const valid = c.valid;
  for (let i = 0; i < n; i++) out[i] = valid !== null && valid[i] === 0 ? undefined : c.data[i];
  return out;
}

/** A whole scalar column as a Vec. */
export function columnVec(rows: RowSource, field: string): Vec {
  const c = requireColumn(rows, field);
  switch (c.kind) {
    case 'bool': {
      if (c.valid === null) return { t: 'bool', v: c.data, k: null };
      const v = new Uint8Array(c.data.length);
      for (let i = 0; i < v.length; i++) v[i] = c.data[i]! & c.valid[i]!;
      return { t: 'bool', v, k: c.valid };
    }
    case 'int8': case 'int16': case 'int32': case 'float': case 'double': return { t: 'num', v: c.data, k: c.valid };
    case 'int64': return { t: 'i64', v: c.data, k: c.valid };
    case 'varchar': return { t: 'str', v: c.data, k: c.valid };
    case 'array': return { t: 'gen', v: arrayColumn(rows, field) };
    default: throw errors.internal(`field ${field} of kind ${c.kind} cannot be filtered`);
  }
}

/** Deep equality with int/float cross-type numeric equality; different kinds are unequal. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number') {
    if (typeof b === 'number') return a === b;
    return typeof b === 'bigint' && Number.isInteger(a) && BigInt(a) === b;
  }
  if (typeof a === 'bigint') {
    if (typeof b === 'bigint') return a === b;
    return typeof b === 'number' && Number.isInteger(b) && BigInt(b) === a;
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!valuesEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const key of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (!valuesEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** Membership test for constant lists, with hashed fast paths per primitive kind. */
export class ValueSet {
  readonly nums = new Set<number>();
  readonly bigs = new Set<bigint>();
  readonly strs = new Set<string>();
  hasTrue = false;
  hasFalse = false;
  private readonly complex: ConstValue[] = [];

  constructor(values: readonly ConstValue[]) {
    for (const v of values) {
      if (typeof v === 'number') {
        this.nums.add(v);
        if (Number.isInteger(v)) this.bigs.add(BigInt(v));
      } else if (typeof v === 'bigint') {
        this.bigs.add(v);
        const n = Number(v);
        if (BigInt(n) === v) this.nums.add(n);
      } else if (typeof v === 'string') this.strs.add(v);
      else if (typeof v === 'boolean') { if (v) this.hasTrue = true; else this.hasFalse = true; }
      else this.complex.push(v);
    }
  }

  has(x: unknown): boolean {
    switch (typeof x) {
      case 'number': return this.nums.has(x);
      case 'bigint': return this.bigs.has(x);
      case 'string': return this.strs.has(x);
      case 'boolean': return x ? this.hasTrue : this.hasFalse;
      default: break;
    }
    for (const c of this.complex) if (valuesEqual(x, c)) return true;
    return false;
  }
}

const SMALL_LIST = 8;

/** out[i] = 1 where col[i] is in the set's numbers (a short list is scanned, a long one hashed). */
export function inNumbers(col: ArrayLike<number>, set: ValueSet, out: Uint8Array): void {
  const n = out.length;
  if (set.nums.size <= SMALL_LIST) {
    const consts = Float64Array.from(set.nums);
    const m = consts.length;
    for (let i = 0; i < n; i++) {
      const e = col[i]!;
      let hit = 0;
      for (let j = 0; j < m; j++) if (consts[j] === e) { hit = 1; break; }
      out[i] = hit;
    }
    return;
  }
  const s = set.nums;
  for (let i = 0; i < n; i++) out[i] = s.has(col[i]!) ? 1 : 0;
}
