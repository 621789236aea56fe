/**
 * BM25 on a multi-language field (`multi_analyzer_params`): each row is analysed by the analyzer its
 * `by_field` value names (alias first, unknown or NULL -> `default`), and a search picks the query's
 * analyzer with `analyzer_name` (MV multi_analyzer_bm25_function.go). Expected hits and scores come
 * from token lists written by hand for each analyzer and the reference formula (§1.5) in float64.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenHash } from '../../src/analyzer/analyzer.js';
import { DataType } from '../../src/core/enums.js';
import { SextantService } from '../../src/service/service.js';
import type { SearchRequest } from '../../src/service/types.js';
import { assertHits, DOCS, docColumns, expectedHits, MULTI } from '../support/multi-lang.js';
import { withTempDir } from '../support/tmp.js';

test('BM25 with multi_analyzer_params: rows by by_field, queries by analyzer_name (alias, unknown -> default)', async () => {
  await withTempDir(async (dir) => {
    const svc = await SextantService.open({ dataDir: dir });
    try {
      await svc.createCollection({
        collectionName: 'ml',
        fields: [
          { name: 'id', dataType: DataType.Int64, isPrimaryKey: true },
          { name: 'lang', dataType: DataType.VarChar, maxLength: 16, nullable: true },
          { name: 'text', dataType: DataType.VarChar, maxLength: 200, typeParams: { enable_analyzer: 'true', multi_analyzer_params: MULTI } },
          { name: 'sparse', dataType: DataType.SparseFloatVector },
        ],
        functions: [{ name: 'bm25', description: '', type: 1, inputFieldNames: ['text'], outputFieldNames: ['sparse'], params: {} }],
      });
      await svc.insert({ collectionName: 'ml', numRows: DOCS.length, columns: docColumns() });
      // The stored rows, read below the service: each row's tokens as its analyzer makes them.
      const c = svc.engine.findCollection('default', 'ml')!;
      const stored = c.chunksOf([...c.partitions.values()]).flatMap((s) => {
        const col = s.chunk.column('sparse')!;
        return col.kind === 'sparseVector' ? col.data.slice(0, s.chunk.numRows).map((v) => [...v.indices].map((h, i) => [h, v.values[i]])) : [];
      });
      const rowOf = (tokens: string[]) => [...new Set(tokens)].map((t) => [tokenHash(t), tokens.filter((x) => x === t).length]).sort((a, b) => a[0]! - b[0]!);
      assert.deepEqual(stored, DOCS.map((d) => rowOf(d.tokens)));

      await svc.createIndex({ collectionName: 'ml', fieldName: 'sparse', params: { index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' } });
      await svc.loadCollection({ collectionName: 'ml' });
      const search = async (text: string, extra: Partial<SearchRequest>): Promise<[string, number][]> => {
        const r = await svc.search({ collectionName: 'ml', annsField: 'sparse', data: [text], topK: 10, ...extra });
        assert.equal(r.ids.kind, 'int64');
        return [...r.ids.data].map((id, i) => [String(id), r.scores[i]!]);
      };
      const cases: [string, Partial<SearchRequest>, string[]][] = [
        ['running', { params: { analyzer_name: 'en' } }, ['run']],
        ['running', { analyzerName: 'english' }, ['run']],
        ['running', {}, ['running']],
        ['Running', { params: { analyzer_name: 'zz' } }, ['Running']],
        ['Running', { params: { analyzer_name: 'default' } }, ['Running']],
        ['dogs', { params: { analyzer_name: 'english' } }, ['dog']],
        ['dogs', {}, ['dogs']],
        ['The sleeping dogs', { analyzerName: 'en' }, ['sleep', 'dog']],
      ];
      for (const [text, extra, tokens] of cases) {
        assertHits(await search(text, extra), expectedHits(tokens), `${text} ${JSON.stringify(extra)}`);
      }
      await assert.rejects(search('x', { params: { analyzer_name: 3 } }), /analyzer_name must be a string/);
    } finally {
      await svc.close();
    }
  });
});
