/**
 * TEXT_MATCH / PHRASE_MATCH in the filter language: parser round trip and rejections, the checker's
 * Milvus messages, and the positional index (text-index.ts, also through TextIndex.concat as merged
 * chunks use it) against the naive per-row evaluator on random documents and queries.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import type { Ast } from '../../src/expr/ast.js';
import { compileFilter, evaluateFilter, naiveMatches, parseFilter, printAst, type RowValues } from '../../src/expr/index.js';
import { TextIndex, textIndexStats } from '../../src/expr/text-index.js';
import type { Analyzer } from '../../src/analyzer/analyzer.js';
import type { RowSource } from '../../src/schema/column.js';
import { Rng } from './gen.js';
import { field, rowSource, schemaOf } from './helpers.js';

const MATCH = { enable_match: 'true', enable_analyzer: 'true' };
const schema = schemaOf([
  field('id', DataType.Int64, { isPrimaryKey: true }),
  field('doc', DataType.VarChar, { nullable: true, typeParams: MATCH }),
  field('plain', DataType.VarChar),
  field('n', DataType.Int32),
], true);

function strip(a: unknown): unknown {
  if (Array.isArray(a)) return a.map(strip);
  if (typeof a !== 'object' || a === null) return a;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) if (k !== 'pos' && k !== 'fieldPos') out[k] = strip(v);
  return out;
}

const QCHARS = ['a', 'Z', ' ', '"', "'", '\\', '\n', 'é', '😀', ',', ')', '='];
function qstr(r: Rng): string {
  let s = '';
  for (let i = r.int(0, 8); i > 0; i--) s += r.pick(QCHARS);
  return s;
}

function randomMatchAst(r: Rng): Ast {
  const fn = r.chance(0.5) ? 'text_match' : 'phrase_match';
  const name = r.pick(['doc', 'x', 'Doc_1', 'abc']);
  let extra: Ast | null = null;
  if (r.chance(0.6)) {
    extra = fn === 'text_match' || r.chance(0.7)
      ? { k: 'int', pos: 0, value: BigInt(r.int(0, 5000)) }
      : { k: 'unary', pos: 0, op: '-', arg: { k: 'int', pos: 0, value: BigInt(r.int(0, 9)) } };
  }
  return { k: 'match', pos: 0, fn, field: name, fieldPos: 0, query: qstr(r), extra };
}

function rejects(filter: string, pattern: RegExp): void {
  assert.throws(() => compileFilter(filter, schema), (e: unknown) => {
    assert.ok(e instanceof MilvusError, `not a MilvusError: ${String(e)}`);
    assert.equal(e.code, 1100);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('TEXT_MATCH / PHRASE_MATCH parsing', () => {
  it('print -> parse is the identity on random match calls (alone and inside logic)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (seed) => {
      const r = new Rng(seed);
      const one = randomMatchAst(r);
      const ast: Ast = r.chance(0.5) ? one : { k: 'logical', pos: 0, op: r.chance(0.5) ? 'and' : 'or', args: [one, randomMatchAst(r)] };
      const text = printAst(ast);
      const back = parseFilter(text);
      assert.deepEqual(strip(back), strip(ast), `seed ${seed}: ${text}`);
    }), { numRuns: 2000, seed: 7 });
  });

  it('accepts Milvus spellings: upper-case keywords, minimum_should_match in either case', () => {
    for (const t of ['TEXT_MATCH(doc, "a b")', "text_match(doc, 'a', MINIMUM_SHOULD_MATCH=2)", 'PHRASE_MATCH(doc, "a b", 3)', 'phrase_match(doc, "a b")']) {
      const ast = parseFilter(t);
      assert.equal(ast?.k, 'match', t);
    }
  });

  it('rejects malformed calls with a position', () => {
    const bad: [string, RegExp][] = [
      ['text_match(doc)', /expected ',' but found '\)'/],
      ['text_match("doc", "a")', /text_match needs a field name as its first argument/],
      ['text_match(doc, a)', /text_match needs a string literal as its second argument/],
      ['text_match(doc, "a", 2)', /expected minimum_should_match but found integer 2/],
      ['text_match(doc, "a", minimum_should_match 2)', /expected '=' but found integer 2/],
      ['text_match(doc, "a", minimum_should_match=x)', /minimum_should_match needs an integer constant/],
      ['text_match(doc, "a", minimum_should_match=-1)', /minimum_should_match needs an integer constant/],
      ['phrase_match(doc, "a", 1, 2)', /expected '\)' but found ','/],
      ['Text_Match(doc, "a")', /function Text_Match is not supported/],
      ['n = 1', /'=' \(use '==' to compare\)/],
    ];
    for (const [t, re] of bad) {
      assert.throws(() => parseFilter(t), (e: unknown) => e instanceof MilvusError && e.code === 1100 && re.test(e.message) && /at position \d+/.test(e.message), t);
    }
  });

  it('mutated match filters either parse or fail with code 1100, never crash', () => {
    const r = new Rng(3);
    for (let i = 0; i < 3000; i++) {
      let t = printAst(randomMatchAst(r));
      const at = r.int(0, t.length);
      t = t.slice(0, at) + r.pick(['', '(', ')', ',', '=', '"', 'minimum_should_match', '-', ' ']) + t.slice(at + r.int(0, 3));
      try {
        parseFilter(t);
      } catch (e) {
        assert.ok(e instanceof MilvusError && e.code === 1100, `${t}: ${String(e)}`);
      }
    }
  });
});

describe('TEXT_MATCH / PHRASE_MATCH checking (Milvus messages, code 1100)', () => {
  it('refuses fields without enable_match, non-string fields and missing fields', () => {
    rejects('text_match(plain, "a")', /field "plain" does not enable match at position 11/);
    rejects('phrase_match(plain, "a")', /field "plain" does not enable match/);
    rejects('text_match(n, "a")', /text match operation on non-string is unsupported/);
    rejects('phrase_match(n, "a")', /phrase match operation on non-string is unsupported/);
    rejects('text_match(nope, "a")', /field nope not exist/);
  });
  it('range-checks minimum_should_match and slop', () => {
    rejects('text_match(doc, "a", minimum_should_match=0)', /minimum_should_match should be >= 1, got 0/);
    rejects('text_match(doc, "a", minimum_should_match=1001)', /minimum_should_match should be <= 1000, got 1001/);
    rejects('phrase_match(doc, "a", -1)', /"slop" should not be a negative interger. "slop" passed: -1/);
    rejects('phrase_match(doc, "a", 4294967296)', /"slop" exceeds the value range of uint32/);
    rejects('phrase_match(doc, "a", n)', /"slop" should be a const integer expression/);
    compileFilter('text_match(doc, "a", minimum_should_match=1000)', schema);
    compileFilter('phrase_match(doc, "a", 4294967295)', schema);
  });
});

const VOCAB = ['apple', 'Banana', 'cherry', 'date', 'elder', 'fig', 'grape'];
function randomText(r: Rng): string {
  const words: string[] = [];
  for (let i = r.int(0, 9); i > 0; i--) words.push(r.pick(VOCAB));
  return words.join(r.pick([' ', ', ', '  ', '-', '. ']));
}
function randomQuery(r: Rng): string {
  const words: string[] = [];
  for (let i = r.int(0, 4); i > 0; i--) words.push(r.chance(0.1) ? 'zebra' : r.pick(VOCAB).toUpperCase());
  return words.join(' ');
}

/** A row source that keeps text indexes made by concatenating indexes of random slices (merged chunks). */
function concatSource(r: Rng, rows: RowValues[]): RowSource & { textIndex(f: string, a: Analyzer): TextIndex } {
  const base = rowSource(schema, rows);
  return {
    numRows: base.numRows,
    column: (name) => base.column(name),
    textIndex(f: string, a: Analyzer): TextIndex {
      const texts = rows.map((row) => (typeof row[f] === 'string' ? row[f] as string : null));
      const parts: TextIndex[] = [];
      for (let at = 0; at < texts.length;) {
        const len = r.int(0, texts.length - at);
        parts.push(TextIndex.build(texts.slice(at, at + len), a));
        at += len;
      }
      return TextIndex.concat(parts);
    },
  };
}

