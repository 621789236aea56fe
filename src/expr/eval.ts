/**
 * Vectorised evaluator: every plan node is computed for all rows at once, over the typed-array
 * columns of a RowSource. Predicates are three-valued (value + known masks, see eval-vec.ts); the
 * filter selects the rows whose result is known TRUE.
 */
import { errors } from '../core/errors.js';
import type { Bitset, RowSource } from '../schema/column.js';
import { bitNot, floatArith, intArith, negate } from './eval-arith.js';
import { compareVecs } from './eval-cmp.js';
import {
  applyMask, arrayColumn, columnVec, inNumbers, jsonColumnAt, requireColumn, ValueSet, valueAt,
  type B3, type Vec,
} from './eval-vec.js';
import { intTermCompare, intTermIn } from './kernels.js';
import { jsonCompare, likePrefix } from './kernels-text.js';
import { compileLike, likeMatches } from './like.js';
import type { FilterPlan, Node } from './plan.js';
import { textIndexOf } from './text-index.js';
import { spatialColumn } from './eval-spatial.js';
import { IndexPlanner } from './index-plan.js';
import { elementFilterRows, elementOffsets } from './eval-element.js';
import { hasScalarIndexes } from './scalar-index.js';

/** element_filter at the root of a plan (alone or one term of a top-level AND), else null. */
export function rootElementFilter(plan: FilterPlan): (Node & { op: 'elementFilter' }) | null {
  const r = plan.root;
  if (r === null) return null;
  if (r.op === 'elementFilter') return r;
  if (r.op !== 'and') return null;
  const found = r.args.filter((a): a is Node & { op: 'elementFilter' } => a.op === 'elementFilter');
  return found.length === 1 ? found[0]! : null;
}

/** Per row of `rows`, the offsets of the struct elements the plan's element_filter holds for. */
export function matchingElements(node: Node & { op: 'elementFilter' }, rows: RowSource): number[][] {
  return elementOffsets(node, rows, (pred, source) => {
    const r = new Evaluator(source).bool(pred);
    if (r.k === null) return r.v;
    const out = new Uint8Array(r.v.length);
    for (let i = 0; i < out.length; i++) out[i] = r.v[i]! & r.k[i]!;
    return out;
  });
}

export function evaluateFilter(plan: FilterPlan, rows: RowSource): Bitset {
  const n = rows.numRows;
  if (plan.root === null) return new Uint8Array(n).fill(1);
  const r = new Evaluator(rows).bool(plan.root);
  // A bare Bool field's result is the column itself: never hand out storage the caller may mutate.
  return plan.root.op === 'field' ? r.v.slice() : r.v;
}

/**
 * The rows the filter selects as ascending row ids, when the scalar indexes answer its root (a
 * predicate or an AND with an indexed part; see IndexPlanner.rowIds) and no byte per row is needed;
 * else null, and the caller takes `evaluateFilter`'s bitset.
 */
export function indexedFilterRowIds(plan: FilterPlan, rows: RowSource): Int32Array | null {
  if (plan.root === null || !hasScalarIndexes(rows)) return null;
  const ev = new Evaluator(rows);
  return ev.planner?.rowIds(plan.root, (rest, source) => new Evaluator(source).and(rest)) ?? null;
}

/** The rows the filter selects, ascending (sparse from the indexes where they answer it). */
export function filterRowIds(plan: FilterPlan, rows: RowSource): Int32Array {
  const ids = indexedFilterRowIds(plan, rows);
  if (ids !== null) return ids;
  const bits = evaluateFilter(plan, rows);
  let m = 0;
  for (let i = 0; i < bits.length; i++) m += bits[i]!;
  const out = new Int32Array(m);
  for (let i = 0, j = 0; j < m; i++) if (bits[i] === 1) out[j++] = i;
  return out;
}

function allKnown(n: number, value: 0 | 1): B3 {
  return { v: new Uint8Array(n).fill(value), k: null };
}

