/**
 * CLI: create / alter / delete function (Add/Alter/DropCollectionFunction) on a data directory and over
 * gRPC, and `search -t TEXT -n ANALYZER` on a multi-language BM25 field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DataType } from '../../src/core/enums.js';
import { SextantService } from '../../src/service/service.js';
import { DOCS, docColumns, MULTI } from '../support/multi-lang.js';
import { errorLines, json, runCli, startServer, tempDir } from './helpers.js';

async function prepare(dataDir: string): Promise<void> {
  const svc = await SextantService.open({ dataDir });
  try {
    await svc.createCollection({
      collectionName: 'ml',
      fields: [
        { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
        { name: 'lang', dataType: DataType.VarChar, maxLength: 16, nullable: true },
        { name: 'text', dataType: DataType.VarChar, maxLength: 200, typeParams: { enable_analyzer: 'true', multi_analyzer_params: MULTI } },
        { name: 'sparse', dataType: DataType.SparseFloatVector },
        { name: 'vec', dataType: DataType.FloatVector, dim: 2 },
      ],
      functions: [{ name: 'bm25', description: '', type: 1, inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {} }],
    });
    const columns = docColumns();
    columns.set('vec', { kind: 'floatVector', dim: 2, data: new Float32Array(DOCS.length * 2).fill(0.5), valid: null });
    await svc.insert({ collectionName: 'ml', numRows: DOCS.length, columns });
    await svc.createIndex({ collectionName: 'ml', fieldName: 'sparse', params: { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' } });
    await svc.createIndex({ collectionName: 'ml', fieldName: 'vec', params: { index_type: 'FLAT', metric_type: 'L2' } });
    await svc.loadCollection({ collectionName: 'ml' });
  } finally {
    await svc.close();
  }
}

async function functionsOf(dataDir: string): Promise<[string, string][]> {
  const svc = await SextantService.open({ dataDir });
  try {
    return (await svc.describeCollection({ collectionName: 'ml' })).schema.functions.map((f) => [f.name, f.description]);
  } finally {
    await svc.close();
  }
}

const ids = (rows: unknown): string[] => (rows as Record<string, unknown>[]).map((r) => String(r['id']));

test('CLI: create / alter / delete function, and search -t TEXT -n ANALYZER, embedded and over gRPC', async () => {
  const t = await tempDir('sextant-cli-fn-');
  try {
    const data = join(t.dir, 'data');
    await prepare(data);
    const spec = ['-c', 'ml', '-n', 'embed', '-t', 'TextEmbedding', '-i', 'text', '-o', 'vec', '--params', '{"provider":"openai","model_name":"m"}'];
    let r = await runCli(['--data', data, 'create', 'function', ...spec, '-desc', 'first']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await functionsOf(data), [['bm25', ''], ['embed', 'first']]);
    r = await runCli(['--data', data, 'alter', 'function', ...spec, '-desc', 'second']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await functionsOf(data), [['bm25', ''], ['embed', 'second']]);
    r = await runCli(['--data', data, 'delete', 'function', '-c', 'ml', '-n', 'bm25', '-y']);
    assert.notEqual(r.code, 0);
    assert.match(errorLines(r).join('\n'), /Currently does not support droping BM25 function/);

    const search = ['--output', 'json', 'search', '-c', 'ml', '-a', 'sparse', '-t', 'running', '-l', '5'];
    r = await runCli(['--data', data, ...search, '-n', 'en']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(ids(json(r)), ['1'], 'english analyzer: running -> run');
    r = await runCli(['--data', data, ...search]);
    assert.deepEqual(ids(json(r)), ['3'], 'default analyzer: running stays running');

    const server = await startServer(data);
    try {
      const uri = ['--uri', `http://127.0.0.1:${server.port}`];
      r = await runCli([...uri, 'delete', 'function', '-c', 'ml', '-n', 'embed', '-y']);
      assert.equal(r.code, 0, r.stderr);
      r = await runCli([...uri, ...search, '-n', 'en']);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(ids(json(r)), ['1']);
    } finally {
      await server.stop();
    }
    assert.deepEqual(await functionsOf(data), [['bm25', '']]);
  } finally {
    await t.remove();
  }
});
