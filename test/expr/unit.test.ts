import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import { compileFilter, evaluateFilter, extractPkTerms, naiveMatches, referencedFields, type RowValues, type TemplateValues } from '../../src/expr/index.js';
import type { CollectionSchema } from '../../src/schema/types.js';
import { field, rowSource, schemaOf } from './helpers.js';

const schema = schemaOf([
  field('id', DataType.Int64, { isPrimaryKey: true }),
  field('a', DataType.Int32),
  field('b', DataType.Int64, { nullable: true }),
  field('f', DataType.Float),
  field('d', DataType.Double, { nullable: true }),
  field('s', DataType.VarChar, { nullable: true }),
  field('flag', DataType.Bool, { nullable: true }),
  field('meta', DataType.JSON, { nullable: true }),
  field('arr', DataType.Array, { elementType: DataType.Int64, nullable: true }),
  field('tags', DataType.Array, { elementType: DataType.VarChar }),
  field('vec', DataType.FloatVector, { dim: 2 }),
], true);

const BIG = 9007199254740993n; // 2^53 + 1
const rows: RowValues[] = [
  { id: 1n, a: 1, b: 10n, f: 0.5, d: 1.5, s: 'apple', flag: true, meta: { x: 1, y: 'u', list: [1, 2, 3], o: { p: true } }, arr: [1n, 2n, 3n], tags: ['red', 'blue'], $meta: { color: 'red', n: 5 } },
  { id: 2n, a: 2, b: null, f: 1.5, d: null, s: null, flag: false, meta: { x: 'str', list: [] }, arr: null, tags: [], $meta: { color: 'blue' } },
  { id: 3n, a: 3, b: BIG, f: -2, d: 2.5, s: 'a%b_c', flag: null, meta: null, arr: [], tags: ['green'], $meta: {} },
  { id: 4n, a: 4, b: -5n, f: Math.fround(0.1), d: 0, s: 'banana', flag: true, meta: { x: null, y: 'v', list: [4, 'x'] }, arr: [7n], tags: ['red'], $meta: { n: 'five', color: null } },
  { id: 5n, a: 5, b: 9223372036854775807n, f: 3, d: -1, s: '', flag: false, meta: { x: 2.5, list: [[1, 2], { k: 1 }] }, arr: [2n, 2n], tags: ['a\\b'], $meta: { n: 7 } },
];
const src = rowSource(schema, rows);

/** Selected ids (1-based) by the vectorised evaluator, checked against the naive one. */
function sel(filter: string, templates?: TemplateValues, s: CollectionSchema = schema, rs = rows): number[] {
  const plan = compileFilter(filter, s, templates);
  const bits = evaluateFilter(plan, s === schema && rs === rows ? src : rowSource(s, rs));
  const fast: number[] = [];
  const naive: number[] = [];
  rs.forEach((r, i) => {
    if (bits[i] === 1) fast.push(i + 1);
    if (naiveMatches(plan, r)) naive.push(i + 1);
  });
  assert.deepEqual(fast, naive, `eval and naive disagree on ${filter}`);
  return fast;
}

function rejects(filter: string, pattern: RegExp, templates?: TemplateValues): void {
  assert.throws(() => compileFilter(filter, schema, templates), (e: unknown) => {
    assert.ok(e instanceof MilvusError, `not a MilvusError: ${String(e)}`);
    assert.equal(e.code, 1100);
    assert.match(e.message, pattern);
    return true;
  }, filter);
}