/** A per-row result builder for the generic paths: 0 false, 1 true, 2 unknown. */
function b3FromFn(n: number, f: (i: number) => 0 | 1 | 2): B3 {
  const v = new Uint8Array(n);
  const k = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = f(i);
    if (r !== 2) { k[i] = 1; v[i] = r; }
  }
  return { v, k };
}

const SMALL_LIST = 8;
const SAFE_HI = 1 << 21; // |high word| < 2^21  <=>  |value| < 2^53

/**
 * int64 membership without allocating a BigInt per row: read the column as 32-bit halves and hash
 * safe-range values as numbers (exact there); only values beyond 2^53 go through the BigInt set.
 */
function inInt64(col: BigInt64Array, set: ValueSet, out: Uint8Array): void {
  const words = new Int32Array(col.buffer, col.byteOffset, col.length * 2);
  const nums = set.nums;
  const bigs = set.bigs;
  if (nums.size <= SMALL_LIST && nums.size === bigs.size && [...nums].every(Number.isSafeInteger)) {
    const consts = Float64Array.from(nums); // every listed value is a safe integer
    const m = consts.length;
    for (let i = 0; i < col.length; i++) {
      const hi = words[2 * i + 1]!;
      if (hi < -SAFE_HI || hi >= SAFE_HI) { out[i] = 0; continue; }
      const key = hi * 4294967296 + (words[2 * i]! >>> 0);
      let hit = 0;
      for (let j = 0; j < m; j++) if (consts[j] === key) { hit = 1; break; }
      out[i] = hit;
    }
    return;
  }
  for (let i = 0; i < col.length; i++) {
    const hi = words[2 * i + 1]!;
    if (hi >= -SAFE_HI && hi < SAFE_HI) out[i] = nums.has(hi * 4294967296 + (words[2 * i]! >>> 0)) ? 1 : 0;
    else out[i] = bigs.has(col[i]!) ? 1 : 0;
  }
}

class Evaluator {
  private readonly n: number;
  /** Answers indexed predicates (null: the rows have no scalar indexes). */
  readonly planner: IndexPlanner | null;
  /**
   * No NOT above and not inside a value: only TRUE rows matter here, so unknown may read as FALSE
   * (what lets the planner use JSON path indexes and narrow an AND to candidates).
   */
  private positive = true;
  constructor(private readonly rows: RowSource) {
    this.n = rows.numRows;
    this.planner = hasScalarIndexes(rows) ? new IndexPlanner(rows) : null;
  }

  /** `bool(node)` with `positive` false below it. */
  private exact<T>(f: () => T): T {
    const was = this.positive;
    this.positive = false;
    try {
      return f();
    } finally {
      this.positive = was;
    }
  }

  value(node: Node): Vec {
    const n = this.n;
    switch (node.op) {
      case 'const': return { t: 'const', value: node.value };
      case 'list': return { t: 'const', value: node.values };
      case 'field': return columnVec(this.rows, node.field);
      case 'json': {
        const vals = jsonColumnAt(this.rows, node.field, node.path);
        for (let i = 0; i < n; i++) if (vals[i] === null) vals[i] = undefined;
        return { t: 'gen', v: vals };
      }
      case 'elem': {
        const arrs = arrayColumn(this.rows, node.field);
        const out = new Array<unknown>(n);
        for (let i = 0; i < n; i++) out[i] = arrs[i]?.[node.index];
        return { t: 'gen', v: out };
      }
      case 'arith': {
        const l = this.value(node.left);
        const r = this.value(node.right);
        return node.type === 'int' ? intArith(node.kind, l, r, n) : floatArith(node.kind, l, r, n);
      }
      case 'neg': return negate(this.value(node.arg), node.type === 'int', n);
      case 'bitnot': return bitNot(this.value(node.arg), n);
      case 'length': return this.length(node.arg);
      default: {
        const b = this.exact(() => this.bool(node));
        return { t: 'bool', v: b.v, k: b.k };
      }
    }
  }

