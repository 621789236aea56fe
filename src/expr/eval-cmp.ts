/**
 * Comparisons for the vectorised evaluator: typed column-vs-constant and column-vs-column loops for
 * the common cases, a per-row generic path for JSON, arrays and mixed kinds.
 * Semantics: unknown on either side -> unknown; `!=` is the negation of `==` (values of different
 * kinds are unequal); ordering between different kinds is false.
 */
import type { CmpOp } from './ast.js';
import { andMask, applyMask, valueAt, valuesEqual, type B3, type NumArray, type Vec } from './eval-vec.js';

/** 0 = false, 1 = true, 2 = unknown. */
export function compareValues(a: unknown, b: unknown, op: CmpOp): 0 | 1 | 2 {
  if (a === undefined || b === undefined || a === null || b === null) return 2;
  if (op === '==') return valuesEqual(a, b) ? 1 : 0;
  if (op === '!=') return valuesEqual(a, b) ? 0 : 1;
  const numeric = (typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint');
  if (!numeric && !(typeof a === 'string' && typeof b === 'string')) return 0;
  const x = a as number | bigint | string;
  const y = b as number | bigint | string;
  switch (op) {
    case '<': return x < y ? 1 : 0;
    case '<=': return x <= y ? 1 : 0;
    case '>': return x > y ? 1 : 0;
    default: return x >= y ? 1 : 0;
  }
}

function genericCompare(l: Vec, r: Vec, op: CmpOp, n: number): B3 {
  const v = new Uint8Array(n);
  const k = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const res = compareValues(valueAt(l, i), valueAt(r, i), op);
    if (res !== 2) { k[i] = 1; v[i] = res; }
  }
  return { v, k };
}

function numVsConst(a: NumArray, c: number, op: CmpOp, out: Uint8Array): void {
  const n = out.length;
  switch (op) {
    case '==': for (let i = 0; i < n; i++) out[i] = a[i] === c ? 1 : 0; break;
    case '!=': for (let i = 0; i < n; i++) out[i] = a[i] !== c ? 1 : 0; break;
    case '<': for (let i = 0; i < n; i++) out[i] = a[i]! < c ? 1 : 0; break;
    case '<=': for (let i = 0; i < n; i++) out[i] = a[i]! <= c ? 1 : 0; break;
    case '>': for (let i = 0; i < n; i++) out[i] = a[i]! > c ? 1 : 0; break;
    case '>=': for (let i = 0; i < n; i++) out[i] = a[i]! >= c ? 1 : 0; break;
  }
}

function bigVsConst(a: BigInt64Array, c: bigint, op: CmpOp, out: Uint8Array): void {
  const n = out.length;
  switch (op) {
    case '==': for (let i = 0; i < n; i++) out[i] = a[i] === c ? 1 : 0; break;
    case '!=': for (let i = 0; i < n; i++) out[i] = a[i] !== c ? 1 : 0; break;
    case '<': for (let i = 0; i < n; i++) out[i] = a[i]! < c ? 1 : 0; break;
    case '<=': for (let i = 0; i < n; i++) out[i] = a[i]! <= c ? 1 : 0; break;
    case '>': for (let i = 0; i < n; i++) out[i] = a[i]! > c ? 1 : 0; break;
    case '>=': for (let i = 0; i < n; i++) out[i] = a[i]! >= c ? 1 : 0; break;
  }
}

function strVsConst(a: string[], c: string, op: CmpOp, out: Uint8Array): void {
  const n = out.length;
  switch (op) {
    case '==': for (let i = 0; i < n; i++) out[i] = a[i] === c ? 1 : 0; break;
    case '!=': for (let i = 0; i < n; i++) out[i] = a[i] !== c ? 1 : 0; break;
    case '<': for (let i = 0; i < n; i++) out[i] = a[i]! < c ? 1 : 0; break;
    case '<=': for (let i = 0; i < n; i++) out[i] = a[i]! <= c ? 1 : 0; break;
    case '>': for (let i = 0; i < n; i++) out[i] = a[i]! > c ? 1 : 0; break;
    case '>=': for (let i = 0; i < n; i++) out[i] = a[i]! >= c ? 1 : 0; break;
  }
}

