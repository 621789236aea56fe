/** Unit tests of the CLI's parsing pieces: tokenizer, flags, command resolution, CSV, field specs, JSON output. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseFlags, tokenize, UsageError } from '../../src/cli/args.js';
import { F } from '../../src/cli/command.js';
import { CsvParser } from '../../src/cli/files/csv.js';
import { locateBatchError } from '../../src/cli/files/convert.js';
import { render, table, toJson } from '../../src/cli/output.js';
import { resolve } from '../../src/cli/registry.js';
import { parseFieldFlag } from '../../src/cli/schema-spec.js';
import { DataType } from '../../src/core/enums.js';
import { errors } from '../../src/core/errors.js';

test('tokenize: quotes group words, backslash escapes, unterminated quotes are usage errors', () => {
  assert.deepEqual(tokenize(`search -c book -v '[0.1, 0.2]' -e "title == \\"a b\\""`),
    ['search', '-c', 'book', '-v', '[0.1, 0.2]', '-e', 'title == "a b"']);
  assert.deepEqual(tokenize(`a '' b`), ['a', '', 'b']);
  assert.throws(() => tokenize(`query -e 'x`), UsageError);
});

test('parseFlags: repeatable flags collect, single flags refuse repeats, negative numbers are values', () => {
  const specs = [F.collection, F.partitions, F.limit];
  const p = parseFlags(['-c', 'book', '-p', 'a', '--partition', 'b', '-l', '-1', 'extra'], specs);
  assert.deepEqual(p.values.get('partitions'), ['a', 'b']);
  assert.deepEqual(p.values.get('limit'), ['-1']);
  assert.deepEqual(p.positionals, ['extra']);
  assert.throws(() => parseFlags(['-c', 'a', '-c', 'b'], specs), /given twice/);
  assert.throws(() => parseFlags(['-c'], specs), /needs a value/);
  assert.throws(() => parseFlags(['-z'], specs), /unknown option -z/);
});

test('resolve: old and current milvus_cli forms reach the same command', () => {
  const pairs: [string[], string][] = [
    [['release', '-c', 'book'], 'release collection'],
    [['release', 'collection', '-c', 'book'], 'release collection'],
    [['release', 'partition', '-c', 'book', '-p', 'x'], 'release partition'],
    [['load', '-c', 'book', '-p', 'novel'], 'load collection'],
    [['describe', 'collection', '-c', 'b'], 'show collection'],
    [['drop', 'collections', '-c', 'b'], 'delete collection'],
    [['list', 'indexes', '-c', 'b'], 'list index'],
    [['insert', '-c', 'b', '-f', 'x.csv'], 'insert file'],
    [['show', 'load_state', '-c', 'b'], 'show load_state'],
  ];
  for (const [tokens, want] of pairs) {
    const r = resolve(tokens);
    assert.equal(`${r.command.verb} ${r.command.object ?? ''}`.trim(), want, tokens.join(' '));
  }
  assert.deepEqual(resolve(['release', '-c', 'book', '-p', 'a', '-p', 'b,c']).args.list('partitions'), ['a', 'b', 'c']);
  assert.throws(() => resolve(['show']), /needs one of/);
  assert.throws(() => resolve(['show', 'nonsense']), /unknown "show nonsense"/);
});

const csvCell = (s: string): string => (/[",\n\r]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s);

test('CSV parser: any table written with RFC 4180 quoting reads back, in any chunking, with start lines', () => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', ' ', 'é') , maxLength: 6 });
  fc.assert(fc.property(fc.array(fc.array(cell, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 7 }), (rows, chunk) => {
    const text = rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
    const p = new CsvParser();
    const got: { line: number; cells: string[] }[] = [];
    for (let i = 0; i < text.length; i += chunk) got.push(...p.push(text.slice(i, i + chunk)));
    got.push(...p.end());
    assert.deepEqual(got.map((r) => r.cells), rows);
    let line = 1;
    rows.forEach((r, i) => {
      assert.equal(got[i]?.line, line);
      line += 1 + r.join('').split('\n').length - 1;
    });
  }));
});

test('CSV parser: CRLF line ends, a last line without newline, blank lines skipped', () => {
  const p = new CsvParser();
  const recs = [...p.push('a,b\r\n1,2\r\n\r\n3,"x\r\ny"'), ...p.end()];
  assert.deepEqual(recs.map((r) => [r.line, r.cells]), [[1, ['a', 'b']], [2, ['1', '2']], [4, ['3', 'x\r\ny']]]);
  const q = new CsvParser();
  q.push('a,"unterminated');
  assert.throws(() => q.end(), /unterminated/);
});

test('field flags: name:TYPE[:N][:options]', () => {
  assert.deepEqual(parseFieldFlag('id:INT64:primary:auto_id'), { name: 'id', dataType: DataType.Int64, isPrimaryKey: true, autoId: true });
  assert.deepEqual(parseFieldFlag('v:float_vector:128'), { name: 'v', dataType: DataType.FloatVector, dim: 128 });
  assert.deepEqual(parseFieldFlag('t:VARCHAR:64:nullable:default=x'), { name: 't', dataType: DataType.VarChar, maxLength: 64, nullable: true, defaultValue: 'x' });
  assert.deepEqual(parseFieldFlag('tags:ARRAY:8:element=VARCHAR:max_length=16'),
    { name: 'tags', dataType: DataType.Array, maxCapacity: 8, elementType: DataType.VarChar, maxLength: 16 });
  assert.throws(() => parseFieldFlag('x:NOPE'), /unknown data type/);
  assert.throws(() => parseFieldFlag('x:INT64:bogus'), /unknown option/);
  assert.throws(() => parseFieldFlag('x'), /expected name:TYPE/);
});

test('JSON output keeps int64 exact; tables and CSV quote what needs quoting', () => {
  assert.equal(toJson({ id: 9007199254740993n, s: 'a"b' }), '{"id":9007199254740993,"s":"a\\"b"}');
  assert.equal(toJson(['\u0000big0\u0000']), '["\\u0000big0\\u0000"]', 'a user string that looks like a marker is untouched');
  const sample = { a: [1, { b: 'x', c: [] }], d: {}, e: null, f: -0.5 };
  assert.equal(toJson(sample, 2), JSON.stringify(sample, null, 2), 'same text as JSON.stringify without bigints');
  assert.equal(toJson(sample), JSON.stringify(sample));
  const t = table(['id', 'title'], [[1n, 'a, b'], [2n, null]]);
  assert.equal(render(t, 'csv'), 'id,title\n1,"a, b"\n2,null');
  assert.equal(render(t, 'table'), 'id | title\n---+------\n1  | a, b\n2  | null');
});

test('batch errors are mapped from row index to file line and column', () => {
  const e = errors.invalidParameter('the length (18) of string exceeds max length (8)', { field: 'title', row: 1 });
  const m = locateBatchError(e, 'rows.csv', [2, 5], 'line');
  assert.ok(m instanceof Error);
  assert.equal(m.message, 'rows.csv line 5, column "title": the length (18) of string exceeds max length (8)');
});