describe('comparisons', () => {
  it('compares int, int64, float and double fields with constants', () => {
    assert.deepEqual(sel('a > 2'), [3, 4, 5]);
    assert.deepEqual(sel('a >= 2 and a != 4'), [2, 3, 5]);
    assert.deepEqual(sel('2 < a'), [3, 4, 5]);
    assert.deepEqual(sel('b < 0'), [4]);
    assert.deepEqual(sel('b == 9223372036854775807'), [5]);
    assert.deepEqual(sel('a == 1.0'), [1]);
    assert.deepEqual(sel('a < 2.5'), [1, 2]);
    assert.deepEqual(sel('f == 0.1'), [4]); // Float fields compare against the float32-rounded constant
    assert.deepEqual(sel('d <= 0'), [4, 5]);
  });
  it('keeps int64 exact beyond 2^53', () => {
    assert.deepEqual(sel('b == 9007199254740993'), [3]);
    assert.deepEqual(sel('b == 9007199254740992'), []);
    assert.deepEqual(sel('b > 9007199254740992'), [3, 5]);
    assert.deepEqual(sel('b == 9007199254740992.0'), []);
    assert.deepEqual(sel('b - 1 == 9007199254740992'), [3]);
  });
  it('compares fields with fields', () => {
    assert.deepEqual(sel('a < d'), [1]);
    assert.deepEqual(sel('a <= d + 0.5'), [1, 3]);
    assert.deepEqual(sel('id == a'), [1, 2, 3, 4, 5]);
  });
  it('compares strings and bools', () => {
    assert.deepEqual(sel('s == "apple"'), [1]);
    assert.deepEqual(sel("s > 'b'"), [4]);
    assert.deepEqual(sel('s != "apple"'), [3, 4, 5]);
    assert.deepEqual(sel('flag == true'), [1, 4]);
    assert.deepEqual(sel('flag'), [1, 4]);
    assert.deepEqual(sel('flag != True'), [2, 5]);
  });
  it('parses chained ranges in both directions', () => {
    assert.deepEqual(sel('1 < a <= 4'), [2, 3, 4]);
    assert.deepEqual(sel('5 > a >= 2'), [2, 3, 4]);
    assert.deepEqual(sel('0 <= b < 100'), [1]);
  });
  it('evaluates arithmetic and bit operations', () => {
    assert.deepEqual(sel('a % 2 == 0'), [2, 4]);
    assert.deepEqual(sel('a * 2 + 1 == 7'), [3]);
    assert.deepEqual(sel('a / 2 == 1'), [2, 3]); // integer division
    assert.deepEqual(sel('d / 2 == 0.75'), [1]);
    assert.deepEqual(sel('a ** 2 == 16'), [4]);
    assert.deepEqual(sel('2 ** 3 ** 2 == 512 and a == 1'), [1]); // ** is right-associative
    assert.deepEqual(sel('-2 ** 2 == -4 and a == 1'), [1]);
    assert.deepEqual(sel('(a & 1) == 1'), [1, 3, 5]);
    assert.deepEqual(sel('(a | 8) == 13'), [5]);
    assert.deepEqual(sel('(a ^ 1) == 0'), [1]);
    assert.deepEqual(sel('(a << 2) == 12'), [3]);
    assert.deepEqual(sel('(a >> 1) == 2'), [4, 5]);
    assert.deepEqual(sel('~a == -3'), [2]);
    assert.deepEqual(sel('b + 1 < 0'), [4, 5]); // int64 wraps: max + 1 == min
  });
  it('makes division and modulo by zero not match, even under not', () => {
    assert.deepEqual(sel('a / (a - 3) == 0'), [1]);
    assert.deepEqual(sel('a / (a - 3) == -2'), [2]);
    assert.deepEqual(sel('not (a % (a - 3) == 0)'), [1, 2, 4, 5].filter((x) => x !== 3 && (x % (x - 3)) !== 0));
    assert.deepEqual(sel('not (d / 0 > 1)'), []);
  });
});

describe('precedence', () => {
  it('binds not tighter than comparisons', () => {
    // (not flag) == true
    assert.deepEqual(sel('not flag == true'), [2, 5]);
    assert.deepEqual(sel('!flag == false'), [1, 4]);
    assert.deepEqual(sel('not (a == 1)'), [2, 3, 4, 5]);
  });
  it('binds and tighter than or', () => {
    assert.deepEqual(sel('a == 1 or a == 2 and b == 10'), [1]);
    assert.deepEqual(sel('(a == 1 or a == 2) and b == 10'), [1]);
    assert.deepEqual(sel('a == 5 || a == 2 && a == 2'), [2, 5]);
    assert.deepEqual(sel('a == 1 OR a == 3 AND NOT (a == 3)'), [1]);
  });
  it('binds * tighter than + and + tighter than <<', () => {
    assert.deepEqual(sel('a + 2 * 3 == 7'), [1]);
    assert.deepEqual(sel('1 << a + 1 == 8'), [2]);
  });
  it('rejects not on a non-boolean', () => {
    rejects('not a == 1', /not needs a boolean expression.*position 0/);
    rejects('a & 1 == 1', /bit operation & needs integer operands/);
  });
});

