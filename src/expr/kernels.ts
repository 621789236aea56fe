/**
 * Fused column-at-a-time kernels for the predicate shapes filters use most: a numeric term (an
 * integer or Int64 column, optionally `+ - * / %` an integer constant) compared with a constant or
 * tested against a constant list. No BigInt is made for a row whose Int64 value fits in 32 bits (the
 * high word is the sign of the low word): the term is computed in doubles, where every such result
 * is exact (|x| < 2^31, the constant is bounded so products stay below 2^53). The other rows (few,
 * or none) are computed exactly with BigInt and patched in. Semantics are those of eval-arith.ts:
 * int64 results wrap, `/` and `%` truncate toward zero (the remainder takes the dividend's sign).
 */
import type { CmpOp } from './ast.js';
import { compareValues } from './eval-cmp.js';
import { applyMask, type B3, type Mask, ValueSet } from './eval-vec.js';
import type { ArithKind, ConstValue, Node } from './plan.js';
import type { Column, RowSource } from '../schema/column.js';

type TermKind = 'none' | '+' | '-' | '*' | '/' | '%';

/** An integer term: `column OP constant` with the constant already checked for the fast path. */
interface IntTerm {
  column: Column & { kind: 'int8' | 'int16' | 'int32' | 'int64' };
  kind: TermKind;
  c: number;
  cBig: bigint;
}

const MUL_MAX = 2 ** 22; // |x| < 2^31 and |c| < 2^22 keep x * c below 2^53

let scratch = new Float64Array(0);

/** A reusable buffer of at least n doubles (evaluation is synchronous; no two terms overlap). */
function scratchOf(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  return scratch.subarray(0, n);
}

function termKindOf(k: ArithKind): TermKind | undefined {
  return k === '+' || k === '-' || k === '*' || k === '/' || k === '%' ? k : undefined;
}

/** The integer term of `node`, or undefined when it is not one the kernels take. */
function intTermOf(node: Node, rows: RowSource): IntTerm | undefined {
  let fieldNode: Node = node;
  let kind: TermKind = 'none';
  let cBig = 0n;
  if (node.op === 'arith') {
    if (node.type !== 'int' || node.right.op !== 'const' || typeof node.right.value !== 'bigint') return undefined;
    const k = termKindOf(node.kind);
    if (k === undefined) return undefined;
    kind = k;
    cBig = node.right.value;
    fieldNode = node.left;
  }
  if (fieldNode.op !== 'field') return undefined;
  const column = rows.column(fieldNode.field);
  if (column === undefined) return undefined;
  if (column.kind !== 'int8' && column.kind !== 'int16' && column.kind !== 'int32' && column.kind !== 'int64') return undefined;
  const limit = kind === '*' ? BigInt(MUL_MAX) : 2n ** 31n;
  if (cBig >= limit || cBig <= -limit) return undefined;
  if ((kind === '/' || kind === '%') && cBig === 0n) return undefined; // every row unknown: the general path
  return { column, kind, c: Number(cBig), cBig };
}

/**
 * An integer column as 32-bit values: `lo` holds every row's low word (an Int64 value that fits in
 * 32 bits is its low word), `wide` the rows whose Int64 value does not fit. Columns never change
 * (chunks are immutable), so this is computed once per column and kept while the column lives.
 */
interface Words { lo: Int32Array; wide: Int32Array }

const wordsCache = new WeakMap<object, Words>();
const NO_ROWS = new Int32Array(0);

function wordsOf(t: IntTerm): Words {
  const col = t.column;
  if (col.kind === 'int32') return { lo: col.data, wide: NO_ROWS };
  const hit = wordsCache.get(col.data);
  if (hit !== undefined) return hit;
  let w: Words;
  if (col.kind === 'int64') {
    const n = col.data.length;
    const pairs = new Int32Array(col.data.buffer, col.data.byteOffset, n * 2);
    const lo = new Int32Array(n);
    const wide: number[] = [];
    for (let i = 0; i < n; i++) {
      const x = pairs[2 * i]!;
      lo[i] = x;
      if (pairs[2 * i + 1] !== x >> 31) wide.push(i);
    }
    w = { lo, wide: Int32Array.from(wide) };
  } else {
    w = { lo: Int32Array.from(col.data), wide: NO_ROWS };
  }
  wordsCache.set(col.data, w);
  return w;
}

/** out[i] = x OP c for x = words[i], exact in doubles (see the file comment). */
function termLoop(words: Int32Array, t: IntTerm, out: Float64Array): void {
  const n = out.length;
  const c = t.c;
  switch (t.kind) {
    case 'none': for (let i = 0; i < n; i++) out[i] = words[i]!; break;
    case '+': for (let i = 0; i < n; i++) out[i] = words[i]! + c; break;
    case '-': for (let i = 0; i < n; i++) out[i] = words[i]! - c; break;
    case '*': for (let i = 0; i < n; i++) out[i] = words[i]! * c; break;
    case '/': for (let i = 0; i < n; i++) out[i] = Math.trunc(words[i]! / c); break;
    case '%': {
      // x - trunc(x * (1/M)) * M is off by at most one M for |x| < 2^31; fold it back.
      const m = Math.abs(c);
      const inv = 1 / m;
      for (let i = 0; i < n; i++) {
        const x = words[i]!;
        let r = x - Math.trunc(x * inv) * m;
        if (r >= m) r -= m;
        else if (r <= -m) r += m;
        out[i] = r;
      }
    }
  }
}

