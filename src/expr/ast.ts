/**
 * The parse tree: what the text says, before names are resolved against a schema.
 * `pos` is the 0-based offset of the node's first token (operators: of the operator).
 */

export type ArithOp = '+' | '-' | '*' | '/' | '%' | '**';
export type BitOp = '&' | '|' | '^' | '<<' | '>>';
export type EqOp = '==' | '!=';
export type RelOp = '<' | '<=' | '>' | '>=';
export type CmpOp = EqOp | RelOp;
export type BinaryOp = ArithOp | BitOp | CmpOp;
export type UnaryOp = '+' | '-' | '~' | 'not';
export type PathStep = string | number;

/** Milvus 2.6's spatial operators on Geometry fields (geometry.ts evaluates them). */
export const SPATIAL_FUNCTIONS = [
  'st_equals', 'st_touches', 'st_overlaps', 'st_crosses', 'st_contains', 'st_intersects', 'st_within', 'st_dwithin',
] as const;
export type SpatialFn = (typeof SPATIAL_FUNCTIONS)[number];

export function isSpatialFn(name: string): name is SpatialFn {
  return (SPATIAL_FUNCTIONS as readonly string[]).includes(name);
}

export const SUPPORTED_FUNCTIONS = [
  'json_contains', 'json_contains_all', 'json_contains_any',
  'array_contains', 'array_contains_all', 'array_contains_any',
  'array_length',
  ...SPATIAL_FUNCTIONS,
] as const;
export type FunctionName = (typeof SUPPORTED_FUNCTIONS)[number];

export type Ast =
  | { k: 'int'; pos: number; value: bigint }
  | { k: 'float'; pos: number; value: number }
  | { k: 'bool'; pos: number; value: boolean }
  | { k: 'string'; pos: number; value: string }
  | { k: 'list'; pos: number; items: Ast[] }
  | { k: 'template'; pos: number; name: string }
  /** `name` is an identifier or `$meta`; `path` holds the `[...]` steps (empty for a bare name). */
  | { k: 'column'; pos: number; name: string; path: PathStep[] }
  | { k: 'unary'; pos: number; op: UnaryOp; arg: Ast }
  | { k: 'binary'; pos: number; op: BinaryOp; left: Ast; right: Ast }
  /** n-ary: `a and b and c` is one node with three args; parentheses keep their own node. */
  | { k: 'logical'; pos: number; op: 'and' | 'or'; args: Ast[] }
  /** `lower op1 column op2 upper`, both ops `<`/`<=` or both `>`/`>=`. */
  | { k: 'range'; pos: number; lower: Ast; op1: RelOp; column: Ast; op2: RelOp; upper: Ast }
  | { k: 'in'; pos: number; negated: boolean; left: Ast; right: Ast }
  | { k: 'like'; pos: number; left: Ast; pattern: Ast }
  | { k: 'isNull'; pos: number; negated: boolean; arg: Ast }
  | { k: 'exists'; pos: number; arg: Ast }
  | { k: 'call'; pos: number; name: FunctionName; args: Ast[] }
  /**
   * `text_match(field, 'words'[, minimum_should_match=N])` (extra: the int literal N) or
   * `phrase_match(field, 'phrase'[, slop])` (extra: the slop expression). `field` is an identifier.
   */
  | { k: 'match'; pos: number; fn: MatchFunction; field: string; fieldPos: number; query: string; extra: Ast | null }
  /**
   * `element_filter(structField, predicate)`: rows with at least one struct element for which the
   * predicate holds; in it `$[member]` (a column named `$`, path [member]) is that element's member.
   */
  | { k: 'elementFilter'; pos: number; field: string; fieldPos: number; pred: Ast };

export type MatchFunction = 'text_match' | 'phrase_match';

export type AstKind = Ast['k'];

/** Child nodes in evaluation order (used by iterative walks). */
export function astChildren(a: Ast): Ast[] {
  switch (a.k) {
    case 'int': case 'float': case 'bool': case 'string': case 'template': case 'column': return [];
    case 'list': return a.items;
    case 'unary': return [a.arg];
    case 'binary': return [a.left, a.right];
    case 'logical': return a.args;
    case 'range': return [a.lower, a.column, a.upper];
    case 'in': return [a.left, a.right];
    case 'like': return [a.left, a.pattern];
    case 'isNull': return [a.arg];
    case 'exists': return [a.arg];
    case 'call': return a.args;
    case 'match': return a.extra === null ? [] : [a.extra];
    case 'elementFilter': return [a.pred];
  }
}