describe('in, like', () => {
  it('supports in and not in with lists and templates', () => {
    assert.deepEqual(sel('a in [1, 3, 9]'), [1, 3]);
    assert.deepEqual(sel('a not in [1, 3, 9]'), [2, 4, 5]);
    assert.deepEqual(sel('b in [10, 9007199254740993]'), [1, 3]);
    assert.deepEqual(sel('b not in [10]'), [3, 4, 5]); // NULL b is unknown
    assert.deepEqual(sel('s in ["apple", "banana"]'), [1, 4]);
    assert.deepEqual(sel('s in {names}', { names: ['banana', ''] }), [4, 5]);
    assert.deepEqual(sel('id in {ids}', { ids: [2n, 4, 6] }), [2, 4]);
    assert.deepEqual(sel('a in []'), []);
    assert.deepEqual(sel('b in [9223372036854775807, 10]'), [1, 5]);
    const s2 = schemaOf([field('id', DataType.Int64, { isPrimaryKey: true })]);
    const extremes: RowValues[] = [{ id: -(2n ** 63n) }, { id: 2n ** 63n - 1n }, { id: 1n }, { id: 2n ** 53n + 1n }];
    assert.deepEqual(sel('id in [-9223372036854775808, 1]', undefined, s2, extremes), [1, 3]);
    assert.deepEqual(sel('id in [9007199254740993]', undefined, s2, extremes), [4]);
    assert.deepEqual(sel('id in [9007199254740992]', undefined, s2, extremes), []);
    assert.deepEqual(sel('a not in []'), [1, 2, 3, 4, 5]);
  });
  it('matches like patterns with % _ and escapes', () => {
    assert.deepEqual(sel('s like "a%"'), [1, 3]);
    assert.deepEqual(sel('s like "%na"'), [4]);
    assert.deepEqual(sel('s like "%an%"'), [4]);
    assert.deepEqual(sel('s like "b_n%"'), [4]);
    assert.deepEqual(sel('s like "_____"'), [1, 3]);
    assert.deepEqual(sel('s like "%"'), [1, 3, 4, 5]);
    assert.deepEqual(sel('s like ""'), [5]);
    assert.deepEqual(sel(String.raw`s like "a\\%b\\_c"`), [3]); // literal % and _
    assert.deepEqual(sel(String.raw`s like r"a\%b\_c"`), [3]);
    assert.deepEqual(sel(String.raw`s like "a\%b%"`), [3]); // unknown escape keeps the backslash
    assert.deepEqual(sel(String.raw`s like "%\\%%"`), [3]);
    assert.deepEqual(sel(String.raw`s like "%\\_%"`), [3]);
    assert.deepEqual(sel('meta["y"] like "u%"'), [1]);
    assert.deepEqual(sel('color LIKE "r%"'), [1]);
  });
});

describe('NULL and three-valued logic', () => {
  it('makes comparisons on NULL unknown and not filters them', () => {
    assert.deepEqual(sel('b > 0'), [1, 3, 5]);
    assert.deepEqual(sel('not (b > 0)'), [4]);
    assert.deepEqual(sel('b > 0 or a == 2'), [1, 2, 3, 5]);
    assert.deepEqual(sel('not (b > 0 and a == 2)'), [1, 3, 4, 5].filter((x) => x !== 2));
    assert.deepEqual(sel('not (b > 0 or a == 9)'), [4]);
    assert.deepEqual(sel('b != 10'), [3, 4, 5]);
  });
  it('evaluates is null / is not null on columns and JSON', () => {
    assert.deepEqual(sel('b is null'), [2]);
    assert.deepEqual(sel('b IS NOT NULL'), [1, 3, 4, 5]);
    assert.deepEqual(sel('a is null'), []);
    assert.deepEqual(sel('flag is null'), [3]);
    assert.deepEqual(sel('meta is null'), [3]);
    assert.deepEqual(sel('meta["x"] is null'), [3, 4]);
    assert.deepEqual(sel('meta["x"] is not null'), [1, 2, 5]);
    assert.deepEqual(sel('color is null'), [3, 4, 5]);
    assert.deepEqual(sel('arr is null'), [2]);
    assert.deepEqual(sel('arr[0] is null'), [2, 3]);
  });
  it('evaluates exists', () => {
    assert.deepEqual(sel('exists meta["x"]'), [1, 2, 4, 5]);
    assert.deepEqual(sel('exists color'), [1, 2, 4]);
    assert.deepEqual(sel('EXISTS $meta["n"]'), [1, 4, 5]);
    assert.deepEqual(sel('not exists meta["y"]'), [2, 3, 5]);
  });
});