/** The term for every row in doubles; returns the rows (Int64 only) that must be computed exactly. */
function evalTerm(t: IntTerm, n: number): { v: Float64Array; wide: Int32Array } {
  const v = scratchOf(n);
  const { lo, wide } = wordsOf(t);
  termLoop(lo, t, v);
  return { v, wide };
}

/** An integer-valued term compared with c, as `lo <= term <= hi`, negated for `!=`. */
interface Range { lo: number; hi: number; neg: 0 | 1 }

function rangeOf(c: number, op: CmpOp): Range {
  switch (op) {
    case '==': case '!=': {
      const whole = Number.isInteger(c);
      return { lo: whole ? c : 1, hi: whole ? c : 0, neg: op === '!=' ? 1 : 0 };
    }
    case '<': return { lo: -Infinity, hi: Math.ceil(c) - 1, neg: 0 };
    case '<=': return { lo: -Infinity, hi: Math.floor(c), neg: 0 };
    case '>': return { lo: Math.floor(c) + 1, hi: Infinity, neg: 0 };
    case '>=': return { lo: Math.ceil(c), hi: Infinity, neg: 0 };
  }
}

/** out[i] = (lo <= x OP c <= hi) ^ neg in one pass over the 32-bit values. */
function rangeLoop(words: Int32Array, t: IntTerm, r: Range, out: Uint8Array): void {
  if (t.kind === '%') {
    const v = scratchOf(out.length);
    termLoop(words, t, v);
    for (let i = 0; i < out.length; i++) out[i] = (+(v[i]! >= r.lo) & +(v[i]! <= r.hi)) ^ r.neg;
    return;
  }
  const n = out.length;
  const { lo, hi, neg } = r;
  const c = t.c;
  switch (t.kind) {
    case '+': for (let i = 0; i < n; i++) { const y = words[i]! + c; out[i] = (+(y >= lo) & +(y <= hi)) ^ neg; } break;
    case '-': for (let i = 0; i < n; i++) { const y = words[i]! - c; out[i] = (+(y >= lo) & +(y <= hi)) ^ neg; } break;
    case '*': for (let i = 0; i < n; i++) { const y = words[i]! * c; out[i] = (+(y >= lo) & +(y <= hi)) ^ neg; } break;
    case '/': for (let i = 0; i < n; i++) { const y = Math.trunc(words[i]! / c); out[i] = (+(y >= lo) & +(y <= hi)) ^ neg; } break;
    default: for (let i = 0; i < n; i++) { const y = words[i]!; out[i] = (+(y >= lo) & +(y <= hi)) ^ neg; }
  }
}

/**
 * `x % M == c` / `!= c` without dividing: (x - c) must be a multiple of M, with the sign of c
 * (a truncated remainder takes the dividend's sign). Multiples are found by the multiply-and-rotate
 * test (Granlund and Montgomery; Hacker's Delight 10-17): for M = d * 2^k with d odd, u < 2^32 is a
 * multiple of M iff rotr(u * d^-1 mod 2^32, k) <= floor((2^32 - 1) / M).
 */
function modEqualsLoop(words: Int32Array, m: number, c: number, neg: 0 | 1, out: Uint8Array): void {
  const n = out.length;
  if (Math.abs(c) >= m) { out.fill(neg); return; } // no remainder reaches c
  let k = 0;
  let d = m;
  while ((d & 1) === 0) { d /= 2; k++; }
  let inv = d;
  for (let j = 0; j < 5; j++) inv = Math.imul(inv, 2 - Math.imul(d, inv));
  const limit = (Math.floor(0xffffffff / m) ^ 0x80000000) | 0; // unsigned <= as signed after flipping the top bit
  const left = 32 - k;
  if (c > 0) {
    for (let i = 0; i < n; i++) {
      const x = words[i]!;
      const p = Math.imul((x - c) | 0, inv);
      out[i] = (x >= c && (((p >>> k) | (p << left)) ^ 0x80000000) <= limit ? 1 : 0) ^ neg;
    }
  } else if (c < 0) {
    for (let i = 0; i < n; i++) {
      const x = words[i]!;
      const p = Math.imul((c - x) | 0, inv);
      out[i] = (x <= c && (((p >>> k) | (p << left)) ^ 0x80000000) <= limit ? 1 : 0) ^ neg;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const x = words[i]!;
      const p = Math.imul((x < 0 ? -x : x) | 0, inv);
      out[i] = ((((p >>> k) | (p << left)) ^ 0x80000000) <= limit ? 1 : 0) ^ neg;
    }
  }
}

const TABLE_SPAN = 1 << 16;

