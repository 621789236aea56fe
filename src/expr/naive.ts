/**
 * The reference evaluator: a per-row recursive interpreter over plain JS values. It shares only the
 * parser, checker and plan types with eval.ts and is deliberately written differently (no typed
 * arrays, no fast paths, its own equality / ordering / like / JSON lookup) so that the two can be
 * tested against each other. Three-valued logic: true, false, null = unknown.
 */
import type { CmpOp, PathStep } from './ast.js';
import { naivePhraseMatch, naiveTextMatch } from './naive-match.js';
import { naiveSpatial } from './naive-spatial.js';
import type { ConstValue, FilterPlan, Node } from './plan.js';

/** field name -> value (null for NULL; bigint for Int64; number[] etc.; '$meta' -> object). */
export type RowValues = Record<string, unknown>;
type Tri = boolean | null;

export function naiveMatches(plan: FilterPlan, row: RowValues): boolean {
  return plan.root === null || truth(plan.root, row) === true;
}

function cell(row: RowValues, field: string): unknown {
  const v = Object.prototype.hasOwnProperty.call(row, field) ? row[field] : undefined;
  return v === null ? undefined : v;
}

/** JSON lookup; `found` is false for a missing key, an out-of-range index or a null/absent root. */
function lookup(row: RowValues, field: string, path: readonly PathStep[]): { found: boolean; value: unknown } {
  let cur = cell(row, field);
  if (cur === undefined) return { found: false, value: undefined };
  for (const step of path) {
    const token = String(step);
    if (Array.isArray(cur)) {
      const idx = Number(token);
      if (!(String(idx) === token && idx >= 0 && idx < cur.length)) return { found: false, value: undefined };
      cur = cur[idx];
    } else if (cur !== null && typeof cur === 'object' && Object.keys(cur).includes(token)) {
      cur = (cur as Record<string, unknown>)[token];
    } else {
      return { found: false, value: undefined };
    }
  }
  return { found: true, value: cur };
}

/** Exact numeric ordering between numbers and bigints: -1, 0, 1, or undefined (NaN). */
function numOrder(a: number | bigint, b: number | bigint): -1 | 0 | 1 | undefined {
  if (typeof a === 'number' && Number.isNaN(a)) return undefined;
  if (typeof b === 'number' && Number.isNaN(b)) return undefined;
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number') {
    const o = numOrder(b, a);
    return o === undefined ? undefined : o === 0 ? 0 : o === 1 ? -1 : 1;
  }
  const y = b as number;
  if (y === Infinity) return -1;
  if (y === -Infinity) return 1;
  const fl = BigInt(Math.floor(y));
  if (a < fl) return -1;
  if (a > fl) return 1;
  return Number.isInteger(y) ? 0 : -1;
}

const isNum = (x: unknown): x is number | bigint => typeof x === 'number' || typeof x === 'bigint';

function same(a: unknown, b: unknown): boolean {
  if (isNum(a) && isNum(b)) return numOrder(a, b) === 0;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same(a[k], b[k]));
  }
  return a === b;
}

function compare(op: CmpOp, a: unknown, b: unknown): Tri {
  if (a === undefined || b === undefined) return null;
  if (op === '==') return same(a, b);
  if (op === '!=') return !same(a, b);
  let o: -1 | 0 | 1 | undefined;
  if (isNum(a) && isNum(b)) o = numOrder(a, b);
  else if (typeof a === 'string' && typeof b === 'string') o = a === b ? 0 : a < b ? -1 : 1;
  if (o === undefined) return false;
  if (op === '<') return o < 0;
  if (op === '<=') return o <= 0;
  if (op === '>') return o > 0;
  return o >= 0;
}

/** `like` by dynamic programming over code points. */
export function naiveLike(pattern: string, subject: string): boolean {
  type P = { any: true } | { one: true } | { ch: string };
  const ps: P[] = [];
  const pcs = Array.from(pattern);
  for (let i = 0; i < pcs.length; i++) {
    const c = pcs[i] as string;
    if (c === '\\') ps.push({ ch: pcs[++i] ?? '' });
    else if (c === '%') ps.push({ any: true });
    else if (c === '_') ps.push({ one: true });
    else ps.push({ ch: c });
  }
  const s = Array.from(subject);
  let row = new Array<boolean>(s.length + 1).fill(false);
  row[0] = true;
  for (const p of ps) {
    const next = new Array<boolean>(s.length + 1).fill(false);
    for (let j = 0; j <= s.length; j++) {
      if ('any' in p) next[j] = row[j] === true || (j > 0 && next[j - 1] === true);
      else if (j > 0 && row[j - 1] === true) next[j] = 'one' in p || s[j - 1] === p.ch;
    }
    row = next;
  }
  return row[s.length] === true;
}

function toBig(x: unknown): bigint | undefined {
  if (typeof x === 'bigint') return x;
  if (typeof x === 'number' && Number.isInteger(x)) return BigInt(x);
  return undefined;
}
function toNum(x: unknown): number | undefined {
  return typeof x === 'number' ? x : typeof x === 'bigint' ? Number(x) : undefined;
}