describe('JSON, dynamic keys and arrays', () => {
  it('reads JSON paths; type mismatches do not match', () => {
    assert.deepEqual(sel('meta["x"] == 1'), [1]);
    assert.deepEqual(sel('meta["x"] > 1'), [5]);
    assert.deepEqual(sel('meta["x"] != 1'), [2, 5]); // NULL / missing stay unknown
    assert.deepEqual(sel('meta["x"] == "str"'), [2]);
    assert.deepEqual(sel('meta["list"][1] == 2'), [1]);
    assert.deepEqual(sel('meta["list"]["0"] == 1'), [1]);
    assert.deepEqual(sel('meta["o"]["p"]'), [1]);
    assert.deepEqual(sel('meta["o"]["p"] == true'), [1]);
    assert.deepEqual(sel('meta["list"] == [1, 2, 3]'), [1]);
    assert.deepEqual(sel('meta["x"] + 1 > 2'), [5]);
    assert.deepEqual(sel('meta["x"] in [1, "str"]'), [1, 2]);
  });
  it('resolves bare dynamic keys and $meta', () => {
    assert.deepEqual(sel('color == "red"'), [1]);
    assert.deepEqual(sel('$meta["color"] == "blue"'), [2]);
    assert.deepEqual(sel('n > 4'), [1, 5]);
    assert.deepEqual(sel('n == "five"'), [4]);
    const plan = compileFilter('color == "red" and a > 1 and meta["x"] == 1', schema);
    assert.deepEqual(referencedFields(plan), ['$meta', 'a', 'meta']);
  });
  it('accesses array elements and functions', () => {
    assert.deepEqual(sel('arr[0] == 1'), [1]);
    assert.deepEqual(sel('arr[1] >= 2'), [1, 5]);
    assert.deepEqual(sel('array_contains(arr, 2)'), [1, 5]);
    assert.deepEqual(sel('ARRAY_CONTAINS(tags, "red")'), [1, 4]);
    assert.deepEqual(sel('array_contains_all(arr, [2, 3])'), [1]);
    assert.deepEqual(sel('array_contains_all(arr, [])'), [1, 3, 4, 5]);
    assert.deepEqual(sel('array_contains_any(arr, [7, 3])'), [1, 4]);
    assert.deepEqual(sel('array_length(arr) == 0'), [3]);
    assert.deepEqual(sel('array_length(tags) >= 1'), [1, 3, 4, 5]);
    assert.deepEqual(sel('json_contains(meta["list"], 2)'), [1]);
    assert.deepEqual(sel('json_contains(meta["list"], [1, 2])'), [5]);
    assert.deepEqual(sel('json_contains_any(meta["list"], ["x", 3])'), [1, 4]);
    assert.deepEqual(sel('json_contains_all(meta["list"], [1, 3])'), [1]);
    assert.deepEqual(sel('json_contains(meta["list"], {o})', { o: { k: 1 } }), [5]);
    assert.deepEqual(sel('array_length(meta["list"]) == 0'), [2]);
    assert.deepEqual(sel('arr == [2, 2]'), [5]);
  });
});

