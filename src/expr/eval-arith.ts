/**
 * Arithmetic over Vecs. Integer results are int64 and wrap (stores into a BigInt64Array wrap);
 * float results are doubles. Division or modulo by zero and out-of-range shift counts (outside
 * 0..63) make the row unknown; so does a non-number JSON operand.
 */
import type { ArithKind } from './plan.js';
import { andMask, type Mask, type NumArray, type Vec } from './eval-vec.js';

interface I64 { v: BigInt64Array; k: Mask }
interface F64 { v: NumArray; k: Mask }

function unknownRows(n: number): Uint8Array {
  return new Uint8Array(n);
}

export function toI64(x: Vec, n: number): I64 {
  switch (x.t) {
    case 'i64': return { v: x.v, k: x.k };
    case 'const': {
      const v = new BigInt64Array(n);
      if (typeof x.value === 'bigint') return { v: v.fill(x.value), k: null };
      return { v, k: unknownRows(n) };
    }
    case 'num': {
      const v = new BigInt64Array(n);
      for (let i = 0; i < n; i++) v[i] = BigInt(x.v[i]!);
      return { v, k: x.k };
    }
    case 'gen': {
      const v = new BigInt64Array(n);
      const k = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const e = x.v[i];
        if (typeof e === 'bigint') { v[i] = e; k[i] = 1; } else if (typeof e === 'number' && Number.isInteger(e)) { v[i] = BigInt(e); k[i] = 1; }
      }
      return { v, k };
    }
    default: return { v: new BigInt64Array(n), k: unknownRows(n) };
  }
}

export function toF64(x: Vec, n: number): F64 {
  switch (x.t) {
    case 'num': return { v: x.v, k: x.k };
    case 'const': {
      const v = new Float64Array(n);
      if (typeof x.value === 'number' || typeof x.value === 'bigint') return { v: v.fill(Number(x.value)), k: null };
      return { v, k: unknownRows(n) };
    }
    case 'i64': {
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = Number(x.v[i]!);
      return { v, k: x.k };
    }
    case 'gen': {
      const v = new Float64Array(n);
      const k = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const e = x.v[i];
        if (typeof e === 'number') { v[i] = e; k[i] = 1; } else if (typeof e === 'bigint') { v[i] = Number(e); k[i] = 1; }
      }
      return { v, k };
    }
    default: return { v: new Float64Array(n), k: unknownRows(n) };
  }
}

function ensureMask(k: Mask, n: number): Uint8Array {
  return k ?? new Uint8Array(n).fill(1);
}

const EXACT_MAX = 2 ** 53;
const smallInt = (x: Vec): boolean =>
  x.t === 'num' || (x.t === 'const' && typeof x.value === 'bigint' && x.value > -(2n ** 31n) && x.value < 2n ** 31n);

/**
 * + - * / % on narrow integers in doubles: exact whenever every result stays within 2^53 (then no
 * int64 wrap can occur either); returns undefined when a result leaves that range.
 */
function smallIntArith(kind: ArithKind, l: Vec, r: Vec, n: number): Vec | undefined {
  if (!smallInt(l) || !smallInt(r) || !(kind === '+' || kind === '-' || kind === '*' || kind === '/' || kind === '%')) return undefined;
  const a = toF64(l, n);
  const b = toF64(r, n);
  const out = new Float64Array(n);
  let k = andMask(a.k, b.k, n);
  const x = a.v;
  const y = b.v;
  switch (kind) {
    case '+': for (let i = 0; i < n; i++) out[i] = x[i]! + y[i]!; break;
    case '-': for (let i = 0; i < n; i++) out[i] = x[i]! - y[i]!; break;
    case '*': for (let i = 0; i < n; i++) out[i] = x[i]! * y[i]!; break;
    default: {
      const km = ensureMask(k, n);
      k = km;
      for (let i = 0; i < n; i++) {
        const d = y[i]!;
        if (d === 0) { km[i] = 0; continue; }
        const rem = x[i]! % d; // exact for integers
        out[i] = kind === '%' ? rem : (x[i]! - rem) / d; // an exact division
      }
    }
  }
  for (let i = 0; i < n; i++) {
    const o = out[i]!;
    if (!(o <= EXACT_MAX && o >= -EXACT_MAX)) return undefined;
  }
  return { t: 'num', v: out, k };
}