/** Typed column vs constant; undefined when no fast path applies. */
function columnVsConst(l: Vec, c: unknown, op: CmpOp, n: number): B3 | undefined {
  const v = new Uint8Array(n);
  if (l.t === 'num' && typeof c === 'number') numVsConst(l.v, c, op, v);
  else if (l.t === 'num' && typeof c === 'bigint') {
    const cn = Number(c);
    const floating = l.v instanceof Float32Array || l.v instanceof Float64Array;
    if (floating && BigInt(cn) !== c) return undefined; // inexact: the generic path compares exactly
    numVsConst(l.v, cn, op, v);
  } else if (l.t === 'i64' && typeof c === 'bigint') bigVsConst(l.v, c, op, v);
  else if (l.t === 'i64' && typeof c === 'number' && Number.isInteger(c)) bigVsConst(l.v, BigInt(c), op, v);
  else if (l.t === 'str' && typeof c === 'string') strVsConst(l.v, c, op, v);
  else if (l.t === 'bool' && typeof c === 'boolean' && (op === '==' || op === '!=')) {
    const want = (c ? 1 : 0) ^ (op === '!=' ? 1 : 0);
    for (let i = 0; i < n; i++) v[i] = l.v[i] === want ? 1 : 0;
  } else return undefined;
  if (l.k === null) return { v, k: null };
  applyMask(v, l.k);
  return { v, k: l.k };
}

function columnVsColumn(l: Vec, r: Vec, op: CmpOp, n: number): B3 | undefined {
  const sameKind = (l.t === 'num' && r.t === 'num') || (l.t === 'i64' && r.t === 'i64') || (l.t === 'str' && r.t === 'str');
  if (!sameKind) return undefined;
  const a = l.v as ArrayLike<number | bigint | string>;
  const b = r.v as ArrayLike<number | bigint | string>;
  const v = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    switch (op) {
      case '==': v[i] = x === y ? 1 : 0; break;
      case '!=': v[i] = x !== y ? 1 : 0; break;
      case '<': v[i] = x < y ? 1 : 0; break;
      case '<=': v[i] = x <= y ? 1 : 0; break;
      case '>': v[i] = x > y ? 1 : 0; break;
      case '>=': v[i] = x >= y ? 1 : 0; break;
    }
  }
  const k = andMask(l.k, r.k, n);
  applyMask(v, k);
  return { v, k };
}

/** Per-row values (JSON) against a scalar constant: same-kind pairs compare inline. */
function genVsConst(l: unknown[], c: unknown, op: CmpOp, n: number): B3 {
  const v = new Uint8Array(n);
  const k = new Uint8Array(n);
  const ct = typeof c;
  for (let i = 0; i < n; i++) {
    const e = l[i];
    if (e === undefined) continue;
    k[i] = 1;
    if (typeof e === ct && (ct === 'number' || ct === 'string')) {
      const x = e as number | string;
      const y = c as number | string;
      switch (op) {
        case '==': v[i] = x === y ? 1 : 0; break;
        case '!=': v[i] = x !== y ? 1 : 0; break;
        case '<': v[i] = x < y ? 1 : 0; break;
        case '<=': v[i] = x <= y ? 1 : 0; break;
        case '>': v[i] = x > y ? 1 : 0; break;
        case '>=': v[i] = x >= y ? 1 : 0; break;
      }
      continue;
    }
    const res = compareValues(e, c, op);
    if (res === 2) k[i] = 0;
    else v[i] = res;
  }
  return { v, k };
}

export function compareVecs(l: Vec, r: Vec, op: CmpOp, n: number): B3 {
  if (l.t === 'gen' && r.t === 'const' && r.value !== undefined && typeof r.value !== 'object') return genVsConst(l.v, r.value, op, n);
  if (r.t === 'const' && l.t !== 'const' && l.t !== 'gen') {
    const fast = columnVsConst(l, r.value, op, n);
    if (fast !== undefined) return fast;
  }
  if (l.t !== 'const' && l.t !== 'gen' && r.t !== 'const' && r.t !== 'gen') {
    const fast = columnVsColumn(l, r, op, n);
    if (fast !== undefined) return fast;
  }
  return genericCompare(l, r, op, n);
}
