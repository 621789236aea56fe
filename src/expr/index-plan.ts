/**
 * The filter planner's index step: a predicate over an indexed field (or JSON path) answered from
 * its scalar index instead of a column scan, when the index selects few enough rows to pay
 * (`selectivityMax`: the estimate is exact for sorted postings, an upper bound for n-gram candidates).
 *
 * - A leaf (`field op const`, `in`, `like`, `array_contains*`) over a field index is exact in any
 *   context: the index gives the known-TRUE rows, "known" is the column's validity.
 * - In a positive context (no NOT above, not inside a value), unknown and FALSE select the same rows,
 *   so JSON path indexes (which cannot tell a missing path from a mismatched type) are used there
 *   only; and an AND takes its most selective indexed part (range bounds on one field merged) as
 *   candidates and evaluates the rest by scan over the candidate rows only.
 * - At the root of a filter (`rowIds`) the answer may stay sparse: the selected row ids, ascending,
 *   without a byte per row of the segment (what a query's count or ids need).
 */
import type { Column, RowSource } from '../schema/column.js';
import { takeRows } from '../schema/ops.js';
import type { PathStep } from './ast.js';
import { spatialRow, type SpatialNode } from './eval-spatial.js';
import { navigate, type B3 } from './eval-vec.js';
import { compileLike, likeLiterals, likeMatches, type LikeMatcher } from './like.js';
import type { ConstValue, Node } from './plan.js';
import type { IndexKey, IndexKeyKind, ScalarIndex, ScalarIndexEntry, ScalarIndexSource, SortedScalarIndex } from './scalar-index.js';

/** Counters for tests: predicates answered from an index, and ANDs narrowed to candidate rows. */
export const indexPlanStats = { indexed: 0, narrowedAnds: 0 };

/** Default largest selected fraction for which an index beats the scan. */
const SELECTIVITY_MAX = 0.2;

/**
 * Rows an index selects: `rows` is exact (sorted) or an upper bound (n-gram and RTREE candidates).
 * `alwaysPays`: verifying the candidates costs less than the scan whatever their number (RTREE:
 * the scan reads and tests every row's geometry, the index only the candidates').
 */
interface Selection {
  readonly rows: number;
  readonly alwaysPays?: boolean;
  fill(out: Uint8Array): void;
  /** The selected rows, ascending, each once. */
  ids(): Int32Array;
}

/** Above this share of the rows, ids are collected from a byte mask instead of sorted. */
const SORT_IDS_MAX = 1 / 64;

/** Ascending distinct ids of a fill (for selections that have no cheaper way). */
function idsByFill(n: number, fill: (out: Uint8Array) => void): Int32Array {
  const v = new Uint8Array(n);
  fill(v);
  return maskIds(v);
}

function maskIds(v: Uint8Array): Int32Array {
  let m = 0;
  for (let i = 0; i < v.length; i++) m += v[i]!;
  const out = new Int32Array(m);
  for (let i = 0, j = 0; j < m; i++) if (v[i] === 1) out[j++] = i;
  return out;
}

/** Ascending distinct rows of an ascending candidate list whose row passes `keep`. */
function keptIds(cands: Int32Array, keep: Uint8Array): Int32Array {
  let m = 0;
  for (let j = 0; j < cands.length; j++) m += keep[j]!;
  const out = new Int32Array(m);
  for (let j = 0, w = 0; w < m; j++) if (keep[j] === 1) out[w++] = cands[j]!;
  return out;
}

/** Evaluates `and(nodes)` over another row source (the candidate rows). */
export type EvalAnd = (nodes: Node[], rows: RowSource) => B3;

interface Bounds {
  entry: ScalarIndexEntry & { index: SortedScalarIndex };
  lo: IndexKey | null; loIn: boolean; hi: IndexKey | null; hiIn: boolean;
  args: number[];
}

const FLIP = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' } as const;

