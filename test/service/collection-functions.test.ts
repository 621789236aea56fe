/**
 * AddCollectionFunction / AlterCollectionFunction / DropCollectionFunction at the service (Milvus 2.6
 * proxy task_function.go + rootcoord): every refusal with Milvus's code and words, a TextEmbedding
 * function stored without calling a provider (writes refused while it stands, rows written before it
 * kept as they were), and the catalog change surviving a restart (MANIFEST, then WAL replay of rows
 * written before the change).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataType } from '../../src/core/enums.js';
import { MilvusError } from '../../src/core/errors.js';
import type { Column } from '../../src/schema/column.js';
import type { FunctionSchema } from '../../src/schema/types.js';
import { SextantService } from '../../src/service/service.js';
import type { FieldSpecInput } from '../../src/service/types.js';
import { withTempDir } from '../support/tmp.js';

const fields: FieldSpecInput[] = [
  { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
  { name: 'text', dataType: DataType.VarChar, maxLength: 200, typeParams: { enable_analyzer: 'true' } },
  { name: 'title', dataType: DataType.VarChar, maxLength: 200 },
  { name: 'sparse', dataType: DataType.SparseFloatVector },
  { name: 'vec', dataType: DataType.FloatVector, dim: 2 },
  { name: 'num', dataType: DataType.Int64 },
];
const bm25: FunctionSchema = { name: 'bm25', description: '', type: 1, inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {} };
const embed = (over: Partial<FunctionSchema> = {}): FunctionSchema => ({
  name: 'embed', description: 'openai', type: 2, inputFieldNames: ['title'], outputFieldNames: ['vec'],
  params: { provider: 'openai', model_name: 'text-embedding-3-small' }, ...over,
});

function rows(ids: bigint[], withVec: boolean): Map<string, Column> {
  const m = new Map<string, Column>([
    ['id', { kind: 'int64', data: BigInt64Array.from(ids), valid: null }],
    ['text', { kind: 'varchar', data: ids.map((i) => `apple number ${i}`), valid: null }],
    ['title', { kind: 'varchar', data: ids.map((i) => `title ${i}`), valid: null }],
    ['num', { kind: 'int64', data: BigInt64Array.from(ids), valid: null }],
  ]);
  if (withVec) m.set('vec', { kind: 'floatVector', dim: 2, data: Float32Array.from(ids.flatMap((i) => [Number(i), 0.5])), valid: null });
  return m;
}

async function withCollection(fn: (svc: SextantService, dir: string) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    try {
      await svc.createCollection({ collectionName: 'docs', fields, functions: [bm25] });
      await fn(svc, dir);
    } finally {
      await svc.close();
    }
  });
}

const refusedWith = (code: number, message: string) => (e: unknown): boolean => {
  assert.ok(e instanceof MilvusError, String(e));
  assert.equal(e.code, code, `${e.code} ${e.message}`);
  assert.ok(e.message.includes(message), `${e.message} should contain ${message}`);
  return true;
};

test('collection functions: every refusal with Milvus\'s code and message', async () => {
  await withCollection(async (svc) => {
    const c = { collectionName: 'docs' };
    const cases: [string, () => Promise<void>, number, string][] = [
      ['add without a function', () => svc.addCollectionFunction({ ...c }), 65535, 'Function Schema is empty'],
      ['add BM25', () => svc.addCollectionFunction({ ...c, function: { ...bm25, name: 'b2' } }), 65535, 'Currently does not support adding BM25 function'],
      ['add to a missing collection', () => svc.addCollectionFunction({ collectionName: 'nope', function: embed() }), 100, 'collection not found'],
      ['add a name taken', () => svc.addCollectionFunction({ ...c, function: embed({ name: 'bm25' }) }), 1100, 'duplicate function name: bm25'],
      ['add onto another function\'s output', () => svc.addCollectionFunction({ ...c, function: embed({ outputFieldNames: ['sparse'] }) }), 1100, 'duplicate function output field: function embed, field sparse'],
      ['add with a missing output field', () => svc.addCollectionFunction({ ...c, function: embed({ outputFieldNames: ['nope'] }) }), 1100, 'function output field not found: nope'],
      ['add with a missing input field', () => svc.addCollectionFunction({ ...c, function: embed({ inputFieldNames: ['nope'] }) }), 1100, 'function input field not found: nope'],
      ['add TextEmbedding from a non-VarChar', () => svc.addCollectionFunction({ ...c, function: embed({ inputFieldNames: ['num'] }) }), 1100, 'TextEmbedding function input field must be a VARCHAR field, got 1 field with type Int64'],
      ['add TextEmbedding into a non-dense vector', () => svc.addCollectionFunction({ ...c, function: embed({ outputFieldNames: ['num'] }) }), 1100, 'TextEmbedding function output field must be a FloatVector or Int8Vector field, but got Int64'],
      ['add a type not computed', () => svc.addCollectionFunction({ ...c, function: embed({ type: 4 }) }), 1100, 'function type MinHash is not supported yet'],
      ['alter without a function', () => svc.alterCollectionFunction({ ...c, functionName: 'embed' }), 65535, 'Function Schema is empty'],
      ['alter into BM25', () => svc.alterCollectionFunction({ ...c, functionName: 'bm25', function: bm25 }), 65535, 'Currently does not support alter BM25 function'],
      ['alter with another name', () => svc.alterCollectionFunction({ ...c, functionName: 'other', function: embed() }), 65535, 'Invalid function config, name not match'],
      ['alter a missing function', () => svc.alterCollectionFunction({ ...c, functionName: 'embed', function: embed() }), 65535, 'Function embed not found'],
      ['alter the BM25 function', () => svc.alterCollectionFunction({ ...c, functionName: 'bm25', function: embed({ name: 'bm25' }) }), 65535, 'Currently does not support alter BM25 function'],
      ['drop the BM25 function', () => svc.dropCollectionFunction({ ...c, functionName: 'bm25' }), 65535, 'Currently does not support droping BM25 function'],
      ['drop on a missing collection', () => svc.dropCollectionFunction({ collectionName: 'nope', functionName: 'x' }), 100, 'collection not found'],
    ];
    for (const [label, call, code, message] of cases) {
      await assert.rejects(call(), refusedWith(code, message), label);
    }
    await svc.dropCollectionFunction({ ...c, functionName: 'never-added' }); // success, as in Milvus
    const d = await svc.describeCollection(c);
    assert.deepEqual(d.schema.functions.map((f) => f.name), ['bm25'], 'no refused call changed the schema');
  });
});

test('collection functions: add, alter, drop a TextEmbedding function; durable across restarts; rows kept; writes refused while it stands', async () => {
  await withTempDir(async (dir) => {
    let svc = await SextantService.open({ dataDir: dir });
    try {
      await svc.createCollection({ collectionName: 'docs', fields, functions: [bm25] });
      await svc.insert({ collectionName: 'docs', numRows: 2, columns: rows([1n, 2n], true) });
      await svc.flush({ collectionNames: ['docs'] });
      await svc.insert({ collectionName: 'docs', numRows: 1, columns: rows([3n], true) }); // only in the WAL
      await svc.addCollectionFunction({ collectionName: 'docs', function: embed() });
      let d = await svc.describeCollection({ collectionName: 'docs' });
      assert.deepEqual(d.schema.functions.map((f) => [f.name, f.type, f.inputFieldNames, f.outputFieldNames]), [['bm25', 1, ['text'], ['sparse']], ['embed', 2, ['title'], ['vec']]]);
      await assert.rejects(svc.insert({ collectionName: 'docs', numRows: 1, columns: rows([4n], false) }), refusedWith(1100, 'function type TextEmbedding is not supported yet'));
      await assert.rejects(svc.insert({ collectionName: 'docs', numRows: 1, columns: rows([4n], true) }), /unexpected function output field `vec`/);

      await svc.close();
      svc = await SextantService.open({ dataDir: dir });
      d = await svc.describeCollection({ collectionName: 'docs' });
      assert.deepEqual(d.schema.functions.map((f) => f.name), ['bm25', 'embed'], 'the added function is in the MANIFEST');
      await svc.alterCollectionFunction({ collectionName: 'docs', functionName: 'embed', function: embed({ description: 'altered', params: { provider: 'openai', model_name: 'text-embedding-3-large' } }) });

      await svc.close();
      svc = await SextantService.open({ dataDir: dir });
      d = await svc.describeCollection({ collectionName: 'docs' });
      const altered = d.schema.functions.find((f) => f.name === 'embed');
      assert.equal(altered?.description, 'altered');
      assert.equal(altered?.params['model_name'], 'text-embedding-3-large');
      await svc.dropCollectionFunction({ collectionName: 'docs', functionName: 'embed' });
      await svc.insert({ collectionName: 'docs', numRows: 1, columns: rows([4n], true) }); // vec is a plain field again

      await svc.close();
      svc = await SextantService.open({ dataDir: dir });
      d = await svc.describeCollection({ collectionName: 'docs' });
      assert.deepEqual(d.schema.functions.map((f) => f.name), ['bm25']);
      await svc.createIndex({ collectionName: 'docs', fieldName: 'sparse', params: { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' } });
      await svc.createIndex({ collectionName: 'docs', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
      await svc.loadCollection({ collectionName: 'docs' });
      const got = await svc.query({ collectionName: 'docs', filter: 'id > 0', outputFields: ['id', 'vec'] });
      const ids = got.columns.find((col) => col.field.name === 'id')?.column;
      const vecs = got.columns.find((col) => col.field.name === 'vec')?.column;
      assert.ok(ids?.kind === 'int64' && vecs?.kind === 'floatVector');
      const byId = new Map<string, number[]>();
      for (let r = 0; r < got.numRows; r++) byId.set(String(ids.data[r]), [...vecs.data.slice(r * 2, r * 2 + 2)]);
      assert.deepEqual([...byId.entries()].sort(), [['1', [1, 0.5]], ['2', [2, 0.5]], ['3', [3, 0.5]], ['4', [4, 0.5]]]);
      // the rows written before the function came and went keep their vectors, BM25 outputs included
      const hits = await svc.search({ collectionName: 'docs', annsField: 'sparse', data: ['apple'], topK: 10 });
      assert.equal(hits.topks[0], 4, 'every row still has its BM25 row');
    } finally {
      await svc.close();
    }
  });
});
