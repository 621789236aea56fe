/**
 * Fused kernels over VarChar and JSON columns: a prefix `like` on a VarChar column, and a JSON path
 * of object keys compared with a scalar constant, in one pass with no per-row array of values.
 * Same semantics as eval.ts: a NULL row, a missing path and a JSON null are unknown; values of
 * different kinds are unequal and unordered (compareValues decides every mixed pair).
 */
import type { CmpOp } from './ast.js';
import { compareValues } from './eval-cmp.js';
import type { B3 } from './eval-vec.js';
import { compileLike } from './like.js';
import type { Node } from './plan.js';
import type { RowSource } from '../schema/column.js';

/** `field like 'prefix%'` on a VarChar column; undefined for other shapes. */
export function likePrefix(arg: Node, pattern: string, rows: RowSource): B3 | undefined {
  if (arg.op !== 'field') return undefined;
  const col = rows.column(arg.field);
  if (col === undefined || col.kind !== 'varchar') return undefined;
  const m = compileLike(pattern);
  if (m.kind !== 'prefix' || m.text.length === 0) return undefined;
  const p = m.text;
  const len = p.length;
  const last = p.charCodeAt(len - 1); // the last unit of a prefix tells rows apart sooner than the first
  const data = col.data;
  const n = rows.numRows;
  const v = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const s = data[i]!;
    if (s.length < len || s.charCodeAt(len - 1) !== last) continue;
    let hit = 1;
    for (let j = 0; j < len - 1; j++) if (s.charCodeAt(j) !== p.charCodeAt(j)) { hit = 0; break; }
    v[i] = hit;
  }
  const k = col.valid;
  if (k !== null) for (let i = 0; i < n; i++) v[i] = v[i]! & k[i]!;
  return { v, k };
}

const INDEX_RE = /^(0|[1-9][0-9]*)$/;

/** Path steps that only ever name object keys (no array index, nothing that reaches a prototype). */
function objectKeys(path: readonly (string | number)[]): string[] | undefined {
  const keys: string[] = [];
  for (const s of path) {
    if (typeof s !== 'string' || INDEX_RE.test(s) || s === '__proto__') return undefined;
    keys.push(s);
  }
  return keys;
}

/** The value at `keys` below one JSON value; undefined when a step is missing or not an object. */
function atKeys(root: unknown, keys: readonly string[]): unknown {
  let cur = root;
  for (let s = 0; s < keys.length; s++) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[keys[s]!];
    // JSON values are never functions: a function is Object.prototype's, i.e. the key is absent.
    if (typeof cur === 'function') return undefined;
  }
  return cur;
}

/**
 * The common case of jsonCompare, `json["key"] == number or string`, one tight loop per kind of
 * constant: one shared loop would see strings and numbers in its `===` and V8 would then compile
 * the generic comparison for both (half the speed of either).
 */
function equalsStringAtKey(data: readonly unknown[], valid: Uint8Array | null, key: string, want: string, v: Uint8Array, k: Uint8Array): void {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const r = data[i];
    if (r === null || typeof r !== 'object' || Array.isArray(r) || (valid !== null && valid[i] === 0)) continue;
    const e: unknown = (r as Record<string, unknown>)[key];
    if (typeof e === 'string') {
      k[i] = 1;
      v[i] = e === want ? 1 : 0;
    } else if (e !== undefined && e !== null && typeof e !== 'function') k[i] = 1; // other kinds are unequal
  }
}

function equalsNumberAtKey(data: readonly unknown[], valid: Uint8Array | null, key: string, want: number, v: Uint8Array, k: Uint8Array): void {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    const r = data[i];
    if (r === null || typeof r !== 'object' || Array.isArray(r) || (valid !== null && valid[i] === 0)) continue;
    const e: unknown = (r as Record<string, unknown>)[key];
    if (typeof e === 'number') {
      k[i] = 1;
      v[i] = e === want ? 1 : 0;
    } else if (e !== undefined && e !== null && typeof e !== 'function') k[i] = 1; // other kinds are unequal
  }
}

const FLIP: Record<CmpOp, CmpOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/** `json[path] OP constant` (either side) for a scalar constant; undefined for other shapes. */
export function jsonCompare(left: Node, right: Node, op: CmpOp, rows: RowSource): B3 | undefined {
  let j = left;
  let c = right;
  let cmp = op;
  if (left.op === 'const') { j = right; c = left; cmp = FLIP[op]; }
  if (j.op !== 'json' || c.op !== 'const') return undefined;
  const keys = objectKeys(j.path);
  const col = rows.column(j.field);
  if (keys === undefined || col === undefined || col.kind !== 'json') return undefined;
  // A safe integer constant compares with JSON numbers exactly as a number does.
  const want = typeof c.value === 'bigint' && Number.isSafeInteger(Number(c.value)) && BigInt(Number(c.value)) === c.value
    ? Number(c.value) : c.value;
  const kind = typeof want;
  const n = rows.numRows;
  const v = new Uint8Array(n);
  const k = new Uint8Array(n);
  const valid = col.valid;
  if (keys.length === 1 && cmp === '==' && typeof want === 'string') {
    equalsStringAtKey(col.data, valid, keys[0]!, want, v, k);
    return { v, k };
  }
  if (keys.length === 1 && cmp === '==' && typeof want === 'number') {
    equalsNumberAtKey(col.data, valid, keys[0]!, want, v, k);
    return { v, k };
  }
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const e = atKeys(col.data[i], keys);
    if (e === undefined || e === null) continue;
    k[i] = 1;
    if (typeof e === kind && (kind === 'number' || kind === 'string')) {
      const x = e as number | string;
      const y = want as number | string;
      switch (cmp) {
        case '==': v[i] = x === y ? 1 : 0; break;
        case '!=': v[i] = x !== y ? 1 : 0; break;
        case '<': v[i] = x < y ? 1 : 0; break;
        case '<=': v[i] = x <= y ? 1 : 0; break;
        case '>': v[i] = x > y ? 1 : 0; break;
        case '>=': v[i] = x >= y ? 1 : 0; break;
      }
    } else {
      const r = compareValues(e, want, cmp);
      if (r === 2) k[i] = 0;
      else v[i] = r;
    }
  }
  return { v, k };
}