describe('literals and templates', () => {
  it('reads every integer and float literal form', () => {
    assert.deepEqual(sel('a == 0x3'), [3]);
    assert.deepEqual(sel('a == 0X4'), [4]);
    assert.deepEqual(sel('a == 05'), [5]);
    assert.deepEqual(sel('a == 0b10'), [2]);
    assert.deepEqual(sel('d == .5e1 / 2'), [3]);
    assert.deepEqual(sel('d == 15e-1'), [1]);
    assert.deepEqual(sel('d == 0x1.8p0'), [1]);
    assert.deepEqual(sel('b == -9223372036854775808 or b == -0b101'), [4]);
  });
  it('decodes string escapes in both quote styles', () => {
    const s2 = schemaOf([field('id', DataType.Int64, { isPrimaryKey: true }), field('s', DataType.VarChar)]);
    const rs: RowValues[] = [{ id: 1n, s: 'a"b' }, { id: 2n, s: "it's" }, { id: 3n, s: 'x\ny\t\\' }, { id: 4n, s: 'é€😀' }];
    assert.deepEqual(sel(String.raw`s == "a\"b"`, undefined, s2, rs), [1]);
    assert.deepEqual(sel(String.raw`s == 'it\'s'`, undefined, s2, rs), [2]);
    assert.deepEqual(sel(String.raw`s == "x\ny\t\\"`, undefined, s2, rs), [3]);
    assert.deepEqual(sel(String.raw`s == "\u00e9\xe2\x82\xac" or s == "\u00e9\u20ac\U0001F600"`, undefined, s2, rs), [4]);
    assert.deepEqual(sel(String.raw`s == r"x\ny" or s like u8"it%"`, undefined, s2, rs), [2]);
  });
  it('substitutes templates of every type', () => {
    assert.deepEqual(sel('a > {lo} and s != {s}', { lo: 1, s: 'banana' }), [3, 5]);
    assert.deepEqual(sel('b == {v}', { v: BIG }), [3]);
    assert.deepEqual(sel('flag == {t}', { t: false }), [2, 5]);
    assert.deepEqual(sel('d > {x}', { x: 1.25 }), [1, 3]);
    assert.deepEqual(sel('meta["list"] == {l}', { l: [[1, 2], { k: 1 }] }), [5]);
    rejects('a > {missing}', /template variable \{missing\} has no value at position 4/);
    rejects('a > {x}', /template variable \{x\} has an unsupported type/, { x: null });
    rejects('s > {x}', /cannot compare string with int/, { x: 1 });
  });
  it('accepts boolean spellings and case-insensitive keywords', () => {
    assert.deepEqual(sel('flag == TRUE AND a IN [1, 4] OR a == 2 && !flag'), [1, 2, 4]);
    assert.deepEqual(sel('flag == False'), [2, 5]);
  });
  it('compiles an empty filter to all rows', () => {
    assert.deepEqual(sel(''), [1, 2, 3, 4, 5]);
    assert.deepEqual(sel('  \n\t '), [1, 2, 3, 4, 5]);
  });
});