export function intArith(kind: ArithKind, l: Vec, r: Vec, n: number): Vec {
  const fast = smallIntArith(kind, l, r, n);
  if (fast !== undefined) return fast;
  const a = toI64(l, n);
  const b = toI64(r, n);
  const out = new BigInt64Array(n);
  let k = andMask(a.k, b.k, n);
  const x = a.v;
  const y = b.v;
  switch (kind) {
    case '+': for (let i = 0; i < n; i++) out[i] = x[i]! + y[i]!; break;
    case '-': for (let i = 0; i < n; i++) out[i] = x[i]! - y[i]!; break;
    case '*': for (let i = 0; i < n; i++) out[i] = x[i]! * y[i]!; break;
    case '&': for (let i = 0; i < n; i++) out[i] = x[i]! & y[i]!; break;
    case '|': for (let i = 0; i < n; i++) out[i] = x[i]! | y[i]!; break;
    case '^': for (let i = 0; i < n; i++) out[i] = x[i]! ^ y[i]!; break;
    case '/': case '%': {
      const km = ensureMask(k, n);
      k = km;
      for (let i = 0; i < n; i++) {
        if (y[i] === 0n) { km[i] = 0; continue; }
        out[i] = kind === '/' ? x[i]! / y[i]! : x[i]! % y[i]!;
      }
      break;
    }
    case '<<': case '>>': {
      const km = ensureMask(k, n);
      k = km;
      for (let i = 0; i < n; i++) {
        const s = y[i]!;
        if (s < 0n || s > 63n) { km[i] = 0; continue; }
        out[i] = kind === '<<' ? x[i]! << s : x[i]! >> s;
      }
      break;
    }
    case '**': return floatArith(kind, l, r, n);
  }
  return { t: 'i64', v: out, k };
}

export function floatArith(kind: ArithKind, l: Vec, r: Vec, n: number): Vec {
  const a = toF64(l, n);
  const b = toF64(r, n);
  const out = new Float64Array(n);
  let k = andMask(a.k, b.k, n);
  const x = a.v;
  const y = b.v;
  switch (kind) {
    case '+': for (let i = 0; i < n; i++) out[i] = x[i]! + y[i]!; break;
    case '-': for (let i = 0; i < n; i++) out[i] = x[i]! - y[i]!; break;
    case '*': for (let i = 0; i < n; i++) out[i] = x[i]! * y[i]!; break;
    case '**': for (let i = 0; i < n; i++) out[i] = Math.pow(x[i]!, y[i]!); break;
    case '/': case '%': {
      const km = ensureMask(k, n);
      k = km;
      for (let i = 0; i < n; i++) {
        if (y[i] === 0) { km[i] = 0; continue; }
        out[i] = kind === '/' ? x[i]! / y[i]! : x[i]! % y[i]!;
      }
      break;
    }
    default: return intArith(kind, l, r, n); // bit ops are integer-only (the checker guarantees it)
  }
  return { t: 'num', v: out, k };
}

export function negate(x: Vec, isInt: boolean, n: number): Vec {
  if (isInt) {
    const a = toI64(x, n);
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = -a.v[i]!;
    return { t: 'i64', v: out, k: a.k };
  }
  const a = toF64(x, n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = -a.v[i]!;
  return { t: 'num', v: out, k: a.k };
}

export function bitNot(x: Vec, n: number): Vec {
  const a = toI64(x, n);
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) out[i] = ~a.v[i]!;
  return { t: 'i64', v: out, k: a.k };
}