  private length(arg: Node): Vec {
    const x = this.value(arg);
    const v = new Float64Array(this.n);
    const k = new Uint8Array(this.n);
    for (let i = 0; i < this.n; i++) {
      const a = valueAt(x, i);
      if (Array.isArray(a)) { v[i] = a.length; k[i] = 1; }
    }
    return { t: 'num', v, k };
  }

  bool(node: Node): B3 {
    const n = this.n;
    const indexed = this.planner?.predicate(node, this.positive, (rest, rows) => new Evaluator(rows).and(rest));
    if (indexed !== undefined) return indexed;
    switch (node.op) {
      case 'cmp':
        return intTermCompare(node.left, node.right, node.cmp, this.rows)
          ?? jsonCompare(node.left, node.right, node.cmp, this.rows)
          ?? compareVecs(this.value(node.left), this.value(node.right), node.cmp, n);
      case 'in': return intTermIn(node.arg, node.values, this.rows) ?? this.inList(node.arg, new ValueSet(node.values));
      case 'like': return likePrefix(node.arg, node.pattern, this.rows) ?? this.like(node.arg, node.pattern);
      case 'isNull': return this.isNull(node.arg);
      case 'exists': return this.exists(node.arg);
      case 'contains': return this.contains(node);
      case 'textMatch': case 'phraseMatch': return this.match(node);
      case 'elementFilter': return elementFilterRows(node, this.rows, (pred, source) => new Evaluator(source).bool(pred));
      case 'spatial': return spatialColumn(node, requireColumn(this.rows, node.field));
      case 'and': return this.and(node.args);
      case 'or': return this.or(node.args);
      case 'not': return this.not(this.exact(() => this.bool(node.arg)));
      case 'truthy': case 'elem': return this.truthy(this.value(node.op === 'truthy' ? node.arg : node));
      case 'const': return allKnown(n, node.value === true ? 1 : 0);
      case 'field': {
        const x = columnVec(this.rows, node.field);
        if (x.t !== 'bool') throw errors.internal(`field ${node.field} is not a Bool column`);
        return { v: x.v, k: x.k };
      }
      default: throw errors.internal(`plan node ${node.op} is not a predicate`);
    }
  }

  private truthy(x: Vec): B3 {
    return b3FromFn(this.n, (i) => {
      const e = valueAt(x, i);
      return e === true ? 1 : e === false ? 0 : 2;
    });
  }

  private inList(arg: Node, set: ValueSet): B3 {
    const x = this.value(arg);
    const n = this.n;
    const v = new Uint8Array(n);
    switch (x.t) {
      case 'i64': inInt64(x.v, set, v); break;
      case 'num': inNumbers(x.v, set, v); break;
      case 'str': { const s = set.strs; for (let i = 0; i < n; i++) v[i] = s.has(x.v[i]!) ? 1 : 0; break; }
      default: return b3FromFn(n, (i) => {
        const e = valueAt(x, i);
        return e === undefined ? 2 : set.has(e) ? 1 : 0;
      });
    }
    applyMask(v, x.k);
    return { v, k: x.k };
  }

  private like(arg: Node, pattern: string): B3 {
    const m = compileLike(pattern);
    const x = this.value(arg);
    if (x.t === 'str') {
      const v = new Uint8Array(this.n);
      for (let i = 0; i < this.n; i++) v[i] = likeMatches(m, x.v[i]!) ? 1 : 0;
      applyMask(v, x.k);
      return { v, k: x.k };
    }
    return b3FromFn(this.n, (i) => {
      const e = valueAt(x, i);
      if (e === undefined) return 2;
      return typeof e === 'string' && likeMatches(m, e) ? 1 : 0;
    });
  }

