/**
 * The resolved, type-checked filter: names bound to schema fields, dynamic keys turned into `$meta`
 * paths, templates substituted, sugar removed (ranges, `not in`, `is not null`). Both evaluators
 * (vectorised eval.ts and naive.ts) interpret exactly this tree.
 */
import type { Analyzer } from '../analyzer/analyzer.js';
import type { DataType } from '../core/enums.js';
import type { Ast, CmpOp, PathStep, SpatialFn } from './ast.js';
import type { Box, Geometry } from './geometry.js';

/** A constant: scalars, lists (from `[...]` or templates) and JSON objects (templates only). */
export type ConstValue = boolean | bigint | number | string | ConstValue[] | ConstObject;
export interface ConstObject { readonly [key: string]: ConstValue }

export type ScalarType = 'bool' | 'int' | 'float' | 'string';
/** Static types: `json` is any JSON value known only per row; `array` is an Array field's value. */
export type ValueType = ScalarType | 'json' | 'array' | 'list';

export type ArithKind = '+' | '-' | '*' | '/' | '%' | '**' | '&' | '|' | '^' | '<<' | '>>';

export type Node =
  | { op: 'const'; type: ScalarType; value: boolean | bigint | number | string }
  | { op: 'list'; type: 'list'; values: ConstValue[] }
  /** A whole non-JSON column. */
  | { op: 'field'; type: ScalarType | 'array'; field: string; dataType: DataType }
  /** A JSON column (or `$meta`) at a path; an empty path is the whole value. */
  | { op: 'json'; type: 'json'; field: string; path: PathStep[] }
  /** Element `index` of an Array column. */
  | { op: 'elem'; type: ScalarType; field: string; index: number; elementType: DataType }
  /** Arithmetic / bit operation. `int` results wrap like int64; `float` results are doubles. */
  | { op: 'arith'; type: 'int' | 'float'; kind: ArithKind; left: Node; right: Node }
  | { op: 'neg'; type: 'int' | 'float'; arg: Node }
  | { op: 'bitnot'; type: 'int'; arg: Node }
  | { op: 'length'; type: 'int'; arg: Node }
  | { op: 'cmp'; type: 'bool'; cmp: CmpOp; left: Node; right: Node }
  | { op: 'in'; type: 'bool'; arg: Node; values: ConstValue[] }
  | { op: 'like'; type: 'bool'; arg: Node; pattern: string }
  /** True for NULL column values, missing / null JSON values and out-of-range elements; never unknown. */
  | { op: 'isNull'; type: 'bool'; arg: Node }
  /** True when the JSON path is present (even if its value is null); never unknown. */
  | { op: 'exists'; type: 'bool'; arg: Node }
  | { op: 'contains'; type: 'bool'; mode: 'one' | 'all' | 'any'; arg: Node; values: ConstValue[] }
  | { op: 'and' | 'or'; type: 'bool'; args: Node[] }
  | { op: 'not'; type: 'bool'; arg: Node }
  /**
   * TEXT_MATCH: rows whose text holds at least `minShouldMatch` of the distinct query `tokens` (the
   * query analysed with the field's analyzer, `analyzerKey` names it). NULL text is unknown.
   */
  | { op: 'textMatch'; type: 'bool'; field: string; analyzer: Analyzer; analyzerKey: string; tokens: string[]; minShouldMatch: number }
  /** PHRASE_MATCH: the query's tokens at their query positions, within `slop` moves (see text-index.ts). */
  | { op: 'phraseMatch'; type: 'bool'; field: string; analyzer: Analyzer; analyzerKey: string; terms: PhraseTerm[]; slop: number }
  /**
   * element_filter: rows with an element of struct `struct` for which `pred` holds. `pred` reads the
   * stored members (`struct[member]`, listed in `members`) one element at a time; it is a leaf here
   * (its fields are element-level, not row-level).
   */
  | { op: 'elementFilter'; type: 'bool'; struct: string; members: string[]; countField: string; countWidth: number; pred: Node }
  /**
   * A spatial operator on a Geometry field: the row's geometry (A) against the literal (B, its
   * WKT `wkt` read into `geometry`); `box` is where a row's bounding box must reach to match
   * (geometry.ts candidateBox, null: nothing matches). NULL or unreadable rows are unknown.
   */
  | { op: 'spatial'; type: 'bool'; fn: SpatialFn; field: string; wkt: string; geometry: Geometry; box: Box | null; distanceM: number }
  /** A JSON value used as a condition: true / false when it is a JSON bool, else unknown. */
  | { op: 'truthy'; type: 'bool'; arg: Node };

export type NodeOp = Node['op'];

export interface PhraseTerm {
  token: string;
  position: number;
}

export interface FilterPlan {
  readonly text: string;
  /** The parse tree (null for an empty filter). */
  readonly ast: Ast | null;
  /** The resolved tree (null: every row matches). */
  readonly root: Node | null;
  /**
   * What identifies the plan's meaning for one schema (its text), or null when it was compiled with
   * template values: results may be cached under this key for immutable rows.
   */
  readonly cacheKey: string | null;
}

export function nodeChildren(n: Node): Node[] {
  switch (n.op) {
    case 'const': case 'list': case 'field': case 'json': case 'elem': case 'textMatch': case 'phraseMatch': case 'elementFilter': case 'spatial': return [];
    case 'arith': case 'cmp': return [n.left, n.right];
    case 'neg': case 'bitnot': case 'length': case 'in': case 'like': case 'isNull': case 'exists':
    case 'contains': case 'not': case 'truthy': return [n.arg];
    case 'and': case 'or': return n.args;
  }
}
