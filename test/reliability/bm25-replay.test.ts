/**
 * BM25 outputs are written to the WAL like any column: a real server process takes text rows over
 * gRPC (some flushed, most only in the WAL), answers a text search, is killed with SIGKILL, and the
 * data dir reopened gives the same sparse rows (token hash -> count, as the function computes them)
 * and the same search hits and scores.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { buildAnalyzer } from '../../src/analyzer/analyzer.js';
import { bm25Vector } from '../../src/schema/bm25.js';
import { SextantService } from '../../src/service/service.js';
import { withTempDir } from '../support/tmp.js';
import { startServer, type ServerProc } from './server-proc.js';

const started: ServerProc[] = [];
after(async () => { for (const s of started) await s.kill9(); });

const WORDS = ['alpha', 'beta', 'Gamma', 'delta', 'épée', '東京', 'x1', 'omega'];
const textOf = (i: number): string => Array.from({ length: 1 + (i % 7) }, (_, j) => WORDS[(i * 7 + j * j) % WORDS.length]).join(i % 2 ? ' ' : ', ');

test('kill -9 after acknowledged inserts: reopened BM25 rows and text-search scores are identical', async (t) => {
  await withTempDir(async (path) => {
    const server = await startServer(path, 0);
    started.push(server);
    const c = new MilvusClient({ address: `127.0.0.1:${server.port}`, logLevel: 'error' });
    await c.connectPromise;
    const ok = (r: { error_code?: string | number; reason?: string }) => assert.equal(r.error_code, 'Success', r.reason);
    ok(await c.createCollection({
      collection_name: 'docs',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'text', data_type: DataType.VarChar, max_length: 200, enable_analyzer: true },
        { name: 'sparse', data_type: DataType.SparseFloatVector },
      ],
      functions: [{ name: 'bm25', description: '', type: 1, input_field_names: ['text'], output_field_names: ['sparse'], params: {} }],
    }));
    const N = 300;
    for (let from = 0; from < N; from += 50) {
      ok((await c.insert({ collection_name: 'docs', data: Array.from({ length: 50 }, (_, k) => ({ id: from + k, text: textOf(from + k) })) })).status);
      if (from === 50) ok((await c.flushSync({ collection_names: ['docs'] })).status);
    }
    ok((await c.upsert({ collection_name: 'docs', data: [{ id: 7, text: 'omega omega omega' }] })).status);
    ok(await c.createIndex({ collection_name: 'docs', field_name: 'sparse', index_type: 'AUTOINDEX', metric_type: 'BM25' }));
    ok(await c.loadCollectionSync({ collection_name: 'docs' }));
    const before = await c.search({ collection_name: 'docs', data: 'omega gamma', anns_field: 'sparse', limit: 20 });
    ok(before.status);
    c.closeConnection();
    await server.kill9();

    const svc = await SextantService.open({ dataDir: path });
    try {
      const coll = svc.engine.findCollection('default', 'docs')!;
      const analyzer = buildAnalyzer(undefined);
      let rows = 0;
      for (const s of coll.chunksOf(coll.loadedPartitions())) {
        const ids = s.chunk.column('id')!, sparse = s.chunk.column('sparse')!, texts = s.chunk.column('text')!;
        assert.ok(ids.kind === 'int64' && sparse.kind === 'sparseVector' && texts.kind === 'varchar');
        for (let r = 0; r < s.chunk.numRows; r++) {
          const want = bm25Vector(analyzer, texts.data[r]!);
          assert.deepEqual([...sparse.data[r]!.indices], [...want.indices], `row id ${ids.data[r]}`);
          assert.deepEqual([...sparse.data[r]!.values], [...want.values], `row id ${ids.data[r]}`);
          rows++;
        }
      }
      t.diagnostic(`rows replayed: ${rows} (acknowledged: ${N} + 1 upsert)`);
      assert.equal(rows, N + 1, 'every acknowledged row, the upserted id twice (old version deleted)');
      const again = await svc.search({ collectionName: 'docs', annsField: 'sparse', data: ['omega gamma'], topK: 20 });
      assert.deepEqual(Array.from(again.ids.data, String), before.results.map((r) => String(r.id)));
      assert.deepEqual(Array.from(again.scores), before.results.map((r) => r.score));
    } finally {
      await svc.close();
    }
  });
});