  /** From the chunk's positional index: the text column is not read. NULL text is unknown. */
  private match(node: Node & { op: 'textMatch' | 'phraseMatch' }): B3 {
    const index = textIndexOf(this.rows, node.field, node.analyzer, node.analyzerKey);
    const v = node.op === 'textMatch' ? index.matchAny(node.tokens, node.minShouldMatch) : index.matchPhrase(node.terms, node.slop);
    applyMask(v, index.valid);
    return { v, k: index.valid };
  }

  private isNull(arg: Node): B3 {
    const n = this.n;
    if (arg.op === 'field') {
      const c = requireColumn(this.rows, arg.field);
      const v = new Uint8Array(n);
      if (c.valid !== null) for (let i = 0; i < n; i++) v[i] = c.valid[i] === 0 ? 1 : 0;
      return { v, k: null };
    }
    if (arg.op === 'json') {
      const vals = jsonColumnAt(this.rows, arg.field, arg.path);
      const v = new Uint8Array(n);
      for (let i = 0; i < n; i++) v[i] = vals[i] === undefined || vals[i] === null ? 1 : 0;
      return { v, k: null };
    }
    const x = this.value(arg);
    const v = new Uint8Array(n);
    for (let i = 0; i < n; i++) v[i] = valueAt(x, i) === undefined ? 1 : 0;
    return { v, k: null };
  }

  private exists(arg: Node): B3 {
    if (arg.op !== 'json') throw errors.internal('exists on a non-JSON node');
    const vals = jsonColumnAt(this.rows, arg.field, arg.path);
    const v = new Uint8Array(this.n);
    for (let i = 0; i < this.n; i++) v[i] = vals[i] === undefined ? 0 : 1;
    return { v, k: null };
  }

  private contains(node: Node & { op: 'contains' }): B3 {
    const x = this.value(node.arg);
    const set = new ValueSet(node.values);
    return b3FromFn(this.n, (i) => {
      const arr = valueAt(x, i);
      if (arr === undefined) return 2;
      if (!Array.isArray(arr)) return 0;
      if (node.mode === 'all') {
        const present = new ValueSet(arr.filter((e): e is Exclude<typeof e, null> => e !== null));
        for (const want of node.values) if (!present.has(want)) return 0;
        return 1;
      }
      for (const e of arr) if (e !== null && set.has(e)) return 1;
      return 0;
    });
  }

  and(args: Node[]): B3 {
    const n = this.n;
    const v = new Uint8Array(n).fill(1);
    const k = new Uint8Array(n).fill(1);
    for (const a of args) {
      const r = this.bool(a);
      for (let i = 0; i < n; i++) {
        const rk = r.k === null ? 1 : r.k[i]!;
        const rv = r.v[i]!;
        // FALSE wins; otherwise known only when both are known.
        const kNew = (k[i]! & rk) | (k[i]! & (v[i]! ^ 1)) | (rk & (rv ^ 1));
        v[i] = v[i]! & rv;
        k[i] = kNew;
      }
    }
    applyMask(v, k);
    return { v, k };
  }

  private or(args: Node[]): B3 {
    const n = this.n;
    const v = new Uint8Array(n);
    const k = new Uint8Array(n).fill(1);
    for (const a of args) {
      const r = this.bool(a);
      for (let i = 0; i < n; i++) {
        const rk = r.k === null ? 1 : r.k[i]!;
        const rv = r.v[i]!;
        // TRUE wins; otherwise known only when both are known.
        k[i] = (k[i]! & rk) | v[i]! | rv;
        v[i] = v[i]! | rv;
      }
    }
    return { v, k };
  }

  private not(r: B3): B3 {
    const n = this.n;
    const v = new Uint8Array(n);
    if (r.k === null) for (let i = 0; i < n; i++) v[i] = r.v[i]! ^ 1;
    else for (let i = 0; i < n; i++) v[i] = r.k[i]! & (r.v[i]! ^ 1);
    return { v, k: r.k };
  }
}
