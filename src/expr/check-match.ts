/**
 * Type check of TEXT_MATCH / PHRASE_MATCH (Milvus's parser_visitor.go rules and messages): the field
 * is a VarChar with `enable_match`, the query is analysed here with the field's analyzer, and
 * `minimum_should_match` / `slop` are range-checked constants.
 */
import { DataType } from '../core/enums.js';
import { fieldByName, type CollectionSchema } from '../schema/types.js';
import { fieldEnablesMatch, matchAnalyzer } from '../schema/text.js';
import type { Ast } from './ast.js';
import type { Fail } from './consts.js';
import type { Node } from './plan.js';

const MAX_MINIMUM_SHOULD_MATCH = 1000n;
const MAX_SLOP = 4294967295n;

/** A constant integer written as `N` or `-N` (parenthesised or not); undefined otherwise. */
function constInt(a: Ast): bigint | undefined {
  if (a.k === 'int') return a.value;
  if (a.k === 'unary' && (a.op === '-' || a.op === '+')) {
    const v = constInt(a.arg);
    return v === undefined ? undefined : a.op === '-' ? -v : v;
  }
  return undefined;
}

function slopOf(a: Ast | null, fail: Fail): number {
  if (a === null) return 0;
  const v = constInt(a);
  if (v === undefined) return fail(`"slop" should be a const integer expression with type Int64. "slop" type passed: ${a.k}`, a.pos);
  if (v < 0n) return fail(`"slop" should not be a negative interger. "slop" passed: ${v}`, a.pos);
  if (v > MAX_SLOP) return fail(`"slop" exceeds the value range of uint32. "slop" passed: ${v}`, a.pos);
  return Number(v);
}

function minShouldMatchOf(a: Ast | null, fail: Fail): number {
  if (a === null) return 1;
  const v = constInt(a);
  if (v === undefined) return fail('minimum_should_match should be an integer', a.pos);
  if (v < 1n) return fail(`minimum_should_match should be >= 1, got ${v}`, a.pos);
  if (v > MAX_MINIMUM_SHOULD_MATCH) return fail(`minimum_should_match should be <= ${MAX_MINIMUM_SHOULD_MATCH}, got ${v}`, a.pos);
  return Number(v);
}

export function checkMatch(a: Ast & { k: 'match' }, schema: CollectionSchema, fail: Fail): Node {
  const what = a.fn === 'text_match' ? 'text match' : 'phrase match';
  const f = fieldByName(schema, a.field);
  if (f === undefined || f.isDynamic) return fail(`field ${a.field} not exist`, a.fieldPos);
  if (f.dataType !== DataType.VarChar) return fail(`${what} operation on non-string is unsupported`, a.pos);
  if (!fieldEnablesMatch(f)) return fail(`field "${f.name}" does not enable match`, a.fieldPos);
  const { analyzer, key } = matchAnalyzer(f);
  if (a.fn === 'text_match') {
    const minShouldMatch = minShouldMatchOf(a.extra, fail);
    const tokens = [...new Set(analyzer.tokens(a.query))];
    return { op: 'textMatch', type: 'bool', field: f.name, analyzer, analyzerKey: key, tokens, minShouldMatch };
  }
  const slop = slopOf(a.extra, fail);
  const terms = analyzer.analyze(a.query).map((t) => ({ token: t.token, position: t.position }));
  return { op: 'phraseMatch', type: 'bool', field: f.name, analyzer, analyzerKey: key, terms, slop };
}