function intOp(kind: string, a: bigint, b: bigint): bigint | undefined {
  const wrap = (x: bigint): bigint => BigInt.asIntN(64, x);
  switch (kind) {
    case '+': return wrap(a + b);
    case '-': return wrap(a - b);
    case '*': return wrap(a * b);
    case '/': return b === 0n ? undefined : wrap(a / b);
    case '%': return b === 0n ? undefined : a % b;
    case '&': return a & b;
    case '|': return a | b;
    case '^': return a ^ b;
    case '<<': return b < 0n || b > 63n ? undefined : wrap(a << b);
    case '>>': return b < 0n || b > 63n ? undefined : a >> b;
    default: return undefined;
  }
}

function floatOp(kind: string, a: number, b: number): number | undefined {
  switch (kind) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b === 0 ? undefined : a / b;
    case '%': return b === 0 ? undefined : a % b;
    case '**': return Math.pow(a, b);
    default: return undefined;
  }
}

function val(node: Node, row: RowValues): unknown {
  switch (node.op) {
    case 'const': return node.value;
    case 'list': return node.values;
    case 'field': return cell(row, node.field);
    case 'json': {
      const r = lookup(row, node.field, node.path);
      return r.value === null ? undefined : r.value;
    }
    case 'elem': {
      const arr = cell(row, node.field);
      return Array.isArray(arr) && node.index < arr.length ? (arr[node.index] as unknown) : undefined;
    }
    case 'arith': {
      const a = val(node.left, row);
      const b = val(node.right, row);
      if (node.type === 'int') {
        const x = toBig(a);
        const y = toBig(b);
        return x === undefined || y === undefined ? undefined : intOp(node.kind, x, y);
      }
      const x = toNum(a);
      const y = toNum(b);
      return x === undefined || y === undefined ? undefined : floatOp(node.kind, x, y);
    }
    case 'neg': {
      const a = val(node.arg, row);
      if (node.type === 'int') { const x = toBig(a); return x === undefined ? undefined : BigInt.asIntN(64, -x); }
      const x = toNum(a);
      return x === undefined ? undefined : -x;
    }
    case 'bitnot': { const x = toBig(val(node.arg, row)); return x === undefined ? undefined : ~x; }
    case 'length': { const a = val(node.arg, row); return Array.isArray(a) ? a.length : undefined; }
    default: { const t = truth(node, row); return t === null ? undefined : t; }
  }
}

function isNullish(node: Node, row: RowValues): boolean {
  if (node.op === 'json') {
    const r = lookup(row, node.field, node.path);
    return !r.found || r.value === null;
  }
  return val(node, row) === undefined;
}

function containsTri(node: Node & { op: 'contains' }, row: RowValues): Tri {
  const arr = val(node.arg, row);
  if (arr === undefined) return null;
  if (!Array.isArray(arr)) return false;
  const has = (v: ConstValue): boolean => arr.some((e) => same(e, v));
  if (node.mode === 'all') return node.values.every(has);
  return node.values.some(has);
}

/** element_filter: each element as a row of its own members; true when one is true, unknown when none is and one is unknown. */
function elementTruth(node: Node & { op: 'elementFilter' }, row: RowValues): Tri {
  const counted = cell(row, node.countField);
  const n = Array.isArray(counted) ? Math.floor(counted.length / node.countWidth) : 0;
  let unknown = false;
  for (let e = 0; e < n; e++) {
    const element: RowValues = {};
    for (const m of node.members) {
      const arr = cell(row, m);
      element[m] = Array.isArray(arr) ? arr[e] : undefined;
    }
    const t = truth(node.pred, element);
    if (t === true) return true;
    if (t === null) unknown = true;
  }
  return unknown ? null : false;
}

function truth(node: Node, row: RowValues): Tri {
  switch (node.op) {
    case 'cmp': return compare(node.cmp, val(node.left, row), val(node.right, row));
    case 'in': {
      const x = val(node.arg, row);
      return x === undefined ? null : node.values.some((v) => same(x, v));
    }
    case 'like': {
      const x = val(node.arg, row);
      return x === undefined ? null : typeof x === 'string' && naiveLike(node.pattern, x);
    }
    case 'isNull': return isNullish(node.arg, row);
    case 'exists': return node.arg.op === 'json' && lookup(row, node.arg.field, node.arg.path).found;
    case 'contains': return containsTri(node, row);
    case 'textMatch': case 'phraseMatch': {
      const x = cell(row, node.field);
      if (typeof x !== 'string') return null;
      return node.op === 'textMatch' ? naiveTextMatch(node, x) : naivePhraseMatch(node, x);
    }
    case 'spatial': return naiveSpatial(node, cell(row, node.field));
    case 'and': {
      let unknown = false;
      for (const a of node.args) {
        const t = truth(a, row);
        if (t === false) return false;
        if (t === null) unknown = true;
      }
      return unknown ? null : true;
    }
    case 'or': {
      let unknown = false;
      for (const a of node.args) {
        const t = truth(a, row);
        if (t === true) return true;
        if (t === null) unknown = true;
      }
      return unknown ? null : false;
    }
    case 'not': { const t = truth(node.arg, row); return t === null ? null : !t; }
    case 'elementFilter': return elementTruth(node, row);
    case 'truthy': case 'field': case 'elem': case 'const': {
      const x = node.op === 'truthy' ? val(node.arg, row) : val(node, row);
      return typeof x === 'boolean' ? x : null;
    }
    default: return null;
  }
}
