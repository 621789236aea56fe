/** CLI search by text (`search -t TEXT`) on a BM25 function's output field, embedded and remote. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DataType } from '../../src/core/enums.js';
import type { Column } from '../../src/schema/column.js';
import { SextantService } from '../../src/service/service.js';
import { json, runCli, startServer, tempDir } from './helpers.js';

async function prepare(dataDir: string): Promise<void> {
  const svc = await SextantService.open({ dataDir });
  try {
    await svc.createCollection({
      collectionName: 'docs',
      fields: [
        { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
        { name: 'text', dataType: DataType.VarChar, maxLength: 100, typeParams: { enable_analyzer: 'true' } },
        { name: 'sparse', dataType: DataType.SparseFloatVector },
      ],
      functions: [{ name: 'bm25', description: '', type: 1, inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {} }],
    });
    const texts = ['red apple', 'green pear', 'apple apple pie', 'blue sky'];
    await svc.insert({ collectionName: 'docs', numRows: 4, columns: new Map<string, Column>([
      ['id', { kind: 'int64', data: BigInt64Array.of(1n, 2n, 3n, 4n), valid: null }], ['text', { kind: 'varchar', data: texts, valid: null }]]) });
    await svc.createIndex({ collectionName: 'docs', fieldName: 'sparse', params: { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' } });
    await svc.loadCollection({ collectionName: 'docs' });
  } finally {
    await svc.close();
  }
}

const idsOf = (rows: unknown): unknown[] => (rows as Record<string, unknown>[]).map((r) => [r['query'], String(r['id'])]);

test('CLI: search -t TEXT on a BM25 output field, embedded and over gRPC', async () => {
  const t = await tempDir('sextant-cli-fts-');
  try {
    const data = join(t.dir, 'data');
    await prepare(data);
    const args = ['--output', 'json', 'search', '-c', 'docs', '-a', 'sparse', '-t', 'apple', '-t', 'sky', '-o', 'text', '-l', '5'];
    const embedded = await runCli(['--data', data, ...args]);
    assert.equal(embedded.code, 0, embedded.stderr);
    assert.deepEqual(idsOf(json(embedded)), [[1, '3'], [1, '1'], [2, '4']]);
    const server = await startServer(data);
    try {
      const remote = await runCli(['--uri', `http://127.0.0.1:${server.port}`, ...args]);
      assert.equal(remote.code, 0, remote.stderr);
      assert.deepEqual(idsOf(json(remote)), [[1, '3'], [1, '1'], [2, '4']]);
    } finally {
      await server.stop();
    }
  } finally {
    await t.remove();
  }
});