describe('errors', () => {
  it('names the position of syntax errors', () => {
    rejects('a >> ', /cannot parse expression: a >>  : unexpected end of input at position 5/);
    rejects('a == ', /unexpected end of input at position 5/);
    rejects('a = 1', /'==' to compare.* at position 2/);
    rejects('(a == 1', /expected '\)' but found end of input at position 7/);
    rejects('a == "abc', /unterminated string literal at position 5/);
    rejects('a == 1 2', /unexpected integer 2 at position 7/);
    rejects('a == 99999999999999999999', /integer literal out of int64 range at position 5/);
    rejects('a == 9223372036854775808', /out of int64 range/);
    rejects('a == 1e999', /floating-point literal out of range/);
    rejects('a == 09', /invalid octal literal/);
    rejects('a == 1x', /invalid number literal/);
  });
  it('rejects type errors at compile time', () => {
    rejects('s >= 0', /cannot compare string with int.* position 2/);
    rejects('a == "1"', /cannot compare int with string/);
    rejects('flag == 1', /cannot compare bool with int/);
    rejects('flag < true', /cannot compare bool with bool using </);
    rejects('vec == 1', /vector field vec cannot be used in a filter/);
    rejects('a + 1', /a filter needs a boolean expression, got int/);
    rejects('a in 1', /right side of in must be a list/);
    rejects('a in ["x"]', /in: cannot compare int with string/);
    rejects('s like 1', /like needs a string pattern/);
    rejects('a like "x"', /like needs a VarChar or JSON operand/);
    rejects(String.raw`s like "x\\"`, /ends with an unescaped backslash/);
    rejects('array_contains(a, 1)', /needs an Array or JSON field/);
    rejects('array_contains(tags, 1)', /cannot compare string with int/);
    rejects('array_contains_all(arr, 1)', /needs a list/);
    rejects('exists a', /exists needs a JSON path/);
    rejects('arr["x"] == 1', /can only be indexed once/);
    rejects('a[0] == 1', /cannot be indexed/);
  });
  it('names missing fields when the dynamic field is off', () => {
    const s2 = schemaOf([field('id', DataType.Int64, { isPrimaryKey: true })]);
    assert.throws(() => compileFilter('x == 1', s2), /field x not exist at position 0/);
    assert.throws(() => compileFilter('$meta["x"] == 1', s2), /field \$meta not exist/);
  });
  it('rejects unsupported constructs clearly', () => {
    rejects('text_match(s, "x")', /field "s" does not enable match at position 11/);
    rejects('phrase_match(s, "x", 2)', /field "s" does not enable match/);
    rejects('random_sample(0.5)', /random_sample is not supported/);
    rejects('ST_CONTAINS(g, "POINT(1 1)")', /field g not exist/);
    rejects('St_Contains(s, "POINT(1 1)")', /function St_Contains is not supported/);
    rejects('ST_CONTAINS(s, "POINT(1 1)")', /ST_CONTAINS needs a Geometry field, but field s is VarChar/);
    rejects('element_filter(s, $[x] > 1)', /element_filter needs a struct field, s is not one/);
    rejects('$[x] > 1', /can only be used inside element_filter/);
    rejects('match_all(s, x > 1)', /match_all is not supported/);
    rejects('s =~ "a.*"', /regular expression match \(=~\) is not supported/);
    rejects('ts > ISO "2025-01-01"', /timestamptz expressions .* not supported/);
    rejects('foo(a)', /function foo is not supported/);
  });
  it('enforces the limits', () => {
    rejects('a == 1 or '.repeat(7000) + 'a == 1', /maxExprLength=65536/);
    rejects('('.repeat(300) + 'a == 1' + ')'.repeat(300), /maxExprDepth=256/);
    rejects('a' + ' + a'.repeat(300) + ' > 1', /maxExprDepth=256/);
    rejects('not '.repeat(300) + 'flag', /maxExprDepth=256/);
    rejects('a in {l}', /maxExprInListLength=100000/, { l: new Array(100_001).fill(1) });
  });
});

describe('pk terms', () => {
  it('extracts pk values from ==, in and or', () => {
    assert.deepEqual(extractPkTerms(compileFilter('id == 5', schema), schema), [5n]);
    assert.deepEqual(extractPkTerms(compileFilter('5 == id', schema), schema), [5n]);
    assert.deepEqual(extractPkTerms(compileFilter('id in [1, 2, 2] or id == 9223372036854775807', schema), schema), [1n, 2n, 9223372036854775807n]);
    assert.deepEqual(extractPkTerms(compileFilter('id in {ids}', schema, { ids: [3, 4n] }), schema), [3n, 4n]);
    assert.equal(extractPkTerms(compileFilter('id == 5 and a == 1', schema), schema), null);
    assert.equal(extractPkTerms(compileFilter('id > 5', schema), schema), null);
    assert.equal(extractPkTerms(compileFilter('id not in [1]', schema), schema), null);
    assert.equal(extractPkTerms(compileFilter('a == 5', schema), schema), null);
    assert.equal(extractPkTerms(compileFilter('', schema), schema), null);
    const vs = schemaOf([field('pk', DataType.VarChar, { isPrimaryKey: true })]);
    assert.deepEqual(extractPkTerms(compileFilter('pk in ["a", "b"] or pk == "c"', vs), vs), ['a', 'b', 'c']);
  });
});

describe('plan cache keys', () => {
  it('one key per meaning: spacing and redundant parentheses do not change it, a constant or a template does', () => {
    const key = (text: string, templates?: TemplateValues): string | null => compileFilter(text, schema, templates).cacheKey;
    const k = key('id % 100 == 7');
    assert.equal(key('  id%100==7 '), k);
    assert.equal(key('((id % 100) == (7))'), k);
    assert.notEqual(key('id % 100 == 8'), k);
    assert.notEqual(key('id % 10 == 7'), k);
    assert.notEqual(key('s == "a b"'), key('s == "a  b"'));
    assert.equal(key('id % 100 == {k}', { k: 7n }), null);
    assert.equal(key(''), '');
  });
});