export function keyFor(kind: IndexKeyKind, c: ConstValue): IndexKey | undefined {
  switch (kind) {
    case 'num':
      if (typeof c === 'number') return c;
      if (typeof c === 'bigint') { const x = Number(c); return BigInt(x) === c ? x : undefined; }
      return undefined;
    case 'i64':
      if (typeof c === 'bigint') return c;
      return typeof c === 'number' && Number.isInteger(c) ? BigInt(c) : undefined;
    case 'str': return typeof c === 'string' ? c : undefined;
    case 'bool': return typeof c === 'boolean' ? (c ? 1 : 0) : undefined;
  }
}

function keyLess(a: IndexKey, b: IndexKey): boolean {
  return a < b;
}

function samePath(a: readonly PathStep[], b: readonly PathStep[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (String(a[i]) !== String(b[i])) return false;
  return true;
}

/** `field op const` with the field on the left (flipped when written the other way). */
function leafCmp(node: Node & { op: 'cmp' }): { target: Node; op: keyof typeof FLIP; value: ConstValue } | undefined {
  if (node.right.op === 'const') return { target: node.left, op: node.cmp, value: node.right.value };
  if (node.left.op === 'const') return { target: node.right, op: FLIP[node.cmp], value: node.left.value };
  return undefined;
}

export class IndexPlanner {
  private readonly n: number;
  private readonly max: number;

  constructor(private readonly rows: RowSource & ScalarIndexSource) {
    this.n = rows.numRows;
    this.max = rows.indexSelectivityMax ?? SELECTIVITY_MAX;
  }

  /**
   * The rows the root predicate `node` selects (ascending ids) when indexes answer it, else
   * undefined (the caller evaluates a bitset). Positive context: a root selects known TRUE rows.
   */
  rowIds(node: Node, evalAnd: EvalAnd): Int32Array | undefined {
    if (node.op === 'and') {
      const best = this.bestOfAnd(node.args);
      if (best === undefined) return undefined;
      indexPlanStats.indexed++;
      if (best.rest.length > 0) indexPlanStats.narrowedAnds++;
      const cands = best.sel.ids();
      return best.rest.length === 0 ? cands : this.andRestIds(cands, best.rest, evalAnd);
    }
    const leaf = this.leaf(node, true);
    if (leaf === undefined || !this.pays(leaf.sel)) return undefined;
    indexPlanStats.indexed++;
    return leaf.sel.ids();
  }

  /** The node's result from indexes, or undefined when no index applies or the scan is cheaper. */
  predicate(node: Node, positive: boolean, evalAnd: EvalAnd): B3 | undefined {
    if (node.op === 'and') return positive ? this.and(node.args, evalAnd) : undefined;
    const leaf = this.leaf(node, positive);
    if (leaf === undefined || !this.pays(leaf.sel)) return undefined;
    const v = new Uint8Array(this.n);
    leaf.sel.fill(v);
    indexPlanStats.indexed++;
    return { v, k: positive ? null : leaf.known };
  }

  private pays(sel: Selection): boolean {
    return sel.alwaysPays === true || sel.rows <= this.n * this.max;
  }

  private entries(target: Node, positive: boolean): ScalarIndexEntry[] {
    if (target.op === 'field') return this.rows.scalarIndexes(target.field).filter((e) => e.jsonPath === null);
    if (target.op === 'json' && positive) {
      return this.rows.scalarIndexes(target.field).filter((e) => e.jsonPath !== null && samePath(e.jsonPath, target.path));
    }
    return [];
  }

  private sortedEntry(target: Node, positive: boolean, need: (i: SortedScalarIndex) => boolean): (ScalarIndexEntry & { index: SortedScalarIndex }) | undefined {
    for (const e of this.entries(target, positive)) {
      if (e.index.shape === 'sorted' && need(e.index)) return e as ScalarIndexEntry & { index: SortedScalarIndex };
    }
    return undefined;
  }

  /** The selection of one leaf predicate and the rows it knows (column validity). */
  private leaf(node: Node, positive: boolean): { sel: Selection; known: Uint8Array | null } | undefined {
    let sel: Selection | undefined;
    let target: Node | undefined;
    switch (node.op) {
      case 'cmp': {
        const c = leafCmp(node);
        if (c === undefined || c.op === '!=') return undefined;
        target = c.target;
        sel = this.cmp(target, c.op, c.value, positive);
        break;
      }
      case 'in': target = node.arg; sel = this.terms(target, node.values, positive, false); break;
      case 'contains': target = node.arg; sel = this.contains(node); break;
      case 'like': target = node.arg; sel = this.like(target, node.pattern, positive); break;
      case 'spatial': return this.spatial(node, positive);
      default: return undefined;
    }
    if (sel === undefined) return undefined;
    if (target.op !== 'field') return { sel, known: null };
    const known = this.rows.validOf !== undefined ? this.rows.validOf(target.field) : this.rows.column(target.field)?.valid ?? null;
    return { sel, known };
  }

  private cmp(target: Node, op: '<' | '<=' | '>' | '>=' | '==', value: ConstValue, positive: boolean): Selection | undefined {
    if (op === '==') return this.terms(target, [value], positive, false);
    const e = this.sortedEntry(target, positive, (i) => i.ranges && !i.elements);
    if (e === undefined) return undefined;
    const k = keyFor(e.index.keyKind, value);
    if (k === undefined || e.index.keyKind === 'bool') return undefined;
    const spans = op === '<' || op === '<=' ? e.index.rangeSpan(null, false, k, op === '<=') : e.index.rangeSpan(k, op === '>=', null, false);
    return spanSelection(e.index, spans, this.n);
  }

  private terms(target: Node, values: readonly ConstValue[], positive: boolean, elements: boolean): Selection | undefined {
    const e = this.sortedEntry(target, positive, (i) => i.elements === elements);
    if (e === undefined) return undefined;
    const keys: IndexKey[] = [];
    for (const v of values) {
      const k = keyFor(e.index.keyKind, v);
      if (k === undefined) return undefined;
      keys.push(k);
    }
    return spanSelection(e.index, e.index.termSpans(keys), this.n);
  }

  private contains(node: Node & { op: 'contains' }): Selection | undefined {
    if (node.arg.op !== 'field') return undefined;
    if (node.mode !== 'all') return this.terms(node.arg, node.values, false, true);
    const e = this.sortedEntry(node.arg, false, (i) => i.elements);
    if (e === undefined) return undefined;
    const per: Int32Array[] = [];
    for (const v of node.values) {
      const k = keyFor(e.index.keyKind, v);
      if (k === undefined) return undefined;
      per.push(e.index.termSpans([k]));
    }
    if (per.length === 0 || per.length > 0xffff) return undefined;
    const index = e.index;
    const n = this.n;
    let rows = Infinity;
    for (const s of per) rows = Math.min(rows, index.spanRows(s));
    const fill = (out: Uint8Array): void => {
      const counts = new Uint16Array(n);
      for (const s of per) index.count(s, counts);
      for (let i = 0; i < n; i++) out[i] = counts[i] === per.length ? 1 : 0;
    };
    return { rows, fill, ids: () => idsByFill(n, fill) };
  }

  private like(target: Node, pattern: string, positive: boolean): Selection | undefined {
    const m = compileLike(pattern);
    if (m.kind === 'equals') return this.terms(target, [m.text], positive, false);
    if (m.kind === 'prefix') {
      const e = this.sortedEntry(target, positive, (i) => i.prefixes && !i.elements);
      if (e !== undefined) return spanSelection(e.index, e.index.prefixSpan(m.text), this.n);
    }
    for (const e of this.entries(target, positive)) {
      if (e.index.shape !== 'ngram') continue;
      const cands = e.index.candidates(likeLiterals(pattern));
      if (cands !== null) return this.verified(cands, m, e);
    }
    return undefined;
  }

  /** N-gram candidates checked against the text itself. */
  private verified(cands: Int32Array, m: LikeMatcher, e: ScalarIndexEntry): Selection {
    const col = this.rows.column(e.field);
    const path = e.jsonPath;
    const keep = (): Uint8Array => {
      const k = new Uint8Array(cands.length);
      if (col === undefined) return k;
      for (let j = 0; j < cands.length; j++) {
        const s = textAt(col, cands[j]!, path);
        if (s !== undefined && likeMatches(m, s)) k[j] = 1;
      }
      return k;
    };
    return {
      rows: cands.length,
      fill(out) {
        const k = keep();
        for (let j = 0; j < cands.length; j++) if (k[j] === 1) out[cands[j]!] = 1;
      },
      ids: () => keptIds(cands, keep()),
    };
  }

  /**
   * RTREE candidates (rows whose bounding box reaches the operator's box), each tested exactly. In
   * a positive context only: a row jsts cannot read is unknown to the scan and in no leaf here.
   */
  private spatial(node: SpatialNode, positive: boolean): { sel: Selection; known: Uint8Array | null } | undefined {
    if (!positive || node.box === null) return undefined;
    const box = node.box;
    const e = this.rows.scalarIndexes(node.field).find((x) => x.index.shape === 'rtree');
    const col = this.rows.column(node.field);
    if (e === undefined || e.index.shape !== 'rtree' || col === undefined || col.kind !== 'varchar') return undefined;
    const cands = e.index.candidates(box);
    const keep = (): Uint8Array => {
      const k = new Uint8Array(cands.length);
      for (let j = 0; j < cands.length; j++) {
        const r = cands[j]!;
        if (col.valid !== null && col.valid[r] === 0) continue;
        if (spatialRow(node, col.data[r]!) === 1) k[j] = 1;
      }
      return k;
    };
    const sel: Selection = {
      rows: cands.length,
      alwaysPays: true,
      fill(out) {
        const k = keep();
        for (let j = 0; j < cands.length; j++) if (k[j] === 1) out[cands[j]!] = 1;
      },
      ids: () => keptIds(cands, keep()),
    };
    return { sel, known: col.valid };
  }

  private and(args: Node[], evalAnd: EvalAnd): B3 | undefined {
    const best = this.bestOfAnd(args);
    if (best === undefined) return undefined;
    indexPlanStats.indexed++;
    if (best.rest.length > 0) indexPlanStats.narrowedAnds++;
    const v = new Uint8Array(this.n);
    if (best.rest.length === 0) {
      best.sel.fill(v);
      return { v, k: null };
    }
    const ids = this.andRestIds(best.sel.ids(), best.rest, evalAnd);
    for (let j = 0; j < ids.length; j++) v[ids[j]!] = 1;
    return { v, k: null };
  }

  /** The AND's most selective indexed part (when it pays) and the parts left to evaluate over its rows. */
  private bestOfAnd(args: Node[]): { sel: Selection; rest: Node[] } | undefined {
    const groups = new Map<ScalarIndex, Bounds>();
    const sels: { sel: Selection; args: number[] }[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (!this.mergeBound(a, i, groups)) {
        const leaf = this.leaf(a, true);
        if (leaf !== undefined) sels.push({ sel: leaf.sel, args: [i] });
      }
    }
    for (const b of groups.values()) sels.push({ sel: spanSelection(b.entry.index, b.entry.index.rangeSpan(b.lo, b.loIn, b.hi, b.hiIn), this.n), args: b.args });
    let best: { sel: Selection; args: number[] } | undefined;
    for (const s of sels) if (best === undefined || s.sel.rows < best.sel.rows) best = s;
    if (best === undefined || !this.pays(best.sel)) return undefined;
    const used = new Set(best.args);
    return { sel: best.sel, rest: args.filter((_, i) => !used.has(i)) };
  }

  /** The candidates (ascending) for which AND(rest), evaluated over those rows only, is TRUE. */
  private andRestIds(cands: Int32Array, rest: Node[], evalAnd: EvalAnd): Int32Array {
    const r = evalAnd(rest, new CandidateRows(this.rows, cands));
    return keptIds(cands, r.v);
  }

  /** A range or equality comparison on a field with a range index joins that index's bounds (grouped by index object). */
  private mergeBound(a: Node, i: number, groups: Map<ScalarIndex, Bounds>): boolean {
    if (a.op !== 'cmp') return false;
    const c = leafCmp(a);
    if (c === undefined || c.op === '!=') return false;
    const e = this.sortedEntry(c.target, true, (x) => x.ranges && !x.elements && x.keyKind !== 'bool');
    if (e === undefined) return false;
    const k = keyFor(e.index.keyKind, c.value);
    if (k === undefined) return false;
    let b = groups.get(e.index);
    if (b === undefined) groups.set(e.index, (b = { entry: e, lo: null, loIn: false, hi: null, hiIn: false, args: [] }));
    b.args.push(i);
    if (c.op !== '<' && c.op !== '<=') {
      const incl = c.op !== '>';
      if (b.lo === null || keyLess(b.lo, k) || (b.lo === k && !incl)) { b.lo = k; b.loIn = incl; }
    }
    if (c.op !== '>' && c.op !== '>=') {
      const incl = c.op !== '<';
      if (b.hi === null || keyLess(k, b.hi) || (b.hi === k && !incl)) { b.hi = k; b.hiIn = incl; }
    }
    return true;
  }
}

function spanSelection(index: SortedScalarIndex, spans: Int32Array, n: number): Selection {
  const rows = index.spanRows(spans);
  const fill = (out: Uint8Array): void => index.fill(spans, out);
  return { rows, fill, ids: () => spanIds(index, spans, rows, n, fill) };
}

/**
 * Rows of sorted-postings spans, ascending and distinct. One key's postings are ascending already;
 * rows of several keys are sorted when few, else collected from a mask (a sort of millions costs more).
 */
function spanIds(index: SortedScalarIndex, spans: Int32Array, rows: number, n: number, fill: (out: Uint8Array) => void): Int32Array {
  const out = new Int32Array(rows);
  index.gather(spans, out);
  let ascending = true;
  for (let j = 1; j < rows; j++) if (out[j - 1]! >= out[j]!) { ascending = false; break; }
  if (ascending) return out;
  if (rows > n * SORT_IDS_MAX) return idsByFill(n, fill);
  out.sort();
  let w = 0;
  for (let j = 0; j < out.length; j++) if (w === 0 || out[w - 1] !== out[j]) out[w++] = out[j]!;
  return w === out.length ? out : out.slice(0, w);
}

function textAt(col: Column, row: number, path: readonly PathStep[] | null): string | undefined {
  if (col.valid !== null && col.valid[row] === 0) return undefined;
  if (path === null) return col.kind === 'varchar' ? col.data[row] : undefined;
  if (col.kind !== 'json') return undefined;
  const x = navigate(col.data[row] ?? undefined, path);
  return typeof x === 'string' ? x : undefined;
}

/** The candidate rows of a base source, gathered column by column on first use. */
class CandidateRows implements RowSource {
  readonly numRows: number;
  private readonly taken = new Map<string, Column | undefined>();
  constructor(private readonly base: RowSource, private readonly rows: Int32Array) {
    this.numRows = rows.length;
  }

  column(fieldName: string): Column | undefined {
    if (this.taken.has(fieldName)) return this.taken.get(fieldName);
    const c = this.base.column(fieldName);
    const out = c === undefined ? undefined : takeRows(c, this.rows);
    this.taken.set(fieldName, out);
    return out;
  }
}