/**
 * `x in [constants]` over 32-bit values: a lookup table when the integer constants span at most
 * 64 K values, else undefined (the caller hashes).
 */
function inTableLoop(words: Int32Array, nums: ReadonlySet<number>, out: Uint8Array): boolean {
  let min = Infinity;
  let max = -Infinity;
  for (const x of nums) {
    if (!Number.isInteger(x)) continue; // never equal to an integer row
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (min === Infinity) { out.fill(0); return true; }
  if (max - min >= TABLE_SPAN || min < -(2 ** 31) || max >= 2 ** 31) return false;
  const span = max - min + 1;
  const table = new Uint8Array(span);
  for (const x of nums) if (Number.isInteger(x)) table[x - min] = 1;
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const d = words[i]! - min;
    out[i] = d >= 0 && d < span ? table[d]! : 0;
  }
  return true;
}

/** The exact value of the term for one row, as eval-arith computes it (int64 wrap, truncation). */
function exactTerm(t: IntTerm, x: bigint): bigint {
  switch (t.kind) {
    case 'none': return x;
    case '+': return BigInt.asIntN(64, x + t.cBig);
    case '-': return BigInt.asIntN(64, x - t.cBig);
    case '*': return BigInt.asIntN(64, x * t.cBig);
    case '/': return BigInt.asIntN(64, x / t.cBig);
    case '%': return x % t.cBig;
  }
}

/** A constant the double-valued rows can be compared with exactly, or undefined (NaN, non-numeric). */
function comparable(c: ConstValue | undefined): number | undefined {
  if (typeof c === 'number') return Number.isNaN(c) ? undefined : c;
  if (typeof c !== 'bigint') return undefined;
  if (c > BigInt(Number.MAX_SAFE_INTEGER)) return Infinity; // beyond every double-valued row
  if (c < BigInt(Number.MIN_SAFE_INTEGER)) return -Infinity;
  return Number(c);
}

const SHORT_LIST = 8;

/** inNumbers for the term's doubles only (a short list is scanned, a long one hashed). */
function termIn(a: Float64Array, nums: ReadonlySet<number>, out: Uint8Array): void {
  const n = out.length;
  if (nums.size > SHORT_LIST) {
    for (let i = 0; i < n; i++) out[i] = nums.has(a[i]!) ? 1 : 0;
    return;
  }
  const consts = Float64Array.from(nums);
  const m = consts.length;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    let hit = 0;
    for (let j = 0; j < m; j++) hit |= x === consts[j] ? 1 : 0;
    out[i] = hit;
  }
}

const FLIP: Record<CmpOp, CmpOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** `term OP constant` (either side), or undefined when the shape is not one of the kernels'. */
export function intTermCompare(left: Node, right: Node, op: CmpOp, rows: RowSource): B3 | undefined {
  let termNode = left;
  let constNode = right;
  let cmp = op;
  if (left.op === 'const') { termNode = right; constNode = left; cmp = FLIP[op]; }
  if (constNode.op !== 'const') return undefined;
  const cn = comparable(constNode.value);
  if (cn === undefined) return undefined;
  const t = intTermOf(termNode, rows);
  if (t === undefined || t.kind === 'none') return undefined; // a bare column has its own loops
  const n = rows.numRows;
  const { lo, wide } = wordsOf(t);
  const out = new Uint8Array(n);
  const range = rangeOf(cn, cmp);
  if (t.kind === '%' && (cmp === '==' || cmp === '!=') && Number.isInteger(cn)) {
    modEqualsLoop(lo, Math.abs(t.c), cn, range.neg, out);
  } else rangeLoop(lo, t, range, out);
  if (wide.length > 0) {
    const col = t.column.data as BigInt64Array;
    for (const i of wide) out[i] = compareValues(exactTerm(t, col[i]!), constNode.value, cmp) === 1 ? 1 : 0;
  }
  return masked(out, t.column.valid);
}

/** `term in [constants]`, or undefined when the shape is not one of the kernels'. */
export function intTermIn(arg: Node, values: readonly ConstValue[], rows: RowSource): B3 | undefined {
  if (!values.every((x) => typeof x === 'number' || typeof x === 'bigint')) return undefined;
  const t = intTermOf(arg, rows);
  if (t === undefined) return undefined;
  const set = new ValueSet(values);
  const n = rows.numRows;
  const out = new Uint8Array(n);
  let wide: Int32Array;
  if (t.kind === 'none') {
    const w = wordsOf(t);
    wide = w.wide;
    if (!inTableLoop(w.lo, set.nums, out)) termIn(evalTerm(t, n).v, set.nums, out);
  } else {
    const term = evalTerm(t, n);
    wide = term.wide;
    termIn(term.v, set.nums, out);
  }
  if (wide.length > 0) {
    const col = t.column.data as BigInt64Array;
    for (const i of wide) out[i] = set.bigs.has(exactTerm(t, col[i]!)) ? 1 : 0;
  }
  return masked(out, t.column.valid);
}

function masked(v: Uint8Array, k: Mask): B3 {
  applyMask(v, k);
  return { v, k };
}