function randomFilter(r: Rng): string {
  const one = (): string => {
    const q = JSON.stringify(randomQuery(r));
    if (r.chance(0.5)) return r.chance(0.5) ? `text_match(doc, ${q})` : `TEXT_MATCH(doc, ${q}, minimum_should_match=${r.int(1, 4)})`;
    return r.chance(0.3) ? `phrase_match(doc, ${q})` : `PHRASE_MATCH(doc, ${q}, ${r.int(0, 6)})`;
  };
  switch (r.int(0, 4)) {
    case 0: return `not ${one()}`;
    case 1: return `${one()} and ${one()}`;
    case 2: return `${one()} or n > ${r.int(0, 5)}`;
    default: return one();
  }
}

describe('TEXT_MATCH / PHRASE_MATCH evaluation', () => {
  it('Milvus examples: OR of tokens, minimum_should_match, phrase slop (swap needs 2)', () => {
    const rows: RowValues[] = ['machine learning is fun', 'learning machine', 'machine deep learning', 'deep thoughts', null]
      .map((doc, i) => ({ id: BigInt(i), doc, plain: '', n: i }));
    const src = rowSource(schema, rows);
    const hits = (f: string): number[] => {
      const bits = evaluateFilter(compileFilter(f, schema), src);
      const naive = rows.map((row) => naiveMatches(compileFilter(f, schema), row));
      assert.deepEqual([...bits].map((b) => b === 1), naive, f);
      return [...bits.keys()].filter((i) => bits[i] === 1);
    };
    assert.deepEqual(hits("text_match(doc, 'machine thoughts')"), [0, 1, 2, 3]);
    assert.deepEqual(hits("text_match(doc, 'machine deep', minimum_should_match=2)"), [2]);
    assert.deepEqual(hits("text_match(doc, 'machine machine', minimum_should_match=2)"), []);
    assert.deepEqual(hits("text_match(doc, '')"), []);
    assert.deepEqual(hits("phrase_match(doc, 'Machine Learning')"), [0]);
    assert.deepEqual(hits("phrase_match(doc, 'machine learning', 1)"), [0, 2]);
    assert.deepEqual(hits("phrase_match(doc, 'machine learning', 2)"), [0, 1, 2]);
    assert.deepEqual(hits("phrase_match(doc, 'learning')"), [0, 1, 2]);
    assert.deepEqual(hits("not text_match(doc, 'deep')"), [0, 1]); // NULL text stays unknown
  });

  it('the positional index agrees with the naive evaluator on random documents and queries', () => {
    let rowsChecked = 0;
    let rowsMatched = 0;
    const failures: string[] = [];
    fc.assert(fc.property(fc.integer({ min: 0, max: 0x7fffffff }), (seed) => {
      const r = new Rng(seed);
      const rows: RowValues[] = [];
      for (let i = r.int(0, 30); i > 0; i--) rows.push({ id: BigInt(i), doc: r.chance(0.1) ? null : randomText(r), plain: '', n: r.int(0, 9) });
      const sources = [rowSource(schema, rows), concatSource(r, rows)];
      for (let e = 0; e < 6; e++) {
        const text = randomFilter(r);
        const plan = compileFilter(text, schema);
        for (const src of sources) {
          const bits = evaluateFilter(plan, src);
          rows.forEach((row, i) => {
            const want = naiveMatches(plan, row);
            rowsChecked++;
            if (want) rowsMatched++;
            if ((bits[i] === 1) !== want && failures.length < 5) failures.push(`seed ${seed}: ${text} on ${JSON.stringify(row.doc)}: index=${bits[i]} naive=${want}`);
          });
        }
      }
    }), { numRuns: 1500, seed: 11 });
    console.log(`match differential: ${rowsChecked} rows checked, ${rowsMatched} matched, ${failures.length} mismatches`);
    assert.deepEqual(failures, []);
    assert.ok(rowsMatched > rowsChecked * 0.15 && rowsMatched < rowsChecked * 0.85, `matched ${rowsMatched} of ${rowsChecked}`);
  });

  it('a row source with indexes is never re-analysed per query', () => {
    const rows: RowValues[] = Array.from({ length: 50 }, (_, i) => ({ id: BigInt(i), doc: `w${i % 7} common`, plain: '', n: i }));
    const base = rowSource(schema, rows);
    let built: TextIndex | undefined;
    const src = {
      numRows: base.numRows,
      column: (name: string) => base.column(name),
      textIndex: (f: string, a: Analyzer) => (built ??= TextIndex.build(rows.map((row) => row[f] as string), a)),
    };
    evaluateFilter(compileFilter('text_match(doc, "w1")', schema), src);
    const before = textIndexStats.rowsAnalyzed;
    for (const q of ['w2', 'w3 common', 'w4']) evaluateFilter(compileFilter(`phrase_match(doc, "${q}") or text_match(doc, "${q}")`, schema), src);
    assert.equal(textIndexStats.rowsAnalyzed, before);
  });
});
