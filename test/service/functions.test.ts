/**
 * Collection functions: the BM25 function's rules with Milvus's messages (reference §1.2, §4), its
 * output computed at insert and upsert (token hash -> count), outputs refused on insert and as output
 * fields, function types Sextant does not compute refused on create.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import { tokenHash } from '../../src/analyzer/analyzer.js';
import { buildCollectionSchema } from '../../src/schema/build.js';
import type { Column } from '../../src/schema/column.js';
import type { FunctionSchema } from '../../src/schema/types.js';
import { SextantService } from '../../src/service/service.js';
import type { FieldSpecInput } from '../../src/service/types.js';
import { withTempDir } from '../support/tmp.js';

const text = (extra: Partial<FieldSpecInput> = {}): FieldSpecInput => ({ name: 'text', dataType: DataType.VarChar, maxLength: 200, typeParams: { enable_analyzer: 'true' }, ...extra });
const fields: FieldSpecInput[] = [
  { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
  text(),
  { name: 'sparse', dataType: DataType.SparseFloatVector },
];
const bm25 = (over: Partial<FunctionSchema> = {}): FunctionSchema => ({ name: 'bm25', description: '', type: 1, inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {}, ...over });

function rejects(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof MilvusError, String(e));
    assert.equal(e.code, 1100);
    assert.ok(e.message.includes(message), `${e.message} should contain ${message}`);
    return true;
  });
}

const build = (fs: FieldSpecInput[], functions: FunctionSchema[]) => () => buildCollectionSchema({ name: 'c', fields: fs as never, functions });
const vec: FieldSpecInput = { name: 'v', dataType: DataType.FloatVector, dim: 2 };
const cases: [string, () => unknown, string][] = [
  ['input without analyzer', build([fields[0]!, text({ typeParams: {} }), fields[2]!], [bm25()]), 'BM25 function input field must set enable_analyzer to true'],
  ['enable_analyzer false', build([fields[0]!, text({ typeParams: { enable_analyzer: 'False' } }), fields[2]!], [bm25()]), 'BM25 function input field must set enable_analyzer to true'],
  ['input not VarChar', build([fields[0]!, { name: 'n', dataType: DataType.Int64 }, fields[2]!], [bm25({ inputFieldNames: ['n'] })]), 'BM25 function input field must be a VARCHAR field, got 1 field with type Int64'],
  ['two inputs', build([...fields, text({ name: 'text2' })], [bm25({ inputFieldNames: ['text', 'text2'] })]), 'BM25 function input field must be a VARCHAR field, got 2 field with type VarChar'],
  ['two outputs', build([...fields, { name: 's2', dataType: DataType.SparseFloatVector }], [bm25({ outputFieldNames: ['sparse', 's2'] })]), 'BM25 function only need 1 output field, but got 2'],
  ['output not sparse', build([...fields, vec], [bm25({ outputFieldNames: ['v'] })]), 'BM25 function output field must be a SparseFloatVector field, but got FloatVector'],
  ['params', build(fields, [bm25({ params: { k1: '1.2' } })]), 'BM25 function accepts no params'],
  ['empty name', build(fields, [bm25({ name: '' })]), 'function name cannot be empty'],
  ['duplicate name', build([...fields, { name: 's2', dataType: DataType.SparseFloatVector }], [bm25(), bm25({ outputFieldNames: ['s2'] })]), 'duplicate function name: bm25'],
  ['input not found', build(fields, [bm25({ inputFieldNames: ['nope'] })]), 'function input field not found: nope'],
  ['output not found', build(fields, [bm25({ outputFieldNames: ['nope'] })]), 'function output field not found: nope'],
  ['no inputs', build(fields, [bm25({ inputFieldNames: [] })]), 'function input field names cannot be empty, function: bm25'],
  ['input is output', build(fields, [bm25({ outputFieldNames: ['text'] })]), 'a single field cannot be both input and output in the same function, function: bm25, field: text'],
  ['two functions, one output', build(fields, [bm25(), bm25({ name: 'b2' })]), 'duplicate function output field: function b2, field sparse'],
  ['nullable input', build([fields[0]!, text({ nullable: true }), fields[2]!], [bm25()]), 'function input field cannot be nullable: function bm25, field text'],
  ['output is the primary key', build([{ name: 'id', dataType: DataType.VarChar, maxLength: 9, isPrimaryKey: true }, text(), fields[2]!], [bm25({ outputFieldNames: ['id'] })]), 'function output field cannot be primary key: function bm25, field id'],
  ['TextEmbedding not computed', build([...fields, { name: 'e', dataType: DataType.FloatVector, dim: 4 }], [bm25({ type: 2, outputFieldNames: ['e'] })]), 'function type TextEmbedding is not supported yet'],
];
for (const [label, fn, message] of cases) test(`function rule: ${label}`, () => rejects(fn, message));

test('each function rule has a passing neighbour: two BM25 functions over one text, "1"/"t"/"TRUE" enable the analyzer', () => {
  const s = buildCollectionSchema({ name: 'c', fields: [...fields, { name: 's2', dataType: DataType.SparseFloatVector }] as never, functions: [bm25(), bm25({ name: 'b2', outputFieldNames: ['s2'] })] });
  assert.equal(s.functions.length, 2);
  for (const v of ['1', 't', 'TRUE']) buildCollectionSchema({ name: 'c', fields: [fields[0]!, text({ typeParams: { enable_analyzer: v } }), fields[2]!] as never, functions: [bm25()] });
});

const rows = (ids: bigint[], texts: string[]) => new Map<string, Column>([
  ['id', { kind: 'int64', data: BigInt64Array.from(ids), valid: null }],
  ['text', { kind: 'varchar', data: texts, valid: null }],
]);

test('insert and upsert compute the output (token hash -> count); supplying it or reading it is refused; * skips it', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    try {
      await svc.createCollection({ collectionName: 'docs', fields, functions: [bm25()] });
      const d = await svc.describeCollection({ collectionName: 'docs' });
      assert.deepEqual(d.schema.functions.map((f) => [f.name, f.type]), [['bm25', 1]]);
      await svc.insert({ collectionName: 'docs', numRows: 2, columns: rows([1n, 2n], ['Apple apple, PIE!', ''])});
      await svc.upsert({ collectionName: 'docs', numRows: 1, columns: rows([2n], ['pie'])});
      const given = rows([3n], ['x']);
      given.set('sparse', { kind: 'sparseVector', data: [{ indices: Uint32Array.of(1), values: Float32Array.of(1) }], valid: null });
      await assert.rejects(svc.insert({ collectionName: 'docs', numRows: 1, columns: given }), /unexpected function output field `sparse`/);
      await svc.createIndex({ collectionName: 'docs', fieldName: 'sparse', params: { index_type: 'AUTOINDEX' } });
      const idx = await svc.describeIndex({ collectionName: 'docs', fieldName: 'sparse' });
      assert.equal(idx[0]!.metricType, 'BM25', 'metric filled for a BM25 output');
      await svc.loadCollection({ collectionName: 'docs' });
      await assert.rejects(svc.query({ collectionName: 'docs', filter: 'id > 0', outputFields: ['id', 'sparse'] }),
        (e: unknown) => e instanceof MilvusError && e.code === 65535 && e.message === 'not allowed to retrieve raw data of field sparse');
      const all = await svc.query({ collectionName: 'docs', filter: 'id > 0', outputFields: ['*'] });
      assert.deepEqual(all.outputFields.sort(), ['id', 'text']);
      // The stored rows, read below the service: hash(apple) -> 2, hash(pie) -> 1.
      const c = svc.engine.findCollection('default', 'docs')!;
      const stored = c.chunksOf(c.loadedPartitions()).flatMap((s) => {
        const col = s.chunk.column('sparse')!;
        assert.equal(col.kind, 'sparseVector');
        return col.kind === 'sparseVector' ? col.data.slice(0, s.chunk.numRows).map((v) => [...v.indices].map((h, i) => [h, v.values[i]])) : [];
      });
      const apple = tokenHash('apple'), pie = tokenHash('pie');
      assert.equal(apple, 2838417488, 'Milvus\'s hash of "apple" (reference §1.2)');
      assert.deepEqual(stored, [[...[[apple, 2], [pie, 1]].sort((a, b) => a[0]! - b[0]!)], [], [[pie, 1]]]);
    } finally {
      await svc.close();
    }
  });
});
